"""In the solutions edition nothing answers before a click: every piece of solution
material (solution blocks, the notes and figures whose role is "solution") sits in a
closed block, and figures are numbered alike in both editions."""

import re
from html.parser import HTMLParser

from coursegen.commands import build as commands

from conftest import REPO

VOID = {"img", "br", "hr", "input", "source", "meta", "link", "wbr", "col", "area", "base", "embed", "track"}


class _Open(HTMLParser):
    """Text and figures outside every closed <details>, and the elements marked as
    solution material there."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: whether it is a closed <details>
        self.in_summary = 0
        self.exposed: list[str] = []  # solution material found open

    def closed(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if not self.closed() and ("cg-solution" in classes or (tag == "details" and "solution" in classes)):
            if tag != "details" or "open" in attrs:
                self.exposed.append(f"<{tag} class={attrs.get('class')!r} id={attrs.get('id')!r}>")
        if tag not in VOID:
            self.stack.append(tag == "details" and "open" not in attrs)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()


def test_every_piece_of_solution_material_is_in_a_closed_block(solutions_site):
    pages = sorted(solutions_site.rglob("*.html"))
    seen = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _Open()
        parser.feed(text)
        assert parser.exposed == [], (page.name, parser.exposed)
        seen += text.count("cg-solution")
    assert seen >= 6  # the notes and figures of Section 1, at least


def test_what_the_build_computed_is_closed(solutions_site):
    page = (solutions_site / "dis01" / "index.html").read_text(encoding="utf-8")
    notes = re.findall(
        r'<(\w+) class="([^"]*)">\s*<(?:summary|p class="admonition-title")>What the build computed', page
    )
    assert len(notes) == 2 and all(tag == "details" and "cg-solution" in cls for tag, cls in notes), notes


def _numbers(site, sheet_name):
    out = {}
    for page in sorted((site / sheet_name).rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for name, number in re.findall(
            r'<figure class="cg-figure"[^>]*? id="fig-([\w-]+)".*?<span class="cg-figure-number">Figure (\d+)\.</span>',
            text,
            re.S,
        ):
            out[name] = int(number)
    return out


def test_figures_have_the_same_numbers_in_both_editions(solutions_site, student_site):
    """Every figure the student edition shows (a student rendering standing for its
    solution figure) has the number the solutions edition gives that figure."""
    for sheet in commands.discover(REPO / "content", REPO):
        solutions, student = _numbers(solutions_site, sheet.name), _numbers(student_site, sheet.name)
        stands_for = {f.student: name for name, f in sheet.figures.items() if f.student}
        assert student and solutions
        mismatched = {
            name: (number, solutions.get(stands_for.get(name, name)))
            for name, number in student.items()
            if solutions.get(stands_for.get(name, name)) != number
        }
        assert mismatched == {}, sheet.name
