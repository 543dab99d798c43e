"""No answer anywhere in the student edition: checked with a list typed by hand
(tests/data/answers/<sheet>.toml: every answer as TeX, plain text and code) and the
answers' numbers recomputed here with numpy from the page's data, against every file a
student gets: pages, search index, figures' text, the players' labels, the notebook's
code, comments, docstrings and Markdown, and the printed handout.

tests/test_student_edition.py derives its list from the built solutions instead; this
one does not depend on how the build marks solution material.
"""

import base64
import html
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from coursegen.commands import build as commands
from coursegen.stages import registry
from pdf import pdf_contents

from conftest import REPO

pytest_plugins = ["browser_fixtures"]

ANSWERS = REPO / "tests" / "data" / "answers"
TEXT = {".html", ".json", ".svg", ".xml", ".js", ".md", ".txt", ".ipynb", ".css"}


def normal(text: str) -> str:
    """Text as the list's forms are compared: see the list's header."""
    text = html.unescape(text).lower().replace("**", "^")
    text = re.sub(r"\\left|\\right|\\,|\\!|np\.|numpy\.", "", text)
    return re.sub(r"[\s{}]", "", text)


def answer_forms() -> dict[str, list[str]]:
    out = {}
    for path in sorted(ANSWERS.glob("*.toml")):
        for answer in tomllib.loads(path.read_text(encoding="utf-8"))["answers"]:
            out[f"{path.stem}: {answer['question']}"] = answer["forms"]
    return out


# A file's copy as a script, for pages opened from disk (coursegen/script_copy.py)
SCRIPT_COPY = re.compile(
    r'\(window\.(\w+) = window\.\1 \|\| \{\}\)\[document\.currentScript\.src\] = "([A-Za-z0-9+/=]*)";\s*'
)


def readable(suffix: str, text: str) -> str:
    """What a student reads in a file of this type: a notebook as its cells' sources."""
    if suffix == ".ipynb":
        return "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
    if suffix == ".json":
        return text + "\n" + text.encode().decode("unicode_escape", "replace")  # JSON's escaped TeX, undone
    return text


def student_files(site: Path) -> dict[str, str]:
    """Every text a student can read in the site (``readable``), a script copy as the file
    it carries (a GIF's, binary, as nothing)."""
    texts = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT):
        text = path.read_text(encoding="utf-8", errors="replace")
        copy = SCRIPT_COPY.fullmatch(text) if path.suffix == ".js" else None
        if copy:
            carried = Path(path.stem).suffix  # x.ipynb.js carries x.ipynb
            data = base64.b64decode(copy.group(2))
            text = readable(carried, data.decode("utf-8")) if carried in TEXT else ""
        else:
            text = readable(path.suffix, text)
        texts[path.relative_to(site).as_posix()] = normal(text)
    return texts


def found(texts: dict[str, str]) -> list[tuple[str, str, str]]:
    hits = []
    for question, forms in answer_forms().items():
        for form in forms:
            needle = normal(form)
            hits += [(question, form, rel) for rel, text in texts.items() if needle in text]
    return hits


def answer_numbers() -> list[str]:
    """The answers' numbers, recomputed here with numpy from each GD experiment's data
    (the points the question figures plot), as the page would print them (4 digits)."""
    out = []
    for sheet in commands.discover(REPO / "content", REPO):
        for e in sheet.experiments.values():
            if e.kind in ("gd_constant", "gd_linear"):
                r = registry.kinds().experiments[e.kind](e.params)
                x, y = r["x"], r["y"]
                if e.kind == "gd_linear":
                    m = np.mean(x * x)  # the curvature, and the two regime boundaries 1/(2m) and 1/m
                    out += [np.sum(x * y) / np.sum(x * x), m, 1 / (2 * m), 1 / m]
                else:
                    out.append(np.mean(y))
    return sorted({format(v, ".4g") for v in out})


def test_the_list_finds_every_answer_in_the_solutions_edition(solutions_site):
    """The oracle works: each answer is found, in one of its forms, in the solutions
    edition (its pages or its notebook)."""
    texts = student_files(solutions_site)
    hits = {question for question, _, _ in found(texts)}
    assert hits == set(answer_forms()), set(answer_forms()) - hits


def test_no_answer_in_any_student_file(student_site):
    texts = student_files(student_site)
    assert any(rel.endswith(".ipynb") for rel in texts)
    assert found(texts) == []


def test_no_answer_in_the_student_notebook_in_any_form(student_site):
    """The notebook's code, comments, docstrings and Markdown, and the numbers it states."""
    (notebook,) = student_site.glob("*/*.ipynb")
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    texts = {notebook.name: normal("\n".join("".join(c["source"]) for c in cells))}
    assert found(texts) == []


def test_no_answers_number_in_the_student_edition(student_site, solutions_site):
    numbers = answer_numbers()
    assert len(numbers) == 5, numbers
    solutions = (solutions_site / "dis01" / "index.html").read_text(encoding="utf-8")
    assert all(n in solutions for n in numbers), numbers  # the oracle: the solutions state them
    for rel, text in student_files(student_site).items():
        if rel.startswith("dis01/") and "/relu" not in rel:  # Section 2's figures state other numbers
            text = text.split("relusgdvisualization")[0]  # ... and so does Section 2 of the page
            assert [n for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", text)] == [], rel


@pytest.mark.browser
def test_no_answer_in_the_student_handout(handouts):
    for pdf in handouts["student"]:
        _, text, _ = pdf_contents(pdf)
        assert found({pdf.name: normal(text)}) == []
