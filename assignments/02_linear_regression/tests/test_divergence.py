"""Section 8: the critical learning rate and detecting divergence.

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _judged_alone(trusted_model):
    """These tests judge the optimiser alone: it runs on the suite's model, loss and gradient."""


@pytest.mark.points(2)
def test_critical_learning_rate_matches_hessian(submission, rng, ref, helpers):
    """2 / lambda_max((2/n) A^T A) with A = [X, 1]; offsets make the column of ones matter."""
    for n, d in [(50, 3), (10, 1), (200, 5)]:
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 4.0, size=d) + rng.uniform(-6.0, 6.0, size=d)
        got = submission.critical_learning_rate(X)
        assert np.ndim(got) == 0, f"critical_learning_rate should return one float, got shape {np.shape(got)}"
        expected = ref.critical_learning_rate(X)
        no_bias = ref.critical_learning_rate_without_bias(X)
        hint = " (that is without the column of ones: the bias is trained too)" if np.isclose(got, no_bias) else ""
        helpers.assert_close(got, expected, rtol=1e-8,
                             msg=f"critical_learning_rate should be 2 / lambda_max(H), H = (2/n) A^T A "
                                 f"(n={n}, d={d}){hint}")


@pytest.mark.points(2)
def test_has_diverged_cases(submission):
    cases = [
        ([1.0, 0.5, 0.25, 0.1], 10.0, False, "a decreasing loss"),
        ([3.0], 10.0, False, "a single (finite) loss"),
        ([2.0, 2.0, 2.0], 10.0, False, "a constant loss"),
        ([1.0, 9.0, 0.5], 10.0, False, "a bump to 9x the initial loss with factor 10"),
        ([1.0, 0.5, 10.5], 10.0, True, "a loss 10.5x the initial loss with factor 10"),
        ([1.0, 50.0, 0.5], 10.0, True, "a loss that blew up in the middle and came back"),
        ([1.0, 0.9, float("nan")], 10.0, True, "a nan loss"),
        ([1.0, float("inf")], 10.0, True, "an inf loss"),
        ([float("nan")], 10.0, True, "a nan initial loss"),
        ([1.0, 2.5], 2.0, True, "a loss 2.5x the initial loss with factor=2"),
        ([1.0, 50.0], 100.0, False, "a loss 50x the initial loss with factor=100"),
        ([0.0, 0.0], 10.0, False, "a loss that stays exactly 0"),
    ]
    for losses, factor, expected, what in cases:
        got = submission.has_diverged(np.array(losses), factor)
        assert isinstance(got, (bool, np.bool_)), f"has_diverged should return a bool, got {type(got).__name__}"
        assert bool(got) is expected, (f"has_diverged({losses}, factor={factor}) returned {bool(got)} for "
                                       f"{what}; expected {expected}")


@pytest.mark.points(2)
def test_gradient_descent_diverges_just_above_the_critical_rate(submission, ref, helpers):
    """End to end: at 0.95x your critical rate your gradient descent converges; at 1.05x it blows up."""
    X, y = helpers.make_problem(5, n=100, true_w=[1.0, -2.0, 0.5], true_b=3.0, noise=0.3,
                                means=[2.0, -1.0, 0.5], scales=[1.0, 2.0, 0.5], correlation=0.4)
    eta = float(submission.critical_learning_rate(X))
    helpers.assert_close(eta, ref.critical_learning_rate(X), rtol=1e-8,
                         msg="critical_learning_rate is wrong on this problem, so the threshold is in the wrong place")
    _, _, below = submission.gradient_descent(X, y, 0.95 * eta, 300)
    _, _, above = submission.gradient_descent(X, y, 1.05 * eta, 300)
    below, above = helpers.as_floats(below, "the losses"), helpers.as_floats(above, "the losses")
    best = ref.least_squares_loss(X, y)
    assert np.all(np.isfinite(below)) and np.all(np.diff(below) <= 1e-12 * below[0]), \
        "below the critical learning rate the loss of gradient descent should decrease at every step"
    assert below[-1] < best + 1e-3 * (below[0] - best), \
        "300 steps at 0.95x the critical learning rate should get close to the optimum"
    assert not np.all(np.isfinite(above)) or above.max() > 1e6 * above[0], \
        "300 steps at 1.05x the critical learning rate should make the loss explode"
