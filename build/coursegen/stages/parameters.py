"""Read a worksheet's parameter files and check every field before anything runs.

A worksheet lives in ``content/<sheet>/``: its pages are ``*.md`` (Markdown with Jinja)
and its parameters are ``*.toml`` files holding two tables::

    [experiments.const_gd]      # a name the pages and figures refer to
    kind = "gd_constant"        # which experiment function runs
    steps = 50                  # any field of that function's parameter dataclass

    [figures.const_anim]
    kind = "gd_animation"       # which figure function draws
    experiment = "const_gd"     # whose results it draws (or experiments = [..., ...]
                                # for a figure that compares several)
    role = "question"           # question material (both editions) or "solution"
                                # (solutions edition only)
    why = "..."                 # why it has that role: what in it answers a question
    caption = "..."             # shown under the figure (Jinja: results, res)
    alt = "..."                 # read by screen readers (Jinja, likewise)
    # any keyword-only option of the figure function

    [figures.const_regimes.student]   # optional, for a solution figure: the student
    why = "..."                       # edition's rendering without the answer, its own
    caption = "..."                   # caption and alt, and figure options
    alt = "..."                       # (e.g. answers = false) over the figure's own
    answers = false

    [summaries.relu_sweep]      # numbers the pages state that compare experiments
    kind = "relu_sweep"         # which function of course.experiments.summaries computes them
    experiments = ["...", ...]  # from whose results; saved like an experiment's

Every mistake (a TOML syntax error, an unknown kind, key or experiment, a value of the
wrong type) stops the build with a ``BuildError`` naming the file and the field.
"""

import dataclasses
import difflib
import inspect
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from coursegen.errors import BuildError
from coursegen.stages import limits, registry
from coursegen.stages.editions import Edition
from coursegen.stages.frontmatter import SheetMeta, read_sheet_meta, read_utf8


@dataclass(frozen=True)
class Experiment:
    sheet: str
    name: str
    kind: str
    params: object  # the experiment function's parameter dataclass, filled in
    source: str  # "content/dis01/section1.toml", for messages


ROLES = ("question", "solution")
ANSWERS = "answers.toml"  # a worksheet's list of its answers, not a parameter file (coursegen.site.answers)


@dataclass(frozen=True)
class Figure:
    sheet: str
    name: str
    kind: str
    experiments: tuple[str, ...]  # whose results it draws
    many: bool  # given as a list (`experiments`): the function gets a list of results
    caption: str
    alt: str
    options: tuple[tuple[str, object], ...]
    source: str
    role: str = "question"  # one of ROLES
    why: str = ""  # why it has that role, as the content says
    student: str | None = None  # name of the student edition's rendering, if any
    rendering_of: str | None = None  # for a student rendering: the figure it stands in for


@dataclass(frozen=True)
class Summary:
    sheet: str
    name: str
    kind: str
    experiments: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Sheet:
    name: str
    meta: SheetMeta  # its front matter: number, title, date, summary, solutions, pages
    experiments: dict[str, Experiment]
    figures: dict[str, Figure]
    summaries: dict[str, Summary] = dataclasses.field(default_factory=dict)

    def shown_figures(self, edition: Edition) -> dict[str, Figure]:
        """The figures an edition shows: all but the student renderings in the solutions
        edition; question material only (student renderings included) in the student one."""
        if Edition(edition) is Edition.STUDENT:  # a bare string is checked, never taken for solutions
            return {n: f for n, f in self.figures.items() if f.role == "question"}
        return {n: f for n, f in self.figures.items() if f.rendering_of is None}


def load_sheet(sheet_dir: Path, root: Path) -> Sheet:
    """A worksheet's front matter and all its experiments and figures, validated."""
    experiments: dict[str, Experiment] = {}
    figures: dict[str, Figure] = {}
    summaries: dict[str, Summary] = {}
    sheet = sheet_dir.name
    index = sheet_dir / "index.md"
    index_source = index.relative_to(root).as_posix()
    meta = read_sheet_meta(index, index_source, read_utf8(index, index_source))
    listed = {"index.md", *(name for name, _ in meta.pages)}
    for page in sorted(sheet_dir.glob("*.md")):
        if page.name not in listed:
            raise BuildError(
                f"{index_source}: {page.name} is a page of {sheet}/ but not in the front matter's pages; "
                f"add it (pages: [{', '.join([*(n for n, _ in meta.pages), page.name])}])"
            )
    for path in sorted(p for p in sheet_dir.glob("*.toml") if p.name != ANSWERS):
        source = path.relative_to(root).as_posix()
        data = _read_toml(path, source)
        _only_keys(data, {"experiments", "figures", "summaries"}, source, "")
        for name, table in _tables(data, "experiments", source):
            _no_duplicate(name, experiments, source)
            experiments[name] = _experiment(sheet, name, table, source)
        for name, table in _tables(data, "figures", source):
            for fig in _figures(sheet, name, table, source):
                _no_duplicate(fig.name, figures, source)
                figures[fig.name] = fig
        for name, table in _tables(data, "summaries", source):
            _no_duplicate(name, summaries, source)
            _no_duplicate(name, experiments, source)
            summaries[name] = _summary(sheet, name, table, source)
    units = [(f"figures.{f.name}", f) for f in figures.values() if f.rendering_of is None]
    units += [(f"summaries.{u.name}", u) for u in summaries.values()]
    for section, unit in units:
        for name in unit.experiments:
            if name not in experiments:
                raise BuildError(
                    f"{unit.source}: [{section}] experiment {name!r} "
                    f"is not defined; known experiments: {_known(experiments)}"
                )
    for fig in figures.values():
        options = dict(fig.options)
        if "sgd_run" in options:
            params = experiments[fig.experiments[0]].params
            wrong = limits.run_index_problem(options["sgd_run"], getattr(params, "sgd_runs", None))
            if wrong:
                raise BuildError(f"{fig.source}: [figures.{fig.rendering_of or fig.name}] {wrong}")
    return Sheet(sheet, meta, experiments, figures, summaries)


def params_type(function) -> type:
    """The dataclass an experiment function takes as its single argument."""
    hints = typing.get_type_hints(function)
    hints.pop("return", None)
    (cls,) = hints.values()
    return cls


def _read_toml(path: Path, source: str) -> dict:
    try:
        return tomllib.loads(read_utf8(path, source))
    except tomllib.TOMLDecodeError as e:
        raise BuildError(f"{source}: TOML syntax error: {e}") from None


def _tables(data: dict, section: str, source: str):
    tables = data.get(section, {})
    if not isinstance(tables, dict):
        raise BuildError(f"{source}: [{section}] must be a table of named tables")
    for name in sorted(tables):
        table = tables[name]
        if not isinstance(table, dict):
            raise BuildError(f"{source}: {section}.{name} must be a table, got {_tname(table)}")
        if not name.isidentifier():
            raise BuildError(f"{source}: [{section}.{name}] names must be identifiers (letters, digits, _)")
        yield name, table


def _experiment(sheet: str, name: str, table: dict, source: str) -> Experiment:
    where = f"{source}: [experiments.{name}]"
    experiments = registry.kinds().experiments
    kind = _kind(table, experiments, where)
    cls = params_type(experiments[kind])
    fields = {f.name: f for f in dataclasses.fields(cls)}
    try:  # the types themselves, also from a module with `from __future__ import annotations`
        hints = typing.get_type_hints(cls)
    except Exception as e:
        raise BuildError(
            f"{where}: the field types of {cls.__name__} cannot be read: {type(e).__name__}: {e}"
        ) from None
    for field_name in fields:  # a list would be mutable in a frozen, hashed dataclass
        hint = hints[field_name]
        if hint in (list, dict, set) or typing.get_origin(hint) not in (None, tuple, typing.Union, types.UnionType):
            raise BuildError(
                f"{where}: {cls.__name__}.{field_name} is a {hint.__name__ if isinstance(hint, type) else hint}; parameters hold numbers, "
                f"strings, booleans and tuples: write tuple[float, ...] for a list of numbers"
            )
    values = {k: v for k, v in table.items() if k != "kind"}
    _only_keys(values, fields, source, f"experiments.{name}")
    checked = {k: _coerce(v, hints[k], f"{where} {k}") for k, v in values.items()}
    params = cls(**checked)
    if problems := limits.problems(dataclasses.asdict(params)) + _own_limits(params, where):
        raise BuildError(f"{where} {'; '.join(problems)}")
    return Experiment(sheet, name, kind, params, source)


def _own_limits(params, where: str) -> list[str]:
    """What the course's parameter dataclass says is wrong with its values: its
    ``limits()`` (a list of phrases), when it defines one."""
    own = getattr(params, "limits", None)
    if own is None:
        return []
    asked = f"{type(params).__name__}.limits()"
    try:
        found = own()
    except Exception as e:
        raise BuildError(f"{where}: {asked} failed: {type(e).__name__}: {' '.join(str(e).split())}") from None
    if not isinstance(found, list) or not all(isinstance(p, str) for p in found):
        raise BuildError(f"{where}: {asked} must return a list of phrases, got {found!r}")
    return [" ".join(p.split()) for p in found]  # one line, whatever the phrase held


def _summary(sheet: str, name: str, table: dict, source: str) -> Summary:
    where = f"{source}: [summaries.{name}]"
    kind = _kind(table, registry.kinds().summaries, where)
    _only_keys(table, {"kind", "experiments"}, source, f"summaries.{name}")
    if "experiments" not in table:
        raise BuildError(f"{where} is missing 'experiments'")
    names = _coerce(table["experiments"], tuple[str, ...], f"{where} experiments")
    if not names:
        raise BuildError(f"{where} experiments = [] names no experiment; list at least one")
    return Summary(sheet, name, kind, names, source)


def _figures(sheet: str, name: str, table: dict, source: str) -> list[Figure]:
    """The figure, and its student rendering if it has one."""
    where = f"{source}: [figures.{name}]"
    table = dict(table)
    student = table.pop("student", None)
    role = table.pop("role", None)
    why = table.pop("why", None)
    if role is None:
        raise _missing(where, "role", table, f"; one of: {_known(ROLES)}")
    if role not in ROLES:
        raise BuildError(f"{where} role = {role!r} is unknown; one of: {_known(ROLES)}")
    if not isinstance(why, str) or not why.strip():
        raise _missing(where, "why", table, f": say what makes it {role} material")
    fig = _figure(sheet, name, table, source)
    if student is None:
        return [dataclasses.replace(fig, role=role, why=why)]
    if role != "solution":
        raise BuildError(f"{where}.student: only a solution figure has a student rendering")
    if not isinstance(student, dict):
        raise BuildError(f"{where}.student must be a table, got {_tname(student)}")
    student = dict(student)
    student_why = student.pop("why", None)
    student_where = f"{source}: [figures.{name}.student]"
    if not isinstance(student_why, str) or not student_why.strip():
        raise _missing(student_where, "why", student, ": say why it holds no answer")
    for key in ("kind", "experiment", "experiments", "role", "student"):
        if key in student:
            raise BuildError(f"{student_where} {key!r} is the figure's own; give captions and options only")
    merged = {**{k: v for k, v in table.items() if k not in ("caption", "alt")}, **student}
    rendering = _figure(sheet, f"{name}_student", merged, source, section=f"figures.{name}.student")
    return [
        dataclasses.replace(fig, role=role, why=why, student=rendering.name),
        dataclasses.replace(rendering, role="question", why=student_why, rendering_of=name),
    ]


_FIGURE_FIELDS = ("alt", "caption", "experiment", "experiments", "kind", "role", "student", "why")
_STUDENT_FIELDS = ("alt", "caption", "why")  # a student rendering's own; options as the figure's


def _figure(sheet: str, name: str, table: dict, source: str, section: str | None = None) -> Figure:
    section = section or f"figures.{name}"
    where = f"{source}: [{section}]"
    figures = registry.kinds().figures
    kind = _kind(table, figures, where)
    options = {p.name: p for p in inspect.signature(figures[kind]).parameters.values() if p.kind is p.KEYWORD_ONLY}
    required = {"caption": str, "alt": str}
    for key, typ in required.items():
        if key not in table:
            raise _missing(where, key, table)
        _coerce(table[key], typ, f"{where} {key}")
    if ("experiment" in table) == ("experiments" in table):
        typo = difflib.get_close_matches("experiment", [k for k in table if k not in ("experiment", "experiments")], 1)
        told = f" ({typo[0]!r} is no field: a typo of it?)" if typo else ""
        raise BuildError(f'{where} needs either experiment = "name" or experiments = ["name", ...]{told}')
    many = "experiments" in table
    names = (
        _coerce(table["experiments"], tuple[str, ...], f"{where} experiments")
        if many
        else (_coerce(table["experiment"], str, f"{where} experiment"),)
    )
    if not names:
        raise BuildError(f"{where} experiments = [] names no experiment; list at least one")
    extra = {k: v for k, v in table.items() if k not in required and k not in ("kind", "experiment", "experiments")}
    if unknown := sorted(set(extra) - set(options)):
        fields = _FIGURE_FIELDS if section == f"figures.{name}" else _STUDENT_FIELDS
        typo = difflib.get_close_matches(unknown[0], [*options, *fields], n=1, cutoff=0.6)
        raise BuildError(
            f"{source}: [{section}] unknown key {unknown[0]!r}{f' (a typo of {typo[0]!r}?)' if typo else ''}; "
            f"{kind}'s options: {_known(options) or 'none'}; besides its options: {', '.join(fields)}"
        )
    hints = typing.get_type_hints(registry.kinds().figures[kind])
    checked = tuple(sorted((k, _coerce(v, hints[k], f"{where} {k}")) for k, v in extra.items()))
    if problems := limits.problems(dict(checked)):
        raise BuildError(f"{where} {'; '.join(problems)}")
    if not table["alt"].strip() or not table["caption"].strip():
        raise BuildError(f"{where}: caption and alt text must not be empty")
    return Figure(sheet, name, kind, names, many, table["caption"], table["alt"], checked, source)


def _kind(table: dict, known: dict, where: str) -> str:
    kind = table.get("kind")
    if kind is None:
        raise _missing(where, "kind", table, f"; one of: {_known(known)}")
    if not isinstance(kind, str):
        raise BuildError(f"{where} kind: expected a string, got {_tname(kind)} {kind!r}; one of: {_known(known)}")
    if kind not in known:
        raise BuildError(f"{where} kind = {kind!r} is unknown; one of: {_known(known)}")
    return kind


def _missing(where: str, key: str, table: dict, hint: str = "") -> BuildError:
    """A required key that is not there; a key of the table spelt close to it is named
    as its likely typo (a misspelt required key is otherwise only "missing")."""
    typo = difflib.get_close_matches(key, [k for k in table if isinstance(k, str)], n=1, cutoff=0.6)
    told = f" ({typo[0]!r} is no field: a typo of it?)" if typo else ""
    return BuildError(f"{where} is missing {key!r}{told}{hint}")


def _only_keys(table: dict, allowed, source: str, section: str) -> None:
    for key in sorted(table):
        if key not in allowed:
            where = f"[{section}] " if section else ""
            typo = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            told = f" (a typo of {typo[0]!r}?)" if typo else ""
            raise BuildError(f"{source}: {where}unknown key {key!r}{told}; allowed: {_known(allowed) or 'none'}")


def _coerce(value, typ, where: str):
    """Check a TOML value against a dataclass field type; lists become tuples."""
    origin = typing.get_origin(typ)
    if origin is tuple:
        (item, _ellipsis) = typing.get_args(typ)
        if not isinstance(value, list):
            raise BuildError(f"{where}: expected a list of {item.__name__}, got {_tname(value)}")
        return tuple(_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        raise BuildError(f"{where}: union types are not supported in parameters")
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if typ is int and isinstance(value, bool) or not isinstance(value, typ):
        raise BuildError(f"{where}: expected {typ.__name__}, got {_tname(value)} {value!r}")
    return value


def _no_duplicate(name: str, seen: dict, source: str) -> None:
    if name in seen:
        raise BuildError(f"{source}: {name!r} is already defined in {seen[name].source}")


def _known(names) -> str:
    return (
        ", ".join(sorted(names)) or f"none: the course registers its kinds in {registry.PACKAGE}/ (see coursegen init)"
    )


def _tname(value) -> str:
    return {bool: "boolean", int: "integer", float: "float", str: "string", list: "list", dict: "table"}.get(
        type(value), type(value).__name__
    )
