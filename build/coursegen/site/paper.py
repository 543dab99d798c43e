"""How a figure is printed (print.css, on the handouts' Letter pages): two to a row,
each at most half the text's width and ``HALF_HEIGHT_CM`` tall. A figure whose smallest
text would then print under ``SMALLEST_TEXT_PT`` (a tall one of many panels, shrunk to
a stamp by that height) is given the height its text needs (``paper_height``), still
half the width when that is enough (``"tall"``), else in a row of its own with its
caption beside it (``"wide"``). The sizes mirror print.css; tests/test_print.py
measures the printed text in Chromium."""

import math

MARGIN = {"top": "12mm", "bottom": "14mm", "left": "13mm", "right": "13mm"}  # the handouts' page margins
LETTER_WIDTH_MM = 215.9
HALF = 0.49  # of the text's width: print.css, figure.cg-figure
HALF_HEIGHT_CM = 6.2  # print.css, figure.cg-figure img
WIDE_HEIGHT_CM = 12.0  # the most a figure in a row of its own is given
SMALLEST_TEXT_PT = 6.0


def _pt(mm: float) -> float:
    return mm / 25.4 * 72


TEXT_WIDTH_PT = _pt(LETTER_WIDTH_MM - float(MARGIN["left"][:-2]) - float(MARGIN["right"][:-2]))


def printed_text_pt(meta: dict, width_pt: float, height_cm: float) -> float:
    """A figure's smallest text as printed in a box ``width_pt`` wide and ``height_cm``
    tall (``meta``: its natural width in pt, size in px, smallest text in pt)."""
    height_pt = meta["width_pt"] * meta["height_px"] / meta["width_px"]
    scale = min(1.0, width_pt / meta["width_pt"], _pt(height_cm * 10) / height_pt)
    return meta["text_pt"] * scale


def layout(meta: dict) -> str | None:
    """None (two to a row), "tall" (two to a row, taller) or "wide" (a row of its own)."""
    half = HALF * TEXT_WIDTH_PT
    if printed_text_pt(meta, half, HALF_HEIGHT_CM) >= SMALLEST_TEXT_PT:
        return None
    needed = float(paper_height(meta).removesuffix("cm"))
    return "tall" if printed_text_pt(meta, half, needed) >= SMALLEST_TEXT_PT else "wide"


def paper_height(meta: dict) -> str:
    """The height of a figure in a row of its own: its smallest text at
    ``SMALLEST_TEXT_PT`` (rounded up to a millimetre), at most ``WIDE_HEIGHT_CM``; a
    CSS length."""
    height_pt = meta["width_pt"] * meta["height_px"] / meta["width_px"]
    cm = height_pt * SMALLEST_TEXT_PT / meta["text_pt"] / 72 * 2.54
    return f"{min(math.ceil(cm * 10) / 10, WIDE_HEIGHT_CM):.1f}cm"
