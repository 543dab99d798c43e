"""A content-addressed store: each entry is keyed by everything that shaped its bytes.

The key is ``units.key`` (a unit's kind, settings, inputs, code and library versions):
change any of those and the key changes; change nothing and the entry is reused.

Every entry records the key it answers and the SHA-256 of each file it holds. An entry
whose files are missing, truncated, altered, swapped with another entry's, or not the
files its kind must hold (``outputs``) fails that check and is recomputed, never served.
"""

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

from coursegen.atomic import TMP_PREFIX, naming, owner_gone, remove
from coursegen.stages import outputs


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
            if owner_gone(staging.name):
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
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        try:  # whatever is there (a file, a folder it cannot read) is a miss, recomputed
            remove(entry)
        except OSError:
            pass
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
            self._place(staging, kind, k)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return Entry({name: final / name for name in sorted(files)}, hashes)

    def _place(self, staging: Path, kind: str, k: str) -> None:
        """Rename the staged entry into place. An entry already there stays if it is
        intact (another build put the same bytes first, and may be reading them: removing
        it would pull them from under that build); anything else there goes first."""
        final = self.root / kind / k
        for _ in range(2):
            try:
                os.replace(staging, final)
                return
            except OSError:
                if self.get(kind, k) is not None:  # theirs is as good; a broken one get() removed
                    return
        os.replace(staging, final)
