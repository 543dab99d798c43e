"""The committed hash manifest: every generated file's SHA-256, who produced it, and the
library versions that shaped the bytes.

Like pytest-mpl's hash library: ``write`` records what a clean build produces;
``compare`` lists every file whose bytes differ from it, for ``report`` to explain.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from coursegen import atomic
from coursegen.stages import cache
from coursegen.stages.pipeline import Output


@dataclass(frozen=True)
class Difference:
    status: str  # "differs", "missing" (in the manifest, not built) or "new" (built, not in it)
    path: str
    producers: tuple[str, ...]  # the experiments that made it
    expected: str | None  # SHA-256 in the manifest
    actual: str | None  # SHA-256 built now
    output: Output | None


def entries(outputs: list[Output]) -> dict[str, dict[str, str]]:
    return {
        o.path: {"sha256": cache.sha256(o.source.read_bytes()), "producers": list(o.producers)}
        for o in sorted(outputs, key=lambda o: o.path)
    }


def write(path: Path, outputs: list[Output], sheet: str | None = None) -> None:
    """The manifest of ``outputs``; with ``sheet``, only that worksheet's entries are
    replaced and every other worksheet's kept as they were."""
    files = entries(outputs)
    if sheet is not None and path.is_file():
        files = {**{p: e for p, e in read(path).get("files", {}).items() if sheet_of(p) != sheet}, **files}
    doc = {"versions": cache.library_versions(), "files": dict(sorted(files.items()))}
    atomic.write_text(path, json.dumps(doc, indent=2, sort_keys=True) + "\n")


def sheet_of(path: str) -> str:
    """The worksheet a generated file belongs to: ``figures/dis01/x.svg`` -> ``dis01``."""
    return path.split("/")[1]


def of_sheet(expected: dict, sheet: str) -> dict:
    """The manifest narrowed to one worksheet's files (``check --sheet``)."""
    return {**expected, "files": {p: e for p, e in expected.get("files", {}).items() if sheet_of(p) == sheet}}


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def compare(expected: dict, outputs: list[Output]) -> list[Difference]:
    actual = entries(outputs)
    by_path = {o.path: o for o in outputs}
    want = expected.get("files", {})
    diffs = []
    for path in sorted(set(want) | set(actual)):
        w, a = want.get(path), actual.get(path)
        if w and a and w["sha256"] == a["sha256"]:
            continue
        status = "missing" if a is None else "new" if w is None else "differs"
        producers = tuple((a or w).get("producers", ()))
        diffs.append(Difference(status, path, producers, w and w["sha256"], a and a["sha256"], by_path.get(path)))
    return diffs


def version_changes(expected: dict) -> list[str]:
    here = cache.library_versions()
    return [
        f"{name}: manifest {version}, here {here.get(name)}"
        for name, version in sorted(expected.get("versions", {}).items())
        if here.get(name) != version
    ]
