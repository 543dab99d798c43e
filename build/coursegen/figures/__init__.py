"""Figures: results in, files out (SVG, GIF and PNG), through matplotlib and imageio only.

A figure function takes an experiment's results (a dict of arrays) and a path stem in a
scratch folder, writes ``stem.svg`` or ``stem.gif`` (plus ``stem.png``, the static last
frame, and ``stem.json``, the player's frame labels) and takes its options as
keyword-only arguments, which the parameter files may set. A figure given a list of
experiments gets a list of results. The pipeline caches and names whatever it writes.

Registration, the same for experiments and figures: every module of the package is
imported, in order of name; a module contributes the kinds in its module-level dict,
here ``FIGURES = {"kind": function}`` (``EXPERIMENTS`` in ``coursegen.experiments``); a
kind that two modules define is an error naming both. A module without the dict (a
helper, such as ``style``) contributes nothing. So a new kind is a new module and no
other file changes: ``coursegen new figure NAME [--animation]`` writes one, with its test.
"""

from coursegen.registry import collect

FIGURES = collect(__name__, __path__, "FIGURES")
