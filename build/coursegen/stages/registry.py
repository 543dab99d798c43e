"""The course's own code: its experiments, summaries, figures and notebooks, found by one convention.

A course keeps its Python in the folder ``course/`` beside its ``content/``; the build
imports it as the package ``course`` (never from ``sys.path``, so no other folder of the
course becomes importable and no installed package of that name is picked up). Every
module of that folder and its subfolders is imported, in order of name, and contributes
the kinds of the module-level dicts it defines:

* ``EXPERIMENTS = {"kind": function}``: a function of one argument, annotated with a
  frozen dataclass of parameters (``parameters.params_type`` reads the annotation):
  every field has a default and one of the types int, float, bool, str or a tuple of
  one of them, and a parameter file may set any field. It returns
  ``dict[str, np.ndarray]``: identifier names, numeric arrays, nothing NaN or infinite
  (``results.check``). No plotting and no files: the pipeline caches and saves what it
  returns, and it draws its randomness from seeds in its own parameters only.
* ``SUMMARIES = {"kind": function}``: the results of several experiments (a list of
  mappings of arrays, in the order the parameter file lists them) to named arrays, like
  an experiment: the numbers a page states that compare experiments.
* ``FIGURES = {"kind": function}``: results to files, through ``coursegen.figures``
  (whose docstring is the figure contract).
* ``NOTEBOOKS = {"kind": notebook}``: an object with ``wants(sheet) -> bool`` (whether
  the worksheet has such a companion notebook) and ``build(sheet, results, page,
  edition) -> bytes`` (the ``.ipynb`` file): ``coursegen.site.notebooks``.

A kind that two modules define is an error naming both. A module without any of the
dicts (a helper, such as a compiled kernel) contributes nothing. So a new kind is a new
module and no other file changes: ``coursegen new experiment NAME`` writes one, with its
test. A course without a ``course/`` folder has no kinds (and can still build pages).

The build imports the bytes it read (``Code``), and keys every unit by them
(``units``). Pool workers forked from the build inherit the loaded package; a worker
elsewhere (a Dask cluster, long-lived) receives the course's code as bytes and loads
those bytes whenever they are not the ones it has.
"""

import hashlib
import importlib
import importlib.abc
import importlib.util
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from coursegen.errors import BuildError, code_failure, no_hard_exit, shown

PACKAGE = "course"  # the folder's name and its import name
ATTRIBUTES = ("EXPERIMENTS", "SUMMARIES", "FIGURES", "NOTEBOOKS")


@dataclass(frozen=True)
class Code:
    """The course's code as it runs: where it is and its files' bytes. The build loads
    exactly these bytes (``_SnapshotFinder``) and keys its units by them; they travel
    to a worker, which loads them by their digest, never by the folder's name alone."""

    folder: str
    files: tuple[tuple[str, bytes], ...]  # (path inside the folder, bytes), sorted

    @classmethod
    def read(cls, folder: Path) -> "Code":
        """Every file of the folder: its modules and the data they may read (not caches,
        hidden files or editors' backups)."""
        files = sorted(p for p in folder.rglob("*") if p.is_file() and _kept(p.relative_to(folder)))
        return cls(str(folder), tuple((p.relative_to(folder).as_posix(), p.read_bytes()) for p in files))

    @cached_property
    def data_digest(self) -> str:
        """The files that are not modules (data a module may read at run time): part of
        every unit's key, since no import statement says which unit reads them."""
        h = hashlib.sha256()
        for rel, data in self.files:
            if not rel.endswith(".py"):
                h.update(f"{rel}\0{len(data)}\0".encode())
                h.update(data)
        return h.hexdigest()

    @cached_property
    def digest(self) -> str:
        """What tells one version of the code from another: every file's path and bytes."""
        h = hashlib.sha256()
        for rel, data in self.files:
            h.update(f"{rel}\0{len(data)}\0".encode())
            h.update(data)
        return h.hexdigest()

    @cached_property
    def modules(self) -> dict[str, tuple[str, bytes]]:
        """Module name -> (path inside the folder, bytes), for every importable module:
        ``course.experiments.gd`` is ``experiments/gd.py``, ``course.figures`` its
        ``__init__.py``; a file in a folder without ``__init__.py`` is not importable."""
        rels = {rel for rel, _ in self.files}
        found = {}
        for rel, data in self.files:
            if not rel.endswith(".py"):
                continue
            parts = rel.removesuffix(".py").split("/")
            if any("/".join([*parts[:i], "__init__.py"]) not in rels for i in range(1, len(parts))):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            elif not parts[-1].isidentifier():
                continue
            found[".".join([PACKAGE, *parts])] = (rel, data)
        return found


@dataclass(frozen=True)
class Kinds:
    """Every kind the course's code registers, each dict sorted by kind."""

    folder: Path | None  # the course's code folder, resolved; None: the course has none
    code: Code = Code("", ())  # the bytes loaded
    experiments: dict = field(default_factory=dict)
    summaries: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)


_active = Kinds(None)
_loading = threading.RLock()  # a Dask worker's threads: one imports, the others wait for it


def kinds() -> Kinds:
    """The kinds of the course loaded last (``load``)."""
    return _active


def load(root: Path) -> Kinds:
    """Import the code of the course at ``root`` (``root/course``) and collect its kinds.

    The same bytes twice are imported once; any edit (or another course's folder)
    replaces the package (its modules are forgotten first), so one long-lived process
    (``coursegen serve``, a Dask worker) always runs the code on disk.
    """
    global _active
    folder = (root / PACKAGE).resolve()
    if not folder.is_dir():
        with _loading:
            _forget()
            _active = Kinds(None)
        return _active
    for _ in range(5):  # a file saved while the modules were imported: import again
        code = Code.read(folder)
        kinds = load_code(code)
        if Code.read(folder).digest == code.digest:
            return kinds
    raise BuildError(f"{shown(folder)}: its files kept changing while the build imported them; build again")


def load_code(code: Code) -> Kinds:
    """Import exactly ``code``'s bytes as the package ``course`` (unless they are the
    ones loaded now) and collect its kinds."""
    with _loading:
        return _load_code(code)


def _load_code(code: Code) -> Kinds:
    global _active
    folder = Path(code.folder)
    if _active.code.digest == code.digest and _active.folder == folder and PACKAGE in sys.modules:
        return _active
    _forget()
    _SnapshotFinder.install(code)
    try:
        with no_hard_exit():
            _import_all(code, folder, found := {attribute: {} for attribute in ATTRIBUTES})
    except BaseException as e:
        _forget()
        if isinstance(e, Exception) and not isinstance(e, BuildError):
            raise _load_failure(e, folder) from e
        if isinstance(e, SystemExit | KeyboardInterrupt):
            raise _load_failure(e, folder) from None
        raise
    _active = Kinds(folder, code, **{a.lower(): dict(sorted(found[a].items())) for a in ATTRIBUTES})
    return _active


def _import_all(code: Code, folder: Path, found: dict) -> None:
    """Import every module of ``code``; each kind into ``found``, defined once."""
    importlib.import_module(PACKAGE)
    owners: dict[tuple[str, str], Path] = {}
    for name in sorted(code.modules):
        module = importlib.import_module(name)
        source = folder / code.modules[name][0]
        for attribute in ATTRIBUTES:
            for kind, function in getattr(module, attribute, {}).items():
                if (attribute, kind) in owners:
                    raise BuildError(
                        f"{attribute} kind {kind!r} is defined twice: in {shown(owners[attribute, kind])} "
                        f"and in {shown(source)}; rename one"
                    )
                found[attribute][kind], owners[attribute, kind] = function, source


class _SnapshotFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the package ``course`` from a ``Code``'s bytes, not from whatever the
    files hold by the time Python reads them. Each module still names its file (for
    tracebacks, ``inspect`` and numba's cache)."""

    def __init__(self, code: Code):
        self.code = code
        self.folder = Path(code.folder)

    @classmethod
    def install(cls, code: Code) -> None:
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, cls)]
        sys.meta_path.insert(0, cls(code))

    def find_spec(self, fullname, path=None, target=None):
        if fullname != PACKAGE and not fullname.startswith(f"{PACKAGE}."):
            return None
        if fullname == PACKAGE and fullname not in self.code.modules:  # a folder without __init__.py
            spec = importlib.util.spec_from_loader(fullname, self, is_package=True)
            spec.submodule_search_locations = [str(self.folder)]
            return spec
        if fullname not in self.code.modules:
            return None
        rel, _ = self.code.modules[fullname]
        package = rel.endswith("__init__.py")
        return importlib.util.spec_from_file_location(
            fullname,
            self.folder / rel,
            loader=self,
            submodule_search_locations=[str((self.folder / rel).parent)] if package else None,
        )

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        entry = self.code.modules.get(module.__name__)
        if entry is not None:
            rel, data = entry
            exec(compile(data, str(self.folder / rel), "exec", dont_inherit=True), module.__dict__)

    def get_source(self, fullname):
        entry = self.code.modules.get(fullname)
        return entry[1].decode("utf-8") if entry else None


def _load_failure(error: BaseException, folder: Path) -> BuildError:
    """Course code that did not import, as one line naming its file and line: a syntax
    error (raised by the compiler, so no frame of the file), a missing library (which to
    install), an exception at import, or an exit (``sys.exit`` ends no build)."""
    if isinstance(error, SyntaxError):
        return BuildError(
            f"{shown(Path(error.filename))}, line {error.lineno}: {type(error).__name__}: {error.msg}; "
            f"the course's code did not load",
            "".join(traceback.format_exception(error)),
        )
    failure = code_failure(error, folder)
    if isinstance(error, ModuleNotFoundError):
        failure.args = (f"{failure}; install {error.name!r} where coursegen runs (and in requirements)", failure.trace)
    if isinstance(error, SystemExit | KeyboardInterrupt):
        failure.args = (f"{failure}; the course's code stopped the build while it loaded", failure.trace)
    return failure


def ensure(code: Code) -> Kinds:
    """In a worker: the kinds of the course whose code ``code`` is, loaded if need be:
    the same bytes are never loaded twice, and other bytes never run in their place (a
    long-lived worker from before an edit loads the edited code). A worker without the
    folder (another machine) loads a copy written from the bytes themselves."""
    if not code.folder:
        return _active
    with _loading:
        return _ensure(code)


def _ensure(code: Code) -> Kinds:
    if _active.code.digest == code.digest and PACKAGE in sys.modules:
        return _active
    here = Path(code.folder)
    if here.is_dir() and Code.read(here).digest == code.digest:
        return load_code(Code(str(here), code.files))
    copy = Path(tempfile.gettempdir()) / f"coursegen-course-{code.digest[:16]}" / PACKAGE
    if not copy.is_dir() or Code.read(copy).digest != code.digest:
        staging = Path(tempfile.mkdtemp(prefix="coursegen-course-"))
        for rel, data in code.files:
            (staging / PACKAGE / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / PACKAGE / rel).write_bytes(data)
        copy.parent.parent.mkdir(parents=True, exist_ok=True)
        try:
            staging.rename(copy.parent)
        except OSError:  # another worker of this machine wrote it first
            pass
    return load_code(Code(str(copy), code.files))


def _kept(rel: Path) -> bool:
    return not any(part == "__pycache__" or part.startswith(".") for part in rel.parts) and not rel.name.endswith(
        ("~", ".pyc", ".swp")
    )


def _forget() -> None:
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    importlib.invalidate_caches()
