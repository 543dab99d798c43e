"""A content-addressed store: each entry is keyed by everything that shaped its bytes.

An experiment's key covers its kind, its parameters and the source of the code that
runs it (its module and every ``coursegen`` module that module imports, transitively);
a figure's key covers its kind, its options, its experiment's result bytes and its own
code. Change any of those and the key changes; change nothing and the entry is reused.

Every entry records the key it answers and the SHA-256 of each file it holds. An entry
whose files are missing, truncated, altered, swapped with another entry's, or not the
files its kind must hold (``outputs``) fails that check and is recomputed, never served.
"""

import ast
import hashlib
import json
import os
import platform
import re
import shutil
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

import coursegen
from coursegen.atomic import TMP_PREFIX, naming
from coursegen.stages import outputs, registry

PACKAGE_DIR = Path(coursegen.__file__).parent


@cache
def byte_shaping() -> tuple[str, ...]:
    """Every library the build imports at run time, as the installed packages' metadata
    says: coursegen's dependencies and everything they pull in (numba's llvmlite decides
    the ReLU results' bits just as numpy does). Test and development tools (extras) are
    left out. Read from the installed metadata, so an installed wheel answers as a checkout."""
    shaping: set[str] = set()
    todo = ["coursegen"]
    while todo:
        try:
            requires = metadata.requires(todo.pop()) or []
        except metadata.PackageNotFoundError:  # a platform-only dependency, absent here
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = _normal(requirement.name)
            if name not in shaping:
                shaping.add(name)
                todo.append(name)
    return tuple(sorted(shaping))


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def library_versions() -> dict[str, str]:
    """Installed versions of every byte-shaping library (all part of every key)."""
    versions = {}
    for name in byte_shaping():
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # a platform-only dependency, absent here
            versions[name] = "absent"
    versions["python"] = platform.python_version()
    return versions


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key(*parts) -> str:
    """A stable hash of JSON-able parts (sorted keys; floats by their repr)."""
    return sha256(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode())


def code_hash(module: str) -> str:
    """Hash of a module's source and of every module of coursegen or of the course's code
    (``registry.PACKAGE``) that it imports, transitively."""
    return _code_hash(module, registry.kinds().folder)


@cache  # per course code folder: one process may build several courses
def _code_hash(module: str, folder: Path | None) -> str:
    sources = {name: _source(name).decode() for name in sorted(_closure(module))}
    return key(sources, library_versions())


def _ours(name: str) -> bool:
    return any(name == top or name.startswith(f"{top}.") for top in ("coursegen", registry.PACKAGE))


def _closure(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or not _ours(name) or _path(name) is None:
            continue
        seen.add(name)
        todo.extend(_imports(name))
    return seen


def _imports(module: str) -> tuple[str, ...]:
    return _imports_of(module, _path(module))


@cache  # the modules' closures overlap: each file is parsed once per process
def _imports_of(module: str, path: Path) -> tuple[str, ...]:
    tree = ast.parse(path.read_bytes())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:  # a submodule imported by name, or a name in base
                submodule = f"{base}.{alias.name}"
                found.append(submodule if _path(submodule) else base)
    return tuple(name for name in found if _ours(name))


def _path(module: str) -> Path | None:
    """The source file of one of our modules, or None. The course's are looked up in the
    folder loaded now (not cached: a process may build several courses)."""
    top, *rest = module.split(".")
    folder = PACKAGE_DIR if top == "coursegen" else registry.kinds().folder
    if folder is None:
        return None
    for candidate in (folder.joinpath(*rest, "__init__.py"), folder.joinpath(*rest).with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _source(module: str) -> bytes:
    return _path(module).read_bytes()


@dataclass(frozen=True)
class Entry:
    paths: dict[str, Path]  # file name -> where its bytes are
    sha256: dict[str, str]  # file name -> SHA-256, verified when the entry was read


class Store:
    """Entries under ``root/<kind>/<key>/``: the files plus ``index.json``, which names the
    key the entry answers and each file's SHA-256."""

    def __init__(self, root: Path):
        self.root = root

    def sweep(self) -> None:
        """Remove staging folders that a killed build left behind: those whose build's
        process has gone (another checkout's build may be writing into its own)."""
        for staging in sorted(self.root.glob(f"*/{TMP_PREFIX}*")):
            if not _running(_staging_pid(staging.name)):
                shutil.rmtree(staging, ignore_errors=True)

    def get(self, kind: str, k: str) -> Entry | None:
        """The entry if it answers ``k`` and holds exactly its kind's files, intact; otherwise drop it."""
        entry = self.root / kind / k
        try:
            index = json.loads((entry / "index.json").read_text())
            hashes = index["files"]
            if index["key"] == k and isinstance(hashes, dict):
                data = {name: (entry / name).read_bytes() for name in sorted(hashes)}
                if all(sha256(data[n]) == hashes[n] for n in data) and outputs.problem(kind, data) is None:
                    return Entry({n: entry / n for n in data}, dict(sorted(hashes.items())))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        shutil.rmtree(entry, ignore_errors=True)
        return None

    def find(self, kind: str, digest: str) -> Path | None:
        """Any intact cached file of ``kind`` with this SHA-256 (a reference for reports)."""
        for index_file in sorted(self.root.glob(f"{kind}/*/index.json")):
            try:
                hashes = json.loads(index_file.read_text())["files"]
                for name, sha in sorted(hashes.items()):
                    path = index_file.parent / name
                    if sha == digest and path.is_file() and sha256(path.read_bytes()) == digest:
                        return path
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue
        return None

    def put(self, kind: str, k: str, files: dict[str, bytes]) -> Entry:
        """Write an entry into a temporary folder, then rename it into place."""
        final = self.root / kind / k
        staging = self.root / kind / f"{TMP_PREFIX}{k}-{uuid.uuid4().hex}-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            hashes = {}
            for name in sorted(files):
                try:
                    (staging / name).write_bytes(files[name])
                except OSError as e:
                    raise naming(e, final / name) from e
                hashes[name] = sha256(files[name])
            (staging / "index.json").write_text(json.dumps({"key": k, "files": hashes}, indent=1, sort_keys=True))
            shutil.rmtree(final, ignore_errors=True)
            try:
                os.replace(staging, final)
            except OSError:  # another build put the same entry first: theirs is as good
                if self.get(kind, k) is None:
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return Entry({name: final / name for name in sorted(files)}, hashes)


def _staging_pid(name: str) -> int | None:
    """The process that writes a staging folder (its name's last field), if it says."""
    last = name.rsplit("-", 1)[-1]
    return int(last) if last.isdigit() else None


def _running(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
