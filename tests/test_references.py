"""Numbered figures and ``ref``: every worksheet's figures are numbered 1, 2, ... in page
order across its pages (the student edition skips the numbers of solution figures it
leaves out), each caption starts with its number, and every
"Figure N" link lands on the figure that has that number."""

import re

import pytest

from coursegen.stages.frontmatter import front_matter

from browser import EDITIONS
from conftest import MINI_PAGE, make_mini_checkout, run_cli


def _worksheet_pages(site, content):
    """Each worksheet's built pages, in page order (index first, then its front matter's pages)."""
    for index in sorted(content.glob("*/index.md")):
        pages = front_matter(index.read_text(encoding="utf-8"), str(index)).get("pages", [])
        yield index.parent.name, [site / index.parent.name / p.replace(".md", ".html") for p in ["index.md", *pages]]


@pytest.mark.parametrize("edition", EDITIONS)
def test_figures_are_numbered_in_page_order_and_refs_land_on_them(solutions_site, student_site, edition):
    site = {"solutions": solutions_site, "student": student_site}[edition]
    content = site.parent / "content"
    checked_links = 0
    for sheet, pages in _worksheet_pages(site, content):
        numbers = {}  # (page name, figure id) -> its number
        for page in pages:
            html = page.read_text(encoding="utf-8")
            for fig_id, number in re.findall(
                r'<figure class="cg-figure"[^>]*? id="(fig-[^"]+)".*?<figcaption><span class="cg-figure-number">Figure (\d+)\.</span>',
                html,
                re.S,
            ):
                numbers[(page.name, fig_id)] = int(number)
        values = list(numbers.values())
        if edition == "solutions":
            assert values == list(range(1, len(numbers) + 1)), sheet
        else:  # a solution figure it leaves out keeps its number (tests/test_closed_solutions.py)
            assert values == sorted(set(values)) and values[0] == 1, sheet
        assert len(numbers) == sum(p.read_text(encoding="utf-8").count('<figure class="cg-figure"') for p in pages)
        for page in pages:
            for target, fig_id, number in re.findall(
                r'<a href="([^"#]*)#(fig-[^"]+)">Figure (\d+)</a>', page.read_text(encoding="utf-8")
            ):
                assert numbers[(target or page.name, fig_id)] == int(number), (page.name, fig_id)
                checked_links += 1
    assert checked_links > 0


def test_an_unknown_reference_names_the_file_and_line(tmp_path):
    root = make_mini_checkout(tmp_path / "course")
    text = MINI_PAGE.replace('{{ figure("anim") }}', '{{ figure("anim") }}\n\nAs {{ ref("amin") }} shows.')
    (root / "content" / "mini" / "index.md").write_text(text)
    line = text.splitlines().index('As {{ ref("amin") }} shows.') + 1
    result = run_cli(root, "site")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: content/mini/index.md, line {line}: ref('amin'): unknown figure; figures of mini: anim"
    )


def test_a_reference_to_a_solution_figure_from_question_text_says_why_it_fails(tmp_path):
    """The worksheet's solutions are not out (a scheduled build before their release):
    the figure it names is solution material, so the question text cannot link it."""
    root = make_mini_checkout(tmp_path / "course")
    params = root / "content" / "mini" / "params.toml"
    params.write_text(params.read_text().replace('role = "question"', 'role = "solution"', 1))
    text = (
        MINI_PAGE.replace("solutions: now", "solutions: 2099-01-01T00:00Z")
        .replace('{{ figure("anim") }}\n', 'As {{ ref("anim") }} shows.\n')
        .replace("{% endcall %}\n", '{% endcall %}\n\n{{ figure("anim") }}\n')
    )
    (root / "content" / "mini" / "index.md").write_text(text)
    line = text.splitlines().index('As {{ ref("anim") }} shows.') + 1
    result = run_cli(root, "site")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: content/mini/index.md, line {line}: ref('anim'): figure 'anim' is solution material, absent "
        f"where mini is shown without its solutions (the student edition, or before they are out); "
        f"refer to it from solution material"
    )
