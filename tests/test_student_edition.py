"""The student edition gives nothing away, in any file of site/.

The answers are not typed here: they are read from the built solutions edition, every
formula and phrase of its solution material (the solution blocks, the notes and figures
whose role in the content is "solution", their captions and alt texts). Then every file
of the student edition is searched for each of them: pages, search index, sitemap, the
players' JSON, SVG text, GIF and PNG metadata, and the student handout PDF.
"""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from coursegen.stages.parameters import load_sheet

from seed import load_seed, words

pytest_plugins = ["browser_fixtures"]

SEED = load_seed()
MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)  # formulas as arithmatex leaves them
MIN_PHRASE_WORDS = 5  # shorter fragments ("What the build computed") are headings, not answers


def squeeze(tex: str) -> str:
    """TeX compared without spaces (``\\frac{2}{N} (\\theta - y_i)`` = ``\\frac{2}{N}(\\theta-y_i)``)."""
    return re.sub(r"\s+", "", html.unescape(tex))


VOID = {"img", "br", "hr", "input", "source", "meta", "link", "wbr", "col", "area", "base", "embed", "track"}


class _Split(HTMLParser):
    """A page split into solution blocks (``<details class="solution">``), other solution
    material (anything with the class ``cg-solution``: notes, figures and their captions),
    question figures (their captions and alt texts) and everything else, the question
    text; alt texts go with their element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []  # per open element: the material it starts, if any
        self.current: str | None = None
        self.parts: dict[str, list[str]] = {"block": [], "note": [], "question": [], "caption": []}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        starts = None
        if self.current is None:
            if "cg-solution" in classes:  # a closed note or figure, solution material
                starts = "note"
            elif tag == "details" and "solution" in classes:
                starts = "block"
            elif "cg-figure" in classes:
                starts = "caption"  # a question figure's caption and alt text
            if starts:
                self.current = starts
                self.parts[starts].append("")
        if tag not in VOID:
            self.stack.append(starts)
        for key in ("alt", "aria-label", "data-labels"):
            if attrs.get(key):
                self._add(" \n\n " + attrs[key] + " \n\n ")

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack and self.stack.pop():
            self.current = None

    def handle_data(self, data):
        self._add(data)

    def _add(self, text):
        if self.current is None:
            self.parts["question"].append(text)
        else:
            self.parts[self.current][-1] += text


def _split(page: str) -> dict[str, list[str]]:
    parser = _Split()
    parser.feed(page)
    return parser.parts


def _phrases(text: str) -> list[str]:
    """Sentences and clauses of prose, as their words (math removed)."""
    prose = MATH.sub(" ", text)
    return [w for part in re.split(r"[.;:!?]\s|\n\s*\n", prose) if len((w := words(part)).split()) >= MIN_PHRASE_WORDS]


def _formulas(text: str, dollars: bool = False) -> set[str]:
    """The formulas of a page (arithmatex's delimiters) or, with ``dollars``, of a figure's
    own text ($...$, as matplotlib writes labels into its SVG comments and JSON)."""
    found = {squeeze(m.group(1) or m.group(2)) for m in MATH.finditer(text)}
    if dollars:
        found |= {squeeze(m) for m in re.findall(r"\$([^$]+)\$", text)}
    return found


OPERATOR = re.compile(r"[=<>+\-/|,]|\\(leftarrow|implies|sum|frac|nabla|partial|log|cdot|times|propto)\b")


def _notation(tex: str, shared: set[str]) -> bool:
    """Notation rather than an answer: a symbol without any operation (x_i, \\theta^*,
    \\overline{x^2}), or a formula the questions themselves write (inside one of theirs)."""
    number = re.fullmatch(r"-?[\d.]+(\\times10\^\{-?\d+\})?", tex)
    return (not number and not OPERATOR.search(tex)) or any(tex in f for f in shared)


@pytest.fixture(scope="module")
def answers(solutions_site) -> tuple[list[str], list[str]]:
    return answer_list(solutions_site)


def answer_list(solutions_site: Path) -> tuple[list[str], list[str]]:
    """(formulas, phrases) of the solutions edition's solution material, for the search.

    From the solution blocks: every formula and phrase, but for notation the seed's
    questions use. From the other solution material (notes, figures, captions, alt
    texts): every formula and phrase that the solutions edition does not also state in
    its question text (the seed's and the question notes': the data, the parameters,
    notation) or draw in a question figure. Question figures' captions and alt texts
    exempt nothing: an answer in one of them is found like any other.
    """
    seed_formulas = {squeeze(f) for f in SEED.formulas}
    seed_words = words(" ".join(SEED.prose))
    blocks, notes, question = [], [], []
    for page in sorted(solutions_site.rglob("*.html")):
        parts = _split(page.read_text(encoding="utf-8"))
        blocks += parts["block"]
        notes += parts["note"]
        question += parts["question"]
    root = solutions_site.parent
    seed_formulas_in_figures: set[str] = set()
    for sheet_dir in sorted(d for d in (root / "content").iterdir() if d.is_dir()):
        for name, fig in load_sheet(sheet_dir, root).figures.items():  # question figures' own text
            if fig.role == "question" and not fig.rendering_of:
                for path in sorted((solutions_site / sheet_dir.name / "figures").glob(f"{name}.*")):
                    if path.suffix in (".svg", ".json"):
                        text = path.read_text(encoding="utf-8")
                        question.append(text)
                        seed_formulas_in_figures.update(_formulas(text, dollars=True))
    shown_formulas = seed_formulas | seed_formulas_in_figures | set().union(*map(_formulas, question))
    shown_words = seed_words + " | " + " | ".join(map(_prose, question))
    formulas = {f for text in blocks for f in _formulas(text) if not _notation(f, seed_formulas)}
    phrases = {p for text in blocks for p in _phrases(text) if p not in seed_words}
    formulas |= {f for text in notes for f in _formulas(text) if not _notation(f, shown_formulas)}
    phrases |= {p for text in notes for p in _phrases(text) if p not in shown_words}
    assert blocks and notes and formulas and phrases, "no solution material found in the solutions edition"
    return sorted(formulas), sorted(phrases)


def _texts(site: Path) -> dict[str, str]:
    """Every file of the site as text a reader or a program could find answers in."""
    texts = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if path.suffix in (".png", ".gif"):
            with Image.open(path) as im:
                meta = {**im.info, **getattr(im, "text", {})}
            texts[rel] = " ".join(str(v) for v in meta.values() if isinstance(v, (str, bytes)))
        elif path.suffix in (".woff2", ".woff", ".ttf", ".ico", ".jpg", ".pdf"):
            continue  # fonts and images without text; PDFs are searched in their own test
        else:
            texts[rel] = path.read_bytes().decode("utf-8", "replace")
    return texts


def _formulas_in(text: str) -> set[str]:
    """Every formula in the text, as written and with JSON's escaped backslashes undone."""
    variants = (html.unescape(text), html.unescape(text).replace("\\\\", "\\"))
    return {squeeze(m.group(1) or m.group(2)) for v in variants for m in MATH.finditer(v)}


def _prose(text: str) -> str:
    """The words of a text, its tags' attribute values (alt texts, labels) included."""
    attributes = re.findall(r"=\"([^\"]*)\"|='([^']*)'", text)
    return " | ".join([words(text), *(words(a or b) for a, b in attributes)])


def _leaks(texts: dict[str, str], answers) -> list[tuple[str, str]]:
    formulas, phrases = answers
    found = []
    for rel, text in texts.items():
        shown = _formulas_in(text)
        flat = squeeze(text) + squeeze(text.replace("\\\\", "\\"))
        prose = _prose(text)
        for tex in formulas:
            # a formula leaks whole, inside a larger formula, or written out anywhere in
            # non-HTML text (JSON labels, SVG text, metadata)
            if (
                tex in shown
                or any(tex in f for f in shown if len(tex) >= 12)
                or (not rel.endswith(".html") and len(tex) >= 12 and tex in flat)
            ):
                found.append((rel, tex))
        found += [(rel, p) for p in phrases if p in prose]
    return found


def test_the_answer_list_is_derived_from_the_solutions_and_finds_them(solutions_site, answers):
    """The list is not empty and the search finds every entry in the solutions edition:
    so an empty result on the student edition means absence, not a blind search."""
    formulas, phrases = answers
    assert len(formulas) >= 20 and len(phrases) >= 20, (len(formulas), len(phrases))
    pages = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(solutions_site.rglob("*.html"))
    )  # every worksheet's
    shown, prose = _formulas_in(pages), _prose(pages)
    assert [f for f in formulas if f not in shown] == []
    assert [p for p in phrases if p not in prose] == []
    for solution in SEED.solution_formulas:  # the seed's own answers are on the list
        tex = squeeze(solution)
        assert tex in formulas or _notation(tex, {squeeze(f) for f in SEED.formulas}), solution


def test_student_edition_holds_no_answer_in_any_file(student_site, answers):
    texts = _texts(student_site)
    assert {"search/search_index.json", "sitemap.xml"} <= texts.keys()
    assert any(rel.endswith(".json") and "figures/" in rel for rel in texts)  # players' labels
    assert not _leaks(texts, answers)


def test_student_edition_has_no_file_or_trace_of_a_solution_figure(student_site):
    """Figures whose role is solution material are not in the student site at all (their
    labels are drawn as paths, so absence is the only safe state); every figure it shows
    is question material."""
    root = student_site.parent
    for sheet_dir in sorted(d for d in (root / "content").iterdir() if d.is_dir()):
        sheet = load_sheet(sheet_dir, root)
        folder = student_site / sheet.name / "figures"
        on_disk = {p.name.split(".", 1)[0].removesuffix("-dark") for p in folder.iterdir()}
        pages = " ".join(p.read_text(encoding="utf-8") for p in (student_site / sheet.name).rglob("*.html"))
        for name, fig in sheet.figures.items():
            if fig.role == "solution":
                assert name not in on_disk and f'id="fig-{name}"' not in pages, name
        for name in on_disk:
            assert sheet.figures[name].role == "question", name
        assert "cg-solution" not in pages and 'class="solution"' not in pages


def test_every_figure_has_a_role_and_says_why(solutions_site):
    root = solutions_site.parent
    for sheet_dir in sorted(d for d in (root / "content").iterdir() if d.is_dir()):
        for name, fig in load_sheet(sheet_dir, root).figures.items():
            assert fig.role in ("question", "solution") and len(fig.why.split()) >= 5, name
            if fig.student:
                assert fig.role == "solution"


def test_every_note_in_the_content_has_a_role():
    """Notes are written with the note macro and a role, never as bare admonitions."""
    content = Path(__file__).resolve().parents[1] / "content"
    for page in sorted(content.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert "!!!" not in text and "???" not in text, page
        for role in re.findall(r'note\("([^"]*)"', text):
            assert role in ("question", "solution"), (page, role)


def test_student_handout_holds_no_answer(handouts, answers):
    """The PDF a student prints: no answer phrase in its text (PDF text holds rendered
    math, not TeX, so formulas are checked in the site's files above)."""
    from pdf import pdf_contents

    _, phrases = answers
    assert handouts["student"]
    for pdf in handouts["student"]:  # every worksheet's
        text = words(pdf_contents(pdf)[1])
        assert [p for p in phrases if p in text] == [], pdf.name
    assert "what the gradient" in words(pdf_contents(handouts["student"][0])[1])  # Discussion 1's questions are there


def test_role_mistakes_are_one_line_errors_naming_the_file(tmp_path):
    """A figure without a role, or question material placed inside a solution, stops
    the build with one line naming the file and the field or line."""
    from conftest import make_mini_checkout, run_cli

    root = make_mini_checkout(tmp_path / "mini")
    params = root / "content" / "mini" / "params.toml"
    good = params.read_text(encoding="utf-8")
    params.write_text(good.replace('role = "question"\n', ""), encoding="utf-8")
    result = run_cli(root, "site")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: content/mini/params.toml: [figures.anim] is missing 'role'; one of: question, solution"
    )
    params.write_text(good, encoding="utf-8")
    page = root / "content" / "mini" / "index.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace('{{ figure("anim") }}\n', "").replace(
            "The mean of the data.", 'The mean of the data.\n\n{{ figure("anim") }}'
        ),
        encoding="utf-8",
    )
    result = run_cli(root, "site")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: content/mini/index.md, line ") and "question material" in result.stderr
    # a solution figure inside a solution block: Markdown cannot nest its own closed block
    # there (it came out as a paragraph holding a block), so it goes after the block
    params.write_text(good.replace('role = "question"', 'role = "solution"'), encoding="utf-8")
    result = run_cli(root, "site")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: content/mini/index.md, line "), result.stderr
    assert "figure 'anim' is solution material inside a solution block" in result.stderr, result.stderr
    assert "place it after the block" in result.stderr, result.stderr
    # nor a figure inside a note
    params.write_text(good, encoding="utf-8")
    page.write_text(
        text.replace(
            '{{ figure("anim") }}\n',
            '{% call note("question", "tip", "Look") %}\n{{ figure("anim") }}\n{% endcall %}\n',
        ),
        encoding="utf-8",
    )
    result = run_cli(root, "site")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: content/mini/index.md, line "), result.stderr
    assert "figure 'anim' is inside a note: place it after the note" in result.stderr, result.stderr


def test_any_piece_of_solution_material_pasted_into_a_student_file_is_found(solutions_site, student_site, answers):
    """The search is not blind: each solution block, note, figure caption or alt text of
    the solutions edition, pasted into the student page or a player's labels, is caught."""
    page = (student_site / "dis01" / "index.html").read_text(encoding="utf-8")
    labels = next((student_site / "dis01" / "figures").glob("*.json")).read_text(encoding="utf-8")
    for text in sorted((solutions_site).rglob("*.html")):
        parts = _split(text.read_text(encoding="utf-8"))
        for chunk in parts["block"] + parts["note"]:
            if not _phrases(chunk) and not _formulas(chunk):
                continue
            pasted = page.replace("</article>", f"<p>{html.escape(chunk)}</p></article>")
            assert _leaks({"dis01/index.html": pasted}, answers), chunk[:80]
            if _formulas(chunk) - {f for f in _formulas(chunk) if len(f) < 12}:
                assert _leaks({"x.json": labels + chunk}, answers), chunk[:80]


def test_the_student_status_names_the_figure_numbers_that_come_with_the_solutions(solutions_site, student_site):
    """A figure keeps its number in every edition, so the student edition's numbers skip
    the solution figures: its status line says which ones come with the solutions (read
    here from the captions of both editions), so that no student hunts for a lost one."""

    def numbers(site):
        found = set()
        for page in sorted((site / "dis01").glob("*.html")):
            text = html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
            found |= {int(n) for n in re.findall(r"\bFigure (\d+)\. ", text)}
        return found

    withheld = sorted(numbers(solutions_site) - numbers(student_site))
    assert withheld
    names = ", ".join(map(str, withheld[:-1])) + f" and {withheld[-1]}" if len(withheld) > 1 else str(withheld[0])
    said = f"No solutions in this edition. Figure{'s' if len(withheld) > 1 else ''} {names} come"
    page = html.unescape((student_site / "dis01" / "index.html").read_text(encoding="utf-8"))
    assert said in page, withheld
    assert "come with them" not in html.unescape((solutions_site / "dis01" / "index.html").read_text(encoding="utf-8"))
