"""Every page of both editions in a real browser with the network cut, as students use
them: math typeset, figures and players loaded, solutions closed until clicked (or
absent), search, the animation players' controls, and layouts from phone to desktop."""

import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import ARTIFACTS, EDITIONS, open_page, site_pages, worksheet
from site_html import site_file
from visits import SCREENS

pytest_plugins = ["browser_fixtures"]


def sites(edition, solutions_site, student_site) -> Path:
    return {"solutions": solutions_site, "student": student_site}[edition]


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page(visits, edition):
    """Math typeset, figures loaded and described, players set up with their controls;
    solutions closed until clicked, or absent from the student edition."""
    visit = visits(edition, "light", "desktop")
    assert "index.html" in visit.pages and len(visit.pages) >= 2, list(visit.pages)
    assert visit.problems("reader") == []
    assert visit.external == []
    if edition == "solutions":
        assert sum(seen["solutions"] for seen in visit.pages.values()) >= 1


@pytest.mark.parametrize("edition", EDITIONS)
def test_search_finds_a_question(chromium, served, solutions_site, student_site, edition):
    site = sites(edition, solutions_site, student_site)
    sheet = worksheet(site)
    heading = re.search(r'<h3 id="[^"]+">([^<]+)<', (site / sheet).read_text(encoding="utf-8")).group(1)
    word = max(re.findall(r"[A-Za-z]{4,}", heading), key=len)
    with open_page(chromium, f"{served[edition]}/index.html") as page:
        page.keyboard.press("/")  # Material's shortcut; the box is in the header at every width
        page.keyboard.type(word)  # typed: Material searches on key events
        hits = page.locator(f'.md-search-result__item a[href*="{sheet}"]:visible')
        hits.first.wait_for(timeout=10_000)
        assert any(word.lower() in hit.inner_text().lower() for hit in hits.all())
        assert page.errors == []
    assert chromium.external == []


@contextmanager
def _player(chromium, url, **settings):
    """The page's first player, scrolled into view and set up: ``(page, player)``."""
    with open_page(chromium, url, **settings) as page:
        player = page.locator(".cg-player").first
        player.scroll_into_view_if_needed()
        page.wait_for_function("p => p.dataset.ready === 'true'", arg=player.element_handle(), timeout=15_000)
        yield page, player


def _frame(player) -> int:
    return int(player.get_attribute("data-frame"))


def test_player_play_pause_seek(chromium, served, solutions_site):
    with _player(chromium, f"{served['solutions']}/{worksheet(solutions_site)}") as (page, player):
        status, slider = player.locator("output"), player.locator("input[type=range]")
        play = player.locator("button").first
        n = int(slider.get_attribute("max")) + 1
        labels = json.loads(player.get_attribute("data-labels"))
        assert n >= 2 and len(labels) in (0, n)  # one label per frame, or none ("frame k of n")

        def shown(k: int) -> None:  # the frame, the slider, the status text and its label agree
            assert _frame(player) == k and slider.input_value() == str(k)
            text = status.text_content()
            assert text == (labels[k] if labels else f"frame {k + 1} of {n}")
            assert slider.get_attribute("aria-valuetext") == text

        # Without reduced motion it plays by itself; pause stops it.
        assert player.get_attribute("data-playing") == "true"
        page.wait_for_function("p => Number(p.dataset.frame) > 0", arg=player.element_handle())
        play.click()
        assert player.get_attribute("data-playing") == "false" and play.get_attribute("aria-label") == "Play"
        stopped = _frame(player)
        page.wait_for_timeout(400)
        assert _frame(player) == stopped
        # Play goes on from there.
        play.click()
        assert play.get_attribute("aria-label") == "Pause"
        page.wait_for_function(
            f"p => Number(p.dataset.frame) > {stopped} || p.dataset.playing === 'false'", arg=player.element_handle()
        )
        play.click()

        # The slider seeks (and pauses); each frame has its own status text.
        texts = set()
        for k in (0, n // 2, n - 1):
            slider.fill(str(k))
            shown(k)
            texts.add(status.text_content())
            assert player.get_attribute("data-playing") == "false"
        assert len(texts) == 3

        # Keys on the player: Home, End, arrows (on the slider and on the buttons), Space.
        slider.focus()
        page.keyboard.press("Home")
        shown(0)
        page.keyboard.press("ArrowRight")
        shown(1)
        page.keyboard.press("End")
        shown(n - 1)
        page.keyboard.press("ArrowLeft")
        shown(n - 2)
        player.locator("button[aria-label='Next frame']").click()
        shown(n - 1)
        player.locator("button[aria-label='Previous frame']").press("ArrowLeft")
        shown(n - 2)
        slider.focus()
        page.keyboard.press("Home")  # Space plays from here: from n - 2 it would reach the end and stop itself
        shown(0)
        page.keyboard.press(" ")
        assert player.get_attribute("data-playing") == "true"
        page.keyboard.press(" ")
        assert player.get_attribute("data-playing") == "false"
        play.focus()  # Space on the play button toggles once, not twice
        page.keyboard.press(" ")
        assert player.get_attribute("data-playing") == "true"
        page.keyboard.press(" ")
        assert player.get_attribute("data-playing") == "false"
        assert page.errors == []
    assert chromium.external == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_players_out_of_view_hold_their_frame_and_go_on_in_view(visits, edition):
    """A playing animation the reader has scrolled past stops drawing and decoding (a
    page of players would otherwise keep a core busy: Chromium's count of script time
    says), stays "playing", and goes on from the same frame once it is back in view:
    every player of every page (tests/visits.py, ``_out_of_view``)."""
    visit = visits(edition, "light", "desktop")
    assert visit.problems("out_of_view") == []
    assert sum(seen["players_checked"] for seen in visit.pages.values()) >= 1
    assert visit.external == []


def test_player_draws_the_frames_of_its_gif(chromium, served, solutions_site):
    """The player's own GIF decoder draws exactly the frames Pillow decodes."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    sheet = worksheet(solutions_site)
    with _player(chromium, f"{served['solutions']}/{sheet}") as (page, player):
        gif = Image.open(site_file(solutions_site / Path(sheet).parent, player.get_attribute("data-gif")))
        slider = player.locator("input[type=range]")
        assert int(slider.get_attribute("max")) + 1 == gif.n_frames
        for k in sorted({0, 1, gif.n_frames // 2, gif.n_frames - 1}):
            slider.fill(str(k))
            url = player.locator("canvas").evaluate("c => c.toDataURL('image/png')")
            drawn = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))
            gif.seek(k)
            expected = np.asarray(gif.convert("RGB"))
            assert drawn.shape == expected.shape
            assert (drawn != expected).any(axis=2).mean() < 1e-3, f"frame {k} differs"
        assert page.errors == []


def test_player_reduced_motion_starts_paused(chromium, served, solutions_site):
    """It opens paused on the last frame; Play starts it over from the first, at the
    GIF's own frame time (Pillow reads it), never faster."""
    from PIL import Image

    sheet = worksheet(solutions_site)
    url = f"{served['solutions']}/{sheet}"
    with _player(chromium, url, reduced_motion="reduce") as (page, player):
        n = int(player.locator("input[type=range]").get_attribute("max")) + 1
        frame_ms = Image.open(site_file(solutions_site / Path(sheet).parent, player.get_attribute("data-gif"))).info[
            "duration"
        ]
        assert player.get_attribute("data-playing") == "false"
        assert _frame(player) == n - 1  # the last frame, as the PNG shown before the player
        page.wait_for_timeout(500)
        assert _frame(player) == n - 1
        # and it still plays on request, from the start (timed from the click, in the page)
        began = player.locator("button").first.evaluate("b => { b.click(); return performance.now(); }")
        assert player.get_attribute("data-playing") == "true"
        page.wait_for_function(
            f"p => Number(p.dataset.frame) < {n - 1} && p.dataset.playing === 'true'",
            arg=player.element_handle(),
            timeout=10_000,
        )
        page.wait_for_timeout(600)
        frame, now = player.evaluate("p => [Number(p.dataset.frame), performance.now()]")
        assert frame <= (now - began) / frame_ms + 2, (frame, now - began, frame_ms)  # fewer if busy, never more
        assert page.errors == []


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("build", ["solutions", "zensical"])
def test_layout_fits_phone_and_desktop(visits, build, screen, capsys):
    """No page scrolls sideways, and every figure and player control sits in the column;
    screenshots of the worksheet go to test-artifacts/."""
    visit = visits(build, "light", screen)
    assert visit.problems("layout") == []
    shots = [
        ARTIFACTS / f"{'zensical-' if build == 'zensical' else ''}worksheet-{screen}-light{part}.png"
        for part in ("", "-top")
    ]
    assert all(shot.is_file() for shot in shots)
    with capsys.disabled():
        print("".join(f"\n  screenshot ({build}, {SCREENS[screen]['width']} px): {shot}" for shot in shots))


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("opened", ["over HTTP", "from disk"])
def test_notebook_links_download_the_notebook(
    chromium, served, solutions_site, student_site, edition, opened, tmp_path
):
    """Every page's notebook link saves the notebook itself, byte for byte as the site
    holds it, and the page stays where it is: over HTTP, and from a page opened from
    disk, where Chromium ignores a link's ``download`` and would show the raw JSON."""
    site = sites(edition, solutions_site, student_site)
    pages = [rel for rel in site_pages(site) if 'class="cg-notebook"' in (site / rel).read_text(encoding="utf-8")]
    assert pages, "no page links a notebook"
    for rel in pages:
        url = f"{served[edition]}/{rel}" if opened == "over HTTP" else (site / rel).as_uri()
        with open_page(chromium, url) as page:
            for k, link in enumerate(page.locator("a.cg-notebook").all()):
                href = link.get_attribute("href")
                with page.expect_download(timeout=10_000) as download:
                    link.click()
                saved = tmp_path / f"{k}-{download.value.suggested_filename}"
                download.value.save_as(saved)
                assert download.value.suggested_filename == Path(href).name
                assert saved.read_bytes() == ((site / rel).parent / href).read_bytes(), (rel, href)
                assert page.url == url
            assert page.errors == []
