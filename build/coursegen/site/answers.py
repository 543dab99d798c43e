"""A worksheet's answers, as its staff type them, and the check that its student pages
give none away.

``content/<sheet>/answers.toml`` lists every answer of the worksheet in each form a file
could hold it (TeX, plain words, code)::

    [[answers]]
    question = "1a: the optimal theta"
    forms = ['\\theta^* = \\frac{1}{N} \\sum_i y_i', "np.mean(y)", "is the sample mean"]

A build that shows the worksheet without its solutions (the student edition, or before
their release) searches what it wrote for the worksheet (its pages, the text of its
figures, its players' labels and explorers' words, its notebook's cells) and the home
page, and stops at the first form it finds. The list is a source: never published.
Forms are compared as ``normal`` makes them, so that spacing, case, TeX's braces and
``np.`` do not hide one.
"""

import html
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from coursegen.errors import BuildError
from coursegen.stages.frontmatter import read_utf8
from coursegen.stages.parameters import ANSWERS as FILE

SHORTEST = 3  # characters of a form, once normal: shorter ones are in every page
TEXT = (".md", ".svg", ".json", ".ipynb", ".txt", ".html", ".csv")


@dataclass(frozen=True)
class Answer:
    question: str
    forms: tuple[str, ...]  # as typed, for messages
    needles: tuple[str, ...]  # as searched (``normal``)


def normal(text: str) -> str:
    """Text as forms are compared: lower case, no whitespace, ``**`` as ``^``, without
    ``np.``/``numpy.``, ``\\left``, ``\\right``, ``\\,``, ``\\!`` and TeX's braces."""
    text = html.unescape(text).lower().replace("**", "^")
    text = re.sub(r"\\left|\\right|\\,|\\!|np\.|numpy\.", "", text)
    return re.sub(r"[\s{}]", "", text)


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


def check_sheet(content: Path, root: Path, sheet: str, shown_solutions: bool, files: dict[str, bytes]) -> None:
    """The worksheet's list read (a mistake in it stops every build), and, where its
    solutions are not shown, searched for in what the build wrote of it and the home page."""
    listed = load(content / sheet, root)
    if listed and not shown_solutions:
        mine = {rel: data for rel, data in files.items() if rel.startswith(f"{sheet}/") or rel == "index.md"}
        check(listed, (content / sheet / FILE).relative_to(root).as_posix(), mine)


def check(answers: tuple[Answer, ...], source: str, files: dict[str, bytes]) -> None:
    """Stop at the first answer that ``files`` (docs path -> bytes: what a student
    gets of the worksheet) give away, naming it, its form and the file."""
    texts = {rel: normal(_readable(rel, data)) for rel, data in sorted(files.items()) if rel.endswith(TEXT)}
    for answer in answers:
        for form, needle in zip(answer.forms, answer.needles, strict=True):
            for rel, text in texts.items():
                if needle in text:
                    raise BuildError(
                        f'{source}: the student edition gives away "{answer.question}": {rel} holds {form!r}'
                    )


def _readable(rel: str, data: bytes) -> str:
    """What a student reads of a file: a notebook's cells, a JSON file's strings."""
    text = data.decode("utf-8", "replace")
    if rel.endswith(".ipynb"):
        return "\n".join("".join(cell.get("source", "")) for cell in json.loads(text).get("cells", []))
    if rel.endswith(".json"):
        return "\n".join(_strings(json.loads(text)))
    return text


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
