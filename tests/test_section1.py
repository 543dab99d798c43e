"""Section 1 on the built page: the numbers it quotes are the theory's, every figure sits
under its question with alt text and a caption, animations are sound GIFs, and a
changed step size rebuilds only its own model."""

import html
import os
import re
import shutil
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from course.experiments import gd as gd_experiments
from course.figures import gd as gd_figures
from coursegen.site.pages import num, render_figure_text
from coursegen.stages import registry
from coursegen.stages.parameters import load_sheet

from conftest import CACHE, make_checkout, run_cli
from seed import words
from site_html import figure_block

QUESTION_SPANS = {"const_gd": ('id="1a"', 'id="1b"'), "lin_gd": ('id="1b"', 'id="2"')}
MAX_GIF_BYTES = 2 * 1024 * 1024
MATH = r"\\\((.+?)\\\)"  # one inline formula as arithmatex leaves it in the HTML


def _sheet(site: Path):
    root = site.parent
    return load_sheet(root / "content" / "dis01", root)


def _results(site: Path, name: str) -> tuple[object, dict]:
    """The experiment's parameters and results, recomputed here (they are pure)."""
    exp = _sheet(site).experiments[name]
    return exp.params, registry.kinds().experiments[exp.kind](exp.params)


def _section(site: Path, experiment: str) -> str:
    """The visible text of the question this experiment belongs to, math left as \\( \\)."""
    page = (site / "dis01" / "index.html").read_text(encoding="utf-8")
    start, end = QUESTION_SPANS[experiment]
    text = re.sub(r"<[^>]+>", " ", page[page.index(start) : page.index(end)])
    return re.sub(r"\s+", " ", html.unescape(text))


def _quoted(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    assert match, f"the page does not quote {pattern!r}"
    return match.group(1).strip()


def _steps_to_tol(theta0, theta_star, rate, step, tol) -> tuple[int, int]:
    """Steps to get within tol: by running the update, and from e_t = rate^t e_0."""
    theta, ran = theta0, 0
    while abs(theta - theta_star) >= tol:
        theta, ran = step(theta), ran + 1
    e0 = abs(theta0 - theta_star)
    predicted = next(t for t in range(10**6) if e0 * rate**t < tol)
    return ran, predicted


# ------------------------------------------------------------------ quoted numbers


def test_constant_model_numbers_are_the_theory(solutions_site):
    p, res = _results(solutions_site, "const_gd")
    x, y, n = res["x"], res["y"], len(res["x"])
    text = _section(solutions_site, "const_gd")
    theta_star = float(np.mean(y))
    assert _quoted(text, r"\\theta\^\* = (-?[\d.]+)\\\)") == num(theta_star, 4)
    assert _quoted(text, r"0 < \\alpha < ([\d.]+)\\\)") == num(1.0, 4)  # curvature 1: alpha < 1
    assert _quoted(text, r"come within " + MATH) == num(p.tol, 2)

    alpha = p.anim_step_size
    ran, predicted = _steps_to_tol(
        p.theta0, theta_star, abs(1 - 2 * alpha), lambda t: t - alpha * 2 / n * np.sum(t - y), p.tol
    )
    assert int(_quoted(text, r"it needs (\d+) steps")) == ran
    assert int(_quoted(text, r"predicts (\d+)")) == predicted

    i, j = res["pair"]
    vote = lambda k: 2 / n * (p.vote_theta - y[k])  # noqa: E731 -- the worksheet's term
    assert abs(x[i]) >= 2 * abs(x[j]) and vote(i) == pytest.approx(vote(j), abs=1e-12)
    votes = re.search(r"casts the same vote, " + MATH + r" and " + MATH, text)
    assert votes and votes.groups() == (num(vote(i), 4), num(vote(j), 4))


def test_linear_model_numbers_are_the_theory(solutions_site):
    p, res = _results(solutions_site, "lin_gd")
    x, y, n = res["x"], res["y"], len(res["x"])
    text = _section(solutions_site, "lin_gd")
    theta_star = float(np.sum(x * y) / np.sum(x * x))
    mean_x2 = float(np.mean(x * x))
    assert _quoted(text, r"\\theta\^\* = (-?[\d.]+)\\\)") == num(theta_star, 4)
    assert _quoted(text, r"(?<!/)\\overline\{x\^2\} = ([\d.]+)\\\)") == num(mean_x2, 4)
    assert _quoted(text, r"0 < \\alpha < 1/\\overline\{x\^2\} = ([\d.]+)\\\)") == num(1 / mean_x2, 4)

    alpha = p.anim_step_fraction / mean_x2
    ran, predicted = _steps_to_tol(
        p.theta0,
        theta_star,
        abs(1 - 2 * alpha * mean_x2),
        lambda t: t - alpha * 2 / n * np.sum((t * x - y) * x),
        p.tol,
    )
    assert int(_quoted(text, r"it needs (\d+) steps")) == ran
    assert int(_quoted(text, r"predicts (\d+)")) == predicted

    i, j = res["pair"]
    error = lambda k: p.vote_theta * x[k] - y[k]  # noqa: E731
    assert error(i) == pytest.approx(error(j), abs=1e-12)
    vote_ratio = (error(i) * x[i]) / (error(j) * x[j])
    assert _quoted(text, r"x_i / x_j = ([\d.]+)\\\)") == num(x[i] / x[j], 3)
    assert _quoted(text, r"the same ratio, " + MATH) == num(vote_ratio, 3) == num(x[i] / x[j], 3)


# ------------------------------------------------------------------------ figures


def _figure_texts(site: Path, fig) -> tuple[str, str]:
    """The caption and alt text the page must show for this figure (rendered from results)."""
    _, res = _results(site, fig.experiments[0])
    return (
        render_figure_text(fig, "caption", {fig.experiments[0]: res}),
        render_figure_text(fig, "alt", {fig.experiments[0]: res}),
    )


def _check_figures(site: Path, edition: str) -> None:
    """Every Section 1 figure the edition shows sits under its question with its alt text
    and caption; solution figures sit in solution material (solutions edition) or are
    replaced by their student rendering or absent (student edition)."""
    page = (site / "dis01" / "index.html").read_text(encoding="utf-8")
    sheet = _sheet(site)
    figures = {n: f for n, f in sheet.figures.items() if f.experiments[0] in QUESTION_SPANS}
    placed = {n: f for n, f in figures.items() if not f.rendering_of}
    kinds = {f.kind for f in placed.values()}
    assert kinds == {"gd_animation", "gd_regimes", "gd_votes", "gd_sgd", "gd_explorer"}
    for model in QUESTION_SPANS:  # every kind, for both models
        assert sorted(f.kind for f in placed.values() if f.experiments == (model,)) == sorted(kinds)
    shown = sheet.shown_figures(edition)
    for name, fig in sorted(figures.items()):
        if name not in shown:
            assert f'id="fig-{name}"' not in page and not list((site / "dis01" / "figures").glob(f"{name}.*")), name
            continue
        start, end = (page.index(marker) for marker in QUESTION_SPANS[fig.experiments[0]])
        assert start < page.index(f'id="fig-{name}"') < end, f"{name} is not under its question"
        block = figure_block(page, name)
        caption_text, alt_text = _figure_texts(site, fig)
        ext = {"gd_animation": "gif", "gd_explorer": "print.svg"}.get(fig.kind, "svg")
        alts = re.findall(
            rf'src="figures/{name}(?:-dark)?\.{re.escape(ext)}\?v=[0-9a-f]+#only-(?:light|dark)" alt="([^"]*)"', block
        )
        # an explorer's small multiple: its alt, then the states it shows
        assert alts and all(html.unescape(a).split(" 3 states of this explorer")[0] == alt_text for a in alts), name
        caption = re.search(r"<figcaption>(.*?)</figcaption>", block, re.S)
        assert caption and words(caption_text) in words(caption.group(1)), name
        before = page[: page.index(f'id="fig-{name}"')].rsplit("<details", 1)[-1]
        closed = before.startswith(' class="solution cg-solution">') and "</details>" not in before
        assert closed == (fig.role == "solution"), (name, before[:80])
        produced = {"gif": ["gif", "png"], "print.svg": ["print.svg", "explorer.bin"]}.get(ext, ["svg"])
        for suffix in produced:
            assert (site / "dis01" / "figures" / f"{name}.{suffix}").stat().st_size > 5000, (name, suffix)


def _decimals(label: str) -> int:
    return len(label.partition(".")[2])


def test_the_votes_figures_tick_labels_tell_every_point_apart(solutions_site):
    """Each bar of a votes figure is labelled with its point's x, ordered by x: every
    label differs from the others (two points 0.009 apart are not both "1.17") and is
    that x, rounded (read from the SVG's text, which matplotlib keeps as comments)."""
    votes = [f for f in _sheet(solutions_site).figures.values() if f.kind == "gd_votes" and not f.rendering_of]
    assert len(votes) == 2
    for fig in votes:
        _, res = _results(solutions_site, fig.experiments[0])
        x = np.sort(res["x"])
        svg = (solutions_site / "dis01" / "figures" / f"{fig.name}.svg").read_text(encoding="utf-8")
        texts = re.findall(r"<!-- (.*?) -->", svg)
        under = next(k for k, t in enumerate(texts) if "tick labels" in t)  # the x axis' label follows its ticks
        labels = [t.replace("\N{MINUS SIGN}", "-") for t in texts[under - len(x) : under]]
        assert len(set(labels)) == len(x), (fig.name, labels)
        for label, value in zip(labels, x, strict=True):
            assert _decimals(label) >= 2 and abs(float(label) - value) <= 0.5 * 10.0 ** -_decimals(label), (
                label,
                value,
            )


def test_every_section1_figure_is_under_its_question_with_alt_and_caption(solutions_site):
    _check_figures(solutions_site, "solutions")


def test_student_edition_keeps_question_figures_but_no_solution_material(student_site):
    _check_figures(student_site, "student")
    page = (student_site / "dis01" / "index.html").read_text(encoding="utf-8")
    sheet = _sheet(student_site)
    for fig in sheet.figures.values():
        if fig.student:  # the student rendering stands where the solution figure stands
            figure_block(page, fig.student)
    assert page.count("About the figures below") == 2
    assert "What the build computed" not in page and "What the worksheet's figures show" not in page


@pytest.mark.parametrize("name, experiment", [("const_anim", "const_gd"), ("lin_anim", "lin_gd")])
def test_animations_are_valid_gifs_with_one_frame_per_step(solutions_site, name, experiment):
    p, _ = _results(solutions_site, experiment)
    gif = solutions_site / "dis01" / "figures" / f"{name}.gif"
    assert gif.stat().st_size <= MAX_GIF_BYTES
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] == p.steps + 1
    assert not np.array_equal(frames[0], frames[-1]), "the animation never moves"
    still = iio.imread(gif.with_suffix(".png"))[..., :3]
    assert still.shape == frames[-1][..., :3].shape
    # the print/reduced-motion PNG is the last frame, exactly
    assert np.array_equal(still, frames[-1][..., :3])


def test_regimes_figure_draws_without_a_divergent_run(tmp_path):
    """The bound line and X appear only when a run diverges; without one the figure
    still draws (the step sizes are the staff's choice)."""
    res = gd_experiments.constant_model(gd_experiments.ConstantModel(step_sizes=(0.1, 0.5), steps=8, sgd_runs=2))
    assert (res["diverged_at"] < 0).all()
    gd_figures.gd_regimes(res, tmp_path / "a")
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "divergence bound" not in svg


# --------------------------------------------------------------- partial rebuilds


def _progress(stdout: str, stage: str) -> tuple[int, int]:
    match = re.search(rf"^{stage}: (\d+) run, (\d+) cached", stdout, re.M)
    assert match, stdout
    return int(match.group(1)), int(match.group(2))


def _clone_cache(dest: Path) -> Path:
    """A private copy of the shared cache (hard links where possible: entries are never
    written in place), so the changed experiment lands nowhere other tests look."""

    def link_or_copy(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    for kind in ("results", "figures"):
        if (CACHE / kind).is_dir():
            shutil.copytree(CACHE / kind, dest / kind, copy_function=link_or_copy)
    if (CACHE / "mplconfig").is_dir():  # matplotlib rewrites its font list in place: copy it
        shutil.copytree(CACHE / "mplconfig", dest / "mplconfig")
    return dest


@pytest.mark.slow  # reruns an experiment and redraws its figures
def test_changing_one_step_size_rebuilds_only_that_model(tmp_path):
    root = make_checkout(tmp_path / "checkout")
    first = run_cli(root, "site", "--edition", "solutions", quiet=False)
    assert first.returncode == 0, first.stderr
    figures_dir = root / "site" / "dis01" / "figures"
    before = {p.name: p.read_bytes() for p in sorted(figures_dir.iterdir())}

    toml = root / "content" / "dis01" / "section1.toml"
    text = toml.read_text(encoding="utf-8")
    start = text.index("[experiments.lin_gd]")
    edited = text[start:].replace("step_fractions = [0.1, 0.5, 0.8, 1.2]", "step_fractions = [0.1, 0.5, 0.7, 1.2]", 1)
    toml.write_text(text[:start] + edited, encoding="utf-8")
    sheets = [load_sheet(d, root) for d in sorted((root / "content").iterdir()) if d.is_dir()]
    (lin,) = [s.experiments["lin_gd"] for s in sheets if "lin_gd" in s.experiments]
    assert lin.params.step_fractions == (0.1, 0.5, 0.7, 1.2)

    second = run_cli(root, "site", "--edition", "solutions", cache=_clone_cache(tmp_path / "cache"), quiet=False)
    assert second.returncode == 0, second.stderr
    n_experiments = sum(len(s.experiments) for s in sheets)
    figures = [f for s in sheets for f in s.figures.values()]
    lin_figures = sorted(f.name for f in figures if f.experiments == ("lin_gd",))
    assert _progress(second.stdout, "experiments") == (1, n_experiments - 1)
    assert _progress(second.stdout, "figures") == (len(lin_figures), len(figures) - len(lin_figures))

    after = {p.name: p.read_bytes() for p in sorted(figures_dir.iterdir())}
    assert after.keys() == before.keys()
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed and all(name.startswith(tuple(lin_figures)) for name in changed), changed
    assert "lin_regimes.svg" in changed
