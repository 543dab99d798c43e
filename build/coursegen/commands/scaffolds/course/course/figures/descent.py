"""descent_animation: the iterates of ``descent`` walking down the loss, as a player.

Written by ``coursegen init`` as a working example: results in, exactly the files of a
player out, one distinct label per frame, options keyword-only (the contract is in
coursegen/figures/__init__.py). A parameter file draws it as ``kind = "descent_animation"``.
"""

from pathlib import Path

import numpy as np

from coursegen.figures import style


def descent_animation(res: dict, out: Path, *, frame_ms: int = 400) -> None:
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

    grabber = style.FrameGrabber(fig, [trail, point])  # only these two are redrawn per frame
    frames = []
    for k in range(len(theta)):
        trail.set_data(theta[: k + 1], loss[: k + 1])
        point.set_data(theta[k : k + 1], loss[k : k + 1])
        frames.append(grabber.grab())
    last = len(theta) - 1
    labels = [f"step {k} of {last}: theta = {theta[k]:.4f}" for k in range(len(theta))]
    style.save_animation(fig, frames, out, frame_ms, labels, slider="GD step")


FIGURES = {"descent_animation": descent_animation}
