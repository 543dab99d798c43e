"""``coursegen init``: a new course in an empty folder, which ``coursegen site`` builds at once.

The course is the one coursegen would find there (``course.find_root``): a README with
the commands a course is worked with, ``mkdocs.yml``, a home page, one worksheet (``coursegen new worksheet``'s: one experiment, one
animation, one solution), the code behind them in ``course/`` with its test, a
``requirements.txt`` that installs coursegen and a ``requirements.lock`` that pins its
dependencies hash for hash (the versions this coursegen was tested with), and a GitHub workflow that tests the
course, checks its figures against ``manifest.json`` once one is locked, and publishes
the site. Nothing is written unless the folder is new or empty, so no file is ever
replaced.
"""

import json
from pathlib import Path

from coursegen.commands import scaffold
from coursegen.errors import BuildError

TEMPLATE = scaffold.TEMPLATES / "course"
HIDDEN = {"gitignore": ".gitignore", "github": ".github"}  # kept without the dot in the package
FIRST_SHEET = "week01"


def course_files(folder: Path, title: str) -> dict[Path, str]:
    """Every file of the new course, by path, its ``@TITLE@`` filled in."""
    fill = {"TITLE": title, "TITLE_YAML": json.dumps(title, ensure_ascii=False)}
    files = {}
    for path in sorted(TEMPLATE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(TEMPLATE)
            rel = Path(HIDDEN.get(rel.parts[0], rel.parts[0]), *rel.parts[1:])
            text = path.read_text(encoding="utf-8")
            for key in sorted(fill, key=len, reverse=True):
                text = text.replace(f"@{key}@", fill[key])
            files[folder / rel] = text
    sheet = scaffold.worksheet_files(folder, FIRST_SHEET, "Gradient descent", content=folder / "content")
    return {**files, **sheet}


def init(folder: Path, log) -> int:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BuildError(
            f"{folder}: not empty; `coursegen init` writes a new course only into a new or empty folder "
            f"(it never replaces a file)"
        )
    title = folder.name.replace("-", " ").replace("_", " ").strip() or "Course"
    files = course_files(folder, title)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    log(f"init: wrote a course of {len(files)} files into {folder} (its README.md says how to work in it)")
    log(
        "init: next, in this environment, the versions its figures' bytes are made with (pytest too): "
        f"`pip install --require-hashes -r {folder / 'requirements.lock'}`"
    )
    log(f"init: then `cd {folder}`, `coursegen site`, `python -m pytest`, `coursegen lock-figures`, and commit")
    log(
        "init: until its first commit the build's clock is 1970 (it is the last commit's time), so a "
        "worksheet's `solutions:` date reads not released: `git init -b main && git commit`, or build with --as-of now"
    )
    return 0
