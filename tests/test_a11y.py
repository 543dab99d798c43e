"""Accessibility: axe-core (the npm package in node_modules, injected into each page)
finds no serious or critical violation on any page of either edition built by either
engine, in the light and the dark palette, on a phone (390 px) and a desktop (1280 px), with every player set up and every solution open (so that their
controls and text are checked too). That figures are drawn for the dark palette is
tests/test_figures_browser.py's."""

import pytest

from visits import BUILDS, PALETTES, SCREENS

pytest_plugins = ["browser_fixtures"]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("scheme", PALETTES)
@pytest.mark.parametrize("build", BUILDS)
def test_axe_finds_nothing_serious(visits, build, scheme, screen):
    """Every page of both editions, built by MkDocs and by Zensical."""
    visit = visits(build, scheme, screen)
    assert {rel: seen["palette"] for rel, seen in visit.pages.items()} == dict.fromkeys(visit.pages, PALETTES[scheme])
    assert visit.problems("axe") == []
    assert visit.external == []


@pytest.mark.parametrize("scheme", PALETTES)
@pytest.mark.parametrize("build", BUILDS)
def test_captions_read_as_text_on_a_phone(visits, build, scheme):
    """Every figure's caption on a phone: upright and set from the left (a caption runs
    to ten lines at 390 px; centred italics read badly at that length)."""
    visit = visits(build, scheme, "phone")
    assert visit.problems("captions") == []
