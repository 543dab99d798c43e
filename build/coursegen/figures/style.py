"""Matplotlib made deterministic: fixed style, bundled fonts only, stamp-free files.

Nothing from the reader's machine may reach a figure: not their ``matplotlibrc`` or
style (we start from matplotlib's built-in defaults), not their system fonts (only the
fonts matplotlib ships are eligible), not the date (SVG and PNG metadata stamps are
dropped) and not the per-process SVG id salt.
"""

import json
from pathlib import Path

import matplotlib
import matplotlib.font_manager as font_manager
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

# Colour-blind-safe (Okabe-Ito), each paired with a line style or marker in the figures
# so that colour is never the only carrier of meaning.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#7f7f7f",
)

RC = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "svg.fonttype": "path",
    "svg.hashsalt": "coursegen",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
}


def _bundled_fonts_only() -> None:
    """Drop every font that is not one of matplotlib's own from the font list."""
    data = Path(matplotlib.get_data_path()).resolve()
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if Path(f.fname).resolve().is_relative_to(data)]
    manager.afmlist = [f for f in manager.afmlist if Path(f.fname).resolve().is_relative_to(data)]
    manager._findfont_cached.cache_clear()


def _apply_style() -> None:
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(RC)
    _bundled_fonts_only()


_apply_style()


def new_figure(width: float, height: float) -> Figure:
    """A figure outside pyplot's global state, on the Agg canvas."""
    _apply_style()
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_svg(fig: Figure, path: Path) -> None:
    fig.savefig(path, format="svg", metadata={"Date": None})


def save_png(fig: Figure, path: Path) -> None:
    fig.savefig(path, format="png", metadata={"Software": None})


class FrameGrabber:
    """Frames of an animation drawn by blitting: the static parts are drawn once.

    The layout is fixed after the first full draw; each frame then restores that
    background and redraws only the ``moving`` artists, which the caller updates in
    place (one figure per animation, its artists never re-created).
    """

    def __init__(self, fig: Figure, moving: list):
        self.fig, self.moving = fig, moving
        for artist in moving:
            artist.set_animated(True)
        fig.canvas.draw()
        fig.set_layout_engine("none")
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def grab(self) -> np.ndarray:
        """Pixels (H, W, 3) of the current state, as uint8."""
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()


class Palette:
    """One fixed 256-colour palette for a whole animation, with a lookup table.

    Quantising every frame anew is slow and makes colours flicker between frames; a
    palette taken once from a representative frame (its most frequent colours), plus a
    table from 15-bit RGB to the nearest palette entry, maps each frame in a few numpy
    operations and gives the same bytes on every machine.
    """

    def __init__(self, frame: np.ndarray, size: int = 256):
        codes = _rgb24(frame).ravel()
        values, counts = np.unique(codes, return_counts=True)
        order = np.lexsort((values, -counts))  # most frequent first; ties by colour
        chosen = values[order[:size]]
        self.colors = np.stack([(chosen >> 16) & 255, (chosen >> 8) & 255, chosen & 255], axis=1)
        grid = np.arange(32 * 32 * 32)
        rgb15 = np.stack([(grid >> 10) & 31, (grid >> 5) & 31, grid & 31], axis=1) * 8 + 4
        # nearest colour: argmin |c - p|^2 = argmin (|p|^2 - 2 c.p), in exact integers
        # (an integer matmul is numpy's own loop, not BLAS: the same on every CPU)
        scores = (self.colors * self.colors).sum(axis=1) - 2 * (rgb15 @ self.colors.T)
        self.lut = np.argmin(scores, axis=1).astype(np.uint8)

    def index(self, frame: np.ndarray) -> np.ndarray:
        f = frame.astype(np.int32)
        code15 = ((f[..., 0] >> 3) << 10) | ((f[..., 1] >> 3) << 5) | (f[..., 2] >> 3)
        return self.lut[code15]

    def as_bytes(self) -> bytes:
        padded = np.zeros((256, 3), dtype=np.uint8)
        padded[: len(self.colors)] = self.colors
        return padded.tobytes()


def _rgb24(frame: np.ndarray) -> np.ndarray:
    f = frame.astype(np.int64)
    return (f[..., 0] << 16) | (f[..., 1] << 8) | f[..., 2]


def save_gif(frames: list[np.ndarray], path: Path, palette: Palette, frame_ms: int) -> None:
    """Write palette-indexed frames as a GIF.

    Pillow (imageio's GIF backend) is called directly here: imageio's plugin can pass a
    palette only through Pillow's per-frame palette remapping, which costs more than
    drawing the frame. Every frame is indexed into the one palette; ``optimize`` lets
    Pillow store only the part of a frame that changed, with unchanged pixels
    transparent, which makes the files about a third smaller. No loop count is written,
    so where scripts are off the GIF plays once and rests on its last frame (nothing
    moves for ever without a way to pause it; the player replays it on demand).
    """
    images = [Image.fromarray(palette.index(f), mode="P") for f in frames]
    for image in images:
        image.putpalette(palette.as_bytes())
    images[0].save(
        path, format="GIF", save_all=True, append_images=images[1:],
        duration=frame_ms, optimize=True, disposal=1, interlace=False,
    )


def save_animation(fig: Figure, frames: list[np.ndarray], out: Path, frame_ms: int,
                   labels: list[str], slider: str) -> None:
    """An animation's three files: the GIF, its last frame as a PNG (for print and for
    readers who prefer reduced motion) and the player's frame labels as JSON.

    Each label should differ from the previous one (say, by the step): the GIF encoder
    merges identical consecutive frames, and the player pairs frames with labels.
    """
    if len(labels) != len(frames):
        raise ValueError(f"{len(frames)} frames but {len(labels)} labels")
    palette = Palette(np.concatenate([frames[0], frames[-1]]))
    save_gif(frames, out.with_suffix(".gif"), palette, frame_ms)
    save_png(fig, out.with_suffix(".png"))
    player = {"slider": slider, "labels": labels}
    out.with_suffix(".json").write_text(json.dumps(player, ensure_ascii=False, sort_keys=True) + "\n")
