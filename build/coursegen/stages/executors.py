"""Where units run: this process, a local process pool, or a Dask cluster.

Each is a ``concurrent.futures.Executor`` with what the pipeline needs besides:
how many units it runs at once (``capacity``: the pipeline starts no more, so a unit's
time limit counts from when it really starts) and ``healthy`` (a cluster with no worker
left says so instead of waiting for ever). A failed build (a unit past its time limit
included) stops a local pool's workers (``Pool.stop``) instead of waiting for them.
"""

import os
import signal
import socket
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from coursegen.errors import BuildError
from coursegen.stages import workers

DEFAULT_UNIT_TIMEOUT = 900.0  # seconds: this course's longest unit takes about 10
DASK_CONNECT_SECONDS = 10
DASK_NO_WORKER_SECONDS = 60  # how long a cluster may have no worker before the build stops


class UnitTimeout(BaseException):
    """Raised into a unit run in this process when it passes its time limit."""


class Inline(Executor):
    """Runs each unit as it is submitted, in this process (``jobs=1`` starts no pool),
    stopped by an alarm when it passes its time limit (in the main thread)."""

    capacity = 1

    def __init__(self, timeout: float = DEFAULT_UNIT_TIMEOUT):
        self.timeout = timeout

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            with time_limit(self.timeout):
                future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # reported through the future, as a pool would
            future.set_exception(e)
        return future

    def healthy(self) -> None:
        pass


@contextmanager
def time_limit(seconds: float):
    """``UnitTimeout`` raised into this process's code after ``seconds`` (an alarm: in
    the main thread; elsewhere no limit, and the pipeline's own clock applies)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _raise_timeout(signum, frame):
    raise UnitTimeout()


class Pool(ProcessPoolExecutor):
    """A local process pool whose workers die with the build (``workers.exit_with``)."""

    def __init__(self, jobs: int):
        super().__init__(max_workers=jobs, initializer=workers.exit_with, initargs=(os.getpid(),))
        self.capacity = jobs

    def healthy(self) -> None:
        pass

    def stop(self) -> None:
        """Cancel what waits and kill what runs: a hung unit is never waited for."""
        processes = list((self._processes or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join()


class Dask(Executor):
    """A Dask cluster's executor, whose workers must exist and keep existing."""

    def __init__(self, client):
        self.client = client
        self.executor = client.get_executor()
        self.alone_since: float | None = None
        self.capacity = max(1, len(client.nthreads()))

    def submit(self, fn, /, *args, **kwargs):
        return self.executor.submit(fn, *args, **kwargs)

    def healthy(self) -> None:
        """As many units at once as there are workers: a worker runs one at a time, whatever
        its threads (units.run), and a unit queued behind another would be timed from
        its submission and could be blamed for the other's time."""
        workers = len(self.client.nthreads())
        if workers:
            self.capacity, self.alone_since = workers, None
            return
        self.alone_since = self.alone_since or time.monotonic()
        if time.monotonic() - self.alone_since > DASK_NO_WORKER_SECONDS:
            raise BuildError(
                f"--dask {self.client.scheduler.address}: the scheduler has had no worker for "
                f"{DASK_NO_WORKER_SECONDS} s; start one (dask worker ADDRESS) or build without --dask"
            )


@contextmanager
def executor(options: "Options"):
    """The executor a build's options ask for, stopped (never waited for) on failure."""
    jobs, dask, unit_timeout = options.jobs, options.dask, options.unit_timeout
    if jobs < 1:
        raise BuildError(f"--jobs {jobs}: give a whole number of workers, 1 or more")
    if unit_timeout <= 0:
        raise BuildError(f"--unit-timeout {unit_timeout:g}: give a number of seconds above 0")
    if dask:
        with _dask_client(dask) as client:
            yield Dask(client)
        return
    if jobs == 1:
        yield Inline(unit_timeout)
        return
    pool = Pool(jobs)
    try:
        yield pool
    except BaseException:
        pool.stop()
        raise
    pool.shutdown(wait=True)


@contextmanager
def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise BuildError("--dask needs dask.distributed: pip install 'dask[distributed]'") from None
    try:
        client = _connect(Client, address)
    except ValueError as e:
        raise BuildError(
            f"--dask {address}: not a scheduler address ({e}); give one like tcp://127.0.0.1:8786"
        ) from None
    except (OSError, TimeoutError) as e:
        raise BuildError(
            f"--dask {address}: no scheduler answered within {DASK_CONNECT_SECONDS} s ({type(e).__name__}); "
            f"start one (dask scheduler) or build without --dask"
        ) from None
    except BuildError:
        raise
    except Exception as e:  # something else answered: its bytes are no Dask message
        raise BuildError(
            f"--dask {address}: what answers there is not a Dask scheduler ({type(e).__name__}); "
            f"a scheduler listens on 8786 by default"
        ) from None
    with client:
        if not client.nthreads():
            print(f"dask: waiting up to {DASK_NO_WORKER_SECONDS} s for a worker to join {address}", file=sys.stderr)
        try:
            client.wait_for_workers(1, timeout=DASK_NO_WORKER_SECONDS)
        except (TimeoutError, OSError):
            raise BuildError(
                f"--dask {address}: the scheduler has no worker after {DASK_NO_WORKER_SECONDS} s; "
                f"start one (dask worker {address}) or build without --dask"
            ) from None
        yield client


def _connect(Client, address: str):
    """``Client(address)``, once what answers there has spoken first, as a scheduler
    does (its handshake): Dask's own time limit covers the connection, not the
    handshake, which waits forever on a server that accepts and says nothing back (the
    dashboard's web port). Only a TCP address is looked at first."""
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme == "tcp":
        with socket.create_connection(parse_host_port(location), timeout=DASK_CONNECT_SECONDS) as probe:
            try:
                probe.recv(1)
            except TimeoutError:
                raise BuildError(
                    f"--dask {address}: something accepted the connection but did not answer as a Dask scheduler "
                    f"within {DASK_CONNECT_SECONDS} s (the dashboard's web port? a scheduler listens on 8786 by default)"
                ) from None
    return Client(address, timeout=f"{DASK_CONNECT_SECONDS}s")


@dataclass(frozen=True)
class Options:
    """Where and how long units run, as the command line says (``--jobs``, ``--dask``,
    ``--unit-timeout``)."""

    jobs: int = 1
    dask: str | None = None
    unit_timeout: float = DEFAULT_UNIT_TIMEOUT

    @classmethod
    def of(cls, args) -> "Options":
        return cls(args.jobs, args.dask, args.unit_timeout)
