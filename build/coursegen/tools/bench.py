"""``make bench``: the speed figures, as one JSON line on stdout.

- Training: the Section 2 sweep (every ``relu_sgd`` experiment) on a 2-process pool
  whose workers compiled the kernel first: ``sweep_seconds`` (wall) and
  ``us_per_network_step`` (worker CPU time per network per SGD step).
- Rebuilds, measured as staff meet them, as whole ``coursegen site`` runs in a scratch
  copy of the course sharing this checkout's cache: nothing changed, prose edited, one
  step size changed (``*_rebuild_s``, wall, MkDocs included).
- Rendering: every animation drawn and encoded again, ``ms_per_frame`` over all their
  frames (``ms_per_frame_worst``: the slowest animation), ``largest_gif_bytes``.
  ``naive_ms_per_frame``: the width-20 ReLU picture drawn as a notebook would
  (course.naive), in the same run; ``naive_ratio`` = naive / ours.
- Page weight of the worksheet, as sent and uncompressed (``first_load_bytes``,
  ``total_bytes``, ``*_raw_bytes``), and with every player loaded at 390 px: JS heap,
  renderer memory, jump time (``js_heap_mb``, ``renderer_rss_mb``, ``jump_ms``,
  ``jump_ms_worst``); coursegen.tools.weight.
- Cold builds: ``coursegen site`` from an empty cache and ``coursegen check``
  (``cold_site_s``, ``cold_check_s``, wall).
- The companion notebook of each worksheet executed headless as the site ships it
  (nbclient, a local kernel; ``notebook_s``: the slowest worksheet's, wall), its size
  (``notebook_code_chars``) and whether each printed its page's numbers
  (``notebooks_agree_with_pages``).
"""

import dataclasses
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from coursegen.commands import build as commands
from coursegen.course import copy_course
from coursegen.stages import cache, pipeline, registry, results
from coursegen.tools.weight import page_weight, player_costs


def _cli(course: Path, cache_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "coursegen", "--root", str(course), "--cache", str(cache_dir), "-q", *args]


def _site_seconds(paths, course: Path, cache_dir: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(_cli(course, cache_dir or paths.cache, "site", "--jobs", "2"), check=True)
    return round(time.perf_counter() - start, 2)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"bench: {path} no longer contains {old!r}; update bench.py")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rebuild_times(paths, course: Path) -> dict:
    _site_seconds(paths, course)  # warm: whatever is not cached yet
    noop = _site_seconds(paths, course)
    _edit(course / "content/dis01/index.md", "## Contributors", "A sentence staff just added.\n\n## Contributors")
    prose = _site_seconds(paths, course)
    _edit(course / "content/dis01/section1.toml", "theta0 = -1.0", "theta0 = -1.25")
    param = _site_seconds(paths, course)
    return {"noop_rebuild_s": noop, "prose_edit_rebuild_s": prose, "one_param_rebuild_s": param}


def animations(paths, site_dir: Path) -> dict:
    """Draw and encode every animation again from cached results, timing each frame;
    then the width-20 all-layers picture drawn the naive way (course.naive), timed in
    the same run. ``ms_per_frame`` counts the time of both renderings (light and dark)
    against the frames of one."""
    from course.naive import naive_seconds_per_frame  # Discussion 1's: this bench measures that course

    store = cache.Store(paths.cache)
    code = registry.Code.of(registry.kinds())
    seconds, frames, worst, naive = 0.0, 0, 0.0, None
    for sheet in commands.discover(paths.content, paths.root):
        for fig in sheet.figures.values():
            inputs = [store.get("results", pipeline.experiment_key(sheet.experiments[n])) for n in fig.experiments]
            npzs = [entry.paths["results.npz"].read_bytes() for entry in inputs]
            files, took = pipeline._render_figure(code, fig.kind, fig.options, npzs, fig.many)
            if "figure.gif" not in files:
                continue
            n = len(json.loads(files["figure.json"])["labels"])
            seconds, frames, worst = seconds + took, frames + n, max(worst, took / n)
            if fig.kind == "relu_animation" and naive is None and _width(npzs[0]) == NAIVE_WIDTH:
                naive = naive_seconds_per_frame(results.Lazy(npzs[0]))
    ms = seconds / frames * 1e3
    return {
        "ms_per_frame": round(ms, 2),
        "ms_per_frame_worst": round(worst * 1e3, 2),
        "naive_ms_per_frame": round(naive * 1e3, 2),
        "naive_ratio": round(naive * 1e3 / ms, 1),
        "largest_gif_bytes": max(p.stat().st_size for p in site_dir.rglob("*.gif")),
    }


NAIVE_WIDTH = 20  # the comparison: width 20, 81 frames, 640 x 360


def _width(npz: Path) -> int:
    return int(results.Lazy(npz)["W1"].shape[-1])


def cold_build(paths, scratch: Path) -> dict:
    """``coursegen site`` and ``coursegen check`` from an empty cache (wall seconds), in
    a fresh copy of the course (the rebuild timings edited theirs)."""
    course = copy_course(paths.root, scratch / "cold")
    shutil.copy2(paths.manifest, course / "manifest.json")
    site_s = _site_seconds(paths, course, cache_dir=scratch / "cold-cache")
    start = time.perf_counter()
    checked = subprocess.run(
        _cli(course, paths.cache, "check", "--jobs", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return {
        "cold_site_s": site_s,
        "cold_check_s": round(time.perf_counter() - start, 2),
        "cold_check_matches": checked.returncode == 0,
    }


def notebook_times(site_dir: Path) -> dict:
    """Wall seconds to execute each worksheet's notebook as the site ships it (the
    slowest worksheet's, ``notebook_s``), its characters of code (``notebook_code_chars``,
    the largest), and whether every run printed its page's numbers
    (``notebooks_agree_with_pages``: the tests run Section 2 on fewer steps only)."""
    import nbclient
    import nbformat

    times = {"notebook_s": 0.0, "notebook_code_chars": 0, "notebooks_agree_with_pages": True}
    for path in sorted(site_dir.glob("*/*.ipynb")):
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        code = sum(len(c.source) + 1 for c in nb.cells if c.cell_type == "code")
        times["notebook_code_chars"] = max(times["notebook_code_chars"], code)
        start = time.perf_counter()
        nbclient.NotebookClient(nb, kernel_name="python3", timeout=600).execute()
        times["notebook_s"] = max(times["notebook_s"], round(time.perf_counter() - start, 1))
        printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        times["notebooks_agree_with_pages"] &= re.search(r"All \d+ values agree with the page\.", printed) is not None
    return times


def sweep(paths, jobs: int = 2) -> dict:
    """The Section 2 training sweep (every relu_sgd experiment), not from the cache."""
    sheets = commands.discover(paths.content, paths.root)
    sweep_exps = [e for s in sheets for e in s.experiments.values() if e.kind == "relu_sgd"]
    with ProcessPoolExecutor(jobs, initializer=_compile) as pool:
        list(pool.map(_noop, range(jobs)))  # every worker has compiled before the clock starts
        start = time.perf_counter()
        work = list(pool.map(_train, sweep_exps))
        wall = time.perf_counter() - start
    network_steps = sum(len(e.params.seeds) * e.params.steps for e in sweep_exps)
    return {
        "sweep_seconds": round(wall, 2),
        "us_per_network_step": round(sum(work) / network_steps * 1e6, 3),
        "sweep_network_steps": network_steps,
    }


def _compile() -> None:
    from course.experiments import relu

    relu.relu_sgd(relu.ReluSGD(seeds=(0,), steps=10, n_snapshots=2))


def _noop(_) -> None:
    time.sleep(0.2)


def _train(exp) -> float:
    """CPU seconds of one experiment (immune to what else the machine is doing)."""
    start = time.process_time()
    pipeline._run_experiment(registry.Code.of(registry.kinds()), exp.kind, dataclasses.asdict(exp.params))
    return time.process_time() - start


def main(paths, args, log) -> int:
    figures = sweep(paths)
    log(f"bench: training sweep {figures['sweep_seconds']} s")
    with tempfile.TemporaryDirectory(prefix="coursegen-bench-") as tmp:
        course = copy_course(paths.root, Path(tmp) / "course")
        figures.update(rebuild_times(paths, course))
        log("bench: rebuilds timed")
        figures.update(animations(paths, course / "site"))
        log("bench: animations timed")
        figures.update(page_weight(course / "site"))
        figures.update(player_costs(course / "site"))
        log("bench: page weight and player memory measured")
        figures.update(cold_build(paths, Path(tmp)))
        log("bench: cold site and check timed")
        figures.update(notebook_times(course / "site"))
        log("bench: notebooks executed")
    print(json.dumps(figures, sort_keys=True))
    return 0
