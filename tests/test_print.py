"""The worksheet on paper: the print stylesheet, the PDF handouts of `make handout`, and
the page's weight (first load and everything it can load)."""

import html
import json
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from coursegen.tools import handout, weight
from coursegen.tools.chromium import worksheets
from pdf import page_fill, pdf_contents

from browser import EDITIONS, open_page, require_chromium
from conftest import EPOCH, MINI_PAGE, make_checkout, make_mini_checkout, run_cli
from site_html import site_file

pytest_plugins = ["browser_fixtures"]

MB = 1_000_000
KB = 1_000
QUESTION = "What is the gradient of"  # a question: in both editions
SOLUTION = "first-order optimality condition"  # a solution's words: never for students
# A handout of one worksheet, its other pages included, fits in this many Letter pages
# (the solutions add theirs; the three explorers' small multiples take about a page, the
# optimizer comparison a little more, and the tall figures of many panels, given the
# height that prints their text at SMALLEST_PRINTED_PT, one).
MOST_PAGES = {"student": 13, "solutions": 17}
LEAST_FILL = 0.20  # no page but the last has less of its body inked (tests/pdf.py, page_fill)


def sites(solutions_site, student_site) -> dict[str, Path]:
    return {"solutions": solutions_site, "student": student_site}


@pytest.mark.parametrize("edition", EDITIONS)
def test_print_stylesheet(chromium, served, solutions_site, student_site, edition):
    site = sites(solutions_site, student_site)[edition]
    with open_page(chromium, f"{served[edition]}/{worksheets(site)[0]}/index.html") as page:
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what the browser does on Ctrl+P
        page.wait_for_function(
            "[...document.querySelectorAll('img.cg-print')].every((i) => i.complete && i.naturalWidth > 0)",
            timeout=15_000,
        )
        found = page.evaluate("""() => {
          const out = [];
          const shown = (el) => el.checkVisibility();
          for (const sel of ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer',
                             '.md-search', '.md-top', '.headerlink'])
            for (const el of document.querySelectorAll(sel)) if (shown(el)) out.push(`${sel} printed`);
          const players = [...document.querySelectorAll('.cg-player')];
          if (!players.length) out.push('no animation on the worksheet');
          for (const p of players) {
            for (const el of p.querySelectorAll('picture, img:not(.cg-print), canvas, .cg-player__controls, button, input'))
              if (shown(el)) out.push(`${p.dataset.gif}: ${el.tagName.toLowerCase()} printed`);
            const still = p.querySelector('img.cg-print');
            if (!still || !shown(still) || !new URL(still.currentSrc).pathname.endsWith('.png')) { out.push(`${p.dataset.gif}: no static frame`); continue; }
            const canvas = p.querySelector('canvas');
            const name = canvas ? canvas.getAttribute('aria-label') : p.querySelector('img:not(.cg-print)').alt;
            if (!still.alt || still.alt !== name) out.push(`${p.dataset.gif}: the static frame's alt text differs`);
            if (still && still.getBoundingClientRect().width > document.querySelector('.md-content').getBoundingClientRect().width / 2 + 1)
              out.push(`${p.dataset.gif}: the static frame is wider than half the page`);
          }
          for (const fig of document.querySelectorAll('figure')) {
            if (getComputedStyle(fig).breakInside !== 'avoid') out.push(`${fig.id}: may break across pages`);
            if (!fig.querySelector('figcaption').checkVisibility()) out.push(`${fig.id}: caption not printed`);
          }
          for (const h of document.querySelectorAll('article h2, article h3'))
            if (getComputedStyle(h).breakAfter !== 'avoid') out.push(`${h.id}: a page may break right after this heading`);
          return out;
        }""")
        details = page.locator("details.solution")
        if edition == "solutions":
            assert details.count() >= 1
            found += [
                f"solution {i} closed in print"
                for i in range(details.count())
                if details.nth(i).get_attribute("open") is None
            ]
            found += [] if page.get_by_text(SOLUTION).first.is_visible() else ["solution text not printed"]
        else:
            assert details.count() == 0
        # each printed frame is the animation's last frame, as Pillow decodes its GIF
        folder = site / worksheets(site)[0]
        pairs = page.evaluate(
            "() => [...document.querySelectorAll('.cg-player')].map((p) => [p.dataset.gif,"
            " p.querySelector('img.cg-print').getAttribute('src')])"
        )
        assert pairs
        for gif, still in pairs:
            animation = Image.open(site_file(folder, gif))
            animation.seek(animation.n_frames - 1)
            last = np.asarray(animation.convert("RGB"))
            if not np.array_equal(np.asarray(Image.open(site_file(folder, still)).convert("RGB")), last):
                found.append(f"{still}: not the last frame of {gif}")
        assert found == []
        assert page.errors == []
    assert chromium.external == []


SMALLEST_PRINTED_PT = 6.0  # a figure's smallest text on the paper: what a reader can still read


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_figure_prints_its_text_large_enough(chromium, served, solutions_site, student_site, edition):
    """Laid out for print at the width of the handout's text (Letter less its margins, in
    CSS px), each figure's picture is shown at some width; its smallest text, which the
    figure states in pt at its natural width, prints scaled by the same factor. A tall
    figure of many panels is not shrunk to a stamp to fit two to a row."""
    site = sites(solutions_site, student_site)[edition]
    mm = {side: float(handout.MARGIN[side].removesuffix("mm")) for side in ("left", "right")}
    text_px = round((8.5 * 25.4 - mm["left"] - mm["right"]) / 25.4 * 96)
    url = f"{served[edition]}/{worksheets(site)[0]}/index.html"
    with open_page(chromium, url, viewport={"width": text_px, "height": 1000}) as page:
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.evaluate("() => document.querySelectorAll('img').forEach((i) => { i.loading = 'eager'; })")
        printed = "[...document.querySelectorAll('figure img')].filter((i) => i.checkVisibility())"
        page.wait_for_function(f"{printed}.every((i) => i.complete && i.naturalWidth > 0)", timeout=15_000)
        sizes = page.evaluate("""() => [...document.querySelectorAll('figure.cg-figure')]
          .filter((fig) => !fig.querySelector('.cg-explorer'))
          .map((fig) => {
            const picture = [...fig.querySelectorAll('img')].find((i) => i.checkVisibility());
            const facts = fig.querySelector('[data-text-pt]');
            const natural = Number(facts.dataset.widthPt) * 4 / 3;  // CSS px
            return [fig.id, Number(facts.dataset.textPt) * picture.getBoundingClientRect().width / natural];
          })""")
        # An explorer prints its small multiple: its smallest text is read off the SVG itself.
        multiples = page.evaluate("""() => [...document.querySelectorAll('.cg-explorer img.cg-print')]
          .map((img) => [img.closest('figure').id, img.getAttribute('src'), img.getBoundingClientRect().width])""")
    assert multiples
    for name, src, shown in multiples:
        svg = site_file(site / worksheets(site)[0], src.split("#")[0]).read_text(encoding="utf-8")
        natural = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg)[1])
        smallest = min(float(px) for px in re.findall(r'font-size="([\d.]+)(?:px)?"', svg))
        sizes.append([name, smallest * 0.75 * shown / natural])
    assert len(sizes) >= 10
    small = {name: round(pt, 2) for name, pt in sizes if pt < SMALLEST_PRINTED_PT}
    assert small == {}


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _solution_sentence(page: str) -> str | None:
    """A sentence of the page's first solution paragraph without math (PDF text holds
    rendered math, not TeX)."""
    for block in re.findall(r'<details class="solution">(.*?)</details>', page, re.S):
        for para in re.findall(r"<p>(.*?)</p>", block, re.S):
            if "arithmatex" not in para and "<" not in para.strip()[:1] and len(_plain(para)) > 30:
                return _plain(para)[:60]
    return None


def test_handouts(handouts, solutions_site):
    """Every worksheet, both editions: its questions printed, and the headings of its
    other pages (front matter ``pages``), its solutions in the solutions handout only, every animation as its static frame, no site chrome."""
    written = handouts["solutions"] + handouts["student"]
    sheets = worksheets(solutions_site)
    assert sorted(p.name for p in written) == sorted(f"{s}-{e}.pdf" for s in sheets for e in ("solutions", "student"))
    for sheet in sheets:
        page = (solutions_site / sheet / "index.html").read_text(encoding="utf-8")
        players = page.count('class="cg-player"')
        headings = [_plain(h) for h in re.findall(r'<h3 id="[^"]+">(.*?)<a class="headerlink"', page, re.S)]
        for other in sorted((solutions_site / sheet).glob("*.html")):  # its other pages, printed after it
            if other.name != "index.html":
                text = other.read_text(encoding="utf-8")
                headings += [_plain(h) for h in re.findall(r'<h[12] id="[^"]+">(.*?)<a class="headerlink"', text, re.S)]
                players += text.count('class="cg-player"')
        solution = _solution_sentence(page)
        assert headings, sheet
        for pdf in (p for p in written if p.name.startswith(f"{sheet}-")):
            pages, text, images = pdf_contents(pdf)
            print(f"{pdf} ({pages} pages)")
            assert pages >= 1, pdf
            assert [h for h in headings if h not in text] == [], pdf.name  # every question
            if solution:
                assert (solution in text) == pdf.name.endswith("-solutions.pdf"), (pdf.name, solution)
            assert "Switch to dark mode" not in text and "Table of contents" not in text  # no site chrome
            assert images >= players  # every animation as its static frame (the SVG figures are vector)
    assert QUESTION in pdf_contents(handouts["student"][0])[1]  # Discussion 1's own words, as a reader sees them


def test_handouts_say_what_paper_shows_and_link_in_full(handouts):
    """Print says what is printed: no slider to drag or key to press beside a static
    frame; every link is a full address (read from the PDF's own link annotations);
    the contributors' list stands on one page with its heading."""
    for pdfs in handouts.values():
        for pdf in pdfs:
            _, text, _ = pdf_contents(pdf)
            for words in ("drag the slider", "arrow keys", "pick a step size", "Play or pause"):
                assert words.lower() not in text.lower(), (pdf.name, words)
            uris = [u.decode() for u in re.findall(rb"/URI \((.*?)\)", pdf.read_bytes())]
            assert uris and [u for u in uris if not u.startswith(("https://", "http://"))] == [], (pdf.name, uris)
            document = pdfium.PdfDocument(pdf)
            try:
                pages = [" ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document))]
            finally:
                document.close()
            holding = [i for i, t in enumerate(pages) if "Contributors" in t or "Yichao Zhou" in t]
            assert len(holding) == 1, (pdf.name, holding)


def test_handouts_are_short_and_have_no_half_empty_pages(handouts):
    """Every handout of both editions, measured on the paper (its pages rendered to
    pixels): at most MOST_PAGES pages, and none but the last less than LEAST_FILL full
    (figures sized for print, no forced break that leaves a page mostly blank)."""
    mm = {side: float(handout.MARGIN[side].removesuffix("mm")) for side in ("top", "bottom")}
    found = []
    for edition, pdfs in handouts.items():
        assert pdfs, edition
        for pdf in pdfs:
            fill = page_fill(pdf, mm["top"], mm["bottom"])
            print(f"{pdf.name}: {len(fill)} pages, filled {[round(f * 100) for f in fill]} %")
            if len(fill) > MOST_PAGES[edition]:
                found.append(f"{pdf.name}: {len(fill)} pages, more than {MOST_PAGES[edition]}")
            found += [
                f"{pdf.name}: page {i + 1} of {len(fill)} is {f:.0%} full"
                for i, f in enumerate(fill[:-1])
                if f < LEAST_FILL
            ]
    assert found == []


@pytest.mark.browser
def test_handout_command_student_edition(tmp_path):
    """`make handout EDITION=student` writes the student handouts only, and removes a
    solutions handout an earlier run left behind."""
    require_chromium()
    root = make_checkout(tmp_path / "checkout")
    stale = root / "site" / "handouts" / "dis01-solutions.pdf"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF-1.4 left over")
    mark = {"built by": "coursegen", "course": "", "files": ["handouts/dis01-solutions.pdf"]}
    (root / "site" / ".coursegen-site").write_text(json.dumps(mark))  # as an earlier run leaves it
    result = run_cli(root, "handout", "--edition", "student", "--jobs", "2", env=EPOCH)
    assert result.returncode == 0, result.stderr
    pdfs = sorted(p.name for p in stale.parent.iterdir())
    # dated by the build's clock (SOURCE_DATE_EPOCH), not the machine's: reproducible
    for pdf in pdfs:
        dates = re.findall(rb"/(CreationDate|ModDate) \(D:(\d{14})", (stale.parent / pdf).read_bytes())
        assert dates == [(b"CreationDate", b"20231114221320"), (b"ModDate", b"20231114221320")], (pdf, dates)
    assert pdfs == sorted(f"{d.name}-student.pdf" for d in (root / "content").iterdir() if d.is_dir())
    assert SOLUTION not in pdf_contents(stale.parent / "dis01-student.pdf")[1]
    assert "handout: site/handouts/dis01-student.pdf" in result.stdout
    # the site it leaves links exactly the handouts it holds, and no solutions handout
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert sorted(re.findall(r'href="handouts/([^"]+\.pdf)"', home)) == pdfs
    assert "-solutions.pdf" not in home
    assert not list(root.glob(".tmp-*")), "scratch builds left behind"


@pytest.mark.browser
def test_handouts_into_a_folder_of_ones_own_replace_only_handouts(tmp_path):
    """``handout --out DIR``: DIR may be any folder (Documents, a course's share). A
    handout an earlier run left there that this run does not write (a solutions handout,
    after the edition changed) goes; every other file stays."""
    require_chromium()
    root = make_mini_checkout(tmp_path / "course")
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "mini-solutions.pdf").write_bytes(b"%PDF-1.4 an earlier run's")
    mine = {"syllabus.pdf": b"%PDF-1.4 mine", "notes.txt": b"mine", "mini-solutions-annotated.pdf": b"%PDF mine"}
    for name, data in mine.items():
        (out / name).write_bytes(data)
    result = run_cli(root, "handout", "--edition", "student", "--out", str(out), env=EPOCH, own_process=True)
    assert result.returncode == 0, result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in mine} == mine
    assert sorted(p.name for p in out.iterdir()) == sorted([*mine, "mini-student.pdf"])


def test_page_weight(chromium, solutions_site, capsys):
    result = weight.page_weight(solutions_site, browser=chromium.browser)
    with capsys.disabled():
        print(
            f"\n  page weight of the worksheet: first load {result['first_load_bytes'] / MB:.2f} MB, "
            f"everything {result['total_bytes'] / MB:.2f} MB"
        )
    keys = {"first_load_bytes", "total_bytes", "first_load_raw_bytes", "total_raw_bytes", "explorer_bytes"}
    assert set(result) == keys
    assert 0 < result["first_load_bytes"] <= result["total_bytes"]
    # as a static host sends them (text compressed), and uncompressed; the explorers'
    # data are fetched only as they come into view, and everything at most 8 MB
    assert result["first_load_bytes"] <= 700 * KB
    assert 0 < result["explorer_bytes"] and result["total_bytes"] <= 8 * MB
    assert result["total_bytes"] - result["explorer_bytes"] <= 4 * MB
    assert result["first_load_bytes"] < result["first_load_raw_bytes"] <= 1.2 * MB
    assert result["total_raw_bytes"] <= 5 * MB + result["explorer_bytes"] * 1.5
    # Lazy loading works: the animations and figures below the fold are not in the first load.
    assert result["first_load_bytes"] < result["total_bytes"]


def test_math_is_loaded_only_by_pages_with_math(visits):
    """The home page has no formula and fetches no KaTeX; the worksheet typesets with it."""
    visit = visits("solutions", "light", "desktop")
    assert visit.problems() == []
    for rel, has_math in (("index.html", False), (f"{worksheets(visit.site)[0]}/index.html", True)):
        seen = visit.pages[rel]
        assert any("/katex/" in u for u in seen["fetched"]) == has_math, rel
        assert (seen["katex"] > 0) == has_math, rel


def test_a_plain_site_links_no_handout(solutions_site, student_site):
    """`make site` writes no PDF, so its home page links none (no dead links)."""
    for site in (solutions_site, student_site):
        assert not (site / "handouts").exists()
        assert ".pdf" not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_a_worksheets_other_pages_print_after_it_with_their_solutions_open(mini_built):
    """Front matter ``pages``: each other page follows the first in the same PDF, its
    math typeset, its solution blocks open in the solutions handout and absent from the
    student one."""
    require_chromium()
    folder = mini_built / "content" / "mini"
    page = MINI_PAGE.replace("solutions: now\n", 'solutions: now\npages: ["more #1.md"]\n')  # fetched by its name
    (folder / "index.md").write_text(page)
    (folder / "more #1.md").write_text(
        '---\ntitle: "More"\n---\n\n# More to think about\n\nWhere is $\\frac{a}{b}$ largest?\n\n'
        "{% call solution() %}\nAt WOMBAT_ANSWER, where $\\frac{a}{b} = 2$.\n{% endcall %}\n\n"
        '??? note "A closed note"\n    NUMBAT_NOTE inside it.\n'
    )
    result = run_cli(mini_built, "handout", "--edition", "solutions", "--jobs", "2", env=EPOCH)
    assert result.returncode == 0, result.stderr
    texts = {e: pdf_contents(mini_built / "site" / "handouts" / f"mini-{e}.pdf")[1] for e in ("solutions", "student")}
    for edition, text in texts.items():
        assert "Mini worksheet" in text and "More to think about" in text, edition  # one PDF, both pages
        assert "NUMBAT_NOTE" in text, edition  # a closed block prints open
        assert ("WOMBAT_ANSWER" in text) == (edition == "solutions"), edition
        assert "\\frac" not in text and "\\(" not in text, edition  # typeset, not TeX


def test_printing_from_the_dark_palette_gives_white_paper(chromium, served, student_site, tmp_path):
    """A reader whose system is dark prints with backgrounds on: the paper is white to
    its edges, margins included (the dark palette's colour scheme made them black)."""
    with open_page(chromium, f"{served['student']}/index.html", color_scheme="dark") as page:
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        pdf = tmp_path / "home.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True, margin={"top": "15mm", "bottom": "15mm"})
    document = pdfium.PdfDocument(pdf)
    try:
        pixels = np.asarray(document[0].render(scale=0.5, grayscale=True).to_pil().convert("L"))
    finally:
        document.close()
    edges = np.concatenate([pixels[:5].ravel(), pixels[-5:].ravel(), pixels[:, :5].ravel(), pixels[:, -5:].ravel()])
    assert edges.min() >= 250, f"margins print {edges.min()} of 255, not white"
    assert np.median(pixels) >= 250  # and the page behind the text
