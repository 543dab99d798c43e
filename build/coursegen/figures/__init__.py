"""Figures: results in, files out (SVG, GIF and PNG), through matplotlib and imageio only.

A figure function takes an experiment's results (a dict of arrays) and a path stem in a
scratch folder, writes ``stem.svg`` or ``stem.gif`` (plus ``stem.png``, the static last
frame, and ``stem.json``, the player's frame labels) and takes its options as
keyword-only arguments, which the parameter files may set. A figure given a list of
experiments gets a list of results. The pipeline caches and names whatever it writes.
"""

from coursegen.figures import gd, relu

FIGURES = {
    "gd_animation": gd.gd_animation,
    "gd_regimes": gd.gd_regimes,
    "gd_votes": gd.gd_votes,
    "gd_sgd": gd.gd_sgd,
    **relu.FIGURES,
}
