"""Figures of Section 1: gradient descent on the constant and linear models.

One function per picture the worksheet needs, each drawn for either model from the
results of ``experiments.gd`` (the linear model's results carry ``alpha_limit``). Every
line has a colour *and* a line style or marker, so the figures read in greyscale too.
"""

from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from coursegen.figures import style

# One look per step-size run, in order: colour, marker.
RUN_LOOKS = ((style.BLUE, "o"), (style.GREEN, "s"), (style.VERMILLION, "^"), (style.PURPLE, "D"), (style.SKY, "v"))
MARK_EVERY = 5  # markers on every 5th step keep 50-step curves legible
ONE_STEP = 1e-9  # |1 - 2 alpha c| below this is the one-step case, up to rounding


def _is_linear(res: dict) -> bool:
    return "alpha_limit" in res


def _model_line(res: dict, theta: float, xs: np.ndarray) -> np.ndarray:
    return theta * xs if _is_linear(res) else np.full_like(xs, theta)


def _loss(res: dict, theta: float) -> float:
    """The model's mean squared error on the data at theta."""
    return float(np.mean((_model_line(res, theta, res["x"]) - res["y"]) ** 2))


def _model_title(res: dict) -> str:
    return r"(b) $\hat y = \theta x$" if _is_linear(res) else r"(a) $\hat y = \theta$"


def _floored(values: np.ndarray, floor: float) -> np.ndarray:
    """Errors for a log axis: an exact 0 (the one-step case) cannot be drawn, so anything
    below ``floor`` is drawn on it; the captions say so."""
    return np.maximum(values, floor)


# --------------------------------------------------------------------------- animation


def gd_animation(res: dict, out: Path, *, sgd_run: int = 0, frame_ms: int = 160) -> None:
    """GD and one SGD run side by side: the model moving over the data (left) and the
    iterates walking on the loss curve (right). Writes ``.gif`` and its last frame ``.png``."""
    x, y = res["x"], res["y"]
    gd, sgd = res["anim_gd"], res["anim_sgd"][sgd_run]
    samples = res["sgd_samples"][sgd_run]
    grid_t, grid_l = res["loss_grid_theta"], res["loss_grid"]
    loss_at = lambda t: np.interp(t, grid_t, grid_l)  # noqa: E731 -- the grid is fine enough to plot on

    fig = style.new_figure(6.4, 4.0)
    data_ax, loss_ax = fig.subplots(1, 2)
    xs = np.linspace(min(x.min(), 0.0) - 0.2, x.max() + 0.2, 2)
    if _is_linear(res):  # the model's line always passes through the origin: show where it is
        data_ax.axhline(0, color=style.INK, lw=0.6)
        data_ax.axvline(0, color=style.INK, lw=0.6)
    data_ax.scatter(x, y, s=18, color=style.GREY, zorder=2, label="data")
    picked = data_ax.scatter(
        np.empty(0),
        np.empty(0),
        s=70,
        facecolors="none",
        edgecolors=style.ORANGE,
        linewidths=1.5,
        zorder=3,
        label="SGD sample",
    )
    (gd_line,) = data_ax.plot(xs, _model_line(res, gd[0], xs), color=style.BLUE, lw=2, label="GD model")
    (sgd_line,) = data_ax.plot(xs, _model_line(res, sgd[0], xs), color=style.ORANGE, lw=2, ls="--", label="SGD model")
    gd_lines = np.array([_model_line(res, t, xs) for t in gd])  # keep GD's line in view on every frame
    data_ax.set(xlabel="$x$", ylabel="$y$")
    data_ax.set_ylim(min(y.min(), 0, gd_lines.min()) - 0.5, max(y.max(), gd_lines.max()) + 0.5)

    loss_ax.plot(grid_t, grid_l, color=style.GREY, lw=1.5)
    loss_ax.axvline(float(res["theta_star"]), color=style.GREY, ls=":", lw=1, label=r"$\theta^*$")
    (gd_trail,) = loss_ax.plot([], [], color=style.BLUE, marker="o", ms=3, lw=0.8, label="GD")
    (sgd_trail,) = loss_ax.plot([], [], color=style.ORANGE, marker="^", ms=3, lw=0.8, ls="--", label="SGD")
    loss_ax.set(xlabel=r"$\theta$", ylabel=r"$\mathcal{L}(\theta)$", xlim=(grid_t[0], grid_t[-1]))
    counter = style.TextBoard(loss_ax, [[f"step {t}"] for t in range(len(gd))])  # above the loss curve
    data_ax.set_title(_model_title(res), pad=counter.title_pad)  # both titles at one height
    loss_ax.set_title(f"loss, step size {_anim_step_label(res)}", pad=counter.title_pad)
    handles = [h for ax in (data_ax, loss_ax) for h in ax.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="outside lower center", ncols=4, handlelength=1.6, columnspacing=1.0)

    grabber = style.FrameGrabber(fig, [gd_line, sgd_line, picked, gd_trail, sgd_trail])
    frames = []
    for t in range(len(gd)):
        gd_line.set_ydata(gd_lines[t])
        sgd_line.set_ydata(_model_line(res, sgd[t], xs))
        i = sampled_point(samples, t)
        picked.set_offsets(np.empty((0, 2)) if i is None else [[x[i], y[i]]])
        gd_trail.set_data(gd[: t + 1], loss_at(gd[: t + 1]))
        sgd_trail.set_data(sgd[: t + 1], loss_at(sgd[: t + 1]))
        frame = grabber.grab()
        counter.draw(frame, [f"step {t}"])
        frames.append(frame)
    labels = [_frame_label(res, t, gd, sgd, samples) for t in range(len(gd))]
    style.save_animation(fig, frames, out, frame_ms, labels, slider="GD step")


def sampled_point(samples: np.ndarray, t: int) -> int | None:
    """The point SGD sampled for the step that reached iterate t (samples[t - 1]); none
    for the start, t = 0."""
    return None if t == 0 else int(samples[t - 1])


def _frame_label(res: dict, t: int, gd: np.ndarray, sgd: np.ndarray, samples: np.ndarray) -> str:
    """The player's text for frame t: the step, both losses, and the point circled.

    Losses, not the iterates: GD's last iterate is the minimiser, which (a) and (b) ask
    for, and the player is question material."""
    head = f"step {t} of {len(gd) - 1}: GD loss {_loss(res, gd[t]):.4g}, SGD loss {_loss(res, sgd[t]):.4g}"
    i = sampled_point(samples, t)
    if i is None:
        return f"{head}; the start, no point sampled yet"
    return f"{head}; SGD's step {t} used the circled point x = {res['x'][i]:.4f}, y = {res['y'][i]:.4f}"


# ----------------------------------------------------------------- step-size regimes


def _regime(factor: float) -> str:
    """The worksheet's name for what multiplying the error by ``factor`` each step does."""
    if abs(factor) < ONE_STEP:
        return "one step"
    if abs(factor) > 1:
        return "diverges"
    if abs(factor) == 1:
        return "never settles"
    return "monotone" if factor > 0 else "oscillates"


def _anim_step_label(res: dict) -> str:
    """The animation's step size as a value (``alpha_text``): in (b) a fraction of
    1/mean(x^2) would hand the reader the curvature the question asks for."""
    return rf"$\alpha = {_alpha(res, float(res['anim_step_size']))}$"


def _step_label(res: dict, s: int, answers: bool = True) -> str:
    """alpha: in (b)'s solution rendering a fraction of 1/mean(x^2) (the curvature is
    the answer there), a value (``alpha_text``) otherwise."""
    if _is_linear(res) and answers:
        return rf"$\alpha = {res['step_fractions'][s]:g}\,/\,\overline{{x^2}}$"
    return rf"$\alpha = {_alpha(res, float(res['step_sizes'][s]))}$"


def alpha_text(linear: bool, alpha: float) -> str:
    """A step size as question material states it: (a)'s as set; (b)'s, fractions of the
    limit 1/mean(x^2), to two digits, so that neither the limit nor 1/(2 mean(x^2)),
    which (b) asks for, is printed to the four digits the solutions give."""
    return format(alpha, ".2g" if linear else "g")


def _alpha(res: dict, alpha: float) -> str:
    return alpha_text(_is_linear(res), alpha)


def gd_regimes(res: dict, out: Path, *, floor: float = 1e-12, answers: bool = True) -> None:
    """|theta_t - theta*| of every step-size run on a log axis, against the theory
    e_0 |1 - 2 alpha c|^t (dashed): straight lines of slope log10 |1 - 2 alpha c| per
    step. Diverged runs stop where they pass the bound (marked X, the step in the key); errors below
    ``floor`` (an exact 0 after the one-step run) sit on it. ``answers=False`` is the
    student rendering: the runs only, without the theory lines, rates and regime names,
    which follow from the GD update the worksheet asks for. Writes ``.svg``."""
    errors = np.abs(res["gd_paths"] - res["theta_star"])
    e0 = abs(float(res["theta0"] - res["theta_star"]))
    t = np.arange(errors.shape[1])
    diverged = [int(d) for d in res["diverged_at"]]
    bound = max((errors[s, d] for s, d in enumerate(diverged) if d >= 0), default=None)
    top = 100 * (bound if bound is not None else errors.max())

    fig = style.new_figure(6.4, 6.4)
    ax = fig.subplots()
    style.log_y(ax)
    for s, d in enumerate(diverged):
        color, marker = RUN_LOOKS[s % len(RUN_LOOKS)]
        shown = slice(None) if d < 0 else slice(0, d + 1)
        rate = float(res["rates"][s])
        shown_rate = rate if rate >= ONE_STEP else 0.0  # not 2e-16: that is rounding
        label = (
            f"{_step_label(res, s)}: error ×{shown_rate:.2g} a step, {_regime(float(res['factors'][s]))}"
            if answers
            else _step_label(res, s, answers=False)
        )
        if d >= 0:  # said in the key, not beside the X: there it covered the runs' lines
            label += f"{',' if answers else ':'} X at step {d}"
        ax.plot(
            t[shown],
            _floored(errors[s, shown], floor),
            color=color,
            marker=marker,
            ms=6,
            markevery=MARK_EVERY,
            lw=3,
            label=label,
        )
        with np.errstate(over="ignore"):
            theory = e0 * rate ** t.astype(float)
        if answers:
            ax.plot(t, np.clip(theory, floor, top), color=style.INK, ls="--", lw=1, zorder=3)
        if d >= 0:
            ax.plot([d], [bound], marker="X", ms=12, color=color, mec=style.INK, zorder=4)
    handles, labels = ax.get_legend_handles_labels()
    c = r"\overline{x^2}" if _is_linear(res) else ""
    if answers:
        _add_key(handles, labels, "--", rf"theory $|1 - 2\alpha{c}|^t\,|\theta_0 - \theta^*|$")
    if bound is not None:
        ax.axhline(bound, color=style.INK, ls="-.", lw=0.8)
        _add_key(handles, labels, "-.", f"divergence bound {_power(bound)} (X: where a run passes it)")
    ax.axhline(floor, color=style.GREY, ls=":", lw=1.2)
    _add_key(handles, labels, ":", f"floor {_power(floor)}: smaller errors\n(and 0) are drawn on it", style.GREY)
    ax.set(
        xlabel="GD step $t$",
        ylabel=r"$|\theta_t - \theta^*|$",
        xlim=(0, t[-1]),
        ylim=(floor / 30, top),
        title=f"{_model_title(res)}: GD error per step size",
    )
    fig.legend(handles, labels, loc="outside lower center", ncols=1)
    style.save_svg(fig, out.with_suffix(".svg"))


def _add_key(handles: list, labels: list, ls: str, label: str, color: str = style.INK) -> None:
    """A legend entry for a reference line that has no plotted twin of its own."""
    handles.append(Line2D([], [], color=color, ls=ls, lw=1.2))
    labels.append(label)


def _power(value: float) -> str:
    r"""1e-12 as $10^{-12}$ (and 2.5e6 as $2.5 \times 10^{6}$) for labels."""
    mantissa, exponent = f"{value:.2e}".split("e")
    power, m = f"10^{{{int(exponent)}}}", float(mantissa)
    return f"${power}$" if m == 1 else rf"${m:g} \times {power}$"


# -------------------------------------------------------------------------- votes


def error_label(res: dict) -> str:
    """The error as the worksheet's solution writes it (TeX): y_i - theta in (a),
    y_i - theta x_i in (b). The figure plots the experiment's ``errors``, which use it."""
    return r"y_i - \theta x_i" if _is_linear(res) else r"y_i - \theta"


def vote_label(res: dict) -> str:
    """The vote (1/N) dL_i/dtheta (TeX), minus 2/N times the error."""
    return r"\frac{2}{N}(\theta x_i - y_i)\,x_i" if _is_linear(res) else r"\frac{2}{N}(\theta - y_i)"


def _pair_note(res: dict) -> str:
    """What the highlighted pair shows, in the figure's own numbers."""
    i, j = (int(k) for k in res["pair"])
    x = _distinct_labels(res["x"])  # as the ticks under the pair say them
    v = [_minus(f"{res['votes'][k]:.3f}") for k in (i, j)]
    same = f"same error {res['errors'][i]:.3f}, $x$ = {x[i]} and {x[j]}"
    if _is_linear(res):
        return f"{same}\nvotes {v[0]} and {v[1]}: ratio {res['votes'][i] / res['votes'][j]:.2f} $= x_i / x_j$"
    return f"{same}\nvotes {v[0]} and {v[1]}: equal, whatever $x$"


def _distinct_labels(values: np.ndarray) -> list[str]:
    """The values with the fewest decimals, two at least, that tell every one apart (two
    points 0.009 apart are not both "1.17"; two equal ones, two decimals)."""
    distinct = (d for d in range(2, 7) if len({f"{v:.{d}f}" for v in values}) == len(values))
    decimals = next(distinct, 2)  # two equal values: no number of decimals tells them apart
    return [_minus(f"{v:.{decimals}f}") for v in values]


def _minus(number: str) -> str:
    """A number as matplotlib's own ticks write it: with the minus sign, not a hyphen."""
    return number.replace("-", "\N{MINUS SIGN}")


def _bars(ax, values: np.ndarray, pair: np.ndarray, color: str) -> None:
    """One bar per point; the equal-error pair hatched and outlined, not only coloured."""
    n = len(values)
    ax.bar(np.arange(n), values, color=color, width=0.7)
    ax.bar(pair, values[pair], width=0.7, color=style.ORANGE, hatch="///", edgecolor=style.INK, linewidth=1.2)
    ax.axhline(0, color=style.INK, lw=0.8)


def gd_votes(res: dict, out: Path) -> None:
    """Each point's vote (1/N) dL_i/dtheta at vote_theta (bottom) under its error (top),
    the error with the worksheet's sign (y_i - y_hat_i), so each vote is -2/N times it:
    in (a) the votes mirror the errors, in (b) each error is also scaled by x_i, so the
    highlighted equal-error pair votes in the ratio of its x. Writes ``.svg``."""
    x, votes, pair = res["x"], res["votes"], res["pair"]
    n = len(x)
    err, vote = error_label(res), vote_label(res)

    fig = style.new_figure(6.4, 6.0)
    err_ax, vote_ax = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.4])
    _bars(err_ax, res["errors"], pair, style.GREY)
    err_ax.set(
        ylabel=f"error ${err}$",
        title=rf"{_model_title(res)}: errors and votes at $\theta = {float(res['vote_theta']):g}$",
    )
    _bars(vote_ax, votes, pair, style.BLUE)
    vote_ax.set(
        ylabel=f"vote ${vote}$",
        xlabel=r"the $N$ points, ordered by $x$ (tick labels: $x_i$)",
        title=rf"votes sum to the full gradient $\partial\mathcal{{L}}/\partial\theta = {float(res['vote_grad']):.3f}$",
        xticks=np.arange(n),
    )
    vote_ax.set_xticklabels(_distinct_labels(x), rotation=90)
    pair_patch = Patch(
        facecolor=style.ORANGE, hatch="///", edgecolor=style.INK, label=f"the equal-error pair: {_pair_note(res)}"
    )
    fig.legend(handles=[pair_patch], loc="outside lower center")
    style.save_svg(fig, out.with_suffix(".svg"))


# ---------------------------------------------------------------------- SGD vs GD


def gd_sgd(res: dict, out: Path, *, paths: int = 3, floor: float = 1e-12) -> None:
    """The SGD runs' spread (a percentile band and a few runs) around the GD path, as
    theta_t (left) and as the error on a log axis (right), where GD keeps shrinking
    while constant-step SGD stalls at the size of its noise. Writes ``.svg``."""
    gd, sgd, theta_star = res["anim_gd"], res["anim_sgd"], float(res["theta_star"])
    levels = res["sgd_percentiles"]
    t = np.arange(len(gd))
    band = f"SGD {levels[0]:g}th–{levels[-1]:g}th percentile ({len(sgd)} runs)"
    error_levels = np.percentile(np.abs(sgd - theta_star), levels, axis=0)

    fig = style.new_figure(6.4, 4.2)
    path_ax, err_ax = fig.subplots(1, 2)
    _spread(path_ax, t, gd, sgd[:paths], res["anim_sgd_percentiles"], band)
    path_ax.axhline(theta_star, color=style.INK, ls=":", lw=1, label=r"$\theta^*$")
    path_ax.set(
        xlabel="step $t$",
        ylabel=r"$\theta_t$",
        xlim=(0, t[-1]),
        title=f"{_model_title(res)}, {_anim_step_label(res)}",
    )
    style.log_y(err_ax)
    _spread(
        err_ax,
        t,
        _floored(np.abs(gd - theta_star), floor),
        _floored(np.abs(sgd[:paths] - theta_star), floor),
        _floored(error_levels, floor),
        band,
    )
    err_ax.set(
        xlabel="step $t$",
        ylabel=r"$|\theta_t - \theta^*|$",
        xlim=(0, t[-1]),
        title=r"distance to $\theta^*$ (log scale)",
    )
    handles, labels = path_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    style.save_svg(fig, out.with_suffix(".svg"))


def _spread(ax, t, gd, runs, levels, band: str) -> None:
    """Band between the outer percentiles, dotted edges, a few thin runs, GD on top."""
    ax.fill_between(t, levels[0], levels[-1], color=style.ORANGE, alpha=0.25, lw=0, label=band)
    for edge in (levels[0], levels[-1]):
        ax.plot(t, edge, color=style.ORANGE, ls=":", lw=1)
    for k, run in enumerate(runs):
        ax.plot(t, run, color=style.VERMILLION, ls="--", lw=0.8, alpha=0.8, label="a few SGD runs" if k == 0 else None)
    ax.plot(t, gd, color=style.BLUE, lw=2, marker="o", ms=4, markevery=MARK_EVERY, label="GD")


FIGURES = {
    "gd_animation": gd_animation,
    "gd_regimes": gd_regimes,
    "gd_votes": gd_votes,
    "gd_sgd": gd_sgd,
}
