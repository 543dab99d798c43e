"""Files staff put beside a worksheet's pages (a diagram, a data file to download),
published where a page of the edition links to them.

Only linked files go out: a picture linked from a solution is linked nowhere in the
student edition (its solutions are never rendered), so it is not in that site at all,
and a file nobody links to stays a source. What is linked but not there is MkDocs'
strict build's to name (coursegen.site.engines)."""

import posixpath
import re
from pathlib import Path

from coursegen.stages.parameters import Sheet

SOURCES = (".md", ".toml")  # the worksheet's own sources, never published as they are
# Link targets in Markdown: inline ``](target ...)``, reference ``[name]: target``,
# and HTML ``src="..."`` / ``href="..."``.
_LINKS = (
    re.compile(r"\]\(\s*<?([^)\s>]+)"),
    re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.MULTILINE),
    re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']"""),
)


def linked(content: Path, sheets: list[Sheet], rendered: dict[str, str]) -> dict[str, bytes]:
    """``{docs path: bytes}`` of each worksheet folder's files (not its pages or
    parameter files) that a rendered page of the worksheet links to."""
    found = {}
    for sheet in sheets:
        folder = content / sheet.name
        targets = {
            posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            for rel, text in rendered.items()
            if rel.startswith(f"{sheet.name}/")
            for target in _targets(text)
        }
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(content).as_posix()
            hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
            if rel in targets and path.is_file() and not hidden and path.suffix not in SOURCES:
                found[rel] = path.read_bytes()
    return found


def _targets(text: str) -> set[str]:
    """The relative link targets of a page, without their ``#anchor`` or ``?query``."""
    out = set()
    for pattern in _LINKS:
        for target in pattern.findall(text):
            target = re.split(r"[#?]", target, maxsplit=1)[0]
            if target and "://" not in target and not target.startswith(("/", "mailto:", "data:")):
                out.add(target)
    return out
