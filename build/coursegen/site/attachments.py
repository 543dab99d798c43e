"""Files staff put beside a worksheet's pages (a diagram, a data file to download),
published where a page of the edition links to them.

Only linked files go out: a picture linked from a solution is linked nowhere in the
student edition (its solutions are never rendered), so it is not in that site at all
(nor may another page link it while those solutions are not out), and a file nobody
links to stays a source. A worksheet's parameter files are never
published (their comments may say what the solutions say).

A page's links are what its HTML links to, as the site's Markdown makes it
(``reading``): a reference definition links only where a reference uses it, a path in
code links nowhere, and a solution's indented body is a solution, not a code block.
``missing_targets`` names a link to a file that is not there, in either engine and in
solutions a build renders only to check them."""

import posixpath
from pathlib import Path
from urllib.parse import unquote

from coursegen.errors import BuildError
from coursegen.site.reading import Read
from coursegen.stages.parameters import Sheet

PAGES, PARAMETERS = ".md", ".toml"


def targets(reads: dict[str, Read]) -> dict[str, set[str]]:
    """Each page's relative link targets, as docs paths (``dis01/img/a.svg``), decoded,
    without ``#anchor`` or ``?query``; a target outside the docs folder is left out."""
    return {
        page: {t for t in (_docs_path(page, link) for link in read.links) if t} for page, read in sorted(reads.items())
    }


def _docs_path(page: str, link: str) -> str | None:
    """``link`` of ``page`` as a docs path; None for another site, an anchor of the page
    itself, an absolute path or one that leaves the docs folder."""
    target = unquote(link.strip().split("#", 1)[0].split("?", 1)[0])
    if not target or target.startswith("/") or ":" in target.split("/")[0]:
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
    return None if path.startswith("../") or path == ".." else path + ("/" if target.endswith("/") else "")


def _folders(content: Path) -> list[str]:
    """Every worksheet's folder, also of those a ``--sheet`` build leaves out (a page
    of the one it builds may link a file of another)."""
    return sorted(index.parent.name for index in content.glob("*/index.md"))


def linked(content: Path, links: dict[str, set[str]]) -> dict[str, bytes]:
    """``{docs path: bytes}`` of each worksheet folder's files (not its pages or
    parameter files) that a rendered page links to."""
    found = {}
    for name in _folders(content):
        folder = content / name
        for page, target in _sheet_targets(name, links):
            path = content / target
            if not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
                continue
            if any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            if path.suffix == PARAMETERS:
                raise BuildError(
                    f"content/{page}: links to {path.relative_to(content).as_posix()}, a parameter file, which is "
                    f"never published (its comments may say what the solutions say); link a copy made for students"
                )
            if path.suffix != PAGES:
                found[target] = path.read_bytes()
    return found


def missing_targets(
    content: Path, sheets: list[Sheet], links: dict[str, set[str]], docs_files: dict[str, bytes]
) -> None:
    """A link to a file of a worksheet's folder, or of a built worksheet's page to a page,
    that the docs folder does not hold: one line naming it."""
    built = {sheet.name for sheet in sheets}
    for name in _folders(content):
        for page, target in _sheet_targets(name, links, pages_anywhere=name in built):
            if target in docs_files or target.endswith("/"):
                continue
            if target.endswith(".html") and target.removesuffix(".html") + PAGES in docs_files:
                continue  # a link to another page, as the site names it
            raise BuildError(
                f"content/{page}: links to {posixpath.relpath(target, posixpath.dirname(page))}, "
                f"which is neither in content/{posixpath.dirname(target) or '.'}/ nor made by the build"
            )


def _sheet_targets(sheet: str, links: dict[str, set[str]], pages_anywhere: bool = False):
    """(page, docs path) of every link into the worksheet's folder, from any page (a
    later worksheet may link an earlier one's data), and with ``pages_anywhere`` every
    link of the worksheet's own pages to a page."""
    for page, found in sorted(links.items()):
        own = page.startswith(f"{sheet}/")
        for target in sorted(found):
            if target.startswith(f"{sheet}/") or (pages_anywhere and own and target.endswith(PAGES)):
                yield page, target


def solution_files_unlinked(hidden: list[str], solved: dict[str, Read], published: dict[str, Read]) -> None:
    """A file of a worksheet shown without its solutions (``hidden``) that only its
    solutions link (``solved``: its pages with them, ``published``: every page as this
    build publishes it) is solution material: another page linking it would publish it."""
    solved_links, published_links = targets(solved), targets(published)
    for sheet in hidden:
        solution_only = _own_targets(sheet, solved_links) - _own_targets(sheet, published_links)
        for page, found in sorted(published_links.items()):
            for target in sorted(found & solution_only):
                raise BuildError(
                    f"content/{page}: links to {posixpath.relpath(target, posixpath.dirname(page))}, which {sheet} "
                    f"links only from its solutions, not published in this build; link it from {sheet}'s question "
                    f"text, or once its solutions are out"
                )


def _own_targets(sheet: str, links: dict[str, set[str]]) -> set[str]:
    """The files of the worksheet's folder that its own pages link."""
    return {
        t for page, found in links.items() if page.startswith(f"{sheet}/") for t in found if t.startswith(f"{sheet}/")
    }
