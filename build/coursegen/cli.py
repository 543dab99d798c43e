"""The command line: ``python -m coursegen site|check|lock-figures|serve``.

Each stage reports one line (``-q`` silences them). Mistakes in the sources print one
clear message naming the file and field or line, exit 1, and leave ``site/`` as it was.
"""

import argparse
import errno
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from coursegen import writable
from coursegen.commands import init, scaffold
from coursegen.course import Course, find_root
from coursegen.errors import BuildError, Interrupted
from coursegen.stages.editions import Edition  # neither imports matplotlib: safe before MPLCONFIGDIR
from coursegen.stages.executors import DEFAULT_UNIT_TIMEOUT, UnitTimeout, time_limit

AS_OF_HELP = (
    "the build's clock for scheduled solutions: a time with its zone (2022-09-09T17:00-07:00), "
    "@<unix seconds>, or now (default: SOURCE_DATE_EPOCH, else the last commit's time)"
)


def main(argv: list[str] | None = None) -> int:
    """The command line; Ctrl-C raises ``Interrupted`` meanwhile (in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGINT, _interrupted)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGINT, previous)


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    log = (lambda *a: None) if args.quiet or os.environ.get("CI") else _log
    try:
        if args.command == "init":  # it makes a course, so it needs none
            return init.init(Path(args.folder).resolve(), log)
        root = Path(args.root).resolve() if args.root else find_root(Path.cwd())
        if not (root / "content").is_dir():
            raise BuildError(f"--root {root}: not a course (it has no content/ folder); `coursegen init` starts one")
        paths = Course(root, Path(args.cache).resolve() if args.cache else root / ".cache" / "coursegen")
        writable.require(paths.cache)  # matplotlib's font cache lives there too
        os.environ["MPLCONFIGDIR"] = str(paths.cache / "mplconfig")  # never the user's rc, style or fonts
        limit = getattr(args, "unit_timeout", DEFAULT_UNIT_TIMEOUT)
        try:
            with time_limit(limit):
                paths.activate()  # the course's code, after MPLCONFIGDIR: it may import matplotlib
        except UnitTimeout:
            raise BuildError(
                f"{paths.code}: importing the course's code took longer than {limit:g} s and was stopped; "
                f"move slow work out of import time, or raise the limit with --unit-timeout SECONDS"
            ) from None
        from coursegen.commands import build as commands  # after MPLCONFIGDIR: they import matplotlib
        from coursegen.tools import bench, handout

        run = {
            "site": commands.build_site,
            "check": commands.check,
            "lock-figures": commands.lock_figures,
            "serve": commands.serve,
            "figure": commands.draw_figure,
            "handout": handout.make_handouts,
            "bench": bench.main,
            "new": scaffold.new,
        }[args.command]
        return run(paths, args, log)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        if args.traceback and e.trace:
            print(e.trace, file=sys.stderr, end="")
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SystemExit as e:  # argparse's came before `try`: this one is code the build ran
        if args.traceback:
            traceback.print_exc()
        print(
            f"error: something the build ran called sys.exit({e.code!r}) (run again with --traceback to see "
            f"where); nothing was built or checked",
            file=sys.stderr,
        )
        return 1
    except Exception as e:  # one line unless --traceback; never only a traceback
        if args.traceback:
            traceback.print_exc()
        print(f"error: {_unexpected(e)}", file=sys.stderr)
        return 1


def _interrupted(signum, frame):
    raise Interrupted


def _unexpected(e: Exception) -> str:
    """An error no check foresaw, in one line: the path and what to do for the system's."""
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (
            f"{e.filename or 'a file'}: {e.strerror}; free some disk space and build again "
            f"(the previous site/ is unchanged)"
        )
    if isinstance(e, OSError) and e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{e.filename}: {e.strerror}; make it writable (chmod -R u+w) and build again"
    if isinstance(e, OSError) and e.filename:
        return f"{e.filename}: {e.strerror}"
    return f"{type(e).__name__}: {e} (run again with --traceback to see where)"


def _whole(text: str) -> int:
    """``--jobs``: a whole number of workers, 1 or more."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of workers, 1 or more")
    return int(text)


def _seconds(text: str) -> float:
    """``--unit-timeout``: seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _log(line: str) -> None:
    print(line, flush=True)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coursegen", description=__doc__)
    p.add_argument(
        "--root", default=None, help="the course to build (default: the one the current folder lies in, found upwards)"
    )
    p.add_argument("--cache", default=None, help="cache folder (default: <root>/.cache/coursegen)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines (also when CI is set)")
    p.add_argument("--traceback", action="store_true", help="after an error's one line, show its full traceback")
    sub = p.add_subparsers(dest="command", required=True)
    start = sub.add_parser(
        "init", help="write a new course into an empty folder, which `coursegen site` builds at once"
    )
    start.add_argument("folder", nargs="?", default=".", help="the new course's folder (default: the current one)")
    site = sub.add_parser("site", help="run experiments, draw figures, fill pages, build site/")
    site.add_argument("--site-dir", default=None, help="output folder (default: <root>/site)")
    for name, text in (
        ("check", "rebuild every generated file from an empty cache and compare with manifest.json"),
        ("lock-figures", "rebuild from an empty cache and write manifest.json"),
    ):
        sub.add_parser(name, help=text)
    for cmd in (site, sub.choices["check"], sub.choices["lock-figures"]):
        cmd.add_argument("--sheet", default=None, help="one worksheet only (its folder name under content/)")
    sub.add_parser("bench", help="speed figures as one JSON line")
    figure = sub.add_parser("figure", help="draw one figure again into .cache/preview/ (SHEET/NAME)")
    figure.add_argument("figure", metavar="SHEET/NAME", help="e.g. dis01/const_anim")
    serve = sub.add_parser(
        "serve", help="live preview; re-renders when content/, templates/, course/ or the theme overrides change"
    )
    serve.add_argument("--dev-addr", default="127.0.0.1:8000")
    handout = sub.add_parser(
        "handout", help="PDF handouts of every worksheet (Chromium print to PDF) into site/handouts/"
    )
    handout.add_argument("--out", default=None, help="output folder (default: <root>/site/handouts)")
    for cmd in (site, serve, handout):
        cmd.add_argument(
            "--edition",
            default="scheduled",
            choices=[e.value for e in Edition],
            help="scheduled (default): each worksheet's solutions once released; solutions or student: all "
            "(handout: student prints the student handouts only)",
        )
        cmd.add_argument("--as-of", default=None, help=AS_OF_HELP)
    for cmd in (site, serve):
        cmd.add_argument(
            "--engine",
            default="mkdocs",
            choices=("mkdocs", "zensical"),
            help="the static-site engine (default: mkdocs)",
        )
    for cmd in sub.choices.values():
        cmd.add_argument(
            "-j", "--jobs", type=_whole, default=os.environ.get("JOBS") or "1", help="parallel workers (1 or more)"
        )
        cmd.add_argument(
            "--unit-timeout",
            type=_seconds,
            default=DEFAULT_UNIT_TIMEOUT,
            metavar="SECONDS",
            help=f"stop the build when one experiment or figure runs longer (default: {DEFAULT_UNIT_TIMEOUT:g})",
        )
        cmd.add_argument(
            "--dask",
            default=os.environ.get("COURSEGEN_DASK"),
            metavar="ADDRESS",
            help="run experiments and figures on a Dask cluster (scheduler address)",
        )
    scaffold.add_parser(sub)  # after the loop above: writing files takes no workers
    for cmd in _every_command(sub):  # -q and --traceback after the command too (without resetting them there)
        cmd.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        cmd.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return p


def _every_command(sub):
    """Each command's parser, ``new``'s own commands included."""
    for cmd in sub.choices.values():
        yield cmd
        for action in cmd._subparsers._group_actions if cmd._subparsers else ():
            yield from action.choices.values()


if __name__ == "__main__":
    sys.exit(main())
