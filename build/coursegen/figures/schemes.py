"""The dark rendering of a figure, derived from its light one colour by colour.

Material's dark scheme ("slate") shows pages on a dark blue-grey. A figure drawn on
white would sit there as a white card, so every figure also ships a dark rendering.
Drawing it a second time with other colours would double the cost of every frame, and
mapping colours naively (inverting them) would turn the data's colours muddy and leave
light fringes around anti-aliased lines. Instead each light colour is read as ink of
some colour laid over white paper with some coverage (GIMP's "colour to alpha"); the
ink is recoloured for the dark scheme (black ink becomes light ink, coloured ink keeps
its hue and is lightened where it would be too dark to see) and laid over the dark
paper with the same coverage. Anti-aliased edges, translucent bands and greys thereby
stay what they were: a fraction of ink over paper. White maps to the page's own dark
background exactly, so the figure has no visible edge.

The mapping is a pure function of the colour, so a GIF's dark rendering is its light
one with the palette mapped (the same frames, not drawn again), an SVG's is its light
one with every colour mapped, and both are as reproducible as the light files.
"""

import re

import numpy as np

# Material's slate scheme: hsl(225, 15%, 14%) behind the page; light ink on it.
DARK_PAPER = np.array([0x1E, 0x21, 0x29], dtype=float) / 255
DARK_INK = np.array([0xD5, 0xD7, 0xDD], dtype=float) / 255
MIN_LIGHTNESS = 0.68  # coloured ink is lightened to at least this OKLab lightness


def dark_colors(rgb: np.ndarray) -> np.ndarray:
    """Light-scheme colours (..., 3) uint8 to their dark-scheme colours, uint8."""
    p = np.asarray(rgb, dtype=float) / 255
    coverage = np.max(1 - p, axis=-1, keepdims=True)  # how much ink over white paper
    safe = np.where(coverage > 0, coverage, 1)
    ink = 1 - (1 - p) / safe  # the ink's own colour: one channel at 0
    out = coverage * _dark_ink(ink) + (1 - coverage) * DARK_PAPER
    return np.clip(np.round(out * 255), 0, 255).astype(np.uint8)


def _dark_ink(ink: np.ndarray) -> np.ndarray:
    """Black ink becomes the dark scheme's light ink; coloured ink keeps its hue and is
    lifted to MIN_LIGHTNESS; inks in between are mixed by their colourfulness."""
    lab = _oklab(ink)
    chroma = np.hypot(lab[..., 1], lab[..., 2])[..., None]
    colourful = np.clip(chroma / 0.12, 0, 1)
    lifted = lab.copy()
    lifted[..., 0] = np.maximum(lab[..., 0], MIN_LIGHTNESS)
    return colourful * np.clip(_srgb(lifted), 0, 1) + (1 - colourful) * DARK_INK


def _oklab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] to OKLab (Björn Ottosson's matrices)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    lms = np.cbrt(linear @ _M1.T)
    return lms @ _M2.T


def _srgb(lab: np.ndarray) -> np.ndarray:
    linear = (lab @ _M2_INV.T) ** 3 @ _M1_INV.T
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


_M1 = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_M2 = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)

_M1_INV, _M2_INV = np.linalg.inv(_M1), np.linalg.inv(_M2)

_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")
_ROOT = re.compile(r"<svg\b")


def dark_svg(svg: str) -> str:
    """An SVG with every #rrggbb colour replaced by its dark-scheme colour.

    Matplotlib writes every colour as #rrggbb (opacity separately), so this reaches
    fills, strokes, hatches and the background alike; except black text, which it
    draws with SVG's default fill (black, unwritten). So the root element is given the
    dark colour of black as its fill, which everything that names none inherits.
    """
    svg = _ROOT.sub(lambda m: f'{m.group(0)} fill="#000000"', svg, count=1)
    found = sorted({m.lower() for m in _HEX.findall(svg)})
    light = np.array([[int(h[i : i + 2], 16) for i in (0, 2, 4)] for h in found], dtype=np.uint8)
    mapped = {h: "#" + "".join(f"{int(c):02x}" for c in d) for h, d in zip(found, dark_colors(light))}
    return _HEX.sub(lambda m: mapped[m.group(1).lower()], svg)
