"""A content-addressed store: each entry is keyed by everything that shaped its bytes.

An experiment's key covers its kind, its parameters and the source of the code that
runs it (its module and every ``coursegen`` module that module imports, transitively);
a figure's key covers its kind, its options, its experiment's result bytes and its own
code. Change any of those and the key changes; change nothing and the entry is reused.

Every entry records the SHA-256 of its files. An entry whose files are missing,
truncated or altered fails that check and is recomputed, never served.
"""

import ast
import hashlib
import json
import os
import platform
import shutil
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import coursegen
from coursegen.atomic import TMP_PREFIX

PACKAGE_DIR = Path(coursegen.__file__).parent


BYTE_SHAPING = ("numpy", "matplotlib", "pillow", "imageio", "mkdocs", "mkdocs-material")


@cache
def library_versions() -> dict[str, str]:
    """Versions of everything that can change an output's bytes (all part of every key)."""
    versions = {name: metadata.version(name) for name in BYTE_SHAPING}
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


def _imports(module: str) -> list[str]:
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
    return [name for name in found if name == "coursegen" or name.startswith("coursegen.")]


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
    """Entries under ``root/<kind>/<key>/``: the files plus ``index.json`` of their hashes."""

    def __init__(self, root: Path):
        self.root = root

    def sweep(self) -> None:
        """Remove staging folders that a killed build left behind (call under the build lock)."""
        for staging in sorted(self.root.glob(f"*/{TMP_PREFIX}*")):
            shutil.rmtree(staging, ignore_errors=True)

    def get(self, kind: str, k: str) -> Entry | None:
        """The entry if all its files are present and intact; otherwise drop it."""
        entry = self.root / kind / k
        try:
            index = json.loads((entry / "index.json").read_text())
            paths = {name: entry / name for name in sorted(index)}
            if all(sha256(paths[n].read_bytes()) == index[n] for n in paths):
                return Entry(paths, {n: index[n] for n in paths})
        except (OSError, ValueError, KeyError, TypeError):
            pass
        shutil.rmtree(entry, ignore_errors=True)
        return None

    def find(self, kind: str, digest: str) -> Path | None:
        """Any intact cached file of ``kind`` with this SHA-256 (a reference for reports)."""
        for index_file in sorted(self.root.glob(f"{kind}/*/index.json")):
            try:
                index = json.loads(index_file.read_text())
            except (OSError, ValueError):
                continue
            for name, sha in sorted(index.items()):
                path = index_file.parent / name
                if sha == digest and path.is_file() and sha256(path.read_bytes()) == digest:
                    return path
        return None

    def put(self, kind: str, k: str, files: dict[str, bytes]) -> Entry:
        """Write an entry into a temporary folder, then rename it into place."""
        final = self.root / kind / k
        staging = self.root / kind / f"{TMP_PREFIX}{k}-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        try:
            index = {}
            for name in sorted(files):
                (staging / name).write_bytes(files[name])
                index[name] = sha256(files[name])
            (staging / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))
            shutil.rmtree(final, ignore_errors=True)
            try:
                os.replace(staging, final)
            except OSError:  # another build put the same entry first: theirs is as good
                if self.get(kind, k) is None:
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return Entry({name: final / name for name in sorted(files)}, index)
