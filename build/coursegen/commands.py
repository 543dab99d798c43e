"""What each CLI command does, as a sequence of the pipeline's stages."""

import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from coursegen import cache, manifest, pages, pipeline, results, site
from coursegen.errors import BuildError
from coursegen.parameters import Sheet, load_sheet


def discover(content: Path, root: Path) -> list[Sheet]:
    """Every folder of ``content/`` is a worksheet (sorted by name)."""
    if not content.is_dir():
        raise BuildError(f"{content}: no content folder")
    return [load_sheet(d, root) for d in sorted(content.iterdir()) if d.is_dir() and not d.name.startswith(".")]


def build_lock(paths):
    """One build at a time per checkout; a second one waits, saying so."""
    paths.cache.mkdir(parents=True, exist_ok=True)
    lock = FileLock(paths.cache / "build.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print("another build is running in this checkout; waiting for it to finish", file=sys.stderr)
        lock.acquire()
    return lock


def prepare_docs(paths, edition: str, jobs: int, log) -> pipeline.Built:
    """Experiments, figures and pages into the docs folder (everything but MkDocs)."""
    t = time.perf_counter()
    sheets = discover(paths.content, paths.root)
    log(f"parameters: {len(sheets)} worksheet(s), {sum(len(s.experiments) for s in sheets)} experiments, "
        f"{sum(len(s.figures) for s in sheets)} figures ({time.perf_counter() - t:.1f} s)")
    built = pipeline.build(sheets, cache.Store(paths.cache), jobs)
    log(built.experiments.line("experiments"))
    log(built.figures.line("figures"))
    t = time.perf_counter()
    loaded = {}
    for (sheet, name), npz in built.results.items():
        loaded.setdefault(sheet, {})[name] = results.load(npz)
    docs_files = site.katex_assets(paths.node_modules)
    figure_files: dict[str, dict[str, dict[str, bytes]]] = {}
    for out in built.outputs:
        kind, sheet, filename = out.path.split("/", 2)
        if kind == "figures":
            data = out.source.read_bytes()
            docs_files[f"{sheet}/figures/{filename}"] = data
            name = filename.split(".", 1)[0]
            figure_files.setdefault(sheet, {}).setdefault(name, {})[filename] = data
    rendered = pages.render_pages(paths.content, paths.templates, sheets, loaded, figure_files, edition)
    docs_files.update({rel: text.encode("utf-8") for rel, text in rendered.items()})
    changed = site.sync_docs(paths.docs, docs_files)
    log(f"pages: {len(rendered)} rendered, {changed} file(s) changed in {paths.docs.name}/ "
        f"({time.perf_counter() - t:.1f} s)")
    return built


def build_site(paths, args, log) -> int:
    with build_lock(paths):
        prepare_docs(paths, args.edition, args.jobs, log)
        t = time.perf_counter()
        out = Path(args.site_dir).resolve() if args.site_dir else paths.root / "site"
        site.mkdocs_build(paths.config, out, site.source_date_epoch(paths.root), quiet=True)
        log(f"mkdocs: {args.edition} edition built into {out.name}/ ({time.perf_counter() - t:.1f} s)")
    return 0


@contextmanager
def fresh_build(paths, jobs: int, log):
    """Every experiment and figure from an empty cache, in a scratch folder."""
    with build_lock(paths), tempfile.TemporaryDirectory(prefix="coursegen-check-") as scratch:
        built = pipeline.build(discover(paths.content, paths.root), cache.Store(Path(scratch)), jobs)
        log(built.experiments.line("experiments"))
        log(built.figures.line("figures"))
        yield built


def check(paths, args, log) -> int:
    if not paths.manifest.is_file():
        raise BuildError(f"{paths.manifest.name} is missing: run `make lock-figures` to create it")
    expected = manifest.read(paths.manifest)
    with fresh_build(paths, args.jobs, log) as built:
        problems = manifest.compare(expected, built.outputs)
    if problems:
        print(f"check: {len(problems)} problem(s) against {paths.manifest.name}:", file=sys.stderr)
        for line in problems:
            print("  " + line, file=sys.stderr)
        return 1
    print(f"check: all {len(built.outputs)} generated files match {paths.manifest.name}")
    return 0


def lock_figures(paths, args, log) -> int:
    with fresh_build(paths, args.jobs, log) as built:
        manifest.write(paths.manifest, built.outputs)
    print(f"lock-figures: wrote {len(built.outputs)} hashes to {paths.manifest.name}")
    return 0


def serve(paths, args, log) -> int:
    """``mkdocs serve`` with a hook that re-runs the (cached) pipeline before each rebuild."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    os.environ.update(
        COURSEGEN_ROOT=str(paths.root), COURSEGEN_CACHE=str(paths.cache), COURSEGEN_EDITION=args.edition, COURSEGEN_JOBS=str(args.jobs),
        NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=site.source_date_epoch(paths.root),
    )
    hook = Path(__file__).with_name("serve_hook.py")
    mkdocs_serve(
        config_file=str(paths.config), livereload=True, dev_addr=args.dev_addr,
        watch=[str(paths.content), str(paths.templates)], hooks=[str(hook)],
    )
    return 0
