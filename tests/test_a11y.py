"""Accessibility: axe-core (the npm package in node_modules, injected into each page)
finds no serious or critical violation on any page of either edition, in the light and
the dark palette, with every player set up and every solution open (so that their
controls and text are checked too). That figures are drawn for the dark palette is
tests/test_figures_browser.py's."""

from pathlib import Path

import pytest

from browser import EDITIONS, open_page, settle, site_pages

pytest_plugins = ["browser_fixtures"]

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"

# Material chooses its palette from the reader's colour-scheme preference (mkdocs.yml
# gives each palette a prefers-color-scheme media query), so emulating the preference
# switches it, exactly as for a reader whose system is set to dark.
SCHEMES = {"light": "default", "dark": "slate"}

_AXE_RUN = """async () => {
  const { violations } = await axe.run(document, { resultTypes: ["violations"] });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ` + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_axe_finds_nothing_serious(chromium, served, solutions_site, student_site, edition, scheme):
    site = {"solutions": solutions_site, "student": student_site}[edition]
    assert axe_problems(chromium, served[edition], site, scheme) == []
    assert chromium.external == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_serious_in_the_zensical_build(chromium, served_zensical, zensical_site, scheme):
    assert axe_problems(chromium, served_zensical, zensical_site, scheme) == []
    assert chromium.external == []


def axe_problems(chromium, url: str, site, scheme: str) -> list[str]:
    """axe-core's serious and critical findings on every page of a served site."""
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (it is a devDependency in package.json)"
    problems = []
    for rel in site_pages(site):
        with open_page(chromium, f"{url}/{rel}", color_scheme=scheme) as page:
            assert page.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme]
            assert settle(page) == []
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            page.add_script_tag(path=str(AXE))
            problems += [f"{rel}: {v}" for v in page.evaluate(_AXE_RUN)]
            problems += [f"{rel}: {e}" for e in page.errors]
    return problems
