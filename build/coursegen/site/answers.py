"""A worksheet's answers, as its staff type them, and the check that its student pages
give none away.

``content/<sheet>/answers.toml`` lists every answer of the worksheet in each form a file
could hold it (TeX, plain words, code)::

    [[answers]]
    question = "1a: the optimal theta"
    forms = ['\\theta^* = \\frac{1}{N} \\sum_i y_i', "np.mean(y)", "is the sample mean"]

A build that shows the worksheet without its solutions (the student edition, or before
their release) searches for them in its files (each page's text as its HTML reads:
bold or a link split no answer; its labels and alt texts; the text of its figures,
players and explorers; its notebook's cells), the home page, and every other page as
read before its solutions are opened. It stops at the first form it finds, naming the
source that holds it where one does. The list is a source: never published. Forms are compared as
``normal`` makes them, so that spacing, case, TeX's braces and spacing commands, and
``np.`` hide none.
"""

import html
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from coursegen.errors import BuildError
from coursegen.site.reading import read_html
from coursegen.stages.frontmatter import read_utf8
from coursegen.stages.parameters import ANSWERS as FILE

SHORTEST = 3  # characters of a form, once normal: shorter ones are in every page
BREAK = "\u241e"  # between two pieces of text (and two numbers) that no form may run across


@dataclass(frozen=True)
class Answer:
    question: str
    forms: tuple[str, ...]  # as typed, for messages
    needles: tuple[str, ...]  # as searched (``normal``)


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))  # soft hyphen, zero widths
_TEX_NOTHING = re.compile(
    r"\\(?:left|right|[bB]ig+[lr]?|displaystyle|textstyle|limits|nolimits|quad|qquad)(?![a-z])|\\[,!;:> ]|~"
)


def normal(text: str) -> str:
    """Text as forms are compared: lower case, without spaces (a space between two
    digits stays a break), TeX's braces, spacing and sizing commands (``\\;``, ``~``,
    ``\\left``, ``\\limits``), ``\\dfrac`` as ``\\frac``, ``\\ast`` as ``*``, ``**``
    as ``^``, without ``np.``/``numpy.``, soft hyphens and zero-width characters."""
    text = html.unescape(text).translate(_INVISIBLE).lower().replace("**", "^")
    text = _TEX_NOTHING.sub("", text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac"))
    text = re.sub(r"np\.|numpy\.", "", text)
    text = re.sub(r"(?<=\d)\s+(?=\d)", BREAK, text)
    return re.sub(r"[\s{}]", "", text).replace("\\ast", "*")


def load(sheet_dir: Path, root: Path) -> tuple[Answer, ...]:
    """The worksheet's answers (none without the file), every entry checked."""
    path = sheet_dir / FILE
    if not path.is_file():
        return ()
    source = path.relative_to(root).as_posix()
    try:
        data = tomllib.loads(read_utf8(path, source))
    except tomllib.TOMLDecodeError as e:
        raise BuildError(f"{source}: TOML syntax error: {e}") from None
    other = sorted(set(data) - {"answers"})
    if other:
        raise BuildError(f"{source}: only [[answers]] tables belong here, not {other[0]!r}")
    entries = data.get("answers", [])
    if not isinstance(entries, list):
        raise BuildError(f"{source}: answers: expected [[answers]] tables")
    return tuple(_answer(entry, f"{source}: [[answers]] {k}") for k, entry in enumerate(entries, 1))


def _answer(entry, where: str) -> Answer:
    if not isinstance(entry, dict) or not isinstance(entry.get("question"), str):
        raise BuildError(f"{where}: question: expected a string naming the question")
    forms = entry.get("forms")
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
        raise BuildError(f"{where}: forms: expected a list of strings, each a form of the answer")
    extra = sorted(set(entry) - {"question", "forms"})
    if extra:
        raise BuildError(f"{where}: {extra[0]!r} is unknown; an answer has a question and its forms")
    short = [f for f in forms if len(normal(f)) < SHORTEST]
    if short:
        raise BuildError(f"{where}: form {short[0]!r} is too short to search for (every page would hold it)")
    return Answer(entry["question"], tuple(forms), tuple(normal(f) for f in forms))


def check_site(content: Path, root: Path, hidden: list[str], files: dict[str, bytes], reads: dict) -> None:
    """Every worksheet's list read (a mistake in one stops any build); those of the
    worksheets ``hidden`` (shown without their solutions) searched for in every file of
    theirs, the home page and every other page as read before its solutions are opened
    (``files``, docs path -> bytes; ``reads``: each page's HTML read). Another
    worksheet's released solutions, figures and notebook are its own: the same example
    in two worksheets is no leak."""
    lists = {path.parent.name: load(path.parent, root) for path in sorted(content.glob(f"*/{FILE}"))}
    texts = None
    for sheet in hidden:
        if lists.get(sheet):
            texts = texts if texts is not None else _texts(files, reads)
            mine = {rel: text for rel, text in texts.items() if rel.startswith(f"{sheet}/") or rel in reads}
            check(lists[sheet], (content / sheet / FILE).relative_to(root).as_posix(), mine, content)


def check(answers: tuple[Answer, ...], source: str, texts: dict[str, str], content: Path) -> None:
    """Stop at the first answer that ``texts`` (docs path -> ``normal`` text) give away,
    naming it, its form, the file and, when one holds it, the source it came from."""
    for answer in answers:
        for form, needle in zip(answer.forms, answer.needles, strict=True):
            for rel, text in texts.items():
                if needle in text:
                    origin = _written_in(needle, content, rel)
                    raise BuildError(
                        f'{source}: "{answer.question}" is given away where its solutions are not shown: '
                        f"the built {rel} holds '{form}'" + (f" (written in {origin})" if origin else "")
                    )


def _written_in(needle: str, content: Path, rel: str) -> str | None:
    """The source (a page or parameter file of ``content/``) that holds the form, if one
    does: first those of the built file's own folder."""
    folder = content / rel.split("/")[0] if "/" in rel else content
    own = sorted(p for p in [*folder.glob("*.md"), *folder.glob("*.toml")] if p.name != FILE)
    for path in [*own, *sorted(content.rglob("*.md")), *sorted(content.rglob("*.toml"))]:
        if path.name != FILE and needle in normal(path.read_text(encoding="utf-8", errors="replace")):
            return f"content/{path.relative_to(content).as_posix()}"
    return None


def _texts(files: dict[str, bytes], reads: dict) -> dict[str, str]:
    """What a student reads of each file, ``normal``: a page's HTML text and labels, an
    SVG's text, a notebook's cells, a JSON file's strings; each piece on its own."""
    out = {}
    for rel, data in sorted(files.items()):
        if rel in reads:
            text = BREAK.join(["".join(reads[rel].text), *reads[rel].labels])
        elif rel.endswith(".svg"):  # drawn text sits in comments (matplotlib draws glyphs)
            svg = read_html(data.decode("utf-8", "replace"))
            text = BREAK.join([*svg.comments, "".join(svg.text)])
        elif rel.endswith(".ipynb"):
            cells = json.loads(data).get("cells", [])
            text = BREAK.join("".join(cell.get("source", "")) for cell in cells)
        elif rel.endswith(".json"):
            text = BREAK.join(_strings(json.loads(data)))
        elif rel.endswith((".txt", ".csv", ".md", ".html")):
            text = data.decode("utf-8", "replace")
        else:
            continue
        out[rel] = normal(text)
    return out


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
