"""Tests for course.experiments.relu: the maths, the site's claims, and bit-for-bit output.

Runs are short (few steps, few seeds) so the whole file takes seconds.
"""

import dataclasses
import typing

import numpy as np
import pytest

from course.experiments import relu as R
from course.experiments import relu_kernel as K

SHORT = dict(steps=400, n_snapshots=21)


@pytest.fixture(scope="module")
def data():
    return R.make_data("piecewise", 200, 0.01, 1)


@pytest.fixture(scope="module")
def runs():
    """Short runs of both regimes, seeds 0..4, width 10, shared by several tests."""
    common = dict(width=10, seeds=tuple(range(5)), **SHORT)
    return {
        "all_layers": R.relu_sgd(R.ReluSGD(regime="all_layers", lr=0.02, **common)),
        "output_only": R.relu_sgd(R.ReluSGD(regime="output_only", lr=0.2, **common)),
    }


def random_networks(n, width, seed=0):
    """Initial networks, moved off their initialisation so nothing is special."""
    theta = R.init_networks(range(n), width)
    return theta + 0.2 * np.random.default_rng(seed).standard_normal(theta.shape)


def numpy_predict(theta, x):
    """The network written out in numpy, independently of the kernel: the oracle."""
    h = (theta.shape[-1] - 1) // 3
    W1, b1, W2, b2 = theta[..., :h], theta[..., h : 2 * h], theta[..., 2 * h : 3 * h], theta[..., 3 * h]
    z = W1[..., :, None] * x + b1[..., :, None]
    return (W2[..., :, None] * np.maximum(z, 0.0)).sum(axis=-2) + b2[..., None]


def random_minibatches(n_nets, batch, seed=0):
    return np.random.default_rng(seed).integers(0, 200, (n_nets, batch))


# ---------------------------------------------------------------- gradients


def grad_of(theta, x, y, hidden_fixed=False, fn=None):
    """(loss, grad) of one network on one minibatch by the kernel's loss_and_grad."""
    fn = fn or R.loss_and_grad
    grad, r = np.empty(theta.shape), np.empty(len(x))
    theta, x, y = (np.ascontiguousarray(a) for a in (theta, x, y))
    loss = fn(theta, x, y, grad, r, hidden_fixed)
    return loss, grad


@pytest.mark.parametrize("hidden_fixed", [False, True])
def test_backprop_matches_central_differences(data, hidden_fixed):
    x_train, y_train, _, _ = data
    theta = random_networks(3, 6)
    idx = random_minibatches(3, 40)
    h, P = 1e-6, theta.shape[1]
    for i in range(3):
        x, y = x_train[idx[i]], y_train[idx[i]]
        loss, grad = grad_of(theta[i], x, y, hidden_fixed)
        assert loss == pytest.approx(np.mean((numpy_predict(theta[i], x) - y) ** 2), rel=1e-12)
        up = np.array([grad_of(theta[i] + h * e, x, y)[0] for e in np.eye(P)])
        down = np.array([grad_of(theta[i] - h * e, x, y)[0] for e in np.eye(P)])
        numeric = (up - down) / (2 * h)
        trained = slice(2 * 6, None) if hidden_fixed else slice(None)
        np.testing.assert_allclose(grad[trained], numeric[trained], rtol=1e-6, atol=1e-9)
        if hidden_fixed:
            assert not grad[: 2 * 6].any()  # dL/dW1 and dL/db1 are not computed


@pytest.mark.parametrize("width", [5, 10, 16, 23, 40])
def test_compiled_backprop_is_the_python_code_bit_for_bit(data, width):
    """The compiled loss_and_grad gives the very bits of its own source run as plain Python
    (IEEE double arithmetic, one operation at a time). So LLVM neither reordered a sum nor
    fused a multiply and an add into an FMA, whatever vector width it used for the loops
    (widths below and above the vectorised loops' minimum trip count)."""
    x_train, y_train, _, _ = data
    theta = random_networks(2, width, seed=width)
    theta[0, 0] = -0.0  # a flat unit with W1 = -0.0 ...
    theta[1, 0] = 0.0  # ... and one with W1 = +0.0
    idx = random_minibatches(2, 40, seed=width)
    for i in range(2):
        for hidden_fixed in (False, True):
            args = theta[i], x_train[idx[i]], y_train[idx[i]], hidden_fixed
            compiled, python = grad_of(*args), grad_of(*args, fn=R.loss_and_grad.py_func)
            assert compiled[0] == python[0]
            assert np.array_equal(compiled[1].view(np.int64), python[1].view(np.int64))


def run_kernel(kernel, theta, data, idx, snap_steps, optimizer, hyper, hidden_fixed):
    """train_network's snapshots and errors for one network."""
    x_train, y_train, x_test, y_test = data
    snaps = np.empty((len(snap_steps), len(theta)))
    train_mse, test_mse = np.empty(len(snap_steps)), np.empty(len(snap_steps))
    kernel(
        theta,
        x_train,
        y_train,
        x_test,
        y_test,
        idx,
        snap_steps,
        snaps,
        train_mse,
        test_mse,
        optimizer,
        hyper,
        hidden_fixed,
    )
    return snaps, train_mse, test_mse


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("width,hidden_fixed", [(6, False), (6, True), (20, False), (40, True)])
def test_compiled_kernel_is_the_python_code_bit_for_bit(data, monkeypatch, name, width, hidden_fixed):
    """A few training steps of the compiled kernel against its source run as plain Python
    (optimiser updates and snapshot errors included): every snapshot bit-equal."""
    theta = R.init_network(4, width)
    idx = R.minibatch_indices(4, 200, 40, 12)
    snap_steps = np.array([0, 1, 5, 12])
    hyper = np.array([0.05, 0.9, 0.9, 0.999, 1e-8])
    compiled = run_kernel(K.train_network, theta, data, idx, snap_steps, K.OPTIMIZERS[name], hyper, hidden_fixed)
    for fn in ("forward", "mean_squared_error", "loss_and_grad"):  # every kernel as plain Python
        monkeypatch.setattr(K, fn, getattr(K, fn).py_func)
    python = run_kernel(K.train_network.py_func, theta, data, idx, snap_steps, K.OPTIMIZERS[name], hyper, hidden_fixed)
    for a, b in zip(compiled, python):
        assert np.array_equal(a.view(np.int64), b.view(np.int64))
    assert not np.array_equal(compiled[0][-1], theta)


def test_the_kernel_has_its_own_module_and_the_experiment_one_forward_pass():
    """The compiled code lives in relu_kernel; the experiment module holds no compiled
    function and no second way of evaluating a network (issue 10, section 4)."""
    import inspect

    source = inspect.getsource(R)
    assert "import numba" not in source and "njit" not in source
    for fn in (K.forward, K.mean_squared_error, K.loss_and_grad, K.train_network):
        assert hasattr(fn, "py_func"), fn  # a numba dispatcher
    assert not any(hasattr(R, name) for name in ("predict_sorted", "snapshot_errors", "fixed_sum", "mse"))
    assert "forward(" in inspect.getsource(R.predict)


def test_forward_pass_matches_numpy(data):
    _, _, x_test, _ = data
    theta = random_networks(6, 20)
    for i in range(len(theta)):
        np.testing.assert_allclose(R.predict(theta[i], x_test), numpy_predict(theta[i], x_test), rtol=1e-12, atol=1e-13)


def test_snapshot_errors_are_the_training_forward_pass_bit_for_bit(runs, data):
    """The errors at each snapshot are what the kernel's own forward pass gives for the
    snapshot's parameters: the network that was trained is the network that was scored."""
    x_train, y_train, x_test, y_test = data
    r = runs["all_layers"]
    theta = np.concatenate([r["W1"], r["b1"], r["W2"], r["b2"][..., None]], axis=-1)
    for s in range(theta.shape[0]):
        for t in (0, len(r["snap_steps"]) // 2, len(r["snap_steps"]) - 1):
            assert r["train_mse"][s, t] == K.mean_squared_error(theta[s, t], x_train, y_train, np.empty(len(x_train)))
            assert r["test_mse"][s, t] == K.mean_squared_error(theta[s, t], x_test, y_test, np.empty(len(x_test)))


def test_each_run_records_its_regime_and_the_figures_read_it(runs):
    """Which regime trained a run is a result, not a guess from unchanged parameters."""
    from course.figures import relu as F

    for regime, r in runs.items():
        assert bool(r["output_only"]) == (regime == "output_only")
        assert R.REGIMES[int(r["regime"])] == regime
        assert F._output_only(r) == (regime == "output_only")
    # a run whose hidden layer happens not to move is still all-layers if it says so
    still = dict(runs["output_only"], output_only=np.array(False))
    assert F._regime(still) == F.ALL_LAYERS


def test_the_shown_seed_is_the_median_seed(runs):
    """Issue 10, 2.4: the seed the players show is chosen by a rule computed from the
    sweep, the median of the final training errors (the lower middle one), recomputed
    here with numpy's own ranking."""
    for r in runs.values():
        finals = r["final_train_mse"]
        ranks = np.argsort(np.argsort(finals, kind="stable"), kind="stable")  # 0 = lowest
        (shown,) = np.flatnonzero(ranks == (len(finals) - 1) // 2)
        assert int(r["shown"]) == shown and int(r["shown_seed"]) == r["seeds"][shown]
        assert int(r["shown_rank"]) == ranks[shown] + 1
        assert np.sum(finals < finals[shown]) <= len(finals) // 2 <= np.sum(finals <= finals[shown]) + 1


def test_the_target_differences_from_the_notebook_are_recorded(runs, data):
    """Issue 10, 2.5: where the notebook's ceil formula differs from the target used here,
    found independently on the test points."""
    _, _, x_test, y_test = data
    t, k = 10 * x_test, 12345
    notebook = (t - np.floor(t)) * np.sin(k * np.ceil(t)) - (t - np.ceil(t)) * np.sin(k * np.floor(t))
    differ = notebook != y_test
    r = runs["all_layers"]
    assert np.array_equal(r["notebook_differs_x"], x_test[differ]) and differ.sum() >= 1
    assert np.array_equal(r["notebook_differs_y"], notebook[differ])
    assert np.array_equal(r["target_differs_y"], y_test[differ])
    assert np.all(np.isclose(10 * x_test[differ], np.round(10 * x_test[differ])))  # only at knots


# ---------------------------------------------------------------- the task


def test_piecewise_target_knots_and_segments():
    f = R.piecewise_target
    knots = np.arange(11) / 10
    heights = f(knots)
    assert np.all(np.abs(heights) <= 1.0)
    np.testing.assert_allclose(heights, np.sin(12345 * np.arange(11)), atol=1e-12)
    # linear between knots: f at a fraction a of the way is the weighted mean of the ends
    for a in (0.0, 0.25, 0.5, 0.9):
        between = f((np.arange(10) + a) / 10)
        np.testing.assert_allclose(between, (1 - a) * heights[:-1] + a * heights[1:], atol=1e-9)


def test_piecewise_target_is_the_notebook_formula_off_the_knots():
    x = np.random.default_rng(0).random(1000)
    t, k = 10 * x, 12345
    notebook = (t - np.floor(t)) * np.sin(k * np.ceil(t)) - (t - np.ceil(t)) * np.sin(k * np.floor(t))
    assert np.array_equal(R.piecewise_target(x), notebook)


def test_data_matches_the_notebook_recipe(data):
    x_train, y_train, x_test, y_test = data
    rs = np.random.RandomState(1)
    x = np.sort(rs.rand(200))
    assert np.array_equal(x_train, x)
    assert np.array_equal(y_train, R.piecewise_target(x) + 0.01 * rs.randn(200))
    assert len(x_test) == 1200 and np.all(np.diff(x_test) >= 0)
    assert np.isin(x_train, x_test).all() and np.isin(np.linspace(0, 1, 1000), x_test).all()
    assert np.array_equal(y_test, R.piecewise_target(x_test))


def test_initialisation_elbows_sorted_on_unit_interval():
    theta = R.init_network(3, 20)
    elbows, _ = R.elbows_and_slopes(theta)
    assert np.all(np.diff(elbows) >= -1e-12) and np.all((elbows > -1e-12) & (elbows < 1 + 1e-12))
    W1, _, W2, b2 = R.unpack(theta)
    assert np.all(np.abs(W1) <= 1) and np.all(np.abs(W2) <= 1 / np.sqrt(20))
    assert abs(b2) <= 1 / np.sqrt(20)


def test_snapshot_steps_dense_at_start():
    s = R.snapshot_steps(30000, 81)
    assert s[0] == 0 and s[-1] == 30000 and len(s) == 81
    assert np.all(np.diff(s) > 0) and np.all(np.diff(np.diff(s)) >= -1)
    assert s[10] < 30000 / 50  # a good share of frames in the first 2% of training


# ---------------------------------------------------------------- the site's claims


def test_output_only_elbows_stay_put_bit_for_bit(runs):
    r = runs["output_only"]
    for key in ("elbows", "W1", "b1"):
        assert all(np.array_equal(r[key][:, i], r[key][:, 0]) for i in range(len(r["snap_steps"])))
    assert np.array_equal(r["elbow_displacement"], np.zeros(5))
    assert not np.array_equal(r["W2"][:, -1], r["W2"][:, 0])  # but the output layer learns


def test_all_layers_elbows_move(runs):
    r = runs["all_layers"]
    assert np.all(r["elbow_displacement"] > 0)
    assert np.all(np.any(r["elbows"][:, -1] != r["elbows"][:, 0], axis=-1))


def test_both_regimes_start_from_the_same_networks(runs):
    a, b = runs["all_layers"], runs["output_only"]
    for key in ("W1", "b1", "W2", "b2", "train_mse", "test_mse"):
        assert np.array_equal(a[key][:, 0], b[key][:, 0])


def test_training_loss_falls(runs):
    for r in runs.values():
        assert np.median(r["final_train_mse"]) < np.median(r["train_mse"][:, 0])
        assert r["train_mse_p50"][-1] < r["train_mse_p50"][0]


def test_quartile_bands_are_quartiles():
    bands = R.quartile_bands("v", np.arange(101.0)[:, None] * np.ones(3))
    assert np.array_equal(bands["v_p25"], [25.0] * 3)
    assert np.array_equal(bands["v_p50"], [50.0] * 3)
    assert np.array_equal(bands["v_p75"], [75.0] * 3)


def test_result_bands_are_quartiles_over_seeds(runs):
    r = runs["all_layers"]
    for name in ("train_mse", "test_mse"):
        for q in (25, 50, 75):
            assert np.array_equal(r[f"{name}_p{q}"], np.percentile(r[name], q, axis=0))
        assert np.all(r[f"{name}_p25"] <= r[f"{name}_p75"])


def test_errors_and_plots_agree_with_the_parameters(runs, data):
    x_train, y_train, x_test, y_test = data
    r = runs["all_layers"]
    theta = np.concatenate([r["W1"], r["b1"], r["W2"], r["b2"][..., None]], axis=-1)
    i = len(r["snap_steps"]) // 2
    np.testing.assert_allclose(
        r["train_mse"][:, i], np.mean((numpy_predict(theta[:, i], x_train) - y_train) ** 2, axis=-1), rtol=1e-10
    )
    np.testing.assert_allclose(
        r["test_mse"][:, i], np.mean((numpy_predict(theta[:, i], x_test) - y_test) ** 2, axis=-1), rtol=1e-10
    )
    shown = int(r["shown"])
    np.testing.assert_allclose(r["pred_grid"], numpy_predict(theta[shown], r["x_grid"]), rtol=1e-12, atol=1e-12)
    grid_units = r["units_grid"].astype(np.float64).sum(axis=1) + r["b2"][shown][:, None]
    np.testing.assert_allclose(grid_units, r["pred_grid"], atol=1e-5)
    np.testing.assert_allclose(r["slopes"], r["W2"] * r["W1"])
    np.testing.assert_allclose(r["elbows"] * r["W1"], -r["b1"], atol=1e-12)


# ---------------------------------------------------------------- bit-for-bit


PER_SEED = (
    "W1",
    "b1",
    "W2",
    "b2",
    "elbows",
    "slopes",
    "train_mse",
    "test_mse",
    "final_train_mse",
    "final_test_mse",
    "elbow_displacement",
)


@pytest.mark.parametrize("regime,lr", [("all_layers", 0.02), ("output_only", 0.2)])
def test_a_seed_alone_gives_the_same_bits_as_in_the_sweep(regime, lr):
    """Trajectories (all snapshots, 1500 steps), not just end points: SGD amplifies any
    last-bit difference, so equality here means no arithmetic mixes networks."""
    run = dict(width=10, regime=regime, lr=lr, steps=1500, n_snapshots=31)
    sweep = R.relu_sgd(R.ReluSGD(**run))  # the site's 30 seeds
    for seed in (0, 17):
        alone = R.relu_sgd(R.ReluSGD(seeds=(seed,), **run))
        for key in PER_SEED:
            assert np.array_equal(alone[key][0], sweep[key][seed]), key
    reordered = R.relu_sgd(R.ReluSGD(seeds=(29, 3, 11), **run))
    for key in PER_SEED:
        assert np.array_equal(reordered[key], sweep[key][[29, 3, 11]]), key
    # the shown network's frames are that seed's, whichever other seeds are trained
    shown = int(sweep["seeds"][sweep["shown"]])
    only = R.relu_sgd(R.ReluSGD(seeds=(shown,), **run))
    assert np.array_equal(only["pred_grid"], sweep["pred_grid"])


def test_optimizers_seed_alone_same_bits():
    common = dict(width=8, steps=300, n_snapshots=11)
    sweep = R.relu_optimizers(R.ReluOptimizers(seeds=(0, 1, 2), **common))
    alone = R.relu_optimizers(R.ReluOptimizers(seeds=(2,), **common))
    for name in R.OPTIMIZERS:
        for key in (f"{name}_train_mse", f"{name}_test_mse"):
            assert np.array_equal(alone[key][0], sweep[key][2]), key


@pytest.mark.slow
def test_same_bits_on_other_cpu_kernels_and_thread_counts():
    """Neither numpy's SIMD kernels (Section 1's experiments too), nor BLAS settings, nor the code numba generates for
    this CPU may reach the output (determinism.md): rerun with AVX-512 disabled, then also
    AVX2, with one BLAS thread and another OpenBLAS core type, the second time with the
    kernel compiled for a generic x86-64 (SSE2 only: other vector widths, no FMA), and
    compare digests."""
    import os
    import subprocess
    import sys

    from numpy._core._multiarray_umath import __cpu_features__

    avx512 = [f for f in ("X86_V4", "AVX512_ICL", "AVX512_SPR") if __cpu_features__.get(f)]
    avx2 = [f for f in ("X86_V3",) if __cpu_features__.get(f)]
    if not avx512 + avx2:
        pytest.skip("no dispatchable SIMD level above the baseline on this CPU")
    probe = (avx512 + avx2)[0]
    script = (
        "import hashlib, numpy as np\n"
        "from coursegen.stages import registry\nregistry.load(__import__('pathlib').Path.cwd())\nfrom course.experiments import relu as R\n"
        "h = hashlib.sha256()\n"
        "for r in (R.relu_sgd(R.ReluSGD(width=20, seeds=(0, 1), steps=800, n_snapshots=9)),\n"
        "          R.relu_sgd(R.ReluSGD(width=10, seeds=(3,), steps=300, n_snapshots=4,\n"
        "                               regime='output_only', lr=0.2)),\n"
        "          R.relu_optimizers(R.ReluOptimizers(width=6, seeds=(2,), steps=300, n_snapshots=4))):\n"
        "    for k in sorted(r):\n"
        "        h.update(k.encode()); h.update(np.ascontiguousarray(r[k]).tobytes())\n"
        "EXPERIMENTS = registry.kinds().experiments\n"
        "from coursegen.stages.parameters import params_type\n"
        "for kind in ('gd_constant', 'gd_linear'):  # Section 1's, on their defaults (log10s)\n"
        "    r = EXPERIMENTS[kind](params_type(EXPERIMENTS[kind])())\n"
        "    for k in sorted(r):\n"
        "        h.update(k.encode()); h.update(np.ascontiguousarray(r[k]).tobytes())\n"
        "from numpy._core._multiarray_umath import __cpu_features__ as f\n"
        f"print(h.hexdigest(), f[{probe!r}])\n"
    )
    build = os.path.dirname(os.path.dirname(os.path.dirname(R.__file__)))

    def digest(**env):
        full = {**os.environ, "PYTHONPATH": build, **env}
        out = subprocess.run([sys.executable, "-c", script], env=full, capture_output=True, text=True, check=True)
        return out.stdout.strip()

    reference, enabled = digest().split()
    assert enabled == "True"
    blas = dict(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_CORETYPE="Sandybridge")
    other, enabled = digest(NPY_DISABLE_CPU_FEATURES=" ".join(avx512 or avx2), **blas).split()
    assert enabled == "False" and other == reference
    other, enabled = digest(NPY_DISABLE_CPU_FEATURES=" ".join(avx2 + avx512), NUMBA_CPU_NAME="generic", **blas).split()
    assert enabled == "False" and other == reference


def test_two_calls_give_the_same_bits(runs):
    again = R.relu_sgd(R.ReluSGD(width=10, regime="all_layers", lr=0.02, seeds=tuple(range(5)), **SHORT))
    first = runs["all_layers"]
    assert again.keys() == first.keys()
    for key in first:
        assert np.array_equal(again[key], first[key]), key


def test_short_run_is_a_prefix_of_a_long_one():
    short = R.relu_sgd(R.ReluSGD(width=10, seeds=(1,), steps=100, n_snapshots=2))
    long = R.relu_sgd(R.ReluSGD(width=10, seeds=(1,), steps=700, n_snapshots=2))
    short_theta = np.concatenate([short[k][:, -1] for k in ("W1", "b1", "W2")], axis=-1)
    # rerun the long schedule's first 100 steps by asking for a snapshot there
    mid = R.train(
        R.init_networks((1,), 10),
        R.make_data("piecewise", 200, 0.01, 1),
        (1,),
        40,
        [0, 100, 700],
        ("sgd", {"lr": 0.02}),
        hidden_fixed=False,
    ).params
    assert np.array_equal(mid[0, 1, :30], short_theta[0])
    assert np.array_equal(mid[0, 2, :30], np.concatenate([long[k][0, -1] for k in ("W1", "b1", "W2")]))
    idx = R.minibatch_indices(1, 200, 40, 1234)
    assert np.array_equal(R.minibatch_indices(1, 200, 40, 600), idx[:600])
    assert idx.dtype == np.int16 and idx.min() >= 0 and idx.max() < 200


def test_minibatch_indices_kept_for_the_next_experiment_are_the_streams_and_read_only():
    """A process keeps each seed's indices for the experiments after it: the same as a
    stream drawn here (numpy's generator for the seed, in blocks), and no caller can
    change them for the next one."""
    for seed in (0, 3):
        kept = R.minibatch_indices(seed, 200, 40, 1100)
        rng = np.random.default_rng([R.STREAM_BATCH, seed])
        drawn = np.concatenate([rng.integers(0, 200, (R.BATCH_BLOCK, 40), dtype=np.int16) for _ in range(3)])
        assert np.array_equal(kept, drawn[:1100])
        assert R.minibatch_indices(seed, 200, 40, 1100) is kept
        with pytest.raises(ValueError, match="read-only"):
            kept[0, 0] = 1
        with pytest.raises(ValueError):
            kept.flags.writeable = True
    with pytest.raises(TypeError):
        R.minibatch_indices(0, 200, 40.0, 1100)  # not taken for the kept batch size 40


# ---------------------------------------------------------------- optimisers


def test_momentum_and_adam_follow_pytorch_formulas(data):
    """The kernel's updates against PyTorch's formulas written out here (with pow for
    beta^t), fed the same gradients, step by step."""
    x_train, y_train, _, _ = data
    theta = R.init_network(0, 7)
    steps = 6
    idx = R.minibatch_indices(0, 200, 40, steps)
    settings = {"lr": 0.02, "mu": 0.9, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    hyper = np.array(list(settings.values()))
    for name in ("momentum", "adam"):
        snaps, _, _ = run_kernel(
            K.train_network, theta, data, idx, np.arange(steps + 1), K.OPTIMIZERS[name], hyper, False
        )
        p, v, m, s = theta.copy(), np.zeros(len(theta)), np.zeros(len(theta)), np.zeros(len(theta))
        for t in range(1, steps + 1):
            _, g = grad_of(p, x_train[idx[t - 1]], y_train[idx[t - 1]])
            if name == "momentum":
                v = 0.9 * v + g
                p = p - 0.02 * v
            else:
                m = 0.9 * m + 0.1 * g
                s = 0.999 * s + 0.001 * g * g
                p = p - 0.02 / (1 - 0.9**t) * m / (np.sqrt(s) / np.sqrt(1 - 0.999**t) + 1e-8)
            np.testing.assert_allclose(snaps[t], p, rtol=1e-12, atol=1e-15)


def test_optimizer_comparison_runs(data):
    r = R.relu_optimizers(R.ReluOptimizers(width=8, seeds=(0, 1, 2), steps=300, n_snapshots=11))
    for name in ("sgd", "momentum", "adam"):
        assert r[f"{name}_train_mse"].shape == (3, len(r["snap_steps"]))
        assert np.array_equal(r[f"{name}_train_mse"][:, 0], r["sgd_train_mse"][:, 0])
        assert r[f"{name}_train_mse_p50"][-1] < r[f"{name}_train_mse_p50"][0]
    # same seeds, minibatches and start: plain SGD here equals relu_sgd's all-layer run
    sgd = R.relu_sgd(R.ReluSGD(width=8, seeds=(0, 1, 2), steps=300, n_snapshots=11))
    assert np.array_equal(sgd["train_mse"], r["sgd_train_mse"])


# ---------------------------------------------------------------- the pipeline's contract


ALLOWED = {int, float, bool, str, tuple[float, ...], tuple[int, ...]}


@pytest.mark.parametrize("name", ["relu_sgd", "relu_optimizers"])
def test_experiment_interface(name):
    fn = R.EXPERIMENTS[name]
    hints = typing.get_type_hints(fn)
    params = [p for p in hints if p != "return"]
    assert len(params) == 1 and hints["return"] == dict[str, np.ndarray]
    cls = hints[params[0]]
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    field_types = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        assert field_types[field.name] in ALLOWED, field.name
        assert field.default is not dataclasses.MISSING, field.name
    assert R.ReluSGD().seeds == tuple(range(30)) and R.ReluSGD().steps == 30000


def test_outputs_are_named_finite_arrays(runs):
    r = runs["all_layers"]
    opt = R.relu_optimizers(R.ReluOptimizers(width=6, seeds=(0, 1), steps=200, n_snapshots=5))
    for result in (r, runs["output_only"], opt):
        for key, value in result.items():
            assert key.isidentifier() and isinstance(value, np.ndarray), key
            if value.dtype.kind in "fc":
                assert np.isfinite(value).all(), key
    S, T, H = 5, len(r["snap_steps"]), 10
    assert r["W1"].shape == r["elbows"].shape == (S, T, H) and r["b2"].shape == (S, T)
    assert r["train_mse"].shape == (S, T) and r["train_mse_p50"].shape == (T,)
    assert r["pred_grid"].shape == (T, R.N_PLOT_GRID)
    assert r["units_grid"].shape == (T, H, R.N_PLOT_GRID) and r["units_grid"].dtype == np.float32
    assert r["snap_steps"].dtype == np.int64 and r["snap_steps"][-1] == SHORT["steps"]


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match=r"regime must be one of"):
        R.relu_sgd(R.ReluSGD(regime="hidden_only"))
    with pytest.raises(ValueError, match=r"target must be one of"):
        R.relu_sgd(R.ReluSGD(target="square"))


def test_divergence_is_an_error_not_nan():
    with pytest.raises(FloatingPointError, match=r"training diverged"):
        R.relu_sgd(R.ReluSGD(width=10, seeds=(0,), steps=300, n_snapshots=3, lr=50.0))


def test_elbows_finite_for_flat_units():
    theta = random_networks(2, 4)
    theta[0, 1] = 0.0
    elbows, slopes = R.elbows_and_slopes(theta)
    assert np.isfinite(elbows).all() and elbows[0, 1] == 0.0
