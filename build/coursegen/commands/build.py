"""What each CLI command does, as a sequence of the pipeline's stages."""

import dataclasses
import datetime as dt
import logging
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from coursegen import atomic, errors, writable
from coursegen.commands import scaffold
from coursegen.errors import BuildError
from coursegen.site import answers, attachments, engines, pages, reading, worksheets
from coursegen.site import notebooks as notebook
from coursegen.site.compiled_templates import CompiledTemplates
from coursegen.stages import cache, editions, executors, manifest, pipeline, report, results, units
from coursegen.stages.editions import Edition, Publication
from coursegen.stages.parameters import Sheet, load_sheet


def discover(content: Path, root: Path, only: str | None = None) -> list[Sheet]:
    """Every folder of ``content/`` with an ``index.md`` is a worksheet, in the order of
    their front matter's ``number``; ``only``: just that one (``--sheet``)."""
    if not content.is_dir():
        raise BuildError(f"{content}: no content folder")
    links_stay_inside(root, [content, root / "templates", root / "site_src"])
    folders = worksheet_folders(content)
    if only is not None:
        names = [d.name for d in folders]
        if only not in names:
            raise BuildError(f"--sheet {only}: no worksheet content/{only}/index.md; worksheets: {', '.join(names)}")
        folders = [d for d in folders if d.name == only]
    sheets = sorted((load_sheet(d, root) for d in folders), key=lambda s: (s.meta.number, s.name))
    for before, after in zip(sheets, sheets[1:]):
        if before.meta.number == after.meta.number:
            raise BuildError(
                f"content/{after.name}/index.md: front matter number {after.meta.number} is also "
                f"content/{before.name}/'s; give each worksheet its own"
            )
    return sheets


def worksheet_folders(content: Path) -> list[Path]:
    """The worksheet folders of ``content/``, each with its ``index.md``. Anything else
    there but the home page (and hidden or empty folders) would be left out of the site
    in silence: refused, named."""
    folders = []
    for entry in sorted(content.iterdir()):
        if _clutter(entry.name) or entry.name == "index.md":
            continue
        where = f"content/{entry.name}"
        if entry.is_dir() and not scaffold.FOLDER.fullmatch(entry.name):
            raise BuildError(
                f"{where}/: a worksheet folder's name is part of its pages' addresses: "
                f"letters, digits, - and _ only (e.g. {re.sub(r'[^A-Za-z0-9_-]+', '', entry.name) or 'dis02'})"
            )
        if entry.is_dir() and (entry / "index.md").is_file():
            folders.append(entry)
        elif entry.is_dir():
            held = sorted(
                p.relative_to(entry).as_posix()
                for p in entry.rglob("*")
                if p.is_file() and not any(map(_clutter, p.relative_to(entry).parts))
            )
            if held:
                raise BuildError(
                    f"{where}/: a worksheet folder without its index.md (the page and its front matter), "
                    f"so it would be left out; it holds {', '.join(held[:3])}{', ...' if len(held) > 3 else ''}"
                )
        else:
            raise BuildError(
                f"{where}: content/ holds the home page (index.md) and worksheet folders only; "
                f"a page goes into a worksheet folder (listed in its front matter's pages), "
                f"a picture beside the page that links to it"
            )
    return folders


def _clutter(name: str) -> bool:
    """What systems and editors leave beside what staff write: hidden files, backups."""
    return name.startswith(".") or name.endswith("~") or name in ("Thumbs.db", "desktop.ini")


def links_stay_inside(root: Path, folders: list[Path]) -> None:
    """A link among the sources to a file outside the course would be published (its
    page, its search entry): refused, with the link's name and where it points."""
    inside = root.resolve()
    for folder in folders:
        for current, dirs, files in os.walk(folder, followlinks=False):
            for name in sorted(dirs + files):
                path = Path(current) / name
                if path.is_symlink() and not path.resolve().is_relative_to(inside):
                    raise BuildError(
                        f"{os.path.relpath(path, root)}: a link to {path.resolve()}, outside the course; "
                        f"copy what it holds into the course instead"
                    )


@contextmanager
def build_lock(paths):
    """One build at a time per checkout (its site/, docs folders and swaps); a second
    one waits, saying so. Builds of other checkouts that share the cache run alongside:
    entries are written whole and renamed into place, and a sweep removes only the
    staging of builds that are no longer running (cache.Store)."""
    folder = paths.root / ".cache"
    writable.require(alone=(folder,))  # for the lock; what the build writes in it is checked where it does
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


def load_sheets(paths, log, only: str | None = None) -> list[Sheet]:
    t = time.perf_counter()
    sheets = discover(paths.content, paths.root, only)
    log(
        f"parameters: {len(sheets)} worksheet(s), {sum(len(s.experiments) for s in sheets)} experiments, "
        f"{sum(len(s.figures) for s in sheets)} figures ({time.perf_counter() - t:.1f} s)"
    )
    return sheets


def run_pipeline(sheets, store: cache.Store, options: executors.Options, log) -> pipeline.Built:
    with executors.executor(options) as ex:
        built = pipeline.build(sheets, store, ex, options.unit_timeout)
    log(built.experiments.line("experiments"))
    if built.summaries.run or built.summaries.cached:
        log(built.summaries.line("summaries"))
    log(built.figures.line("figures"))
    for warning in built.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return built


def prepare_docs(
    paths,
    shown: Publication,
    options: executors.Options,
    log,
    handouts: dict[str, list[str]] | None = None,
    only: str | None = None,
) -> tuple[list[Sheet], pipeline.Built]:
    """Experiments, figures and pages into the edition's own docs folder (all but MkDocs).

    Each worksheet is rendered in the edition ``shown`` gives it. Only the figures it
    shows are copied: a worksheet shown without solutions has no file of a solution
    figure in the docs folder. ``only``: one worksheet (``--sheet``).
    """
    sheets = load_sheets(paths, log, only)
    built = run_pipeline(sheets, cache.Store(paths.cache), options, log)
    t = time.perf_counter()
    docs_files, rendered, reads = render_docs(paths, shown, sheets, built, handouts)
    own_assets = {f"assets/{rel}": data for rel, data in engines.layered(paths.assets).items()}
    answers.check_site(paths.content, paths.root, hidden(shown, sheets), docs_files, reads, own_assets)
    check_unpublished_solutions(paths, shown, sheets, built, reads)
    docs_files.update({**engines.hand_written(paths.assets), **engines.browser_assets()})
    docs = paths.docs(shown.edition)
    changed = engines.sync_docs(docs, docs_files)
    log(
        f"pages: {len(rendered)} rendered, {changed} file(s) changed in the {shown.edition} docs folder "
        f"({time.perf_counter() - t:.1f} s)"
    )
    return sheets, built


def hidden(shown: Publication, sheets: list[Sheet]) -> list[str]:
    """The worksheets this build shows without their solutions."""
    return [s.name for s in sheets if shown.of(s) is not Edition.SOLUTIONS]


def render_docs(
    paths,
    shown: Publication,
    sheets: list[Sheet],
    built: pipeline.Built,
    handouts: dict[str, list[str]] | None,
    links_read: bool = True,
) -> tuple[dict[str, bytes], dict[str, str], dict[str, reading.Read]]:
    """The generated files of an edition's docs folder (pages, figures, notebooks; not the
    CSS, JS and KaTeX assets), the pages' Markdown and what each page's HTML holds
    (``reading.Read``), from a build's results and figures, writing nothing. ``links_read`` (the files the pages link to added, every
    link checked): off where only the notebooks are wanted."""
    loaded: dict[str, dict[str, results.Lazy]] = {}
    for (sheet, name), npz in built.results.items():
        loaded.setdefault(sheet, {})[name] = results.Lazy(npz)
    sheet_editions = {s.name: shown.of(s) for s in sheets}
    visible = {(s.name, name) for s in sheets for name in s.shown_figures(sheet_editions[s.name])}
    drawn = pipeline.DrawnFigure.collect(built.outputs, visible)
    docs_files: dict[str, bytes] = {}
    for fig in drawn.values():
        docs_files.update({f"{fig.sheet}/figures/{name}": data for name, data in fig.files.items()})
    listing = worksheets.entries(sheets, shown, handouts or {})
    compiled = CompiledTemplates(paths.compiled_templates)
    rendered = pages.render_pages(
        paths.content, paths.templates, sheets, loaded, drawn, sheet_editions, listing, compiled
    )
    reader = reading.Reader.of(paths.config)
    reads = {rel: reader.read(text) for rel, text in rendered.items()}
    rendered = {rel: reading.published(text, reads[rel], f"content/{rel}") for rel, text in rendered.items()}
    docs_files.update({rel: text.encode("utf-8") for rel, text in rendered.items()})
    docs_files.update(notebook.notebooks(sheets, loaded, rendered, sheet_editions))
    if links_read:
        links = attachments.targets(reads)
        docs_files.update(attachments.linked(paths.content, links))
        attachments.missing_targets(paths.content, sheets, links, docs_files)
    return docs_files, rendered, reads


def check_unpublished_solutions(
    paths, shown: Publication, sheets: list[Sheet], built: pipeline.Built, reads: dict[str, reading.Read]
) -> None:
    """The solutions this build does not publish (not released yet, or a student
    edition), rendered and checked, then dropped: a mistake in one (a result that is
    not there, a link to a missing file) stops this build, as it would stop the build
    that publishes them, at the release time, unattended. A file only they link is
    theirs: another page of this build (``reads``) linking it would publish it."""
    hidden = [s.name for s in sheets if shown.of(s) is not Edition.SOLUTIONS]
    if not hidden:
        return
    try:
        _, _, solved = render_docs(paths, Publication(Edition.SOLUTIONS, shown.clock), sheets, built, None)
    except pages.UnplacedFigure:
        raise  # placed nowhere: in no edition, not only in the solutions
    except BuildError as e:
        raise BuildError(
            f"{e} (in solutions this build does not publish; a build that publishes them would stop)"
        ) from None
    attachments.solution_files_unlinked(hidden, solved, reads)


def notebook_outputs(paths, sheets: list[Sheet], built: pipeline.Built, scratch: Path) -> list[pipeline.Output]:
    """Each worksheet's companion notebooks, solutions and student, as manifest entries
    (``notebooks/<sheet>/<edition>/<sheet>.ipynb``), their bytes written into ``scratch``."""
    found = []
    for edition in editions.RENDERINGS:
        shown = Publication(edition, dt.datetime(1970, 1, 1, tzinfo=dt.UTC))  # the clock plays no part
        files, _, _ = render_docs(paths, shown, sheets, built, None, links_read=False)
        for sheet in sheets:
            name = notebook.filename(sheet)
            if name is None:
                continue
            path = Path(scratch) / "notebooks" / edition / sheet.name / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[f"{sheet.name}/{name}"])
            producers = tuple(f"{sheet.name}/{e}" for e in sheet.experiments)
            found.append(pipeline.Output(f"notebooks/{sheet.name}/{edition}/{name}", producers, path, sheet.name))
    return found


def site_dir(paths, requested: str | None) -> Path:
    """The output folder: ``<root>/site``, or one that cannot hold anything a build needs.

    The whole folder is replaced by the built site, so one that is, contains or lies
    inside the checkout, the sources or the cache would delete them; and one that holds
    anything but a site a build wrote (``--site-dir ~``, a folder of documents) would
    delete that.
    """
    default = paths.root / "site"
    if not requested:
        return _replaceable(default, "site/")
    if Path(requested).is_symlink():
        raise BuildError(f"--site-dir {requested}: refusing to replace a link; give the folder itself")
    out = Path(requested).resolve()
    if out == default:
        return _replaceable(out, "site/")
    for name, kept in (
        ("the sources", paths.content),
        ("the templates", paths.root / "templates"),
        ("the course's code", paths.code),
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
    return _replaceable(out, f"--site-dir {out}")


def _replaceable(out: Path, named: str) -> Path:
    """``out`` if a build may replace it whole: missing, empty, or a site a build wrote
    that holds nothing else (its mark lists every file: a file added since is kept)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise BuildError(f"{named}: refusing to replace a file or a link; choose a new or empty folder")
    if not out.is_dir() or not any(out.iterdir()):
        return out
    foreign = engines.foreign_files(out)
    if foreign is None:
        raise BuildError(
            f"{named}: refusing to replace a folder that coursegen did not build (it has no {engines.SITE_MARK}, "
            f"which a site built by an older coursegen lacks too); move it aside, or choose a new or empty folder"
        )
    if foreign:
        shown_files = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise BuildError(
            f"{named}: refusing to replace a built site that now holds files no build wrote ({shown_files}); "
            f"move them elsewhere and build again"
        )
    return out


def build_site(paths, args, log) -> int:
    shown = editions.publication(args.edition, args.as_of, paths.root)
    out = site_dir(paths, args.site_dir)
    build_into(
        paths, shown, out, executors.Options.of(args), log, getattr(args, "handouts", None), args.sheet, args.engine
    )
    if args.sheet:
        log(f"site: {out.name}/ holds {args.sheet} only (--sheet); build without it for the whole course")
    for script in engines.unlisted_scripts(paths.config):
        print(
            f"warning: {paths.config.name}: extra_javascript does not list {script}, which coursegen ships "
            f"(added since this course was made?); add it, as `coursegen init` writes it",
            file=sys.stderr,
        )
    return 0


def build_into(
    paths,
    shown: Publication,
    out: Path,
    options: executors.Options,
    log,
    handouts: dict[str, list[str]] | None = None,
    only: str | None = None,
    engine: str = "mkdocs",
) -> list[Sheet]:
    """The whole build of one edition into ``out`` (any folder; the caller checked it);
    ``handouts``: the PDF handouts the site will hold, for the home page's links;
    ``engine``: the static-site engine that builds the docs folder (engines.ENGINES)."""
    with build_lock(paths):
        if atomic.recover_tree(out):
            log(f"site: restored the previous {out.name}/ that an interrupted build had moved aside")
        docs = paths.docs(shown.edition)
        # the cache: checked by the CLI
        writable.require(out, docs, paths.compiled_templates, alone=(paths.root, out.parent))
        sheets, _ = prepare_docs(paths, shown, options, log, handouts, only)
        t = time.perf_counter()
        epoch = engines.source_date_epoch(paths.root)
        nav = worksheets.nav(sheets)
        engines.engine_build(
            engine,
            paths.config,
            docs,
            out,
            epoch,
            True,
            nav,
            CompiledTemplates(paths.compiled_templates),
            inspect=lambda staging: answers.check_chrome(paths.content, paths.root, hidden(shown, sheets), staging),
        )
        log(f"{engine}: {shown.edition} edition built into {out.name}/ ({time.perf_counter() - t:.1f} s)")
    return sheets


@contextmanager
def fresh_build(paths, options: executors.Options, log, only: str | None = None):
    """Every experiment and figure (of worksheet ``only``) from an empty cache, in a
    scratch folder, and the companion notebooks made from them (in ``outputs``)."""
    with build_lock(paths), tempfile.TemporaryDirectory(prefix="coursegen-check-") as scratch:
        sheets = load_sheets(paths, log, only)
        built = run_pipeline(sheets, cache.Store(Path(scratch) / "cache"), options, log)
        built.outputs = sorted(
            [*built.outputs, *notebook_outputs(paths, sheets, built, Path(scratch))], key=lambda o: o.path
        )
        yield sheets, built


def check(paths, args, log) -> int:
    if not paths.manifest.is_file():
        raise BuildError(f"{paths.manifest.name} is missing: run `coursegen lock-figures` to create it")
    expected = manifest.read(paths.manifest)
    if args.sheet:
        expected = manifest.of_sheet(expected, args.sheet)
    with fresh_build(paths, executors.Options.of(args), log, args.sheet) as (sheets, built):
        diffs = manifest.compare(expected, built.outputs)
        folder = paths.root / "check-report"
        if not diffs:
            which = f" of {args.sheet}" if args.sheet else ""
            print(f"check: all {len(built.outputs)} generated files{which} match {paths.manifest.name}")
            if folder.is_dir() and not args.sheet:  # an earlier failure's report, which no longer holds
                shutil.rmtree(folder)
                print(f"check: removed {folder.name}/, the report of an earlier check that failed")
            return 0
        lines = report.explain(diffs, cache.Store(paths.cache), folder)
        unsteady = not_deterministic(sheets, built, diffs)
    print(f"check: {len(diffs)} file(s) differ from {paths.manifest.name}:", file=sys.stderr)
    for line in lines:
        print("  " + line, file=sys.stderr)
    for change in manifest.version_changes(expected):
        print(f"  library version differs: {change}", file=sys.stderr)
    shown_in = f"report: {folder}/. " if folder.is_dir() else ""  # none when files are only missing
    for unit in unsteady:
        print(
            f"  {unit.sheet}/{unit.name} is not deterministic: run again here with the same code, parameters and "
            f"libraries, it gave other results (does it read the clock, draw unseeded random numbers, or depend "
            f"on a set's order?)",
            file=sys.stderr,
        )
    if unsteady:
        print(
            f"  {shown_in}Make it deterministic, then run `coursegen lock-figures`: locking now fixes one draw.",
            file=sys.stderr,
        )
        return 1
    print(
        f"  {shown_in}If the change is intended, run `coursegen lock-figures` and commit {paths.manifest.name}.",
        file=sys.stderr,
    )
    return 1


def not_deterministic(sheets: list[Sheet], built: pipeline.Built, diffs: list) -> list[units.Unit]:
    """The experiments and summaries whose results differ from the manifest and that,
    run again on the same inputs in a new process (a new interpreter: its strings hash
    otherwise, so a set's order changes as it does between two commands), give other
    bytes than the check's run: no code or parameter changed, they draw something the
    key does not hold (the clock, unseeded random numbers, a set's order)."""
    moved = {d.path for d in diffs if d.path.startswith("results/")}
    again = [
        u
        for u in pipeline.plan(sheets)
        if u.what is not units.UnitKind.FIGURE and f"results/{u.sheet}/{u.name}.npz" in moved
    ]
    if not again:
        return []
    runtime = units.Runtime.here()
    found = []
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        for unit in again:
            npzs = [built.results[(unit.sheet, name)].read_bytes() for name in unit.inputs]
            files, _ = fresh.submit(units.run, unit, runtime, npzs).result()
            if files["results.npz"] != built.results[(unit.sheet, unit.name)].read_bytes():
                found.append(unit)
    return found


def lock_figures(paths, args, log) -> int:
    if args.sheet and paths.manifest.is_file() and not (paths.content / args.sheet / "index.md").is_file():
        gone = manifest.of_sheet(manifest.read(paths.manifest), args.sheet)["files"]
        if gone:  # a worksheet taken out of content/: its entries go too
            manifest.write(paths.manifest, [], args.sheet)
            print(
                f"lock-figures: content/{args.sheet}/ is gone; removed its {len(gone)} entries from {paths.manifest.name}"
            )
            return 0
    with fresh_build(paths, executors.Options.of(args), log, args.sheet) as (_, built):
        manifest.write(paths.manifest, built.outputs, args.sheet)
    print(f"lock-figures: wrote {len(built.outputs)} hashes to {paths.manifest.name}")
    return 0


def draw_figure(paths, args, log) -> int:
    """``coursegen figure SHEET/NAME``: one figure (and its student rendering) from its
    experiments' results, cached or run, into ``.cache/preview/SHEET/``: a fast loop
    on a figure's code, which runs no other experiment and draws no other figure."""
    sheet_name, _, name = args.figure.partition("/")
    if not (paths.content / sheet_name / "index.md").is_file():
        raise BuildError(f"figure {args.figure}: no worksheet content/{sheet_name}/index.md (give SHEET/NAME)")
    (sheet,) = discover(paths.content, paths.root, sheet_name)
    if name not in sheet.figures or sheet.figures[name].rendering_of:
        known = ", ".join(n for n, f in sheet.figures.items() if not f.rendering_of) or "none"
        raise BuildError(f"figure {args.figure}: {sheet_name} has no figure {name!r}; its figures: {known}")
    fig = sheet.figures[name]
    one = dataclasses.replace(
        sheet,
        experiments={e: sheet.experiments[e] for e in fig.experiments},
        figures={n: f for n, f in sheet.figures.items() if n == name or f.rendering_of == name},
        summaries={},
    )
    with build_lock(paths):
        built = run_pipeline([one], cache.Store(paths.cache), executors.Options.of(args), log)
    preview = paths.root / ".cache" / "preview" / sheet_name
    preview.mkdir(parents=True, exist_ok=True)
    for out in built.outputs:
        if out.figure:
            atomic.write_bytes(preview / out.filename, out.source.read_bytes())
            print(f"figure: {errors.shown(preview / out.filename, paths.root)}")
    return 0


def _zensical_serve(paths, shown: Publication, docs: Path, args, log, sheets) -> int:
    """``zensical serve`` of the edition's docs folder. Zensical runs no MkDocs hooks,
    so a watcher re-renders the docs folder (under the build lock, from the cache) when a
    source changes; Zensical then reloads what changed."""
    out = docs.parent.parent / "zensical" / f"{docs.name}-serve"
    config = engines.zensical_config(paths.config, docs, out, worksheets.nav(sheets))
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so that the finally below stops zensical too
    server = subprocess.Popen([engines.zensical_command(), "serve", "-f", str(config), "-a", args.dev_addr])
    seen = _stamps([*paths.watched, paths.config])
    try:
        while server.poll() is None:
            time.sleep(1)
            # read again each time: mkdocs.yml may name another custom_dir meanwhile
            now = _stamps([*paths.watched, paths.config])
            if now != seen:
                seen = now
                try:
                    paths.activate()  # the course's code as it is now (the units' keys hold its bytes)
                    with build_lock(paths):
                        sheets, _ = prepare_docs(paths, shown, executors.Options.of(args), log)
                    engines.zensical_config(paths.config, docs, out, worksheets.nav(sheets))
                except BuildError as e:
                    print(f"error: {e}", file=sys.stderr)  # the previous preview stays up, saying so
                    with build_lock(paths):  # never while a build of this edition reads the docs folder
                        engines.mark_stale(docs, str(e))
    finally:
        server.terminate()
        server.wait()
    return server.returncode or 0


def _exit_on_sigterm(signum, _frame) -> None:
    """A stop by SIGTERM (a process manager, an editor's stop button) as an exit: Python
    would otherwise end at once and leave ``zensical serve`` running, holding the port."""
    raise SystemExit(128 + signum)


def _stamps(watched) -> list[tuple[str, int, int]]:
    """Each watched file's (and each file's in a watched folder) path, time and size."""
    files = (p for w in watched for p in ([w] if w.is_file() else w.rglob("*")) if p.is_file())
    return sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def serve(paths, args, log) -> int:
    """``mkdocs serve`` of the edition's docs folder, with a hook that re-runs the (cached)
    pipeline, under the build lock, before each rebuild."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    shown = editions.publication(args.edition, args.as_of, paths.root)
    os.environ.update(
        COURSEGEN_ROOT=str(paths.root),
        COURSEGEN_CACHE=str(paths.cache),
        COURSEGEN_EDITION=shown.edition,
        COURSEGEN_AS_OF=shown.clock.isoformat(),
        COURSEGEN_JOBS=str(args.jobs),
        NO_MKDOCS_2_WARNING="1",
        SOURCE_DATE_EPOCH=engines.source_date_epoch(paths.root),
    )
    hook = Path(engines.__file__).with_name("serve_hook.py")
    docs = paths.docs(shown.edition)
    with build_lock(paths):  # MkDocs needs the docs folder before its first build
        sheets, _ = prepare_docs(paths, shown, executors.Options.of(args), log)
    if args.engine == "zensical":
        return _zensical_serve(paths, shown, docs, args, log, sheets)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("mkdocs: %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    mkdocs_serve(
        config_file=str(paths.config),
        livereload=True,
        dev_addr=args.dev_addr,
        docs_dir=str(docs),
        watch=[str(p) for p in paths.watched],
        hooks=[str(hook)],
        nav=worksheets.nav(sheets),
    )
    return 0
