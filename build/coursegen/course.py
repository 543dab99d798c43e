"""The course coursegen builds: found from where it is run, as MkDocs and git find theirs.

A course is a folder holding ``mkdocs.yml`` and ``content/`` (the worksheets), and
usually ``course/`` (its experiments, summaries, figures and notebooks: its Python,
``stages.registry``), ``templates/`` and ``site_src/`` (its own partials, CSS, JS and
theme overrides, each replacing the generator's file at the same path) and
``manifest.json``. The generator brings everything else as package data, so a course
installs coursegen rather than forking it.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from coursegen import errors
from coursegen.errors import BuildError
from coursegen.site import engines
from coursegen.stages import registry

MARKERS = ("mkdocs.yml", "content")  # what makes a folder a course
GENERATOR_TEMPLATES = Path(__file__).resolve().parent / "site" / "templates"
# What a scratch copy of a course takes: its sources, not its outputs or cache.
SOURCES = ("content", registry.PACKAGE, "templates", "site_src", "mkdocs.yml")


def find_root(start: Path) -> Path:
    """The course ``start`` lies in: the nearest folder, from ``start`` upwards, that
    holds ``mkdocs.yml`` and ``content/``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKERS[0]).is_file() and (folder / MARKERS[1]).is_dir():
            return folder
    raise BuildError(
        f"{start}: no course here or in any folder above it (a course holds mkdocs.yml and content/); "
        f"cd into one, pass --root, or start one with `coursegen init`"
    )


@dataclass(frozen=True)
class Course:
    """Where a course's sources are and where a build of it writes."""

    root: Path
    cache: Path

    content = property(lambda self: self.root / "content")
    code = property(lambda self: self.root / registry.PACKAGE)
    assets = property(lambda self: self.root / "site_src" / "assets")  # the course's own CSS and JS
    config = property(lambda self: self.root / "mkdocs.yml")
    manifest = property(lambda self: self.root / "manifest.json")
    compiled_templates = property(lambda self: self.cache / "templates")  # coursegen.site.compiled_templates

    @property
    def templates(self) -> list[Path]:
        """Where partials are looked up, in order: the course's ``templates/``, then the generator's."""
        return [self.root / "templates", GENERATOR_TEMPLATES]

    @property
    def watched(self) -> list[Path]:
        """What ``serve`` re-renders on: the course's sources that exist, and its
        ``theme.custom_dir`` wherever it is (Material's guide puts it in ``overrides/``,
        which neither MkDocs nor Zensical watches on its own)."""
        folders = [p for p in (self.content, self.root / "templates", self.root / "site_src", self.code) if p.exists()]
        try:
            theme = engines.custom_dir(self.config)
        except BuildError:  # the render says so; meanwhile the other sources are watched
            theme = None
        if theme and not any(theme.resolve().is_relative_to(f.resolve()) for f in folders):
            folders.append(theme)
        return folders

    def docs(self, edition: str) -> Path:
        """The MkDocs docs folder of one edition: never shared, so a build of one edition
        (or ``serve`` re-rendering it) cannot change what another publishes."""
        return self.root / ".cache" / "docs" / edition

    def activate(self) -> registry.Kinds:
        """Load the course's code and show paths from its root: what every command does first."""
        errors.ROOT = self.root
        return registry.load(self.root)


def copy_course(root: Path, dest: Path, link_code: bool = True) -> Path:
    """The course's sources (not its outputs) of ``root``, copied into ``dest``: a scratch
    course for ``make bench`` and the tests, which never write into the real one. Its
    code folder is a link to the original (``link_code``), so the copy runs the same
    modules (and the compiled kernels' cache) instead of importing a second copy."""
    for rel in SOURCES:
        src = root / rel
        if rel == registry.PACKAGE and src.is_dir() and link_code:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).symlink_to(src.resolve(), target_is_directory=True)
        elif src.is_dir():
            shutil.copytree(src, dest / rel, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest
