"""Figures of Section 2: one-hidden-layer ReLU networks trained with SGD.

The course notebook showed one snapshot at a time behind a slider. Here every width and
regime gets an animation of that picture (``relu_animation``), and static figures show
what the slider hides: where every elbow went (``relu_elbows``), how every slope changed
(``relu_slopes``), how the error fell across all seeds (``relu_losses``), the six final
networks side by side (``relu_final_fits``) and the optimiser comparison
(``relu_optimizer_losses``).

Each experiment's results say which regime trained them (``output_only``) and which seed
row the figures show (``shown``, the median seed by final training error); the
animations, the elbow and slope paths and the final fits all follow that network. Every line has a colour *and* a line
style or marker, so the figures read in greyscale too.
"""

from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator

from coursegen.figures import style

Y_LIMIT = 2.5  # the notebook clips its plots to [-2.5, 2.5]
STEP_LINTHRESH = 10  # the step axis is linear up to here, logarithmic beyond
ELBOW_RANGE = (-0.05, 1.05)  # the data lie on [0, 1]; elbows beyond it fall off the plot
MARKS = 0.1  # markers every tenth of a curve's drawn length
HINGE_DOTS = (0, (1, 2))  # one pixel on, two off
GRID_SIZE = (5.6, 6.8)  # inches, the widths x regimes grids: narrow, to stay legible on phones

# Training regimes: name, colour, line style, marker (the same in every figure).
ALL_LAYERS = ("all layers trained", style.BLUE, "-", "o")
OUTPUT_ONLY = ("output layer only", style.VERMILLION, "--", "s")
# Optimisers of relu_optimizers (result key prefix, name), in the legend's order.
OPTIMIZER_LOOKS = (
    ("sgd", "SGD", style.BLUE, "-", "o"),
    ("momentum", "SGD with momentum", style.ORANGE, "--", "s"),
    ("adam", "Adam", style.GREEN, "-.", "^"),
)


# ------------------------------------------------------------------- shared helpers


@contextmanager
def _figure(width: float, height: float):
    """``style.new_figure``, restoring matplotlib's settings afterwards."""
    with matplotlib.rc_context():
        yield style.new_figure(width, height)


def _width(res: dict) -> int:
    return res["W1"].shape[-1]


def _output_only(res: dict) -> bool:
    """Whether the experiment trained the output layer only, as it recorded."""
    return bool(res["output_only"])


def _shown(res: dict) -> int:
    """The seed row the figures show, as the experiment chose it."""
    return int(res["shown"])


def _regime(res: dict) -> tuple[str, str, str, str]:
    """The regime's name and look (colour, line style, marker), as the results say."""
    return OUTPUT_ONLY if _output_only(res) else ALL_LAYERS


def _grid(many: list[dict]) -> list[tuple[dict, dict]]:
    """(all layers, output only) result pairs, one per width, widths ascending.

    Sorted from the results themselves, so the figure cannot mislabel a panel whatever
    order the parameter file lists the experiments in.
    """
    pairs: dict[int, dict[bool, dict]] = {}
    for res in many:
        pairs.setdefault(_width(res), {})[_output_only(res)] = res
    if any(sorted(p) != [False, True] for p in pairs.values()):
        raise ValueError("give each width's all-layers and output-only experiments")
    return [(pairs[w][False], pairs[w][True]) for w in sorted(pairs)]


def _step_axis(ax, steps: int) -> None:
    """A step axis that shows the first hundred steps as clearly as the last ten
    thousand: linear to STEP_LINTHRESH, logarithmic beyond (snapshots are dense early)."""
    ax.set_xscale("symlog", linthresh=STEP_LINTHRESH, linscale=0.4)
    ax.set_xlim(0, steps)
    ticks = [0] + [10**k for k in range(1, len(str(steps))) if 10**k <= steps]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v):,}"))


def _log_mse_axis(ax) -> None:
    """A log MSE axis labelled 0.01, 0.02, 0.05, 0.1 ... rather than powers of ten."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def mse_text(value: float) -> str:
    """Three significant digits, trailing zeros kept (0.0180, not 0.018)."""
    return f"{value:#.3g}"


def _band_handle(color: str, ls: str, marker: str) -> tuple:
    """A legend key showing a median line over its shaded quartile band."""
    return (Patch(facecolor=color, alpha=0.2, lw=0), Line2D([], [], color=color, ls=ls, marker=marker, ms=5))


def _median_and_band(ax, steps, res: dict, key: str, look: tuple) -> None:
    """The median over seeds as a line, the 25th-75th percentiles as a shaded band."""
    color, ls, marker = look
    ax.fill_between(steps, res[f"{key}_p25"], res[f"{key}_p75"], color=color, alpha=0.2, lw=0)
    ax.plot(steps, res[f"{key}_p50"], color=color, ls=ls, marker=marker, ms=4, markevery=MARKS, lw=1.6)


# --------------------------------------------------------------- the fit picture


def _hinge_segments(res: dict, snap: int) -> list[np.ndarray]:
    """Where each unit's hinge W2 relu(W1 x + b1) is active on [0, 1]: one straight
    segment (2, 2), from its elbow (clipped to [0, 1]) to the end it rises or falls
    towards; none for a unit active nowhere on [0, 1]. Where a unit is inactive its hinge
    is 0: drawn, those parts lay over the x-axis as a grey band that hid it and the
    hinges leaving it, and were half the dots of every frame."""
    w1, b1, w2 = (res[k][_shown(res), snap] for k in ("W1", "b1", "W2"))
    with np.errstate(divide="ignore", invalid="ignore"):
        elbow = np.clip(-b1 / w1, 0, 1)
    start = np.where(w1 > 0, elbow, 0.0)  # W1 > 0: active right of the elbow; W1 < 0: left of it
    end = np.where(w1 > 0, 1.0, np.where(w1 < 0, elbow, (b1 > 0) * 1.0))  # W1 = 0: everywhere or nowhere
    xs = np.stack([start, end], axis=1)
    ys = w2[:, None] * np.maximum(0, w1[:, None] * xs + b1[:, None])
    return [np.column_stack([x, y]) for x, y in zip(xs, ys) if x[1] > x[0]]


def draw_fit(ax, res: dict, snap: int, *, point_size: float = 6) -> dict:
    """The notebook's picture of the shown seed at one snapshot; returns the artists that move.

    Each unit's hinge W2 relu(W1 x + b1) is a thin dotted line that leaves the x-axis at
    its elbow (a dot on y = 0), drawn where the unit is active; the prediction (solid) is
    their sum plus b2. The hinges
    are one collection: a single artist to update and draw per frame, not one per unit.
    """
    xg = res["x_grid"]
    ax.axhline(0, color=style.INK, lw=0.6, zorder=1)
    # Not anti-aliased: thin dotted guides look the same, and a third of the bytes of
    # every animation frame were their grey fringes.
    units = LineCollection(
        _hinge_segments(res, snap), colors=style.GREY, linewidths=1, linestyles=HINGE_DOTS, antialiaseds=False, zorder=2
    )
    ax.add_collection(units)
    # 200 points: pixels in the SVGs (a few kB), not 200 markers (70 kB a panel)
    ax.scatter(res["x_train"], res["y_train"], s=point_size, color=style.ORANGE, lw=0, zorder=3, rasterized=True)
    ax.plot(xg, res["truth_grid"], color=style.BLUE, ls="--", lw=1.5, zorder=4)
    (pred,) = ax.plot(xg, res["pred_grid"][snap], color=style.GREEN, lw=2.2, zorder=5)
    (elbows,) = ax.plot(
        res["elbows"][_shown(res), snap],
        np.zeros(_width(res)),
        ls="",
        marker="o",
        ms=np.sqrt(point_size * 2.5),
        color=style.INK,
        zorder=6,
    )
    ax.set(xlim=(0, 1), ylim=(-Y_LIMIT, Y_LIMIT))
    return {"units": units, "pred": pred, "elbows": elbows}


def _fit_legend(fig, ncols: int) -> None:
    """One key for every fit picture of a figure, below the panels."""
    handles = [
        Line2D([], [], color=style.GREEN, lw=2.2, label="prediction"),
        Line2D([], [], color=style.BLUE, ls="--", lw=1.5, label="ground truth"),
        Line2D([], [], color=style.ORANGE, ls="", marker="o", ms=4, label="training data"),
        Line2D([], [], color=style.GREY, ls=HINGE_DOTS, lw=1, label="unit ReLUs"),
        Line2D([], [], color=style.INK, ls="", marker="o", ms=4, label="elbows"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, handlelength=1.8, columnspacing=1.2)


def _board(step: int, train: float, test: float, steps: int) -> list[str]:
    """The frame's step, train MSE and test MSE: one line above every animation frame."""
    return [f"step {step:>{len(f'{steps:,}')},}   train MSE {mse_text(train)}   test MSE {mse_text(test)}"]


def _status(res: dict, snap: int) -> str:
    """The player's label for a snapshot: the step and the shown network's current errors."""
    steps = res["snap_steps"]
    return (
        f"step {int(steps[snap]):,} of {int(steps[-1]):,}: train MSE {mse_text(res['train_mse'][_shown(res), snap])}, "
        f"test MSE {mse_text(res['test_mse'][_shown(res), snap])}"
    )


ANIMATION_INCHES = (5.8, 3.3)  # the players' page size; frames are drawn at style.FRAME_DPI


def relu_animation(res: dict, out: Path, *, frame_ms: int = 200, snapshot_every: int = 2) -> None:
    """The shown seed training, one frame per ``snapshot_every``-th snapshot (the first and the
    last always): hinges, elbows and prediction moving over the data, the step and the
    errors above the plot. One figure, its artists updated in place and blitted. Every
    snapshot at twice the pixels was twice the bytes the page may weigh; the elbow and
    slope figures draw them all. Writes ``.gif``, the last frame ``.png`` and the
    player's labels ``.json``."""
    steps = res["snap_steps"]
    snaps = sorted({*range(0, len(steps), snapshot_every), len(steps) - 1})
    with _figure(*ANIMATION_INCHES) as fig:
        ax = fig.subplots()
        moving = draw_fit(ax, res, 0)
        ax.set_xlabel("$x$", labelpad=0)
        ax.set_ylabel("$y$", labelpad=0)
        lines = [
            _board(int(steps[k]), res["train_mse"][_shown(res), k], res["test_mse"][_shown(res), k], int(steps[-1]))
            for k in snaps
        ]
        board = style.TextBoard(ax, lines)
        ax.set_title(
            f"width {_width(res)}, {_regime(res)[0]}, seed {int(res['seeds'][_shown(res)])}: {int(steps[-1]):,} steps",
            loc="left",
            pad=board.title_pad,
        )
        _fit_legend(fig, ncols=3)
        grabber = style.FrameGrabber(fig, [moving["units"], moving["pred"], moving["elbows"]])
        frames = []
        for snap, text in zip(snaps, lines):
            moving["units"].set_segments(_hinge_segments(res, snap))
            moving["pred"].set_ydata(res["pred_grid"][snap])
            moving["elbows"].set_xdata(res["elbows"][_shown(res), snap])
            frame = grabber.grab()
            board.draw(frame, text)
            frames.append(frame)
        labels = [_status(res, snap) for snap in snaps]
        style.save_animation(fig, frames, out, frame_ms, labels, slider="SGD iterations")


# -------------------------------------------------------------- paths over training


def _panel_grid(fig, grid: list, ylabel: str, step_axis) -> np.ndarray:
    """A widths x regimes grid of axes sharing both axes, with row and column labels;
    ``step_axis(ax, steps)`` sets up each x axis."""
    axes = fig.subplots(len(grid), 2, sharex=True, sharey=True, squeeze=False)
    for row, pair in zip(axes, grid):
        row[0].set_ylabel(f"width {_width(pair[0])}\n{ylabel}")
        for ax in row:
            step_axis(ax, int(pair[0]["snap_steps"][-1]))
    return axes


def _label_columns(axes: np.ndarray, titles, xlabel: str) -> None:
    """Column titles on the top row only, x labels on the bottom row only: shared axes."""
    for ax, title in zip(axes[0], titles):
        ax.set_title(title)
    for ax in axes[-1]:
        ax.set_xlabel(xlabel)


def _unit_paths(ax, res: dict, values: np.ndarray) -> None:
    """The shown seed's units over training, one thin line each, in the regime's colour and style;
    a dot at each start (step 0)."""
    _, color, ls, _ = _regime(res)
    steps = res["snap_steps"]
    lines = [np.column_stack([steps[kept], path[kept]]) for path in values.T for kept in [_changes(path)]]
    # one artist for all of a panel's units: the grid figures drew 140 lines one by one
    ax.add_collection(LineCollection(lines, colors=color, linestyles=ls, linewidths=0.9, alpha=0.85))
    ax.plot(np.zeros(values.shape[1]), values[0], ls="", marker="o", ms=3, color=style.INK, zorder=3, clip_on=False)


def _changes(path: np.ndarray) -> np.ndarray:
    """Where a path is not in the middle of a flat run: the same line, drawn with the
    points that matter (an output-only elbow is two points, not 81, in the SVG)."""
    kept = np.ones(len(path), dtype=bool)
    kept[1:-1] = (path[1:-1] != path[:-2]) | (path[1:-1] != path[2:])
    return kept


def _regime_keys(what: str) -> list:
    """Legend keys for one unit's line in either regime (its colour and its line style)."""
    return [
        Line2D([], [], color=look[1], ls=look[2], lw=1.2, label=f"{what}, {look[0]}")
        for look in (ALL_LAYERS, OUTPUT_ONLY)
    ]


def relu_elbows(many: list[dict], out: Path) -> None:
    """Every elbow of the shown seed against the step, per width (rows) and regime (columns):
    in all-layers training they migrate to the target's kinks, in output-only training
    they are flat lines. Writes ``.svg``."""
    grid = _grid(many)
    with _figure(*GRID_SIZE) as fig:
        axes = _panel_grid(fig, grid, "elbow $-b_1/W_1$", _step_axis)
        for row, pair in zip(axes, grid):
            for ax, res in zip(row, pair):
                ax.grid(False, axis="y")  # the kinks are the horizontal guides here
                for kink in np.arange(11) / 10:  # the target bends at every multiple of 0.1
                    ax.axhline(kink, color=style.GREY, ls=(0, (1, 3)), lw=0.8, zorder=0)
                _unit_paths(ax, res, res["elbows"][_shown(res)])
        axes[0, 0].set_ylim(*ELBOW_RANGE)
        axes[0, 0].set_yticks([0, 0.5, 1])
        _label_columns(axes, (ALL_LAYERS[0], OUTPUT_ONLY[0]), "SGD step (log scale)")
        keys = _regime_keys("one elbow") + [
            Line2D([], [], color=style.INK, ls="", marker="o", ms=3, label="where it started"),
            Line2D([], [], color=style.GREY, ls=(0, (1, 3)), lw=1, label="kinks of the target"),
        ]
        fig.legend(
            handles=keys,
            loc="outside lower center",
            ncols=2,
            handlelength=1.8,
            columnspacing=1.2,
            title=_off_the_plot(grid),
        )
        style.save_svg(fig, out.with_suffix(".svg"))


def _off_the_plot(grid: list) -> str | None:
    """The key's word on the elbows that end outside [0, 1], off the plot: in a panel,
    that note covered the panel's lines."""
    gone = [
        f"{int(res['shown_elbows_end_outside'])} of width {_width(res)}'s, {_regime(res)[0]}"
        for pair in grid
        for res in pair
        if int(res["shown_elbows_end_outside"])
    ]
    return "elbows ending outside [0, 1], off the plot:\n" + "; ".join(gone) if gone else None


def relu_slopes(many: list[dict], out: Path) -> None:
    """Every unit's slope past its elbow, W2 W1, of the shown seed against the step, per width
    (rows) and regime (columns). Writes ``.svg``."""
    grid = _grid(many)
    with _figure(*GRID_SIZE) as fig:
        axes = _panel_grid(fig, grid, "slope $W_2 W_1$", _step_axis)
        for row, pair in zip(axes, grid):
            for ax, res in zip(row, pair):
                ax.axhline(0, color=style.INK, lw=0.6, zorder=0)
                _unit_paths(ax, res, res["slopes"][_shown(res)])
        _label_columns(axes, (ALL_LAYERS[0], OUTPUT_ONLY[0]), "SGD step (log scale)")
        keys = _regime_keys("one unit") + [
            Line2D([], [], color=style.INK, ls="", marker="o", ms=3, label="its initial slope")
        ]
        fig.legend(handles=keys, loc="outside lower center", ncols=2, handlelength=1.8, columnspacing=1.2)
        style.save_svg(fig, out.with_suffix(".svg"))


# ------------------------------------------------------------------- across seeds


def _linear_step_axis(ax, steps: int) -> None:
    """Steps from 0 to the end, in thousands: the losses move late, where a log axis
    would crowd them together."""
    ax.set_xlim(0, steps)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:g}k" if v else "0"))


def relu_losses(many: list[dict], out: Path) -> None:
    """Train (left) and test (right) MSE against the step, per width (rows): all layers
    versus output only, each the median over seeds in a 25th-75th percentile band.
    Writes ``.svg``."""
    grid = _grid(many)
    with _figure(*GRID_SIZE) as fig:
        axes = _panel_grid(fig, grid, "MSE (log scale)", _linear_step_axis)
        for row, pair in zip(axes, grid):
            for ax, split in zip(row, ("train", "test")):
                _log_mse_axis(ax)
                for res in pair:
                    _median_and_band(ax, res["snap_steps"], res, f"{split}_mse", _regime(res)[1:])
        _label_columns(axes, ("training MSE", "test MSE"), "SGD step")
        looks = (ALL_LAYERS, OUTPUT_ONLY)
        fig.legend(
            [_band_handle(*look[1:]) for look in looks],
            [look[0] for look in looks],
            loc="outside lower center",
            ncols=2,
            handlelength=2.2,
            title=f"median of {len(grid[0][0]['seeds'])} seeds, shaded: 25th-75th percentile",
        )
        style.save_svg(fig, out.with_suffix(".svg"))


def relu_final_fits(many: list[dict], out: Path) -> None:
    """The final network of the shown seed for every width (rows) and regime (columns), with its
    test MSE, in the animations' picture. Writes ``.svg``."""
    grid = _grid(many)
    with _figure(GRID_SIZE[0], GRID_SIZE[1] + 0.4) as fig:
        axes = fig.subplots(len(grid), 2, sharex=True, sharey=True, squeeze=False)
        for row, pair in zip(axes, grid):
            row[0].set_ylabel(f"width {_width(pair[0])}\n$y$")
            for ax, res in zip(row, pair):
                last = len(res["snap_steps"]) - 1
                draw_fit(ax, res, last, point_size=3)
                ax.set_title(f"{_regime(res)[0]}\ntest MSE {mse_text(res['test_mse'][_shown(res), last])}")
        for ax in axes[-1]:
            ax.set_xlabel("$x$")
        _fit_legend(fig, ncols=3)
        style.save_svg(fig, out.with_suffix(".svg"))


def relu_optimizer_losses(res: dict, out: Path) -> None:
    """Train (left) and test (right) MSE of SGD, SGD with momentum and Adam against the
    step (log scale: the three differ in when they take off), median over seeds in a
    25th-75th percentile band. Writes ``.svg``."""
    steps = res["snap_steps"]
    with _figure(6.4, 3.9) as fig:
        axes = fig.subplots(1, 2, sharey=True)
        for ax, split in zip(axes, ("train", "test")):
            _log_mse_axis(ax)
            _step_axis(ax, int(steps[-1]))
            for key, _, *look in OPTIMIZER_LOOKS:
                _median_and_band(ax, steps, res, f"{key}_{split}_mse", look)
            ax.set_xlabel("step (log scale)")
        axes[0].set_title("training MSE")
        axes[1].set_title("test MSE")
        axes[0].set_ylabel("MSE (log scale)")
        fig.legend(
            [_band_handle(*look) for _, _, *look in OPTIMIZER_LOOKS],
            [name for _, name, *_ in OPTIMIZER_LOOKS],
            loc="outside lower center",
            ncols=3,
            handlelength=2.2,
            title=f"median of {len(res['seeds'])} seeds, shaded: 25th-75th percentile",
        )
        style.save_svg(fig, out.with_suffix(".svg"))


FIGURES = {
    "relu_animation": relu_animation,
    "relu_elbows": relu_elbows,
    "relu_slopes": relu_slopes,
    "relu_losses": relu_losses,
    "relu_final_fits": relu_final_fits,
    "relu_optimizer_losses": relu_optimizer_losses,
}
