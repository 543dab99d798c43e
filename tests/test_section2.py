"""Section 2 on the built page: the ReLU runs' claims hold in their results, the numbers
the page quotes are those results, and every player and figure is there, with alt text
and a caption, under the heading it belongs to. The optimizer page likewise.

Results are read from the shared cache, where building ``solutions_site`` leaves them
(the pipeline's keys, so exactly what the page was rendered from); nothing retrains.
"""

import html
import json
import re
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from coursegen.commands import build as commands
from coursegen.site.pages import num, render_figure_text
from coursegen.stages import cache, pipeline, results
from coursegen.stages.parameters import load_sheet

from conftest import CACHE, REPO
from seed import words
from site_html import figure_block

WIDTHS = (10, 20, 40)
REGIMES = {"all": "all layers", "out": "output layer only"}  # experiment suffix -> the page's name
RUNS = [f"relu_w{w}_{r}" for w in WIDTHS for r in REGIMES]
STATIC = {
    "relu_elbows": "relu_elbows",
    "relu_slopes": "relu_slopes",
    "relu_losses": "relu_losses",
    "relu_fit": "relu_final_fits",
}  # figure name -> kind
MAX_GIF_BYTES = 2 * 1024 * 1024
MATH = r"\\\((.+?)\\\)"  # one inline formula as arithmatex leaves it in the HTML


@pytest.fixture(scope="module")
def relu(solutions_site) -> dict[str, dict[str, np.ndarray]]:
    """Every Section 2 experiment's results, as the build cached them."""
    (sheet,) = [s for s in commands.discover(REPO / "content", REPO) if s.name == "dis01"]
    store = cache.Store(CACHE)
    loaded = {}
    for name in [*RUNS, "relu_optimizers"]:
        entry = store.get("results", pipeline.experiment_key(sheet.experiments[name]))
        assert entry is not None, f"{name} is not in the cache after the build"
        loaded[name] = results.load(entry.paths["results.npz"])
    summary = sheet.summaries["relu_sweep"]  # what figure texts quote beside their own results
    shas = [
        store.get("results", pipeline.experiment_key(sheet.experiments[n])).sha256["results.npz"]
        for n in summary.experiments
    ]
    loaded["relu_sweep"] = results.load(store.get("results", pipeline.summary_key(summary, shas)).paths["results.npz"])
    return loaded


@pytest.fixture(scope="module")
def sheet(solutions_site):
    root = solutions_site.parent
    return load_sheet(root / "content" / "dis01", root)


def _page(site: Path, name: str = "index") -> str:
    return (site / "dis01" / f"{name}.html").read_text(encoding="utf-8")


def _between(page: str, start: str, end: str) -> str:
    return page[page.index(f'id="{start}"') : page.index(f'id="{end}"')]


def _text(fragment: str) -> str:
    """Visible text, math left as \\( \\), whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def _rows(fragment: str) -> list[list[str]]:
    """The body rows of the first table in the fragment, cells as visible text."""
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    assert body, "no table"
    return [
        [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def _says(text: str, phrase: str) -> bool:
    """Whether the text contains the phrase, whatever the spacing (tags leave spaces)."""
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    return squeeze(phrase) in squeeze(text)


def _math(cell: str) -> str:
    match = re.fullmatch(MATH, cell)
    assert match, cell
    return match.group(1)


def _median(values) -> float:
    return float(np.median(values))


# ------------------------------------------------------------------ the claims


def test_output_only_elbows_never_move_and_all_layers_elbows_do(relu):
    for width in WIDTHS:
        fixed, trained = relu[f"relu_w{width}_out"], relu[f"relu_w{width}_all"]
        for key in ("W1", "b1", "elbows"):  # bit for bit, every seed, unit and snapshot
            assert np.array_equal(fixed[key], np.broadcast_to(fixed[key][:, :1], fixed[key].shape)), (width, key)
        assert np.array_equal(fixed["elbows"][:, 0], trained["elbows"][:, 0]), "same initial networks"
        assert np.all(fixed["elbow_displacement"] == 0)
        assert np.all(trained["elbow_displacement"] > 0), width


def test_training_lowers_the_median_loss_everywhere(relu):
    for name in RUNS:
        res = relu[name]
        assert _median(res["final_train_mse"]) < _median(res["train_mse"][:, 0]), name


# ------------------------------------------------------------- quoted numbers


def test_section2_table_is_the_results(solutions_site, relu):
    rows = _rows(_between(_page(solutions_site), "2-losses", "2-fits"))
    assert len(rows) == len(RUNS)
    for row, name in zip(rows, RUNS):
        res = relu[name]
        width, regime = name.split("_")[1:]
        assert row[:2] == [width[1:], REGIMES[regime]]
        expected = [
            num(_median(res["elbow_displacement"]), 3),
            num(_median(res["train_mse"][:, 0]), 3),
            num(_median(res["final_train_mse"]), 3),
            num(_median(res["final_test_mse"]), 3),
        ]
        assert [_math(c) for c in row[2:]] == expected, name


def test_section2_statements_are_the_results(solutions_site, relu):
    text = _text(_between(_page(solutions_site), "2-paths", "2-fits"))
    outs = [relu[f"relu_w{w}_out"]["elbows"] for w in WIDTHS]
    largest = max(float((e.max(axis=1) - e.min(axis=1)).max()) for e in outs)
    assert largest == 0.0
    assert _says(
        text, "the largest distance of any elbow from its starting point is exactly " + rf"\({num(largest)}\)."
    )
    moved = ", ".join(
        rf"\({num(_median(relu[f'relu_w{w}_all']['elbow_displacement']), 3)}\) at width {w}" for w in WIDTHS
    )
    assert _says(text, f"over units, then over seeds) is {moved}.")

    finals = {name: _median(relu[name]["final_test_mse"]) for name in RUNS}
    best = min(finals, key=finals.get)
    named = f"width {best.split('_')[1][1:]}, {REGIMES[best.split('_')[2]]}"
    assert _says(text, f"comes from {named} " + rf"(\({num(finals[best], 3)}\))")
    assert _says(text, f"in every one of the {len(RUNS)} configurations the median training MSE")


def test_optimizer_page_numbers_are_the_results(solutions_site, relu):
    opt, w20 = relu["relu_optimizers"], relu["relu_w20_all"]
    page = _page(solutions_site, "optimizers")
    text = _text(page)
    names = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}
    medians = {key: np.percentile(opt[f"{key}_train_mse"], 50, axis=0) for key in names}  # per snapshot
    target = medians["sgd"][-1]
    reached = {}
    for key in names:
        below = np.flatnonzero(medians[key] <= target)
        reached[key] = f"{int(opt['snap_steps'][below[0]]):,}" if below.size else "not reached"
    rows = _rows(page)
    assert [r[0] for r in rows] == list(names.values())
    for row, key in zip(rows, names):
        expected = [
            num(_median(opt[f"{key}_train_mse"][:, 0]), 3),
            num(_median(opt[f"{key}_final_train_mse"]), 3),
            num(_median(opt[f"{key}_final_test_mse"]), 3),
        ]
        assert [_math(c) for c in row[1:4]] == expected and row[4] == reached[key], key
    finals = {key: _median(opt[f"{key}_final_test_mse"]) for key in names}
    best = min(finals, key=finals.get)
    assert _says(text, f"comes from {names[best]} " + rf"(\({num(finals[best], 3)}\))")
    assert _says(text, "final median training error of " + rf"\({num(target, 3)}\) only at step {reached['sgd']};")
    # the page says its SGD runs are Section 2's: they are, bit for bit
    assert np.array_equal(opt["sgd_train_mse"], w20["train_mse"]) and np.array_equal(
        opt["sgd_test_mse"], w20["test_mse"]
    )
    assert _says(text, "their errors agree bit for bit")


# ------------------------------------------------------------------- figures


def _check_alt_and_caption(block: str, name: str, ext: str, fig, relu) -> None:
    """The alt text and caption are the figure's, rendered from its results."""
    alt, caption_text = render_figure_text(fig, "alt", relu), render_figure_text(fig, "caption", relu)
    alts = re.findall(rf'src="figures/{name}(?:-dark)?\.{ext}\?v=[0-9a-f]+#only-(?:light|dark)" alt="([^"]*)"', block)
    assert alts and all(html.unescape(a) == alt for a in alts), name
    caption = re.search(r"<figcaption>(.*?)</figcaption>", block, re.S)
    assert caption and words(caption_text) in words(caption.group(1)), name


def test_six_players_grouped_by_width(solutions_site, sheet, relu):
    page = _page(solutions_site)
    headings = [f"2-w{w}" for w in WIDTHS] + ["2-paths"]
    for width, start, end in zip(WIDTHS, headings, headings[1:]):
        group = _between(page, start, end)
        for regime in REGIMES:
            name = f"relu_w{width}_{regime}_anim"
            fig = sheet.figures[name]
            assert fig.kind == "relu_animation" and fig.experiments == (f"relu_w{width}_{regime}",)
            block = figure_block(group, name)
            _check_alt_and_caption(block, name, "gif", fig, relu)
            labels = json.loads(html.unescape(re.search(r"data-labels=([\"'])(.*?)\1", block).group(2)))
            steps = relu[fig.experiments[0]]["snap_steps"]
            shown = [int(re.match(r"step ([\d,]+) of", label).group(1).replace(",", "")) for label in labels]
            assert len(labels) == len(set(labels)) and shown == _animated(steps)
            assert labels[-1].startswith(f"step {int(steps[-1]):,} of {int(steps[-1]):,}: train MSE ")


def _animated(steps) -> list[int]:
    """The snapshots an animation shows: every other one, and the last."""
    return sorted({int(s) for s in steps[::2]} | {int(steps[-1])})


def test_gifs_decode_with_a_frame_per_other_snapshot_and_stay_small(solutions_site, sheet, relu):
    folder = solutions_site / "dis01" / "figures"
    for name, fig in sorted(sheet.figures.items()):
        if fig.kind != "relu_animation":
            continue
        gif = folder / f"{name}.gif"
        assert gif.stat().st_size <= MAX_GIF_BYTES, name
        frames = iio.imread(gif, index=None)
        assert frames.shape[0] == len(_animated(relu[fig.experiments[0]]["snap_steps"])), name
        assert frames.shape[1:3] == iio.imread(folder / f"{name}.png").shape[:2], name


def test_static_figures_with_alt_and_caption(solutions_site, sheet, relu):
    page = _page(solutions_site)
    section = _between(page, "2", "contributors")
    for name, kind in STATIC.items():
        fig = sheet.figures[name]
        assert fig.kind == kind and fig.experiments == tuple(RUNS), name
        _check_alt_and_caption(figure_block(section, name), name, "svg", fig, relu)
        assert (solutions_site / "dis01" / "figures" / f"{name}.svg").stat().st_size > 5000, name
    assert "quartiles" in sheet.figures["relu_losses"].caption  # 25th-75th, not the notebook's 0.25th-0.75th


def test_optimizer_page_shows_its_figure_and_is_linked(solutions_site, sheet, relu):
    page = _page(solutions_site, "optimizers")
    fig = sheet.figures["relu_optimizer_losses"]
    _check_alt_and_caption(figure_block(page, "relu_optimizer_losses"), "relu_optimizer_losses", "svg", fig, relu)
    worksheet = _page(solutions_site)
    assert 'href="optimizers.html"' in _between(worksheet, "2", "contributors")
    # in the nav, under its title (its front matter's), listed by the worksheet's front matter
    title = re.search(r'^title: "([^"]+)"', (REPO / "content" / "dis01" / "optimizers.md").read_text(), re.M).group(1)
    nav = (
        rf'<a href="optimizers.html" class="md-nav__link">\s*<span class="md-ellipsis">\s*{re.escape(title)}\s*</span>'
    )
    assert re.search(nav, worksheet)


def test_hinges_are_drawn_where_their_unit_is_active_and_nowhere_else():
    """A hinge is W2 relu(W1 x + b1): 0 on the x-axis where its unit is inactive, which the
    player, the fit figure and the explorer leave out. For networks with every kind of
    unit (elbow inside, before or past [0, 1], W1 = 0), what each draws spans exactly the
    points of a fine grid where W1 x + b1 > 0, at the heights W2 (W1 x + b1) there."""
    from course.figures import explore, relu

    rng = np.random.default_rng(11)
    w1 = np.concatenate([rng.normal(0, 3, 60), [0.0, 0.0, 2.0, -2.0]])
    b1 = np.concatenate([rng.normal(0, 1.5, 60), [0.4, -0.4, -2.0, 2.0]])  # W1 = 0, both ways; elbow at 1
    w2 = rng.normal(0, 1, w1.size)
    grid = np.linspace(0, 1, 100_001)
    active = np.outer(w1, grid) + b1[:, None] > 0  # (units, grid)
    res = {"W1": w1[None, None], "b1": b1[None, None], "W2": w2[None, None], "shown": np.array(0)}
    drawn = relu._hinge_segments(res, 0)
    assert len(drawn) == int(active.any(axis=1).sum())
    spans = iter(drawn)
    pts, _ = explore._hinges(w1, b1, w2, edge=1e9)
    for unit in range(w1.size):
        xs = grid[active[unit]]
        shown = pts[unit][~np.isnan(pts[unit, :, 0])]
        if xs.size == 0:
            assert shown.size == 0 or np.ptp(shown[:, 0]) == 0, f"unit {unit}: drawn where it is inactive"
            continue
        segment = next(spans)
        for got in (segment, shown):
            assert abs(got[:, 0].min() - xs[0]) < 2e-5 and abs(got[:, 0].max() - xs[-1]) < 2e-5, unit
            want = w2[unit] * np.maximum(0, w1[unit] * got[:, 0] + b1[unit])
            assert np.allclose(got[:, 1], want, atol=1e-12), unit


def test_the_explorers_steep_hinges_leave_the_panel_where_they_cross_its_edge():
    """A hinge whose end lies beyond where the panel draws (|y| > edge) ends where it
    crosses the edge, on its own line: not held at the edge, which bent it."""
    from course.figures import explore

    rng = np.random.default_rng(5)
    w1, b1, w2 = rng.normal(0, 4, 400), rng.normal(0, 2, 400), rng.normal(0, 2, 400)
    edge = 3.0
    pts, _ = explore._hinges(w1, b1, w2, edge)
    shown = ~np.isnan(pts[..., 0])
    x, y = pts[..., 0], pts[..., 1]
    truth = w2[:, None] * np.maximum(0, w1[:, None] * x + b1[:, None])
    assert np.allclose(y[shown], truth[shown], atol=1e-9)  # every point on its hinge
    steep = np.abs(w2 * w1) > 0  # where a unit's end was moved, it sits on the edge, inside [0, 1]
    moved = shown & np.isclose(np.abs(y), edge) & steep[:, None]
    assert moved.sum() > 20 and np.all((x[moved] >= 0) & (x[moved] <= 1))
    assert np.all(np.abs(y[shown]) <= edge + 1e-9)
