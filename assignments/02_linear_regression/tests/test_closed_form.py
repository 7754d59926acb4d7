"""Section 4: the closed-form least-squares solution.

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

import numpy as np
import pytest

TRUE_W = np.array([1.5, -2.0, 0.5, 3.0])
TRUE_B = 4.0


def _pair(helpers, out, d):
    assert isinstance(out, (tuple, list)) and len(out) == 2, \
        f"closed_form should return a pair (w, b); got {type(out).__name__}"
    w, b = helpers.as_floats(out[0], "closed_form's w"), helpers.as_floats(out[1], "closed_form's b")
    assert w.shape == (d,), f"closed_form's w has shape {w.shape}; expected ({d},) (the bias goes in b, not in w)"
    assert b.ndim == 0, f"closed_form's b should be a scalar; got shape {b.shape}"
    return w, float(b)


@pytest.mark.points(2)
def test_closed_form_recovers_true_weights(submission, helpers):
    """The issue's gate: a seeded synthetic problem (seed 2024, n=500, noise 0.5), weights within 0.1."""
    X, y = helpers.make_problem(2024, n=500, true_w=TRUE_W, true_b=TRUE_B, noise=0.5,
                                means=[10.0, -5.0, 0.0, 20.0], scales=[1.0, 2.0, 0.5, 3.0])
    w, b = _pair(helpers, submission.closed_form(X, y), 4)
    hint = " (b is 0: did you forget the column of ones?)" if b == 0.0 else ""
    helpers.assert_close(w, TRUE_W, atol=0.1, msg=f"closed_form did not recover the true weights{hint}")
    assert abs(b - TRUE_B) < 0.5, f"closed_form's bias {b:.3f} is far from the true bias {TRUE_B}{hint}"


@pytest.mark.points(2)
def test_closed_form_matches_least_squares(submission, rng, ref, helpers):
    """Features far from zero and on different scales: the exact minimiser, not an approximation."""
    for n, d in [(40, 3), (30, 1), (200, 6)]:
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 20.0, size=d) + rng.uniform(-50.0, 50.0, size=d)
        y = rng.normal(size=n) * 5.0 + 7.0
        w, b = _pair(helpers, submission.closed_form(X, y), d)
        w_ref, b_ref = ref.closed_form(X, y)
        helpers.assert_close(X @ w + b, ref.least_squares_predictions(X, y), rtol=1e-7, atol=1e-7,
                             msg=f"closed_form's predictions are not the least-squares fit (n={n}, d={d})")
        helpers.assert_close(np.append(w, b), np.append(w_ref, b_ref), rtol=1e-6, atol=1e-8,
                             msg=f"closed_form's parameters differ from the least-squares solution (n={n}, d={d})")


@pytest.mark.points(1)
def test_closed_form_interpolates_when_exactly_determined(submission, rng, helpers):
    """n = d + 1 points in general position: the fit passes through every point."""
    for d in (1, 4):
        X, y = rng.normal(size=(d + 1, d)) + 3.0, rng.normal(size=d + 1)
        w, b = _pair(helpers, submission.closed_form(X, y), d)
        helpers.assert_close(X @ w + b, y, atol=1e-8,
                             msg=f"with {d + 1} points and {d} feature(s) plus a bias the fit should be exact")
