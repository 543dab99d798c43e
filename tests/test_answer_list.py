"""No answer anywhere in the student edition: checked with a list typed by hand
(content/<sheet>/answers.toml: every answer as TeX, plain text and code; the build
itself searches what it writes of a worksheet for them, coursegen.site.answers) and the
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

CONTENT = REPO / "content"
TEXT = {".html", ".json", ".svg", ".xml", ".js", ".md", ".txt", ".ipynb", ".css"}


def normal(text: str) -> str:
    """Text as the list's forms are compared: see the list's header."""
    text = html.unescape(text).lower().replace("**", "^")
    text = re.sub(r"\\left|\\right|\\,|\\!|np\.|numpy\.", "", text)
    return re.sub(r"[\s{}]", "", text)


def answer_forms() -> dict[str, list[str]]:
    out = {}
    for path in sorted(CONTENT.glob("*/answers.toml")):
        for answer in tomllib.loads(path.read_text(encoding="utf-8"))["answers"]:
            out[f"{path.parent.name}: {answer['question']}"] = answer["forms"]
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


def _oracle_gd():
    """theta* of each GD experiment and, for (b), mean(x^2), recomputed here with numpy."""
    out = {}
    for sheet in commands.discover(REPO / "content", REPO):
        for e in sheet.experiments.values():
            if e.kind in ("gd_constant", "gd_linear"):
                r = registry.kinds().experiments[e.kind](e.params)
                x, y = r["x"], r["y"]
                linear = e.kind == "gd_linear"
                out[e.name] = (
                    np.sum(x * y) / np.sum(x * x) if linear else np.mean(y),
                    np.mean(x * x) if linear else 1.0,
                )
    return out


def test_no_players_label_states_theta_star_in_the_student_edition(student_site):
    """The GD players' labels (data-labels) give no number within 5e-4 of theta* (GD's
    last iterate is the minimiser): they state losses, not iterates."""
    stars = [star for star, _ in _oracle_gd().values()]
    assert any("data-labels=" in p.read_text(encoding="utf-8") for p in student_site.rglob("*.html"))
    for page in sorted(student_site.rglob("*.html")):
        found = re.findall(r"""data-labels=(?:"([^"]*)"|'([^']*)')""", page.read_text(encoding="utf-8"))
        for labels in ["".join(pair) for pair in found]:
            for label in json.loads(html.unescape(labels)):
                close = [
                    v for v in map(float, re.findall(r"-?\d+\.\d+", label)) if any(abs(v - s) < 5e-4 for s in stars)
                ]
                assert close == [], (page.name, label)


def test_the_student_edition_gives_bs_step_sizes_as_values(student_site):
    """(b)'s step sizes in question material: values, never fractions of 1/mean(x^2)
    (the curvature (b) asks for), on the page, in the explorer and in the notebook."""
    page = (student_site / "dis01" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"\\alpha = [\d.]+\s*/\s*\\overline\{x\^2\}", page)
    assert "step_fractions" not in (student_site / "dis01" / "dis01.ipynb").read_text(encoding="utf-8")
    spec = json.loads((student_site / "dis01" / "figures" / "lin_explore.explorer.json").read_text(encoding="utf-8"))
    _, m = _oracle_gd()["lin_gd"]
    alphas = [float(v) for v in spec["controls"][0]["values"]]
    assert (
        len(alphas) >= 16
        and min(abs(a * m - 0.5) for a in alphas) < 0.02
        and min(abs(a * m - 1) for a in alphas) < 0.02
    )


def test_the_notebook_asks_for_the_votes_and_one_question_per_section(student_site):
    cells = json.loads((student_site / "dis01" / "dis01.ipynb").read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    text = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    assert any("def votes(" in c and "grad(" in c for c in code)
    sections = "\n".join(text).split("\n## ")
    asked = [s.split("\n", 1)[0] for s in sections if "### Question" in s]
    assert len(asked) >= 2, asked
