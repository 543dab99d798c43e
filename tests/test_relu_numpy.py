"""The numpy trainer the notebook falls back on without numba: the kernel's bits, all seeds at once."""

import numpy as np
import pytest

from course.experiments import relu as R
from course.experiments import relu_numpy as V


@pytest.mark.parametrize(("width", "hidden_fixed", "lr"), [(10, False, 0.02), (23, False, 0.05), (10, True, 0.2)])
def test_train_vectorised_is_the_kernel_bit_for_bit(width, hidden_fixed, lr):
    data = R.make_data("piecewise", 200, 0.01, 1)
    seeds = (0, 3, 7, 11)
    snaps = R.snapshot_steps(700, 15)
    theta0 = R.init_networks(seeds, width)
    kernel = R.train(theta0, data, seeds, 40, snaps, ("sgd", {"lr": lr}), hidden_fixed)
    numpy_ = V.train_vectorised(theta0, data, seeds, 40, snaps, ("sgd", {"lr": lr}), hidden_fixed)
    for field in ("params", "train_mse", "test_mse"):
        assert np.array_equal(getattr(numpy_, field), getattr(kernel, field)), field


def test_a_network_does_not_depend_on_the_others():
    """Also for a single network, whose axis of seeds numpy would otherwise drop."""
    data = R.make_data("piecewise", 200, 0.01, 1)
    snaps = R.snapshot_steps(300, 5)
    both = V.train_vectorised(R.init_networks((1, 2), 10), data, (1, 2), 40, snaps, ("sgd", {"lr": 0.02}), False)
    one = V.train_vectorised(R.init_networks((2,), 10), data, (2,), 40, snaps, ("sgd", {"lr": 0.02}), False)
    assert np.array_equal(both.params[1], one.params[0])


def test_predict_vectorised_is_the_kernel_bit_for_bit():
    theta = R.init_networks((5,), 20)[0] + 0.1
    for x in (np.linspace(0.0, 1.0, 401), np.array([0.37])):
        assert np.array_equal(V.predict_vectorised(theta, x), R.predict(theta, x))


def test_only_sgd():
    with pytest.raises(NotImplementedError, match="plain SGD"):
        V.train_vectorised(
            np.zeros((1, 31)), R.make_data("piecewise", 20, 0.0, 1), (0,), 4, [0, 1], ("adam", {}), False
        )
