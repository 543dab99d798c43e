"""Companion notebooks: the course's code writes them, the build places and links them.

A course registers a notebook kind in ``NOTEBOOKS`` (``stages.registry``): an object
with ``wants(sheet) -> bool`` (whether a worksheet has such a notebook; the page links
it) and ``build(sheet, results, page, edition) -> bytes`` (the ``.ipynb`` file, from the
worksheet's results and its rendered page in that edition). A worksheet gets the first
kind, in order of kind, that wants it, written next to its ``index.md``.
"""

from coursegen.errors import BuildError, code_failure, no_hard_exit
from coursegen.script_copy import script_copy
from coursegen.stages import registry
from coursegen.stages.parameters import Sheet


def maker(sheet: Sheet):
    """The notebook kind that writes ``sheet``'s notebook, or None."""
    return next((kind for kind in registry.kinds().notebooks.values() if _course_code(sheet, kind.wants, sheet)), None)


def filename(sheet: Sheet) -> str | None:
    """The notebook's file name, next to the worksheet's index.md; None if it has none."""
    return _name(sheet) if maker(sheet) else None


def _name(sheet: Sheet) -> str:
    return f"{sheet.name}.ipynb"


def notebooks(sheets: list[Sheet], results, rendered: dict[str, str], editions: dict[str, str]) -> dict[str, bytes]:
    """Every worksheet's notebook, keyed by its path under the docs folder, and its
    script copy (``.ipynb.js``), which the page's link downloads from when opened from disk."""
    out = {}
    for sheet in sheets:
        kind = maker(sheet)
        if kind is not None:
            page = rendered[f"{sheet.name}/index.md"]
            path = f"{sheet.name}/{_name(sheet)}"
            out[path] = _course_code(sheet, kind.build, sheet, results.get(sheet.name, {}), page, editions[sheet.name])
            out[f"{path}.js"] = script_copy(out[path], "cgFiles").encode("ascii")  # the link from disk
    return out


def _course_code(sheet: Sheet, function, *args):
    """``function(*args)``, the course's notebook code, in the build's own process: a
    ``sys.exit`` or ``os._exit`` there fails the build naming the line, never ends it."""
    try:
        with no_hard_exit():
            return function(*args)
    except SystemExit as e:
        failure = code_failure(e, registry.kinds().folder)
        raise BuildError(f"{sheet.name}'s notebook: {failure}: the course's code stopped", failure.trace) from None
