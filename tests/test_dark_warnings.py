"""What the dark rendering cannot keep is said, and only that: a colormap's fill has its
lightness order turned round there; lines in the toolkit's colours (the advice the
warning itself gives) lose nothing."""

import numpy as np
import pytest
from matplotlib.collections import LineCollection

from coursegen.figures import style

X, Y = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
Z = X**2 + 2 * Y**2

DRAWINGS = {
    "contour lines in the toolkit's grey": (lambda ax: ax.contour(X, Y, Z, levels=6, colors=style.GREY), False),
    "contour lines from a colormap": (lambda ax: ax.contour(X, Y, Z, levels=6, cmap="viridis"), False),
    "lines coloured by value": (
        lambda ax: ax.add_collection(LineCollection([[(0, 0), (1, 1)], [(0, 1), (1, 0)]], array=[0.0, 1.0])),
        False,
    ),
    "a filled contour": (lambda ax: ax.contourf(X, Y, Z, levels=6), True),
    "a filled contour in given colours": (lambda ax: ax.contourf(X, Y, Z, levels=2, colors=["#fff", "#888"]), True),
    "an image": (lambda ax: ax.imshow(Z), True),
    "an image in greys": (lambda ax: ax.imshow(Z, cmap="Greys"), False),
    "a scatter coloured by value": (lambda ax: ax.scatter(X.ravel(), Y.ravel(), c=Z.ravel()), True),
}


@pytest.mark.parametrize("drawing", sorted(DRAWINGS))
def test_only_a_colormaps_fill_is_warned_of(drawing):
    draw, warned = DRAWINGS[drawing]
    fig = style.new_figure(2.0, 1.5)
    draw(fig.subplots())
    assert bool(style.dark_warnings(fig)) == warned
