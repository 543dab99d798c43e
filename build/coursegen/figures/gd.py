"""Figures of Section 1: gradient descent on the constant and linear models."""

from pathlib import Path

import numpy as np

from coursegen.figures import style


def _is_linear(res: dict) -> bool:
    return "alpha_limit" in res


def _model_line(res: dict, theta: float, xs: np.ndarray) -> np.ndarray:
    return theta * xs if _is_linear(res) else np.full_like(xs, theta)


def gd_animation(res: dict, out: Path, *, sgd_run: int = 0, frame_ms: int = 160) -> None:
    """GD and one SGD run side by side: the model moving over the data (left) and the
    iterates walking on the loss curve (right). Writes ``.gif`` and its last frame ``.png``."""
    x, y = res["x"], res["y"]
    gd, sgd = res["anim_gd"], res["anim_sgd"][sgd_run]
    samples = res["sgd_samples"][sgd_run]
    grid_t, grid_l = res["loss_grid_theta"], res["loss_grid"]
    loss_at = lambda t: np.interp(t, grid_t, grid_l)  # noqa: E731 -- the grid is fine enough to plot on

    fig = style.new_figure(8.0, 3.4)
    data_ax, loss_ax = fig.subplots(1, 2)
    xs = np.linspace(min(x.min(), 0.0) - 0.2, x.max() + 0.2, 2)
    data_ax.scatter(x, y, s=18, color=style.GREY, zorder=2, label="data")
    picked = data_ax.scatter([x[samples[0]]], [y[samples[0]]], s=70, facecolors="none",
                             edgecolors=style.ORANGE, linewidths=1.5, zorder=3, label="SGD sample")
    (gd_line,) = data_ax.plot(xs, _model_line(res, gd[0], xs), color=style.BLUE, lw=2, label="GD model")
    (sgd_line,) = data_ax.plot(xs, _model_line(res, sgd[0], xs), color=style.ORANGE, lw=2, ls="--", label="SGD model")
    data_ax.set(xlabel="$x$", ylabel="$y$", title=r"$\hat y = \theta x$" if _is_linear(res) else r"$\hat y = \theta$")
    data_ax.set_ylim(min(y.min(), 0) - 0.5, y.max() + 0.5)
    data_ax.legend(loc="upper left", fontsize=8)

    loss_ax.plot(grid_t, grid_l, color=style.GREY, lw=1.5)
    loss_ax.axvline(float(res["theta_star"]), color=style.GREY, ls=":", lw=1)
    (gd_trail,) = loss_ax.plot([], [], color=style.BLUE, marker="o", ms=3, lw=0.8, label="GD")
    (sgd_trail,) = loss_ax.plot([], [], color=style.ORANGE, marker="^", ms=3, lw=0.8, ls="--", label="SGD")
    loss_ax.set(xlabel=r"$\theta$", ylabel=r"$\mathcal{L}(\theta)$", xlim=(grid_t[0], grid_t[-1]))
    loss_ax.legend(loc="upper center", fontsize=8)
    counter = loss_ax.text(0.98, 0.95, "", transform=loss_ax.transAxes, ha="right", va="top")

    grabber = style.FrameGrabber(fig, [gd_line, sgd_line, picked, gd_trail, sgd_trail, counter])
    frames = []
    for t in range(len(gd)):
        gd_line.set_ydata(_model_line(res, gd[t], xs))
        sgd_line.set_ydata(_model_line(res, sgd[t], xs))
        i = samples[min(t, len(samples) - 1)]
        picked.set_offsets([[x[i], y[i]]])
        gd_trail.set_data(gd[: t + 1], loss_at(gd[: t + 1]))
        sgd_trail.set_data(sgd[: t + 1], loss_at(sgd[: t + 1]))
        counter.set_text(f"step {t}")
        frames.append(grabber.grab())
    palette = style.Palette(np.concatenate([frames[0], frames[-1]]))
    style.save_gif(frames, out.with_suffix(".gif"), palette, frame_ms)
    style.save_png(fig, out.with_suffix(".png"))
