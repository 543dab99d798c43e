"""What a worksheet says about itself: the front matter of ``content/<sheet>/index.md``.

::

    ---
    number: 1                       # order on the home page and in the nav
    title: "Discussion 1"           # the nav's and the home page's name for it
    date: 2022-09-09                # the discussion's date
    summary: "Gradient descent mechanics and the ReLU nonlinearity."
    solutions: 2022-09-09T17:00-07:00   # when students see the solutions: a time with
                                    # its zone, or now, or never
    pages: [optimizers.md]          # its other pages, in nav order (each with a title:
                                    # in its own front matter)
    ---

The nav and the home page's list of worksheets are made from this, so adding a worksheet
edits no other file. Values are read as plain text (YAML's base schema) and checked
here, so ``2022-09-09`` means the same on every machine and a mistake names the field.
"""

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from coursegen.errors import BuildError

FIELDS = ("number", "title", "date", "summary", "solutions", "pages")
NOW, NEVER = "now", "never"
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_OPENED = re.compile(r"\A---[ \t]*\r?\n[ \t]*[A-Za-z_][\w-]*[ \t]*:")  # a front matter's first key (a rule has none)


class _UniqueKeys(yaml.BaseLoader):
    """YAML's base schema (every value a string), refusing a key given twice: the last
    one would silently win."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_scalar(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"{key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


@dataclass(frozen=True)
class Release:
    """When a worksheet's solutions are published: ``at`` a time, or always (``now``), or
    never (``at`` None, ``always`` False)."""

    at: dt.datetime | None = None
    always: bool = False

    def out_at(self, clock: dt.datetime) -> bool:
        return self.always or (self.at is not None and self.at <= clock)


@dataclass(frozen=True)
class SheetMeta:
    number: int
    title: str
    date: dt.date
    summary: str
    solutions: Release
    pages: tuple[tuple[str, str], ...]  # (file name, title) of its other pages, in nav order


def without_front_matter(text: str) -> str:
    """A page's text after its front matter (which MkDocs does not publish)."""
    text = text.replace("\r\n", "\n")
    match = _FRONT.match(text)
    return text[match.end() :] if match else text


def front_matter(text: str, source: str) -> dict[str, str | list]:
    """A page's front matter as plain strings (and lists of them); {} without one."""
    match = _FRONT.match(text.replace("\r\n", "\n"))
    if not match:
        if _OPENED.match(text):
            raise BuildError(f"{source}: front matter is never closed: end it with a line ---")
        return {}
    try:
        data = yaml.load(match.group(1), Loader=_UniqueKeys)
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        where = f"{source}, line {line + 2}" if line is not None else source
        raise BuildError(f"{where}: front matter is not valid YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise BuildError(f"{source}: front matter must be `key: value` lines")
    return data


def read_sheet_meta(index: Path, source: str, text: str) -> SheetMeta:
    """A worksheet's front matter, every field checked."""
    data = front_matter(text, source)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise BuildError(f"{source}: front matter field {unknown[0]!r} is unknown; fields: {', '.join(FIELDS)}")
    for field in ("number", "title", "date", "solutions"):
        if field not in data:
            raise BuildError(f"{source}: front matter is missing {field!r} ({_HELP[field]})")
    text_fields = {k: v for k, v in data.items() if k != "pages"}
    for field, value in text_fields.items():
        if not isinstance(value, str):
            raise BuildError(f"{source}: front matter {field}: expected one value, got {value!r} ({_HELP[field]})")
        _published_as_typed(value, source, field)
    if not re.fullmatch(r"[1-9][0-9]{0,3}", data["number"]):
        raise BuildError(f"{source}: front matter number: {data['number']!r} is not a whole number from 1")
    try:
        date = dt.date.fromisoformat(data["date"])
    except ValueError:
        raise BuildError(f"{source}: front matter date: {data['date']!r} is not a date like 2022-09-09") from None
    pages = data.get("pages", [])
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        raise BuildError(f"{source}: front matter pages: expected a list of file names, like [optimizers.md]")
    twice = sorted({p for p in pages if pages.count(p) > 1})
    if twice:
        raise BuildError(f"{source}: front matter pages: {twice[0]} is listed twice; list each page once")
    return SheetMeta(
        number=int(data["number"]),
        title=data["title"].strip() or _empty(source, "title"),
        date=date,
        summary=data.get("summary", "").strip(),
        solutions=release(data["solutions"], f"{source}: front matter solutions"),
        pages=tuple(_extra_page(index.parent, name, source) for name in pages),
    )


def release(value: str, where: str) -> Release:
    """``now``, ``never`` or an ISO 8601 time with its zone (2022-09-09T17:00-07:00)."""
    if value == NOW:
        return Release(always=True)
    if value == NEVER:
        return Release()
    return Release(at=aware_time(value, where, "now, never or a time like 2022-09-09T17:00-07:00"))


def aware_time(value: str, where: str, expected: str) -> dt.datetime:
    """``value`` as a time with its zone; else an error saying it is not ``expected``."""
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BuildError(f"{where}: {value!r} is not {expected}") from None
    if at.tzinfo is None:
        raise BuildError(f"{where}: {value!r} has no time zone; add one, like 2022-09-09T17:00-07:00 or ...Z")
    return at


def _extra_page(folder: Path, name: str, source: str) -> tuple[str, str]:
    path = folder / name
    if Path(name).name != name or not name.endswith(".md") or name == "index.md":
        raise BuildError(f"{source}: front matter pages: {name!r} is not another .md file of this folder")
    if not path.is_file():
        raise BuildError(f"{source}: front matter pages: {name} does not exist in {folder.name}/")
    where = f"{source.rsplit('/', 1)[0]}/{name}"
    title = front_matter(read_utf8(path, where), where).get("title")
    if not (isinstance(title, str) and title.strip()):
        return name, Path(name).stem.replace("_", " ").capitalize()
    _published_as_typed(title, where, "title")
    return name, title


_SHOWN = {"title": "in the nav and the page's title", "summary": "on the home page"}


def _published_as_typed(value: str, where: str, field: str) -> None:
    """The front matter's words go out as they are (nav, home page, page titles), not as
    a page's text, whose comments are taken out and whose Jinja runs: a note or a
    template in one would be published as typed."""
    shown = _SHOWN.get(field, "as typed")
    if "<!--" in value:
        raise BuildError(
            f"{where}: front matter {field}: an HTML comment would be published ({shown}); "
            "a note for the staff goes in a YAML comment, after #"
        )
    jinja = next((d for d in ("{#", "{{", "{%") if d in value), None)
    if jinja:
        raise BuildError(
            f"{where}: front matter {field}: {jinja} would be published as typed ({shown}): front matter "
            "is no template; a note for the staff goes in a YAML comment, after #"
        )


def _empty(source: str, field: str) -> str:
    raise BuildError(f"{source}: front matter {field} is empty")


_HELP = {
    "number": "its place in the nav and on the home page: 1, 2, ...",
    "title": 'its name in the nav and on the home page: "Discussion 2"',
    "date": "the discussion's date: 2022-09-16",
    "summary": "one line for the home page",
    "solutions": "when students see the solutions: now, never, or a time like 2022-09-16T17:00-07:00",
}


def read_utf8(path: Path, source: str) -> str:
    """A source file's text; a byte that is not UTF-8 is named with its line."""
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        raise BuildError(
            f"{source}, line 1: starts with a UTF-8 byte order mark (BOM); save the file as UTF-8 without one"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise BuildError(
            f"{source}, line {line}: byte 0x{data[e.start]:02x} is not UTF-8 text; save the file as UTF-8"
        ) from None
