"""What each CLI command does, as a sequence of the pipeline's stages."""

import logging
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from coursegen import atomic, cache, manifest, pages, pipeline, report, results, site, workers, writable
from coursegen.errors import BuildError
from coursegen.parameters import Sheet, load_sheet


def discover(content: Path, root: Path) -> list[Sheet]:
    """Every folder of ``content/`` is a worksheet (sorted by name)."""
    if not content.is_dir():
        raise BuildError(f"{content}: no content folder")
    return [load_sheet(d, root) for d in sorted(content.iterdir()) if d.is_dir() and not d.name.startswith(".")]


@contextmanager
def build_lock(paths):
    """One build at a time per checkout (its site/, docs folders and swaps); a second
    one waits, saying so. Builds of other checkouts that share the cache run alongside:
    entries are written whole and renamed into place, and a sweep removes only the
    staging of builds that are no longer running (cache.Store)."""
    folder = paths.root / ".cache"
    writable.require(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / "build.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print("another build is running in this checkout; waiting for it to finish", file=sys.stderr)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextmanager
def executor(jobs: int, dask: str | None):
    """Where units run: this process, a local process pool, or a Dask cluster."""
    if dask:
        try:
            from distributed import Client
        except ImportError:
            raise BuildError("--dask needs dask.distributed: pip install 'dask[distributed]'") from None
        with Client(dask) as client:
            yield client.get_executor()
    elif jobs > 1:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=workers.exit_with, initargs=(os.getpid(),))
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        yield pipeline.InlineExecutor()


def load_sheets(paths, log) -> list[Sheet]:
    t = time.perf_counter()
    sheets = discover(paths.content, paths.root)
    log(
        f"parameters: {len(sheets)} worksheet(s), {sum(len(s.experiments) for s in sheets)} experiments, "
        f"{sum(len(s.figures) for s in sheets)} figures ({time.perf_counter() - t:.1f} s)"
    )
    return sheets


def run_pipeline(sheets, store: cache.Store, jobs: int, dask: str | None, log) -> pipeline.Built:
    with executor(jobs, dask) as ex:
        built = pipeline.build(sheets, store, ex)
    log(built.experiments.line("experiments"))
    if built.summaries.run or built.summaries.cached:
        log(built.summaries.line("summaries"))
    log(built.figures.line("figures"))
    return built


def prepare_docs(
    paths, edition: str, jobs: int, log, dask: str | None = None, handouts: dict[str, list[str]] | None = None
) -> pipeline.Built:
    """Experiments, figures and pages into the edition's own docs folder (all but MkDocs).

    Only the figures the edition shows are copied: the student edition's docs folder
    holds no file of a solution figure.
    """
    sheets = load_sheets(paths, log)
    built = run_pipeline(sheets, cache.Store(paths.cache), jobs, dask, log)
    t = time.perf_counter()
    loaded: dict[str, dict[str, results.Lazy]] = {}
    for (sheet, name), npz in built.results.items():
        loaded.setdefault(sheet, {})[name] = results.Lazy(npz)
    docs_files = {**site.hand_written(paths.assets), **site.browser_assets(paths.node_modules)}
    figure_files: dict[str, dict[str, dict[str, bytes]]] = {}
    shown = {(s.name, name) for s in sheets for name in s.shown_figures(edition)}
    for out in built.outputs:
        if out.figure and (out.sheet, out.figure) in shown:
            data = out.source.read_bytes()
            filename = out.path.rsplit("/", 1)[1]
            docs_files[f"{out.sheet}/figures/{filename}"] = data
            figure_files.setdefault(out.sheet, {}).setdefault(out.figure, {})[filename] = data
    rendered = pages.render_pages(paths.content, paths.templates, sheets, loaded, figure_files, edition, handouts)
    docs_files.update({rel: text.encode("utf-8") for rel, text in rendered.items()})
    docs = paths.docs(edition)
    changed = site.sync_docs(docs, docs_files)
    log(
        f"pages: {len(rendered)} rendered, {changed} file(s) changed in the {edition} docs folder "
        f"({time.perf_counter() - t:.1f} s)"
    )
    return built


def site_dir(paths, requested: str | None) -> Path:
    """The output folder: ``<root>/site``, or one that cannot hold anything a build needs.

    The whole folder is replaced by the built site, so one that is, contains or lies
    inside the checkout, the sources or the cache would delete them.
    """
    default = paths.root / "site"
    if not requested:
        return default
    out = Path(requested).resolve()
    if out == default:
        return out
    for name, kept in (
        ("the sources", paths.content),
        ("the templates", paths.templates),
        ("the cache", paths.cache),
        ("the checkout", paths.root),
    ):
        kept = kept.resolve()
        relation = (
            "is"
            if out == kept
            else "contains"
            if kept.is_relative_to(out)
            else ("lies inside" if out.is_relative_to(kept) else None)
        )
        if relation:
            raise BuildError(
                f"--site-dir {out}: refusing to replace a folder that {relation} {name} ({kept}); "
                f"choose a folder outside the checkout, or leave --site-dir out for {default}"
            )
    return out


def build_site(paths, args, log) -> int:
    build_into(
        paths, args.edition, site_dir(paths, args.site_dir), args.jobs, args.dask, log, getattr(args, "handouts", None)
    )
    return 0


def build_into(
    paths, edition: str, out: Path, jobs: int, dask: str | None, log, handouts: dict[str, list[str]] | None = None
) -> None:
    """The whole build of one edition into ``out`` (any folder; the caller checked it);
    ``handouts``: the PDF handouts the site will hold, for the home page's links."""
    with build_lock(paths):
        if atomic.recover_tree(out):
            log(f"site: restored the previous {out.name}/ that an interrupted build had moved aside")
        writable.require(paths.root, out.parent, out, paths.docs(edition))  # the cache: checked by the CLI
        prepare_docs(paths, edition, jobs, log, dask, handouts)
        t = time.perf_counter()
        site.mkdocs_build(paths.config, paths.docs(edition), out, site.source_date_epoch(paths.root), quiet=True)
        log(f"mkdocs: {edition} edition built into {out.name}/ ({time.perf_counter() - t:.1f} s)")


@contextmanager
def fresh_build(paths, jobs: int, dask: str | None, log):
    """Every experiment and figure from an empty cache, in a scratch folder."""
    with build_lock(paths), tempfile.TemporaryDirectory(prefix="coursegen-check-") as scratch:
        yield run_pipeline(load_sheets(paths, log), cache.Store(Path(scratch)), jobs, dask, log)


def check(paths, args, log) -> int:
    if not paths.manifest.is_file():
        raise BuildError(f"{paths.manifest.name} is missing: run `make lock-figures` to create it")
    expected = manifest.read(paths.manifest)
    with fresh_build(paths, args.jobs, args.dask, log) as built:
        diffs = manifest.compare(expected, built.outputs)
        if not diffs:
            print(f"check: all {len(built.outputs)} generated files match {paths.manifest.name}")
            return 0
        folder = paths.root / "check-report"
        lines = report.explain(diffs, cache.Store(paths.cache), folder)
    print(f"check: {len(diffs)} file(s) differ from {paths.manifest.name}:", file=sys.stderr)
    for line in lines:
        print("  " + line, file=sys.stderr)
    for change in manifest.version_changes(expected):
        print(f"  library version differs: {change}", file=sys.stderr)
    print(
        f"  report: {folder}/. If the change is intended, run `make lock-figures` and commit {paths.manifest.name}.",
        file=sys.stderr,
    )
    return 1


def lock_figures(paths, args, log) -> int:
    with fresh_build(paths, args.jobs, args.dask, log) as built:
        manifest.write(paths.manifest, built.outputs)
    print(f"lock-figures: wrote {len(built.outputs)} hashes to {paths.manifest.name}")
    return 0


def serve(paths, args, log) -> int:
    """``mkdocs serve`` of the edition's docs folder, with a hook that re-runs the (cached)
    pipeline, under the build lock, before each rebuild."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    os.environ.update(
        COURSEGEN_ROOT=str(paths.root),
        COURSEGEN_CACHE=str(paths.cache),
        COURSEGEN_EDITION=args.edition,
        COURSEGEN_JOBS=str(args.jobs),
        NO_MKDOCS_2_WARNING="1",
        SOURCE_DATE_EPOCH=site.source_date_epoch(paths.root),
    )
    hook = Path(__file__).with_name("serve_hook.py")
    docs = paths.docs(args.edition)
    with build_lock(paths):  # MkDocs needs the docs folder before its first build
        prepare_docs(paths, args.edition, args.jobs, log)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("mkdocs: %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    mkdocs_serve(
        config_file=str(paths.config),
        livereload=True,
        dev_addr=args.dev_addr,
        docs_dir=str(docs),
        watch=[str(paths.content), str(paths.templates), str(paths.assets)],
        hooks=[str(hook)],
    )
    return 0
