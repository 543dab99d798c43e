"""descent_animation: the iterates of ``descent`` walking down the loss, as a player.

Written by ``coursegen init`` as a working example of the short form: a generator that
makes one Figure and yields it, then moves what changes and yields each frame's label
(one distinct label per frame: a screen reader announces it); the build draws, encodes
and checks the frames. Options are keyword-only (the full contract is in
coursegen/figures/__init__.py). A parameter file draws it as ``kind = "descent_animation"``.
"""

import numpy as np

from coursegen.figures import style


def descent_animation(res: dict, *, frame_ms: int = 400, slider: str = "GD step"):
    """The loss parabola (drawn once) and the iterate moving on it, one frame per step."""
    theta, loss, y = res["theta"], res["loss"], res["y"]
    grid = np.linspace(min(theta.min(), y.min()) - 0.2, max(theta.max(), y.max()) + 0.2, 200)
    fig = style.new_figure(5.0, 3.2)
    ax = fig.subplots()
    ax.plot(grid, ((grid[:, None] - y[None, :]) ** 2).mean(axis=1), color=style.GREY, lw=1, label="loss")
    (trail,) = ax.plot([], [], color=style.BLUE, lw=1, marker=".", label="iterates")
    (point,) = ax.plot([], [], color=style.BLUE, marker="o", ls="none")
    ax.set(xlabel=r"$\theta$", ylabel=r"$\mathcal{L}(\theta)$")
    ax.legend(loc="upper right")
    yield fig
    last = len(theta) - 1
    for k in range(len(theta)):
        trail.set_data(theta[: k + 1], loss[: k + 1])
        point.set_data(theta[k : k + 1], loss[k : k + 1])
        yield f"step {k} of {last}: theta = {theta[k]:.4f}"


FIGURES = {"descent_animation": descent_animation}
