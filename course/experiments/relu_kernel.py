"""The compiled part of Section 2: one network's forward pass, backprop and training loop.

Everything here is a numba kernel over one network at a time, written with scalar loops
and compiled without fast-math flags. LLVM then neither reorders floating-point
operations nor fuses a multiply and an add into an FMA, so every sum is added in the
order the loops spell out and the bits do not depend on the vector width the compiler
picks (the loops it vectorises are elementwise; tests compare each kernel with its own
code run as plain Python, bit for bit). No transcendental function is used (Adam's
sqrt is IEEE-exact).

There is one forward pass, ``forward``: training evaluates the minibatch with it, and at
every snapshot the same function gives the training and test error, so the errors the
site quotes are computed by the very code that trained the network.

A network's parameters are one flat vector theta = [W1 (H), b1 (H), W2 (H), b2] for
y_hat(x) = sum_j W2_j relu(W1_j x + b1_j) + b2.
"""

import math

import numba
import numpy as np

SGD, MOMENTUM, ADAM = 0, 1, 2
OPTIMIZERS = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM}
HYPER_DEFAULTS = {"lr": 0.02, "mu": 0.9, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


@numba.njit(cache=True, error_model="numpy")
def forward(theta, x, out):
    """The network's outputs at the points x (B,) into out (B,).

    Unit after unit is added into every point's output (each inner loop is elementwise,
    so it may vectorise without changing a bit), then b2.
    """
    H = (theta.size - 1) // 3
    B = x.size
    out[:] = 0.0
    for j in range(H):
        w1, b1, w2 = theta[j], theta[H + j], theta[2 * H + j]
        for b in range(B):
            z = w1 * x[b] + b1
            out[b] += w2 * (z if z > 0.0 else 0.0)
    b2 = theta[3 * H]
    for b in range(B):
        out[b] += b2


@numba.njit(cache=True, error_model="numpy")
def mean_squared_error(theta, x, y, work):
    """MSE of the network on (x, y), summed in index order; work (len(x),) is scratch."""
    forward(theta, x, work)
    total = 0.0
    for b in range(x.size):
        r = work[b] - y[b]
        total += r * r
    return total / x.size


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

    Every sum is added in index order. The backward pass adds sample after sample into
    every unit's gradient: each inner loop is elementwise.
    """
    H = (theta.size - 1) // 3
    B = x.size
    W1, b1, W2 = theta[:H], theta[H : 2 * H], theta[2 * H : 3 * H]
    dW1, db1, dW2 = grad[:H], grad[H : 2 * H], grad[2 * H : 3 * H]
    forward(theta, x, r)  # r_b = y_hat_b, then the residual y_hat_b - y_b
    loss = 0.0
    for b in range(B):
        r[b] = r[b] - y[b]
        loss += r[b] * r[b]
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
def train_network(
    theta, x_train, y_train, x_test, y_test, idx, snap_steps, snaps, train_mse, test_mse, optimizer, hyper, hidden_fixed
):
    """Train one network, from theta (3 H + 1,), on the minibatches x_train[idx[t]].

    Step t gathers minibatch t, calls ``loss_and_grad`` and updates the parameters.
    After snap_steps[k] steps (increasing, from 0; the last is the number of steps, at
    most len(idx)) it writes the parameters into snaps[k] and the network's MSE on the
    whole training set and on the test set into train_mse[k] and test_mse[k]. With
    hidden_fixed only W2 and b2 are updated. optimizer is SGD, MOMENTUM or ADAM with
    hyper = [lr, mu, beta1, beta2, eps], using PyTorch's update rules with g = dL/dp:

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
    work = np.empty(max(x_train.size, x_test.size))
    beta1_t = beta2_t = 1.0
    k = 0
    for t in range(snap_steps[-1] + 1):
        if t == snap_steps[k]:
            snaps[k, :] = p
            train_mse[k] = mean_squared_error(p, x_train, y_train, work[: x_train.size])
            test_mse[k] = mean_squared_error(p, x_test, y_test, work[: x_test.size])
            k += 1
        if t == snap_steps[-1]:
            break
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
