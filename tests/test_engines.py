"""The second site engine: Zensical builds the same docs folder (``make site
ENGINE=zensical``), and a reader of each page finds the same visible text, the same
typeset math, the same working players and the same links as in the MkDocs build."""

import re
from pathlib import Path

import pytest

from browser import open_page
from site_html import site_file

pytest_plugins = ["browser_fixtures"]


def _headerlinks(text: str) -> str:
    return re.sub(r"\s*¶", "", text)  # the permalink sign: MkDocs' toc extension and Zensical's differ in spacing


def test_zensical_builds_the_pages_a_reader_meets_in_the_mkdocs_build(visits):
    """The same visible text, typeset math, working players and links, page for page
    (read by tests/visits.py, ``_READ``, with every solution open)."""
    mkdocs, zensical = visits("solutions", "light", "desktop"), visits("zensical", "light", "desktop")
    assert list(zensical.pages) == list(mkdocs.pages)
    assert mkdocs.problems() == [] and zensical.problems() == []
    for rel, seen in mkdocs.pages.items():
        ours, theirs = seen["text"], zensical.pages[rel]["text"]
        assert _headerlinks(theirs["text"]) == _headerlinks(ours["text"]), rel
        assert theirs["math"] == ours["math"] and theirs["raw_math"] == 0, rel
        assert theirs["players"] == ours["players"] and theirs["ready"] == len(theirs["players"]), rel
        assert theirs["links"] == ours["links"], rel
    assert mkdocs.external == [] and zensical.external == []


def test_zensical_players_draw_exactly_their_gifs_frames(chromium, served_zensical, zensical_site):
    """The every-player pixel test of tests/test_players.py, on the Zensical build."""
    from test_players import FEWER_MOVES, check_every_move, pages_with_players, ready_players

    problems, seen = [], 0
    for rel in pages_with_players(zensical_site):
        with open_page(chromium, f"{served_zensical}/{rel}") as page:
            for player in ready_players(page):
                problems += check_every_move(
                    player, site_file(zensical_site / Path(rel).parent, player.get_attribute("data-gif")), FEWER_MOVES
                )
                seen += 1
            problems += [f"{rel}: {e}" for e in page.errors]
    assert seen > 0 and problems == []


def test_a_custom_dir_that_is_not_there_stops_the_zensical_build_as_it_stops_mkdocs(tmp_path):
    """Zensical gets the generator's theme merged with the course's custom_dir: a
    misspelled custom_dir is named, not left out without a word."""
    import pytest

    from coursegen.errors import BuildError
    from coursegen.site import engines

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\ntheme:\n  name: material\n  custom_dir: overridez\n", encoding="utf-8")
    docs = tmp_path / ".cache" / "docs" / "solutions"
    docs.mkdir(parents=True)
    with pytest.raises(BuildError, match=r"mkdocs.yml: theme.custom_dir: .*overridez is not a folder"):
        engines.zensical_config(config, docs, tmp_path / ".cache" / "out", [])
    (tmp_path / "overridez").mkdir()
    assert engines.zensical_config(config, docs, tmp_path / ".cache" / "out", []).is_file()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_courses_override_wins_over_the_generators_at_the_same_path(tmp_path, engine):
    """The generator overrides Material's palette partial; a course that overrides it
    too (its theme.custom_dir) gets its own, with either engine (docs/course-of-your-own.md)."""
    from conftest import EPOCH, make_mini_checkout, run_cli

    root = make_mini_checkout(tmp_path / "course")
    override = root / "site_src" / "overrides" / "partials" / "javascripts" / "palette.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("<script>/* the course's own palette script */</script>\n", encoding="utf-8")
    result = run_cli(root, "site", "--engine", engine, cache=None, env=EPOCH)
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "mini" / "index.html").read_text(encoding="utf-8")
    assert "the course's own palette script" in page
