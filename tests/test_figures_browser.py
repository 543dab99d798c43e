"""Figures as students see them on a phone and in the dark scheme: text big enough to
read at 390 px, and every figure drawn for the page it sits on (no white card on a dark
page). Every figure of every page of both editions and of the Zensical build, solutions
opened; screenshots of the worksheet at 390 and 1280 px, light and dark, go to
test-artifacts/ (tests/visits.py)."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import ARTIFACTS, EDITIONS
from site_html import site_address, site_file

pytest_plugins = ["browser_fixtures"]

MIN_TEXT_PX = 9


@pytest.mark.parametrize("edition", EDITIONS)
def test_figure_text_is_readable_on_a_phone(visits, edition):
    visit = visits(edition, "light", "phone")
    assert visit.problems() == []
    problems, checked, expected = [], 0, 0
    for rel, seen in visit.pages.items():
        expected += (visit.site / rel).read_text(encoding="utf-8").count('<figure class="cg-figure"')
        for fig in seen["figures"]:
            checked += 1
            if not fig["tag"]:
                problems.append(f"{rel} {fig['id']}: nothing shown")
                continue
            text_px = fig["textPt"] * fig["shownWidth"] / fig["widthPt"]
            if text_px < MIN_TEXT_PX:
                problems.append(f"{rel} {fig['id']}: text {text_px:.1f} px tall at {fig['shownWidth']:.0f} px wide")
    assert checked == expected > 0
    assert problems == []


def _file_corner(path: Path) -> tuple[int, ...]:
    """The top-left colour of a figure file, as drawn: Pillow for rasters; for an SVG the
    figure's background patch (matplotlib's first filled path)."""
    if path.suffix == ".svg":
        fill = re.search(r'<g id="patch_1">\s*<path d="[^"]*"\s+style="fill: #([0-9a-f]{6})', path.read_text())
        return tuple(int(fill.group(1)[i : i + 2], 16) for i in (0, 2, 4))
    return tuple(int(v) for v in np.asarray(Image.open(path).convert("RGB"))[1, 1])


@pytest.mark.parametrize(
    "build, scheme, screen",
    [
        ("solutions", "dark", "phone"),
        ("solutions", "dark", "desktop"),
        ("solutions", "light", "desktop"),
        ("zensical", "dark", "desktop"),
        ("zensical", "light", "desktop"),
    ],
)
def test_figures_are_drawn_for_the_page_they_sit_on(visits, build, scheme, screen, capsys):
    """Each figure shows its scheme's rendering, on the page's own background, and in
    the dark scheme no ink darker than the page."""
    visit = visits(build, scheme, screen)
    assert visit.problems() == []
    problems, checked = [], 0
    for rel, seen in visit.pages.items():
        background = tuple(seen["background"])
        shot = np.asarray(Image.open(visit.screenshot(rel)).convert("RGB")) if scheme == "dark" else None
        for fig in seen["figures"]:
            checked += 1
            if fig["tag"] == "IMG":
                want = "-dark.svg#only-dark" if scheme == "dark" else ".svg#only-light"
                if not re.sub(r"\?v=[0-9a-f]+", "", fig["src"]).endswith(want) or (
                    scheme == "light" and "-dark" in fig["src"]
                ):
                    problems.append(f"{rel} {fig['id']}: shows {fig['src']}")
                    continue
                corner = _file_corner(site_file(visit.site / Path(rel).parent, fig["src"]))
            elif fig["tag"] == "svg":  # an explorer's panel: drawn on the page itself, no paper of its own
                corner = background
            else:
                corner = tuple(fig["corner"])
            if max(abs(a - b) for a, b in zip(corner, background)) > 2:
                problems.append(f"{rel} {fig['id']}: figure background {corner}, page {background}")
            if scheme == "dark":
                dark = _darker_than(shot, fig["box"], background)
                if dark:
                    problems.append(f"{rel} {fig['id']}: {dark} pixels darker than the page (unreadable ink)")
    assert checked > 0
    assert problems == []
    if build == "solutions":
        with capsys.disabled():
            print(f"\n  screenshot ({screen}-{scheme}): {ARTIFACTS / f'worksheet-{screen}-{scheme}.png'}")


def _darker_than(shot: np.ndarray, box: list[float], background: tuple[int, ...]) -> int:
    """Pixels of a figure, as shown (its box in the full-page screenshot), clearly darker
    than the dark page it sits on: ink that was not made light (black text on a dark
    ground)."""
    left, top, right, bottom = box
    figure = shot[int(np.ceil(top)) : int(bottom), int(np.ceil(left)) : int(right)]
    assert figure.size, f"empty figure box {box}"
    luminance = figure.astype(np.int32) @ np.array([299, 587, 114], dtype=np.int32) // 1000
    paper = int(np.dot(background, [299, 587, 114]) // 1000)
    return int((luminance < paper - 12).sum())


_BUNDLE = "**/assets/javascripts/bundle.*.min.js"  # Material's script, at the end of the body


@pytest.mark.parametrize(("build", "scheme"), [("solutions", "light"), ("solutions", "dark"), ("zensical", "dark")])
def test_a_first_visit_has_its_systems_palette_before_materials_script_runs(request, chromium, build, scheme):
    """A first visit (a new browser, nothing saved) is in the palette the reader's system
    asks for as the page is parsed, not once Material's script at the end of the body
    has run: held back here, to make that moment last. Until then a reader whose system
    is dark saw a light page, and the figures first in view fetched the light pictures
    (1 visit in 3 at 1280 px, measured). So the page fetches its own scheme's pictures
    only, even then."""
    url = (
        request.getfixturevalue("served")["solutions"]
        if build == "solutions"
        else request.getfixturevalue("served_zensical")
    )
    context = chromium.browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    try:
        context.route(_BUNDLE, lambda route: route.abort())
        context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        page.goto(f"{url}/dis01/index.html", wait_until="load")
        try:  # lazy pictures near the screen start loading (a busy machine takes longer)
            page.wait_for_function(
                "performance.getEntriesByType('resource').some((e) => e.name.includes('/figures/'))", timeout=15_000
            )
        except PlaywrightTimeout:
            pass  # the assertion below says so
        page.wait_for_timeout(300)  # and the others near it
        palette = page.evaluate("document.body.dataset.mdColorScheme")
        fetched = page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
    finally:
        context.close()
    assert palette == {"light": "default", "dark": "slate"}[scheme]
    pictures = [
        u.rsplit("/", 1)[-1] for u in fetched if "/figures/" in u and site_address(u).endswith((".gif", ".svg"))
    ]
    assert pictures, "no picture fetched: the test saw nothing"
    assert [p for p in pictures if ("-dark." in p) != (scheme == "dark")] == []
