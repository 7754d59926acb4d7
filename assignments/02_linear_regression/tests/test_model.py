"""Sections 1-3: predict, mse_loss, mse_gradient.

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

import numpy as np
import pytest


@pytest.mark.points(1)
def test_predict_matches_reference(submission, rng, ref, helpers):
    for n, d, b in [(12, 3, 1.5), (1, 1, -2.0), (5, 8, 0.0)]:
        X, w = rng.normal(size=(n, d)), rng.normal(size=d)
        got = helpers.as_floats(submission.predict(X, w, b), "predict's result")
        assert got.shape == (n,), (f"predict(X of shape {(n, d)}, w of shape {(d,)}, b) returned shape {got.shape}; "
                                   f"expected ({n},). Use X @ w + b with a 1-D w, not a column.")
        helpers.assert_close(got, ref.predict(X, w, b), rtol=1e-12, atol=1e-12,
                             msg=f"predict is not X @ w + b (n={n}, d={d}, b={b})")


@pytest.mark.points(2)
def test_mse_loss_matches_reference(submission, rng, ref, helpers):
    for n in (10, 1, 257):
        y_pred, y = rng.normal(size=n), rng.normal(size=n) * 3.0
        expected = ref.mse_loss(y_pred, y)
        got = submission.mse_loss(y_pred, y)
        assert np.ndim(got) == 0, f"mse_loss should return a single float, got shape {np.shape(got)}"
        hint = " (you divided by 2n: this course uses 1/n)" if np.isclose(got, expected / 2) else ""
        helpers.assert_close(got, expected, rtol=1e-12, msg=f"mse_loss is not mean((y_pred - y)**2) for n={n}{hint}")
    assert submission.mse_loss(np.array([2.0, -1.0]), np.array([2.0, -1.0])) == 0.0, \
        "mse_loss of a perfect prediction must be exactly 0"


@pytest.mark.points(5)
def test_mse_gradient_matches_central_differences(submission, rng, ref, helpers, trusted_predict):
    """The issue's gate: relative error < 1e-7 in float64 against central differences (the gradient is judged
    alone: inside it, predict is the suite's)."""
    for n, d in [(20, 3), (1, 1), (50, 5), (6, 10)]:
        X, y = rng.normal(size=(n, d)), rng.normal(size=n) * 2.0
        w, b = rng.normal(size=d), float(rng.normal())
        out = submission.mse_gradient(X, y, w, b)
        assert isinstance(out, (tuple, list)) and len(out) == 2, \
            f"mse_gradient should return a pair (grad_w, grad_b); got {type(out).__name__}"
        grad_w, grad_b = helpers.as_floats(out[0], "grad_w"), helpers.as_floats(out[1], "grad_b")
        assert grad_w.shape == (d,), f"grad_w has shape {grad_w.shape}; expected ({d},), the shape of w"
        assert grad_b.ndim == 0, f"grad_b should be a scalar; got shape {grad_b.shape}"
        numeric = ref.central_difference(X, y, w, b)
        got = np.append(grad_w, grad_b)
        err = helpers.relative_error(got, numeric)
        hint = ""
        if np.allclose(got, -numeric, rtol=1e-6):
            hint = "; it has the wrong sign (residual = prediction - target)"
        elif np.allclose(got, numeric / 2, rtol=1e-6):
            hint = "; it is half the true gradient (d/dr r^2 = 2r)"
        elif n > 1 and np.allclose(got, numeric * n, rtol=1e-6):
            hint = "; it is n times too large (divide by n)"
        assert err < 1e-7, (f"mse_gradient disagrees with central differences for n={n}, d={d}: "
                            f"relative error {err:.2e}{hint}")
