"""Accessibility: axe-core (the npm package in node_modules, injected into each page)
finds no serious or critical violation on any page of either edition, in the light and
the dark palette, with every player set up and every solution open (so that their
controls and text are checked too). That figures are drawn for the dark palette is
tests/test_figures_browser.py's."""

import pytest

from browser import EDITIONS
from visits import PALETTES

pytest_plugins = ["browser_fixtures"]


@pytest.mark.parametrize("scheme", PALETTES)
@pytest.mark.parametrize("build", [*EDITIONS, "zensical"])
def test_axe_finds_nothing_serious(visits, build, scheme):
    """Every page of the MkDocs build's two editions and of the Zensical build."""
    visit = visits(build, scheme, "desktop")
    assert {rel: seen["palette"] for rel, seen in visit.pages.items()} == dict.fromkeys(visit.pages, PALETTES[scheme])
    assert visit.problems("axe") == []
    assert visit.external == []
