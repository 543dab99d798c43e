"""``make bench`` measures whichever course it runs in: Discussion 1 and a course fresh
from ``coursegen init``. Its edits are checked against tomllib's reading of the files
before and after (exactly one experiment parameter changed, by the stated amount), and
what a course has nothing to measure for is named under ``skipped``, not failed on."""

import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from coursegen.commands import init
from coursegen.course import Course
from coursegen.stages import registry
from coursegen.tools import bench

from conftest import REPO, make_checkout, run_cli


def new_course(folder: Path) -> Path:
    assert init.init(folder, lambda line: None) == 0
    return folder


def params_of(root: Path) -> dict[str, dict]:
    return {p.relative_to(root).as_posix(): tomllib.loads(p.read_text()) for p in sorted(root.glob("content/*/*.toml"))}


@pytest.mark.parametrize("course", ["this", "new"])
def test_the_rebuild_edits_are_one_sentence_and_one_parameter_of_the_first_worksheet(tmp_path, course):
    root = make_checkout(tmp_path / "c") if course == "this" else new_course(tmp_path / "c")
    registry.load(root)  # as the bench runs: in the course it measures
    pages = {p: p.read_text() for p in root.glob("content/*/index.md")}
    before = params_of(root)

    said = bench.prose_edit(root)
    changed = [p for p, text in pages.items() if p.read_text() != text]
    assert len(changed) == 1 and changed[0].read_text().startswith(pages[changed[0]])
    assert changed[0].read_text().rstrip().endswith("A sentence staff just added.")
    assert said.startswith(changed[0].relative_to(root).as_posix())

    said = bench.param_edit(root)
    after = params_of(root)
    diffs = [
        (file, name, key, table[key], after[file]["experiments"][name][key])
        for file in before
        for name, table in before[file].get("experiments", {}).items()
        for key in table
        if after[file]["experiments"][name][key] != table[key]
    ]
    assert len(diffs) == 1, diffs
    file, name, key, old, new = diffs[0]
    assert new == (old * 1.25 if isinstance(old, float) else old + 1)
    assert {f: t.get("figures") for f, t in after.items()} == {f: t.get("figures") for f, t in before.items()}
    assert said == f"{file}: experiments.{name}.{key} {old} -> {new}"
    if course == "this":
        assert (file, name, key, old) == ("content/dis01/section1.toml", "const_gd", "theta0", -1.0)


def test_a_course_without_networks_or_a_naive_drawing_is_measured_for_what_it_has(tmp_path):
    root = new_course(tmp_path / "c")
    assert run_cli(root, "site", cache=tmp_path / "cache").returncode == 0
    paths = Course(root, tmp_path / "cache")
    paths.activate()
    try:
        swept = bench.sweep(paths)
        drawn = bench.animations(paths, root / "site")
    finally:
        registry.load(REPO)
    assert list(swept) == ["skipped"] and list(swept["skipped"]) == ["sweep_seconds"]
    assert drawn["ms_per_frame"] > 0 and drawn["largest_gif_bytes"] > 0
    assert "naive_ms_per_frame" not in drawn and drawn["skipped"] == {"naive_ms_per_frame": "no course/naive.py"}


def test_this_courses_naive_drawing_picks_exactly_one_figure():
    """Discussion 1's naive comparison is the width-20 ReLU animation, found by the course's
    own ``course/naive.py``, not by a name in the generator."""
    from course import naive

    assert not hasattr(bench, "NAIVE_WIDTH")
    assert "relu" not in Path(bench.__file__).read_text().replace("``relu_sgd``", "")
    assert naive.compares("relu_animation", {"W1": np.zeros((3, 5, 20))})
    assert not naive.compares("relu_animation", {"W1": np.zeros((3, 5, 10))})


def test_the_naive_drawing_has_the_pixels_of_the_frames_it_is_compared_with(solutions_site, tmp_path):
    """Like with like: the notebook-way GIF (on a short run) is as many pixels as the
    build's width-20 player frames, both as Pillow reads them."""
    from PIL import Image

    from course import naive
    from course.experiments import relu

    res = relu.relu_sgd(relu.ReluSGD(width=naive.WIDTH, steps=10, n_snapshots=2, seeds=(0,)))
    assert naive.naive_relu_animation(res, tmp_path / "naive.gif") == 2
    compared = [
        gif for gif in sorted(solutions_site.rglob("*_anim.gif")) if gif.stem.startswith(f"relu_w{naive.WIDTH}_")
    ]
    assert compared
    for gif in compared:
        with Image.open(gif) as built, Image.open(tmp_path / "naive.gif") as drawn:
            assert drawn.size == built.size, gif.name


@pytest.mark.timeout(120)
def test_the_sweep_times_every_network_experiment_and_each_summarys_runs(monkeypatch):
    """``sweep`` trains each experiment with seeds and steps (here shrunk to two seeds of
    40 steps) and reports each one's CPU seconds under its worksheet and name, then the
    wall time of the runs each summary compares (the notebook's sweep is one)."""
    import dataclasses

    discover = bench.commands.discover

    def shrunk(*args):
        sheets = discover(*args)
        for sheet in sheets:
            for name, exp in sheet.experiments.items():
                if bench._networks(exp.params):
                    params = dataclasses.replace(exp.params, seeds=exp.params.seeds[:2], steps=40)
                    sheet.experiments[name] = dataclasses.replace(exp, params=params)
        return sheets

    monkeypatch.setattr(bench.commands, "discover", shrunk)
    paths = Course(REPO, REPO / ".cache" / "coursegen")
    paths.activate()
    swept = bench.sweep(paths)
    trained = {
        f"{s['sheet']}/{name}"
        for path in sorted((REPO / "content").glob("*/*.toml"))
        for s in [{"sheet": path.parent.name, **tomllib.loads(path.read_text())}]
        for name, exp in s.get("experiments", {}).items()
        if exp["kind"] in ("relu_sgd", "relu_optimizers")
    }
    assert set(swept["sweep_cpu_s"]) == trained
    assert all(seconds >= 0 for seconds in swept["sweep_cpu_s"].values())
    assert swept["sweep_network_steps"] == 2 * 40 * len(trained)
    compared = {  # the summaries whose runs all train networks, each timed alone
        f"{s['sheet']}/{name}"
        for path in sorted((REPO / "content").glob("*/*.toml"))
        for s in [{"sheet": path.parent.name, **tomllib.loads(path.read_text())}]
        for name, summary in s.get("summaries", {}).items()
        if {f"{s['sheet']}/{e}" for e in summary["experiments"]} <= trained
    }
    assert "dis01/relu_sweep" in compared  # the notebook's 180 networks
    assert set(swept["sweep_seconds_by_summary"]) == compared
    assert all(seconds > 0 for seconds in swept["sweep_seconds_by_summary"].values())


@pytest.mark.parametrize("notebook", [False, True])
def test_the_notebook_timing_is_skipped_without_a_notebook_or_without_nbclient(tmp_path, monkeypatch, notebook):
    """A course set up from requirements.lock has no nbclient (a tool of the tests): the
    notebook is then named under ``skipped`` with what to install, as a course with no
    notebook is, and the rest of the bench stands."""
    monkeypatch.setitem(sys.modules, "nbclient", None)  # import nbclient: ImportError
    if notebook:
        (tmp_path / "week01").mkdir()
        (tmp_path / "week01" / "week01.ipynb").write_text("{}", encoding="utf-8")
    times = bench.notebook_times(tmp_path)
    assert list(times) == ["skipped"] and list(times["skipped"]) == ["notebook_s"]
    assert ("nbclient" in times["skipped"]["notebook_s"]) == notebook


@pytest.mark.timeout(60)
def test_a_kernel_that_does_not_start_skips_the_notebook_timing(tmp_path, monkeypatch):
    """A python3 kernel spec left behind by a removed interpreter: named under ``skipped``."""
    import json

    import nbformat

    kernel = tmp_path / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = {
        "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps({**spec, "display_name": "Python 3"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    (tmp_path / "site" / "week01").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    (tmp_path / "site" / "week01" / "week01.ipynb").write_text(nbformat.writes(notebook))
    times = bench.notebook_times(tmp_path / "site")
    assert list(times) == ["skipped"] and "kernel did not run" in times["skipped"]["notebook_s"], times
