"""No text over data or off the edge, in any figure or any animation frame the build draws.

Every figure of every worksheet is drawn again from the build's results with its
matplotlib objects kept. When a picture is saved, and at every grabbed animation frame,
each piece of text (titles, labels, tick labels, annotations, legend entries, and the
numbers an animation writes into its frames) is compared with where the data are drawn:
lines and their markers, scatter points, line collections, bars and shaded bands. The
geometry is worked out here, from each artist's own coordinates in display pixels (a
segment-rectangle intersection, a point's distance, a polygon's overlap), not from where
the figure code meant to put things. Every text also lies inside the figure. Guides spanning the whole axes (``axhline`` and
``axvline``: the zero line, a bound, the kinks) are not data: a label may sit on one.

The dark renderings are the light ones with their colours mapped (figures/schemes.py),
the same geometry, so one check covers both schemes.
"""

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from coursegen.commands import build as commands
from coursegen.figures import style
from coursegen.stages import cache, pipeline, units

from conftest import CACHE, REPO

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels, y upwards


def _figures() -> list:
    """Every figure of every worksheet, as the build finds them."""
    return [
        pytest.param(sheet, fig, id=f"{sheet.name}/{name}")
        for sheet in commands.discover(REPO / "content", REPO)
        for name, fig in sheet.figures.items()
    ]


def _px(fig, points: float) -> float:
    return points * fig.dpi / 72


def _is_guide(line: Line2D) -> bool:
    """An axhline or axvline: drawn in axes coordinates along one direction."""
    ax = line.axes
    return line.get_transform() in (ax.get_xaxis_transform(), ax.get_yaxis_transform())


def _segments_meet(p0: np.ndarray, p1: np.ndarray, rect: Rect) -> bool:
    """Whether any segment p0[k]-p1[k] passes through ``rect`` (Liang-Barsky clipping)."""
    keep = np.isfinite(p0).all(axis=1) & np.isfinite(p1).all(axis=1)
    p0, p1 = p0[keep], p1[keep]
    if not len(p0):
        return False
    d = p1 - p0
    lo, hi = np.zeros(len(p0)), np.ones(len(p0))
    for axis, (low, high) in enumerate(((rect[0], rect[2]), (rect[1], rect[3]))):
        start, step = p0[:, axis], d[:, axis]
        with np.errstate(divide="ignore", invalid="ignore"):
            t0, t1 = (low - start) / step, (high - start) / step
        parallel = step == 0
        inside = (start >= low) & (start <= high)
        lo = np.where(parallel, np.where(inside, lo, 2.0), np.maximum(lo, np.minimum(t0, t1)))
        hi = np.where(parallel, np.where(inside, hi, -1.0), np.minimum(hi, np.maximum(t0, t1)))
    return bool((lo <= hi).any())


def _points_meet(points: np.ndarray, rect: Rect, radius: float) -> bool:
    points = points[np.isfinite(points).all(axis=1)]
    x0, y0, x1, y1 = _grown(rect, radius)
    return bool(((points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)).any())


def _grown(rect: Rect, by: float) -> Rect:
    return (rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by)


def _polyline_meets(xy: np.ndarray, rect: Rect, half_width: float) -> bool:
    return len(xy) > 1 and _segments_meet(xy[:-1], xy[1:], _grown(rect, half_width))


def _clipped(artist, rect: Rect) -> Rect | None:
    """``rect`` within the artist's clip box (the axes), or None when they do not meet."""
    if not artist.get_clip_on() or artist.get_clip_box() is None:
        return rect
    c = artist.get_clip_box().extents
    x0, y0, x1, y1 = max(rect[0], c[0]), max(rect[1], c[1]), min(rect[2], c[2]), min(rect[3], c[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def _line_meets(line: Line2D, rect: Rect) -> bool:
    fig = line.figure
    xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
    drawn = line.get_linestyle() not in ("None", "", " ") and line.get_linewidth() > 0
    if drawn and _polyline_meets(xy, rect, _px(fig, line.get_linewidth()) / 2):
        return True
    marker = line.get_marker()
    return marker not in (None, "None", "", " ") and _points_meet(xy, rect, _px(fig, line.get_markersize()) / 2)


def _collection_meets(coll, rect: Rect) -> bool:
    fig = coll.figure
    if isinstance(coll, LineCollection):
        half = _px(fig, max(coll.get_linewidths())) / 2
        transform = coll.get_transform()
        return any(_polyline_meets(transform.transform(np.asarray(s, float)), rect, half) for s in coll.get_segments())
    if isinstance(coll, PathCollection):
        points = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
        radius = _px(fig, np.sqrt(max(coll.get_sizes())) / 2) if len(coll.get_sizes()) else 0
        return _points_meet(points, rect, radius)
    if isinstance(coll, PolyCollection):  # fill_between's bands
        box = Bbox.from_extents(*rect)
        transform = coll.get_transform()
        return any(MplPath(transform.transform(p.vertices)).intersects_bbox(box, filled=True) for p in coll.get_paths())
    raise AssertionError(f"no geometry for {type(coll).__name__}: teach this test its shape")


def _data(fig) -> list[tuple[str, object]]:
    """(description, artist) of everything the figure's axes draw as data."""
    found = []
    for k, ax in enumerate(fig.axes):
        for artist in [*ax.lines, *ax.collections, *ax.patches]:
            if not artist.get_visible() or (isinstance(artist, Line2D) and _is_guide(artist)):
                continue
            label = artist.get_label()
            found.append((f"axes {k} {type(artist).__name__}{'' if label.startswith('_') else f' {label!r}'}", artist))
    return found


def _meets(artist, rect: Rect) -> bool:
    rect = _clipped(artist, rect)
    if rect is None:
        return False
    if isinstance(artist, Line2D):
        return _line_meets(artist, rect)
    if hasattr(artist, "get_offsets"):
        return _collection_meets(artist, rect)
    e = artist.get_window_extent().extents  # a bar
    return e[0] < rect[2] and rect[0] < e[2] and e[1] < rect[3] and rect[1] < e[3]


def _undrawn_tick_labels(fig) -> set[int]:
    """Tick labels matplotlib keeps but does not draw: their ticks lie outside the view."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            slack = 1e-9 * (hi - lo)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - slack <= tick.get_loc() <= hi + slack:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return hidden


def _texts(fig) -> list[tuple[str, Rect]]:
    """Every text the figure draws, with its box."""
    renderer, hidden = fig.canvas.get_renderer(), _undrawn_tick_labels(fig)
    return [
        (t.get_text(), tuple(t.get_window_extent(renderer).extents))
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden
    ]


class Recorder:
    """Wraps style's saver, frame grabber and text board so that every picture they make
    is checked: each saved figure, each grabbed frame, each frame's written numbers."""

    def __init__(self, monkeypatch):
        self.found: list[str] = []
        self.frames = 0
        save_svg, grab, draw = style.save_svg, style.FrameGrabber.grab, style.TextBoard.draw

        def checked_save(fig, path):
            fig.canvas.draw()  # the layout the file gets
            self.check(fig, _texts(fig), "")
            return save_svg(fig, path)

        def checked_grab(grabber):
            frame = grab(grabber)
            self.fig, self.frames = grabber.fig, self.frames + 1
            self.check(grabber.fig, _texts(grabber.fig), f" (frame {self.frames - 1})")
            return frame

        def checked_draw(board, frame, lines):
            draw(board, frame, lines)
            height, where = frame.shape[0], f" (frame {self.frames - 1})"
            written = []
            for row, text in enumerate(lines):  # frame rows count from the top
                top = board.top + row * board.line
                written.append(
                    (
                        text,
                        (board.right - len(text) * board.advance, height - top - board.line, board.right, height - top),
                    )
                )
            self.check(self.fig, written, where)
            for text, r in written:
                for other, o in _texts(self.fig):
                    if r[0] < o[2] and o[0] < r[2] and r[1] < o[3] and o[1] < r[3]:
                        self.found.append(f"{text!r} over the text {other!r}{where}")

        monkeypatch.setattr(style, "save_svg", checked_save)
        monkeypatch.setattr(style.FrameGrabber, "grab", checked_grab)
        monkeypatch.setattr(style.TextBoard, "draw", checked_draw)

    def check(self, fig, texts, where: str) -> None:
        data, (width, height) = _data(fig), fig.canvas.get_width_height()
        for text, rect in texts:
            if rect[0] < 0 or rect[1] < 0 or rect[2] > width or rect[3] > height:
                self.found.append(f"{text!r} runs off the figure{where}")
            for name, artist in data:
                if _meets(artist, rect):
                    self.found.append(f"{text!r} over {name}{where}")


@pytest.mark.parametrize(("sheet", "fig"), _figures())
def test_no_text_over_data(sheet, fig, monkeypatch, solutions_site):
    """``solutions_site``: a build of every figure, so the cache holds their results."""
    store = cache.Store(CACHE)
    npzs = [
        store.get("results", pipeline.experiment_key(sheet.experiments[n])).paths["results.npz"].read_bytes()
        for n in fig.experiments
    ]
    recorder = Recorder(monkeypatch)
    units.run(units.Unit.of(fig), units.Runtime.here(), npzs)
    assert not recorder.found, f"{sheet.name}/{fig.name}: text over data:\n  " + "\n  ".join(
        dict.fromkeys(recorder.found)
    )
