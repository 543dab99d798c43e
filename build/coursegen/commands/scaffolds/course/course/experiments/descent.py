"""descent: gradient descent on the constant model, the first worksheet's experiment.

Written by ``coursegen init`` as a working example to change or replace: a pure
function of one frozen dataclass of parameters, returning named numpy arrays, its
randomness drawn from the seed in its parameters only. A parameter file runs it as
``kind = "descent"`` and may set any field of ``Descent``.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Descent:
    """Parameters of ``descent``: each with a default, which the parameter files override."""

    n_points: int = 20  # how many data points y_i
    steps: int = 12  # gradient steps
    anim_step_size: float = 0.2  # the step size alpha
    theta0: float = -1.0  # where theta starts
    seed: int = 0  # feeds np.random.default_rng: the same seed, the same data


def descent(p: Descent) -> dict[str, np.ndarray]:
    """GD on L(theta) = mean((theta - y_i)^2), whose gradient is 2 (theta - mean(y)).

    Results (T = steps):
        y (n_points,)     the data
        t (T+1,)          the step numbers 0, 1, ..., T
        theta (T+1,)      the iterates, theta[0] = theta0
        loss (T+1,)       the loss at each iterate
        theta_star ()     the minimiser, mean(y)
        anim_step_size () and n_points (): the parameters the page quotes
    """
    y = np.random.default_rng(p.seed).normal(1.0, 0.5, size=p.n_points)
    theta = np.empty(p.steps + 1)
    theta[0] = p.theta0
    for k in range(p.steps):
        gradient = 2.0 * (theta[k] - y).mean()
        theta[k + 1] = theta[k] - p.anim_step_size * gradient
    loss = ((theta[:, None] - y[None, :]) ** 2).mean(axis=1)
    return {
        "y": y,
        "t": np.arange(p.steps + 1, dtype=np.int64),
        "theta": theta,
        "loss": loss,
        "theta_star": np.array(y.mean()),
        "anim_step_size": np.array(p.anim_step_size),
        "n_points": np.array(p.n_points, dtype=np.int64),
    }


EXPERIMENTS = {"descent": descent}
