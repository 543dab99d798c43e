"""One exception type for every mistake in the sources a build reads.

The CLI prints its message (which names the file and the field or line) instead of a
traceback, and exits non-zero; nothing reaches ``site/`` after one is raised. When the
mistake is an exception inside course code (an experiment or figure function), the
message names that code's file and line, and ``trace`` keeps the full traceback for
``--traceback``.
"""

import inspect
import os
import traceback
from contextlib import contextmanager
from pathlib import Path

# Where paths in messages are shown from: the course being built (``Course.activate``).
ROOT = Path.cwd()


class BuildError(Exception):
    """A problem with the build's inputs, worded for the staff member who can fix it."""

    def __init__(self, message: str, trace: str = ""):
        super().__init__(message, trace)  # both in args: the error survives pickling (worker pools, Dask)
        self.trace = trace

    def __str__(self) -> str:
        return self.args[0]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, as the build's own SIGINT handler raises it (``cli``): the reader stopped
    the build, which no unit reports as its code stopping (a ``KeyboardInterrupt`` the
    course's code raises itself still is)."""


def code_failure(error: Exception, inside: Path | None, function=None) -> BuildError:
    """An exception raised by code under ``inside``, as one line naming where it was raised.

    The line is the innermost frame in ``inside`` (the experiment or figure code, not
    numpy's internals), else in ``function``'s file, else ``function`` itself (a
    generator the toolkit stopped has no frame running): the line staff can act on,
    not the toolkit's. The whole traceback is kept for ``--traceback``.
    """
    frames = traceback.extract_tb(error.__traceback__)
    source = _source_of(function)
    ours = [f for f in frames if inside and Path(f.filename).resolve().is_relative_to(inside)]
    ours = ours or [f for f in frames if source and Path(f.filename).resolve() == source]
    detail = "".join(traceback.format_exception_only(error)).strip()
    if source and not ours:
        place = (source, inspect.getsourcelines(function)[1], function.__name__)
    elif ours or frames:
        frame = (ours or frames)[-1]
        place = (Path(frame.filename), frame.lineno, frame.name)
    else:
        place = None
    if place:
        where = inside.parent if inside and place[0].resolve().is_relative_to(inside) else None
        detail += f" ({shown(place[0], where)}, line {place[1]}, in {place[2]})"
    return BuildError(detail, "".join(traceback.format_exception(error)))


def _source_of(function) -> Path | None:
    try:
        return Path(inspect.getsourcefile(function)).resolve() if function is not None else None
    except TypeError:  # a builtin: no file
        return None


def shown(path: Path, root: Path | None = None) -> str:
    """A path as staff see it: relative to the course (``root``, by default the one being
    built) when it is inside it."""
    path, root = path.resolve(), (root or ROOT).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


@contextmanager
def no_hard_exit():
    """While the course's code runs, ``os._exit`` raises ``SystemExit`` instead of ending
    the process: a build that course code ended with status 0 would look like one that
    succeeded. The caller reports it like ``sys.exit``, naming the unit and the line."""
    real = os._exit

    def refused(status):
        raise SystemExit(status)

    os._exit = refused
    try:
        yield
    finally:
        os._exit = real
