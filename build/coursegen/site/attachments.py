"""Files staff put beside a worksheet's pages (a diagram, a data file to download),
published where a page of the edition links to them.

Only linked files go out: a picture linked from a solution is linked nowhere in the
student edition (its solutions are never rendered), so it is not in that site at all,
and a file nobody links to stays a source. A worksheet's parameter files are never
published (their comments may say what the solutions say). MkDocs' strict build names
a Markdown link to a file that is not there; an HTML ``src`` or ``href`` it does not
check, so ``missing_html_targets`` does."""

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from coursegen.errors import BuildError
from coursegen.stages.parameters import Sheet

PAGES, PARAMETERS = ".md", ".toml"
# Link targets in Markdown: inline ``](target ...)`` or ``](<target with spaces>)``,
# reference definitions ``[name]: target`` (indented too: a solution's body is), and
# HTML ``src="..."`` / ``href="..."``.
_MARKDOWN = (
    re.compile(r"\]\(\s*(?:<([^>\n]+)>|([^)\s]+))"),
    re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*(?:<([^>\n]+)>|(\S+))", re.MULTILINE),
)
_HTML = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")
# Code shows a path; it does not link to it.
_CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$|`[^`\n]+`", re.MULTILINE | re.DOTALL)


def linked(content: Path, sheets: list[Sheet], rendered: dict[str, str]) -> dict[str, bytes]:
    """``{docs path: bytes}`` of each worksheet folder's files (not its pages or
    parameter files) that a rendered page of the worksheet links to."""
    found = {}
    for sheet in sheets:
        folder = content / sheet.name
        for page, target in _sheet_targets(sheet.name, rendered):
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


def missing_html_targets(sheets: list[Sheet], rendered: dict[str, str], docs_files: dict[str, bytes]) -> None:
    """An HTML ``src`` or ``href`` of a worksheet's page to a file of its folder that the
    docs folder does not hold (MkDocs checks Markdown links only): one line naming it."""
    for sheet in sheets:
        for page, target in _sheet_targets(sheet.name, rendered, html_only=True):
            if target in docs_files or target.endswith("/"):
                continue
            if target.endswith(".html") and target.removesuffix(".html") + PAGES in docs_files:
                continue  # a link to another page, as the site names it
            raise BuildError(
                f"content/{page}: links to {posixpath.relpath(target, posixpath.dirname(page))}, "
                f"which is neither in content/{sheet.name}/ nor made by the build"
            )


def _sheet_targets(sheet: str, rendered: dict[str, str], html_only: bool = False):
    """(page, docs path) of every relative link of the worksheet's pages that stays
    inside its folder."""
    for page, text in sorted(rendered.items()):
        if not page.startswith(f"{sheet}/"):
            continue
        for target in sorted(_targets(_CODE.sub("", text), html_only)):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
            if path.startswith(f"{sheet}/"):
                yield page, path


def _targets(text: str, html_only: bool) -> set[str]:
    """The relative link targets of a page, decoded, without their ``#anchor`` or ``?query``."""
    found = list(_HTML.findall(text))
    if not html_only:
        found += [a or b for pattern in _MARKDOWN for a, b in pattern.findall(text)]
    out = set()
    for target in found:
        target = unquote(re.split(r"[#?]", target.strip(), maxsplit=1)[0])
        if target and ":" not in target.split("/")[0] and not target.startswith("/"):
            out.add(target)
    return out
