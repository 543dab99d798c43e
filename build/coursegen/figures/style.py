"""Matplotlib made deterministic: fixed style, bundled fonts only, stamp-free files.

Nothing from the reader's machine may reach a figure: not their ``matplotlibrc`` or
style (we start from matplotlib's built-in defaults), not their system fonts (only the
fonts matplotlib ships are eligible), not the date (SVG and PNG metadata stamps are
dropped) and not the per-process SVG id salt.
"""

import functools
import inspect
import io
import json
import re
import sys
import zlib
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.font_manager as font_manager
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter
from PIL import Image

from coursegen import atomic
from coursegen.figures import gif, schemes
from coursegen.script_copy import script_copy
from coursegen.stages import limits

# Colour-blind-safe (Okabe-Ito), each paired with a line style or marker in the figures
# so that colour is never the only carrier of meaning. INK and PAPER are the light
# scheme's; the dark rendering maps every colour (figures/schemes.py).
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#7f7f7f",
)
INK, PAPER = "black", "white"
DARK_GREY = "#555555"  # thin reference lines that must still show: hinges, guides

# Text: one size per figure, the same for titles, labels, ticks and legends, chosen from
# the figure's width so that it is at least MIN_TEXT_PX CSS pixels tall where the figure
# is shown narrowest: a 390 px phone's column inside a solution block, PHONE_COLUMN_PX
# wide. (A figure w inches wide is w * 72 pt; shown d px wide, a t pt text is t * d / (w * 72)
# px tall, whatever the file's dpi.)
# Animations: colours per GIF (plus the reserved index). Line art needs few; fewer
# colours make longer runs for the LZW coder (a tenth smaller than 255 colours).
ANIMATION_COLORS = 63

MIN_TEXT_PX = 9
FRAME_DPI = 200  # animation frames: 2 device pixels per CSS pixel (FrameGrabber)
LINE_SPACING = 1.25  # a TextBoard's lines, in ems
PHONE_COLUMN_PX = 340
BASE_TEXT_PT = 10


def text_pt(width: float) -> float:
    """The text size (pt) of a figure ``width`` inches wide."""
    return round(max(BASE_TEXT_PT, MIN_TEXT_PX * width * 72 / PHONE_COLUMN_PX), 1)


RC = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "svg.fonttype": "path",
    "svg.hashsalt": "coursegen",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": PAPER,
    "axes.facecolor": PAPER,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.dash_capstyle": "butt",
}
_TEXT_KEYS = (
    "font.size",
    "axes.titlesize",
    "axes.labelsize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
    "legend.title_fontsize",
    "figure.titlesize",
)


def _bundled_fonts_only() -> None:
    """Drop every font that is not one of matplotlib's own from the font list (once: the
    list is the process's, and clearing the font lookup cache for every figure made
    font lookups a tenth of the time of drawing)."""
    data = Path(matplotlib.get_data_path()).resolve()
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if Path(f.fname).resolve().is_relative_to(data)]
    manager.afmlist = [f for f in manager.afmlist if Path(f.fname).resolve().is_relative_to(data)]
    manager._findfont_cached.cache_clear()


def _apply_style() -> None:
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(RC)


def _one_math_cache() -> None:
    """Parse each piece of math once per process. Matplotlib caches parses per parser,
    but every renderer makes its own parser, and a constrained layout makes a renderer
    for each pass: the same labels were parsed again and again, a fifth of the time of
    drawing a figure. Keyed on the parser's output type instead, which is all a parse
    depends on besides its arguments (the rcParams are fixed above)."""
    first: dict[str, MathTextParser] = {}  # a parser holds nothing but its output type
    shared = functools.lru_cache(maxsize=1024)(MathTextParser._parse_cached.__wrapped__)
    MathTextParser._parse_cached = lambda self, *args: shared(first.setdefault(self._output_type, self), *args)


_apply_style()
_bundled_fonts_only()
_one_math_cache()


def new_figure(width: float, height: float) -> Figure:
    """A figure outside pyplot's global state, on the Agg canvas, its text sized for
    its width (``text_pt``)."""
    _apply_style()
    matplotlib.rcParams.update(dict.fromkeys(_TEXT_KEYS, text_pt(width)))
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, _pos=None) -> str:
    """1e-4 as 10⁻⁴ in plain text: matplotlib's default writes $10^{-4}$, whose
    mathtext parse was a third of the time of drawing a figure with a log axis."""
    exponent = int(np.round(np.log10(value))) if value > 0 else 0
    return "1" if exponent == 0 else f"10{str(exponent).translate(_SUPERSCRIPTS)}"


def log_y(ax) -> None:
    """A log scale on the y axis, its decades labelled 10⁻⁴, 10⁻², 1 ..."""
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))


def dark_path(path: Path) -> Path:
    """Where a file's dark rendering goes: ``x.svg`` -> ``x-dark.svg``."""
    return path.with_name(f"{path.stem}-dark{path.suffix}")


def text_metrics(fig: Figure) -> dict:
    """The smallest text a drawn figure holds and the figure's width, both in pt: the
    page states them so the phone test can tell how tall the text is on screen; and
    what its dark rendering may lose (``dark_warnings``), when anything."""
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    warnings = dark_warnings(fig)
    return {
        "text_pt": min(sizes),
        "width_pt": round(fig.get_figwidth() * 72, 2),
        **({"warnings": warnings} if warnings else {}),
    }


def dark_warnings(fig: Figure) -> list[str]:
    """What the dark rendering (``schemes``) cannot keep: it re-maps each colour's
    lightness (light ink on dark paper), so a colormap's fill (contourf, imshow,
    pcolormesh, a scatter coloured by value) has its lightness order turned round and
    any text over its light end loses its contrast. Lines coloured by value are lines:
    not warned of. The build prints these."""
    maps = sorted(
        {
            f"{type(artist).__name__} with colormap {artist.get_cmap().name!r}"
            for artist in fig.findobj(lambda a: isinstance(a, ScalarMappable) and a.get_array() is not None)
            if artist.get_cmap().name not in _GREY_MAPS and not _lines(artist)
        }
    )
    return [
        f"{m}: in the dark scheme its colours' lightness is turned round (the light end goes dark) and text on "
        f"it loses contrast; draw the levels as lines (contour, plot) in the toolkit's colours, or a grey map "
        f"('Greys'), and keep text off the fill"
        for m in maps
    ]


def _lines(artist) -> bool:
    """Lines coloured by value: contour lines (``contour``, not ``contourf``), a
    LineCollection. No fill for text to sit on."""
    return isinstance(artist, LineCollection) or (isinstance(artist, ContourSet) and not artist.filled)


_GREY_MAPS = {"Greys", "Greys_r", "gray", "gray_r", "binary", "binary_r"}  # lightness only: turned round, still read


def css_size(fig: Figure, dpi: float) -> dict:
    """A file's natural size in CSS pixels: an SVG's is its size in pt * 4/3 (dpi 96),
    an animation's its size at 100 dpi (its frames have twice the pixels)."""
    width, height = fig.get_size_inches() * dpi
    return {"width_px": int(round(width)), "height_px": int(round(height))}


def save_svg(fig: Figure, path: Path) -> None:
    """``path`` (light), its dark rendering beside it, and the figure's text metrics
    (``.json``)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    light = _short_coordinates(buffer.getvalue())
    path.write_text(light, encoding="utf-8")
    dark_path(path).write_text(schemes.dark_svg(light), encoding="utf-8")
    _write_json(path.with_suffix(".json"), {**text_metrics(fig), **css_size(fig, 96)})


_PATH_DATA = re.compile(r'(?<= d=")[^"]*|(?<=<use xlink:href="#)[^/]*')
_DECIMALS = re.compile(r"(\d\.\d)\d+")


def _short_coordinates(svg: str) -> str:
    """Path and placement coordinates to one decimal (a tenth of a point, a seventh of
    a pixel): matplotlib writes six, which made the line-heavy figures three times the
    size for no visible difference. Glyph outlines (in font units) lose nothing."""
    return _PATH_DATA.sub(lambda m: _DECIMALS.sub(r"\1", m.group(0)), svg)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


class FrameGrabber:
    """Frames of an animation drawn by blitting: the static parts are drawn once.

    Frames are drawn at FRAME_DPI, twice the 100 dpi of the figure's size on the page
    (``css_size``): the page shows them at that size, so they stay sharp on screens of
    two device pixels per CSS pixel. The layout is fixed after the first full draw; each
    frame then restores that background and redraws only the ``moving`` artists, which
    the caller updates in place (one figure per animation, its artists never re-created).
    """

    def __init__(self, fig: Figure, moving: list):
        self.fig, self.moving, self.grabbed = fig, moving, 0
        for artist in moving:
            artist.set_animated(True)
        fig.set_dpi(FRAME_DPI)
        fig.canvas.draw()
        fig.set_layout_engine("none")
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def grab(self) -> np.ndarray:
        """The current picture as (H, W) uint32 pixels, 0xAABBGGRR; stops at a frame
        past ``limits.MAX_FRAMES``, before its memory is spent."""
        self.grabbed += 1
        if self.grabbed > limits.MAX_FRAMES:
            raise ValueError(f"FrameGrabber.grab: {_too_many_frames(self.grabbed)}")
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba()).view(np.uint32)[..., 0].copy()


class TextBoard:
    """A few lines of monospaced text right-aligned just above an axes, between it and
    its title, drawn into grabbed frames: an animation's changing numbers. Outside the
    plotting area, it never hides what the axes draw; the figure makes its room by
    giving the axes' title ``title_pad`` before the first draw.

    Matplotlib lays out and rasterises text glyph by glyph on every draw, which was most
    of the cost of a frame for a handful of numbers. Here each character is rasterised
    once, by matplotlib, as a coverage tile, and a frame's text is assembled from the
    tiles, in integers (the same bytes everywhere).
    """

    PAD_PT = 1.5  # space between the text and the axes below it

    def __init__(self, ax, frames: list[list[str]]):
        """``frames``: every frame's lines, so the board is sized to hold the longest."""
        self.ax = ax
        self.rows = max(map(len, frames))
        self.chars = sorted(set("".join(line for lines in frames for line in lines)) - {" "})
        self.size_pt = matplotlib.rcParams["font.size"]
        height_pt = self.rows * self.size_pt * LINE_SPACING + self.PAD_PT
        self.title_pad = height_pt + matplotlib.rcParams["axes.titlepad"]
        self._tiles = None
        self._done: dict[tuple, np.ndarray] = {}  # (row, columns, word, pixels before) -> after

    def _place(self, frame: np.ndarray) -> None:
        """Pixel sizes and position, once the figure is drawn at its final dpi and layout."""
        fig = self.ax.figure
        size_px = self.size_pt * fig.dpi / 72
        self.advance = size_px * 0.602  # DejaVu Sans Mono: every glyph 0.602 em wide
        self.line = int(np.ceil(size_px * LINE_SPACING))
        ink = _rgb(INK)
        covers = _glyph_tiles(tuple(self.chars), size_px, self.line, fig.dpi, _text_settings())
        self._tiles = {char: _blend_tile(cover, ink) for char, cover in covers.items()}
        self._tile_shape = next(iter(covers.values())).shape  # every tile's: one cell
        box = self.ax.get_window_extent()  # pixels from the bottom left; frames count rows from the top
        self.right = int(box.x1)
        self.bottom = frame.shape[0] - int(np.ceil(box.y1)) - int(round(self.PAD_PT * fig.dpi / 72))
        self.top = self.bottom - self.rows * self.line

    def draw(self, frame: np.ndarray, lines: list[str]) -> None:
        """Draw ``lines`` (right-aligned, one of the frames given) into ``frame``, word
        by word (runs of characters between spaces)."""
        if self._tiles is None:
            self._place(frame)
        for row, text in enumerate(lines):
            y = self.top + row * self.line
            start = self.right - len(text) * self.advance
            for word in re.finditer("[^ ]+", text):
                xs = tuple(int(round(start + k * self.advance)) - 1 for k in range(word.start(), word.end()))
                self._draw_word(frame, y, xs, word.group())

    def _draw_word(self, frame: np.ndarray, y: int, xs: tuple[int, ...], word: str) -> None:
        """Each character's tile blended over the one before it, in 16-bit integers, on
        the frame's own red, green and blue bytes. A word drawn over the same pixels
        before is copied from then: most of a board ("step", "train MSE") is the same
        every frame."""
        height, width = self._tile_shape
        block = frame[y : y + height, xs[0] : xs[-1] + width]
        key = (y, xs, word, block.tobytes())
        done = self._done.get(key)
        if done is not None:
            block[:] = done
            return
        pixel_bytes = block.view(np.uint8)  # (height, 4 x width): each row's bytes in order
        for x, char in zip(xs, word):
            if char not in self._tiles:  # not in the lines the board was made for: left out
                continue
            keep, add = self._tiles[char]
            cell = pixel_bytes[:, 4 * (x - xs[0]) : 4 * (x - xs[0] + width)]
            mixed = cell * keep + add  # at most 255 * 255 + 127: 16 bits
            cell[:] = (mixed + 1 + (mixed >> 8)) >> 8  # mixed // 255, exactly below 65,535
        self._done[key] = block.copy()


def _text_settings() -> tuple[tuple[str, str], ...]:
    """The matplotlib settings a glyph's pixels depend on besides its font, size and dpi
    (weight, style, hinting, antialiasing, ...: every ``font.*`` and ``text.*``), as a key."""
    return tuple((k, repr(v)) for k, v in sorted(matplotlib.rcParams.items()) if k.startswith(("font.", "text.")))


@functools.lru_cache(maxsize=4)
def _glyph_tiles(chars: tuple[str, ...], size_px: float, line: int, dpi: float, settings: tuple) -> dict:
    """Each character's coverage (0-255) in a cell one line high, its left edge one
    pixel before the glyph's origin, rasterised by matplotlib once per process for the
    same ``settings`` (``_text_settings()``, in force now): the animations of a build
    share their boards' characters, and a figure that sets its own text style gets its
    own. Read only."""
    cell = int(np.ceil(size_px * 0.602)) + 3
    fig = Figure(figsize=(cell * 2 * len(chars) / dpi, line / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    for k, char in enumerate(chars):
        fig.text(
            (2 * k * cell + 1) / fig.bbox.width,
            0.5,
            char,
            family="DejaVu Sans Mono",
            color="black",
            fontsize=size_px * 72 / dpi,
            va="center_baseline",
            ha="left",
        )
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., 0].astype(np.int32)
    top = max(0, (pixels.shape[0] - line) // 2)
    tiles = {
        char: (255 - pixels[top : top + line, 2 * k * cell : 2 * k * cell + cell]).astype(np.int32)
        for k, char in enumerate(chars)
    }
    for tile in tiles.values():
        tile.setflags(write=False)
    return tiles


def _blend_tile(cover: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A glyph's coverage (height, width) as what of each byte of a 0xAABBGGRR pixel row
    stays and what the ink adds (+ 127: rounding), (height, 4 x width) 16-bit: red,
    green and blue mix with the ink, alpha stays itself (x 255 + 127, then // 255)."""
    keep = np.repeat((255 - cover)[..., None], 4, axis=-1)
    add = np.concatenate([ink * cover[..., None], np.zeros((*cover.shape, 1), dtype=cover.dtype)], axis=-1) + 127
    alpha = 3 if sys.byteorder == "little" else 0  # the byte order of a pixel's channels: R, G, B, A
    keep[..., alpha] = 255
    if alpha == 0:
        add = add[..., ::-1]
    return keep.reshape(cover.shape[0], -1).astype(np.uint16), add.reshape(cover.shape[0], -1).astype(np.uint16)


def _rgb(color: str) -> np.ndarray:
    return np.array([round(c * 255) for c in matplotlib.colors.to_rgb(color)], dtype=np.int32)


class Palette:
    """One fixed palette of at most ``size`` colours for a whole animation.

    Quantising every frame anew is slow and makes colours flicker between frames; a
    palette taken once from representative frames (their most frequent colours), plus
    a table from 15-bit RGB to the nearest palette entry, maps each frame in a few numpy
    operations and gives the same bytes on every machine. A second table remembers the
    answer for each full 24-bit colour met so far: a frame is then one look-up per
    pixel, and only colours never seen before go through the 15-bit cells.
    """

    UNSEEN = 255  # in the 24-bit table: not looked up yet (a palette has fewer colours)

    def __init__(self, pixels: np.ndarray, size: int):
        if size >= self.UNSEEN:
            raise ValueError(f"a palette of at most {self.UNSEEN - 1} colours, not {size}")
        values, counts = np.unique(pixels.ravel() & 0xFFFFFF, return_counts=True)
        order = np.lexsort((values, -counts))  # most frequent first; ties by colour
        chosen = values[order[:size]].astype(np.int64)
        self.colors = np.stack([chosen & 255, (chosen >> 8) & 255, (chosen >> 16) & 255], axis=1).astype(np.uint8)
        self._lut = np.zeros(1 << 15, dtype=np.uint8)
        self._known = np.zeros(1 << 15, dtype=bool)
        self._by_color = np.full(1 << 24, self.UNSEEN, dtype=np.uint8)
        # A 15-bit cell holding one of the palette's colours maps to it (the most
        # frequent, if several): the palette's colours, white above all, stay themselves.
        cells = _cells(chosen)
        self._owner = np.full(1 << 15, -1)
        for index in range(len(cells) - 1, -1, -1):
            self._owner[cells[index]] = index

    def index(self, pixels: np.ndarray) -> np.ndarray:
        """(H, W) uint32 pixels to palette indices (H, W) uint8, by their 15-bit cell."""
        rgb = pixels & 0xFFFFFF
        out = self._by_color[rgb]
        unseen = out == self.UNSEEN
        if unseen.any():
            colors = np.unique(rgb[unseen])
            cells = _cells(colors)
            self._learn(cells)
            self._by_color[colors] = self._lut[cells]
            out[unseen] = self._by_color[rgb[unseen]]
        return out

    def _learn(self, cells: np.ndarray) -> None:
        """Fill the table for the 15-bit cells not seen before: nearest palette colour,
        argmin |c - p|^2 = argmin (|p|^2 - 2 c.p), in exact integers (an integer matmul
        is numpy's own loop, not BLAS: the same on every CPU)."""
        new = np.unique(cells[~self._known[cells]])
        if new.size == 0:
            return
        rgb15 = np.stack([(new >> 10) & 31, (new >> 5) & 31, new & 31], axis=1) * 8 + 4
        colors = self.colors.astype(np.int64)
        scores = (colors * colors).sum(axis=1) - 2 * (rgb15 @ colors.T)
        owner = self._owner[new]
        self._lut[new] = np.where(owner >= 0, owner, np.argmin(scores, axis=1))
        self._known[new] = True


def _cells(rgb: np.ndarray) -> np.ndarray:
    """The 15-bit cell (5 bits a channel, red highest) of 0xBBGGRR colours."""
    rgb = rgb.astype(np.int64)
    return (rgb >> 3 & 31) << 10 | (rgb >> 11 & 31) << 5 | (rgb >> 19 & 31)


def _changes(frames: list[np.ndarray], palette: Palette) -> tuple[np.ndarray, list[gif.Change], np.ndarray]:
    """Frame 0's palette indices, each later frame's change of indices, and the last
    frame's indices. Only the pixels whose colour changed are looked up (a pixel's
    index depends on its colour alone), and no frame's indices are kept whole."""
    first = palette.index(frames[0])
    current = first.copy()
    changes = []
    for before, frame in zip(frames, frames[1:]):
        at = np.flatnonzero(frame.ravel() != before.ravel())
        indices = palette.index(frame.ravel()[at])
        moved = indices != current.ravel()[at]  # two colours may share an index
        at, indices = at[moved], indices[moved]
        current.ravel()[at] = indices
        changes.append(gif.Change(at, indices))
    return first, changes, current


SHORT_FORM_FRAME_MS = 200  # a short-form animation without a frame_ms option


def draw(function, res, **options) -> dict[str, bytes]:
    """Every file a figure function makes of ``res``, as the build draws it (also for a
    course's tests): the full contract (``function(res, out, **options)`` writes its
    files through the savers) or the short form, a function of the results alone that
    returns a Figure (saved as the SVG and its dark rendering) or is a generator that
    yields its Figure, then each frame's label (``record``)."""
    signature = inspect.signature(function)
    positional = [p for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    with atomic.drawing_folder() as tmp:
        out = Path(tmp) / "figure"
        made = function(res, out, **options) if len(positional) > 1 else function(res, **options)
        from coursegen.figures.explorer import Explorer, save_explorer  # it draws with this module's look

        if isinstance(made, Figure):
            save_svg(made, out.with_suffix(".svg"))
        elif isinstance(made, Explorer):
            save_explorer(made, out)
        elif inspect.isgenerator(made):
            frame_ms = options.get("frame_ms", _default(signature, "frame_ms", SHORT_FORM_FRAME_MS))
            record(made, out, frame_ms, options.get("slider", _default(signature, "slider", "frame")))
        return {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}


def _default(signature: inspect.Signature, name: str, fallback):
    parameter = signature.parameters.get(name)
    return fallback if parameter is None or parameter.default is parameter.empty else parameter.default


def record(drawing, out: Path, frame_ms: int, slider: str) -> None:
    """The short form of an animation: ``drawing`` is a generator that makes one Figure
    and yields it, then updates it in place and yields each frame's label. Each frame is
    the whole figure drawn again (no ``FrameGrabber`` to set up), its layout fixed after
    the first draw; then ``save_animation`` checks and writes the player."""
    fig = next(drawing, None)
    if not isinstance(fig, Figure):
        raise ValueError(f"an animation generator yields its Figure first, then one label per frame; got {fig!r}")
    fig.set_dpi(FRAME_DPI)
    fig.canvas.draw()
    fig.set_layout_engine("none")
    frames, labels = [], []
    for label in drawing:
        if not isinstance(label, str):
            raise ValueError(
                f"after its Figure, an animation generator yields one label (a str) per frame; got {label!r}"
            )
        if len(frames) == limits.MAX_FRAMES:  # before the next frame's memory is spent
            raise ValueError(f"record: {_too_many_frames(len(frames) + 1)}")
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba()).view(np.uint32)[..., 0].copy())
        labels.append(label)
    save_animation(fig, frames, out, frame_ms, labels, slider)


def save_animation(
    fig: Figure, frames: list[np.ndarray], out: Path, frame_ms: int, labels: list[str], slider: str
) -> None:
    """Write an animation in both schemes, once its arguments keep the player's contract
    (figures/__init__.py, "Animations", which also lists the files).

    ``frames`` come from ``FrameGrabber.grab``. The GIFs share their frames and differ
    only in the palette; the PNGs are the last frame, exactly as the GIFs end.
    """
    wrong = _player_problem(len(frames), frame_ms, labels, slider)
    if wrong:
        raise ValueError(f"save_animation: {wrong} (the player's contract: coursegen/figures/__init__.py)")
    palette = Palette(np.concatenate([frames[0], frames[-1]]), ANIMATION_COLORS)
    first, changes, last = _changes(frames, palette)
    encoded = gif.encode(first, changes, frame_ms, len(palette.colors))
    still = _png(last, palette.colors)
    for colors, stem in ((palette.colors, out), (schemes.dark_colors(palette.colors), dark_path(out))):
        data = encoded.to_bytes(colors)
        stem.with_suffix(".gif").write_bytes(data)
        stem.with_suffix(".gif.js").write_text(script_copy(data, "cgGifs"), encoding="ascii")
        stem.with_suffix(".png").write_bytes(_with_palette(still, colors))
    player = {
        "slider": slider,
        "labels": labels,
        "frame_ms": frame_ms,
        **css_size(fig, RC["figure.dpi"]),  # the page's size; the frames have FRAME_DPI / 100 times its pixels
        **text_metrics(fig),
    }
    _write_json(out.with_suffix(".json"), player)


def _player_problem(n_frames: int, frame_ms, labels, slider) -> str | None:
    """Why these arguments cannot make a player, or None: each rule of the contract in
    figures/__init__.py, checked before anything is written."""
    if n_frames == 0:
        return "no frames; an animation needs at least one"
    if n_frames > limits.MAX_FRAMES:
        return _too_many_frames(n_frames)
    if not isinstance(labels, (list, tuple)):
        return f"labels is a {type(labels).__name__}; give a list of one label per frame"
    if len(labels) != n_frames:
        return f"{n_frames} frames but {len(labels)} labels; give a list of one label per frame"
    first: dict[str, int] = {}
    for k, label in enumerate(labels):
        if not isinstance(label, str) or not label.strip():
            return f"label {k} is {label!r}; every frame needs a text saying what it shows"
        if label in first:
            return (
                f"frames {first[label]} and {k} have the same label {label!r}; labels must differ, "
                f"they are how a reader who cannot see the frames tells them apart"
            )
        first[label] = k
    low, high = limits.FRAME_MS
    if isinstance(frame_ms, bool) or not isinstance(frame_ms, int) or not low <= frame_ms <= high:
        return f"frame_ms = {frame_ms!r} is not a whole number of ms from {low} to {high:,}"
    if not isinstance(slider, str) or not slider.strip():
        return f'slider = {slider!r}; name what the slider moves through, e.g. "GD step"'
    return None


def _too_many_frames(n_frames: int) -> str:
    return (
        f"{n_frames} frames, more than the limit of {limits.MAX_FRAMES} (each weighs on the page and in "
        f"memory): draw every k-th step, or fewer steps; see Limits in the manual"
    )


def _png(indices: np.ndarray, colors: np.ndarray) -> bytes:
    image = Image.fromarray(indices, mode="P")
    image.putpalette(_table(colors))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _table(colors: np.ndarray) -> bytes:
    """A 256-colour palette: ``colors`` ((n, 3) uint8), then black."""
    table = np.zeros((256, 3), dtype=np.uint8)
    table[: len(colors)] = colors
    return table.tobytes()


def _with_palette(png: bytes, colors: np.ndarray) -> bytes:
    """The indexed PNG ``png`` with another palette: its PLTE chunk rewritten (length,
    type, data, CRC), the compressed pixels kept. Compressing them once for both
    schemes halves the cost of the stills."""
    at = 8  # past the signature, chunk by chunk
    while png[at + 4 : at + 8] != b"PLTE":
        at += 12 + int.from_bytes(png[at : at + 4], "big")
    length = int.from_bytes(png[at : at + 4], "big")
    chunk = b"PLTE" + _table(colors)[:length]
    return png[: at + 4] + chunk + zlib.crc32(chunk).to_bytes(4, "big") + png[at + 12 + length :]
