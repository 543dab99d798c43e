"""``make bench``: the speed figures, as one JSON line on stdout.

Rebuild times are measured the way staff meet them, as whole ``coursegen site`` runs
in a scratch copy of the course that shares this checkout's cache: nothing changed,
prose edited, one step size changed. Training speed is the Section 2 sweep run from an
empty cache; rendering speed is one Section 2 animation drawn and encoded.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from coursegen import commands, pipeline

SOURCES = ("content", "templates", "site_src/assets/css", "site_src/assets/js", "site_src/overrides", "mkdocs.yml")


def copy_course(root: Path, dest: Path) -> Path:
    """The course's sources (not the code, not the outputs): what a scratch build needs."""
    for rel in SOURCES:
        src = root / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel)
        elif src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


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


def rebuild_times(paths) -> dict:
    with tempfile.TemporaryDirectory(prefix="coursegen-bench-") as tmp:
        course = copy_course(paths.root, Path(tmp) / "course")
        _site_seconds(paths, course)  # warm: whatever is not cached yet
        noop = _site_seconds(paths, course)
        _edit(course / "content/dis01/index.md", "## Contributors", "A sentence staff just added.\n\n## Contributors")
        prose = _site_seconds(paths, course)
        _edit(course / "content/dis01/section1.toml", "theta0 = -1.0", "theta0 = -1.25")
        param = _site_seconds(paths, course)
    return {"noop_rebuild_s": noop, "prose_edit_rebuild_s": prose, "one_param_rebuild_s": param}


def sweep(paths, jobs: int = 2) -> dict:
    """The Section 2 training sweep (every relu_sgd experiment) from an empty cache."""
    sheets = commands.discover(paths.content, paths.root)
    sweep_exps = [e for s in sheets for e in s.experiments.values() if e.kind == "relu_sgd"]
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        work = list(pool.map(_train, sweep_exps))
    wall = time.perf_counter() - start
    network_steps = sum(len(e.params.seeds) * e.params.steps for e in sweep_exps)
    return {
        "sweep_seconds": round(wall, 2),
        "us_per_network_step": round(sum(work) / network_steps * 1e6, 3),
        "sweep_network_steps": network_steps,
    }


def _train(exp) -> float:
    start = time.perf_counter()
    pipeline._run_experiment(exp.kind, exp.params)
    return time.perf_counter() - start


def main(paths, args, log) -> int:
    figures = {}
    figures.update(sweep(paths))
    log(f"bench: sweep {figures['sweep_seconds']} s")
    figures.update(rebuild_times(paths))
    print(json.dumps(figures, sort_keys=True))
    return 0
