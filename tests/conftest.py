"""Shared helpers: scratch checkouts of the course sources and a CLI runner.

Tests never build into the real checkout: each copies the sources it needs into a
temporary folder and runs ``python -m coursegen --root <copy>``. They share the real
cache folder (entries are content-addressed, so sharing is safe) to avoid retraining.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from coursegen.course import copy_course

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "coursegen"


def make_checkout(dest: Path) -> Path:
    """A copy of the course sources (not the code) to build from."""
    return copy_course(REPO, dest)


def run_cli(
    root: Path, *args: str, cache: Path | None = CACHE, env: dict | None = None, quiet: bool = True
) -> subprocess.CompletedProcess:
    """``python -m coursegen --root root ARGS``; ``quiet=False`` keeps the progress lines."""
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), *(["-q"] if quiet else [])]
    if cache is not None:
        cmd += ["--cache", str(cache)]
    full_env = {**os.environ, **(env or {})}
    if not quiet:
        full_env.pop("CI", None)
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=full_env, timeout=900)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def shared_folder(tmp_path_factory, name: str, make) -> Path:
    """A folder made once for the whole run, also across pytest-xdist's workers: the
    first worker to ask runs ``make(folder)`` (under a lock) in their common temporary
    folder; the others wait for it and reuse the result."""
    common = (
        tmp_path_factory.getbasetemp().parent
        if os.environ.get("PYTEST_XDIST_WORKER")
        else (tmp_path_factory.getbasetemp())
    )
    folder, done = common / name, common / f"{name}.done"
    with FileLock(common / f"{name}.lock"):
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            done.touch()
    return folder


def shared_site(tmp_path_factory, edition: str) -> Path:
    """One build of ``edition`` for the whole run (``shared_folder``)."""

    def build(root: Path) -> None:
        make_checkout(root)
        result = run_cli(root, "site", "--edition", edition, "--jobs", "2")
        assert result.returncode == 0, result.stderr

    return shared_folder(tmp_path_factory, f"shared-{edition}", build) / "site"


@pytest.fixture(scope="session")
def solutions_site(tmp_path_factory) -> Path:
    """The solutions edition, built once for every test that reads it."""
    return shared_site(tmp_path_factory, "solutions")


@pytest.fixture(scope="session")
def student_site(tmp_path_factory) -> Path:
    return shared_site(tmp_path_factory, "student")


def pytest_collection_modifyitems(items):
    """Every test that drives Chromium is a ``browser`` test (``make test-fast`` skips them)."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


MINI_PAGE = """---
number: 1
title: "Mini"
date: 2022-09-09
summary: "One experiment, one figure."
solutions: now
---

# Mini worksheet

{{ question("q1", "(a) A constant model") }}

The optimum is $\\theta^* = {{ results.const.theta_star | num(6) }}$.

{{ figure("anim") }}

{% call solution() %}
The mean of the data.
{% endcall %}
"""

MINI_PARAMS = """[experiments.const]
kind = "gd_constant"
steps = 12
sgd_runs = 3

[figures.anim]
kind = "gd_animation"
experiment = "const"
role = "question"
why = "It shows the descent, no answer."
caption = "GD and SGD on the constant model."
alt = "Two horizontal lines moving towards the mean of the data."
"""


def make_mini_checkout(dest: Path) -> Path:
    """A one-page, one-experiment course (seconds to build from nothing), for tests of
    the pipeline's mechanics rather than of the course."""
    make_checkout(dest)
    shutil.rmtree(dest / "content")
    (dest / "content" / "mini").mkdir(parents=True)
    (dest / "content" / "index.md").write_text("# Mini course\n\n{{ worksheet_list() }}\n")
    (dest / "content" / "mini" / "index.md").write_text(MINI_PAGE)
    (dest / "content" / "mini" / "params.toml").write_text(MINI_PARAMS)
    return dest
