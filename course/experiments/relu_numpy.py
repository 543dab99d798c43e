"""Section 2's training without numba: every seed's network at once, in numpy, bit for bit.

``relu.train`` trains one network at a time with the compiled kernel (``relu_kernel``).
Without numba that kernel runs as plain Python, far too slowly (about a minute per
configuration). ``train_vectorised`` takes the same arguments and returns the same
``Trained``, but takes each SGD step for all seeds together: the parameters are
(units, seeds) arrays, a minibatch is a (batch, units, seeds) array, and each step is a
few dozen numpy operations over all networks. The worksheet's notebook uses it when
numba is missing (``course.notebook``).

It adds in the kernel's order, so its bits are the kernel's (the tests compare them):

* every operation is elementwise, with no fused multiply-add, as in the kernel;
* a sum over the hidden units or over the batch is a numpy reduction over an axis that is
  not the innermost one in memory: numpy then adds the slices one after another in
  index order (pairwise summation is used only along the innermost axis). Starting from
  the first term instead of the kernel's 0.0 changes no value (0.0 + t == t). The
  innermost axis is the seeds' (or the points'), so there must be two of them at least:
  numpy drops an axis of length 1, and the summed axis would become the innermost. A
  single network is therefore trained next to a copy of itself.

Only the sign of a zero can differ (``maximum`` against the kernel's ``z if z > 0``),
and a zero of either sign adds and multiplies to the same nonzero values. No operation
mixes two networks, so, as with the kernel, a network's trajectory depends only on its
own seed. Plain SGD only: momentum and Adam are the optimizer page's, not the notebook's.
"""

import numpy as np

from course.experiments.relu import Trained, minibatch_indices


def train_vectorised(theta0, data, seeds, batch_size, snap_steps, optimizer, hidden_fixed, progress=None) -> Trained:
    """``relu.train`` for SGD, all seeds at once; ``progress(n)`` is told of every n steps."""
    name, settings = optimizer
    if name != "sgd":
        raise NotImplementedError(f"train_vectorised trains with plain SGD only, not {name!r}")
    lr = float(settings.get("lr", 0.02))
    snap_steps = np.asarray(snap_steps, dtype=np.int64)
    if snap_steps[0] != 0 or np.any(np.diff(snap_steps) <= 0):
        raise ValueError("snap_steps must increase from 0")
    theta0 = np.asarray(theta0, dtype=np.float64)
    if len(seeds) == 1:  # see the module's docstring: the seeds' axis must not vanish
        two = train_vectorised(
            np.repeat(theta0, 2, axis=0),
            data,
            (*seeds, *seeds),
            batch_size,
            snap_steps,
            optimizer,
            hidden_fixed,
            progress,
        )
        return Trained(two.params[:1], two.train_mse[:1], two.test_mse[:1])
    x_train, y_train, x_test, y_test = (np.ascontiguousarray(a, dtype=np.float64) for a in data)
    S, P = theta0.shape
    H, B, steps = (P - 1) // 3, batch_size, int(snap_steps[-1])
    W1, b1, W2 = (np.ascontiguousarray(theta0[:, k * H : (k + 1) * H].T) for k in range(3))  # (H, S)
    b2 = theta0[:, 3 * H].copy()  # (S,)
    out = Trained(np.empty((S, len(snap_steps), P)), np.empty((S, len(snap_steps))), np.empty((S, len(snap_steps))))
    idx = np.stack([minibatch_indices(s, len(x_train), B, steps) for s in seeds], axis=-1)  # (steps, B, S)

    # Work arrays, allocated once: fresh ones of this size cost more than the arithmetic.
    z, a, tmp = (np.empty((B, H, S)) for _ in range(3))
    mask = np.empty((B, H, S), dtype=bool)
    xb, yb, g, yhat = (np.empty((B, S)) for _ in range(4))
    gW1, gb1, gW2, upd = (np.empty((H, S)) for _ in range(4))
    gb2, upd2 = np.empty(S), np.empty(S)
    xe, ge = xb[:, None, :], g[:, None, :]  # broadcast over the units

    k = 0
    for t in range(steps + 1):
        if t == snap_steps[k]:
            out.params[:, k] = np.concatenate([W1.T, b1.T, W2.T, b2[:, None]], axis=1)
            out.train_mse[:, k] = _mse(W1, b1, W2, b2, x_train, y_train)
            out.test_mse[:, k] = _mse(W1, b1, W2, b2, x_test, y_test)
            k += 1
        if t == steps:
            break
        if progress is not None and t % 1000 == 0:
            progress(min(1000, steps - t))
        np.take(x_train, idx[t], out=xb)
        np.take(y_train, idx[t], out=yb)
        # forward: z_jb = W1_j x_b + b1_j, y_hat_b = sum_j W2_j relu(z_jb) + b2
        np.multiply(xe, W1, out=z)
        np.add(z, b1, out=z)
        np.maximum(z, 0.0, out=a)
        np.multiply(a, W2, out=tmp)
        np.sum(tmp, axis=1, out=yhat)
        np.add(yhat, b2, out=yhat)
        # backward: g_b = 2 r_b / B, then the sums over the batch
        np.subtract(yhat, yb, out=g)
        np.multiply(g, 2.0, out=g)
        np.divide(g, B, out=g)
        np.multiply(ge, a, out=tmp)
        np.sum(tmp, axis=0, out=gW2)
        np.sum(g, axis=0, out=gb2)
        if not hidden_fixed:
            np.greater(z, 0.0, out=mask)
            np.multiply(ge, W2, out=tmp)  # dL/da_jb
            np.multiply(tmp, mask, out=tmp)  # dL/dz_jb
            np.sum(tmp, axis=0, out=gb1)
            np.multiply(tmp, xe, out=tmp)
            np.sum(tmp, axis=0, out=gW1)
            np.multiply(gW1, lr, out=upd)
            np.subtract(W1, upd, out=W1)
            np.multiply(gb1, lr, out=upd)
            np.subtract(b1, upd, out=b1)
        np.multiply(gW2, lr, out=upd)
        np.subtract(W2, upd, out=W2)
        np.multiply(gb2, lr, out=upd2)
        np.subtract(b2, upd2, out=b2)
    return out


def _mse(W1, b1, W2, b2, x, y):
    """Every network's MSE on (x, y), (S,): the kernel's ``mean_squared_error``, unit by unit."""
    n, s = x.size, W1.shape[1]
    x = x[:, None]
    total, z = np.zeros((n, s)), np.empty((n, s))
    for j in range(W1.shape[0]):
        np.multiply(x, W1[j], out=z)
        np.add(z, b1[j], out=z)
        np.maximum(z, 0.0, out=z)
        np.multiply(z, W2[j], out=z)
        np.add(total, z, out=total)
    np.add(total, b2, out=total)
    np.subtract(total, y[:, None], out=total)
    np.multiply(total, total, out=total)
    return total.sum(axis=0) / n


def predict_vectorised(theta, x):
    """``relu.predict`` without the kernel: one network's outputs at x, in its order."""
    theta, x = np.asarray(theta, dtype=np.float64), np.asarray(x, dtype=np.float64)
    if x.size == 1:  # see the module's docstring: the points' axis must not vanish
        return predict_vectorised(theta, np.repeat(x, 2))[:1]
    h = (theta.size - 1) // 3
    W1, b1, W2, b2 = theta[:h, None], theta[h : 2 * h, None], theta[2 * h : 3 * h, None], theta[3 * h]
    z = W1 * x + b1  # (H, len(x)): sums over axis 0 go in order
    return (W2 * np.maximum(z, 0.0)).sum(axis=0) + b2
