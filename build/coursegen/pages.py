"""Worksheet pages: Markdown with Jinja in ``content/``, filled from results and figures.

Staff write questions, solutions and figure placements; the numbers a page states come
from experiment results (``{{ results.const_gd.theta_star | num(4) }}``), never typed.
The partials in ``templates/`` decide how a solution, a figure or a player looks, and
the edition decides whether solutions exist at all: in the student edition the solution
macro never calls its body, so no solution text is rendered anywhere.
"""

import json
import traceback
from pathlib import Path

import jinja2
import numpy as np

from coursegen.errors import BuildError
from coursegen.parameters import Sheet

EDITIONS = ("solutions", "student")


class _UnknownFigure(Exception):
    pass


def render_pages(
    content: Path,
    templates: Path,
    sheets: list[Sheet],
    results: dict[str, dict[str, dict[str, np.ndarray]]],
    figure_files: dict[str, dict[str, dict[str, bytes]]],
    edition: str,
) -> dict[str, str]:
    """Every page's Markdown, keyed by its path under the docs folder."""
    if edition not in EDITIONS:
        raise BuildError(f"unknown edition {edition!r}; one of: {', '.join(EDITIONS)}")
    pages = {}
    root = content.parent
    for sheet in [None, *sheets]:
        folder = content if sheet is None else content / sheet.name
        env = _environment(folder, templates, edition)
        if sheet is not None:
            env.globals["results"] = results.get(sheet.name, {})
            env.globals["figure"] = _figure_macro(env, sheet, figure_files.get(sheet.name, {}))
        for path in sorted(folder.glob("*.md")):
            rel = path.relative_to(content).as_posix()
            pages[rel] = _render(env, path.name, path.relative_to(root).as_posix())
    return pages


def _environment(folder: Path, templates: Path, edition: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder), str(templates)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.globals["edition"] = edition
    env.filters["num"] = num
    macros = env.get_template("partials/macros.md").module
    env.globals.update(solution=macros.solution, question=macros.question)
    return env


def num(value, digits: int = 4) -> str:
    """A result as text with ``digits`` significant digits (locale-independent)."""
    array = np.asarray(value)
    if array.size != 1:
        raise TypeError(f"num expects one number, got an array of shape {array.shape}")
    x = array.item()
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    text = format(float(x), f".{digits}g")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def _figure_macro(env: jinja2.Environment, sheet: Sheet, files: dict[str, dict[str, bytes]]):
    partial = env.get_template("partials/figure.md")

    def figure(name: str) -> str:
        if name not in sheet.figures:
            known = ", ".join(sorted(sheet.figures)) or "none"
            raise _UnknownFigure(f"unknown figure {name!r}; figures of {sheet.name}: {known}")
        produced = files.get(name, {})
        meta = json.loads(produced[f"{name}.json"])
        return partial.render(fig=sheet.figures[name], files=sorted(produced), meta=meta)

    return figure


def _render(env: jinja2.Environment, name: str, source: str) -> str:
    try:
        return env.get_template(name).render()
    except jinja2.TemplateSyntaxError as e:
        where = e.filename or source
        raise BuildError(f"{_shorten(where, source)}, line {e.lineno}: template syntax error: {e.message}") from None
    except (_UnknownFigure, jinja2.UndefinedError, TypeError, ValueError) as e:
        raise BuildError(f"{_where(e, source)}: {e}") from None


def _where(error: Exception, source: str) -> str:
    """The innermost template file and line the error came from (Jinja keeps them)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(".md") and not frame.filename.endswith(".py"):
            return f"{_shorten(frame.filename, source)}, line {frame.lineno}"
    return source


def _shorten(filename: str, source: str) -> str:
    """Show paths relative to the checkout, as staff see them."""
    for marker in ("content/", "templates/"):
        if marker in filename:
            return marker + filename.rsplit(marker, 1)[1]
    return source
