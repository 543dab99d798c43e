"""Explorers of Discussion 1: the runs the build computed, for the student to drive.

Section 1 (``gd_explorer``): a step size from the experiment's grid (fractions of the
limit 1/c, which holds both regime boundaries) and a GD step; it shows the iterate on
the loss curve, theta_t against t, and GD beside the band of the SGD runs at that step
size. Section 2 (``relu_explorer``): width x seed x step, the two regimes side by side
from the same initial network, at the notebook's learning rates or at one rate for both.

Both are question material: they show behaviour and state no answer. No regime names,
no boundary values marked, no theta* (the questions ask for them); the sentence naming
a state gives the step size, the step and losses, never theta itself, and (b)'s step
sizes are given to two significant digits (``gd.alpha_text``).
"""

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from course.experiments.relu import RatePairs, early_snapshot
from course.figures import relu as relu_figures
from course.figures.gd import alpha_text
from coursegen.figures.explorer import EDGE, Axis, Control, Explorer


def _ticks(lo, hi, n=5):
    return tuple(float(t) for t in MaxNLocator(n).tick_values(lo, hi) if lo <= t <= hi)


def _g(value, digits=3):
    return format(float(value), f".{digits}g")


def _loss(res, theta) -> float:
    """The model's mean squared error on the experiment's data at theta."""
    x, y = res["x"], res["y"]
    fit = theta * x if "alpha_limit" in res else np.full_like(x, theta)
    return float(np.mean((fit - y) ** 2))


def gd_explorer(res, *, model: str = "y_hat = theta") -> Explorer:
    """Step size x GD step on one Section 1 model (``gd_constant`` or ``gd_linear``).

    Losses are stated to two digits: enough to compare states, and never the four digits
    at which the solutions state their numbers."""
    alphas = res["explore_step_sizes"]
    gd, gd_losses = res["explore_gd"], res["explore_gd_losses"]
    bands = res["explore_sgd_percentiles"]
    diverged_at = res["explore_gd_diverged_at"]
    grid, curve = res["loss_grid_theta"], res["loss_grid"]
    n_alpha, n_t = gd.shape
    steps = np.arange(n_t)
    labels = [alpha_text("alpha_limit" in res, float(a)) for a in alphas]
    if len(set(labels)) != len(labels):
        raise ValueError("two step sizes of the grid print alike; use a coarser explore_fractions")
    near_start = int(np.argmin(np.abs(res["explore_fractions"] - res["anim_step_size"] * res["curvature"])))
    ex = Explorer(
        [Control("Step size α", labels, near_start), Control("GD step t", [str(t) for t in steps], 0)],
    )
    # the loss curve's range, widened to whole numbers: centred on theta*, its ends would state it
    lo, hi = math.floor(float(grid[0])), math.ceil(float(grid[-1]))
    grid = np.linspace(lo, hi, len(grid))
    curve = np.array([_loss(res, t) for t in grid])
    top = float(curve.max()) * 1.05
    theta = Axis("θ", lo, hi, _ticks(lo, hi))
    on_curve = ex.panel(f"The loss over θ ({model})", theta, Axis("loss L(θ)", 0.0, top, _ticks(0, top, 4)))
    over_t = ex.panel("θ against the step t", Axis("step t", 0, n_t - 1, _ticks(0, n_t - 1)), theta)

    ex.line(on_curve, "curve", np.stack([grid, curve], axis=-1))
    path = np.stack([gd, gd_losses], axis=-1)  # (A, T+1, 2)
    ex.line(on_curve, "gd_trail", path[:, None], dims=(0,), upto=1)
    # Once a run has passed the divergence bound it holds a made-up value (theta* +- the
    # bound), and so would the SGD runs' percentiles: from that step on, none is drawn.
    stopped = res["explore_sgd_stopped"]  # (A, T+1)
    bands = np.where(stopped[:, None, :] > 0, np.nan, bands)
    sgd_mid = bands[:, len(res["sgd_percentiles"]) // 2]  # the median run's theta, (A, T+1)
    sgd_loss = np.vectorize(lambda t: _loss(res, t))(sgd_mid)  # the loss where the circle is
    ex.dots(on_curve, "sgd", np.stack([sgd_mid, sgd_loss], axis=-1), dims=(0, 1))
    ex.dots(on_curve, "gd", path, dims=(0, 1))

    t = np.broadcast_to(steps, gd.shape).astype(float)
    band = np.concatenate([np.stack([t, bands[:, -1]], axis=-1), np.stack([t, bands[:, 0]], axis=-1)[:, ::-1]], axis=1)
    ex.area(over_t, "band", band[:, None], dims=(0,))
    ex.line(over_t, "sgd", np.stack([t, sgd_mid], axis=-1)[:, None], dims=(0,))
    ex.line(over_t, "gd_trail", np.stack([t, gd], axis=-1)[:, None], dims=(0,), upto=1)
    ex.line(over_t, "cursor", np.stack([[[s, lo], [s, hi]] for s in steps])[:, None], dims=(1,))
    ex.dots(over_t, "gd", np.stack([t, gd], axis=-1), dims=(0, 1))

    def off_axes(theta, loss):
        return (theta < lo) | (theta > hi) | (loss > top)

    off = off_axes(gd, gd_losses)
    sgd_off = off_axes(sgd_mid, sgd_loss)
    passed = steps[None, :] >= np.where(diverged_at < 0, n_t, diverged_at)[:, None]
    gd_text = np.array(
        [
            [
                "run passed the divergence bound and was stopped"
                if passed[a, k]
                else f"loss {_g(gd_losses[a, k], 2)}" + (", off the plotted range" if off[a, k] else "")
                for k in range(n_t)
            ]
            for a in range(n_alpha)
        ],
        dtype=object,
    )
    runs = len(res["anim_sgd"])
    first_stop = np.argmax(stopped > 0, axis=1)  # per step size, the first step that holds a stopped run

    def sgd_said(a: int, k: int) -> str:
        n = int(stopped[a, k])
        if not n:
            where = " (off the plotted range)" if sgd_off[a, k] else " (open circle)"
            return f"loss {_g(sgd_loss[a, k], 2)} at the median θ{where}"
        first = int(first_stop[a])
        shown = f"the band and median end at step {first - 1}" if first else "no band or median is shown"
        return f"{n} of the {runs} runs passed the divergence bound by this step and {'was' if n == 1 else 'were'} stopped, so {shown}"

    sgd_text = np.array([[sgd_said(a, k) for k in range(n_t)] for a in range(n_alpha)], dtype=object)
    low, high = res["sgd_percentiles"][0], res["sgd_percentiles"][-1]
    ex.describe(
        "Step size α = {0}, GD step {1} of "
        + str(n_t - 1)
        + ": GD's {2}. SGD ("
        + f"{runs} runs; the band spans their {_g(low)}th to {_g(high)}th percentiles of θ): "
        + "{3}.",
        (0,),
        np.array(labels, dtype=object),
        (1,),
        np.array([str(s) for s in steps], dtype=object),
        (0, 1),
        gd_text,
        (0, 1),
        sgd_text,
    )
    last = n_t - 1
    fractions = res["explore_fractions"]

    def nearest(f):
        return int(np.argmin(np.abs(fractions - f)))

    # on paper: the slow start at its end, then an oscillating and a growing run early on
    ex.print_states = [(near_start, last), (nearest(0.8), min(last, 6)), (nearest(1.1), min(last, 6))]
    return ex


# ------------------------------------------------------------------------ Section 2


def _hinges(W1, b1, W2, edge: float):
    """Each unit's hinge W2 relu(W1 x + b1) on [0, 1] where the unit is active, as three
    points: x = 0, its elbow, x = 1; NaN for a point not drawn: an end where the unit is
    inactive (the hinge is 0 there, on the x-axis; the players leave it out too), the
    elbow when it is outside [0, 1] (the hinge is straight), all three for a unit active
    nowhere on [0, 1]. An end beyond ``edge`` (|y|, where the panel stops drawing) is
    moved along the hinge to where it crosses it (held at the edge, a steep hinge was
    drawn at the wrong slope, leaving the plot at the wrong x), and a hinge beyond it
    all along is not drawn."""
    elbow = np.divide(-b1, W1, out=np.full(W1.shape, np.nan), where=W1 != 0)
    inside = (elbow >= 0) & (elbow <= 1)
    ends, hidden = [], np.zeros(W1.shape, dtype=bool)
    for x, on in ((0.0, b1 > 0), (1.0, W1 + b1 > 0)):  # the pre-activation there: W1 x + b1
        y = W2 * (W1 * x + b1)
        beyond = on & (np.abs(y) > edge) & (W1 != 0)
        to = np.sign(y) * edge  # where the hinge crosses the edge: W2 (W1 x + b1) = to
        crossing = np.divide(to / np.where(W2 == 0, 1, W2) - b1, W1, out=np.full(W1.shape, x), where=beyond)
        hidden |= beyond & ((crossing < 0) | (crossing > 1))  # beyond the edge all along: not seen
        ends.append(np.stack([np.where(on, crossing, np.nan), np.where(on, np.where(beyond, to, y), np.nan)], axis=-1))
    middle = np.stack([np.where(inside, elbow, np.nan), np.where(inside, 0.0, np.nan)], axis=-1)
    pts = np.where(hidden[..., None, None], np.nan, np.stack([ends[0], middle, ends[1]], axis=-2))
    mid_x = np.where((elbow > 0) & (elbow < 1), elbow, np.nan)
    return pts, np.stack([mid_x, np.where(np.isnan(mid_x), np.nan, 0.0)], axis=-1)


def _prediction(W1, b1, W2, b2):
    """The network's output at x = 0, at every elbow inside (0, 1) and at x = 1: its
    vertices (it is straight between them), padded with NaN to width + 2 points."""
    elbow = np.divide(-b1, W1, out=np.full(W1.shape, np.nan), where=W1 != 0)
    xs = np.where((elbow > 0) & (elbow < 1), elbow, np.nan)
    xs = np.sort(np.concatenate([np.zeros(W1.shape[:-1] + (1,)), xs, np.ones(W1.shape[:-1] + (1,))], axis=-1), axis=-1)
    z = W1[..., None, :] * np.nan_to_num(xs)[..., :, None] + b1[..., None, :]
    y = (W2[..., None, :] * np.maximum(z, 0.0)).sum(axis=-1) + b2[..., None]
    return np.stack([xs, np.where(np.isnan(xs), np.nan, y)], axis=-1)


def _mse_text(run, keep):
    """ "train MSE, test MSE" of every seed at the kept snapshots, as the sentence says them
    (and the players' labels: trailing zeros kept)."""
    train, test = run["train_mse"][:, keep], run["test_mse"][:, keep]
    return np.array(
        [
            [f"{relu_figures.mse_text(a)}, test MSE {relu_figures.mse_text(b)}" for a, b in zip(ra, rb, strict=True)]
            for ra, rb in zip(train, test, strict=True)
        ],
        dtype=object,
    )


def relu_explorer(runs, *, every: int = 3, y_limit: float = 2.5) -> Explorer:
    """Width x seed x step, all layers beside output layer only, from the same network.

    ``runs``: for each width, its all-layers run and its output-only runs (any order);
    the output-only runs at the all-layers run's rate and at another rate give the
    "rates" control. Snapshots: every ``every``-th one, the one the page compares the
    regimes at (``early_snapshot``) and the last.
    """
    pairs = RatePairs.of(runs)
    widths, lr_all, other = pairs.widths, pairs.lr_all, pairs.lr_out
    first = pairs.all_layers(widths[0])
    snaps = first["snap_steps"]
    keep = np.unique(np.concatenate([np.arange(0, len(snaps), every), [early_snapshot(snaps), len(snaps) - 1]]))
    seeds = first["seeds"]
    total = int(first["steps"])
    rate_labels = [f"{_g(lr_all)} / {_g(other)}", f"{_g(lr_all)} / {_g(lr_all)}"]
    shown = int(first["shown"])
    ex = Explorer(
        [
            Control("Rates (all layers / output only)", rate_labels, 0),
            Control("Width", [str(w) for w in widths], 0),
            Control("Seed", [str(int(s)) for s in seeds], shown),
            Control("SGD step", [f"{int(snaps[k]):,}" for k in keep], len(keep) - 1),
        ]
    )
    x_axis = Axis("x", 0.0, 1.0, (0.0, 0.25, 0.5, 0.75, 1.0))
    y_axis = Axis("y", -y_limit, y_limit, _ticks(-y_limit, y_limit))
    edge = y_limit + EDGE * 2 * y_limit  # how far beyond the y axis a panel still draws
    panels = [ex.panel("All layers trained", x_axis, y_axis), ex.panel("Output layer only", x_axis, y_axis)]
    for panel in panels:
        ex.line(panel, "truth", np.stack([first["x_grid"], first["truth_grid"]], axis=-1))
        ex.dots(panel, "data", np.stack([first["x_train"], first["y_train"]], axis=-1)[None])
    all_text, out_text = [], []
    for k, w in enumerate(widths):
        when = {1: k}
        trained = pairs.all_layers(w)
        params = [trained[n][:, keep] for n in ("W1", "b1", "W2", "b2")]  # (S, K, H)
        hinges, elbows = _hinges(*params[:3], edge)
        ex.line(panels[0], "unit", hinges, dims=(2, 3), when=when)
        ex.line(panels[0], "fit", _prediction(*params)[:, :, None], dims=(2, 3), when=when)
        ex.dots(panels[0], "elbow", elbows[:, :, None], dims=(2, 3), when=when)
        outs = [pairs.output_only(w, common) for common in (False, True)]  # in the order of rate_labels
        stacked = [np.stack([o[n][:, keep] for o in outs]) for n in ("W1", "b1", "W2", "b2")]  # (2, S, K, H)
        hinges, elbows = _hinges(*stacked[:3], edge)
        ex.line(panels[1], "unit", hinges, dims=(0, 2, 3), when=when)
        ex.line(panels[1], "fit", _prediction(*stacked)[..., None, :, :], dims=(0, 2, 3), when=when)
        ex.dots(panels[1], "elbow", elbows[0, :, 0][:, None], dims=(2,), when=when)  # fixed: the initial elbows
        all_text.append(_mse_text(trained, keep))
        out_text.append(np.stack([_mse_text(o, keep) for o in outs]))
    ex.describe(
        "Width {0}, seed {1}, SGD step {2} of "
        + f"{total:,}"
        + ", both networks from the same initial network. All layers trained (learning rate "
        + _g(lr_all)
        + "): train MSE {3}. Output layer only (learning rate {4}): train MSE {5}.",
        (1,),
        np.array([str(w) for w in widths], dtype=object),
        (2,),
        np.array([str(int(s)) for s in seeds], dtype=object),
        (3,),
        np.array([f"{int(snaps[k]):,}" for k in keep], dtype=object),
        (1, 2, 3),
        np.stack(all_text),
        (0,),
        np.array([_g(other), _g(lr_all)], dtype=object),
        (0, 1, 2, 3),
        np.stack(out_text, axis=1),
    )
    last = len(keep) - 1
    ex.print_states = [(0, 0, shown, 0), (0, 0, shown, last), (1, 0, shown, last)]
    return ex


FIGURES = {"gd_explorer": gd_explorer, "relu_explorer": relu_explorer}
