"""How a figure is printed (print.css, on the handouts' Letter pages): two to a row,
each at most half the text's width and ``HALF_HEIGHT_CM`` tall. A figure whose smallest
text would then print under ``SMALLEST_TEXT_PT`` (a tall one of many panels, shrunk to
a stamp by that height) is given the height its text needs (``OnPaper``), still half
the width when that is enough ("tall"), else in a row of its own with its caption
beside it ("wide"). The sizes mirror print.css; tests/test_print.py measures the
printed text in Chromium."""

import math
from dataclasses import dataclass

MARGIN = {"top": "12mm", "bottom": "14mm", "left": "13mm", "right": "13mm"}  # the handouts' page margins
LETTER_WIDTH_MM = 215.9
HALF = 0.49  # of the text's width: print.css, figure.cg-figure
HALF_HEIGHT_CM = 6.2  # print.css, figure.cg-figure img
WIDE_HEIGHT_CM = 12.0  # the most a figure in a row of its own is given
SMALLEST_TEXT_PT = 6.0


def _pt(cm: float) -> float:
    return cm / 2.54 * 72


TEXT_WIDTH_PT = _pt((LETTER_WIDTH_MM - float(MARGIN["left"][:-2]) - float(MARGIN["right"][:-2])) / 10)


@dataclass(frozen=True)
class OnPaper:
    """A figure printed otherwise than two to a row at the usual height."""

    layout: str  # "tall" (two to a row, taller) or "wide" (a row of its own)
    height_cm: float

    @property
    def css_height(self) -> str:
        return f"{self.height_cm:.1f}cm"


def _height_pt(meta: dict) -> float:
    """The figure's natural height, from its natural width (pt) and its size (px)."""
    return meta["width_pt"] * meta["height_px"] / meta["width_px"]


def printed_text_pt(meta: dict, width_pt: float, height_cm: float) -> float:
    """A figure's smallest text as printed in a box ``width_pt`` wide and ``height_cm``
    tall (``meta``: its natural width in pt, size in px, smallest text in pt)."""
    scale = min(1.0, width_pt / meta["width_pt"], _pt(height_cm) / _height_pt(meta))
    return meta["text_pt"] * scale


def on_paper(meta: dict) -> OnPaper | None:
    """None (two to a row at the usual height), or how the figure prints: the height
    that prints its text at ``SMALLEST_TEXT_PT`` (rounded up to a millimetre, at most
    ``WIDE_HEIGHT_CM``), in half the width if that holds it, else in a row of its own."""
    half = HALF * TEXT_WIDTH_PT
    if printed_text_pt(meta, half, HALF_HEIGHT_CM) >= SMALLEST_TEXT_PT:
        return None
    needed = _height_pt(meta) * SMALLEST_TEXT_PT / meta["text_pt"] / 72 * 2.54
    height = min(math.ceil(needed * 10) / 10, WIDE_HEIGHT_CM)
    return OnPaper("tall" if printed_text_pt(meta, half, height) >= SMALLEST_TEXT_PT else "wide", height)
