"""Figures as students see them on a phone and in the dark scheme: text big enough to
read at 390 px, and every figure drawn for the page it sits on (no white card on a dark
page). Every figure of every page of both editions, solutions opened; screenshots of
the worksheet at 390 and 1280 px, light and dark, go to test-artifacts/."""

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from browser import ARTIFACTS, EDITIONS, open_page, settle, site_pages

pytest_plugins = ["browser_fixtures"]

MIN_TEXT_PX = 9
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Every figure's visible picture (image or player canvas), with what the page says of
# its text: its smallest text and its width, in pt; where it is on the page (CSS px).
_SHOWN = """() => [...document.querySelectorAll("figure.cg-figure")].map((fig) => {
  const media = [...fig.querySelectorAll("canvas, img:not(.cg-print)")].find((m) => m.checkVisibility());
  let corner = null;
  if (media && media.tagName === "CANVAS") corner = [...media.getContext("2d").getImageData(1, 1, 1, 1).data.slice(0, 3)];
  return {
    id: fig.id, textPt: Number(fig.querySelector("[data-text-pt]").dataset.textPt),
    widthPt: Number(fig.querySelector("[data-width-pt]").dataset.widthPt),
    tag: media ? media.tagName : null, src: media && media.getAttribute("src"),
    shownWidth: media ? media.getBoundingClientRect().width : 0, corner,
    box: media && (({ left, top, right, bottom }) => [left + scrollX, top + scrollY, right + scrollX, bottom + scrollY])(media.getBoundingClientRect()),
  };
})"""


def _open_everything(page) -> None:
    """Every solution opened and every figure scrolled into view, players set up."""
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert settle(page) == []


def _sites(solutions_site, student_site):
    return {"solutions": solutions_site, "student": student_site}


@pytest.mark.parametrize("edition", EDITIONS)
def test_figure_text_is_readable_on_a_phone(chromium, served, solutions_site, student_site, edition, capsys):
    site = _sites(solutions_site, student_site)[edition]
    problems, checked, expected = [], 0, 0
    for rel in site_pages(site):
        expected += (site / rel).read_text(encoding="utf-8").count('<figure class="cg-figure"')
        with open_page(chromium, f"{served[edition]}/{rel}", viewport=PHONE) as page:
            _open_everything(page)
            for fig in page.evaluate(_SHOWN):
                checked += 1
                if not fig["tag"]:
                    problems.append(f"{rel} {fig['id']}: nothing shown")
                    continue
                text_px = fig["textPt"] * fig["shownWidth"] / fig["widthPt"]
                if text_px < MIN_TEXT_PX:
                    problems.append(f"{rel} {fig['id']}: text {text_px:.1f} px tall at {fig['shownWidth']:.0f} px wide")
            if rel.endswith("index.html") and "/" in rel and edition == "solutions":
                _screenshot(page, "phone-light", capsys)
    assert checked == expected > 0
    assert problems == []


def _page_background(page) -> tuple[int, ...]:
    color = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    return tuple(int(v) for v in re.findall(r"\d+", color)[:3])


def _file_corner(path: Path) -> tuple[int, ...]:
    """The top-left colour of a figure file, as drawn: Pillow for rasters; for an SVG the
    figure's background patch (matplotlib's first filled path)."""
    if path.suffix == ".svg":
        fill = re.search(r'<g id="patch_1">\s*<path d="[^"]*"\s+style="fill: #([0-9a-f]{6})', path.read_text())
        return tuple(int(fill.group(1)[i : i + 2], 16) for i in (0, 2, 4))
    return tuple(int(v) for v in np.asarray(Image.open(path).convert("RGB"))[1, 1])


@pytest.mark.parametrize("scheme, viewport", [("dark", PHONE), ("dark", DESKTOP), ("light", DESKTOP)])
def test_figures_are_drawn_for_the_page_they_sit_on(chromium, served, solutions_site, scheme, viewport, capsys):
    assert drawing_problems(chromium, served["solutions"], solutions_site, scheme, viewport, capsys) == []


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_figures_are_drawn_for_the_page_in_the_zensical_build(chromium, served_zensical, zensical_site, scheme, capsys):
    assert drawing_problems(chromium, served_zensical, zensical_site, scheme, DESKTOP, capsys, shots=False) == []


def drawing_problems(chromium, url: str, solutions_site, scheme, viewport, capsys, shots: bool = True) -> list[str]:
    """Each figure shows its scheme's rendering, on the page's own background, and in
    the dark scheme no ink darker than the page."""
    problems, checked = [], 0
    for rel in site_pages(solutions_site):
        with open_page(chromium, f"{url}/{rel}", viewport=viewport, color_scheme=scheme) as page:
            _open_everything(page)
            background = _page_background(page)
            page.evaluate("() => window.scrollTo(0, 0)")
            png = page.screenshot(full_page=True) if scheme == "dark" else None
            shot = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")) if png else None  # one pixel per CSS px
            for fig in page.evaluate(_SHOWN):
                checked += 1
                if fig["tag"] == "IMG":
                    want = "-dark.svg#only-dark" if scheme == "dark" else ".svg#only-light"
                    if not fig["src"].endswith(want) or (scheme == "light" and "-dark" in fig["src"]):
                        problems.append(f"{rel} {fig['id']}: shows {fig['src']}")
                        continue
                    corner = _file_corner(solutions_site / Path(rel).parent / fig["src"].split("#")[0])
                else:
                    corner = tuple(fig["corner"])
                if max(abs(a - b) for a, b in zip(corner, background)) > 2:
                    problems.append(f"{rel} {fig['id']}: figure background {corner}, page {background}")
                if scheme == "dark":
                    dark = _darker_than(shot, fig["box"], background)
                    if dark:
                        problems.append(f"{rel} {fig['id']}: {dark} pixels darker than the page (unreadable ink)")
            if shots and rel.endswith("index.html") and "/" in rel and scheme == "dark":
                _screenshot(page, f"{'phone' if viewport is PHONE else 'desktop'}-dark", capsys, full_page=png)
    assert checked > 0
    return problems


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


def _screenshot(page, name: str, capsys, full_page: bytes | None = None) -> None:
    """The worksheet as shown, whole and its first screen, into test-artifacts/
    (``full_page``: the whole page's PNG, if the test took it already)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    shot = ARTIFACTS / f"worksheet-{name}.png"
    if full_page:
        shot.write_bytes(full_page)
    else:
        page.screenshot(path=str(shot), full_page=True)
    page.screenshot(path=str(ARTIFACTS / f"worksheet-{name}-top.png"))
    with capsys.disabled():
        print(f"\n  screenshot ({name}): {shot}")
