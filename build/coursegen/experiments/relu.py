"""ReLU networks fitting a 1-D function: the course notebook, precomputed bit for bit.

The worksheet's notebook trains ``y_hat = W2 . ReLU(W1 x + b1) + b2`` (one input, one
hidden layer of ``width`` units, one output) with minibatch SGD and lets students watch
the hidden units' elbows move. Here every seed of every width and training regime is
trained, so the site can show all of it with no wait.

Two promises shape the code:

* **Bit-for-bit.** A network's trajectory depends only on its own seed and settings:
  not on the CPU's SIMD kernels, the BLAS library, the thread count, or which other
  networks are trained with it. Training is one compiled kernel (numba, no fastmath, no
  parallel loops) that trains one network at a time with scalar loops, so no arithmetic
  mixes networks. Without fast-math flags LLVM neither reorders floating-point
  operations nor fuses a multiply and an add into an FMA, so every sum is added in the
  order the loops spell out and the result does not depend on the vector width the
  compiler picks (the loops it vectorises are elementwise; tests compare the compiled
  kernel with its own code run as plain Python, bit for bit). Training uses no
  transcendental function (Adam's sqrt is IEEE-exact). The numpy code around it (data,
  initialisation, predictions at snapshots) uses only exact elementwise operations,
  searches, gathers and sums in a fixed order (``fixed_sum``, ``np.cumsum`` along one
  network's row, ``np.bincount`` with one network per bin). Only the summaries across
  seeds (percentiles, medians) mix networks.
* **Fast.** The kernel (``train_network``) runs in about a microsecond per network and
  step at the site's widths; the plain backprop (``loss_and_grad``) is written so that
  its inner loops are elementwise and vectorise: the forward pass adds unit after unit
  into all the samples' outputs, the backward pass sample after sample into all the
  units' gradients.

Randomness, per seed ``s`` (documented because the site promises reproducibility):

* initial network: ``np.random.default_rng([1, s, width])`` -- the same initial network
  for both regimes and all optimisers of a width;
* minibatches: ``np.random.default_rng([2, s]).integers(0, n_train, (BATCH_BLOCK, batch),
  dtype=np.int16)``, one block of steps after another -- the same minibatch stream for
  every width, regime and optimiser, and a short run is an exact prefix of a long one;
* the data set: ``numpy.random.RandomState(data_seed)``, as in the notebook.
"""

import math
from dataclasses import dataclass

import numba
import numpy as np


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
    other x and makes f continuous. The eleven heights are computed once and looked up, so
    every point sees the very same sin values.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size and (x.min() < 0.0 or x.max() > 1.0):
        raise ValueError("piecewise_target is defined on [0, 1]")
    heights = np.sin(KINK_FREQ * np.arange(12, dtype=np.float64))
    t = 10.0 * x
    lo = np.floor(t)
    hi = lo + 1.0
    return (t - lo) * heights[hi.astype(np.intp)] - (t - hi) * heights[lo.astype(np.intp)]


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


def fixed_sum(a, axis=-1):
    """Sum along ``axis`` by repeated halving: a fixed adding tree, whatever the CPU.

    Library reductions may pick their order by SIMD width or memory layout; here each
    output is a binary tree of elementwise adds that depends only on the axis length.
    """
    a = np.array(a, dtype=np.float64)  # private copy, folded in place
    axis = axis % a.ndim
    n = a.shape[axis]
    if n == 0:
        return np.zeros(a.shape[:axis] + a.shape[axis + 1 :])

    def part(lo, hi):
        return (slice(None),) * axis + (slice(lo, hi),)

    while n > 1:
        half = n // 2
        a[part(0, half)] += a[part(n - half, n)]
        n -= half
    return a[part(0, 1)].squeeze(axis)


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


def predict(theta, x):
    """The network's output at the points x: sum of the hinges plus the output bias."""
    return fixed_sum(unit_outputs(theta, x), axis=-2) + unpack(theta)[3][..., None]


def mse(pred, y):
    """Mean squared error over the last axis, summed in a fixed order."""
    r = pred - y
    return fixed_sum(r * r, axis=-1) / r.shape[-1]


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
    """Seed ``seed``'s minibatch indices for ``steps`` steps, (steps, batch_size) int16.

    Drawn with replacement, BATCH_BLOCK steps at a time, from a stream that depends on
    the seed only (not on width, regime or optimiser); a short run's indices are a
    prefix of a long run's.
    """
    rng = np.random.default_rng([STREAM_BATCH, seed])
    n_blocks = -(-steps // BATCH_BLOCK)
    shape = (BATCH_BLOCK, batch_size)
    blocks = [rng.integers(0, n_train, shape, dtype=np.int16) for _ in range(n_blocks)]
    return np.concatenate(blocks)[:steps]


def snapshot_steps(steps, n_snapshots):
    """Steps at which parameters are recorded: 0, ..., steps, dense at the start.

    Spaced quadratically (step ~ k^2): the early, fast changes get many animation frames
    and the slow tail fewer. Duplicates (short runs) are dropped, so there are at most
    n_snapshots.
    """
    u = np.linspace(0.0, 1.0, max(n_snapshots, 2))
    return np.unique(np.round(steps * u * u).astype(np.int64))


# -----------------------------------------------------------------------------
# Training: plain backprop and PyTorch's update rules, compiled, one network at a time.
# No fastmath: LLVM then keeps every operation, and its order, exactly as written.

SGD, MOMENTUM, ADAM = 0, 1, 2
OPTIMIZERS = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM}
HYPER_DEFAULTS = {"lr": 0.02, "mu": 0.9, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


@numba.njit(cache=True, error_model="numpy")
def loss_and_grad(theta, x, y, grad, r, hidden_fixed):
    """Minibatch MSE of one network and its gradient, by backprop through one hidden layer.

    theta = [W1, b1, W2, b2], shape (3 H + 1,); x, y: one minibatch, (B,). Writes
    dL/dtheta into grad (3 H + 1,) -- with hidden_fixed only dL/dW2 and dL/db2, leaving
    dL/dW1 and dL/db1 at 0 -- and the residuals y_hat - y into r (B,); returns L.

        z_jb = W1_j x_b + b1_j,   a_jb = relu(z_jb),   y_hat_b = sum_j W2_j a_jb + b2,
        L = sum_b r_b^2 / B   with  r_b = y_hat_b - y_b;   g_b = dL/dy_hat_b = 2 r_b / B,
        dL/dW2_j = sum_b g_b a_jb,                  dL/db2 = sum_b g_b,
        dL/db1_j = sum_b g_b W2_j [z_jb > 0],       dL/dW1_j = sum_b g_b W2_j [z_jb > 0] x_b.

    Every sum is added in index order, one term after another. The forward pass adds unit
    after unit into every sample's output, the backward pass sample after sample into
    every unit's gradient: each inner loop is elementwise, so the compiler may vectorise
    it without changing a bit (and runs the sums of different samples, or units, side by
    side instead of waiting on one long chain of adds).
    """
    H = (theta.size - 1) // 3
    B = x.size
    W1, b1, W2, b2 = theta[:H], theta[H : 2 * H], theta[2 * H : 3 * H], theta[3 * H]
    dW1, db1, dW2 = grad[:H], grad[H : 2 * H], grad[2 * H : 3 * H]
    # forward: r_b = y_hat_b - y_b
    r[:] = 0.0
    for j in range(H):
        for b in range(B):
            z = W1[j] * x[b] + b1[j]
            r[b] += W2[j] * (z if z > 0.0 else 0.0)
    loss = 0.0
    for b in range(B):
        r[b] = r[b] + b2 - y[b]
        loss += r[b] * r[b]
    # backward
    grad[:] = 0.0
    for b in range(B):
        g = 2.0 * r[b] / B
        grad[3 * H] += g
        if hidden_fixed:  # the output layer only
            for j in range(H):
                z = W1[j] * x[b] + b1[j]
                dW2[j] += g * (z if z > 0.0 else 0.0)
        else:
            for j in range(H):
                z = W1[j] * x[b] + b1[j]
                dW2[j] += g * (z if z > 0.0 else 0.0)
                da = g * W2[j]  # dL/da_jb, back through W2
                dz = da if z > 0.0 else 0.0  # dL/dz_jb, back through the ReLU
                db1[j] += dz
                dW1[j] += dz * x[b]
    return loss / B


@numba.njit(cache=True, error_model="numpy")
def train_network(theta, x_train, y_train, idx, snap_steps, snaps, optimizer, hyper, hidden_fixed):
    """Train one network, from theta (3 H + 1,), on the minibatches x_train[idx[t]].

    Step t gathers minibatch t, calls ``loss_and_grad`` and updates the parameters.
    Writes into snaps[k] the parameters after snap_steps[k] steps (increasing, from 0;
    the last is the number of steps, at most len(idx)). With hidden_fixed only W2 and b2
    are updated. optimizer is SGD, MOMENTUM or ADAM with hyper = [lr, mu, beta1, beta2,
    eps], using PyTorch's update rules with g = dL/dp:

        SGD        p -= lr g
        momentum   v = mu v + g;  p -= lr v                                  (v_0 = 0)
        Adam       m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
                   p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps),  bc = 1 - beta^t

    beta^t is kept as a running product (exact IEEE multiplies) rather than a pow call,
    whose last bit may depend on the C library. A dead unit's momentum or Adam state
    decays through subnormal numbers, which x86 computes slowly (microcode assists):
    momentum and Adam cost up to several times SGD's step. Flushing them to zero (FTZ,
    DAZ) would change the bits, so they stay as IEEE arithmetic has them.
    """
    lr, mu, beta1, beta2, eps = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4]
    P = theta.size
    B = idx.shape[1]
    first = 2 * ((P - 1) // 3) if hidden_fixed else 0  # W2 starts at 2 H
    p = theta.copy()
    grad, m, v = np.zeros(P), np.zeros(P), np.zeros(P)
    x, y, r = np.empty(B), np.empty(B), np.empty(B)
    beta1_t = beta2_t = 1.0
    k = 0
    for t in range(snap_steps[-1]):
        if t == snap_steps[k]:
            snaps[k, :] = p
            k += 1
        for b in range(B):
            x[b] = x_train[idx[t, b]]
            y[b] = y_train[idx[t, b]]
        loss_and_grad(p, x, y, grad, r, hidden_fixed)
        if optimizer == SGD:
            for i in range(first, P):
                p[i] -= lr * grad[i]
        elif optimizer == MOMENTUM:
            for i in range(first, P):
                v[i] = mu * v[i] + grad[i]
                p[i] -= lr * v[i]
        else:
            beta1_t *= beta1
            beta2_t *= beta2
            step = lr / (1.0 - beta1_t)
            root_bc2 = math.sqrt(1.0 - beta2_t)
            for i in range(first, P):
                g = grad[i]
                m[i] = beta1 * m[i] + (1.0 - beta1) * g
                v[i] = beta2 * v[i] + (1.0 - beta2) * (g * g)
                p[i] -= step * (m[i] / (math.sqrt(v[i]) / root_bc2 + eps))
    snaps[k, :] = p


def train(theta0, x_train, y_train, seeds, batch_size, snap_steps, optimizer, hidden_fixed):
    """Train networks theta0 (S, P), seed seeds[i] from theta0[i]; return their snapshots.

    Seed s's network sees seed s's minibatches (``minibatch_indices``). optimizer =
    (name in OPTIMIZERS, keyword settings from HYPER_DEFAULTS). With hidden_fixed only W2
    and b2 are updated. Returns (S, len(snap_steps), P): the parameters after each step
    in snap_steps (0 = the initial ones, the last = the number of steps). Each network is
    trained on its own, so its result cannot depend on the others.
    """
    name, settings = optimizer
    hyper = np.array([float(settings.get(k, v)) for k, v in HYPER_DEFAULTS.items()])
    snap_steps = np.asarray(snap_steps, dtype=np.int64)
    if snap_steps[0] != 0 or np.any(np.diff(snap_steps) <= 0):
        raise ValueError("snap_steps must increase from 0")
    theta0 = np.ascontiguousarray(theta0, dtype=np.float64)
    x_train = np.ascontiguousarray(x_train, dtype=np.float64)
    y_train = np.ascontiguousarray(y_train, dtype=np.float64)
    traj = np.empty((len(seeds), len(snap_steps), theta0.shape[1]))
    for i, seed in enumerate(seeds):
        idx = minibatch_indices(seed, len(x_train), batch_size, int(snap_steps[-1]))
        train_network(theta0[i], x_train, y_train, idx, snap_steps, traj[i], OPTIMIZERS[name],
                      hyper, bool(hidden_fixed))
    return traj


def predict_sorted(theta, x):
    """Outputs of networks theta (N, P) at sorted points x (m,), in O(m + width) each.

    Used for every snapshot's train and test error; equal to ``predict`` up to rounding,
    at a fraction of the cost. Unit j adds c_j x + d_j (c = W2 W1, d = W2 b1) on one side
    of its elbow: from the first point at or past it if W1_j > 0 (a rising unit), before
    it if W1_j < 0 (or -0.0: a falling unit). So one ``bincount`` per network puts c_j, d_j
    at the elbow's position (and, for a falling unit, -c_j, -d_j there after c_j, d_j at
    point 0), and running sums along the points give every point's slope C and intercept
    D. Each network's bins and running sums are its own row.
    """
    W1, b1, W2, b2 = unpack(theta)
    N, m = W1.shape[0], len(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.searchsorted(x, -(b1 / W1))  # points below each elbow
    falling = np.signbit(W1)
    cd = np.stack([W2 * W1, W2 * b1])  # (2, N, H): slope and intercept of each hinge
    rows = (np.arange(2 * N) * (m + 1)).reshape(2, N, 1)
    bins = np.concatenate([(rows + k).ravel(), np.broadcast_to(rows, cd.shape).ravel()])
    weights = np.concatenate([np.where(falling, -cd, cd).ravel(), (cd * falling).ravel()])
    hist = np.bincount(bins, weights, minlength=2 * N * (m + 1)).reshape(2, N, m + 1)
    C, D = np.cumsum(hist[..., :m], axis=-1)
    return C * x + D + b2[:, None]


def snapshot_errors(traj, x_train, y_train, x_test, y_test):
    """Train and test MSE of every network at every snapshot, each (S, n_snap)."""
    S, n_snap, _ = traj.shape
    train_mse, test_mse = np.empty((S, n_snap)), np.empty((S, n_snap))
    for i in range(n_snap):
        train_mse[:, i] = mse(predict_sorted(traj[:, i], x_train), y_train)
        test_mse[:, i] = mse(predict_sorted(traj[:, i], x_test), y_test)
    return train_mse, test_mse


def quartile_bands(name, values):
    """25th, 50th and 75th percentiles over seeds (axis 0) -- the quartiles.

    The notebook passed q=0.25 and q=0.75 to np.percentile, whose q is in percent: those
    are the 0.25th and 0.75th percentiles, hugging the minimum. Here q = 25, 50, 75.
    """
    p25, p50, p75 = np.percentile(values, [25, 50, 75], axis=0)
    return {f"{name}_p25": p25, f"{name}_p50": p50, f"{name}_p75": p75}


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
    }


def relu_sgd(p: ReluSGD) -> dict[str, np.ndarray]:
    """Train every seed of one width and regime; return what the site plots and states.

    Shapes: S seeds, T snapshots, H = width, G = N_PLOT_GRID. Parameters W1, b1, W2
    (S, T, H), b2 (S, T); elbows -b1/W1 and slopes W2 W1 (S, T, H); train_mse, test_mse
    (S, T) with their quartiles over seeds; seed 0's prediction pred_grid (T, G) and its
    units' hinges units_grid (T, H, G, float32) on x_grid; the settings width, lr,
    batch_size and steps as scalars. elbow_displacement is, per
    seed, the median over units of |final elbow - initial elbow| (median, so one unit
    whose W1 shrinks towards 0 and sends its elbow far away does not dominate).
    """
    _check(p)
    x_train, y_train, x_test, y_test = make_data(p.target, p.n_train, p.noise_std, p.data_seed)
    snaps = snapshot_steps(p.steps, p.n_snapshots)
    traj = train(
        init_networks(p.seeds, p.width), x_train, y_train, p.seeds, p.batch_size, snaps,
        ("sgd", {"lr": p.lr}), hidden_fixed=(p.regime == "output_only"),
    )  # (S, T, P)
    W1, b1, W2, b2 = (np.ascontiguousarray(a) for a in unpack(traj))
    elbows, slopes = elbows_and_slopes(traj)
    train_mse, test_mse = snapshot_errors(traj, x_train, y_train, x_test, y_test)
    x_grid = np.linspace(0.0, 1.0, N_PLOT_GRID)
    result = {
        **training_settings(p),
        "snap_steps": snaps,
        "seeds": np.array(p.seeds, dtype=np.int64),
        "W1": W1, "b1": b1, "W2": W2, "b2": b2,
        "elbows": elbows, "slopes": slopes,
        "train_mse": train_mse, "test_mse": test_mse,
        **quartile_bands("train_mse", train_mse),
        **quartile_bands("test_mse", test_mse),
        "final_train_mse": train_mse[:, -1].copy(),
        "final_test_mse": test_mse[:, -1].copy(),
        "elbow_displacement": np.median(np.abs(elbows[:, -1] - elbows[:, 0]), axis=-1),
        "x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
        "x_grid": x_grid, "truth_grid": TARGETS[p.target](x_grid),
        "pred_grid": predict(traj[0], x_grid),
        "units_grid": unit_outputs(traj[0], x_grid).astype(np.float32),
    }
    return _finite(result)


def relu_optimizers(p: ReluOptimizers) -> dict[str, np.ndarray]:
    """Train all layers of every seed with each optimiser; errors and their quartiles.

    For each name in OPTIMIZERS ("sgd", "momentum", "adam"): {name}_train_mse and
    {name}_test_mse (S, T), their _p25/_p50/_p75 over seeds (T,), and
    {name}_final_train_mse, {name}_final_test_mse (S,); plus snap_steps, seeds and the
    settings width, lr, batch_size, steps and momentum as scalars.
    """
    _check(p)
    x_train, y_train, x_test, y_test = make_data(p.target, p.n_train, p.noise_std, p.data_seed)
    snaps = snapshot_steps(p.steps, p.n_snapshots)
    theta0 = init_networks(p.seeds, p.width)
    settings = {
        "sgd": {"lr": p.lr},
        "momentum": {"lr": p.lr, "mu": p.momentum},
        "adam": {"lr": p.lr, "beta1": p.beta1, "beta2": p.beta2, "eps": p.eps},
    }
    result = {**training_settings(p), "momentum": np.array(p.momentum), "snap_steps": snaps,
              "seeds": np.array(p.seeds, dtype=np.int64)}
    for name in OPTIMIZERS:
        traj = train(
            theta0, x_train, y_train, p.seeds, p.batch_size, snaps, (name, settings[name]),
            hidden_fixed=False,
        )
        train_mse, test_mse = snapshot_errors(traj, x_train, y_train, x_test, y_test)
        result.update({
            f"{name}_train_mse": train_mse, f"{name}_test_mse": test_mse,
            **quartile_bands(f"{name}_train_mse", train_mse),
            **quartile_bands(f"{name}_test_mse", test_mse),
            f"{name}_final_train_mse": train_mse[:, -1].copy(),
            f"{name}_final_test_mse": test_mse[:, -1].copy(),
        })
    return _finite(result)


EXPERIMENTS = {"relu_sgd": relu_sgd, "relu_optimizers": relu_optimizers}
