"""Nothing a build is given is lost: no output folder may swallow the sources, a swap of
site/ cut short is undone, a read-only folder or a full disk costs one line and no site,
killed builds leave no workers, and published files are readable by a web server."""

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import EPOCH, alive, child_pids, make_mini_checkout, one_line_error, run_cli, tree_bytes

pytestmark = pytest.mark.faults
NOBODY = 65534


@pytest.fixture
def built(mini_built):
    """A test's own copy of the built mini course, and its site's bytes."""
    return mini_built, tree_bytes(mini_built / "site")


@pytest.mark.parametrize(
    "target",
    [".", "content", "content/mini", "templates", ".cache", ".cache/coursegen", "..", "somewhere-in-the-checkout"],
)
def test_an_output_folder_that_would_swallow_the_sources_is_refused(built, target):
    root, site = built
    sources = {name: tree_bytes(root / name) for name in ("content", "templates")}
    result = run_cli(root, "site", "--site-dir", str(root / target), cache=None, env=EPOCH)
    assert "refusing to replace a folder that" in one_line_error(result)
    assert {name: tree_bytes(root / name) for name in sources} == sources
    assert (root / ".git").exists() is False and (root / "mkdocs.yml").is_file()
    assert tree_bytes(root / "site") == site


def test_the_configured_site_folder_and_folders_elsewhere_are_accepted(built, tmp_path):
    root, site = built
    assert run_cli(root, "site", "--site-dir", str(root / "site"), cache=None, env=EPOCH).returncode == 0
    elsewhere = tmp_path / "published"
    assert run_cli(root, "site", "--site-dir", str(elsewhere), cache=None, env=EPOCH).returncode == 0
    assert tree_bytes(elsewhere) == site
    assert (
        run_cli(root, "site", "--site-dir", str(elsewhere), cache=None, env=EPOCH).returncode == 0
    )  # a site: replaced
    assert tree_bytes(elsewhere) == site
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(root, "site", "--site-dir", str(empty), cache=None, env=EPOCH).returncode == 0
    assert tree_bytes(empty) == site


def test_a_folder_of_other_files_is_not_replaced_by_the_site(built, tmp_path):
    """``--site-dir ~`` or a folder of documents: the build would delete everything in
    it. Only a missing or empty folder, or a site a build wrote, is replaced."""
    root, site = built
    papers = tmp_path / "papers"
    (papers / "Documents").mkdir(parents=True)
    (papers / "Documents" / "thesis.txt").write_text("precious")
    before = tree_bytes(papers)
    line = one_line_error(run_cli(root, "site", "--site-dir", str(papers), cache=None, env=EPOCH))
    assert str(papers) in line and "a folder that coursegen did not build" in line
    assert tree_bytes(papers) == before
    assert tree_bytes(root / "site") == site


def test_a_swap_cut_between_its_renames_is_restored_even_by_a_failing_build(built):
    root, site = built
    os.replace(root / "site", root / ".tmp-site-old")  # killed after moving the old site aside
    (root / ".tmp-site-build-999").mkdir()  # and the new one, half written
    (root / ".tmp-site-build-999" / "index.html").write_text("half")
    params = root / "content/mini/params.toml"
    params.write_text(params.read_text().replace("steps = 12", "steps = = 12"))
    failed = run_cli(root, "site", cache=None, env=EPOCH)
    assert "TOML syntax error" in one_line_error(failed)
    assert tree_bytes(root / "site") == site
    assert not (root / ".tmp-site-old").exists()
    params.write_text(params.read_text().replace("steps = = 12", "steps = 12"))
    assert run_cli(root, "site", cache=None, env=EPOCH).returncode == 0
    assert tree_bytes(root / "site") == site
    assert not list(root.glob(".tmp-*"))


def test_a_swap_cut_after_its_renames_keeps_the_new_site(built):
    root, site = built
    (root / ".tmp-site-old").mkdir()  # killed before the old copy was deleted
    (root / ".tmp-site-old" / "index.html").write_text("the previous site")
    assert run_cli(root, "site", cache=None, env=EPOCH).returncode == 0
    assert tree_bytes(root / "site") == site and not (root / ".tmp-site-old").exists()


def nobody_can_run_python() -> bool:
    try:
        return subprocess.run([sys.executable, "-c", "pass"], user=NOBODY, timeout=60).returncode == 0
    except OSError:
        return False


@contextmanager
def read_only(root: Path, folder: Path):
    """Make ``folder`` read-only for the builds run with the options yielded: as another
    user after ``chmod a-w`` (root ignores permissions), or, where that user cannot run
    this Python, through a read-only bind mount (which binds root too)."""
    env = {**os.environ, "HOME": str(root), **EPOCH}
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        try:
            yield {"env": env}
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)
    elif nobody_can_run_python():
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(root)], check=True)
        subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        try:
            yield {"env": env, "user": NOBODY, "group": NOBODY}
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)
    else:
        if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode:
            pytest.skip("root here can neither run Python as another user nor mount read-only")
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            yield {"env": env}
        finally:
            subprocess.run(["umount", str(folder)], check=True)


def cli(root: Path, *args, **options):
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "-q", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **options)


@pytest.mark.parametrize("folder", ["site", ".cache/coursegen", ".cache/docs/solutions", "."])
def test_a_read_only_folder_costs_one_line_and_the_next_build_after_fixing_it_works(built, folder):
    root, site = built
    page = root / "content/mini/index.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")  # something to write
    target = (root / folder).resolve()
    with read_only(root, target) as options:
        line = one_line_error(cli(root, "site", **options))
        assert "not writable" in line and f"chmod -R u+w '{target}" in line  # it, or a folder in it
        assert tree_bytes(root / "site") == site
    again = cli(root, "site", **options)
    assert again.returncode == 0, again.stderr
    assert "One more sentence." in (root / "site/mini/index.html").read_text()


def _site_on_a_small_disk(root, limit: int) -> subprocess.CompletedProcess:
    """``coursegen site`` where no file may grow past ``limit`` bytes: a full disk."""

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "-q", "site"]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=600, preexec_fn=small_disk, env={**os.environ, **EPOCH}
    )


def test_a_full_disk_while_writing_the_site_costs_one_line_and_no_staging(built):
    root, site = built
    page = root / "content/mini/index.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    # 100 kB a file: the site's copy of KaTeX (270 kB) no longer fits
    line = one_line_error(_site_on_a_small_disk(root, 100_000))
    assert f"{root / 'site'}: File too large" in line and "free some disk space" in line
    assert tree_bytes(root / "site") == site
    assert not list(root.glob(".tmp-*")) and not list((root / ".cache").rglob(".tmp-*"))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_killing_the_build_kills_its_pool_workers(tmp_path):
    root = make_mini_checkout(tmp_path / "course")
    with (root / "content/mini/params.toml").open("a") as f:
        for name in ("slow_a", "slow_b"):  # ~30 s of training each
            f.write(f'\n[experiments.{name}]\nkind = "relu_sgd"\nsteps = 1_000_000\n')
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "-q", "site", "--jobs", "2"]
    build = subprocess.Popen(cmd, env=os.environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(workers := child_pids(build.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, "the pool never started"
        time.sleep(2)  # training
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 10
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if alive(w)], "pool workers outlived the build"
    finally:
        for pid in [build.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_published_files_are_world_readable_under_umask_077(built, tmp_path):
    root, site = built
    out = tmp_path / "published"
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), "-q", "site", "--site-dir", str(out)]
    result = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(0o077),
        env={**os.environ, **EPOCH},
    )
    assert result.returncode == 0, result.stderr
    modes = {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in [out, *out.rglob("*")]}
    wrong = {p: oct(m) for p, m in modes.items() if m != (0o755 if (out / p).is_dir() else 0o644)}
    assert not wrong
    assert tree_bytes(out) == site


def test_every_file_written_in_place_is_world_readable_under_umask_077(tmp_path):
    """The docs folder (which ``mkdocs serve`` and a web server may read as another
    user) and manifest.json are written through one function: 0644, whatever the umask
    (a temporary file is made 0600)."""
    from coursegen import atomic

    old = os.umask(0o077)
    try:
        atomic.write_text(tmp_path / "docs" / "page.md", "# A page\n")
    finally:
        os.umask(old)
    assert (tmp_path / "docs" / "page.md").stat().st_mode & 0o777 == 0o644


def test_a_full_disk_while_writing_the_cache_costs_one_line_and_no_staging(built):
    root, site = built
    params = root / "content/mini/params.toml"
    params.write_text(params.read_text().replace("steps = 12", "steps = 12\ntheta0 = -1.5"))  # new results
    # 1 kB a file: the experiment's results file no longer fits
    line = one_line_error(_site_on_a_small_disk(root, 1_000))
    assert "results.npz" in line and "free some disk space" in line
    assert tree_bytes(root / "site") == site
    assert not list((root / ".cache").rglob(".tmp-*")) and not list(root.glob(".tmp-*"))


@pytest.mark.parametrize("kind", ["home page", "web root"])
def test_a_folder_that_looks_like_a_site_but_was_not_built_here_is_kept(built, tmp_path, kind):
    """A personal home page, or /var/www/html beside other files: an index.html and an
    assets/ folder do not make it ours. Only the build's own mark does."""
    root, site = built
    www = tmp_path / kind.replace(" ", "-")
    (www / "assets").mkdir(parents=True)
    (www / "index.html").write_text("<h1>My home page</h1>")
    (www / "assets" / "me.jpg").write_bytes(b"\xff\xd8 a photo")
    (www / "cv.pdf").write_bytes(b"%PDF my cv")
    before = tree_bytes(www)
    line = one_line_error(run_cli(root, "site", "--site-dir", str(www), cache=None, env=EPOCH))
    assert str(www) in line and ".coursegen-site" in line
    assert tree_bytes(www) == before and tree_bytes(root / "site") == site


def test_a_site_dir_that_is_a_file_is_refused_not_replaced(built, tmp_path):
    root, site = built
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    line = one_line_error(run_cli(root, "site", "--site-dir", str(notes), cache=None, env=EPOCH))
    assert "refusing to replace a file" in line
    assert notes.read_text() == "my notes" and sorted(p.name for p in tmp_path.iterdir()) == ["course", "notes.txt"]


def test_a_built_site_is_replaced_only_while_it_holds_nothing_else(built, tmp_path):
    """The mark lists every file the build wrote: a file added since (a web root's own
    page, notes dropped into site/) keeps the folder from being replaced."""
    import json

    root, _ = built
    out = tmp_path / "published"
    for _ in range(2):
        assert run_cli(root, "site", "--site-dir", str(out), cache=None, env=EPOCH).returncode == 0
        mark = json.loads((out / ".coursegen-site").read_text())
        assert mark["course"] and set(mark["files"]) == set(tree_bytes(out)) - {".coursegen-site"}
    for folder, named in ((out, str(out)), (root / "site", "site/")):
        (folder / "assets" / "mine.css").write_text("my own")
        before = tree_bytes(folder)
        args = ("--site-dir", str(folder)) if folder == out else ()
        line = one_line_error(run_cli(root, "site", *args, cache=None, env=EPOCH))
        assert named in line and "assets/mine.css" in line
        assert tree_bytes(folder) == before


def test_the_default_site_folder_holding_other_files_is_kept(built):
    root, _ = built
    shutil.rmtree(root / "site")
    (root / "site" / "assets").mkdir(parents=True)
    (root / "site" / "notes.txt").write_text("precious")
    before = tree_bytes(root / "site")
    line = one_line_error(run_cli(root, "site", cache=None, env=EPOCH))
    assert "site/: refusing to replace a folder that coursegen did not build" in line
    assert tree_bytes(root / "site") == before


def test_a_link_as_site_dir_is_refused(built, tmp_path):
    root, _ = built
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    line = one_line_error(run_cli(root, "site", "--site-dir", str(tmp_path / "link"), cache=None, env=EPOCH))
    assert "refusing to replace a link" in line and not any((tmp_path / "target").iterdir())


def test_a_default_site_folder_that_is_a_link_is_refused_and_kept(built, tmp_path):
    """site/ linked to a web root (a built site, mark and all): replacing the link with a
    folder would leave the web root serving the old site, saying nothing."""
    root, _ = built
    webroot = tmp_path / "webroot"
    shutil.copytree(root / "site", webroot)
    shutil.rmtree(root / "site")
    (root / "site").symlink_to(webroot)
    before = tree_bytes(webroot)
    line = one_line_error(run_cli(root, "site", cache=None, env=EPOCH))
    assert "refusing to replace a file or a link" in line, line
    assert (root / "site").is_symlink() and tree_bytes(webroot) == before


def test_a_link_someone_put_in_the_site_keeps_it_from_being_replaced(built, tmp_path):
    root, _ = built
    (tmp_path / "data").mkdir()
    (root / "site" / "data").symlink_to(tmp_path / "data")
    line = one_line_error(run_cli(root, "site", cache=None, env=EPOCH))
    assert "site/: refusing to replace a built site that now holds files no build wrote (data)" in line, line
    assert (root / "site" / "data").is_symlink()


def test_a_leftover_old_copy_never_blocks_a_build(built):
    """Whatever a killed swap or a person left at ``.tmp-site-old``, a file or a folder,
    beside an intact site/, the next build goes ahead and removes it."""
    root, _ = built
    for leftover in ("file", "folder", "file, no site"):
        old = root / ".tmp-site-old"
        if leftover == "file, no site":  # nothing to restore: a file is no site of ours
            shutil.rmtree(root / "site")
        if leftover.startswith("file"):
            old.write_text("left behind")
        else:
            (old / "deep").mkdir(parents=True)
            (old / "deep" / "x.html").write_text("old")
        result = run_cli(root, "site", cache=None, env=EPOCH)
        assert result.returncode == 0, result.stderr
        assert not old.exists() and (root / "site" / "index.html").is_file()


def test_an_unreadable_cache_entry_is_a_miss_and_recomputed(built):
    root, _ = built
    cache = root / ".cache" / "coursegen"
    entries = sorted(p for p in (cache / "figures").iterdir() if not p.name.startswith("."))
    assert entries
    for entry in entries:
        shutil.rmtree(entry)
        entry.write_text("not an entry")  # a file where the entry's folder was
    result = run_cli(root, "site", cache=None, env=EPOCH, quiet=False)
    assert result.returncode == 0, result.stderr
    assert f"figures: {len(entries)} run" in result.stdout
    assert all((entry / "index.json").is_file() for entry in entries)
