"""Section 5: batch gradient descent.

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _judged_alone(trusted_model):
    """These tests judge the optimiser alone: it runs on the suite's model, loss and gradient."""


@pytest.mark.points(2)
def test_gradient_descent_matches_reference_trajectory(submission, rng, ref, helpers):
    """25 steps from a given start: every loss along the way and the final parameters."""
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    w0, b0 = rng.normal(size=4), 0.5
    w, b, losses = helpers.unpack_result(submission.gradient_descent(X, y, 0.05, 25, w0, b0), 4, 25)
    w_ref, b_ref, losses_ref = ref.gradient_descent(X, y, 0.05, 25, w0, b0)
    helpers.assert_close(losses[0], losses_ref[0], rtol=1e-10,
                         msg="losses[0] should be the loss at the starting point (w0, b0)")
    helpers.assert_close(losses, losses_ref, rtol=1e-9,
                         msg="the loss history differs from 25 steps of w -= lr * grad_w, b -= lr * grad_b")
    helpers.assert_close(np.append(w, b), np.append(w_ref, b_ref), rtol=1e-9, atol=1e-12,
                         msg="the final (w, b) differ from 25 steps of gradient descent from (w0, b0)")


@pytest.mark.points(1)
def test_gradient_descent_zero_iterations_returns_start(submission, rng, ref, helpers):
    X, y = rng.normal(size=(8, 2)), rng.normal(size=8)
    w0 = np.array([0.3, -0.7])
    w, b, losses = helpers.unpack_result(submission.gradient_descent(X, y, 0.1, 0, w0, 1.25), 2, 0)
    helpers.assert_close(np.append(w, b), [0.3, -0.7, 1.25], rtol=0, atol=0,
                         msg="with n_iters=0 gradient descent must return the starting point (w0, b0) unchanged")
    helpers.assert_close(losses, [ref.mse(X, y, w0, 1.25)], rtol=1e-12,
                         msg="with n_iters=0 losses should hold just the initial loss")


@pytest.mark.points(3)
def test_gradient_descent_reaches_closed_form_on_standardized_data(submission, ref, helpers):
    """The issue's gate: within atol 1e-4 of the closed form in <= 5,000 iterations on standardised data."""
    X, y = helpers.make_problem(7, n=300, true_w=[3.0, -1.0, 2.0, 0.5, -4.0], true_b=10.0, noise=1.0,
                                means=[5.0, -2.0, 100.0, 0.0, 30.0], scales=[2.0, 0.1, 30.0, 1.0, 5.0],
                                correlation=0.6)
    Z = ref.standardized(X)
    w, b, losses = helpers.unpack_result(submission.gradient_descent(Z, y, 0.1, 1000), 5, 1000)
    w_star, b_star = ref.closed_form(Z, y)
    assert np.all(np.isfinite(losses)), "the loss became nan/inf at lr=0.1 on standardised data"
    helpers.assert_close(np.append(w, b), np.append(w_star, b_star), rtol=0, atol=1e-4,
                         msg="after 1,000 steps at lr=0.1 on standardised data, gradient descent should be "
                             "within 1e-4 of the closed-form solution")
