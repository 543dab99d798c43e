"""A unit of work, its cache key, and how a worker runs it: the one place for all three.

A unit is an experiment, a summary or a figure: a registered function of the course,
its settings (parameters or options) and the results of the experiments it reads. Its
key is one function of content (``key``): the unit's kind, every setting, the inputs'
SHA-256, the bytes of every module of the course and of coursegen that its function
imports (as loaded, not as the files may say by now) and the library versions. The
same key comes out of every process: a pool worker, ``coursegen serve``, a Dask worker.

A worker runs a unit only with the code the key was computed from (``Runtime``): the
course's bytes travel with it and are loaded by their digest, and a worker whose
coursegen or libraries differ from the build's refuses it with one line naming them.
"""

import ast
import dataclasses
import enum
import hashlib
import inspect
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import coursegen
from coursegen.errors import BuildError, Interrupted, code_failure, no_hard_exit, shown
from coursegen.figures import style
from coursegen.stages import outputs, registry, results
from coursegen.stages.cache import key as hash_of
from coursegen.stages.cache import library_versions
from coursegen.stages.executors import UnitTimeout
from coursegen.stages.parameters import Experiment, Figure, Summary, params_type

PACKAGE_DIR = Path(coursegen.__file__).parent


class UnitKind(enum.Enum):
    """What a unit makes, and the cache section its entry lives in."""

    EXPERIMENT = "experiment"
    SUMMARY = "summary"
    FIGURE = "figure"

    @property
    def store(self) -> str:
        return "figures" if self is UnitKind.FIGURE else "results"

    def functions(self, kinds: registry.Kinds) -> dict:
        return {
            UnitKind.EXPERIMENT: kinds.experiments,
            UnitKind.SUMMARY: kinds.summaries,
            UnitKind.FIGURE: kinds.figures,
        }[self]


@dataclass(frozen=True)
class Unit:
    """One unit of work, as the parameter files declare it."""

    what: UnitKind
    sheet: str
    name: str
    kind: str  # the registered function's kind, e.g. "gd_constant"
    settings: tuple[tuple[str, object], ...]  # parameters or options, sorted by name
    inputs: tuple[str, ...]  # the experiments whose results it reads (in order)
    source: str  # the parameter file, for messages
    many: bool = False  # a figure given a list of results (``experiments = [...]``)

    @classmethod
    def of(cls, declared: Experiment | Summary | Figure) -> "Unit":
        if isinstance(declared, Experiment):
            fields = tuple(sorted(dataclasses.asdict(declared.params).items()))
            return cls(UnitKind.EXPERIMENT, declared.sheet, declared.name, declared.kind, fields, (), declared.source)
        if isinstance(declared, Summary):
            return cls(
                UnitKind.SUMMARY,
                declared.sheet,
                declared.name,
                declared.kind,
                (),
                declared.experiments,
                declared.source,
            )
        return cls(
            UnitKind.FIGURE,
            declared.sheet,
            declared.name,
            declared.kind,
            declared.options,
            declared.experiments,
            declared.source,
            declared.many,
        )

    def describe(self) -> str:
        """The unit as staff find it: its file, name and kind (an experiment's parameters
        are in its file: the error, not a thousand characters of them, comes first)."""
        return f"{self.source}: {self.what.value} {self.name!r} ({self.kind})"


def key(unit: Unit, input_shas: list[str]) -> str:
    """The unit's cache key: every part of what shapes its bytes (module docstring)."""
    function = unit.what.functions(registry.kinds())[unit.kind]
    return hash_of(
        unit.what.value,
        unit.kind,
        [list(pair) for pair in unit.settings],
        unit.many,
        input_shas,
        code_hash(function.__module__),
        code_hash(__name__),  # this module runs the unit (results' writer, the short form's savers)
        registry.kinds().code.data_digest,  # data files of the course's code folder
        library_versions(),
    )


def code_hash(module: str) -> str:
    """The bytes of ``module`` and of every module of coursegen or of the course that it
    imports, transitively: those loaded in this process (the course's as ``registry``
    loaded it, coursegen's as they were when first read here)."""
    sources = _sources()
    return hash_of({name: hashlib.sha256(sources[name]).hexdigest() for name in sorted(closure(module))})


def closure(module: str) -> set[str]:
    """``module``, the packages it is in, and every module of coursegen or of the course
    it imports with theirs, transitively (Python runs a package's ``__init__`` before
    any module in it)."""
    sources = _sources()
    found, todo = set(), [module, *_parents(module)]
    while todo:
        name = todo.pop()
        if name in found or name not in sources:
            continue
        found.add(name)
        todo.extend(_imports(name, sources[name], sources))
    return found


def _sources() -> dict[str, bytes]:
    return {**generator_sources(), **{name: data for name, (_, data) in registry.kinds().code.modules.items()}}


@cache
def generator_sources() -> dict[str, bytes]:
    """coursegen's modules' bytes, read once a process: the code this process runs."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        found[".".join(("coursegen", *parts))] = path.read_bytes()
    return found


def _imports(module: str, data: bytes, sources: dict[str, bytes]) -> tuple[str, ...]:
    """The modules of ``sources`` that ``module`` imports, with the packages they are in,
    whose ``__init__`` Python runs first (a package's ``__init__`` counts as the package)."""
    is_package = any(n.startswith(f"{module}.") for n in sources)
    named = _parsed_imports(module, is_package, data)
    return tuple(n for n in sorted({*named, *(p for n in named for p in _parents(n))}) if n in sources)


def _parents(module: str) -> list[str]:
    """The packages ``module`` is in: ``a.b.c`` is in ``a.b`` and ``a``."""
    return [module.rsplit(".", k)[0] for k in range(1, module.count(".") + 1)]


@cache  # by content (the bytes are part of the key): each version of a file is parsed once per process
def _parsed_imports(module: str, is_package: bool, data: bytes) -> tuple[str, ...]:
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(data)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found += [base, *(f"{base}.{alias.name}" for alias in node.names)]  # a submodule, or a name in base
    return tuple(found)


@dataclass(frozen=True)
class Runtime:
    """What a worker must run a unit with: the course's code (its bytes), and the build's
    coursegen and library versions, which a worker compares with its own."""

    code: registry.Code
    generator: tuple[tuple[str, str], ...]  # coursegen's modules: (name, SHA-256)
    versions: tuple[tuple[str, str], ...]

    @classmethod
    def here(cls) -> "Runtime":
        return cls(registry.kinds().code, generator_digests(), tuple(sorted(library_versions().items())))

    def load(self) -> registry.Kinds:
        """In a worker: refuse to run with other code or libraries, then load the course's."""
        ours, theirs = dict(generator_digests()), dict(self.generator)
        if ours != theirs:
            differ = sorted(n for n in set(ours) | set(theirs) if ours.get(n) != theirs.get(n))
            raise BuildError(
                f"this worker's coursegen differs from the build's in {', '.join(differ[:5])}"
                f"{' and more' if len(differ) > 5 else ''}; install the build's coursegen on it and restart it"
            )
        here = library_versions()
        wrong = [f"{n} {here.get(n)} (the build has {v})" for n, v in self.versions if here.get(n) != v]
        if wrong:
            raise BuildError(
                f"this worker's libraries differ from the build's: {', '.join(wrong)}; install the build's lock on it"
            )
        return registry.ensure(self.code)


@cache
def generator_digests() -> tuple[tuple[str, str], ...]:
    """Each coursegen module's SHA-256: which coursegen this process runs."""
    return tuple((n, hashlib.sha256(d).hexdigest()) for n, d in sorted(generator_sources().items()))


# One unit at a time in a process: a Dask worker runs units in threads (one per core, as
# `dask worker` starts), and matplotlib's settings (style.new_figure sets the text size
# from the width) are one per process, so two figures drawn at once would change each
# other's bytes.
_ONE_AT_A_TIME = threading.Lock()


def run(unit: Unit, runtime: Runtime, npzs: list[bytes]) -> tuple[dict[str, bytes], float]:
    """Worker: run one unit with the code ``runtime`` names on its inputs' bytes; its
    files' bytes (checked) and the time taken. Whatever the course's code does (an
    exception, ``sys.exit``, ``KeyboardInterrupt``) comes back as one ``BuildError``
    naming the unit and the line: nothing ends a build quietly."""
    with _ONE_AT_A_TIME:
        return _run(unit, runtime, npzs)


def _run(unit: Unit, runtime: Runtime, npzs: list[bytes]) -> tuple[dict[str, bytes], float]:
    start = time.perf_counter()
    try:
        kinds = runtime.load()
    except BuildError as e:
        raise BuildError(f"{unit.describe()}: {e}", e.trace) from None
    function = unit.what.functions(kinds)[unit.kind]
    try:
        with no_hard_exit():
            files = _made(function, unit, npzs)
    except BuildError as e:
        raise BuildError(f"{unit.describe()} failed: {e}", e.trace) from None
    except (UnitTimeout, Interrupted):  # the pipeline names the unit and its limit; Ctrl-C stops the build
        raise
    except BaseException as e:  # SystemExit and KeyboardInterrupt too: the unit did not finish
        failure = code_failure(e, kinds.folder, function)
        if not isinstance(e, Exception):
            failure.args = (f"{failure}: the course's code stopped instead of returning", failure.trace)
        raise BuildError(f"{unit.describe()} failed: {failure}", failure.trace) from None
    return files, time.perf_counter() - start


def _made(function, unit: Unit, npzs: list[bytes]) -> dict[str, bytes]:
    """The unit's files: an experiment's or a summary's results, or a figure's files."""
    if unit.what is UnitKind.EXPERIMENT:
        made = function(params_type(function)(**dict(unit.settings)))
        return {"results.npz": results.to_bytes(results.check(unit.kind, made))}
    if unit.what is UnitKind.SUMMARY:
        made = function([results.from_bytes(npz) for npz in npzs])
        return {"results.npz": results.to_bytes(results.check(unit.kind, made))}
    return _draw(function, unit, npzs)


def _draw(function, unit: Unit, npzs: list[bytes]) -> dict[str, bytes]:
    """A figure's files, drawn as ``style.draw`` draws them (either form), checked."""
    loaded = [results.Lazy(npz) for npz in npzs]
    files = style.draw(function, loaded if unit.many else loaded[0], **dict(unit.settings))
    wrong = outputs.problem("figures", files)
    if wrong:
        source = Path(inspect.getsourcefile(function)).resolve()
        line = inspect.getsourcelines(function)[1]
        raise BuildError(f"{function.__name__} ({shown(source)}, line {line}) {wrong}")
    return files
