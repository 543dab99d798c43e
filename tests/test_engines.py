"""The second site engine: Zensical builds the same docs folder (``make site
ENGINE=zensical``), and a reader of each page finds the same visible text, the same
typeset math, the same working players and the same links as in the MkDocs build."""

import re
from pathlib import Path

from browser import open_page, settle, site_pages

pytest_plugins = ["browser_fixtures"]

# What a reader meets on a page, read in the page: the article's visible text, typeset
# formulas, players set up and drawn, and the article's links.
_READ = """() => {
  const article = document.querySelector("article");
  // a player's status tells the frame it is on, which depends on when it was read
  for (const status of article.querySelectorAll(".cg-player output, .cg-player [aria-live]")) status.textContent = "";
  const players = [...article.querySelectorAll(".cg-player")];
  return {
    text: article.innerText.replace(/\\s+/g, " ").trim(),
    math: article.querySelectorAll(".katex").length,
    raw_math: [...article.querySelectorAll(".arithmatex")].filter((e) => !e.querySelector(".katex")).length,
    players: players.map((p) => p.dataset.gif),
    ready: players.filter((p) => p.dataset.ready === "true").length,
    links: [...article.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")).filter((h) => !h.startsWith("#__")),
  };
}"""


def _read(chromium, url: str, rel: str) -> dict:
    with open_page(chromium, f"{url}/{rel}") as page:
        assert settle(page) == [], rel
        seen = page.evaluate(_READ)
        seen["errors"] = page.errors
        return seen


def _headerlinks(text: str) -> str:
    return re.sub(r"\s*¶", "", text)  # the permalink sign: MkDocs' toc extension and Zensical's differ in spacing


def test_zensical_builds_the_pages_a_reader_meets_in_the_mkdocs_build(
    chromium, served, served_zensical, solutions_site, zensical_site
):
    rels = site_pages(solutions_site)
    assert rels == site_pages(zensical_site)
    for rel in rels:
        mkdocs, zensical = _read(chromium, served["solutions"], rel), _read(chromium, served_zensical, rel)
        assert zensical["errors"] == [] and mkdocs["errors"] == [], rel
        assert _headerlinks(zensical["text"]) == _headerlinks(mkdocs["text"]), rel
        assert zensical["math"] == mkdocs["math"] and zensical["raw_math"] == 0, rel
        assert zensical["players"] == mkdocs["players"] and zensical["ready"] == len(zensical["players"]), rel
        assert zensical["links"] == mkdocs["links"], rel
    assert chromium.external == []


def test_zensical_players_draw_exactly_their_gifs_frames(chromium, served_zensical, zensical_site):
    """The every-player pixel test of tests/test_players.py, on the Zensical build."""
    from test_players import FEWER_MOVES, check_every_move, pages_with_players, ready_players

    problems, seen = [], 0
    for rel in pages_with_players(zensical_site):
        with open_page(chromium, f"{served_zensical}/{rel}") as page:
            for player in ready_players(page):
                problems += check_every_move(
                    player, zensical_site / Path(rel).parent / player.get_attribute("data-gif"), FEWER_MOVES
                )
                seen += 1
            problems += [f"{rel}: {e}" for e in page.errors]
    assert seen > 0 and problems == []
