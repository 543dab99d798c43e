"""Interruption, corruption, concurrency and failure are harmless: no partial file ever
sits at a final path, bad cache entries are recomputed, builds queue, and a failing
experiment is named while the previous site stays served. Uses the mini course."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from conftest import make_mini_checkout, run_cli, tree_bytes

pytestmark = pytest.mark.faults
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
DOCS = ".cache/docs/solutions"  # the solutions edition's docs folder


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """What a clean, uninterrupted build of the mini course produces."""
    root = make_mini_checkout(tmp_path_factory.mktemp("reference"))
    result = run_cli(root, "site", cache=None, env=EPOCH)
    assert result.returncode == 0, result.stderr
    return {"site": tree_bytes(root / "site"), "docs": tree_bytes(root / DOCS)}


def start_site(root, jobs=1, cache=None, stderr=subprocess.PIPE, tmpdir=None):
    env = {**os.environ, **EPOCH, **({"TMPDIR": str(tmpdir)} if tmpdir else {})}
    cmd = [sys.executable, "-m", "coursegen", "--root", str(root), *(["--cache", str(cache)] if cache else [])]
    cmd += ["site", "--jobs", str(jobs)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True)


def assert_nothing_partial(root, reference):
    """Every file at a final path is complete: identical to the clean build's."""
    for rel, data in tree_bytes(root / DOCS).items():
        if ".tmp-" not in rel and rel in reference["docs"]:
            assert data == reference["docs"][rel], rel
    if (root / "site").exists():
        assert tree_bytes(root / "site") == reference["site"]
    for index in (root / ".cache" / "coursegen").glob("*/*/index.json"):
        if ".tmp-" not in str(index):
            assert all((index.parent / name).is_file() for name in json.loads(index.read_text())["files"])


def forget_finished_entries(root):
    """Every finished cache entry, so that the next build does all the work again; the
    staging a killed build left (``.tmp-*``) stays, for that build to sweep."""
    for kind in ("results", "figures"):
        for entry in (root / ".cache" / "coursegen" / kind).glob("*"):
            if not entry.name.startswith(".tmp-"):
                shutil.rmtree(entry)


def killed_after(root, jobs, seconds: float) -> float | None:
    """A build with all the work to do, killed after ``seconds``: None, or how long it
    took if it ended first."""
    forget_finished_entries(root)
    began = time.monotonic()
    proc = start_site(root, jobs)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None
    return time.monotonic() - began


# The moments a build is killed at, as fractions of a whole build: the two pool sizes
# take turns, so that together they kill at six moments spread over a build.
KILLED_AT = {1: (0.1, 0.4, 0.7), 2: (0.25, 0.55, 0.85)}


@pytest.mark.parametrize("jobs", KILLED_AT)
def test_builds_killed_at_any_moment_leave_no_partial_file(tmp_path, reference, jobs):
    """Kills spread over a whole build (timed here, so that a slower machine moves the
    moments with it), each from the state the previous kill left, with the work to do."""
    root = make_mini_checkout(tmp_path / "victim")
    began = time.monotonic()
    assert start_site(root, jobs).wait() == 0
    whole = time.monotonic() - began
    for fraction in KILLED_AT[jobs]:
        for _ in range(3):
            took = killed_after(root, jobs, fraction * whole)
            assert_nothing_partial(root, reference)
            if took is None:
                break
            whole = 0.9 * took  # it ended first: a whole build takes less now (the machine got less busy)
        else:
            pytest.fail(f"three builds ended before {fraction:.0%} of the time a whole one took ({whole:.1f} s)")
    result = run_cli(root, "site", cache=None, env=EPOCH)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(root / "site") == reference["site"]
    leftovers = [*(root / ".cache").rglob(".tmp-*"), *root.glob(".tmp-*"), *(root / DOCS).rglob(".tmp-*")]
    assert not leftovers, "staging left behind after a complete build"


def test_a_build_removes_the_drawing_folders_that_killed_workers_left(tmp_path):
    """A figure is drawn in a folder of the system's temporary folder (a Dask worker may
    have no other); a worker killed mid-figure cannot remove it, so the next build removes
    those whose process has gone, and only those (another build may be drawing in its own)."""
    root = make_mini_checkout(tmp_path / "mini")
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = system_tmp / f"coursegen-figure-a1b2c3d4-{int(gone.stdout)}"
    drawing = system_tmp / f"coursegen-figure-e5f6g7h8-{os.getpid()}"  # this process: running
    someone_elses = system_tmp / "notes-12"
    for folder in (killed, drawing, someone_elses):
        folder.mkdir()
        (folder / "frame.png").write_bytes(b"half a frame")
    proc = start_site(root, 2, tmpdir=system_tmp)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert not killed.exists()
    assert drawing.is_dir() and someone_elses.is_dir()
    assert sorted(p.name for p in system_tmp.iterdir()) == sorted([drawing.name, someone_elses.name])


def test_corrupted_cache_entries_are_recomputed_not_served(tmp_path, reference):
    root = make_mini_checkout(tmp_path / "corrupt")
    assert run_cli(root, "site", cache=None, env=EPOCH).returncode == 0
    cache = root / ".cache" / "coursegen"
    (results,) = cache.glob("results/*/results.npz")
    results.write_bytes(results.read_bytes()[:100])  # truncated
    (gif,) = cache.glob("figures/*/figure.gif")
    data = bytearray(gif.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    gif.write_bytes(bytes(data))
    rebuilt = run_cli(root, "site", cache=None, env=EPOCH, quiet=False)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "experiments: 1 run, 0 cached" in rebuilt.stdout
    assert "figures: 1 run, 0 cached" in rebuilt.stdout
    assert tree_bytes(root / "site") == reference["site"]


def test_builds_of_two_checkouts_sharing_a_cache_run_at_once(tmp_path, reference):
    """The lock is the checkout's: another checkout's build, on the same cache, neither
    waits for it nor disturbs it."""
    roots = [make_mini_checkout(tmp_path / name) for name in ("one", "two")]
    shared = tmp_path / "shared-cache"
    procs = [start_site(root, cache=shared) for root in roots]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert not any("another build is running" in err for _, err in outs)
    for root in roots:
        assert tree_bytes(root / "site") == reference["site"]
    assert not list(shared.rglob(".tmp-*"))


def test_two_builds_at_once_queue_on_the_lock(tmp_path, reference):
    """Two builds started while a third holds the checkout's lock both wait, saying so;
    let go, they build one after the other into the clean build's site. (Holding the
    lock here makes them meet whatever the machine's load: two builds merely started
    together may not, when the first is done before the second has imported.)"""
    root = make_mini_checkout(tmp_path / "twice")
    (root / ".cache").mkdir()
    errs = [tmp_path / "first.err", tmp_path / "second.err"]
    with FileLock(root / ".cache" / "build.lock"):
        builds = []
        for err in errs:
            with err.open("w") as sink:
                builds.append(start_site(root, stderr=sink))
        deadline = time.monotonic() + 120
        while not all("another build is running" in err.read_text() for err in errs):
            assert time.monotonic() < deadline and all(b.poll() is None for b in builds), [e.read_text() for e in errs]
            time.sleep(0.05)
    for build in builds:
        build.communicate(timeout=300)
    assert [b.returncode for b in builds] == [0, 0], [e.read_text() for e in errs]
    assert tree_bytes(root / "site") == reference["site"]


def test_failing_experiment_is_named_with_its_error_first_and_site_kept(tmp_path):
    """The error comes straight after the unit's name, not after its every parameter."""
    root = make_mini_checkout(tmp_path / "fails")
    assert run_cli(root, "site", cache=None).returncode == 0
    before = tree_bytes(root / "site")
    params = root / "content/mini/params.toml"
    params.write_text(params.read_text().replace("steps = 12", "steps = 12\nn_points = 1"))
    result = run_cli(root, "site", cache=None)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "error: content/mini/params.toml: experiment 'const' (gd_constant) failed: ValueError: n_points must be at least 3"
    )
    assert re.search(r"\(course/experiments/gd\.py, line \d+, in \w+\)$", result.stderr.strip())
    assert len(result.stderr.strip().splitlines()) == 1
    assert tree_bytes(root / "site") == before
    traced = run_cli(root, "--traceback", "site", cache=None)
    assert traced.returncode == 1 and traced.stderr.startswith("error: ")
    assert "Traceback (most recent call last)" in traced.stderr and "ValueError: n_points" in traced.stderr


def test_one_or_two_jobs_give_the_same_bytes(tmp_path):
    manifests = []
    for jobs in (1, 2):
        root = make_mini_checkout(tmp_path / f"jobs{jobs}")
        assert run_cli(root, "lock-figures", "--jobs", str(jobs), cache=None).returncode == 0
        manifests.append(json.loads((root / "manifest.json").read_text()))
    assert manifests[0] == manifests[1]


def _refuse_paths_under(folder: str) -> None:
    """On a Dask worker: opening anything under ``folder`` fails, as on another machine."""
    import builtins
    import io

    real_open = io.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file).startswith(folder):
            raise FileNotFoundError(f"{file}: not on this worker's machine")
        return real_open(file, *args, **kwargs)

    builtins.open = io.open = guarded


def test_dask_workers_in_other_processes_without_the_cache_give_the_same_bytes(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from coursegen.commands import build as commands
    from coursegen.stages import cache, executors, manifest, pipeline

    root = make_mini_checkout(tmp_path / "dask")
    sheets = commands.discover(root / "content", root)
    local = pipeline.build(sheets, cache.Store(tmp_path / "local"), executors.Inline())
    elsewhere = tmp_path / "worker-machine"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the workers' working directory: nothing of the build there
    with (
        distributed.LocalCluster(
            processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None, local_directory=str(elsewhere)
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        assert os.getpid() not in pids.values()
        client.run(_refuse_paths_under, str(tmp_path / "remote"))
        remote = pipeline.build(sheets, cache.Store(tmp_path / "remote"), executors.Dask(client))
    assert manifest.entries(local.outputs) == manifest.entries(remote.outputs)


def _figure_bytes(root: Path) -> bytes:
    return (root / "site" / "mini" / "figures" / "anim.gif").read_bytes()


@pytest.mark.timeout(300)
def test_a_dask_worker_started_before_an_edit_runs_the_edited_code_and_refuses_other_coursegen(tmp_path):
    """One scheduler and one long-lived worker (two threads, as the manual starts them),
    the figure's code edited between two builds: the second build draws what the edited
    code draws, as a local build of it does. Then the worker's own coursegen is edited:
    it refuses the next unit, naming the module."""
    distributed = pytest.importorskip("distributed")
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None, local_directory=str(tmp_path)
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        first = run_cli(root, "site", "--dask", cluster.scheduler_address, cache=tmp_path / "c")
        assert first.returncode == 0, first.stderr
        before = _figure_bytes(root)
        figure = root / "course" / "figures" / "gd.py"
        figure.write_bytes(figure.read_bytes().replace(b"frame_ms: int = 160", b"frame_ms: int = 170", 1))
        second = run_cli(root, "site", "--dask", cluster.scheduler_address, cache=tmp_path / "c")
        assert second.returncode == 0, second.stderr
        remote = _figure_bytes(root)
        client.run(_edit_coursegen_on_worker)
        refused = run_cli(root, "site", "--dask", cluster.scheduler_address, cache=tmp_path / "fresh")
    local = run_cli(root, "site", cache=tmp_path / "local")
    assert local.returncode == 0, local.stderr
    assert remote != before and remote == _figure_bytes(root)
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "content/mini/params.toml: experiment 'const' (gd_constant)" in line
    assert "this worker's coursegen differs from the build's in coursegen.figures.style" in line


def _edit_coursegen_on_worker() -> None:
    from coursegen.stages import units

    edited = dict(units.generator_sources())
    edited["coursegen.figures.style"] += b"\n# edited on this worker\n"
    units.generator_sources = lambda: edited
    units.generator_digests.cache_clear()


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("tcp://127.0.0.1:notaport", "--dask tcp://127.0.0.1:notaport: not a scheduler address"),
        ("tcp://127.0.0.1:9", "--dask tcp://127.0.0.1:9: no scheduler answered within 2 s"),
    ],
)
def test_a_wrong_dask_address_is_one_line_soon(monkeypatch, address, says):
    pytest.importorskip("distributed")
    from coursegen.errors import BuildError
    from coursegen.stages import executors

    monkeypatch.setattr(executors, "DASK_CONNECT_SECONDS", 2)
    with pytest.raises(BuildError) as failure:
        with executors.executor(executors.Options(dask=address)):
            pass
    assert str(failure.value).startswith(says) and "\n" not in str(failure.value)


@pytest.mark.timeout(120)
def test_a_scheduler_without_workers_stops_the_build_with_one_line(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from coursegen.commands import build as commands
    from coursegen.errors import BuildError
    from coursegen.stages import cache, executors, pipeline

    monkeypatch.setattr(executors, "DASK_NO_WORKER_SECONDS", 2)
    root = make_mini_checkout(tmp_path / "course")
    sheets = commands.discover(root / "content", root)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        with pytest.raises(BuildError, match="the scheduler has no worker after 2 s; start one"):
            with executors.executor(executors.Options(dask=cluster.scheduler_address)) as ex:
                pipeline.build(sheets, cache.Store(tmp_path / "c"), ex)


def test_units_in_threads_of_one_worker_run_one_at_a_time(monkeypatch):
    """A Dask worker runs units in threads (the manual's worker has one per core), while
    matplotlib's settings are one per process: two figures drawn at once set each
    other's text size (a reviewer saw 7 files of another size published). So a process
    runs one unit at a time, whatever its threads."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from coursegen.stages import units

    running, most, guard = [0], [0], threading.Lock()

    def watched(function, unit, npzs):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with guard:
            running[0] -= 1
        return {}

    monkeypatch.setattr(units, "_made", watched)
    unit = units.Unit(units.UnitKind.EXPERIMENT, "", "any", "gd_constant", (), (), "")
    runtime = units.Runtime.here()
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: units.run(unit, runtime, []), range(6)))
    assert most[0] == 1


def _silent(connection) -> None:
    """The scheduler's dashboard port (a web server): it waits for a request, and Dask's
    handshake would wait with it forever."""


def _banner(connection) -> None:
    """A server that speaks first (SSH): Dask reads its bytes as a message length."""
    connection.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" * 64)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (_silent, "something accepted the connection but did not answer as a Dask scheduler within 2 s"),
        (_banner, "what answers there is not a Dask scheduler"),
    ],
)
def test_a_dask_address_that_is_no_scheduler_is_one_line_soon(monkeypatch, answer, says):
    import socket
    import threading

    pytest.importorskip("distributed")
    from coursegen.errors import BuildError
    from coursegen.stages import executors

    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept():  # every connection: the look first, then Dask's own
        while True:
            held.append(server.accept()[0])
            answer(held[-1])

    threading.Thread(target=accept, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setattr(executors, "DASK_CONNECT_SECONDS", 2)
    try:
        with pytest.raises(BuildError) as failure:
            with executors.executor(executors.Options(dask=address)):
                pass
    finally:
        server.close()
    assert str(failure.value).startswith(f"--dask {address}: {says}"), failure.value
    assert "\n" not in str(failure.value)


@pytest.mark.timeout(60)
def test_a_dask_build_runs_as_many_units_at_once_as_there_are_workers():
    """A worker runs one unit at a time whatever its threads, so the build submits one
    per worker: a unit queued behind another on a worker's threads would be timed from
    its submission, and blamed for the other's time past --unit-timeout."""
    from coursegen.stages import executors

    class Cluster:  # two workers of three threads each, as a Client reports them
        def nthreads(self):
            return {"tcp://10.0.0.1:40001": 3, "tcp://10.0.0.2:40001": 3}

        def get_executor(self):
            return None

    dask = executors.Dask(Cluster())
    assert dask.capacity == 2
    dask.healthy()
    assert dask.capacity == 2
