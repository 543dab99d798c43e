"""What a course is made of besides the code: the files a scratch build needs.

``make bench`` times rebuilds in a scratch copy of the course, and the tests build in
scratch copies, so that neither ever writes into the real checkout.
"""

import shutil
from pathlib import Path

SOURCES = ("content", "templates", "site_src/assets/css", "site_src/assets/js", "site_src/overrides", "mkdocs.yml")


def copy_course(root: Path, dest: Path) -> Path:
    """The course's sources (not the code, not the outputs) of ``root``, copied into ``dest``."""
    for rel in SOURCES:
        src = root / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel)
        elif src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest
