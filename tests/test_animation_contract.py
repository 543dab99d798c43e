"""The player's contract (coursegen/figures/__init__.py, "Animations"): save_animation
takes one distinct, non-empty label per frame, a frame time in the documented range and
a slider name, refuses anything else with a message saying which rule is broken, and
then writes nothing; kept, it writes exactly the files of a player."""

import json

import pytest

from coursegen.figures import style
from coursegen.stages import limits, outputs


def frames(n: int):
    """A figure and ``n`` frames of a point moving along a line."""
    fig = style.new_figure(2.0, 1.5)
    ax = fig.subplots()
    ax.set(xlim=(0, max(n, 1)), ylim=(0, 1))
    (point,) = ax.plot([], [], marker="o")
    grabber = style.FrameGrabber(fig, [point])
    grabbed = []
    for k in range(n):
        point.set_data([k], [0.5])
        grabbed.append(grabber.grab())
    return fig, grabbed


LABELS = ["step 0", "step 1", "step 2"]


@pytest.mark.parametrize(
    "n, frame_ms, labels, slider, message",
    [
        (3, 100, LABELS[:2], "step", "3 frames but 2 labels; give a list of one label per frame"),
        (3, 100, "step", "step", "labels is a str; give a list of one label per frame"),
        (3, 100, ["step 0", "step 1", "step 0"], "step", "frames 0 and 2 have the same label 'step 0'"),
        (3, 100, ["step 0", " ", "step 2"], "step", "label 1 is ' '; every frame needs a text"),
        (3, 100, ["step 0", None, "step 2"], "step", "label 1 is None"),
        (3, limits.FRAME_MS[0] - 1, LABELS, "step", "frame_ms = 9 is not a whole number of ms from 10 to 60,000"),
        (3, limits.FRAME_MS[1] + 1, LABELS, "step", "frame_ms = 60001 is not a whole number"),
        (3, 100.0, LABELS, "step", "frame_ms = 100.0 is not a whole number"),
        (3, True, LABELS, "step", "frame_ms = True is not a whole number"),
        (3, 100, LABELS, "", "slider = ''; name what the slider moves through"),
        (0, 100, [], "step", "no frames; an animation needs at least one"),
    ],
)
def test_a_broken_rule_is_named_and_nothing_is_written(tmp_path, n, frame_ms, labels, slider, message):
    fig, grabbed = frames(n)
    with pytest.raises(ValueError) as refused:
        style.save_animation(fig, grabbed, tmp_path / "figure", frame_ms, labels, slider)
    assert str(refused.value).startswith(f"save_animation: {message}")
    assert str(refused.value).endswith("(the player's contract: coursegen/figures/__init__.py)")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("frame_ms", limits.FRAME_MS)
def test_a_kept_contract_writes_exactly_a_players_files(tmp_path, frame_ms):
    fig, grabbed = frames(3)
    style.save_animation(fig, grabbed, tmp_path / "figure", frame_ms, LABELS, "step")
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert outputs.problem("figures", files) is None and frozenset(files) == outputs.FIGURE_SHAPES[1]
    player = json.loads(files["figure.json"])
    assert (player["labels"], player["frame_ms"], player["slider"]) == (LABELS, frame_ms, "step")


def _nearest_by_hand(pixel: int, colors: list[tuple[int, int, int]]) -> int:
    """The palette rule, pixel by pixel in plain Python: a 15-bit cell (5 bits a
    channel) that holds a palette colour maps to the first such colour; any other cell
    to the colour nearest its centre (ties: the first)."""
    rgb = (pixel & 255, pixel >> 8 & 255, pixel >> 16 & 255)
    cell = tuple(c >> 3 for c in rgb)
    owners = [i for i, c in enumerate(colors) if tuple(v >> 3 for v in c) == cell]
    if owners:
        return owners[0]
    centre = [c * 8 + 4 for c in cell]
    distances = [sum((a - b) ** 2 for a, b in zip(centre, c)) for c in colors]
    return distances.index(min(distances))


def test_palette_indices_follow_the_rule_on_every_call():
    """Frame after frame (the palette remembers colours it has met), each pixel gets the
    index the rule gives, computed here without numpy."""
    import numpy as np

    rng = np.random.default_rng(7)
    base = rng.integers(0, 1 << 24, 40, dtype=np.uint32) | np.uint32(0xFF000000)
    palette = style.Palette(np.repeat(base, np.arange(1, 41)), 16)
    colors = [tuple(int(v) for v in c) for c in palette.colors]
    for _ in range(3):  # colours met before, again, and new ones
        frame = np.concatenate([rng.choice(base, 300), rng.integers(0, 1 << 24, 300, dtype=np.uint32) | 0xFF000000])
        frame = frame.astype(np.uint32).reshape(20, 30)
        got = palette.index(frame)
        assert got.shape == frame.shape and got.dtype == np.uint8
        assert got.ravel().tolist() == [_nearest_by_hand(int(p), colors) for p in frame.ravel()]


def test_each_schemes_still_is_its_gifs_last_frame(tmp_path):
    """The PNGs (print, reduced motion) share one compressed picture and differ in the
    palette: each, decoded by Pillow, is its own scheme's GIF at its last frame."""
    import numpy as np
    from PIL import Image

    fig, grabbed = frames(3)
    style.save_animation(fig, grabbed, tmp_path / "figure", 100, LABELS, "step")
    for stem in ("figure", "figure-dark"):
        gif = Image.open(tmp_path / f"{stem}.gif")
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"))
        still = np.asarray(Image.open(tmp_path / f"{stem}.png").convert("RGB"))
        assert np.array_equal(still, last), stem
    light, dark = (np.asarray(Image.open(tmp_path / f"{s}.png").convert("RGB")) for s in ("figure", "figure-dark"))
    assert not np.array_equal(light, dark)


def test_a_text_board_blends_over_whatever_the_frame_holds():
    """The same line drawn again over other pixels is blended over those pixels (the
    board remembers words it drew, keyed by what was under them): each time equal to
    the rule, character after character, (under x (255 - cover) + ink x cover + 127) // 255."""
    import numpy as np

    fig = style.new_figure(3.0, 2.0)
    ax = fig.subplots()
    line = ["step 12   MSE 0.0180"]
    board = style.TextBoard(ax, [line])
    ax.set_title("t", pad=board.title_pad)
    style.FrameGrabber(fig, [])
    height, width = fig.canvas.get_width_height()[::-1]
    rng = np.random.default_rng(3)
    plain = np.full((height, width), 0xFFFFFFFF, dtype=np.uint32)
    noisy = rng.integers(0, 1 << 24, (height, width), dtype=np.uint32) | np.uint32(0xFF000000)
    for background in (plain, noisy, plain, noisy):
        frame = background.copy()
        board.draw(frame, line)
        assert np.array_equal(frame, _blended_by_hand(board, background, line[0])), "not the rule"


def _blended_by_hand(board, background, text: str):
    import numpy as np

    figure = board.ax.figure
    size = board.size_pt * figure.dpi / 72
    cover = style._glyph_tiles(tuple(board.chars), size, board.line, figure.dpi, style._text_settings())
    rgb = np.stack([background & 255, background >> 8 & 255, background >> 16 & 255], axis=-1).astype(np.int64)
    start = board.right - len(text) * board.advance
    for k, char in enumerate(text):
        if char == " ":
            continue
        c = cover[char].astype(np.int64)[..., None]
        x = int(round(start + k * board.advance)) - 1
        under = rgb[board.top : board.top + c.shape[0], x : x + c.shape[1]]
        under[:] = (under * (255 - c) + 0 * c + 127) // 255  # ink: black
    out = (background & np.uint32(0xFF000000)) | rgb[..., 0].astype(np.uint32)
    return out | rgb[..., 1].astype(np.uint32) << 8 | rgb[..., 2].astype(np.uint32) << 16


def _board_frame(settings: dict):
    """One frame of a text board drawn under these matplotlib settings."""
    import matplotlib
    import numpy as np

    with matplotlib.rc_context(settings):
        fig = style.new_figure(3.0, 2.0)
        matplotlib.rcParams.update(settings)  # new_figure starts from the style
        ax = fig.subplots()
        board = style.TextBoard(ax, [["step 12   MSE 0.0180"]])
        ax.set_title("t", pad=board.title_pad)
        style.FrameGrabber(fig, [])
        height, width = fig.canvas.get_width_height()[::-1]
        frame = np.full((height, width), 0xFFFFFFFF, dtype=np.uint32)
        board.draw(frame, ["step 12   MSE 0.0180"])
        return frame


def test_a_board_drawn_after_one_in_another_text_style_keeps_its_own():
    """Glyphs are rasterised once per process and text style: a board drawn after a bold
    one (a figure that set its own style) is the board drawn first thing."""
    import numpy as np

    style._glyph_tiles.cache_clear()
    plain = _board_frame({})
    style._glyph_tiles.cache_clear()
    bold = _board_frame({"font.weight": "bold"})
    again = _board_frame({})
    assert not np.array_equal(bold, plain)
    assert np.array_equal(again, plain)


def test_a_character_the_board_was_not_made_for_is_left_out():
    """As before the word cache: what the board has no glyph for is skipped, the rest drawn."""
    import numpy as np

    fig = style.new_figure(3.0, 2.0)
    ax = fig.subplots()
    board = style.TextBoard(ax, [["ab 1"]])
    ax.set_title("t", pad=board.title_pad)
    style.FrameGrabber(fig, [])
    height, width = fig.canvas.get_width_height()[::-1]
    known, unknown = (np.full((height, width), 0xFFFFFFFF, dtype=np.uint32) for _ in range(2))
    board.draw(known, ["ab 1"])
    board.draw(unknown, ["ab 1x"])  # "x": no glyph; "ab" and "1" shift left by one place
    assert (known != 0xFFFFFFFF).any() and (unknown != 0xFFFFFFFF).any()


def test_an_animation_stops_at_a_frame_past_the_limit_before_its_memory_is_spent(tmp_path):
    """In any course: the grabber refuses frame MAX_FRAMES + 1 as it is asked for it, and
    save_animation a list that long, naming the limit and the manual."""
    fig, grabbed = frames(limits.MAX_FRAMES)
    with pytest.raises(ValueError, match=f"grab: {limits.MAX_FRAMES + 1} frames, more than the limit of"):
        _grab_past(fig)
    labels = [f"step {k}" for k in range(limits.MAX_FRAMES + 1)]
    with pytest.raises(ValueError, match=f"save_animation: {limits.MAX_FRAMES + 1} frames, more than the limit"):
        style.save_animation(fig, [*grabbed, grabbed[-1]], tmp_path / "figure", 100, labels, "step")
    assert not list(tmp_path.iterdir())
    style.save_animation(fig, grabbed, tmp_path / "figure", 100, labels[:-1], "step")  # the limit itself is kept


def _grab_past(fig):
    grabber = style.FrameGrabber(fig, [])
    for _ in range(limits.MAX_FRAMES + 1):
        grabber.grab()


def test_the_short_form_stops_at_a_frame_past_the_limit_before_drawing_it(tmp_path):
    """``style.record`` (what coursegen init and the scaffolds write): the generator is
    not asked past frame MAX_FRAMES + 1, so no more frames are drawn or kept."""
    asked = []

    def drawing():
        fig = style.new_figure(2.0, 1.5)
        fig.subplots()
        yield fig
        for k in range(10 * limits.MAX_FRAMES):
            asked.append(k)
            yield f"step {k}"

    with pytest.raises(ValueError, match=f"record: {limits.MAX_FRAMES + 1} frames, more than the limit of"):
        style.record(drawing(), tmp_path / "figure", 100, "step")
    assert len(asked) == limits.MAX_FRAMES + 1 and not list(tmp_path.iterdir())


def test_a_figure_drawn_after_one_that_changed_matplotlibs_settings_keeps_its_bytes():
    """Units share a process (a pool worker, a Dask worker, ``coursegen serve``), and
    matplotlib's settings are the process's: a figure function that changes them (a
    bolder line, another face colour) must not change the next figure's bytes."""
    import matplotlib

    def plain(res):
        fig = style.new_figure(3.0, 2.0)
        fig.subplots().plot([0, 1, 2], [0, 1, 0])
        return fig

    def own_settings(res):
        matplotlib.rcParams.update({"lines.linewidth": 7, "axes.facecolor": "#ff0000", "axes.grid": True})
        return plain(res)

    with matplotlib.rc_context():
        first = style.draw(plain, {})
        style.draw(own_settings, {})
        assert style.draw(plain, {}) == first
