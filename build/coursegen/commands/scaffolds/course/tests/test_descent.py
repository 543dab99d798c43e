"""The example experiment against a closed form: GD on the constant model moves the
error theta - mean(y) by the factor 1 - 2 alpha each step."""

import numpy as np

from course.experiments.descent import Descent, descent


def test_each_step_shrinks_the_error_by_one_minus_two_alpha():
    p = Descent(steps=8, anim_step_size=0.1)
    res = descent(p)
    error = res["theta"] - res["y"].mean()
    np.testing.assert_allclose(error[1:], error[:-1] * (1 - 2 * p.anim_step_size), rtol=1e-12)


def test_the_same_seed_gives_the_same_bytes():
    first, second = descent(Descent()), descent(Descent())
    assert all(first[k].tobytes() == second[k].tobytes() for k in first)
