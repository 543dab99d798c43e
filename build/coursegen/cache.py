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
import tomllib
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import coursegen
from coursegen import outputs
from coursegen.atomic import TMP_PREFIX, naming

PACKAGE_DIR = Path(coursegen.__file__).parent


CHECKOUT = PACKAGE_DIR.parents[1]  # pyproject.toml and requirements.lock live here


@cache
def byte_shaping() -> tuple[str, ...]:
    """Every library the build imports at run time, as the lock file resolves them: the
    project's dependencies and everything they pull in (numba's llvmlite decides the
    ReLU results' bits just as numpy does). Test and development tools are left out."""
    roots = {
        _normal(re.match(r"[A-Za-z0-9._-]+", d)[0])
        for d in tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    required_by = _lock_graph((CHECKOUT / "requirements.lock").read_text())
    shaping = set(roots)
    grew = True
    while grew:
        more = {name for name, parents in required_by.items() if parents & shaping} - shaping
        shaping |= more
        grew = bool(more)
    return tuple(sorted(shaping))


def _lock_graph(text: str) -> dict[str, set[str]]:
    """Each package pinned in a uv/pip-compile lock -> the packages its ``# via`` names."""
    graph: dict[str, set[str]] = {}
    current, in_via = None, False
    for line in text.splitlines():
        pin = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
        comment = line.strip()
        if pin:
            current, in_via = _normal(pin[1]), False
            graph[current] = set()
        elif current and comment.startswith("# via"):
            in_via = True
            if comment.removeprefix("# via").strip():
                graph[current].add(_normal(comment.removeprefix("# via").split()[0]))
        elif current and in_via and comment.startswith("#   "):
            graph[current].add(_normal(comment.removeprefix("#").split()[0]))
        else:
            in_via = False
    return graph


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


@cache
def code_hash(module: str) -> str:
    """Hash of a coursegen module's source and of every coursegen module it imports."""
    sources = {name: _source(name).decode() for name in sorted(_closure(module))}
    return key(sources, library_versions())


def _closure(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or not name.startswith("coursegen") or _path(name) is None:
            continue
        seen.add(name)
        todo.extend(_imports(name))
    return seen


@cache  # the modules' closures overlap: each module is parsed once per process
def _imports(module: str) -> tuple[str, ...]:
    tree = ast.parse(_source(module))
    package = module if _path(module).name == "__init__.py" else module.rpartition(".")[0]
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
    return tuple(name for name in found if name == "coursegen" or name.startswith("coursegen."))


@cache
def _path(module: str) -> Path | None:
    rel = Path(*module.split(".")[1:])
    for candidate in (PACKAGE_DIR / rel / "__init__.py", (PACKAGE_DIR / rel).with_suffix(".py")):
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
