"""``make bench``: the speed figures, as one JSON line on stdout.

- Training: the Section 2 sweep (every ``relu_sgd`` experiment) on a 2-process pool
  whose workers compiled the kernel first: ``sweep_seconds`` (wall) and
  ``us_per_network_step`` (worker CPU time per network per SGD step).
- Rebuilds, measured as staff meet them, as whole ``coursegen site`` runs in a scratch
  copy of the course sharing this checkout's cache: nothing changed, prose edited, one
  step size changed (``*_rebuild_s``, wall, MkDocs included).
- Rendering: every animation drawn and encoded again, ``ms_per_frame`` over all their
  frames (``ms_per_frame_worst``: the slowest animation), ``largest_gif_bytes``.
- Page weight of the worksheet (``first_load_bytes``, ``total_bytes``), in Chromium.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from coursegen import cache, commands, pipeline
from coursegen.course import copy_course
from coursegen.experiments import relu
from coursegen.weight import page_weight


def _site_seconds(paths, course: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    cmd = [sys.executable, "-m", "coursegen", "--root", str(course), "--cache", str(paths.cache), "-q",
           "site", "--jobs", "2"]
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True)
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
    """Draw and encode every animation again from cached results, timing each frame."""
    store = cache.Store(paths.cache)
    seconds, frames, worst = 0.0, 0, 0.0
    for sheet in commands.discover(paths.content, paths.root):
        for fig in sheet.figures.values():
            inputs = [store.get("results", pipeline.experiment_key(sheet.experiments[n])) for n in fig.experiments]
            npzs = [entry.paths["results.npz"].read_bytes() for entry in inputs]
            files, took = pipeline._render_figure(fig.kind, fig.options, npzs, fig.many)
            if "figure.gif" not in files:
                continue
            n = len(json.loads(files["figure.json"])["labels"])
            seconds, frames, worst = seconds + took, frames + n, max(worst, took / n)
    return {
        "ms_per_frame": round(seconds / frames * 1e3, 2),
        "ms_per_frame_worst": round(worst * 1e3, 2),
        "largest_gif_bytes": max(p.stat().st_size for p in site_dir.rglob("*.gif")),
    }


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
    relu.relu_sgd(relu.ReluSGD(seeds=(0,), steps=10, n_snapshots=2))


def _noop(_) -> None:
    time.sleep(0.2)


def _train(exp) -> float:
    """CPU seconds of one experiment (immune to what else the machine is doing)."""
    start = time.process_time()
    pipeline._run_experiment(exp.kind, exp.params)
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
    print(json.dumps(figures, sort_keys=True))
    return 0
