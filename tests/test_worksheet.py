"""The built worksheet shows the whole seed; the student edition shows no solution."""

import html
import re

from seed import load_seed, page_text, words
from site_html import figure_block

SEED = load_seed()


def worksheet(site) -> str:
    return (site / "dis01" / "index.html").read_text(encoding="utf-8")


# The seed's instructions for running the course notebook, which the site replaces (every
# network is trained when the site is built; the companion notebook takes about a
# minute): kept, they would tell students to start a long training that does not exist.
REPLACED = (
    "This notebook takes a long time",
    "Work through the notebook to explore",
    "As you walk through the notebook",
)


def test_every_question_and_solution_sentence_is_on_the_page(solutions_site):
    text = words(page_text(worksheet(solutions_site)))
    kept = [line for line in SEED.prose + SEED.solution_prose if not any(r in line for r in REPLACED)]
    assert len(kept) == len(SEED.prose + SEED.solution_prose) - 3
    missing = [line for line in kept if words(line) not in text]
    assert not missing, missing


def test_the_replaced_instructions_are_gone_and_their_questions_stay(solutions_site, student_site):
    for site in (solutions_site, student_site):
        text = words(page_text(worksheet(site)))
        for stale in ("takes a long time", "5-10 minutes", "train all layers cell", "walk through the notebook"):
            assert words(stale) not in text
        assert words("pay attention to how the slopes and elbows of the ReLU functions change during training") in text


def test_every_formula_is_on_the_page_as_written(solutions_site):
    page = html.unescape(worksheet(solutions_site))
    normal = lambda tex: re.sub(r"\s+", " ", tex).strip()  # noqa: E731
    missing = [f for f in SEED.formulas + SEED.solution_formulas if normal(f) not in normal(page)]
    assert not missing, missing


def test_solutions_are_closed_blocks_titled_solution(solutions_site):
    page = worksheet(solutions_site)
    blocks = re.findall(r"<details class=\"solution\"( open)?>\s*<summary>(.*?)</summary>", page)
    assert len(blocks) == 2
    assert all(opened == "" and title == "Solution" for opened, title in blocks)


def test_questions_have_stable_anchors(solutions_site):
    page = worksheet(solutions_site)
    for anchor in ("1", "1a", "1b", "2", "contributors"):
        assert f'id="{anchor}"' in page


def test_student_edition_has_no_solution_text_anywhere(student_site):
    files = {p: p.read_bytes().decode("utf-8", "replace") for p in student_site.rglob("*") if p.is_file()}
    assert any(p.name == "search_index.json" for p in files) and any(p.name == "sitemap.xml" for p in files)
    haystacks = {p: (words(t), html.unescape(t)) for p, t in files.items()}
    leaks = [
        (str(p.relative_to(student_site)), line)
        for line in SEED.solution_prose
        for p, (text, _) in haystacks.items()
        if words(line) in text
    ]
    leaks += [  # whole formulas, as arithmatex delimits them (a question's may contain a solution's)
        (str(p.relative_to(student_site)), tex)
        for tex in SEED.solution_formulas
        for p, (_, raw) in haystacks.items()
        if f"\\({tex}\\)" in raw.replace("\\\\", "\\") or f"\\[{tex}\\]" in raw.replace("\\\\", "\\")
    ]
    assert not leaks, leaks
    assert ">Solution<" not in worksheet(student_site)


def test_student_edition_keeps_every_question(student_site):
    text = words(page_text(worksheet(student_site)))
    assert all(words(line) in text for line in SEED.prose if not any(r in line for r in REPLACED))


def test_figures_sit_by_their_questions_with_alt_text_and_caption(solutions_site):
    page = worksheet(solutions_site)
    for name, ext in (("const_anim", "gif"), ("relu_fit", "svg")):
        block = figure_block(page, name)
        assert re.search(rf'src="figures/{name}\.{ext}\?v=[0-9a-f]+#only-light" alt="[^"]{{40,}}"', block)
        assert re.search(rf'src="figures/{name}-dark\.{ext}\?v=[0-9a-f]+#only-dark" alt="[^"]{{40,}}"', block)
        assert "<figcaption>" in block
        assert (solutions_site / "dis01" / "figures" / f"{name}.{ext}").stat().st_size > 1000
    assert page.index('id="1a"') < page.index('id="fig-const_anim"') < page.index('id="1b"')
    assert page.index('id="2"') < page.index('id="fig-relu_fit"')


def test_no_page_loads_anything_from_another_host(solutions_site):
    for page in solutions_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loads = re.findall(r"<(?:script|link|img|source)\b[^>]*>", text)
        external = [
            tag
            for tag in loads
            if re.search(r'(?:src|href|srcset)="(?:https?:)?//', tag) and 'rel="canonical"' not in tag
        ]
        assert not external, (page, external)
    assert (solutions_site / "assets" / "katex" / "katex.min.js").is_file()


FIGURE_URL = re.compile(r'(?:src|srcset|data-[a-z-]+)="(figures/[^"#?\s]+)(\?v=([0-9a-f]+))?[^"]*"')


def test_every_figure_file_is_addressed_by_its_bytes(solutions_site, student_site):
    """A figure's address names its bytes (``?v=`` and the start of their SHA-256): a
    rebuild that changes a figure changes its address, so a browser that has the old
    file (players and explorers fetch from its cache) never shows it as the new one."""
    import hashlib

    seen = 0
    for site in (solutions_site, student_site):
        for page in sorted(site.rglob("*.html")):
            for path, query, digest in FIGURE_URL.findall(page.read_text(encoding="utf-8")):
                data = (page.parent / path).read_bytes()
                assert query and hashlib.sha256(data).hexdigest().startswith(digest), (page, path, query)
                assert len(digest) >= 12
                seen += 1
    assert seen > 50
