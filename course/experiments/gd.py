"""Gradient descent on the two smallest models there are (EECS 182, Discussion 1, Section 1).

Both models have one parameter and a squared-error loss over N points (x_i, y_i):

    (a) constant   y_hat = theta       L(theta) = mean((theta   - y)^2)   theta* = mean(y)
    (b) linear     y_hat = theta * x   L(theta) = mean((theta x - y)^2)   theta* = sum(xy) / sum(x^2)

Each loss is a parabola, L(theta) = c (theta - theta*)^2 + const with curvature
c = 1 (constant) or c = mean(x^2) (linear), so the gradient is 2 c (theta - theta*) and
one gradient-descent step is a multiplication of the error:

    theta' - theta* = (1 - 2 alpha c) (theta - theta*)

That one factor explains every regime the worksheet shows:

    0 < 1 - 2 alpha c < 1     slow, monotone            (alpha < 1 / 2c)
        1 - 2 alpha c = 0     exactly one step          (alpha = 1 / 2c)
   -1 < 1 - 2 alpha c < 0     oscillating, converging   (1 / 2c < alpha < 1 / c)
        |1 - 2 alpha c| > 1   divergent                 (alpha > 1 / c)

The full gradient is the mean of per-point gradients, so each point casts a "vote"
(1/N) dL_i/dtheta; the votes sum to the gradient. SGD follows one randomly drawn vote
(times N) per step, which is the GD step on average.

Every function here is pure: results depend only on the parameters, whose seeds feed
``np.random.default_rng`` streams (one for the data, one per SGD run).
"""

import math
from dataclasses import dataclass

import numpy as np

# |theta - theta*| this small (relative to max(1, |theta*|)) is rounding noise, not signal:
# observed contraction rates are measured only on errors above it.
_ROUNDING_FLOOR = 1e-9
# |1 - 2 alpha c| below this is the one-step case, up to rounding.
_ONE_STEP = 1e-9
# steps_to_tol gives up (returns -1) after this many GD steps.
_MAX_TOL_STEPS = 100_000
# a larger bound would let the loss of a held (diverged) iterate overflow to infinity.
_MAX_DIVERGENCE_BOUND = 1e100


# ---------------------------------------------------------------------------- the data


def make_data(n, seed, x_low, x_high, slope, intercept, noise):
    """N noisy points near a line, x sorted so plots read left to right.

    x covers both signs (by default [-1, 3]), so the linear model's votes
    (theta x_i - y_i) x_i differ in size and sign from point to point.
    """
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(x_low, x_high, size=n))
    y = intercept + slope * x + noise * rng.normal(size=n)
    return x, y


def equal_error_pair(x, residuals):
    """[i, j]: two points whose votes should differ only through x.

    Among pairs with |x_i| >= 2 |x_j| (a visible difference), |x_j| >= max|x| / 4 and
    |residual_i| >= max|residual| / 10 (votes big enough to see), take the one whose
    residuals are already closest, so that making them equal moves y_j the least.
    """
    ax, r = np.abs(x), residuals
    allowed = (
        (ax[:, None] >= 2 * ax[None, :]) & (ax[None, :] >= ax.max() / 4) & (np.abs(r)[:, None] >= np.abs(r).max() / 10)
    )
    if not allowed.any():
        raise ValueError("no two points with |x| differing by 2x; widen x_low..x_high")
    cost = np.where(allowed, np.abs(r[:, None] - r[None, :]), np.inf)
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    return np.array([i, j], dtype=np.int64)


def give_equal_constant_error(y, pair):
    """Move y_j onto y_i, so theta - y_i = theta - y_j at every theta: the constant
    model's votes for the pair are then equal, whatever their x."""
    i, j = pair
    y = y.copy()
    y[j] = y[i]
    return y


def give_equal_linear_error(x, y, pair, theta):
    """Move y_j so that the linear residual theta x_j - y_j equals theta x_i - y_i at this
    theta: the pair's votes then differ only by their x, in the ratio x_i / x_j."""
    i, j = pair
    y = y.copy()
    y[j] = theta * x[j] - (theta * x[i] - y[i])
    return y


# -------------------------------------------------------------------------- the models


def constant_loss(theta, x, y):
    """L(theta) = mean((theta - y)^2); x is ignored: this model never looks at it."""
    return np.mean((theta - y) ** 2)


def constant_grad(theta, x, y):
    """dL/dtheta = mean(2 (theta - y_i)), the mean of the per-point gradients."""
    return np.mean(2 * (theta - y))


def constant_theta_star(x, y):
    """Setting mean(2 (theta - y)) = 0 gives the sample mean."""
    return np.mean(y)


def constant_curvature(x):
    """L = (theta - theta*)^2 + const, so c = 1 and GD is stable for alpha < 1."""
    return 1.0


def linear_loss(theta, x, y):
    """L(theta) = mean((theta x - y)^2)."""
    return np.mean((theta * x - y) ** 2)


def linear_grad(theta, x, y):
    """dL/dtheta = mean(2 (theta x_i - y_i) x_i): residual times input, averaged."""
    return np.mean(2 * (theta * x - y) * x)


def linear_theta_star(x, y):
    """Setting mean(2 (theta x - y) x) = 0 gives theta* = sum(x y) / sum(x^2)."""
    return np.sum(x * y) / np.sum(x * x)


def linear_curvature(x):
    """L = mean(x^2) (theta - theta*)^2 + const, so c = mean(x^2): larger inputs make a
    steeper bowl and a smaller safe step, alpha < 1 / mean(x^2)."""
    return np.mean(x * x)


# ------------------------------------------------------------------------ the dynamics


def contraction(alpha, curvature):
    """The factor one GD step multiplies the error by: 1 - 2 alpha c (signed; its sign
    says monotone or oscillating, its size says converging or diverging)."""
    return 1 - 2 * alpha * curvature


def votes(grad, theta, x, y):
    """Each point's share of the full gradient, (1/N) dL_i/dtheta, i.e. the same gradient
    formula on a batch of one, weighted 1/N. They sum to grad(theta, x, y)."""
    n = len(x)
    return np.array([grad(theta, x[i : i + 1], y[i : i + 1]) for i in range(n)]) / n


def step(grad, theta, x, y, alpha):
    """One descent step on the points given: all of them is GD, one of them is SGD."""
    return theta - alpha * grad(theta, x, y)


def descend(grad, x, y, theta0, alpha, batches, theta_star, bound):
    """Take one step per batch (a slice of the data) from theta0.

    Divergence is a result, not a crash: the first time |theta - theta*| exceeds
    ``bound`` (or theta stops being finite) the run stops, that step and every later
    one is recorded as theta* +- bound (on the side it left by), and its index is
    returned. Returns (path of len(batches) + 1 iterates, diverged_at or -1).
    """
    path = np.empty(len(batches) + 1)
    theta = float(theta0)
    if not abs(theta - theta_star) <= bound:
        path[:] = _at_bound(theta, theta, theta_star, bound)
        return path, 0
    path[0] = theta
    with np.errstate(over="ignore", invalid="ignore"):
        for t, batch in enumerate(batches, start=1):
            new = float(step(grad, theta, x[batch], y[batch], alpha))
            if not abs(new - theta_star) <= bound:  # also catches inf and nan
                path[t:] = _at_bound(new, theta, theta_star, bound)
                return path, t
            path[t] = theta = new
    return path, -1


def _at_bound(theta, previous, theta_star, bound):
    """theta* +- bound, on the side theta left by (or previous, if theta is not finite)."""
    side = theta if math.isfinite(theta) else previous
    return theta_star + (-bound if side < theta_star else bound)


def gd_path(grad, x, y, theta0, alpha, steps, theta_star, bound):
    """Full-batch gradient descent: every step sees every point."""
    return descend(grad, x, y, theta0, alpha, [slice(None)] * steps, theta_star, bound)


def sgd_path(grad, x, y, theta0, alpha, samples, theta_star, bound):
    """Stochastic gradient descent: step t sees only point samples[t]."""
    batches = [slice(i, i + 1) for i in samples.tolist()]
    return descend(grad, x, y, theta0, alpha, batches, theta_star, bound)


def sgd_samples(n_points, steps, runs, seed):
    """Uniform sample indices, shape (runs, steps); run r draws from its own stream,
    spawned from ``seed``, so adding runs never changes the earlier ones."""
    children = np.random.SeedSequence(seed).spawn(runs)
    return np.stack([np.random.default_rng(c).integers(0, n_points, size=steps) for c in children]).astype(np.int64)


def observed_rate(path, theta_star, diverged_at):
    """Geometric-mean contraction |e_k / e_0|^(1/k) over the first k steps whose error is
    still above rounding noise and below the divergence bound. Returns (rate, k).

    If already the first step is below the noise (the one-step case) the rate is
    |e_1 / e_0| itself, which is ~0; if e_0 is 0 there is nothing to contract: 0.
    """
    e = np.abs(path - theta_star)
    floor = _ROUNDING_FLOOR * max(1.0, abs(float(theta_star)))
    last = len(path) - 1 if diverged_at < 0 else diverged_at - 1
    if e[0] == 0 or len(path) < 2:
        return 0.0, 0
    k = 0
    while k < last and e[k + 1] > floor:
        k += 1
    if k == 0:
        return float(e[1] / e[0]), 0
    return float((e[k] / e[0]) ** (1.0 / k)), k


def steps_to_tolerance(grad, x, y, theta0, alpha, theta_star, tol, bound):
    """How many GD steps until |theta - theta*| < tol, by running them; -1 if the run
    diverges or needs more than _MAX_TOL_STEPS."""
    theta = float(theta0)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(_MAX_TOL_STEPS + 1):
            error = abs(theta - theta_star)
            if error < tol:
                return t
            if not error <= bound:
                return -1
            theta = float(step(grad, theta, x, y, alpha))
    return -1


def predicted_steps_to_tolerance(error0, rate, tol):
    """The same count from the theory: the error after t steps is rate^t e_0, so the
    first t with rate^t e_0 < tol is floor(log(tol / e_0) / log(rate)) + 1."""
    if error0 < tol:
        return 0
    if rate == 0:
        return 1
    if rate >= 1:
        return -1
    t = math.floor(math.log(tol / error0) / math.log(rate)) + 1
    return t if t <= _MAX_TOL_STEPS else -1


# ---------------------------------------------------------------------- the experiments


def _check(p, step_values, anim_value):
    """Refuse parameters that could not give a finite, meaningful result."""
    problems = []
    if p.n_points < 3:
        problems.append("n_points must be at least 3")
    if not p.x_low < p.x_high:
        problems.append("x_low must be below x_high")
    if p.steps < 1:
        problems.append("steps must be at least 1")
    if p.sgd_runs < 1:
        problems.append("sgd_runs must be at least 1")
    if p.grid_points < 2:
        problems.append("grid_points must be at least 2")
    if not (p.tol > 0 and math.isfinite(p.tol)):
        problems.append("tol must be positive and finite")
    if not 0 < p.divergence_bound <= _MAX_DIVERGENCE_BOUND:
        problems.append(f"divergence_bound must be in (0, {_MAX_DIVERGENCE_BOUND:g}]")
    if not p.explore_fractions or not all(0 < f <= 10 and math.isfinite(f) for f in p.explore_fractions):
        problems.append("explore_fractions must be in (0, 10]")
    elif len(set(p.explore_fractions)) != len(p.explore_fractions) or len(p.explore_fractions) > 64:
        problems.append("explore_fractions must be distinct, at most 64 of them")
    if not all(0 <= q <= 100 for q in p.sgd_percentiles):
        problems.append("sgd_percentiles must lie in [0, 100]")
    if len(step_values) == 0:
        problems.append("at least one step size is needed")
    numbers = (p.x_low, p.x_high, p.slope, p.intercept, p.noise, p.theta0, p.vote_theta, anim_value)
    if not all(math.isfinite(v) for v in (*numbers, *step_values)):
        problems.append("every float parameter must be finite")
    if problems:
        raise ValueError("; ".join(problems))


def explore_step_sizes(p, curvature):
    """The explorer's step sizes: ``explore_fractions`` of the limit 1 / c, in order."""
    return [f / curvature for f in sorted(p.explore_fractions)]


def _explored(p, x, y, loss, grad, theta_star, alphas, samples):
    """GD and SGD at every step size of the explorer's grid: GD's paths and losses, the
    SGD runs' spread.

    The SGD runs draw the animation's samples, so at the animation's step size they are
    its runs. Each path stops at the divergence bound as the regime runs do.
    """
    bound = p.divergence_bound
    gd, gd_div, sgd, stopped = [], [], [], []
    steps = np.arange(p.steps + 1)
    for a in alphas:
        path, diverged = gd_path(grad, x, y, p.theta0, a, p.steps, theta_star, bound)
        gd.append(path)
        gd_div.append(diverged)
        runs = [sgd_path(grad, x, y, p.theta0, a, s, theta_star, bound) for s in samples]
        sgd.append(np.stack([path for path, _ in runs]))
        stopped.append(np.sum([steps >= (d if d >= 0 else len(steps)) for _, d in runs], axis=0))
    gd, sgd = np.stack(gd), np.stack(sgd)  # (A, T+1), (A, R, T+1)
    return {
        "explore_step_sizes": np.array(alphas, dtype=float),
        "explore_fractions": np.array(sorted(p.explore_fractions), dtype=float),
        "explore_gd": gd,
        "explore_gd_losses": np.array([[loss(t, x, y) for t in path] for path in gd]),
        "explore_gd_diverged_at": np.array(gd_div, dtype=np.int64),
        "explore_sgd_percentiles": np.percentile(sgd, p.sgd_percentiles, axis=1).transpose(1, 0, 2).copy(),
        "explore_sgd_stopped": np.stack(stopped).astype(np.int64),
    }


def _descent_results(p, x, y, pair, y_before, model, loss, grad, theta_star, curvature, alphas, anim_alpha):
    """Everything both experiments report, given the data and the model.

    ``y_before`` is the data before the equal-error pair was made (one y moved),
    ``model(theta, x)`` the model's predictions.
    """
    steps, bound = p.steps, p.divergence_bound
    if not all(math.isfinite(contraction(a, curvature)) for a in (*alphas, anim_alpha)):
        raise ValueError("step sizes so large that 1 - 2 alpha c overflows")
    runs = [gd_path(grad, x, y, p.theta0, a, steps, theta_star, bound) for a in alphas]
    gd_paths = np.stack([path for path, _ in runs])
    diverged_at = np.array([d for _, d in runs], dtype=np.int64)
    measured = [observed_rate(path, theta_star, d) for path, d in runs]
    factors = np.array([contraction(a, curvature) for a in alphas])

    error0 = abs(p.theta0 - theta_star)
    steps_to_tol = steps_to_tolerance(grad, x, y, p.theta0, anim_alpha, theta_star, p.tol, bound)
    anim_gd, anim_gd_diverged_at = gd_path(grad, x, y, p.theta0, anim_alpha, steps, theta_star, bound)
    samples = sgd_samples(len(x), steps, p.sgd_runs, p.sgd_seed)
    explored = _explored(p, x, y, loss, grad, theta_star, explore_step_sizes(p, curvature), samples)
    sgd = [sgd_path(grad, x, y, p.theta0, anim_alpha, s, theta_star, bound) for s in samples]
    anim_sgd = np.stack([path for path, _ in sgd])

    anim_rate = abs(contraction(anim_alpha, curvature))
    half_width = 1.25 * min(max(error0, abs(p.vote_theta - theta_star), 1.0), bound)
    grid = np.linspace(theta_star - half_width, theta_star + half_width, p.grid_points)

    errors = y - model(p.vote_theta, x)  # the worksheet's sign: y_i - y_hat_i
    point_votes = votes(grad, p.vote_theta, x, y)
    i, j = (int(k) for k in pair)
    one_step = np.abs(factors) < _ONE_STEP
    gd_errors = np.abs(gd_paths - theta_star)
    first = int(np.argmax(one_step)) if one_step.any() else -1
    log_rates = _log10_or_zero(np.abs(factors))
    observed_log = _log10_or_zero(np.array([r for r, _ in measured]))

    return _all_finite(
        {
            "x": x,
            "y": y,
            "y_before_pair": y_before,
            "step_size_limit": np.array(1.0 / curvature, dtype=float),
            "fastest_step_size": np.array(1.0 / (2.0 * curvature), dtype=float),
            "one_step": one_step,
            "sloped_runs": np.flatnonzero(~one_step).astype(np.int64),
            "log_slopes": log_rates,
            "observed_log_slopes": observed_log,
            "one_step_error_1": np.array(gd_errors[first, 1] if first >= 0 else -1.0),
            "one_step_zero_from": np.array(_zero_from(gd_errors[first]) if first >= 0 else -1, dtype=np.int64),
            "errors": errors,
            "pair_x": x[[i, j]],
            "pair_votes": point_votes[[i, j]],
            "pair_error": np.array(errors[i]),
            "pair_x_ratio": np.array(x[i] / x[j]),
            "pair_vote_ratio": np.array(point_votes[i] / point_votes[j]),
            "pair_y_moved": np.array([y_before[j], y[j]]),
            "n_points": np.array(len(x), dtype=np.int64),
            "theta_star": np.array(theta_star, dtype=float),
            "theta0": np.array(p.theta0, dtype=float),
            "curvature": np.array(curvature, dtype=float),
            "step_sizes": np.array(alphas, dtype=float),
            "factors": factors,
            "rates": np.abs(factors),
            "gd_paths": gd_paths,
            "gd_losses": np.array([[loss(t, x, y) for t in path] for path in gd_paths]),
            "diverged_at": diverged_at,
            "observed_rates": np.array([r for r, _ in measured]),
            "observed_rate_steps": np.array([k for _, k in measured], dtype=np.int64),
            "anim_step_size": np.array(anim_alpha, dtype=float),
            "anim_rate": np.array(anim_rate, dtype=float),
            "anim_gd": anim_gd,
            "anim_gd_diverged_at": np.array(anim_gd_diverged_at, dtype=np.int64),
            "anim_sgd": anim_sgd,
            "anim_sgd_diverged_at": np.array([d for _, d in sgd], dtype=np.int64),
            "anim_sgd_mean": anim_sgd.mean(axis=0),
            "sgd_percentiles": np.array(p.sgd_percentiles, dtype=float),
            "sgd_runs": np.array(p.sgd_runs, dtype=np.int64),
            "anim_sgd_percentiles": np.percentile(anim_sgd, p.sgd_percentiles, axis=0).reshape(
                len(p.sgd_percentiles), steps + 1
            ),
            "sgd_samples": samples,
            "vote_theta": np.array(p.vote_theta, dtype=float),
            "votes": point_votes,
            "vote_grad": np.array(grad(p.vote_theta, x, y), dtype=float),
            "pair": pair,
            "tol": np.array(p.tol, dtype=float),
            "steps_to_tol": np.array(steps_to_tol, dtype=np.int64),
            "reaches_tol": np.array(steps_to_tol >= 0),
            "steps_to_tol_theory": np.array(predicted_steps_to_tolerance(error0, anim_rate, p.tol), dtype=np.int64),
            "loss_grid_theta": grid,
            "loss_grid": np.array([loss(t, x, y) for t in grid]),
            **explored,
        }
    )


def _zero_from(errors):
    """The first step from which the error is exactly 0 to the end; -1 if it never is."""
    nonzero = np.flatnonzero(errors != 0)
    first = 0 if not nonzero.size else int(nonzero[-1]) + 1
    return first if first < len(errors) else -1


def _log10_or_zero(values: np.ndarray) -> np.ndarray:
    """log10 of each positive value, 0 elsewhere, one by one with the C library's log10:
    numpy's own picks a SIMD routine by CPU (AVX-512 gives other last bits), and the
    results must not depend on the machine."""
    return np.array([math.log10(v) if v > 0 else 0.0 for v in values.ravel().tolist()], dtype=np.float64).reshape(
        values.shape
    )


def _all_finite(results):
    """The promise to the pipeline: no NaN or infinity, ever. Divergence is held at the
    bound, so only absurd parameters (say x of 1e200) can break it; refuse those."""
    with np.errstate(over="ignore", invalid="ignore"):
        bad = sorted(k for k, v in results.items() if not np.isfinite(v).all())
    if bad:
        raise ValueError(f"parameters too extreme for finite results ({', '.join(bad)})")
    return results


MAX_STEPS = 200  # a frame per step: ~5 KB of page each


@dataclass(frozen=True)
class Descent:
    """What both parts share: the data set, the start, the runs and the measurements."""

    n_points: int = 20
    data_seed: int = 0
    x_low: float = -1.0
    x_high: float = 3.0
    slope: float = 1.5
    intercept: float = 0.5
    noise: float = 0.5
    theta0: float = -1.0
    steps: int = 50
    sgd_runs: int = 20
    sgd_seed: int = 1
    sgd_percentiles: tuple[float, ...] = (10.0, 50.0, 90.0)
    vote_theta: float = 1.0
    tol: float = 1e-6
    divergence_bound: float = 1e6
    grid_points: int = 201
    # the explorer's step sizes, as fractions of the limit 1 / c: 0.05 to 1.2, holding
    # both regime boundaries exactly (1/2: the factor 1 - 2 alpha c is 0; 1: it is -1)
    explore_fractions: tuple[float, ...] = tuple(k / 20 for k in range(1, 25))

    def limits(self) -> list[str]:
        """Values that would run but give a useless page (coursegen asks before running):
        the animation draws a frame per step, so at most MAX_STEPS steps."""
        if self.steps > MAX_STEPS:
            return [
                f"steps = {self.steps:,} is above the limit of {MAX_STEPS:,} (an animation frame per step: "
                f"the animation would weigh too much for the page; see Limits in the manual)"
            ]
        return []


@dataclass(frozen=True)
class ConstantModel(Descent):
    """Parameters of part (a), y_hat = theta."""

    # slow monotone (|1-2a| = 0.8), one step, oscillating (-0.6), divergent (-1.4)
    step_sizes: tuple[float, ...] = (0.1, 0.5, 0.8, 1.2)
    anim_step_size: float = 0.1


def constant_model(p: ConstantModel) -> dict[str, np.ndarray]:
    """Part (a): GD and SGD on y_hat = theta, whose minimiser is mean(y).

    With c = 1 every regime sits at a fixed alpha: 1/2 lands on mean(y) in one step,
    1 is the edge of stability. The votes (1/N) 2 (theta - y_i) ignore x entirely, so
    the equal-error pair votes identically even though its |x| differ.

    Results (N = n_points, S = len(step_sizes), T = steps, R = sgd_runs, P = len(sgd_percentiles)):
        x, y (N,)                 the data, after the equal-error pair was made
        n_points ()               N
        theta_star ()             the closed-form minimiser
        theta0 ()                 the common start
        curvature ()              c in L = c (theta - theta*)^2 + const
        step_sizes (S,)           alpha of each regime run
        factors (S,)              1 - 2 alpha c, the signed per-step error multiplier
        rates (S,)                |factors|, the theoretical contraction
        gd_paths (S, T+1)         GD iterates; a diverged run holds theta* +- divergence_bound
        gd_losses (S, T+1)        L at those iterates
        diverged_at (S,) int      step at which |theta - theta*| passed the bound, -1 never
        observed_rates (S,)       geometric-mean |e_k / e_0|^(1/k) over the measurable steps
        observed_rate_steps (S,)  k, the number of steps that measurement used
        anim_step_size ()         alpha of the GD-vs-SGD animation
        anim_rate ()              |1 - 2 anim_step_size c|
        anim_gd (T+1,)            GD path at anim_step_size
        anim_gd_diverged_at () int
        anim_sgd (R, T+1)         SGD paths, one sample per step, one RNG stream per run
        anim_sgd_diverged_at (R,) int
        anim_sgd_mean (T+1,)      mean over runs per step
        sgd_percentiles (P,)      the percentile levels
        sgd_runs () int           R
        anim_sgd_percentiles (P, T+1)  those percentiles over runs, per step
        sgd_samples (R, T) int    the sampled point index of every SGD step
        vote_theta ()             where the votes are taken
        votes (N,)                each point's share (1/N) dL_i/dtheta of the gradient there
        vote_grad ()              the full gradient there (= votes.sum())
        pair (2,) int             [i, j]: equal residual at vote_theta, |x_i| >= 2 |x_j|
        tol ()                    tolerance for steps_to_tol
        steps_to_tol () int       GD steps at anim_step_size until |theta - theta*| < tol (-1: never)
        reaches_tol () bool       whether it ever does (a page says "never" rather than "-1 steps")
        steps_to_tol_theory () int  the same from floor(log(tol / e0) / log(rate)) + 1
        loss_grid_theta (G,)      a theta grid around theta*, theta0 and vote_theta
        loss_grid (G,)            L on that grid
        y_before_pair (N,)        the data before y_j was moved to make the pair
        pair_y_moved (2,)         y_j before and after that move
        errors (N,)               each point's error y_i - y_hat_i at vote_theta (the
                                  worksheet's sign; the votes are -(2/N) times it)
        pair_x, pair_votes (2,)   the pair's x and votes; pair_error () their common error
        pair_x_ratio, pair_vote_ratio ()  x_i / x_j and vote_i / vote_j
        step_size_limit ()        1 / c, the largest step size that converges
        fastest_step_size ()      1 / (2 c), where |1 - 2 alpha c| is smallest (0)
        one_step (S,) bool        the runs with 1 - 2 alpha c = 0 (up to rounding)
        sloped_runs (K,) int      the others, whose log-axis line has a slope
        log_slopes (S,)           log10 |1 - 2 alpha c|, the slope per step of each run's
                                  line on the step-size figure's log axis (0 where the
                                  rate is 0: that run drops off the axis)
        observed_log_slopes (S,)  log10 of observed_rates (0 where that is 0)
        one_step_error_1 ()       the first one-step run's error after one step (-1: none)
        one_step_zero_from () int the step from which that run's error is exactly 0
        explore_fractions (A,)    the explorer's grid as fractions of 1 / c, sorted, and
        explore_step_sizes (A,)   its step sizes, fraction / c
        explore_gd (A, T+1)       GD's path at each, explore_gd_losses its losses and
        explore_gd_diverged_at (A,) int  where it passed the bound (-1 never)
        explore_sgd_percentiles (A, P, T+1)  the SGD runs' percentiles at each (the
                                  animation's samples)
        explore_sgd_stopped (A, T+1) int  how many of those runs have passed the bound
                                  by each step (their percentiles then hold held values)
    """
    _check(p, p.step_sizes, p.anim_step_size)
    x, y = make_data(p.n_points, p.data_seed, p.x_low, p.x_high, p.slope, p.intercept, p.noise)
    pair = equal_error_pair(x, p.vote_theta - y)
    y, y_before = give_equal_constant_error(y, pair), y
    theta_star = constant_theta_star(x, y)
    return _descent_results(
        p,
        x,
        y,
        pair,
        y_before,
        lambda theta, x: np.full_like(x, theta),
        constant_loss,
        constant_grad,
        theta_star,
        constant_curvature(x),
        [float(a) for a in p.step_sizes],
        float(p.anim_step_size),
    )


@dataclass(frozen=True)
class LinearModel(Descent):
    """Parameters of part (b), y_hat = theta x; step sizes are fractions of 1 / mean(x^2)."""

    # alpha = fraction / mean(x^2): |1 - 2 fraction| = 0.8 monotone, 0 one step, 0.6 oscillating, 1.4 divergent
    step_fractions: tuple[float, ...] = (0.1, 0.5, 0.8, 1.2)
    anim_step_fraction: float = 0.1


def linear_model(p: LinearModel) -> dict[str, np.ndarray]:
    """Part (b): GD and SGD on y_hat = theta x, whose minimiser is sum(xy) / sum(x^2).

    Now the curvature is mean(x^2), so the safe step depends on the data:
    alpha < 1 / mean(x^2). Step sizes are given as fractions of that limit, making the
    regimes the same as in part (a). The votes (1/N) 2 (theta x_i - y_i) x_i scale with
    x_i, so the equal-error pair votes in the ratio x_i / x_j.

    Results: every key of constant_model (step_sizes = step_fractions * alpha_limit,
    anim_step_size = anim_step_fraction * alpha_limit, curvature = mean_x2), plus
        step_fractions (S,)       as given, and anim_step_fraction ()
        alpha_limit ()            1 / mean(x^2), the stability limit
        mean_x2 ()                mean(x^2)
    """
    _check(p, p.step_fractions, p.anim_step_fraction)
    x, y = make_data(p.n_points, p.data_seed, p.x_low, p.x_high, p.slope, p.intercept, p.noise)
    pair = equal_error_pair(x, p.vote_theta * x - y)
    y, y_before = give_equal_linear_error(x, y, pair, p.vote_theta), y
    theta_star = linear_theta_star(x, y)
    mean_x2 = linear_curvature(x)
    alpha_limit = 1.0 / mean_x2
    results = _descent_results(
        p,
        x,
        y,
        pair,
        y_before,
        lambda theta, x: theta * x,
        linear_loss,
        linear_grad,
        theta_star,
        mean_x2,
        [f * alpha_limit for f in p.step_fractions],
        p.anim_step_fraction * alpha_limit,
    )
    results["step_fractions"] = np.array(p.step_fractions, dtype=float)
    results["anim_step_fraction"] = np.array(p.anim_step_fraction, dtype=float)
    results["alpha_limit"] = np.array(alpha_limit, dtype=float)
    results["mean_x2"] = np.array(mean_x2, dtype=float)
    return results


EXPERIMENTS = {"gd_constant": constant_model, "gd_linear": linear_model}
