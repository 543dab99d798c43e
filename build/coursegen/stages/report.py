"""What ``check`` says when bytes differ: which file, which experiment made it, whether
that experiment's results moved too and by how much, which library versions changed,
and, in a report folder, the new file beside a difference image or text diff.

The reference bytes come from this machine's cache when it ever produced the
manifest's version of a file (found by SHA-256); a clean clone has none, and the
report says so.
"""

import difflib
import io
import shutil
from pathlib import Path

import imageio.v3 as iio
import numpy as np

from coursegen.stages import results
from coursegen.stages.cache import Store
from coursegen.stages.manifest import Difference


def explain(diffs: list[Difference], reference: Store, folder: Path) -> list[str]:
    """One block of lines per differing file; files written under ``folder``."""
    shutil.rmtree(folder, ignore_errors=True)
    moved = {p for d in diffs if d.path.startswith("results/") for p in d.producers}
    lines = []
    for d in diffs:
        made_by = f"experiment{'s' if len(d.producers) > 1 else ''} {', '.join(d.producers)}"
        head = f"{d.status.upper():8} {d.path}  (made by {made_by})"
        if d.status != "differs":
            lines.append(head)
            continue
        lines.append(f"{head}: manifest {d.expected[:12]}, built {d.actual[:12]}")
        if d.path.startswith("figures/"):
            drifted = any(p in moved for p in d.producers)
            lines.append(f"         its experiment's results {'differ too' if drifted else 'are identical'}")
        new = folder / d.path
        new.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(d.output.source, new)
        old = reference.find(d.path.split("/")[0], d.expected)
        if old is None:
            lines.append(f"         new file: {new} (no reference copy of the manifest's version on this machine)")
            continue
        shutil.copyfile(old, new.with_name("reference-" + new.name))
        lines.append(f"         new file: {new}; reference beside it")
        lines += ["         " + line for line in _compare(old, d.output.source, new)]
    return lines


def _compare(old: Path, new: Path, out: Path) -> list[str]:
    if out.suffix == ".npz":
        return _compare_results(results.load(old), results.load(new))
    if out.suffix in (".png", ".gif"):
        return _compare_pixels(old, new, out)
    if out.suffix == ".js" and Path(out.stem).suffix:  # anim.gif.js: a script holding anim.gif's bytes
        return [f"the script copy of {out.stem}, for pages opened from a folder: {out.stem}'s lines say what changed"]
    a, b = old.read_bytes(), new.read_bytes()
    if out.name.endswith(".explorer.bin") and len(a) == len(b) and len(a) % 2 == 0:
        return _compare_coordinates(np.frombuffer(a, "<u2"), np.frombuffer(b, "<u2"))
    try:
        before, after = a.decode("utf-8"), b.decode("utf-8")
    except UnicodeDecodeError:
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return [f"binary: {len(a):,} -> {len(b):,} bytes, first difference at byte {first}"]
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), "reference", "built", lineterm="", n=1)
    text = "\n".join(diff)
    out.with_suffix(out.suffix + ".diff").write_text(text + "\n")
    return [f"text diff: {out}.diff ({text.count(chr(10)) + 1} lines)"]


def _compare_coordinates(old: np.ndarray, new: np.ndarray) -> list[str]:
    """An explorer's data: its points' 16-bit panel coordinates (coursegen.figures.explorer)."""
    gap = np.abs(old.astype(np.int32) - new.astype(np.int32))
    return [
        f"16-bit coordinates: {np.count_nonzero(gap):,} of {len(old):,} differ, by at most {gap.max():,} (of 65,535)"
    ]


def _compare_results(old: dict, new: dict) -> list[str]:
    lines = []
    for key in sorted(set(old) | set(new)):
        if key not in old or key not in new:
            lines.append(f"array {key!r} only in the {'built' if key in new else 'reference'} results")
        elif old[key].shape != new[key].shape:
            lines.append(f"array {key!r}: shape {old[key].shape} -> {new[key].shape}")
        elif not np.array_equal(old[key], new[key]):
            gap = np.max(np.abs(old[key].astype(float) - new[key].astype(float)))
            lines.append(f"array {key!r}: largest absolute difference {gap:.3g}")
    return lines


def _compare_pixels(old: Path, new: Path, out: Path) -> list[str]:
    a = iio.imread(old, index=None if old.suffix == ".gif" else 0)
    b = iio.imread(new, index=None if new.suffix == ".gif" else 0)
    if a.shape != b.shape:
        return [f"image size or frame count changed: {a.shape} -> {b.shape}"]
    delta = np.abs(a.astype(np.int16) - b.astype(np.int16)).astype(np.uint8)
    if delta.ndim == 4:  # animation: the frame that differs most
        worst = int(np.argmax(delta.reshape(len(delta), -1).sum(axis=1)))
        delta, where = delta[worst], f" (frame {worst})"
    else:
        where = ""
    changed = int(np.count_nonzero(delta.max(axis=-1) if delta.ndim == 3 else delta))
    visible = np.where(delta > 0, 255, 0).astype(np.uint8)[..., :3] if delta.ndim == 3 else delta
    target = out.with_name(f"difference-{out.name}.png")
    buf = io.BytesIO()
    iio.imwrite(buf, visible, extension=".png")
    target.write_bytes(buf.getvalue())
    return [f"difference image{where}: {target} ({changed} pixels differ)"]
