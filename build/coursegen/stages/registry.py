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
* ``NOTEBOOKS = {"kind": function}``: ``function(sheet, results, page, edition)`` gives
  a worksheet's companion notebook as the bytes of an ``.ipynb`` file, or None when the
  worksheet has none of its experiments.

A kind that two modules define is an error naming both. A module without any of the
dicts (a helper, such as a compiled kernel) contributes nothing. So a new kind is a new
module and no other file changes: ``coursegen new experiment NAME`` writes one, with its
test. A course without a ``course/`` folder has no kinds (and can still build pages).

Pool workers forked from the build inherit the loaded package; a worker elsewhere (a
Dask cluster) receives the course's code as bytes (``Code``) and loads that copy.
"""

import hashlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import pkgutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from coursegen.errors import BuildError, code_failure, shown

PACKAGE = "course"  # the folder's name and its import name
ATTRIBUTES = ("EXPERIMENTS", "SUMMARIES", "FIGURES", "NOTEBOOKS")


@dataclass(frozen=True)
class Kinds:
    """Every kind the course's code registers, each dict sorted by kind."""

    folder: Path | None  # the course's code folder, resolved; None: the course has none
    stamp: tuple = ()  # its files' names, sizes and times when loaded (``_stamp``)
    experiments: dict = field(default_factory=dict)
    summaries: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Code:
    """The course's code as it travels to a worker: where it is here and its files' bytes."""

    folder: str
    files: tuple[tuple[str, bytes], ...]  # (path inside the folder, bytes), sorted

    @classmethod
    def of(cls, kinds: Kinds) -> "Code":
        if kinds.folder is None:
            return cls("", ())
        files = sorted(p for p in kinds.folder.rglob("*.py") if "__pycache__" not in p.parts)
        return cls(str(kinds.folder), tuple((p.relative_to(kinds.folder).as_posix(), p.read_bytes()) for p in files))


_active = Kinds(None)


def kinds() -> Kinds:
    """The kinds of the course loaded last (``load``)."""
    return _active


def load(root: Path) -> Kinds:
    """Import the code of the course at ``root`` (``root/course``) and collect its kinds.

    The same folder twice is imported once; another course's folder replaces the
    package (its modules are forgotten first), so one process can build several courses.
    """
    global _active
    folder = (root / PACKAGE).resolve()
    if not folder.is_dir():
        _forget()
        _active = Kinds(None)
        return _active
    stamp = _stamp(folder)
    if _active.folder == folder and _active.stamp == stamp and PACKAGE in sys.modules:
        return _active
    _forget()
    spec = importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True)
    spec.submodule_search_locations = [str(folder)]
    init = folder / "__init__.py"
    if init.is_file():
        spec = importlib.util.spec_from_file_location(PACKAGE, init, submodule_search_locations=[str(folder)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    try:
        if spec.loader is not None:
            spec.loader.exec_module(package)
        found = {attribute: {} for attribute in ATTRIBUTES}
        owners: dict[tuple[str, str], Path] = {}
        for info in sorted(pkgutil.walk_packages([str(folder)], f"{PACKAGE}."), key=lambda m: m.name):
            module = importlib.import_module(info.name)
            source = Path(inspect.getfile(module))
            for attribute in ATTRIBUTES:
                for kind, function in getattr(module, attribute, {}).items():
                    if (attribute, kind) in owners:
                        raise BuildError(
                            f"{attribute} kind {kind!r} is defined twice: in {shown(owners[attribute, kind])} "
                            f"and in {shown(source)}; rename one"
                        )
                    found[attribute][kind], owners[attribute, kind] = function, source
    except BaseException as e:
        _forget()
        if isinstance(e, Exception) and not isinstance(e, BuildError):
            raise _load_failure(e, folder) from e
        raise
    _active = Kinds(folder, stamp, **{a.lower(): dict(sorted(found[a].items())) for a in ATTRIBUTES})
    return _active


def _load_failure(error: Exception, folder: Path) -> BuildError:
    """Course code that did not import, as one line naming its file and line: a syntax
    error (raised by the compiler, so no frame of the file), a missing library (which to
    install) or an exception at import."""
    if isinstance(error, SyntaxError):
        return BuildError(
            f"{shown(Path(error.filename))}, line {error.lineno}: {type(error).__name__}: {error.msg}; "
            f"the course's code did not load",
            "".join(traceback.format_exception(error)),
        )
    failure = code_failure(error, folder)
    if isinstance(error, ModuleNotFoundError):
        failure.args = (f"{failure}; install {error.name!r} where coursegen runs (and in requirements)", failure.trace)
    return failure


def ensure(code: Code) -> Kinds:
    """In a worker: the kinds of the course whose code ``code`` is, loaded if need be,
    from its folder where this machine has it, else from the bytes themselves."""
    if not code.folder:
        return _active
    here = Path(code.folder)
    if _active.folder == here:
        return _active
    if here.is_dir():
        return load(here.parent)
    digest = hashlib.sha256(repr(code.files).encode()).hexdigest()[:16]
    copy = Path(tempfile.gettempdir()) / f"coursegen-course-{digest}"
    if not (copy / PACKAGE).is_dir():
        staging = Path(tempfile.mkdtemp(prefix="coursegen-course-"))
        for rel, data in code.files:
            (staging / PACKAGE / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / PACKAGE / rel).write_bytes(data)
        try:
            staging.rename(copy)
        except OSError:  # another worker of this machine wrote it first
            pass
    return load(copy)


def _stamp(folder: Path) -> tuple:
    """What tells a changed code folder from the one loaded: a module added, removed or edited."""
    files = sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    return tuple((p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def _forget() -> None:
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    importlib.invalidate_caches()
