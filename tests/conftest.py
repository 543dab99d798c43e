"""Shared helpers: scratch checkouts of the course sources and a CLI runner.

Tests never build into the real checkout: each copies the sources it needs into a
temporary folder and runs ``coursegen --root <copy>`` (``run_cli``). They share the real
cache folder (entries are content-addressed, so sharing is safe) to avoid retraining.
"""

import io
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from filelock import FileLock

from coursegen import errors
from coursegen.course import copy_course
from coursegen.stages import registry

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "coursegen"
registry.load(REPO)  # the course's code, as coursegen imports it: the package `course`


def make_checkout(dest: Path, link_code: bool = True) -> Path:
    """A copy of the course's sources to build from (its code folder a link to this
    one's unless ``link_code`` is false: ``coursegen.course.copy_course``)."""
    return copy_course(REPO, dest, link_code)


def run_cli(
    root: Path,
    *args: str,
    cache: Path | None = CACHE,
    env: dict | None = None,
    quiet: bool = True,
    own_process: bool = False,
) -> subprocess.CompletedProcess:
    """``coursegen --root root ARGS`` (``quiet=False`` keeps the progress lines), with its
    exit code and output as a process would give them.

    It runs in this process, through the same ``cli.main`` as the command: a new Python
    spends a second importing numpy, matplotlib, numba and MkDocs before it does
    anything, and most tests build many times. A build with a process pool (``--jobs``
    above 1) runs in a process of its own: its pool is forked, and the tests' process
    has threads. So does one with ``own_process``: everything a first run leaves in the
    cache, matplotlib's font list included, is then there.
    """
    argv = ["--root", str(root), *(["-q"] if quiet else [])]
    if cache is not None:
        argv += ["--cache", str(cache)]
    argv += args
    with environment({**(env or {}), **({} if quiet else {"CI": None})}):  # progress lines are off under CI
        if own_process or _pooled(argv):
            cmd = [sys.executable, "-m", "coursegen", *argv]
            return subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ), timeout=900)
        return _in_process(argv)


@contextmanager
def environment(changes: dict):
    """``os.environ`` with ``changes`` (a value of None: unset) inside the block only."""
    saved = dict(os.environ)
    for name, value in changes.items():
        os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _pooled(argv: list[str]) -> bool:
    """Whether the command would start a process pool or a Dask client, as the CLI's own
    parser reads ``argv`` and the environment (``JOBS``, ``COURSEGEN_DASK``)."""
    from coursegen import cli

    try:
        with redirect_stderr(io.StringIO()):
            args = cli._parser().parse_args(argv)
    except SystemExit:  # a usage error: the command itself prints it and stops
        return False
    return getattr(args, "jobs", 1) > 1 or bool(getattr(args, "dask", None))


def _in_process(argv: list[str]) -> subprocess.CompletedProcess:
    """``cli.main(argv)``, its standard output and error captured and its exit status returned."""
    from coursegen import cli

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as e:  # argparse's usage errors
            code = e.code if isinstance(e.code, int) else 1
    return subprocess.CompletedProcess(["coursegen", *argv], code, out.getvalue(), err.getvalue())


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


def shared_site(tmp_path_factory, edition: str, engine: str = "mkdocs") -> Path:
    """One build of ``edition`` by ``engine`` for the whole run (``shared_folder``)."""

    def build(root: Path) -> None:
        make_checkout(root)
        result = run_cli(root, "site", "--edition", edition, "--engine", engine, "--jobs", "2")
        assert result.returncode == 0, result.stderr

    folder = f"shared-{edition}" if engine == "mkdocs" else f"shared-{engine}-{edition}"
    return shared_folder(tmp_path_factory, folder, build) / "site"


@pytest.fixture(scope="session")
def solutions_site(tmp_path_factory) -> Path:
    """The solutions edition, built once for every test that reads it."""
    return shared_site(tmp_path_factory, "solutions")


@pytest.fixture(scope="session")
def student_site(tmp_path_factory) -> Path:
    return shared_site(tmp_path_factory, "student")


@pytest.fixture(autouse=True)
def _this_course_loaded():
    """Each test starts with this course's code loaded (a test that built another course,
    in this process, leaves that one's), and shows paths from this course's root; and
    ends with it loaded again, since a module's fixtures are made before a test's own
    (numba, reading its cache, imports the kernel's module by name)."""
    registry.load(REPO)
    errors.ROOT = REPO
    yield
    registry.load(REPO)
    errors.ROOT = REPO


HEAVY = ("browser", "faults", "slow")


def pytest_collection_modifyitems(items):
    """Every test that drives Chromium, or reads what it saw, is a ``browser`` test
    (``make test-fast`` skips them). The heavy tests (browser, faults, slow) run first:
    pytest-xdist hands tests out in this order, and a long one handed out last keeps
    one worker busy while the others have finished (18 s of a 3.5 min run)."""
    for item in items:
        if {"chromium", "visits"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in HEAVY))


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
alt = "Two horizontal lines moving towards the centre of the data."
"""


def make_mini_checkout(dest: Path, link_code: bool = True) -> Path:
    """A one-page, one-experiment course (seconds to build from nothing), for tests of
    the pipeline's mechanics rather than of the course."""
    make_checkout(dest, link_code)
    shutil.rmtree(dest / "content")
    (dest / "content" / "mini").mkdir(parents=True)
    (dest / "content" / "index.md").write_text("# Mini course\n\n{{ worksheet_list() }}\n")
    (dest / "content" / "mini" / "index.md").write_text(MINI_PAGE)
    (dest / "content" / "mini" / "params.toml").write_text(MINI_PARAMS)
    return dest


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc (no procps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}  # a fixed build clock, for tests that build in their own folders


@pytest.fixture(scope="module")
def mini_built_once(tmp_path_factory):
    """A mini course with its site built as `coursegen site` builds it (in a process of
    its own; private cache, so nothing shared is touched), once per test module."""
    root = make_mini_checkout(tmp_path_factory.mktemp("built") / "course")
    result = run_cli(root, "site", cache=None, env=EPOCH, own_process=True)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def mini_built(mini_built_once, tmp_path):
    """A test's own copy of the built mini course."""
    root = tmp_path / "course"
    shutil.copytree(mini_built_once, root, symlinks=True)
    return root


def one_line_error(result) -> str:
    """A failed command's one line of output (``error: ...``), no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr, result.stderr
    return lines[0]
