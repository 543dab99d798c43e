"""The site's search shows readable text, not TeX: every entry of every search index
that either engine writes, in both editions, holds no formula as typed (``\\(\\theta^*\\)``)
but a plain-text reading of it (``θ*``); and the result previews a reader meets in
Chromium, in MkDocs' search and in Zensical's, show no backslash-command."""

import html
import json
import re
import unicodedata
from pathlib import Path

import pytest

from browser import open_page, site_pages
from visits import zensical_student_site

pytest_plugins = ["browser_fixtures"]

# What TeX looks like as typed: a backslash command or delimiter, or a dollar sign.
TEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]{},;!]|\$")
# A formula as the built page holds it (pymdownx.arithmatex's generic output).
FORMULA = re.compile(r'<(?:span|div) class="arithmatex">(.*?)</(?:span|div)>', re.S)


def _builds(request, tmp_path_factory) -> dict[str, Path]:
    return {
        "mkdocs-solutions": request.getfixturevalue("solutions_site"),
        "mkdocs-student": request.getfixturevalue("student_site"),
        "zensical-solutions": request.getfixturevalue("zensical_site"),
        "zensical-student": zensical_student_site(tmp_path_factory),
    }


def _indexes(site: Path) -> dict[str, list[dict]]:
    """Every search index the engine wrote (found, not named): a JSON file, or the
    offline script that carries a copy as ``var __index = {...}``, with a list of
    entries that have a location and a text; by path."""
    found = {}
    for path in sorted(site.rglob("search*.js*")):
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".js":
            m = re.match(r"\s*var\s+__index\s*=\s*(\{.*\})\s*;?\s*$", raw, re.S)
            if not m:
                continue
            raw = m.group(1)
        elif path.suffix != ".json":
            continue
        data = json.loads(raw)
        for entries in data.values() if isinstance(data, dict) else ():
            if isinstance(entries, list) and entries and all("location" in e and "text" in e for e in entries):
                found[path.relative_to(site).as_posix()] = entries
    return found


def _greek(tex: str) -> set[str]:
    """The Greek letters a formula names (``\\theta`` is θ), by Unicode's own names."""
    out = set()
    for name in re.findall(r"\\([A-Za-z]+)", tex):
        case = "CAPITAL" if name[0].isupper() else "SMALL"
        try:
            out.add(unicodedata.lookup(f"GREEK {case} LETTER {name.upper()}"))
        except KeyError:
            pass
    return out


def test_search_indexes_hold_no_tex(request, tmp_path_factory):
    """Both engines, both editions: every index entry's title and text free of TeX, and
    every Greek letter of a page's formulas still found in that page's entries (the math
    is read, not dropped)."""
    problems = []
    for build, site in _builds(request, tmp_path_factory).items():
        indexes = _indexes(site)
        assert len(indexes) >= 2, f"{build}: no search index and its offline copy: {sorted(indexes)}"
        for name, entries in indexes.items():
            for entry in entries:
                for field in ("title", "text"):
                    for m in TEX.finditer(entry.get(field) or ""):
                        around = entry[field][max(0, m.start() - 30) : m.end() + 30]
                        problems.append(f"{build} {name} {entry['location']} {field}: {around!r}")
            for rel in site_pages(site):
                page = (site / rel).read_text(encoding="utf-8")
                letters = set().union(*(_greek(html.unescape(f)) for f in FORMULA.findall(page)))
                text = " ".join(e["title"] + " " + e["text"] for e in entries if e["location"].split("#")[0] == rel)
                if text and letters - set(text):
                    problems.append(f"{build} {name} {rel}: formulas' {sorted(letters - set(text))} not in the index")
    assert problems == []


def _query_words(site: Path, rel: str, most: int = 3) -> list[str]:
    """Words of the page that stand right before a formula (so that their result
    previews show the text around math): the first ``most`` distinct ones."""
    page = (site / rel).read_text(encoding="utf-8")
    words = []
    for m in re.finditer(r"([A-Za-z]{6,})\s*<span class=\"arithmatex\">", page):
        if m.group(1).lower() not in words:
            words.append(m.group(1).lower())
    return words[:most]


# The search box and the list of results: Material's (MkDocs) and Zensical's (in a
# shadow root, which Playwright's CSS selectors enter).
_RESULTS = ".md-search-result__list, [role=listbox][aria-label='Search results']"


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_search_result_previews_show_no_tex(chromium, served, served_zensical, solutions_site, zensical_site, engine):
    """Search the worksheet's words that stand before formulas, as a reader would (type
    into the search box); every result preview shown is free of TeX."""
    site, url = (solutions_site, served["solutions"]) if engine == "mkdocs" else (zensical_site, served_zensical)
    pages = [rel for rel in site_pages(site) if _query_words(site, rel)]
    assert pages, "no page with a formula in running text"
    shown, problems = 0, []
    with open_page(chromium, f"{url}/{pages[0]}") as page:
        for word in sorted({w for rel in pages for w in _query_words(site, rel)}):
            if engine == "mkdocs":
                page.click(".md-search__input")
                page.fill(".md-search__input", "")
            else:
                if not page.locator("[role=combobox][aria-label=Search]").is_visible():
                    page.click(".md-search__button")
                page.locator("[role=combobox][aria-label=Search]").fill("")
            page.keyboard.type(word, delay=10)
            results = page.locator(_RESULTS).first
            page.locator(".md-search-result__item, [aria-label='Search results'] [role=option]").first.wait_for()
            page.wait_for_timeout(300)  # the previews of the last keystroke's query
            text = results.inner_text()
            shown += 1
            problems += [f"{word}: {text[max(0, m.start() - 40) : m.end() + 40]!r}" for m in TEX.finditer(text)]
        assert page.errors == []
    assert shown > 0 and problems == []
    assert chromium.external == []
