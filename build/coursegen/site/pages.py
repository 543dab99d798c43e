"""Worksheet pages: Markdown with Jinja in ``content/``, filled from results and figures.

Staff write questions, solutions and figure placements; the numbers a page states come
from experiment results (``{{ results.const_gd.theta_star | num(4) }}``), never typed.
The partials in ``templates/`` decide how a solution, a figure or a player looks, and
the edition decides whether solutions exist at all: in the student edition the solution
macro never calls its body, so no solution text is rendered anywhere.

Every figure and note has a role, given in the content: *question* material shows in
both editions, *solution* material only in the solutions edition (in a ``cg-solution``
block), in or beside the solution it belongs to. Where the content gives a solution
figure a student rendering without the answer, the student edition shows that in its
place. Question material placed inside a solution is a build error: students would
never see it.
Captions and alt texts are Jinja too, with ``res`` (the figure's results) and
``results``, so the numbers they state come from the build.
"""

import functools
import hashlib
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import jinja2
import numpy as np
from jinja2.sandbox import SandboxedEnvironment

from coursegen.errors import BuildError
from coursegen.site import compiled_templates, paper
from coursegen.site import notebooks as notebook
from coursegen.site.worksheets import Entry
from coursegen.stages.editions import RENDERINGS, Edition
from coursegen.stages.frontmatter import read_utf8
from coursegen.stages.parameters import ROLES, Sheet
from coursegen.stages.pipeline import DrawnFigure


class _FigureError(Exception):
    """A figure the page cannot place: unknown, or already placed on this page."""


class _Loader(jinja2.FileSystemLoader):
    """Jinja's file loader, naming the file and line of a byte that is not UTF-8."""

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:
            for folder in self.searchpath:
                path = Path(folder, *template.split("/"))
                if path.is_file():
                    read_utf8(path, _shorten(str(path), template))  # raises, naming the line
            raise


class _Misplaced(Exception):
    pass


class UnplacedFigure(BuildError):
    """A figure of a worksheet that no page of it places, in its solutions edition (where
    every figure can be placed): drawn and published for nobody."""


def render_pages(
    content: Path,
    templates: list[Path],
    sheets: list[Sheet],
    results: dict[str, dict[str, dict[str, np.ndarray]]],
    drawn: dict[tuple[str, str], DrawnFigure],
    editions: dict[str, Edition],
    listing: list,
    compiled: jinja2.BytecodeCache | None = None,
) -> dict[str, str]:
    """Every page's Markdown, keyed by its path under the docs folder.

    ``drawn``: the figures the pages may place, by (sheet, figure).
    ``editions``: the edition each worksheet is rendered in (``solutions`` or
    ``student``; the home page is ``student`` unless every worksheet is ``solutions``).
    ``listing``: the home page's list of worksheets (coursegen.site.worksheets.Entry), which
    its ``worksheet_list()`` shows. ``compiled``: where compiled templates are kept
    (coursegen.site.compiled_templates).
    """
    wrong = sorted(str(e) for e in editions.values() if e not in RENDERINGS)
    if wrong:
        raise BuildError(f"unknown edition {wrong[0]!r}; one of: {', '.join(RENDERINGS)}")
    editions = {name: Edition(e) for name, e in editions.items()}
    home_edition = Edition.SOLUTIONS if editions and set(editions.values()) == {Edition.SOLUTIONS} else Edition.STUDENT
    pages = {}
    root = content.parent
    for sheet in [None, *sheets]:
        folder = content if sheet is None else content / sheet.name
        edition = home_edition if sheet is None else editions[sheet.name]
        names = ["index.md"] if sheet is None else ["index.md", *(name for name, _ in sheet.meta.pages)]
        numbering = Numbering()
        for final in (False, True):  # first where each figure is placed, then the pages with their numbers
            for name in names:
                path = folder / name
                numbering.page = name
                page = functools.partial(
                    _page, path, templates, edition, sheet, results, drawn, listing, numbering, compiled
                )
                text = _render(page, path.relative_to(root).as_posix())
                if final:
                    pages[path.relative_to(content).as_posix()] = text
            numbering.final = True
        if sheet is not None and edition is Edition.SOLUTIONS:
            _all_placed(sheet, numbering)
    return pages


def _all_placed(sheet: Sheet, numbering: "Numbering") -> None:
    for name, fig in sheet.figures.items():
        if fig.rendering_of is None and name not in numbering.placed:
            raise UnplacedFigure(
                f'{fig.source}: [figures.{name}] is placed on no page of {sheet.name}; place it with {{{{ figure("{name}") }}}} or remove it'
            )


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def without_html_comments(text: str, where: str) -> str:
    """A caption or alt text without its HTML comments (a page's are taken out as the
    site's Markdown reads it: coursegen.site.reading); one never closed is refused."""
    text = _COMMENT.sub("", text)
    if "<!--" in text:
        raise BuildError(f"{where}: an HTML comment is never closed (add -->)")
    return text


class Numbering:
    """Figures numbered per worksheet in page order ("Figure 3"), for captions and
    ``ref``: a first rendering of the worksheet's pages finds where each figure is placed
    (``ref`` returns nothing yet), the second writes the numbers and links."""

    def __init__(self):
        self.final = False
        self.page = ""  # the page being rendered
        self.placed: dict[str, tuple[int, str, str | None]] = {}  # figure -> (number, page, id shown or None)

    def place(self, name: str, shown_id: str | None) -> int:
        """The figure's number. A figure the edition leaves out (``shown_id`` None) keeps
        its number, so that a figure has the same number in every edition."""
        if name not in self.placed:
            self.placed[name] = (len(self.placed) + 1, self.page, shown_id)
        return self.placed[name][0]

    def link(self, name: str) -> str:
        number, page, shown_id = self.placed[name]
        target = "" if page == self.page else page
        return f"[Figure {number}]({target}#fig-{shown_id})"


def _page(
    path: Path, templates: list[Path], edition: str, sheet: Sheet | None, results, drawn, listing, numbering, compiled
) -> str:
    """One page's Markdown, in an environment of its own (its figures placed once each)."""
    env = _environment(path.parent, templates, edition, compiled)
    if sheet is None:
        partial = env.get_template("partials/worksheets.md")
        env.globals["worksheet_list"] = lambda: partial.render(worksheets=listing)
    else:
        env.globals["results"] = SheetResults(sheet.name, results.get(sheet.name, {}))
        env.globals["figure"] = _figure_macro(env, sheet, drawn, edition, numbering)
        env.globals["ref"] = _ref_macro(sheet, edition, numbering)
        env.globals["solutions_status"] = _solutions_status(
            next(e for e in listing if e.url == f"{sheet.name}/index.md"), numbering
        )
        env.globals["notebook"] = notebook.filename(sheet)  # None: the worksheet has no notebook
        run_it = env.get_template("partials/notebook.md")
        env.globals["run_it_yourself"] = lambda: run_it.render(notebook=env.globals["notebook"])
    return env.get_template(path.name).render()


class UnknownResult(Exception):
    """A page asked for a result that no experiment or summary of its worksheet has."""


class SheetResults:
    """``results.<experiment>.<key>`` for a page: a name that is not there is an error
    listing the names that are (a typo is then one look away from its fix)."""

    def __init__(self, sheet: str, by_name: dict):
        self._sheet, self._by_name = sheet, by_name

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if not self._by_name:
            raise UnknownResult(
                f"results.{name}: {self._sheet} has no experiment or summary at all "
                f"(they are defined in a .toml file beside its index.md: content/{self._sheet}/params.toml)"
            )
        if name not in self._by_name:
            known = ", ".join(sorted(self._by_name))
            raise UnknownResult(f"results.{name}: {self._sheet} has no experiment or summary {name!r}; it has: {known}")
        return _Keys(f"results.{name}", self._by_name[name])

    __getitem__ = __getattr__


class _Keys:
    def __init__(self, where: str, arrays):
        self._where, self._arrays = where, arrays

    def __getattr__(self, key: str):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._arrays[key]
        except KeyError:
            known = ", ".join(sorted(self._arrays)) or "none"
            raise UnknownResult(f"{self._where}.{key}: no result {key!r}; the results are: {known}") from None

    __getitem__ = __getattr__


def _environment(
    folder: Path, templates: list[Path], edition: str, compiled: jinja2.BytecodeCache | None
) -> jinja2.Environment:
    env = SandboxedEnvironment(  # a page may come from people who may not run code on the build machine
        loader=_Loader([str(folder), *map(str, templates)]),
        bytecode_cache=compiled,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.globals["edition"] = edition
    env.globals["solutions_shown"] = edition is Edition.SOLUTIONS  # the partials ask this, never a string
    env.filters["num"] = num
    macros = env.get_template("partials/macros.md").module
    env.globals["in_solution"] = [0]  # how deep in solution material the rendering is
    env.globals["in_note"] = [0]  # how deep in notes

    def solution(*, caller):
        """The solution block; its body is solution material."""
        env.globals["in_solution"][0] += 1
        try:
            return macros.solution(caller=caller)
        finally:
            env.globals["in_solution"][0] -= 1

    def note(role: str, kind: str, title: str, *, caller):
        """A note with a role: solution notes exist in the solutions edition only."""
        if role not in ROLES:
            raise _Misplaced(f"note {title!r}: role {role!r} is unknown; one of: {', '.join(ROLES)}")
        if role == "solution" and edition is Edition.STUDENT:
            return ""
        if role == "question" and env.globals["in_solution"][0]:
            raise _Misplaced(f"note {title!r} is question material inside solution material")
        env.globals["in_solution"][0] += role == "solution"
        env.globals["in_note"][0] += 1
        try:
            return macros.note(role, kind, title, caller=caller)
        finally:
            env.globals["in_solution"][0] -= role == "solution"
            env.globals["in_note"][0] -= 1

    env.globals.update(solution=solution, question=macros.question, note=note)
    return env


def num(value, digits: int = 4, zeros: bool = False) -> str:
    """A result as text with ``digits`` significant digits (locale-independent). With
    ``zeros`` its trailing zeros are kept, for numbers read side by side (0.270 beside
    0.268: "0.27" would read as less precise)."""
    array = np.asarray(value)
    if array.size != 1:
        raise TypeError(f"num expects one number, got an array of shape {array.shape}")
    x = array.item()
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    text = format(float(x), f"#.{digits}g" if zeros else f".{digits}g").replace(".e", "e").removesuffix(".")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def _figure_macro(
    env: jinja2.Environment, sheet: Sheet, drawn: dict[tuple[str, str], DrawnFigure], edition: str, numbering
):
    """``figure(name)`` for one page: each figure at most once (its ``id`` must be unique),
    its caption starting with its number."""
    partial = env.get_template("partials/figure.md")
    placed: set[str] = set()

    def figure(name: str) -> str:
        if name not in sheet.figures or sheet.figures[name].rendering_of:
            known = ", ".join(sorted(n for n, f in sheet.figures.items() if not f.rendering_of)) or "none"
            raise _FigureError(f"unknown figure {name!r}; figures of {sheet.name}: {known}")
        if name in placed:
            raise _FigureError(f"figure {name!r} is placed twice on this page (its id fig-{name} must be unique)")
        placed.add(name)
        fig = sheet.figures[name]
        inside = env.globals["in_solution"][0] > 0
        if fig.role == "question" and inside:
            raise _Misplaced(
                f"figure {name!r} is question material ({fig.source}) placed inside solution "
                f"material: students would never see it"
            )
        if inside:  # Markdown cannot indent the figure's HTML block into the solution's
            raise _Misplaced(
                f"figure {name!r} is solution material inside a solution block: place it after the block "
                f"(a solution figure comes in a closed block of its own)"
            )
        if env.globals["in_note"][0]:  # nor into a note's
            raise _Misplaced(f"figure {name!r} is inside a note: place it after the note")
        if edition is Edition.STUDENT and fig.role == "solution":
            if fig.student is None:
                numbering.place(name, None)  # its number stays taken: both editions number alike
                return ""  # solution material: not in the student edition, not even its files
            fig = sheet.figures[fig.student]
        shown = fig
        placed_fig = drawn[(sheet.name, shown.name)]
        view = SimpleNamespace(
            name=shown.name,
            number=numbering.place(name, shown.name),
            role=shown.role,
            caption=figure_text(env, shown, "caption"),
            alt=figure_text(env, shown, "alt"),
            paper=paper.on_paper(placed_fig.meta),
        )
        # blank lines around: raw HTML must start its own block, even right after a line of text
        url = _addresses(placed_fig)
        return "\n\n" + partial.render(fig=view, url=url, meta=placed_fig.meta) + "\n\n"

    return figure


def _solutions_status(entry: Entry, numbering: Numbering) -> Callable[[], str]:
    """``solutions_status()``: where the worksheet's solutions stand, as the home page
    says it (``entry``: its line there), as a title-only admonition on a line of its own.
    Without its solutions, it names the figures that come with them: a figure keeps its
    number in every edition, so the numbers shown skip theirs."""

    def solutions_status() -> str:
        withheld = sorted(number for number, _, shown in numbering.placed.values() if shown is None)
        said = entry.solutions
        if withheld and numbering.final:
            names = ", ".join(map(str, withheld[:-1])) + f" and {withheld[-1]}" if len(withheld) > 1 else withheld[0]
            said += (
                f" Figure{'s' if len(withheld) > 1 else ''} {names} come{'' if len(withheld) > 1 else 's'} with them."
            )
        return f'\n\n!!! info "{said}"\n\n'

    return solutions_status


def _addresses(fig: DrawnFigure) -> dict[str, str]:
    """Each file's address from its page, by what follows the figure's name (".gif",
    "-dark.svg"): with ``?v=`` and the start of its SHA-256, so that a file the build
    changes has a new address. Players and explorers fetch their files from the
    browser's cache; by name alone, a reader (or a preview) would keep the old one."""
    return {
        name.removeprefix(fig.name): f"figures/{name}?v={hashlib.sha256(data).hexdigest()[:12]}"
        for name, data in fig.files.items()
    }


def _ref_macro(sheet: Sheet, edition: str, numbering: Numbering):
    """``ref(name)``: "Figure 3", linked to the figure, wherever on the worksheet it is."""

    def ref(name: str) -> str:
        if name not in sheet.figures or sheet.figures[name].rendering_of:
            known = ", ".join(sorted(n for n, f in sheet.figures.items() if not f.rendering_of)) or "none"
            raise _FigureError(f"ref({name!r}): unknown figure; figures of {sheet.name}: {known}")
        if not numbering.final:
            return ""
        if (
            edition is Edition.STUDENT
            and sheet.figures[name].role == "solution"
            and sheet.figures[name].student is None
        ):
            raise _FigureError(
                f"ref({name!r}): figure {name!r} is solution material, absent where {sheet.name} is shown without "
                f"its solutions (the student edition, or before they are out); refer to it from solution material"
            )
        if name not in numbering.placed or numbering.placed[name][2] is None:
            raise _FigureError(
                f"ref({name!r}): the figure is placed on no page of {sheet.name} in the {edition} edition; "
                f"place it with figure({name!r}) or refer to another"
            )
        return numbering.link(name)

    return ref


def figure_text(env: jinja2.Environment, fig, field: str) -> str:
    """A figure's caption or alt text, rendered with its results (``res``) and the sheet's."""
    return render_figure_text(fig, field, env.globals["results"], env)


def render_figure_text(fig, field: str, results, env: jinja2.Environment | None = None) -> str:
    """``fig``'s caption or alt text (``field``) as a page shows it, from ``results``, the
    sheet's results by experiment name (also for tests: the same text the page has)."""
    if env is None:
        env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
        env.filters["num"] = num
    try:
        named = [results[n] for n in fig.experiments]  # errors name what the author wrote: res.KEY, res[i].KEY
        arrays = [getattr(r, "_arrays", r) for r in named]
        res = [_Keys(f"res[{i}]", a) for i, a in enumerate(arrays)] if fig.many else _Keys("res", arrays[0])
        text = compiled_templates.from_string(env, getattr(fig, field)).render(res=res, results=results)
        return without_html_comments(text, f"{fig.source}: [figures.{fig.rendering_of or fig.name}] {field}")
    except jinja2.TemplateSyntaxError as e:
        raise BuildError(
            f"{fig.source}: [figures.{fig.rendering_of or fig.name}] {field}: template syntax error: {e.message}"
        ) from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, UnknownResult, TypeError, ValueError) as e:
        raise BuildError(f"{fig.source}: [figures.{fig.rendering_of or fig.name}] {field}: {e}") from None
    except KeyError as e:
        raise BuildError(f"{fig.source}: [figures.{fig.rendering_of or fig.name}] {field}: {e.args[0]}") from None


def _render(page, source: str) -> str:
    """``page()``'s text, or one line naming the template file and line of what went wrong."""
    try:
        return page()
    except jinja2.TemplateSyntaxError as e:
        where = _shorten(e.filename or source, source)
        opened = _never_closed(e)
        if opened:
            tag, line = opened
            raise BuildError(f"{where}, line {line}: {{% {tag} %}} is never closed (add {{% end{tag} %}})") from None
        raise BuildError(f"{where}, line {e.lineno}: template syntax error: {e.message}") from None
    except jinja2.TemplateNotFound as e:
        raise BuildError(
            f"{_where(e, source)}: template {e.name!r} not found in the page's folder or templates/"
        ) from None
    except BuildError:
        raise
    except Exception as e:  # anything a template's expression raises: undefined names, 1/0, bad filters
        detail = "".join(traceback.format_exception_only(e)).strip()
        if isinstance(e, (_FigureError, _Misplaced, UnknownResult, jinja2.UndefinedError)):
            detail = str(e)
        raise BuildError(f"{_where(e, source)}: {detail}") from None


_BLOCKS = {"block", "call", "filter", "for", "if", "macro", "raw", "set", "with"}  # the tags an end tag closes


def _never_closed(error: jinja2.TemplateSyntaxError) -> tuple[str, int] | None:
    """The tag and line of the block left open, when Jinja stopped looking for its end
    tag (at the end of the file, or at another block's end tag): Jinja names the line
    where it stopped, far from the slip."""
    message = error.message or ""
    innermost = re.search(r"The innermost block that needs to be closed is '(\w+)'", message)
    stopped_at = re.match(r"Encountered unknown tag '(\w+)'", message)
    if stopped_at and stopped_at.group(1).removeprefix("end") not in _BLOCKS:
        return None  # a tag Jinja does not know (a misspelt end tag): its own line says it best
    if not innermost or not error.filename:
        return None
    try:
        tokens = jinja2.Environment().lex(Path(error.filename).read_text(encoding="utf-8"))
        opened: list[tuple[str, int]] = []
        tag = None  # the tag being read, until its block ends
        for line, kind, value in tokens:
            if line > error.lineno:
                break
            if kind == "block_begin":
                tag = ""
            elif tag == "" and kind == "name":
                tag = value
                if value.startswith("end") and opened and opened[-1][0] == value[3:]:
                    opened.pop()
                elif value in _BLOCKS:
                    opened.append((value, line))
            elif tag == "set" and kind == "operator" and value == "=":  # {% set x = 1 %} closes itself
                opened.pop()
                tag = None
            elif kind == "block_end":
                tag = None
        return next((o for o in reversed(opened) if o[0] == innermost.group(1)), None)
    except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
        return None


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
