"""The theory claims of EECS 182 Discussion 1, Section 1, checked on the experiment code."""

import dataclasses
import typing

import numpy as np
import pytest

from course.experiments import gd

MODELS = [
    pytest.param(gd.constant_model, gd.ConstantModel(), id="constant"),
    pytest.param(gd.linear_model, gd.LinearModel(), id="linear"),
]


@pytest.fixture(scope="module")
def const():
    return gd.constant_model(gd.ConstantModel())


@pytest.fixture(scope="module")
def lin():
    return gd.linear_model(gd.LinearModel())


def _theta_star(name, x, y):
    """The closed forms, written out independently of the module."""
    return np.mean(y) if name == "constant" else np.sum(x * y) / np.sum(x**2)


# ------------------------------------------------------------------ interface contract


ALLOWED_FIELD_TYPES = {int, float, bool, str, tuple[float, ...], tuple[int, ...]}


@pytest.mark.parametrize("function, params", MODELS)
def test_interface_contract(function, params):
    hints = typing.get_type_hints(function)
    assert hints.pop("return") == dict[str, np.ndarray]
    (cls,) = hints.values()
    assert cls is type(params)
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    for field in dataclasses.fields(cls):
        assert field.type in ALLOWED_FIELD_TYPES, field.name
        assert field.default is not dataclasses.MISSING, field.name
    results = function(params)
    for key, value in results.items():
        assert key.isidentifier()
        assert isinstance(value, np.ndarray) and value.dtype.kind in "biuf", key
    assert gd.EXPERIMENTS == {"gd_constant": gd.constant_model, "gd_linear": gd.linear_model}


def test_result_shapes(const, lin):
    p = gd.ConstantModel()
    n, s, t, r = p.n_points, len(p.step_sizes), p.steps, p.sgd_runs
    for res in (const, lin):
        assert res["x"].shape == res["y"].shape == res["votes"].shape == (n,)
        assert res["gd_paths"].shape == res["gd_losses"].shape == (s, t + 1)
        assert res["diverged_at"].shape == res["rates"].shape == res["observed_rates"].shape == (s,)
        assert res["anim_gd"].shape == (t + 1,)
        assert res["anim_sgd"].shape == (r, t + 1)
        assert res["sgd_samples"].shape == (r, t)
        assert res["anim_sgd_percentiles"].shape == (len(p.sgd_percentiles), t + 1)
        assert res["pair"].shape == (2,) and res["pair"].dtype.kind == "i"
        assert res["theta_star"].shape == res["steps_to_tol"].shape == ()
        assert res["sgd_samples"].min() >= 0 and res["sgd_samples"].max() < n
        assert res["loss_grid"].shape == res["loss_grid_theta"].shape
    for key in ("step_fractions", "alpha_limit", "mean_x2"):
        assert key in lin


# ---------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("function, params", MODELS)
def test_gd_limit_is_closed_form(request, function, params):
    name = request.node.callspec.id
    res = function(dataclasses.replace(params, steps=400, sgd_runs=1))
    star = _theta_star(name, res["x"], res["y"])
    assert res["theta_star"] == pytest.approx(star, abs=1e-12)
    converging = res["rates"] < 1
    assert converging.sum() >= 2
    np.testing.assert_allclose(res["gd_paths"][converging, -1], star, rtol=0, atol=1e-12)


def test_x_sum_of_squares_form_of_linear_limit(lin):
    x, y = lin["x"], lin["y"]
    assert lin["mean_x2"] == pytest.approx(np.mean(x**2), rel=1e-15)
    assert lin["alpha_limit"] == pytest.approx(1 / np.mean(x**2), rel=1e-15)
    # the gradient vanishes at theta*
    assert gd.linear_grad(lin["theta_star"], x, y) == pytest.approx(0, abs=1e-12)


# --------------------------------------------------------------- gradients and votes


@pytest.mark.parametrize("grad, res_name", [(gd.constant_grad, "const"), (gd.linear_grad, "lin")])
def test_full_gradient_is_mean_of_per_sample_gradients(request, grad, res_name):
    res = request.getfixturevalue(res_name)
    x, y = res["x"], res["y"]
    for theta in (-3.0, -1.0, 0.0, 0.7, float(res["theta_star"]), 4.0):
        per_sample = [grad(theta, x[i : i + 1], y[i : i + 1]) for i in range(len(x))]
        assert grad(theta, x, y) == pytest.approx(np.mean(per_sample), abs=1e-12)
        assert np.sum(gd.votes(grad, theta, x, y)) == pytest.approx(grad(theta, x, y), abs=1e-12)
        # the expected SGD step, averaged exactly over every i, is the GD step
        alpha = 0.3
        sgd_steps = [gd.step(grad, theta, x[i : i + 1], y[i : i + 1], alpha) for i in range(len(x))]
        assert np.mean(sgd_steps) == pytest.approx(gd.step(grad, theta, x, y, alpha), abs=1e-12)


def test_votes_match_the_worksheet_formulas(const, lin):
    n = len(const["x"])
    t = const["vote_theta"]
    np.testing.assert_allclose(const["votes"], (2 / n) * (t - const["y"]), atol=1e-15)
    t = lin["vote_theta"]
    np.testing.assert_allclose(lin["votes"], (2 / n) * (t * lin["x"] - lin["y"]) * lin["x"], atol=1e-15)
    for res in (const, lin):
        assert res["vote_grad"] == pytest.approx(res["votes"].sum(), abs=1e-12)
        assert res["votes"].min() < 0 < res["votes"].max()  # points disagree


def test_same_error_pair_constant_votes_equal(const):
    i, j = const["pair"]
    x, y, t = const["x"], const["y"], const["vote_theta"]
    assert abs(abs(x[i]) - abs(x[j])) > 0.5  # different |x| ...
    assert t - y[i] == t - y[j] != 0  # ... same error
    assert const["votes"][i] == const["votes"][j]


def test_same_error_pair_linear_votes_in_ratio_of_x(lin):
    i, j = lin["pair"]
    x, y, t = lin["x"], lin["y"], lin["vote_theta"]
    assert abs(abs(x[i]) - abs(x[j])) > 0.5
    assert t * x[i] - y[i] == pytest.approx(t * x[j] - y[j], abs=1e-12)
    assert t * x[i] - y[i] != 0
    assert lin["votes"][i] / lin["votes"][j] == pytest.approx(x[i] / x[j], rel=1e-12)


# ------------------------------------------------------------------------- regimes


def _regimes(factors):
    """Name each run by its signed contraction factor 1 - 2 alpha c."""
    names = []
    for f in factors:
        if abs(f) < 1e-12:
            names.append("one-step")
        elif abs(f) > 1:
            names.append("divergent")
        elif f > 0:
            names.append("slow")
        else:
            names.append("oscillating")
    return names


@pytest.mark.parametrize("function, params", MODELS)
def test_defaults_show_every_regime(function, params):
    res = function(params)
    assert sorted(_regimes(res["factors"])) == ["divergent", "one-step", "oscillating", "slow"]
    regimes = _regimes(res["factors"])
    path = res["gd_paths"][regimes.index("slow")] - res["theta_star"]
    assert np.all(np.diff(np.abs(path)) <= 0) and np.all(np.sign(path[:20]) == np.sign(path[0]))
    path = res["gd_paths"][regimes.index("oscillating")] - res["theta_star"]
    assert np.all(np.sign(path[1:20]) == -np.sign(path[:19]))
    assert res["diverged_at"][regimes.index("divergent")] > 0
    if isinstance(params, gd.LinearModel):
        assert params.step_fractions[regimes.index("one-step")] == 0.5
    else:
        assert params.step_sizes[regimes.index("one-step")] == 0.5


@pytest.mark.parametrize("function, params", MODELS)
def test_one_step_case_lands_on_theta_star(function, params):
    res = function(params)
    k = _regimes(res["factors"]).index("one-step")
    assert abs(res["gd_paths"][k, 1] - res["theta_star"]) < 1e-12
    assert np.all(np.abs(res["gd_paths"][k, 1:] - res["theta_star"]) < 1e-12)


def test_theoretical_rates(const, lin):
    np.testing.assert_allclose(const["rates"], np.abs(1 - 2 * const["step_sizes"]), atol=1e-15)
    np.testing.assert_allclose(lin["rates"], np.abs(1 - 2 * lin["step_sizes"] * lin["mean_x2"]), atol=1e-15)
    np.testing.assert_allclose(lin["rates"], np.abs(1 - 2 * lin["step_fractions"]), atol=1e-14)


@pytest.mark.parametrize("function, params", MODELS)
def test_observed_contraction_matches_theory(function, params):
    res = function(params)
    for rate, observed, k in zip(res["rates"], res["observed_rates"], res["observed_rate_steps"]):
        if rate < 1e-12:
            assert observed < 1e-12
        else:
            assert k >= 10
            assert observed == pytest.approx(rate, rel=1e-6)


@pytest.mark.parametrize(
    "function, params, field",
    [
        (gd.constant_model, gd.ConstantModel(), "step_sizes"),
        (gd.linear_model, gd.LinearModel(), "step_fractions"),
    ],
)
def test_stability_limit(function, params, field):
    """Just below the limit (alpha c < 1) converges, just above it diverges."""
    values = (0.2, 0.6, 0.95, 0.99, 1.01, 1.05, 1.5, 3.0)
    res = function(dataclasses.replace(params, **{field: values}, steps=60))
    errors = np.abs(res["gd_paths"] - res["theta_star"])
    for v, e, d in zip(values, errors, res["diverged_at"]):
        if v < 1:
            assert d == -1 and e[-1] < e[0] and np.all(np.diff(e) <= 1e-14)  # up to rounding
        else:
            assert np.all(np.diff(e) >= 0) and e[-1] > e[0]
    assert list(res["diverged_at"][-2:] > 0) == [True, True]  # the big steps cross the bound


def test_divergence_is_recorded_not_crashed(const):
    k = int(np.argmax(const["rates"]))
    d = const["diverged_at"][k]
    path = const["gd_paths"][k]
    bound = gd.ConstantModel().divergence_bound
    assert 0 < d <= gd.ConstantModel().steps
    assert np.all(np.abs(path[:d] - const["theta_star"]) <= bound)
    assert np.all(path[d:] == path[d])
    assert abs(path[d] - const["theta_star"]) == pytest.approx(bound)
    assert list(const["diverged_at"][const["rates"] < 1]) == [-1] * int((const["rates"] < 1).sum())


# ---------------------------------------------------------------------------- SGD


@pytest.mark.parametrize("res_name", ["const", "lin"])
def test_sgd_runs_follow_gd_on_average(request, res_name):
    res = request.getfixturevalue(res_name)
    sgd, gd_path = res["anim_sgd"], res["anim_gd"]
    assert np.all(sgd[:, 0] == gd_path[0])
    assert len({row.tobytes() for row in res["sgd_samples"]}) == len(res["sgd_samples"])  # own streams
    lo, mid, hi = res["anim_sgd_percentiles"]
    assert np.all(lo <= mid) and np.all(mid <= hi)
    # after the transient, SGD hovers around theta* rather than at the start
    assert abs(np.median(sgd[:, -1]) - res["theta_star"]) < abs(gd_path[0] - res["theta_star"]) / 2
    assert np.all(res["anim_sgd_diverged_at"] == -1)


def test_sgd_path_uses_exactly_the_recorded_samples(lin):
    x, y, alpha = lin["x"], lin["y"], float(lin["anim_step_size"])
    theta = float(lin["theta0"])
    for t, i in enumerate(lin["sgd_samples"][3]):
        theta = theta - alpha * 2 * (theta * x[i] - y[i]) * x[i]
        assert lin["anim_sgd"][3, t + 1] == pytest.approx(theta, abs=1e-12)


def test_adding_sgd_runs_keeps_earlier_runs():
    few = gd.constant_model(gd.ConstantModel(sgd_runs=3))
    many = gd.constant_model(gd.ConstantModel(sgd_runs=5))
    assert np.array_equal(few["sgd_samples"], many["sgd_samples"][:3])


@pytest.mark.parametrize("res_name", ["const", "lin"])
def test_steps_to_tol_matches_theory(request, res_name):
    res = request.getfixturevalue(res_name)
    assert res["steps_to_tol"] > 0
    assert abs(int(res["steps_to_tol"]) - int(res["steps_to_tol_theory"])) <= 1


# ---------------------------------------------------------------------- determinism


@pytest.mark.parametrize("function, params", MODELS)
def test_same_params_same_bits(function, params):
    a, b = function(params), function(params)
    assert sorted(a) == sorted(b)
    for key in a:
        assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape
        assert a[key].tobytes() == b[key].tobytes(), key


def test_seeds_matter():
    a = gd.constant_model(gd.ConstantModel())
    assert not np.array_equal(a["y"], gd.constant_model(gd.ConstantModel(data_seed=7))["y"])
    assert not np.array_equal(a["sgd_samples"], gd.constant_model(gd.ConstantModel(sgd_seed=7))["sgd_samples"])


@pytest.mark.parametrize(
    "function, params",
    [
        (gd.constant_model, gd.ConstantModel()),
        (gd.constant_model, gd.ConstantModel(step_sizes=(1.0, 2.0, 50.0, 1e200), anim_step_size=5.0)),
        (gd.constant_model, gd.ConstantModel(theta0=1e9, steps=5)),
        (gd.linear_model, gd.LinearModel()),
        (gd.linear_model, gd.LinearModel(step_fractions=(1.0, 2.0, 1e3, 1e200), anim_step_fraction=3.0)),
        (gd.linear_model, gd.LinearModel(divergence_bound=10.0, steps=200)),
    ],
)
def test_everything_finite_even_when_diverging(function, params):
    res = function(params)
    for key, value in res.items():
        assert np.isfinite(value).all(), key


@pytest.mark.parametrize("theta0", [1e9, -1.0])
def test_a_descent_that_never_arrives_reads_never_not_minus_one_steps(tmp_path, theta0):
    """A start beyond the divergence bound: the page says the descent never arrives."""
    from conftest import make_checkout, run_cli

    root = make_checkout(tmp_path / "course")
    toml = root / "content" / "dis01" / "section1.toml"
    toml.write_text(toml.read_text().replace("theta0 = -1.0", f"theta0 = {theta0!r}", 1))
    result = run_cli(root, "site", "--edition", "solutions", "--sheet", "dis01")
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "dis01" / "index.html").read_text()
    assert "needs -1 steps" not in page
    assert ("it never comes" in page) == (theta0 > 1e6)


@pytest.mark.parametrize("res_name, params", [("const", gd.ConstantModel()), ("lin", gd.LinearModel())])
def test_sgd_draws_every_point_as_documented(request, res_name, params):
    """Run r draws its points from the r-th child of SeedSequence(sgd_seed), uniformly
    over all N points (recomputed here), and the SGD paths take exactly those steps."""
    res = request.getfixturevalue(res_name)
    x, y, n = res["x"], res["y"], len(res["x"])
    children = np.random.SeedSequence(params.sgd_seed).spawn(params.sgd_runs)
    expected = np.stack([np.random.default_rng(c).integers(0, n, size=params.steps) for c in children])
    assert np.array_equal(res["sgd_samples"], expected)
    linear, checked = res_name == "lin", 0
    for r, picks in enumerate(expected):
        theta, path = float(params.theta0), [float(params.theta0)]
        for i in picks:
            theta -= (
                float(res["anim_step_size"])
                * 2
                * ((theta * x[i] if linear else theta) - y[i])
                * (x[i] if linear else 1.0)
            )
            path.append(theta)
        if res["anim_sgd_diverged_at"][r] < 0:
            np.testing.assert_allclose(res["anim_sgd"][r], path, rtol=1e-12, atol=1e-12)
            checked += 1
    assert checked > 0
    # the explorer's count of runs past the divergence bound, step by step, at each step size
    star = float(res["theta_star"])
    for a, alpha in enumerate(res["explore_step_sizes"]):
        beyond = np.zeros(params.steps + 1, dtype=np.int64)
        for picks in expected:
            theta, passed = float(params.theta0), np.zeros(params.steps + 1, dtype=bool)
            for k, i in enumerate(picks, start=1):
                theta -= alpha * 2 * ((theta * x[i] if linear else theta) - y[i]) * (x[i] if linear else 1.0)
                passed[k] = passed[k - 1] or abs(theta - star) > params.divergence_bound
            beyond += passed
        assert np.array_equal(res["explore_sgd_stopped"][a], beyond), a
    many = np.random.default_rng(np.random.SeedSequence(params.sgd_seed).spawn(1)[0]).integers(0, n, size=2000)
    assert set(gd.sgd_samples(n, 2000, 1, params.sgd_seed)[0]) == set(many) == set(range(n))
