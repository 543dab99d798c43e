"""Every page of both editions in a real browser with the network cut, as students use
them: math typeset, figures and players loaded, solutions closed until clicked (or
absent), search, the animation players' controls, and layouts from phone to desktop."""

import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import ARTIFACTS, EDITIONS, open_page, settle, site_pages

pytest_plugins = ["browser_fixtures"]


def sites(edition, solutions_site, student_site) -> Path:
    return {"solutions": solutions_site, "student": student_site}[edition]


def worksheet(site: Path) -> str:
    """The first worksheet page (one with question headings)."""
    for rel in site_pages(site):
        if (
            re.search(r'<h3 id="[^"]+"', (site / rel).read_text(encoding="utf-8"))
            and rel.endswith("index.html")
            and "/" in rel
        ):
            return rel
    raise AssertionError(f"{site}: no worksheet page")


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page(chromium, served, solutions_site, student_site, edition):
    site = sites(edition, solutions_site, student_site)
    pages = site_pages(site)
    assert "index.html" in pages and len(pages) >= 2, pages
    problems, solutions_seen = [], 0
    for rel in pages:
        with open_page(chromium, f"{served[edition]}/{rel}") as page:
            found = list(settle(page))
            found += page.evaluate("""() => {
              const out = [];
              const raw = [...document.querySelectorAll('.arithmatex')].filter((e) => !e.querySelector('.katex'));
              if (raw.length) out.push(`${raw.length} formula(s) not typeset: ${raw[0].textContent.slice(0, 60)}`);
              if (document.querySelector('.katex-error')) out.push(`KaTeX error: ${document.querySelector('.katex-error').title}`);
              for (const fig of document.querySelectorAll('figure.cg-figure')) {
                const caption = fig.querySelector('figcaption');
                if (!caption || !caption.textContent.trim() || !caption.checkVisibility()) out.push(`${fig.id}: no visible caption`);
                const media = fig.querySelector('canvas, img:not(.cg-print)');
                const name = media && (media.getAttribute('alt') || media.getAttribute('aria-label') || '');
                if (name.trim().length < 20) out.push(`${fig.id}: no alt text that says what it shows`);
              }
              for (const player of document.querySelectorAll('.cg-player')) {
                const play = player.querySelector('button[aria-label="Play"], button[aria-label="Pause"]');
                if (!play) out.push(`${player.dataset.gif}: no play/pause button`);
              }
              return out;
            }""")
            details = page.query_selector_all("details.solution")  # handles: a locator resolves on each call
            if edition == "student":
                if details or 'class="solution"' in page.content():
                    found.append("a solution in the student edition")
            else:
                solutions_seen += len(details)
                for block in details:
                    if block.get_attribute("open") is not None:
                        found.append("a solution block open on load")
                    block.query_selector("summary").click()
                    if (
                        block.get_attribute("open") is None
                        or not block.query_selector("p, li, .arithmatex").is_visible()
                    ):
                        found.append("a solution block that did not open on click")
            found += [f"console/network: {e}" for e in page.errors]
            problems += [f"{rel}: {p}" for p in found]
    assert problems == []
    assert chromium.external == []
    if edition == "solutions":
        assert solutions_seen >= 1


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


def _script_seconds(cdp) -> float:
    """The page's time running scripts so far (Chromium's own count, in seconds)."""
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "ScriptDuration")


_IN_VIEW = """p => { const r = p.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }"""


@pytest.mark.parametrize("edition", EDITIONS)
def test_players_out_of_view_hold_their_frame_and_go_on_in_view(
    chromium, served, solutions_site, student_site, edition
):
    """A playing animation the reader has scrolled past stops drawing and decoding (a
    page of players would otherwise keep a core busy: Chromium's count of script time
    says), stays "playing", and goes on from the same frame once it is back in view:
    every player of every page."""
    site = sites(edition, solutions_site, student_site)
    checked = 0
    for rel in site_pages(site):
        with open_page(chromium, f"{served[edition]}/{rel}") as page:
            assert settle(page) == []  # every player set up (and playing), then back to the top
            players = page.query_selector_all(".cg-player")
            if not players:
                continue
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
            page.evaluate("() => window.scrollTo(0, 0)")
            page.wait_for_timeout(100)  # the observers' callbacks
            away = [p for p in players if not p.evaluate(_IN_VIEW) and p.get_attribute("data-playing") == "true"]
            held = {id(p): _frame(p) for p in away}
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            before = _script_seconds(cdp)
            page.wait_for_timeout(600)  # several frames' time
            busy = _script_seconds(cdp) - before
            assert busy < 0.06, f"{rel}: {busy * 1000:.0f} ms of script in 600 ms with no player in view"
            for player in away:
                name = player.get_attribute("data-gif")
                assert _frame(player) == held[id(player)], f"{rel} {name}: drew frames out of view"
                assert player.get_attribute("data-playing") == "true", f"{rel} {name}: paused itself"
            for player in away:
                player.scroll_into_view_if_needed()
                page.wait_for_function(
                    f"p => Number(p.dataset.frame) > {held[id(player)]} || p.dataset.playing === 'false'",
                    arg=player,
                    timeout=5_000,
                )
                checked += 1
            assert page.errors == []
    assert checked >= 1
    assert chromium.external == []


def test_player_draws_the_frames_of_its_gif(chromium, served, solutions_site):
    """The player's own GIF decoder draws exactly the frames Pillow decodes."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    sheet = worksheet(solutions_site)
    with _player(chromium, f"{served['solutions']}/{sheet}") as (page, player):
        gif = Image.open(solutions_site / Path(sheet).parent / player.get_attribute("data-gif"))
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
    url = f"{served['solutions']}/{worksheet(solutions_site)}"
    with _player(chromium, url, reduced_motion="reduce") as (page, player):
        n = int(player.locator("input[type=range]").get_attribute("max")) + 1
        assert player.get_attribute("data-playing") == "false"
        assert _frame(player) == n - 1  # the last frame, as the PNG shown before the player
        page.wait_for_timeout(500)
        assert _frame(player) == n - 1
        player.locator("button").first.click()  # and it still plays on request
        assert player.get_attribute("data-playing") == "true"
        assert page.errors == []


DEVICES = [("phone", 390, 844), ("desktop", 1280, 800)]


@pytest.mark.parametrize("device, width, height", DEVICES)
def test_layout_fits_phone_and_desktop(chromium, served, solutions_site, device, width, height, capsys):
    assert layout_problems(chromium, served["solutions"], solutions_site, device, width, height, capsys, "") == []


@pytest.mark.parametrize("device, width, height", DEVICES)
def test_layout_fits_phone_and_desktop_in_the_zensical_build(
    chromium, served_zensical, zensical_site, device, width, height, capsys
):
    assert layout_problems(chromium, served_zensical, zensical_site, device, width, height, capsys, "zensical-") == []


def layout_problems(chromium, url: str, site, device: str, width: int, height: int, capsys, prefix: str) -> list[str]:
    """No page scrolls sideways, and every figure and player control sits in the column;
    screenshots of the worksheet go to test-artifacts/ (``prefix``: whose build)."""
    sheet = worksheet(site)
    problems = []
    for rel in site_pages(site):
        with open_page(chromium, f"{url}/{rel}", viewport={"width": width, "height": height}) as page:
            assert settle(page) == []
            problems += [
                f"{rel}: {p}"
                for p in page.evaluate("""() => {
              const out = [];
              const doc = document.documentElement;
              if (doc.scrollWidth > window.innerWidth) out.push(`page scrolls sideways: ${doc.scrollWidth} > ${window.innerWidth}`);
              const column = document.querySelector('.md-content__inner').getBoundingClientRect();
              for (const el of document.querySelectorAll('article figure img, article figure canvas, .cg-player__controls')) {
                if (!el.checkVisibility()) continue;
                const r = el.getBoundingClientRect();
                if (r.width < 1 || r.left < column.left - 1 || r.right > column.right + 1)
                  out.push(`${el.tagName.toLowerCase()} ${el.getAttribute('src') || ''} [${r.left}, ${r.right}] outside the column [${column.left}, ${column.right}]`);
              }
              return out;
            }""")
            ]
            if rel == sheet:
                ARTIFACTS.mkdir(exist_ok=True)
                shot = ARTIFACTS / f"{prefix}worksheet-{device}.png"
                page.screenshot(path=str(shot), full_page=True)
                top = ARTIFACTS / f"{prefix}worksheet-{device}-top.png"
                page.screenshot(path=str(top))
                with capsys.disabled():
                    print(
                        f"\n  screenshot ({device}, {width} px): {shot}\n  screenshot ({device}, first screen): {top}"
                    )
            problems += [f"{rel}: {e}" for e in page.errors]
    return problems
