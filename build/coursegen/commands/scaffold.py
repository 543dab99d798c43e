"""``coursegen new``: a worksheet, an experiment or a figure that works before it is edited.

A new piece starts as a small working example, not a blank page: the new worksheet
builds at once (``coursegen site``, no other file edited), and a new experiment or figure
module of the course's code (``course/``) comes with its registration (its own
``EXPERIMENTS`` or ``FIGURES`` dict, see ``coursegen.stages.registry``) and a passing test of its determinism and shape. Staff then
change one working thing at a time. The files are the templates in ``scaffolds/`` with
their ``@NAME@``-style placeholders filled in.

A name that is taken, or that cannot be a folder or a module name, is refused in one
line before anything is written.
"""

import ast
import datetime as dt
import inspect
import json
import keyword
import re
from pathlib import Path

import yaml

from coursegen.errors import BuildError, shown
from coursegen.stages import registry

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "scaffolds"
FIRST_DATE = dt.date(2000, 1, 1)  # the placeholder date when no worksheet states one
FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_MODULE = re.compile(r"[a-z][a-z0-9_]*")
_FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)
# The example a new worksheet runs (the experiment `descent`, the figure `descent_animation`)
# and the package files that make them importable: written where the course lacks them.
EXAMPLE_CODE = (
    "__init__.py",
    "experiments/__init__.py",
    "experiments/descent.py",
    "figures/__init__.py",
    "figures/descent.py",
)
_CODE = {  # what `new experiment|figure` writes: the module's template, the test's
    ("experiment", False): ("experiment.py.tmpl", "test_experiment.py.tmpl"),
    ("figure", False): ("figure.py.tmpl", "test_figure.py.tmpl"),
    ("figure", True): ("animation.py.tmpl", "test_animation.py.tmpl"),
}


def add_parser(sub) -> None:
    """The ``new`` command and its three kinds, on the CLI's subcommands ``sub``."""
    new = sub.add_parser("new", help="write a worksheet, experiment or figure that builds as it is")
    what = new.add_subparsers(dest="what", required=True)
    sheet = what.add_parser("worksheet", help="content/NAME/: a commented index.md, params.toml and answers.toml")
    sheet.add_argument("name", help="the worksheet's folder, e.g. dis02")
    sheet.add_argument("title", help='its title in the nav and on the home page, e.g. "Discussion 2"')
    experiment = what.add_parser("experiment", help="course/experiments/NAME.py and tests/test_NAME.py")
    experiment.add_argument("name", help="the experiment's kind and module name, e.g. momentum")
    experiment.set_defaults(animation=False)
    figure = what.add_parser("figure", help="course/figures/NAME.py and tests/test_NAME_figure.py")
    figure.add_argument("name", help="the figure's kind and module name, e.g. momentum_paths")
    figure.add_argument("--animation", action="store_true", help="a player (frames with labels), not a picture")


def new(paths, args, log) -> int:
    """``coursegen new worksheet|experiment|figure``: check, then write every file."""
    if args.what == "worksheet":
        files = worksheet_files(paths.root, args.name, args.title)
    else:
        files = code_files(paths.root, args.what, args.name, args.animation)
    for path in files:
        if path.exists():
            raise BuildError(f"{_relative(path, paths.root)} exists already; choose another name")
        if not path.resolve().is_relative_to(paths.root.resolve()):  # a folder of it links elsewhere
            raise BuildError(
                f"{_relative(path, paths.root)} lies outside the course (at {path.resolve()}, through a link); "
                f"nothing written"
            )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        log(f"wrote {_relative(path, paths.root)}")
    return 0


def worksheet_files(root: Path, name: str, title: str, content: Path | None = None) -> dict[Path, str]:
    """``content/NAME/index.md``, ``params.toml`` and ``answers.toml``: one question, one
    figure, one solution (its answer listed in a course's first worksheet, commented out
    in a later one's) and one number from results, numbered
    after the existing worksheets; and
    the example experiment and animation they run (``course/``, from ``coursegen init``)
    where the course registers no such kinds. ``content``: a course still being written
    (``init``), whose folder may not exist yet."""
    if not FOLDER.fullmatch(name):
        raise BuildError(f"{name!r} is not a plain folder name: letters, digits, - and _ (e.g. dis02)")
    course_being_written = content is not None
    if content is None:
        content = root / "content"
        if not content.is_dir():
            raise BuildError(f"{content}: no content folder")
    taken = {p.name.lower(): p.name for p in content.iterdir()} if content.is_dir() else {}
    if name.lower() in taken:
        raise BuildError(f"content/{taken[name.lower()]} exists already; choose another name")
    title = title.strip()
    if not title or not title.isprintable():
        raise BuildError(f'the title must be one line of text, e.g. "Discussion 2"; got {title!r}')
    if any(mark in title for mark in ("{{", "{%", "{#")):
        raise BuildError(f"the title {title!r} holds Jinja's {{{{, {{% or {{#; the page would read it as a template")
    number, date = next_place(content)
    if not title.startswith(f"Discussion {number}"):  # the nav and the home page say which one it is
        title = f"Discussion {number}: {title}"
    by = "`coursegen init`" if course_being_written else f"`coursegen new worksheet {name}`"
    fill = {"NAME": name, "TITLE": title, "FRONT_MATTER": front_matter(number, title, date), "WRITTEN_BY": by}
    files = {
        content / name / file: _filled(f"worksheet/{file}", fill)
        for file in ("index.md", "params.toml", "answers.toml")
    }
    if number > 1:  # the example's answer is the earlier worksheets' too, released with theirs
        files[content / name / "answers.toml"] = _example_commented(files[content / name / "answers.toml"])
    kinds = registry.kinds()
    if "descent" not in kinds.experiments or "descent_animation" not in kinds.figures:
        for module in EXAMPLE_CODE:
            if not (root / registry.PACKAGE / module).exists():
                files[root / registry.PACKAGE / module] = _filled(f"course/{registry.PACKAGE}/{module}", {})
    return files


def _example_commented(answers: str) -> str:
    """The answer list with its example answer commented out: a course's earlier
    worksheets ran the same example, and once one releases its solutions the example's
    answer is out, so listing it here would stop the build."""
    head, _, example = answers.partition("\n[[answers]]\n")
    lines = ("[[answers]]\n" + example).rstrip("\n").split("\n")
    note = (
        "# The example question's answer, as the first worksheet lists it (commented out: the\n"
        "# earlier worksheets ran the same example). List this worksheet's own answers here.\n"
    )
    return head + "\n" + note + "\n".join(f"# {line}" for line in lines) + "\n"


def next_place(content: Path) -> tuple[int, dt.date]:
    """The new worksheet's number (one more than the highest) and placeholder date (a
    week after the latest, or FIRST_DATE): read from the worksheets, never the clock,
    so the same checkout always gets the same files."""
    numbers, dates = [0], []
    for index in sorted(content.glob("*/index.md")):
        meta = _front_matter_of(index, content.parent)
        number, date = meta.get("number"), meta.get("date")
        if isinstance(number, str) and re.fullmatch(r"[0-9]+", number):
            numbers.append(int(number))
        if isinstance(date, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date):
            try:
                dates.append(dt.date.fromisoformat(date))
            except ValueError:
                pass  # not a day of the calendar: the build names it
    return max(numbers) + 1, (max(dates) + dt.timedelta(days=7) if dates else FIRST_DATE)


def front_matter(number: int, title: str, date: dt.date) -> str:
    """The worksheet's front matter (between its ``---`` lines), each field explained."""
    rows = (
        (f"number: {number}", "order on the home page and in the nav"),
        (f"title: {json.dumps(title, ensure_ascii=False)}", "its name in the nav and on the home page"),
        (f"date: {date.isoformat()}", "the discussion's date (YYYY-MM-DD); a placeholder: set it"),
        ('summary: "One line for the home page."', ""),
        ("solutions: never", "when students see the solutions: never, now, or a time like 2022-09-16T17:00-07:00"),
        ("pages: []", "extra pages of this worksheet (files in this folder), in nav order"),
    )
    return "\n".join(f"{line:<20} # {note}" if note else line for line, note in rows)


def code_files(root: Path, what: str, name: str, animation: bool) -> dict[Path, str]:
    """The module ``course/<what>s/NAME.py`` of the course and its test in ``tests/``."""
    if not _MODULE.fullmatch(name) or keyword.iskeyword(name):
        raise BuildError(
            f"{name!r} is not a Python identifier for a module: lower-case letters, digits and _, "
            f"starting with a letter (e.g. momentum)"
        )
    module_template, test_template = _CODE[(what, animation)]
    cls = "".join(part.capitalize() for part in name.split("_"))
    used = _module_names(module_template) | _module_names(test_template)
    if name.startswith("test") or name in used or cls in used:
        raise BuildError(f"{what} name {name!r} would clash with a name its code or test uses; choose another")
    registered = getattr(registry.kinds(), f"{what}s")
    if name in registered:
        where = shown(Path(inspect.getsourcefile(registered[name])))
        raise BuildError(f"{what} kind {name!r} is registered already, in {where}; choose another name")
    package = root / registry.PACKAGE / f"{what}s"
    if (package / f"{name}.py").exists():
        raise BuildError(f"{shown(package / f'{name}.py')} exists already; choose another name")
    test = f"test_{name}.py" if what == "experiment" else f"test_{name}_figure.py"
    fill = {"NAME": name, "CLASS": cls}
    return {
        package / f"{name}.py": _filled(module_template, fill),
        root / "tests" / test: _filled(test_template, fill),
    }


def _module_names(template: str) -> set[str]:
    """The names a template's module binds at its top level (imports, functions,
    classes, constants), besides the ones made from the new name."""
    names = set()
    for node in ast.parse(_filled(template, {"NAME": "__name", "CLASS": "__Class"})).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names - {"__name", "__Class"}


def _front_matter_of(index: Path, root: Path) -> dict:
    """A worksheet's front matter as plain strings (YAML's base schema, as the build
    reads it); {} without one."""
    match = _FRONT.match(index.read_text(encoding="utf-8").replace("\r\n", "\n"))
    if not match:
        return {}
    try:
        data = yaml.load(match.group(1), Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        raise BuildError(
            f"{_relative(index, root)}: front matter is not valid YAML; fix it first "
            f"(the worksheets' numbers and dates decide the new one's)"
        ) from None
    return data if isinstance(data, dict) else {}


def _filled(template: str, fill: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    for key, value in fill.items():
        text = text.replace(f"@{key}@", value)
    return text


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
