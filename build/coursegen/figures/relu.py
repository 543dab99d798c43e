"""Figures of Section 2: one-hidden-layer ReLU networks trained with SGD."""

from pathlib import Path

import numpy as np

from coursegen.figures import style

Y_LIMIT = 2.5  # the notebook clips its plots to [-2.5, 2.5]


def draw_fit(ax, res: dict, snap: int) -> dict:
    """The notebook's picture for one snapshot of seed 0; returns the artists to update."""
    xg = res["x_grid"]
    units = [ax.plot(xg, u, color=style.GREY, lw=0.8, ls=":")[0] for u in res["units_grid"][snap]]
    ax.scatter(res["x_train"], res["y_train"], s=6, color=style.ORANGE, label="training points", zorder=2)
    ax.plot(xg, res["truth_grid"], color=style.BLUE, ls="--", lw=1.5, label="ground truth")
    (pred,) = ax.plot(xg, res["pred_grid"][snap], color=style.GREEN, lw=2, label="prediction", zorder=3)
    elbows = ax.scatter(res["elbows"][0, snap], np.zeros(res["elbows"].shape[-1]), s=16, marker="o",
                        color="#444444", zorder=4, label="elbows", clip_on=True)
    ax.set(xlim=(0, 1), ylim=(-Y_LIMIT, Y_LIMIT), xlabel="$x$", ylabel="$y$")
    return {"units": units, "pred": pred, "elbows": elbows}


def relu_fit(res: dict, out: Path) -> None:
    """The final network of seed 0: its units, their elbows, its prediction. Writes ``.svg``."""
    fig = style.new_figure(6.4, 3.6)
    ax = fig.subplots()
    last = len(res["snap_steps"]) - 1
    draw_fit(ax, res, last)
    ax.set_title(f"width {res['units_grid'].shape[1]}, step {int(res['snap_steps'][last]):,}: "
                 f"train MSE {float(res['train_mse'][0, last]):.2g}")
    ax.legend(loc="lower left", fontsize=8, ncols=2)
    style.save_svg(fig, out.with_suffix(".svg"))


FIGURES = {"relu_fit": relu_fit}
