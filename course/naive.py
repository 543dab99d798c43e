"""The ReLU animation drawn the way a notebook would, for ``make bench`` to compare with.

matplotlib's ``FuncAnimation`` redraws the whole picture for every frame (axes cleared,
every line, point and text added again) and ``PillowWriter`` writes the GIF, quantising
each frame on its own. Same picture as ``figures.relu.relu_animation``: seed 0's hinges,
the data, the target, the prediction, the elbows, the step and errors, a legend; the
same size and pixels as the build's frames (``ANIMATION_INCHES`` at FRAME_DPI: 1160 x
660) and one frame per snapshot. Only timed, never published.
"""

import tempfile
import time
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course.figures.relu import ANIMATION_INCHES
from coursegen.figures.style import FRAME_DPI


def naive_relu_animation(res, out: Path) -> int:
    """Write the GIF to ``out``; return the number of frames."""
    fig = Figure(figsize=ANIMATION_INCHES, dpi=FRAME_DPI)  # the build's frames' pixels: like with like
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    steps, xg = res["snap_steps"], res["x_grid"]

    def frame(k: int) -> None:
        ax.clear()
        w1, b1, w2 = (res[name][0, k] for name in ("W1", "b1", "W2"))
        for unit in range(len(w1)):  # each hinge where its unit is active, as the build draws them
            active = w1[unit] * xg + b1[unit] > 0
            ax.plot(xg[active], w2[unit] * (w1[unit] * xg[active] + b1[unit]), ":", color="grey", lw=0.8)
        ax.scatter(res["x_train"], res["y_train"], s=6, color="orange", label="training data")
        ax.plot(xg, res["truth_grid"], "--", color="tab:blue", label="ground truth")
        ax.plot(xg, res["pred_grid"][k], color="tab:green", lw=2.2, label="prediction")
        ax.scatter(res["elbows"][0, k], np.zeros(len(w1)), color="black", s=15, label="elbows")
        ax.set(xlim=(0, 1), ylim=(-2.5, 2.5), xlabel="$x$", ylabel="$y$")
        ax.set_title(f"width {len(w1)}, seed 0")
        ax.text(
            0.98,
            0.95,
            f"step {int(steps[k]):,}\ntrain MSE {res['train_mse'][0, k]:.3g}\ntest MSE {res['test_mse'][0, k]:.3g}",
            transform=ax.transAxes,
            ha="right",
            va="top",
        )
        ax.legend(loc="lower left", ncols=2, fontsize=8)

    animation = FuncAnimation(fig, frame, frames=len(steps))
    animation.save(out, writer=PillowWriter(fps=9), dpi=FRAME_DPI)  # save() would draw at savefig.dpi
    return len(steps)


WIDTH = 20  # the comparison the issue asked for: width 20, 81 frames, at the build's pixels


def compares(kind: str, res) -> bool:
    """Whether ``make bench`` times this figure the naive way: the width-20 ReLU animation."""
    return kind == "relu_animation" and int(res["W1"].shape[-1]) == WIDTH


def naive_seconds_per_frame(res) -> float:
    with tempfile.TemporaryDirectory(prefix="coursegen-naive-") as tmp:
        start = time.perf_counter()
        n = naive_relu_animation(res, Path(tmp) / "naive.gif")
        return (time.perf_counter() - start) / n
