"""Nothing the course's code does ends a build quietly: an exit, an interrupt, a dead
worker or a hung unit fails ``site`` and ``check`` with one line naming the unit and its
file, a non-zero status and the previous ``site/`` as it was."""

import shutil
import sys

import pytest

from conftest import make_mini_checkout, run_cli, tree_bytes

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

# Statements put at the top of the figure function (course/figures/gd.py: gd_animation).
STOPS = {
    "exit0": "import sys; sys.exit(0)",
    "exit_none": "raise SystemExit",
    "interrupt": "raise KeyboardInterrupt",
    "os_exit": "import os; os._exit(0)",
}
FIGURE_LINE = '''    """GD and one SGD run side by side'''


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """The mini course with its own code, built and locked once (a previous site/ to
    keep, a manifest to check against)."""
    root = make_mini_checkout(tmp_path_factory.mktemp("built") / "course", link_code=False)
    for command in ("site", "lock-figures"):
        built = run_cli(root, command, cache=root / ".cache" / "coursegen")
        assert built.returncode == 0, built.stderr
    return root


def _course_whose_figure(built_once, tmp_path, statement: str):
    root = tmp_path / "course"
    shutil.copytree(built_once, root, symlinks=True)
    figure = root / "course" / "figures" / "gd.py"
    text = figure.read_text()
    head, sep, rest = text.partition("def gd_animation(")
    signature, colon, body = rest.partition(":\n")
    figure.write_text(f"{head}{sep}{signature}{colon}\n    {statement}\n{body}")
    line = figure.read_text()[: figure.read_text().index(statement)].count("\n") + 1
    return root, line


@pytest.mark.parametrize(
    ("stop", "jobs"),
    [
        ("exit0", "1"),
        ("interrupt", "1"),
        ("os_exit", "1"),
        ("exit0", "2"),
        ("exit_none", "2"),
        ("interrupt", "2"),
        ("os_exit", "2"),
    ],
)
def test_a_unit_that_stops_fails_the_build_naming_it(built_once, tmp_path, stop, jobs):
    """``--jobs 1`` runs the unit in the build's own process (where ``os._exit`` would
    end the build with status 0), ``--jobs 2`` in a pool worker. ``site`` each time, and
    ``check`` too for the exits that ended it quietly before."""
    root, line = _course_whose_figure(built_once, tmp_path, STOPS[stop])
    before = tree_bytes(root / "site")
    for command in ("site", "check") if stop in ("exit0", "os_exit") else ("site",):
        result = run_cli(root, command, "--jobs", jobs, cache=root / ".cache" / "coursegen", own_process=True)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        (message,) = result.stderr.strip().splitlines()
        assert message.startswith("error: content/mini/params.toml: figure 'anim' (gd_animation)"), message
        assert f"course/figures/gd.py, line {line}" in message, message
        assert "match" not in result.stdout and "built" not in result.stdout
    assert tree_bytes(root / "site") == before


@pytest.mark.parametrize("stop", ["sys.exit(0)", "os._exit(0)"])
def test_an_exit_at_import_fails_the_build(tmp_path, stop):
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    figure = root / "course" / "figures" / "gd.py"
    figure.write_text(f"import os, sys\n{stop}\n" + figure.read_text())
    for command in ("site", "check", "lock-figures"):
        result = run_cli(root, command, cache=tmp_path / "c", own_process=True)
        assert result.returncode == 1, (command, result.stderr)
        (message,) = result.stderr.strip().splitlines()
        assert "course/figures/gd.py, line 2" in message and "stopped the build while it loaded" in message
    assert not (root / "manifest.json").exists() and not (root / "site").exists()


def test_a_hang_while_the_code_loads_passes_the_time_limit(tmp_path):
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    figure = root / "course" / "figures" / "gd.py"
    figure.write_text("import time\ntime.sleep(600)\n" + figure.read_text())
    result = run_cli(root, "site", "--unit-timeout", "2", cache=tmp_path / "c", own_process=True)
    assert result.returncode == 1
    (message,) = result.stderr.strip().splitlines()
    assert "importing the course's code took longer than 2 s" in message


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_unit_past_its_time_limit_is_named_and_stopped(built_once, tmp_path, jobs):
    root, _ = _course_whose_figure(built_once, tmp_path, "import time\n    while True: time.sleep(0.05)")
    # the limit also bounds importing the course (numba compiles its kernel then): 3 s was
    # too short for that on a loaded machine
    result = run_cli(root, "site", "--jobs", jobs, "--unit-timeout", "10", cache=root / ".cache" / "coursegen")
    assert result.returncode == 1
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith("error: content/mini/params.toml: figure 'anim' (gd_animation) ran past its time limit")
    assert "--unit-timeout SECONDS" in message


@pytest.mark.parametrize(("option", "value"), [("--jobs", "0"), ("--jobs", "-3"), ("--unit-timeout", "0")])
def test_nonsense_counts_are_refused(tmp_path, option, value):
    root = make_mini_checkout(tmp_path / "course")
    result = run_cli(root, "site", option, value, cache=tmp_path / "c")
    assert result.returncode == 2
    assert f"{option}: '{value}' is not" in result.stderr and not (root / "site").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_the_build_as_interrupted_not_as_a_failed_unit(built_once, tmp_path, jobs):
    """A terminal's Ctrl-C reaches the whole process group, pool workers too: the build
    says it was interrupted (status 130), blames no unit (one running in the build's own
    process either: the course's code did not stop it), kills its workers and keeps the
    previous site/."""
    import os
    import signal
    import subprocess
    import sys
    import time

    started = tmp_path / "started"
    root, _ = _course_whose_figure(
        built_once, tmp_path, f"import time; open({str(started)!r}, 'w').close()\n    while True: time.sleep(0.05)"
    )
    site = tree_bytes(root / "site")
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "-q", "--cache", str(root / ".cache" / "coursegen")]
    build = subprocess.Popen(
        [*cmd, "site", "--jobs", jobs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not started.exists() and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), build.communicate()
    os.killpg(build.pid, signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 130 and err == "interrupted\n", err
    assert tree_bytes(root / "site") == site
    try:
        os.killpg(build.pid, 0)  # a worker left in the group?
    except ProcessLookupError:
        return
    pytest.fail("a worker outlived the interrupted build")


@pytest.mark.parametrize(("where", "stop"), [("build", "exit0"), ("build", "os_exit"), ("wants", "os_exit")])
def test_a_notebook_that_stops_fails_the_build_naming_it(built_once, tmp_path, where, stop):
    """The companion notebook is written in the build's own process, where ``os._exit``
    would end the build with status 0 and no site: in the function that writes it, or
    in the one that says whether a worksheet has one."""
    root = tmp_path / "course"
    shutil.copytree(built_once, root, symlinks=True)
    notebook = root / "course" / "notebook.py"
    if where == "build":
        head, sep, rest = notebook.read_text().partition("\ndef build(")
        signature, colon, body = rest.partition(":\n")
        notebook.write_text(f"{head}{sep}{signature}{colon}    {STOPS[stop]}\n{body}")
    else:
        method = "    def wants(self, sheet: Sheet) -> bool:\n"
        assert method in notebook.read_text()
        notebook.write_text(notebook.read_text().replace(method, f"{method}        {STOPS[stop]}\n"))
    line = notebook.read_text()[: notebook.read_text().index(STOPS[stop])].count("\n") + 1
    before = tree_bytes(root / "site")
    for command in ("site", "check"):
        result = run_cli(root, command, cache=root / ".cache" / "coursegen", own_process=True)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        (message,) = result.stderr.strip().splitlines()
        assert message.startswith("error: mini's notebook:") and f"course/notebook.py, line {line}" in message, message
        assert "match" not in result.stdout and "built" not in result.stdout
    assert tree_bytes(root / "site") == before


@pytest.mark.parametrize("code", [0, None])
def test_an_exit_from_anything_the_build_ran_is_no_success(tmp_path, monkeypatch, capsys, code):
    """The last guard: a ``SystemExit`` that no unit caught (a library, a hook) still ends
    the command with status 1 and one line, not as the status it asked for."""
    from coursegen import cli
    from coursegen.commands import build as commands

    root = make_mini_checkout(tmp_path / "course")
    monkeypatch.setattr(commands, "build_site", lambda *args: sys.exit(code))
    assert cli.main(["--root", str(root), "-q", "site"]) == 1
    assert capsys.readouterr().err == (
        f"error: something the build ran called sys.exit({code!r}) (run again with --traceback to see where); "
        "nothing was built or checked\n"
    )
