"""The committed hash manifest: every generated file's SHA-256, and who produced it.

Like pytest-mpl's hash library: ``lock`` records what a clean build produces;
``compare`` rebuilds from nothing and names every file whose bytes differ.
"""

import json
from pathlib import Path

from coursegen import atomic, cache
from coursegen.pipeline import Output


def entries(outputs: list[Output]) -> dict[str, dict[str, str]]:
    return {
        o.path: {"sha256": cache.sha256(o.source.read_bytes()), "producer": o.producer}
        for o in sorted(outputs, key=lambda o: o.path)
    }


def write(path: Path, outputs: list[Output]) -> None:
    doc = {"versions": cache.library_versions(), "files": entries(outputs)}
    atomic.write_text(path, json.dumps(doc, indent=2, sort_keys=True) + "\n")


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def compare(expected: dict, outputs: list[Output]) -> list[str]:
    """Human-readable lines, one per problem; empty when everything matches."""
    actual = entries(outputs)
    want = expected.get("files", {})
    problems = []
    for path in sorted(set(want) | set(actual)):
        if path not in actual:
            problems.append(f"MISSING  {path}: in the manifest but not produced")
        elif path not in want:
            problems.append(f"NEW      {path}: produced by {actual[path]['producer']} but not in the manifest")
        elif want[path]["sha256"] != actual[path]["sha256"]:
            problems.append(
                f"DIFFERS  {path} (from {actual[path]['producer']}): "
                f"manifest {want[path]['sha256'][:12]}, built {actual[path]['sha256'][:12]}"
            )
    versions = cache.library_versions()
    for name, version in sorted(expected.get("versions", {}).items()):
        if problems and versions.get(name) != version:
            problems.append(f"VERSION  {name}: manifest {version}, here {versions.get(name)}")
    return problems
