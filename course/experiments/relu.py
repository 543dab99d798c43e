"""ReLU networks fitting a 1-D function: the course notebook, precomputed bit for bit.

The worksheet's notebook trains ``y_hat = W2 . ReLU(W1 x + b1) + b2`` (one input, one
hidden layer of ``width`` units, one output) with minibatch SGD and lets students watch
the hidden units' elbows move. Here every seed of every width and training regime is
trained, so the site can show all of it with no wait.

Two promises shape the code:

* **Bit-for-bit.** A network's trajectory depends only on its own seed and settings:
  not on the CPU's SIMD kernels, the BLAS library, the thread count, or which other
  networks are trained with it. Training is one compiled kernel (``relu_kernel``: numba,
  no fastmath, no parallel loops) that trains one network at a time with scalar loops,
  so no arithmetic mixes networks, and computes each snapshot's training and test error
  with the same forward pass it trains with. The numpy code around it (data,
  initialisation, the hinges drawn in the animations) uses only exact elementwise
  operations. Only the summaries across seeds (percentiles, medians, the seed the
  figures show) mix networks.
* **Fast.** The kernel runs in about a microsecond per network and step at the site's
  widths: its inner loops are elementwise and vectorise.

Each experiment says what it trained (``output_only``, ``regime``) and which seed the
figures show (``shown``: the median seed by final training error, a rule computed from
the sweep), so no figure has to guess either.

Randomness, per seed ``s`` (documented because the site promises reproducibility):

* initial network: ``np.random.default_rng([1, s, width])`` -- the same initial network
  for both regimes and all optimisers of a width;
* minibatches: ``np.random.default_rng([2, s]).integers(0, n_train, (BATCH_BLOCK, batch),
  dtype=np.int16)``, one block of steps after another -- the same minibatch stream for
  every width, regime and optimiser, and a short run is an exact prefix of a long one;
* the data set: ``numpy.random.RandomState(data_seed)``, as in the notebook.
"""

import functools
import math
import operator
from dataclasses import dataclass

import numpy as np

from course.experiments.relu_kernel import (  # noqa: F401 -- the kernel's names, re-exported
    ADAM,
    HYPER_DEFAULTS,
    MOMENTUM,
    OPTIMIZERS,
    SGD,
    forward,
    loss_and_grad,
    mean_squared_error,
    train_network,
)

# -----------------------------------------------------------------------------
# The task: a target function and a noisy training set

KINK_FREQ = 12345  # the notebook's k: knot heights are sin(k n)
N_TEST_GRID = 1000  # evenly spaced noiseless test points added to the training x
N_PLOT_GRID = 400  # grid for the animation frames
STREAM_INIT, STREAM_BATCH = 1, 2  # first word of each seed's SeedSequence entropy
BATCH_BLOCK = 500  # minibatch indices are drawn per seed in blocks of this many steps


def piecewise_target(x):
    """Straight lines joining pseudo-random heights sin(k n) at the knots x = n / 10.

    The notebook writes, with t = 10 x, f = (t - floor t) sin(k ceil t) - (t - ceil t)
    sin(k floor t). At a knot floor t == ceil t and that formula returns 0 rather than
    the knot's height; we write floor t + 1 for ceil t, which gives the same bits at every
    other x and makes f continuous (``notebook_piecewise_target`` is the notebook's
    formula; the experiment records where the two differ, and the page says so). The
    eleven heights are computed once and looked up, so every point sees the very same
    sin values.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size and (x.min() < 0.0 or x.max() > 1.0):
        raise ValueError("piecewise_target is defined on [0, 1]")
    heights = np.sin(KINK_FREQ * np.arange(12, dtype=np.float64))
    t = 10.0 * x
    lo = np.floor(t)
    hi = lo + 1.0
    return (t - lo) * heights[hi.astype(np.intp)] - (t - hi) * heights[lo.astype(np.intp)]


def notebook_piecewise_target(x):
    """The notebook's formula as it is written, with ceil t: 0 at every knot but x = 0."""
    t = 10.0 * np.asarray(x, dtype=np.float64)
    lo, hi = np.floor(t), np.ceil(t)
    return (t - lo) * np.sin(KINK_FREQ * hi) - (t - hi) * np.sin(KINK_FREQ * lo)


def sin20_target(x):
    """The notebook's smooth alternative, sin(20 x)."""
    return np.sin(20.0 * np.asarray(x, dtype=np.float64))


TARGETS = {"piecewise": piecewise_target, "sin20": sin20_target}


def make_data(target, n_train, noise_std, data_seed):
    """The notebook's data: sorted uniform x, y = f(x) + N(0, noise_std^2), and a test set.

    The test set is noiseless: the training x together with ``N_TEST_GRID`` evenly
    spaced points on [0, 1], sorted (sorted points are what ``predict_sorted`` takes).
    """
    f = TARGETS[target]
    rs = np.random.RandomState(data_seed)
    x_train = np.sort(rs.rand(n_train))
    y_train = f(x_train) + noise_std * rs.randn(n_train)
    x_test = np.sort(np.concatenate([x_train, np.linspace(0.0, 1.0, N_TEST_GRID)]))
    return x_train, y_train, x_test, f(x_test)


# -----------------------------------------------------------------------------
# The model, written plainly. Parameters of a network live in one flat vector
# theta = [W1 (width), b1 (width), W2 (width), b2], so many networks are one array.


def unpack(theta):
    """Views W1, b1, W2, b2 of parameter vectors theta[..., 3 * width + 1]."""
    h = (theta.shape[-1] - 1) // 3
    return theta[..., :h], theta[..., h : 2 * h], theta[..., 2 * h : 3 * h], theta[..., 3 * h]


def relu(z):
    """The rectifier, max(z, 0)."""
    return np.maximum(z, 0.0)


def unit_outputs(theta, x):
    """Each hidden unit's hinge W2_j relu(W1_j x + b1_j), shape (..., width, len(x)).

    Unit j bends at its elbow x = -b1_j / W1_j; past it its slope is W2_j W1_j.
    """
    W1, b1, W2, _ = unpack(theta)
    z = W1[..., :, None] * x + b1[..., :, None]
    return W2[..., :, None] * relu(z)


def elbows_and_slopes(theta):
    """Elbow -b1/W1 and slope past it W2*W1 of every unit.

    A unit with W1 == 0 is flat and has no elbow; it is reported at 0.0 so that no inf
    or NaN reaches the results (with continuous initialisation this does not happen).
    """
    W1, b1, W2, _ = unpack(theta)
    elbows = np.divide(-b1, W1, out=np.zeros(W1.shape), where=W1 != 0)
    return elbows, W2 * W1


# -----------------------------------------------------------------------------
# Initialisation and the minibatch stream


def init_network(seed, width):
    """PyTorch nn.Linear default init, then elbows reset to sorted uniform draws on [0, 1].

    nn.Linear draws weights and biases uniformly in +-1/sqrt(fan_in): fan_in is 1 for the
    hidden layer and ``width`` for the output layer. The hidden biases are then replaced by
    b1 = -W1 * elbow so the elbows start spread over the data instead of clumped.
    """
    rng = np.random.default_rng([STREAM_INIT, seed, width])
    W1 = rng.uniform(-1.0, 1.0, width)
    bound = 1.0 / math.sqrt(width)
    W2 = rng.uniform(-bound, bound, width)
    b2 = rng.uniform(-bound, bound)
    elbows = np.sort(rng.uniform(0.0, 1.0, width))
    b1 = -W1 * elbows
    return np.concatenate([W1, b1, W2, [b2]])


def minibatch_indices(seed, n_train, batch_size, steps):
    """Seed ``seed``'s minibatch indices for ``steps`` steps, (steps, batch_size) int16,
    read-only.

    Drawn with replacement, BATCH_BLOCK steps at a time, from a stream that depends on
    the seed only (not on width, regime or optimiser); a short run's indices are a
    prefix of a long run's. So every experiment of a sweep trains on the same indices:
    a process draws them once per seed (a tenth of a network's training time) and
    keeps the last 32 seeds' (2.4 MB each at 30,000 steps).
    """
    return _minibatch_indices(*map(operator.index, (seed, n_train, batch_size, steps)))


@functools.lru_cache(maxsize=32)
def _minibatch_indices(seed: int, n_train: int, batch_size: int, steps: int) -> np.ndarray:
    rng = np.random.default_rng([STREAM_BATCH, seed])
    n_blocks = -(-steps // BATCH_BLOCK)
    shape = (BATCH_BLOCK, batch_size)
    drawn = np.concatenate([rng.integers(0, n_train, shape, dtype=np.int16) for _ in range(n_blocks)])
    drawn.flags.writeable = False  # the array itself, so that no view of it can be made writeable
    return drawn[:steps]


def snapshot_steps(steps, n_snapshots):
    """Steps at which parameters are recorded: 0, ..., steps, dense at the start.

    Spaced quadratically (step ~ k^2): the early, fast changes get many animation frames
    and the slow tail fewer. Duplicates (short runs) are dropped, so there are at most
    n_snapshots.
    """
    u = np.linspace(0.0, 1.0, max(n_snapshots, 2))
    return np.unique(np.round(steps * u * u).astype(np.int64))


# -----------------------------------------------------------------------------
# Training: the compiled kernel (relu_kernel) trains one network at a time.


@dataclass(frozen=True)
class Trained:
    """Networks after training: parameters and errors at every snapshot."""

    params: np.ndarray  # (S, T, P): the parameters after each step in snap_steps
    train_mse: np.ndarray  # (S, T): MSE on the whole training set there
    test_mse: np.ndarray  # (S, T): MSE on the (noiseless) test set there


def train(theta0, data, seeds, batch_size, snap_steps, optimizer, hidden_fixed) -> Trained:
    """Train networks theta0 (S, P), seed seeds[i] from theta0[i], on data = make_data(...).

    Seed s's network sees seed s's minibatches (``minibatch_indices``). optimizer =
    (name in OPTIMIZERS, keyword settings from HYPER_DEFAULTS). With hidden_fixed only W2
    and b2 are updated. Snapshots are taken after each step in snap_steps (0 = the
    initial network, the last = the number of steps). Each network is trained on its
    own, so its result cannot depend on the others.
    """
    name, settings = optimizer
    hyper = np.array([float(settings.get(k, v)) for k, v in HYPER_DEFAULTS.items()])
    snap_steps = np.asarray(snap_steps, dtype=np.int64)
    if snap_steps[0] != 0 or np.any(np.diff(snap_steps) <= 0):
        raise ValueError("snap_steps must increase from 0")
    theta0 = np.ascontiguousarray(theta0, dtype=np.float64)
    x_train, y_train, x_test, y_test = (np.ascontiguousarray(a, dtype=np.float64) for a in data)
    S, T = len(seeds), len(snap_steps)
    out = Trained(np.empty((S, T, theta0.shape[1])), np.empty((S, T)), np.empty((S, T)))
    for i, seed in enumerate(seeds):
        idx = minibatch_indices(seed, len(x_train), batch_size, int(snap_steps[-1]))
        train_network(
            theta0[i],
            x_train,
            y_train,
            x_test,
            y_test,
            idx,
            snap_steps,
            out.params[i],
            out.train_mse[i],
            out.test_mse[i],
            OPTIMIZERS[name],
            hyper,
            bool(hidden_fixed),
        )
    return out


def predict(theta, x):
    """The outputs of one network theta (P,) at the points x, by the kernel's forward pass."""
    out = np.empty(len(x))
    forward(np.ascontiguousarray(theta, dtype=np.float64), np.ascontiguousarray(x, dtype=np.float64), out)
    return out


def median_seed(final_mse):
    """The seed row the figures show: the median of the final errors (for an even count,
    the lower of the two middle ones), ties broken by seed order."""
    order = np.argsort(final_mse, kind="stable")
    return int(order[(len(order) - 1) // 2])


def first_step_at_or_below(steps, values, level):
    """The first of ``steps`` at which ``values`` is at or below ``level``; -1 if none."""
    below = np.flatnonzero(values <= level)
    return int(steps[below[0]]) if below.size else -1


def quartile_bands(name, values):
    """25th, 50th and 75th percentiles over seeds (axis 0) -- the quartiles.

    The notebook passed q=0.25 and q=0.75 to np.percentile, whose q is in percent: those
    are the 0.25th and 0.75th percentiles, hugging the minimum. Here q = 25, 50, 75.
    """
    p25, p50, p75 = np.percentile(values, [25, 50, 75], axis=0)
    return {f"{name}_p25": p25, f"{name}_p50": p50, f"{name}_p75": p75}


KNOTS = np.arange(11) / 10  # where the piecewise target may bend: x = n / 10
NEAR_KINK = 0.01  # an elbow this close to a knot sits at it
IDLE_SHARE = 0.02  # a unit active on fewer of the training points than this barely shapes the fit


def near_kink_share(elbows: np.ndarray) -> float:
    """The share of the elbows within NEAR_KINK of a knot of the target."""
    distance = np.abs(elbows[..., None] - KNOTS).min(axis=-1)
    return float(np.mean(distance < NEAR_KINK))


def near_kink_chance() -> float:
    """The share of [0, 1] within NEAR_KINK of a knot: where elbows strewn at random land."""
    return float(np.minimum(np.diff(KNOTS), 2 * NEAR_KINK).sum())


def active_share(W1, b1, x):
    """Per unit, the share of the points x on which it is active (W1 x + b1 > 0)."""
    return np.mean(W1[:, None] * x[None, :] + b1[:, None] > 0, axis=1)


@dataclass(frozen=True)
class RatePairs:
    """Runs of several widths, each trained all layers at one rate and output layer only
    at that rate and at one other: the notebook's pair of rates and one rate for both."""

    widths: list[int]
    lr_all: float  # all layers' rate, the common one
    lr_out: float  # the output layer's other rate (the notebook's)
    runs: dict  # (width, output_only, lr) -> results

    @classmethod
    def of(cls, runs) -> "RatePairs":
        by = {(int(r["width"]), bool(r["output_only"]), float(r["lr"])): r for r in runs}
        widths = sorted({w for w, _, _ in by})
        lr_all = {lr for _, fixed, lr in by if not fixed}
        others = {lr for _, fixed, lr in by if fixed} - lr_all
        if len(lr_all) != 1 or len(others) != 1 or len(by) != 3 * len(widths) or len(by) != len(runs):
            raise ValueError("give, per width, all layers at one rate and output only at that rate and at one other")
        return cls(widths, lr_all.pop(), others.pop(), by)

    def all_layers(self, width):
        return self.runs[(width, False, self.lr_all)]

    def output_only(self, width, common: bool):
        return self.runs[(width, True, self.lr_all if common else self.lr_out)]


def early_snapshot(snap_steps) -> int:
    """The snapshot nearest a tenth of the run: where the page compares the regimes'
    starts (``summaries.relu_rates``), and a step the explorer always holds."""
    steps = np.asarray(snap_steps)
    return int(np.argmin(np.abs(steps - steps[-1] / 10)))


def init_networks(seeds, width):
    """Initial networks of all seeds, (n_seeds, 3 width + 1)."""
    return np.stack([init_network(s, width) for s in seeds])


# -----------------------------------------------------------------------------
# The experiments the site runs

REGIMES = ("all_layers", "output_only")


@dataclass(frozen=True)
class ReluSGD:
    """One width and one training regime of the notebook's ReLU network, many seeds.

    regime "all_layers" trains W1, b1, W2, b2 (the site uses lr 0.02); "output_only"
    trains W2, b2 only (the site uses lr 0.2), so the elbows stay where they started.
    Seed s starts from the same network, and sees the same minibatches, in both regimes.
    """

    target: str = "piecewise"  # or "sin20"
    width: int = 10  # the site runs 10, 20 and 40
    regime: str = "all_layers"  # or "output_only"
    seeds: tuple[int, ...] = tuple(range(30))
    steps: int = 30000
    n_snapshots: int = 81  # at most; spaced like step ~ k^2, including 0 and steps
    batch_size: int = 40
    lr: float = 0.02  # the notebook's rate for all layers; the site passes 0.2 for output_only
    noise_std: float = 0.01
    n_train: int = 200
    data_seed: int = 1

    def limits(self) -> list[str]:
        return _cost_limits(self)


@dataclass(frozen=True)
class ReluOptimizers:
    """SGD, SGD with momentum and Adam on all layers, same seeds and minibatches."""

    target: str = "piecewise"
    width: int = 20
    seeds: tuple[int, ...] = tuple(range(30))
    steps: int = 30000
    n_snapshots: int = 81
    batch_size: int = 40
    lr: float = 0.02  # for all three, as in the notebook
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    noise_std: float = 0.01
    n_train: int = 200
    data_seed: int = 1

    def limits(self) -> list[str]:
        return _cost_limits(self)


# Networks (seeds) times SGD steps times hidden units (a step's cost grows with the width):
# ~0.055 us each on one core, so about a minute of training at the limit.
MAX_UNIT_STEPS = 1_000_000_000


def _cost_limits(p) -> list[str]:
    """What coursegen asks before running (``limits()``): no run of hours."""
    cost = p.steps * len(p.seeds) * max(p.width, 1)
    if cost > MAX_UNIT_STEPS:
        return [
            f"steps x seeds x width = {cost:,} is above the limit of {MAX_UNIT_STEPS:,} "
            f"(about a minute of training on one core; see Limits in the manual)"
        ]
    return []


def _check(p):
    """Reject settings the code does not support, with a reason."""
    problems = []
    if p.target not in TARGETS:
        problems.append(f"target must be one of {sorted(TARGETS)}")
    if getattr(p, "regime", REGIMES[0]) not in REGIMES:
        problems.append(f"regime must be one of {REGIMES}")
    if p.width < 1 or p.steps < 1 or p.batch_size < 1 or p.n_snapshots < 2:
        problems.append("width, steps, batch_size >= 1 and n_snapshots >= 2 required")
    if not p.seeds or min(p.seeds) < 0:
        problems.append("seeds must be a non-empty tuple of non-negative ints")
    if not 1 <= p.n_train < 2**15 or p.data_seed < 0 or not p.noise_std >= 0:
        problems.append("need 1 <= n_train < 32768, data_seed >= 0, noise_std >= 0")
    if not (math.isfinite(p.lr) and p.lr > 0):
        problems.append("lr must be positive")
    if problems:
        raise ValueError(f"{type(p).__name__}: " + "; ".join(problems))


def _finite(result):
    """The pipeline's contract: every array finite. A diverged run is an error here."""
    bad = [k for k, v in result.items() if v.dtype.kind == "f" and not np.isfinite(v).all()]
    if bad:
        raise FloatingPointError(f"non-finite values in {bad}: training diverged (lr too big?)")
    return result


def training_settings(p) -> dict[str, np.ndarray]:
    """The training settings, in the results too, so pages quote them rather than type them."""
    return {
        "width": np.array(p.width, dtype=np.int64),
        "lr": np.array(p.lr, dtype=np.float64),
        "batch_size": np.array(p.batch_size, dtype=np.int64),
        "steps": np.array(p.steps, dtype=np.int64),
        "n_seeds": np.array(len(p.seeds), dtype=np.int64),
        "n_test_grid": np.array(N_TEST_GRID, dtype=np.int64),
    }


def relu_sgd(p: ReluSGD) -> dict[str, np.ndarray]:
    """Train every seed of one width and regime; return what the site plots and states.

    Shapes: S seeds, T snapshots, H = width, G = N_PLOT_GRID.

        W1, b1, W2 (S, T, H), b2 (S, T)   the parameters at every snapshot
        elbows, slopes (S, T, H)          -b1/W1 and W2 W1
        train_mse, test_mse (S, T)        computed by the training kernel's forward pass,
                                          with their quartiles over seeds (T,) and
                                          final_train_mse, final_test_mse (S,)
        output_only () bool, regime ()    what was trained (regime indexes REGIMES)
        shown ()                          the seed row the figures show: the median seed by
                                          final training MSE (``median_seed``); shown_seed
                                          is its seed, shown_rank its rank (1 = lowest)
        pred_grid (T, G)                  the shown network's prediction on x_grid
        shown_largest_gap ()              its largest |prediction - target| on [0, 1] at the
                                          last snapshot, at x = shown_largest_gap_x ()
        units_grid (T, H, G) float32      its units' hinges there
        elbow_displacement (S,)           per seed, the median over units of
                                          |final elbow - initial elbow| (a median, so one
                                          unit whose W1 shrinks towards 0 and sends its
                                          elbow far away does not dominate), and its
                                          median over seeds elbow_displacement_p50 ()
        elbow_travel_max ()               the largest max - min over the snapshots of any
                                          elbow of any seed (0 when the elbows are fixed)
        shown_elbows_leave ()             the shown network's elbows that lie outside the
                                          data range [0, 1] at some snapshot
        shown_elbows_end_outside ()       ... and at the last one
        shown_slope_start_max ()          the shown network's largest |slope| at step 0
        shown_slope_final_min/max ()      its smallest and largest slope at the last step
        shown_slope_half_step ()          the first snapshot step at which its largest
                                          |slope| reaches half its final value
        shown_near_kink_first/last ()     the share of its elbows within NEAR_KINK of a
                                          knot of the target, at the first and last snapshot
        shown_idle_units ()               its units active (W1 x + b1 > 0) on fewer than
                                          idle_share of the training points at the last
                                          snapshot, and shown_idle_near_right those of
                                          them whose elbow is past x = 0.9
        notebook_differs_x (K,)           the test points where the notebook's own target
                                          formula (ceil) differs from ours, with its values
                                          notebook_differs_y and ours target_differs_y,
                                          and how many: notebook_differs_count ()
        and the settings width, lr, batch_size, steps, n_seeds as scalars.
    """
    _check(p)
    data = make_data(p.target, p.n_train, p.noise_std, p.data_seed)
    x_train, y_train, x_test, y_test = data
    snaps = snapshot_steps(p.steps, p.n_snapshots)
    output_only = p.regime == "output_only"
    run = train(
        init_networks(p.seeds, p.width),
        data,
        p.seeds,
        p.batch_size,
        snaps,
        ("sgd", {"lr": p.lr}),
        hidden_fixed=output_only,
    )
    traj, train_mse, test_mse = run.params, run.train_mse, run.test_mse
    W1, b1, W2, b2 = (np.ascontiguousarray(a) for a in unpack(traj))
    elbows, slopes = elbows_and_slopes(traj)
    shown = median_seed(train_mse[:, -1])
    x_grid = np.linspace(0.0, 1.0, N_PLOT_GRID)
    displacement = np.median(np.abs(elbows[:, -1] - elbows[:, 0]), axis=-1)
    shown_elbows, shown_slopes = elbows[shown], np.abs(slopes[shown])
    outside = (shown_elbows < 0.0) | (shown_elbows > 1.0)  # (T, H)
    largest = shown_slopes.max(axis=-1)
    result = {
        **training_settings(p),
        "snap_steps": snaps,
        "seeds": np.array(p.seeds, dtype=np.int64),
        "output_only": np.array(output_only),
        "regime": np.array(REGIMES.index(p.regime), dtype=np.int64),
        "shown": np.array(shown, dtype=np.int64),
        "shown_seed": np.array(p.seeds[shown], dtype=np.int64),
        "shown_rank": np.array((len(p.seeds) - 1) // 2 + 1, dtype=np.int64),
        "W1": W1,
        "b1": b1,
        "W2": W2,
        "b2": b2,
        "elbows": elbows,
        "slopes": slopes,
        "train_mse": train_mse,
        "test_mse": test_mse,
        **quartile_bands("train_mse", train_mse),
        **quartile_bands("test_mse", test_mse),
        "final_train_mse": train_mse[:, -1].copy(),
        "final_test_mse": test_mse[:, -1].copy(),
        "elbow_displacement": displacement,
        "elbow_displacement_p50": np.array(np.median(displacement)),
        "elbow_travel_max": np.array((elbows.max(axis=1) - elbows.min(axis=1)).max()),
        "shown_elbows_leave": np.array(int(outside.any(axis=0).sum()), dtype=np.int64),
        "shown_elbows_end_outside": np.array(int(outside[-1].sum()), dtype=np.int64),
        "shown_slope_start_max": np.array(largest[0]),
        "shown_slope_final_min": np.array(slopes[shown, -1].min()),
        "shown_slope_final_max": np.array(slopes[shown, -1].max()),
        "shown_slope_half_step": np.array(first_step_at_or_below(snaps, -largest, -largest[-1] / 2), dtype=np.int64),
        "shown_near_kink_first": np.array(near_kink_share(elbows[shown, 0])),
        "shown_near_kink_last": np.array(near_kink_share(elbows[shown, -1])),
        "shown_idle_units": np.array(
            int((idle := active_share(W1[shown, -1], b1[shown, -1], x_train) < IDLE_SHARE).sum()), dtype=np.int64
        ),
        "shown_idle_near_right": np.array(int((idle & (elbows[shown, -1] > 0.9)).sum()), dtype=np.int64),
        "idle_share": np.array(IDLE_SHARE),
        "near_kink_tol": np.array(NEAR_KINK),
        "near_kink_chance": np.array(near_kink_chance()),
        **_target_differences(p.target, x_test),
        "x_train": x_train,
        "y_train": y_train,
        "x_test": x_test,
        "y_test": y_test,
        "x_grid": x_grid,
        "truth_grid": TARGETS[p.target](x_grid),
        "pred_grid": np.stack([predict(theta, x_grid) for theta in traj[shown]]),
        **_largest_gap(p.target, traj[shown, -1], elbows[shown, -1], x_grid),
        "units_grid": unit_outputs(traj[shown], x_grid).astype(np.float32),
    }
    return _finite(result)


def _largest_gap(target, theta, elbows, x_grid):
    """The largest gap between the network ``theta``'s prediction and the target on
    [0, 1], and where: what a description of the fit may claim. Both are straight
    between their kinks (the piecewise target's knots, the network's elbows), so the
    gap is largest at one of them or at an end; the grid covers a smooth target."""
    x = np.unique(np.concatenate([x_grid, KNOTS, elbows[(elbows >= 0.0) & (elbows <= 1.0)]]))
    gap = np.abs(predict(theta, x) - TARGETS[target](x))
    k = int(np.argmax(gap))
    return {"shown_largest_gap": np.array(gap[k]), "shown_largest_gap_x": np.array(x[k])}


def _target_differences(target, x):
    """Where the notebook's own formula for the target differs from ours, among x."""
    if target != "piecewise":
        empty = np.zeros(0)
        return {
            "notebook_differs_x": empty,
            "notebook_differs_y": empty,
            "target_differs_y": empty,
            "notebook_differs_count": np.array(0, dtype=np.int64),
        }
    ours, notebook = piecewise_target(x), notebook_piecewise_target(x)
    differ = ours != notebook
    return {
        "notebook_differs_x": x[differ],
        "notebook_differs_y": notebook[differ],
        "target_differs_y": ours[differ],
        "notebook_differs_count": np.array(int(differ.sum()), dtype=np.int64),
    }


def relu_optimizers(p: ReluOptimizers) -> dict[str, np.ndarray]:
    """Train all layers of every seed with each optimiser; errors and their quartiles.

    For each name in OPTIMIZERS ("sgd", "momentum", "adam"): {name}_train_mse and
    {name}_test_mse (S, T), their _p25/_p50/_p75 over seeds (T,), and
    {name}_final_train_mse, {name}_final_test_mse (S,), and {name}_reaches_sgd: the
    first snapshot step at which its median training MSE is at or below SGD's final
    one (-1: never). best (index into OPTIMIZERS) is the optimiser with the lowest
    median final test MSE, best_test_mse that MSE. Plus snap_steps, seeds and the
    settings width, lr, batch_size, steps, n_seeds and momentum as scalars.
    """
    _check(p)
    data = make_data(p.target, p.n_train, p.noise_std, p.data_seed)
    snaps = snapshot_steps(p.steps, p.n_snapshots)
    theta0 = init_networks(p.seeds, p.width)
    settings = {
        "sgd": {"lr": p.lr},
        "momentum": {"lr": p.lr, "mu": p.momentum},
        "adam": {"lr": p.lr, "beta1": p.beta1, "beta2": p.beta2, "eps": p.eps},
    }
    result = {
        **training_settings(p),
        "momentum": np.array(p.momentum),
        "snap_steps": snaps,
        "seeds": np.array(p.seeds, dtype=np.int64),
    }
    for name in OPTIMIZERS:
        run = train(theta0, data, p.seeds, p.batch_size, snaps, (name, settings[name]), hidden_fixed=False)
        result.update(
            {
                f"{name}_train_mse": run.train_mse,
                f"{name}_test_mse": run.test_mse,
                **quartile_bands(f"{name}_train_mse", run.train_mse),
                **quartile_bands(f"{name}_test_mse", run.test_mse),
                f"{name}_final_train_mse": run.train_mse[:, -1].copy(),
                f"{name}_final_test_mse": run.test_mse[:, -1].copy(),
            }
        )
    target = result["sgd_train_mse_p50"][-1]
    for name in OPTIMIZERS:
        result[f"{name}_reaches_sgd"] = np.array(
            first_step_at_or_below(snaps, result[f"{name}_train_mse_p50"], target), dtype=np.int64
        )
    finals = [result[f"{name}_test_mse_p50"][-1] for name in OPTIMIZERS]
    result["best"] = np.array(int(np.argmin(finals)), dtype=np.int64)
    result["best_test_mse"] = np.array(min(finals))
    return _finite(result)


EXPERIMENTS = {"relu_sgd": relu_sgd, "relu_optimizers": relu_optimizers}
