"""ReLU networks fitting a 1-D function: the course notebook, precomputed bit for bit.

The worksheet's notebook trains ``y_hat = W2 . ReLU(W1 x + b1) + b2`` (one input, one
hidden layer of ``width`` units, one output) with minibatch SGD and lets students watch
the hidden units' elbows move. Here every seed of one width and one training regime is
trained at once, vectorised across networks, so the site can show all of it with no wait.

Two promises shape the code:

* **Bit-for-bit.** A network's trajectory depends only on its own seed and settings:
  not on the CPU's SIMD kernels, the BLAS library, the thread count, or which other
  networks share its arrays. So there is no matmul/dot/einsum and no library reduction
  whose order could change. Every sum inside a network is an elementwise add in an order
  fixed here (``fixed_sum``), a sequential running sum along that network's own row
  (``np.cumsum``), or an ``np.bincount`` whose bins each belong to one network; searches
  and gathers are exact. Training uses no transcendental function (Adam's sqrt is
  IEEE-exact). Only the summaries across seeds (percentiles, medians) mix networks.
* **Fast.** Evaluating all ``batch x width`` hinges every step is wasteful. A hidden unit
  is active on one side of its elbow only, so once the minibatch is sorted by x the
  samples a unit sees are a prefix or a suffix of it, and every sum the forward and
  backward passes need is a difference of running sums (``SortedBatchGradient``): O(batch
  + width) work per network and step instead of O(batch x width).

The plain dense model (``predict``, ``loss_and_grad``) is kept as the readable reference;
tests check the fast gradient against it and both against finite differences.

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


def loss_and_grad(theta, x, y):
    """Minibatch MSE and its gradient by plain backprop (the readable reference).

    theta: (..., P); x, y: (..., batch). Returns loss (...,) and grad (..., P).
    """
    W1, b1, W2, b2 = unpack(theta)
    z = W1[..., None, :] * x[..., :, None] + b1[..., None, :]  # (..., batch, width)
    a = relu(z)
    y_hat = fixed_sum(W2[..., None, :] * a, axis=-1) + b2[..., None]
    r = y_hat - y
    n = x.shape[-1]
    loss = fixed_sum(r * r, axis=-1) / n
    dy = 2.0 * r / n  # dL/dy_hat
    dz = dy[..., :, None] * W2[..., None, :] * (z > 0)  # back through W2 and the ReLU
    grad = np.concatenate(
        [
            fixed_sum(dz * x[..., :, None], axis=-2),  # dL/dW1
            fixed_sum(dz, axis=-2),  # dL/db1
            fixed_sum(dy[..., :, None] * a, axis=-2),  # dL/dW2
            fixed_sum(dy, axis=-1)[..., None],  # dL/db2
        ],
        axis=-1,
    )
    return loss, grad


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


def batch_streams(seeds):
    """One generator per seed for its minibatch indices; independent of width and regime."""
    return [np.random.default_rng([STREAM_BATCH, s]) for s in seeds]


def next_minibatches(streams, n_train, batch_size):
    """Indices of the next BATCH_BLOCK minibatches, shape (BATCH_BLOCK, n_seeds, batch).

    Drawn with replacement (as int16: cheaper to draw and sort); each minibatch is then
    sorted, which leaves its loss unchanged but makes the samples a hidden unit sees one
    contiguous run (see SortedBatchGradient).
    """
    idx = np.stack(
        [rng.integers(0, n_train, (BATCH_BLOCK, batch_size), dtype=np.int16) for rng in streams],
        axis=1,
    )
    idx.sort(axis=-1)
    return idx.astype(np.intp)


def snapshot_steps(steps, n_snapshots):
    """Steps at which parameters are recorded: 0, ..., steps, dense at the start.

    Spaced quadratically (step ~ k^2): the early, fast changes get many animation frames
    and the slow tail fewer. Duplicates (short runs) are dropped, so there are at most
    n_snapshots.
    """
    u = np.linspace(0.0, 1.0, max(n_snapshots, 2))
    return np.unique(np.round(steps * u * u).astype(np.int64))


# -----------------------------------------------------------------------------
# Optimisers (PyTorch's update rules), in place on a flat parameter vector.
# ``grad_scale`` is the factor the optimiser wants the gradient multiplied by.


class SGD:
    """p -= lr g. Takes the gradient already multiplied by lr, saving a pass per step."""

    def __init__(self, shape, lr):
        self.grad_scale = lr

    def step(self, p, lr_g):
        np.subtract(p, lr_g, p)


class Momentum:
    """PyTorch SGD with momentum: v = mu v + g; p -= lr v (v starts at 0, so v_1 = g)."""

    def __init__(self, shape, lr, mu=0.9):
        self.grad_scale, self.lr, self.mu = 1.0, lr, mu
        self.v = np.zeros(shape)

    def step(self, p, g):
        v = self.v
        np.multiply(v, self.mu, v)
        np.add(v, g, v)
        np.multiply(v, self.lr, g)
        np.subtract(p, g, p)


class Adam:
    """PyTorch Adam: p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps), bc = 1 - beta^t.

    beta^t is kept as a running product (exact IEEE multiplies) rather than a pow call,
    whose last bit may depend on the C library.
    """

    def __init__(self, shape, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.grad_scale, self.lr, self.beta1, self.beta2, self.eps = 1.0, lr, beta1, beta2, eps
        self.m, self.v = np.zeros(shape), np.zeros(shape)
        self.beta1_t = self.beta2_t = 1.0

    def step(self, p, g):
        m, v = self.m, self.v
        self.beta1_t *= self.beta1
        self.beta2_t *= self.beta2
        np.multiply(m, self.beta1, m)  # m = beta1 m + (1 - beta1) g
        np.add(m, (1.0 - self.beta1) * g, m)
        np.multiply(v, self.beta2, v)  # v = beta2 v + (1 - beta2) g^2
        np.multiply(g, g, g)
        np.multiply(g, 1.0 - self.beta2, g)
        np.add(v, g, v)
        denom = np.sqrt(v, out=g)
        np.divide(denom, math.sqrt(1.0 - self.beta2_t), denom)
        np.add(denom, self.eps, denom)
        np.divide(m, denom, g)
        np.multiply(g, self.lr / (1.0 - self.beta1_t), g)
        np.subtract(p, g, p)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


# -----------------------------------------------------------------------------
# The fast exact minibatch gradient


def order_keys(x, lo, span):
    """Integers that sort like the floats x, seed s's shifted into [s span, (s+1) span).

    Positive doubles compare exactly like their bit patterns read as integers, so after
    the shift one integer search serves all seeds at once, with no rounding anywhere.
    x: (..., n_seeds, m), every value in [lo, 1.0], lo > 0.
    """
    bits = np.ascontiguousarray(x, dtype=np.float64).view(np.int64)
    offset = np.arange(x.shape[-2]) * span - np.float64(lo).view(np.int64)
    return bits + offset[:, None]


class SortedBatchGradient:
    """Minibatch MSE gradients of many networks at once, in O(batch + width) each.

    Why it works. Sort the minibatch by x (its indices are sorted, and x_train is sorted).
    Unit j is active (W1_j x + b1_j > 0) for x >= e_j if W1_j > 0 and for x < e_j if
    W1_j < 0, where e_j = -b1_j / W1_j. With k_j = #{samples with x < e_j}, unit j sees the
    samples b >= k_j (a "rising" unit) or b < k_j (a "falling" unit). On them it adds
    c_j x + d_j, with c = W2 W1 and d = W2 b1. So

    * forward: y_hat_b = b2 + x_b C_b + D_b, where C_b sums c_j over the units active at
      b. A rising unit adds c_j from bin k_j on; a falling unit adds c_j from bin 0 on
      and -c_j from bin k_j on. One ``bincount`` fills the bins, one running sum along the
      batch turns them into C and D at every sample;
    * backward: with g_b = dL/dy_hat_b = 2 r_b / batch, unit j needs u_j = sum of g and
      v_j = sum of g x over its active samples: a running sum read at k_j (falling unit)
      or the total minus it (rising unit). Then dL/dW1 = W2 v, dL/db1 = W2 u,
      dL/dW2 = W1 v + b1 u (W2's gradient sums g relu(W1 x + b1) = g (W1 x + b1) over the
      active samples) and dL/db2 = sum of g.

    k_j is found exactly by one search of the elbows among the samples (``order_keys``;
    elbows are clipped to [x_train[0], 1], which changes no count). A sample exactly at
    an elbow counts as seen by a rising unit; its hinge is zero there, so this only
    decides rounding. Each network's bins, rows and running sums are its own, so its
    result cannot depend on which networks share the arrays.

    Layout. The cost per step is numpy call overhead, so buffers are preallocated and
    each call is one loop over all networks. The parameters are one flat vector
    [W1 (S, H), b1 (S, H), W2 (S, H), b2 (S)] for S seeds of H units (an optimiser step
    is then a call or a few). Per-unit arrays are (channel, S, H) or (S, H); channel 0
    holds x-coefficients (c, v: sums of g x) and channel 1 constants (d, u: sums of g).
    Bins and running sums are (S, batch + 1) complex numbers, channel 0 the real part:
    a running sum of complex numbers adds real and imaginary parts separately (exactly
    the two float sums), in half the time of two float running sums.

    The gradient comes out multiplied by ``scale`` (SGD folds its learning rate in here).
    """

    def __init__(self, params, n_seeds, x_train, batch_size, hidden_fixed=False, scale=1.0):
        S = n_seeds
        H = (len(params) // S - 1) // 3
        SH, B, L = S * H, batch_size, batch_size + 1
        self.S, self.B, self.hidden_fixed, self.g_scale = S, B, hidden_fixed, 2.0 * scale / B
        self.grad = np.zeros_like(params)
        W, dW = params[: 3 * SH].reshape(3, S, H), self.grad[: 3 * SH].reshape(3, S, H)
        self.W1, self.b1, self.W2, self.Wb = W[0], W[1], W[2], W[:2]
        self.b2 = params[3 * SH :, None]
        self.dW2, self.dWb, self.db2 = dW[2], dW[:2], self.grad[3 * SH :]
        # search keys; b1 / W1 = -elbow, once clipped negative, reads as bits(elbow) - 2^63
        self.lo = float(x_train[0])
        if not (0.0 < self.lo and x_train[-1] < 1.0 and np.all(np.diff(x_train) >= 0)):
            raise ValueError("training inputs must be sorted and inside (0, 1)")
        self.span = int(np.float64(1.0).view(np.int64) - np.float64(self.lo).view(np.int64)) + 1
        if S * self.span >= 2**62:
            raise ValueError("too many seeds for one search: train them in smaller groups")
        offset = np.arange(S, dtype=np.uint64) * np.uint64(self.span) + np.uint64(2**63)
        offset -= np.uint64(np.float64(self.lo).view(np.int64))
        self.key_offset = np.repeat(offset.view(np.int64)[:, None], H, axis=1)
        # float position of (seed s, bin k, channel ch) is 2 (s L + k) + ch; the search
        # returns k + s B, so bin k_j is at 2 (k_j + s B) + [2 s (L - B) + ch]
        seed = np.arange(S).reshape(1, S, 1)
        ch = np.arange(2).reshape(2, 1, 1)
        self.at_k = np.repeat(2 * seed * (L - B) + ch, H, axis=2)
        f8 = np.float64
        self.ratio = np.empty((S, H), f8)
        self.query = np.empty((S, H), np.int64)
        self.k2 = np.empty((S, H), np.intp)
        self.falling = np.empty((S, H), bool)
        self.sW2 = np.empty((S, H), f8)  # W2 sign(W1)
        self.bins = np.empty((2, 2, S, H), np.intp)  # (entry, channel, seed, unit)
        self.bins[1] = np.repeat(2 * seed * L + ch, H, axis=2)  # entry 1: bin 0
        self.weights = np.empty((2, 2, S, H), f8)
        self.cd = np.empty((2, S, H), f8)
        self.CD = np.empty((S, B), complex)  # C + i D at every sample
        self.C, self.D = self.CD.real, self.CD.imag
        self.r = np.empty((S, B), f8)
        self.gb = np.empty((S, B), complex)  # g x + i g
        self.run = np.zeros((S, L), complex)  # running sums; run[:, 0] stays 0
        self.run_flat = self.run.view(f8).reshape(-1)
        self.total = self.run.view(f8).reshape(S, L, 2)[:, B].T[:, :, None]  # (2, S, 1)
        self.uv = np.empty((2, S, H), f8)
        self.vu = np.empty((2, S, H), f8)
        self.bins_flat, self.weights_flat = self.bins.reshape(-1), self.weights.reshape(-1)
        if hidden_fixed:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.place_units()

    def place_units(self):
        """Search keys of the elbows, and which units fall (W1 < 0, or W1 = -0.0)."""
        ratio = self.ratio
        np.divide(self.b1, self.W1, ratio)  # callers silence the 0-division warnings
        np.fmin(ratio, -self.lo, ratio)  # fmin/fmax also move a 0/0 NaN to a bound
        np.fmax(ratio, -1.0, ratio)
        np.add(ratio.view(np.int64), self.key_offset, self.query)
        np.signbit(self.W1, self.falling)

    def __call__(self, keys, xb, yb):
        """scale * dL/dparams of every network for one minibatch, into self.grad.

        keys: (S * batch,) ``order_keys`` of each seed's sorted minibatch x, seed after
        seed; xb, yb: (S, batch) that sorted minibatch.
        """
        B = self.B
        if not self.hidden_fixed:
            self.place_units()
        k2 = self.k2
        np.multiply(np.searchsorted(keys, self.query), 2, k2)  # 2 (k_j + s B)
        at_k = self.bins[0]
        np.add(k2, self.at_k, at_k)
        # forward. entry 0 at bin k_j: sign(W1) (c, d); entry 1 at bin 0: (c, d) if falling
        cd, w = self.cd, self.weights
        np.multiply(self.W2, self.Wb, cd)
        np.copysign(self.W2, cd[0], self.sW2)  # |W2| sign(W2 W1) = W2 sign(W1)
        np.multiply(self.sW2, self.Wb, w[0])
        np.subtract(cd, w[0], w[1])  # 0 or 2 (c, d), exactly
        np.multiply(w[1], 0.5, w[1])
        hist = np.bincount(self.bins_flat, self.weights_flat, minlength=2 * self.run.size)
        np.cumsum(hist.view(complex).reshape(self.run.shape)[:, :B], axis=-1, out=self.CD)
        r = self.r
        np.multiply(self.C, xb, r)
        np.add(r, self.D, r)
        np.add(r, self.b2, r)
        np.subtract(r, yb, r)
        # backward. g = scale dL/dy_hat; running sums of g x + i g along the batch
        gb = self.gb
        np.multiply(r, self.g_scale, gb.imag)
        np.multiply(gb.imag, xb, gb.real)
        np.cumsum(gb, axis=-1, out=self.run[:, 1:])
        uv, vu = self.uv, self.vu  # sums over b < k_j: right for falling units ...
        np.take(self.run_flat, at_k, out=uv, mode="clip")
        np.subtract(self.total, uv, vu)  # ... and total minus that for rising ones
        np.copyto(vu, uv, where=self.falling)  # vu = (v, u)
        if not self.hidden_fixed:
            np.multiply(self.W2, vu, self.dWb)
        np.multiply(self.Wb, vu, uv)
        np.add(uv[0], uv[1], self.dW2)
        np.copyto(self.db2, self.total[1, :, 0])
        return self.grad


def to_flat(theta):
    """Networks theta (S, P) -> one flat vector [W1 (S, H), b1 (S, H), W2 (S, H), b2 (S)]."""
    S, P = theta.shape
    H = (P - 1) // 3
    W = theta[:, : 3 * H].reshape(S, 3, H).transpose(1, 0, 2).reshape(-1)
    return np.concatenate([W, theta[:, 3 * H]]).astype(np.float64)


def from_flat(flat, n_seeds):
    """Inverse of to_flat, for arrays (..., 3 S H + S) -> (..., S, P)."""
    S, lead = n_seeds, flat.shape[:-1]
    H = (flat.shape[-1] // S - 1) // 3
    W = flat[..., : 3 * S * H].reshape(lead + (3, S, H))
    W = np.moveaxis(W, -3, -2).reshape(lead + (S, 3 * H))
    return np.concatenate([W, flat[..., 3 * S * H :, None]], axis=-1)


def minibatch_gradient(theta, idx, x_train, y_train, hidden_fixed=False):
    """The fast gradient of networks theta (S, P) on sorted minibatches idx (S, batch).

    The same code path as training, returning (S, P); tests compare it with backprop.
    """
    S, B = idx.shape
    grad_of = SortedBatchGradient(to_flat(theta), S, x_train, B, hidden_fixed)
    xb = x_train[idx]
    keys = order_keys(xb, grad_of.lo, grad_of.span).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return from_flat(grad_of(keys, xb, y_train[idx]), S)


def train(theta0, x_train, y_train, seeds, batch_size, snap_steps, optimizer, hidden_fixed):
    """Train networks theta0 (S, P) by minibatch steps; return their snapshots.

    Seed s's network sees seed s's minibatches. optimizer = (class from OPTIMIZERS,
    keyword arguments). With hidden_fixed only W2 and b2 are updated. Returns
    (S, n_snap, P): the parameters after each step in snap_steps (0 = the initial ones).
    """
    S, P = theta0.shape
    H = (P - 1) // 3
    n = len(x_train)
    params = to_flat(theta0)
    trainable = params[2 * S * H if hidden_fixed else 0 :]
    make, kwargs = optimizer
    opt = make(trainable.shape, **kwargs)
    grad_of = SortedBatchGradient(params, S, x_train, batch_size, hidden_fixed, opt.grad_scale)
    grad = grad_of.grad[len(params) - len(trainable) :]
    snap_steps = [int(t) for t in snap_steps]
    snaps = np.empty((len(snap_steps), len(params)))
    todo = iter(enumerate(snap_steps))
    at, when = next(todo)
    if when == 0:
        snaps[at] = params
        at, when = next(todo, (None, None))
    streams = batch_streams(seeds)
    steps = snap_steps[-1]
    # 0/0 elbows are handled (see place_units); divergence is caught by the experiments
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        for start in range(0, steps, BATCH_BLOCK):
            idx = next_minibatches(streams, n, batch_size)
            xb_block, yb_block = x_train[idx], y_train[idx]
            keys = order_keys(xb_block, grad_of.lo, grad_of.span).reshape(BATCH_BLOCK, -1)
            for t in range(min(BATCH_BLOCK, steps - start)):
                grad_of(keys[t], xb_block[t], yb_block[t])
                opt.step(trainable, grad)
                if start + t + 1 == when:
                    snaps[at] = params
                    at, when = next(todo, (None, None))
    return np.moveaxis(from_flat(snaps, S), 0, 1)


def predict_sorted(theta, x):
    """Outputs of networks theta (N, P) at sorted points x (m,), in O(m + width) each.

    The evaluation twin of SortedBatchGradient's forward pass (same rule: a point at an
    elbow counts as seen by a rising unit), used for every snapshot's train and test
    error; equal to ``predict`` up to rounding, at a fraction of the cost.
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


def relu_sgd(p: ReluSGD) -> dict[str, np.ndarray]:
    """Train every seed of one width and regime; return what the site plots and states.

    Shapes: S seeds, T snapshots, H = width, G = N_PLOT_GRID. Parameters W1, b1, W2
    (S, T, H), b2 (S, T); elbows -b1/W1 and slopes W2 W1 (S, T, H); train_mse, test_mse
    (S, T) with their quartiles over seeds; seed 0's prediction pred_grid (T, G) and its
    units' hinges units_grid (T, H, G, float32) on x_grid. elbow_displacement is, per
    seed, the median over units of |final elbow - initial elbow| (median, so one unit
    whose W1 shrinks towards 0 and sends its elbow far away does not dominate).
    """
    _check(p)
    x_train, y_train, x_test, y_test = make_data(p.target, p.n_train, p.noise_std, p.data_seed)
    snaps = snapshot_steps(p.steps, p.n_snapshots)
    traj = train(
        init_networks(p.seeds, p.width), x_train, y_train, p.seeds, p.batch_size, snaps,
        (SGD, {"lr": p.lr}), hidden_fixed=(p.regime == "output_only"),
    )  # (S, T, P)
    W1, b1, W2, b2 = (np.ascontiguousarray(a) for a in unpack(traj))
    elbows, slopes = elbows_and_slopes(traj)
    train_mse, test_mse = snapshot_errors(traj, x_train, y_train, x_test, y_test)
    x_grid = np.linspace(0.0, 1.0, N_PLOT_GRID)
    result = {
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
    {name}_final_train_mse, {name}_final_test_mse (S,); plus snap_steps and seeds.
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
    result = {"snap_steps": snaps, "seeds": np.array(p.seeds, dtype=np.int64)}
    for name, make in OPTIMIZERS.items():
        traj = train(
            theta0, x_train, y_train, p.seeds, p.batch_size, snaps, (make, settings[name]),
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
