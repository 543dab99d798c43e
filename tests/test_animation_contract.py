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
