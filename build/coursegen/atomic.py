"""Writes that are never seen half-done: a temporary name, then one ``os.replace``.

A build killed at any moment leaves either the old file or the new one at a final path,
never a truncated one. Temporary names start with ``.tmp-`` so that a later build can
sweep up what a killed one left behind.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

TMP_PREFIX = ".tmp-"


@contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside ``final``; move it into place only on success."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=final.suffix, dir=final.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        _fsync(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(final: Path, data: bytes) -> None:
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)


def write_text(final: Path, text: str) -> None:
    write_bytes(final, text.encode("utf-8"))


def replace_tree(staged: Path, final: Path) -> None:
    """Swap a fully built directory into place, keeping the old one until the last moment."""
    old = final.with_name(TMP_PREFIX + final.name + "-old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staged, final)
    shutil.rmtree(old, ignore_errors=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())
