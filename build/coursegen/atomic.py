"""Writes that are never seen half-done: a temporary name, then one ``os.replace``.

A build killed at any moment leaves either the old file or the new one at a final path,
never a truncated one. Temporary names start with ``.tmp-`` so that a later build can
sweep up what a killed one left behind.
"""

import os
import re
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
        try:
            tmp.write_bytes(data)
        except OSError as e:
            raise naming(e, final) from e


def naming(error: OSError, path: Path) -> OSError:
    """``error`` naming ``path`` if the system named no file (a failed write(): a full disk)."""
    return error if error.filename else OSError(error.errno, error.strerror, str(path))


def write_text(final: Path, text: str) -> None:
    write_bytes(final, text.encode("utf-8"))


def remove(path: Path) -> None:
    """Whatever is at ``path`` (a folder, a file or a link), gone; nothing there is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _owner(name: str) -> int | None:
    """The process a working folder's name ends with (``-<pid>``), if it names one."""
    last = name.rsplit("-", 1)[-1]
    return int(last) if re.fullmatch(r"[0-9]+", last) else None


def owner_gone(name: str) -> bool:
    """Whether the process that a working folder's name ends with (``-<pid>``) has ended;
    a name that names none is an older build's, gone too."""
    pid = _owner(name)
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process
        return True
    except PermissionError:  # someone else's process
        return False
    return False


DRAWING_PREFIX = "coursegen-figure-"  # a figure's working folder, in the system's temporary folder


def drawing_folder() -> tempfile.TemporaryDirectory:
    """A figure's working folder, in the system's temporary folder (a Dask worker may
    have no other), named for its process: a worker killed mid-figure cannot remove it,
    and ``sweep_drawing_folders`` can then tell it from one a running build draws in."""
    return tempfile.TemporaryDirectory(prefix=DRAWING_PREFIX, suffix=f"-{os.getpid()}")


def sweep_drawing_folders() -> None:
    """Remove the working folders of figures whose process has gone."""
    for folder in sorted(Path(tempfile.gettempdir()).glob(f"{DRAWING_PREFIX}*-*")):
        if _owner(folder.name) is not None and owner_gone(folder.name):  # an older name: its build may run
            shutil.rmtree(folder, ignore_errors=True)


def old_copy(final: Path) -> Path:
    """Where ``replace_tree`` keeps the previous tree while it swaps in the new one."""
    return final.with_name(f"{TMP_PREFIX}{final.name}-old")


def recover_tree(final: Path) -> bool:
    """Undo a swap that a killed build left half done; True if it restored the old tree.

    Between ``replace_tree``'s two renames only the old copy exists: it goes back to
    ``final``. If both exist the swap had finished and the old copy is dropped. Call it
    under the build lock, before anything else touches ``final``.
    """
    old = old_copy(final)
    if not old.exists() and not old.is_symlink():
        return False
    if final.exists() or not old.is_dir() or old.is_symlink():  # the swap had finished, or it is no tree of ours
        remove(old)
        return False
    os.replace(old, final)
    return True


def replace_tree(staged: Path, final: Path) -> None:
    """Swap a fully built directory into place, keeping the old one until the last moment.

    A kill at any point leaves ``final`` or its old copy, which ``recover_tree`` puts back.
    """
    recover_tree(final)
    old = old_copy(final)
    if final.exists():
        os.replace(final, old)
    os.replace(staged, final)
    try:
        remove(old)
    except OSError:  # the new tree is in place; the next build's recover_tree removes the rest
        pass


def publishable(tree: Path) -> None:
    """Files 0644 and folders 0755, whatever the umask: a static host must read them all."""
    os.chmod(tree, 0o755)
    for path in tree.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())
