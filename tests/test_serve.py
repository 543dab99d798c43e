"""``make serve`` and ``make site`` of another edition at the same time: the preview's
re-render waits for the build (one lock), and each edition keeps its own docs folder, so
the student site never receives the solutions."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager

import pytest

from conftest import MINI_PAGE, alive, child_pids, make_mini_checkout, run_cli

SOLUTION = "The mean of the data."  # the mini course's only solution sentence


def test_a_serve_rerender_during_a_student_build_waits_and_leaks_nothing(tmp_path, monkeypatch):
    from coursegen import cli
    from coursegen.site import engines as site
    from coursegen.site import serve_hook

    root = make_mini_checkout(tmp_path / "course")
    cache = root / ".cache" / "coursegen"
    for name, value in {
        "COURSEGEN_ROOT": root,
        "COURSEGEN_CACHE": cache,
        "COURSEGEN_EDITION": "solutions",
        "COURSEGEN_JOBS": 1,
        "MPLCONFIGDIR": cache / "mplconfig",
        "SOURCE_DATE_EPOCH": 1700000000,
    }.items():
        monkeypatch.setenv(name, str(value))
    rerendered = threading.Event()
    seen = {}
    config = {}  # MkDocs' config, whose nav the hook refreshes

    def edit_while_building(*args, **kwargs):
        """The worst moment: the student pages are written, MkDocs has not read them yet,
        and the reader of `make serve` saves an edit."""
        hook = threading.Thread(target=lambda: (serve_hook.on_pre_build(config), rerendered.set()))
        hook.start()
        seen["hook"] = hook
        seen["waited"] = not rerendered.wait(timeout=5)
        real_build(*args, **kwargs)

    real_build = site.engine_build
    monkeypatch.setattr(site, "engine_build", edit_while_building)
    assert cli.main(["--root", str(root), "-q", "site", "--edition", "student"]) == 0
    seen["hook"].join(timeout=120)
    assert seen["waited"], "the serve hook re-rendered while another build held the lock"
    assert rerendered.is_set()
    assert config["nav"][1] == {"Mini": [{"Worksheet": "mini/index.md"}]}  # and the nav, from the front matter
    student = "\n".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html"))
    assert SOLUTION not in student
    assert SOLUTION in (root / ".cache/docs/solutions/mini/index.md").read_text()  # the preview's own pages
    assert SOLUTION not in (root / ".cache/docs/student/mini/index.md").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return None


def _home(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return response.geturl()
    except OSError:
        return None


def _until(what, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.25)
    return None


@contextmanager
def preview(root, engine: str, log: list | None = None):
    """``coursegen serve --engine ENGINE`` of ``root`` on a free port: the home page's
    address once it serves; stopped afterwards, with Zensical's child (``log``: its
    standard error is added to it then)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "serve", "--engine", engine]
    server = subprocess.Popen(
        [*cmd, "--dev-addr", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        home = _until(lambda: _home(port), 90)
        assert home, "the preview never served"
        yield home
    finally:
        for pid in child_pids(server.pid):
            os.kill(pid, 15)
        server.terminate()
        server.wait(timeout=30)
        if log is not None:
            log.append(server.stderr.read().decode("utf-8", "replace"))


@pytest.mark.timeout(300)
@pytest.mark.slow
def test_serve_shows_an_edited_figure_and_never_goes_back(tmp_path):
    """``coursegen serve`` while staff edit the figure's code: the served figure changes,
    and a ``coursegen site`` run meanwhile does not bring the old one back."""
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    port = _free_port()
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "serve", "--dev-addr", f"127.0.0.1:{port}"]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "CI": "1"})
    try:
        home = _until(lambda: _home(port), 180)  # MkDocs serves under site_url's path
        assert home, "serve never served the home page"
        url = f"{home}mini/figures/anim.gif"
        old = _get(url)
        assert old, "serve never served the figure"
        figure = root / "course" / "figures" / "gd.py"
        figure.write_bytes(figure.read_bytes().replace(b"frame_ms: int = 160", b"frame_ms: int = 170", 1))
        start = time.monotonic()
        new = _until(lambda: (data := _get(url)) and data != old and data, 60)
        assert new, "the edited figure never reached the served page"
        print(f"edited figure served after {time.monotonic() - start:.1f} s")
        built = run_cli(root, "site", cache=root / ".cache" / "coursegen", own_process=True)
        assert built.returncode == 0, built.stderr
        (root / "content" / "mini" / "index.md").write_text(MINI_PAGE + "\nOne more sentence.\n")
        assert _until(lambda: b"One more sentence" in (_get(f"{home}mini/") or b""), 60)
        assert _get(url) == new  # the rebuild after the prose edit kept the new figure
        # the generator's theme overrides, as in a build: the palette chosen as the body begins
        assert b"matchMedia(choice[0])" in _get(f"{home}mini/")
        time.sleep(2)  # time for a rebuild the first one set off
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = server.stderr.read().decode("utf-8", "replace")
    # one rebuild per saved edit: the docs folder the hook writes sets none off
    assert log.count("Detected file changes") == 2, log


@pytest.mark.timeout(120)
def test_a_zensical_preview_stopped_by_sigterm_stops_zensical_too(tmp_path):
    """``coursegen serve --engine zensical`` runs ``zensical serve`` as a child: stopped
    by SIGTERM (a process manager, an editor's stop button), it takes the child with it,
    so the port is free for the next preview."""
    import signal

    root = make_mini_checkout(tmp_path / "course")
    port, children = _free_port(), []
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "serve", "--engine", "zensical"]
    server = subprocess.Popen(
        [*cmd, "--dev-addr", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert _until(lambda: _home(port), 90), "the Zensical preview never served"
        children = child_pids(server.pid)
        assert children, "no zensical serve child"
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert _until(lambda: not any(map(alive, children)), 10), "zensical left running"
    finally:
        for pid in [*child_pids(server.pid), *children]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        server.kill()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_serve_shows_an_edited_theme_override_outside_the_course_folders(tmp_path, engine):
    """A course whose ``theme.custom_dir`` is ``overrides/`` at its root (as Material's
    guide sets it up), outside the folders serve watches otherwise: an edit to an
    override reaches the served page, with either engine."""
    root = make_mini_checkout(tmp_path / "course")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("custom_dir: site_src/overrides", "custom_dir: overrides"))
    override = root / "overrides" / "main.html"
    override.parent.mkdir()
    block = '{% extends "base.html" %}{% block announce %}Office hours: {} {% endblock %}'
    override.write_text(block.replace("{}", "Monday"))
    log = []
    with preview(root, engine, log) as home:
        assert b"Office hours: Monday" in _get(f"{home}mini/")
        override.write_text(block.replace("{}", "Tuesday"))
        start = time.monotonic()
        assert _until(lambda: b"Office hours: Tuesday" in (_get(f"{home}mini/") or b""), 30), (
            "the edited override never reached the served page"
        )
        print(f"edited override served after {time.monotonic() - start:.1f} s")
        # mkdocs.yml names another folder while the preview runs: that one is watched from then
        moved = root / "overrides2" / "main.html"
        moved.parent.mkdir()
        moved.write_text(block.replace("{}", "Wednesday"))
        config.write_text(config.read_text().replace("custom_dir: overrides", "custom_dir: overrides2"))
        assert _until(lambda: b"Office hours: Wednesday" in (_get(f"{home}mini/") or b""), 30)
        moved.write_text(block.replace("{}", "Thursday"))
        assert _until(lambda: b"Office hours: Thursday" in (_get(f"{home}mini/") or b""), 30), (
            "an edit to the newly named custom_dir never reached the served page"
        )
        if engine == "mkdocs":  # a slip in mkdocs.yml while the preview runs: one line, then the fix serves
            good = config.read_text()
            config.write_text(good.replace("site_name:", "site_name: [", 1))
            time.sleep(2)
            config.write_text(good)
            moved.write_text(block.replace("{}", "Friday"))
            assert _until(lambda: b"Office hours: Friday" in (_get(f"{home}mini/") or b""), 30)
    if engine == "mkdocs":
        assert "error: mkdocs.yml, line 2: YAML syntax error" in log[0] and "Traceback" not in log[0], log[0]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_failed_rerender_says_so_on_the_served_page_until_it_is_fixed(tmp_path, engine):
    """Course code broken while the preview runs: the page it keeps serving says, at its
    top, that it is out of date and why; the fix takes the notice away again."""
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    code = root / "course" / "experiments" / "gd.py"
    good = code.read_text()
    with preview(root, engine) as home:
        page = f"{home}mini/"
        assert b"out of date" not in _get(page)
        code.write_text(
            good.replace(
                "def constant_theta_star(x, y):\n",
                "def constant_theta_star(x, y):\n    raise RuntimeError('boom at the board')\n",
                1,
            )
        )
        shown = _until(lambda: (html := _get(page) or b"") and b"out of date" in html and html, 60)
        assert shown, "the page never said the preview is out of date"
        assert b"boom at the board" in shown and b'role="alert"' in shown
        code.write_text(code.read_text().replace("boom at the board", "boom once more"))
        again = _until(lambda: (html := _get(page) or b"") and b"boom once more" in html and html, 60)
        assert again, "the notice never named the second error"
        assert again.count(b"This preview is out of date") == 1 and b"boom at the board" not in again
        code.write_text(good)
        assert _until(lambda: b"out of date" not in (_get(page) or b"out of date"), 60), (
            "the notice stayed after the fix"
        )
