"""Figures: results in, files out (SVG, GIF and PNG), through matplotlib and imageio only.

A figure function ``kind(res, out, *, option=default, ...)`` of the course takes an experiment's
results (a mapping of arrays; a list of them for a figure given ``experiments = [...]``)
and a path stem ``out`` in a scratch folder. Its options are keyword-only arguments,
each with a type hint and a default, which the parameter files may set. It writes one
of the two sets of files below, named after the stem, and nothing else: the pipeline
checks the set (``outputs.FIGURE_SHAPES``) and stops the build with one line naming the
function's file and line if a file is missing or extra. The pipeline caches and names
whatever it writes.

* A picture: ``style.save_svg(fig, out.with_suffix(".svg"))`` writes ``out.svg``, its
  dark rendering ``out-dark.svg`` and ``out.json`` (its size and text, for the page).
* An animation, shown as a player: ``style.save_animation``, below.

Animations. A figure becomes a player by drawing its frames on one figure and handing
them to ``style.save_animation(fig, frames, out, frame_ms, labels, slider)``, which
checks this contract (a ValueError saying which rule is broken) and writes ``out.gif``
and ``out-dark.gif``, their script copies ``.gif.js`` (for pages opened from disk), their
last frames ``out.png`` and ``out-dark.png`` (reduced motion, print) and ``out.json``
(the player's slider name, labels, timing and size):

* ``frames``: at least one, each ``style.FrameGrabber(fig, moving).grab()`` after the
  ``moving`` artists were updated in place (the figure and its artists are made once;
  every frame has the figure's size). Frame k of the GIF is frame k of the list.
* ``labels``: one string per frame, in order, none empty and no two the same. Label k
  is what the player shows beside frame k and what a screen reader announces when the
  slider reaches it (its ``aria-valuetext``), so it says what is particular to that
  frame: "step 3 of 50: GD θ = 0.4880, ...". Two frames with one label could not be
  told apart by a reader who cannot see them.
* ``slider``: what the slider moves through, e.g. "GD step" (its accessible name).
* ``frame_ms``: how long a frame shows while playing, a whole number of milliseconds
  from ``limits.FRAME_MS[0]`` to ``limits.FRAME_MS[1]`` (10 to 60,000). A GIF counts in
  hundredths of a second, so it is rounded to 10 ms, and the player plays at the GIF's
  rate. Take it as an option (``frame_ms: int = 120``), so a parameter file may set it.

Registration: a module of the course's code (``course/``) lists its figure kinds in a
module-level ``FIGURES = {"kind": function}`` dict (coursegen.stages.registry). This
package is the toolkit they draw with: ``style`` (the look, the savers, the frame
grabber), ``gif`` (the GIF writer), ``schemes`` (the dark renderings).
"""
