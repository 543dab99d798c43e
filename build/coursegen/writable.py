"""Before a build writes anything: every folder it must write is writable.

A read-only ``site/`` or cache would otherwise fail half-way with an ``OSError``, leave
an old copy behind, and wedge every later build. Checking first turns that into one line
naming the folder and what to do, and the next build after fixing it just works.
"""

import os
from pathlib import Path

from coursegen.atomic import TMP_PREFIX
from coursegen.errors import BuildError, shown


def require(*trees: Path, alone: tuple[Path, ...] = ()) -> None:
    """Each folder of ``trees`` and everything inside it writable (the build replaces or
    prunes what is in them), and each folder of ``alone`` itself (the build makes or
    swaps folders in it, and leaves the rest alone: a course's root holds its .venv and
    .git, tens of thousands of folders); for one not made yet, the folder it will be
    made in."""
    for folder in alone:
        _check(_existing(folder))
    for tree in trees:
        if not tree.exists():
            _check(_existing(tree))
        for folder, subfolders, _ in os.walk(tree):  # skips what vanishes meanwhile (another build's staging)
            subfolders[:] = [name for name in subfolders if not name.startswith(TMP_PREFIX)]
            _check(Path(folder))


def _existing(folder: Path) -> Path:
    while not folder.exists():
        folder = folder.parent
    return folder


def _check(folder: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BuildError(
            f"{shown(folder)}: not writable, so the build cannot replace what is in it; "
            f"make it writable (chmod -R u+w '{folder}') and build again"
        )
