"""Every animation player, as a student meets it: on every page of both editions, in both
colour schemes, over HTTP and from a folder (file://). Whatever the controls do, in any
order, the canvas shows exactly the frame that Pillow, an independent decoder, composites
from the player's own GIF file."""

import base64
import functools
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from browser import EDITIONS, open_page, site_pages
from site_html import site_file

pytest_plugins = ["browser_fixtures"]


@functools.lru_cache(maxsize=64)
def pillow_frames(path: Path) -> tuple[np.ndarray, ...]:
    """Every frame of a GIF as Pillow composites it, RGB."""
    gif = Image.open(path)
    frames = []
    for k in range(gif.n_frames):
        gif.seek(k)
        frames.append(np.asarray(gif.convert("RGB")))
    return tuple(frames)


def canvas_pixels(player) -> np.ndarray:
    url = player.query_selector("canvas").evaluate("c => c.toDataURL('image/png')")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))


# The player's state after a move, read in one round trip: its frame, whether it plays,
# and a checksum of the canvas's RGB bytes computed in the page (exact in doubles: at
# most 255 * 65521 per byte, fewer than 2**53 / 2**24 bytes), so that most comparisons
# need no image to cross over; on a mismatch the whole canvas is read.
_STATE = """p => {
  const c = p.querySelector("canvas");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let sum = 0;
  for (let i = 0, j = 0; i < d.length; i += 4, j += 3) {
    sum += d[i] * (j % 65521 + 1) + d[i + 1] * ((j + 1) % 65521 + 1) + d[i + 2] * ((j + 2) % 65521 + 1);
  }
  return {frame: Number(p.dataset.frame), playing: p.dataset.playing, sum: sum};
}"""


@functools.lru_cache(maxsize=4)
def _weights(size: int) -> np.ndarray:
    return np.arange(size, dtype=np.int64) % 65521 + 1


def rgb_sum(frame: np.ndarray) -> int:
    values = frame.reshape(-1).astype(np.int64)
    return int((values * _weights(values.size)).sum())


def differing(player, expected: np.ndarray, state: dict | None = None) -> float:
    """The fraction of pixels on the player's canvas that differ from ``expected``
    (``state``: the player's, if just read)."""
    if (state or player.evaluate(_STATE))["sum"] == rgb_sum(expected):
        return 0.0
    drawn = canvas_pixels(player)
    return float((drawn != expected).any(axis=2).mean()) if drawn.shape == expected.shape else 1.0


def pages_with_players(site: Path) -> list[str]:
    return [rel for rel in site_pages(site) if 'class="cg-player"' in (site / rel).read_text(encoding="utf-8")]


def ready_players(page):
    """Every player of the page scrolled into view and set up, in page order (element
    handles: each call on a locator resolves it anew, ten times the cost of a call)."""
    players = page.query_selector_all(".cg-player")
    for player in players:
        player.scroll_into_view_if_needed()
        page.wait_for_function(
            "p => p.dataset.ready === 'true' || p.dataset.ready === 'failed'", arg=player, timeout=20_000
        )
        assert player.get_attribute("data-ready") == "true", player.get_attribute("data-gif")
    return players


def frame_of(player) -> int:
    return int(player.get_attribute("data-frame"))


# The reader's moves, in an order that jumps back and forth: (what they do, the frame it
# leads to given the frame count n and the current frame k; None: wherever it stopped).
def _slider(player, k):
    player.query_selector("input[type=range]").fill(str(k))


def _key(name):
    def press(player, _):
        player.query_selector("input[type=range]").focus()
        player.owner_frame().page.keyboard.press(name)

    return press


def _button(label, key=None):
    def press(player, _):
        target = player.query_selector(f"button[aria-label='{label}']")
        if key:
            target.press(key)
        else:
            target.click()

    return press


def _play_then_pause(player, _):
    start = frame_of(player)
    player.query_selector("button").click()
    player.owner_frame().page.wait_for_function(f"p => Number(p.dataset.frame) !== {start}", arg=player)
    player.query_selector("button[aria-label='Pause']").click()


MOVES = [
    ("End", _key("End"), lambda n, k: n - 1),
    ("Home", _key("Home"), lambda n, k: 0),
    ("slider to the middle", lambda p, n: _slider(p, n // 2), lambda n, k: n // 2),
    ("slider to 1", lambda p, n: _slider(p, 1), lambda n, k: 1),
    ("Next", _button("Next frame"), lambda n, k: k + 1),
    ("Space on Next", _button("Next frame", " "), lambda n, k: k + 1),
    ("slider near the end", lambda p, n: _slider(p, n - 2), lambda n, k: n - 2),
    ("Enter on Previous", _button("Previous frame", "Enter"), lambda n, k: k - 1),
    ("ArrowLeft", _key("ArrowLeft"), lambda n, k: k - 1),
    ("slider to a third", lambda p, n: _slider(p, n // 3), lambda n, k: n // 3),
    ("play, then pause", _play_then_pause, lambda n, k: None),
]


FEWER_MOVES = [MOVES[i] for i in (0, 1, 2, 5, 10)]


def check_every_move(player, gif: Path, moves=MOVES) -> list[str]:
    """Each move, then the canvas against Pillow's frame; returns what differed."""
    expected = pillow_frames(gif)
    n = len(expected)
    assert int(player.query_selector("input[type=range]").get_attribute("max")) + 1 == n, gif.name
    problems = []
    before = frame_of(player)
    for name, move, target in moves:
        move(player, n)
        want = target(n, before)
        state = player.evaluate(_STATE)
        shown = before = state["frame"]
        if want is not None and shown != max(0, min(n - 1, want)):
            problems.append(f"{gif.name}: {name} showed frame {shown}, not {want}")
            continue
        if state["playing"] != "false":
            problems.append(f"{gif.name}: still playing after {name}")
        differ = differing(player, expected[shown], state)
        if differ:
            problems.append(f"{gif.name}: frame {shown} after {name}: {differ:.2%} of pixels differ from Pillow's")
    return problems


_SHOWN = """p => { const c = p.querySelector("canvas"), r = c.getBoundingClientRect();
  return { width: r.width, height: r.height, column: p.getBoundingClientRect().width }; }"""


def sharpness(player, gif_path: Path) -> list[str]:
    """The canvas is shown at its <img>'s CSS width (or the column's, if narrower) and
    ratio, while it holds every pixel of the GIF: two per CSS pixel, as Pillow counts them,
    so each is one device pixel on a screen of ratio 2."""
    with Image.open(gif_path) as gif:
        width, height = gif.size
    css = round(width / 2)
    shown = player.evaluate(_SHOWN)
    want = min(css, shown["column"])
    if abs(shown["width"] - want) > 1 or abs(shown["height"] - shown["width"] * height / width) > 1:
        return [
            f"{gif_path.name}: shown {shown['width']:.0f} x {shown['height']:.0f} CSS px, not {want} px wide at its ratio"
        ]
    return []


def _sites(solutions_site, student_site):
    return {"solutions": solutions_site, "student": student_site}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_player_draws_exactly_its_gifs_frames(chromium, served, solutions_site, student_site, edition, scheme):
    site = _sites(solutions_site, student_site)[edition]
    pages = pages_with_players(site)
    assert pages, "no page has a player"
    problems, seen = [], 0
    for rel in pages:
        with open_page(chromium, f"{served[edition]}/{rel}", color_scheme=scheme) as page:
            expected_scheme = "slate" if scheme == "dark" else "default"
            assert page.evaluate("document.body.dataset.mdColorScheme") == expected_scheme
            # every move in the solutions edition's light scheme; elsewhere (the same frames
            # with another palette, or the same files) fewer
            moves = MOVES if (edition, scheme) == ("solutions", "light") else FEWER_MOVES
            for player in ready_players(page):
                gif = player.get_attribute("data-gif-dark" if scheme == "dark" else "data-gif")
                problems += check_every_move(player, site_file(site / Path(rel).parent, gif), moves)
                problems += sharpness(player, site_file(site / Path(rel).parent, gif))
                seen += 1
            problems += [f"{rel}: {e}" for e in page.errors]
    assert seen == sum((site / rel).read_text(encoding="utf-8").count('class="cg-player"') for rel in pages)
    assert problems == []
    assert chromium.external == []


def test_switching_the_scheme_redraws_the_same_frame_in_the_other_rendering(chromium, served, solutions_site):
    rel = pages_with_players(solutions_site)[0]
    with open_page(chromium, f"{served['solutions']}/{rel}", color_scheme="light") as page:
        players = ready_players(page)
        for player in players:
            n = int(player.query_selector("input[type=range]").get_attribute("max")) + 1
            _slider(player, n // 2)
        page.locator("label[for='__palette_1']").first.click()  # Material's toggle: to dark
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        for player in players:
            expected = pillow_frames(
                site_file(solutions_site / Path(rel).parent, player.get_attribute("data-gif-dark"))
            )
            k = frame_of(player)
            page.wait_for_timeout(50)
            for _ in range(100):
                if not differing(player, expected[k]):
                    break
                page.wait_for_timeout(100)
            else:
                pytest.fail(f"{player.get_attribute('data-gif')}: not redrawn in the dark rendering")
        assert page.errors == []


def test_status_is_announced_on_pause_not_every_frame(chromium, served, solutions_site):
    rel = pages_with_players(solutions_site)[0]
    with open_page(chromium, f"{served['solutions']}/{rel}") as page:
        player = ready_players(page)[0]
        status = player.query_selector("output")
        live = player.query_selector("[aria-live=polite]")
        assert status.get_attribute("aria-live") == "off"  # the visible status changes every frame
        assert len(player.query_selector_all("[aria-live=polite]")) == 1
        _key("Home")(player, 0)  # a known state: paused on the first frame
        assert player.get_attribute("data-playing") == "false"
        player.query_selector("button[aria-label='Play']").click()
        announced, started = live.text_content(), frame_of(player)
        page.wait_for_function(f"p => Number(p.dataset.frame) > {started} + 2", arg=player)
        assert live.text_content() == announced, "announced while playing"
        player.query_selector("button[aria-label='Pause']").click()
        assert live.text_content() == status.text_content() != announced
        _slider(player, 3)  # a step while paused is announced too
        assert live.text_content() == status.text_content()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_nothing_is_read_out_until_the_reader_acts(chromium, served, solutions_site, motion):
    """A screen reader scrolling the page hears no player or explorer setting itself up
    (each comes near the screen), and a slider's name is its label, not its value too
    (the value is read as the slider's own)."""
    rel = pages_with_players(solutions_site)[0]  # the worksheet: its players and explorers
    with open_page(chromium, f"{served['solutions']}/{rel}", reduced_motion=motion) as page:
        ready_players(page)
        for root in page.query_selector_all("[data-explorer]"):
            root.scroll_into_view_if_needed()
            page.wait_for_function("r => r.dataset.ready === 'true'", arg=root, timeout=30_000)
        page.wait_for_timeout(600)  # past an explorer's pause before it speaks
        spoken = page.eval_on_selector_all(
            "[aria-live=polite]", "els => els.map((e) => e.textContent).filter((t) => t.trim())"
        )
        assert spoken == []
        names = page.eval_on_selector_all(
            ".cg-explorer input[type=range]",
            "els => els.map((i) => [...i.labels[0].childNodes]"
            ".filter((n) => n.nodeType === 3 || n.getAttribute('aria-hidden') !== 'true')"
            ".map((n) => n.textContent).join('').trim())",
        )
        labels = page.eval_on_selector_all(".cg-explorer .cg-explorer__name", "els => els.map((e) => e.textContent)")
        assert names and names == labels
        assert page.errors == []


@pytest.fixture(scope="module")
def file_chromium(chromium):
    """A second Chromium that may read pixels of pages opened from disk (test-only flag;
    a reader's browser needs no flag to see the frames)."""
    from coursegen.tools.chromium import ARGS, CHROMIUM

    from browser import Browser

    second = chromium.browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*ARGS, "--allow-file-access-from-files"]
    )
    yield Browser(second)
    second.close()


def test_players_and_search_work_from_a_folder(file_chromium, solutions_site):
    problems = []
    for rel in pages_with_players(solutions_site):
        with file_chromium.page() as page:
            page.goto((solutions_site / rel).as_uri(), wait_until="load")
            for player in ready_players(page):
                gif = site_file(solutions_site / Path(rel).parent, player.get_attribute("data-gif"))
                problems += check_every_move(player, gif, MOVES[:4])
            problems += [f"{rel}: {e}" for e in page.errors]
    assert problems == []

    with file_chromium.page() as page:
        page.goto((solutions_site / "index.html").as_uri(), wait_until="load")
        page.keyboard.press("/")
        page.keyboard.type("gradient")
        page.locator(".md-search-result__item a:visible").first.wait_for(timeout=10_000)
        assert page.errors == []
    assert file_chromium.external == []
