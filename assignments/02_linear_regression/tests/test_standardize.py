"""Section 7: feature standardisation and mapping the weights back to raw units.

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

import numpy as np
import pytest


def _stats(helpers, out, d):
    assert isinstance(out, (tuple, list)) and len(out) == 2, \
        f"fit_standardizer should return a pair (mean, std); got {type(out).__name__}"
    mean, std = helpers.as_floats(out[0], "the mean"), helpers.as_floats(out[1], "the std")
    assert mean.shape == (d,) and std.shape == (d,), \
        f"mean and std should both have shape ({d},) (one per feature, axis=0); got {mean.shape} and {std.shape}"
    return mean, std


@pytest.mark.points(1)
def test_fit_standardizer_matches_numpy(submission, rng, helpers):
    X = rng.normal(size=(50, 4)) * [1.0, 10.0, 0.1, 3.0] + [0.0, -20.0, 5.0, 1e3]
    mean, std = _stats(helpers, submission.fit_standardizer(X), 4)
    helpers.assert_close(mean, X.mean(axis=0), rtol=1e-12, msg="mean should be the per-column mean (axis=0)")
    hint = " (that is ddof=1; use the population std, ddof=0)" if np.allclose(std, X.std(axis=0, ddof=1)) else ""
    helpers.assert_close(std, X.std(axis=0), rtol=1e-10, msg=f"std should be the per-column std with ddof=0{hint}")


@pytest.mark.points(1)
def test_fit_standardizer_constant_column_gets_unit_std(submission, rng, helpers):
    X = np.column_stack([rng.normal(size=9), np.full(9, 4.0), rng.normal(size=9) * 2.0])
    mean, std = _stats(helpers, submission.fit_standardizer(X), 3)
    helpers.assert_close(std, [X[:, 0].std(), 1.0, X[:, 2].std()], rtol=1e-10,
                         msg="a constant column has std 0 and must get std 1.0 (the others keep theirs)")
    helpers.assert_close(mean[1], 4.0, msg="the constant column's mean is its value")
    X1 = np.array([[1.0, 2.0]])
    _, std1 = _stats(helpers, submission.fit_standardizer(X1), 2)
    helpers.assert_close(std1, [1.0, 1.0], msg="with a single row every column is constant: std must be 1.0")


@pytest.mark.points(1)
def test_standardize_uses_the_given_statistics(submission, rng, ref, helpers):
    X_train = rng.normal(size=(40, 3)) * [2.0, 5.0, 0.5] + [1.0, -3.0, 8.0]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    Z = helpers.as_floats(submission.standardize(X_train, mean, std), "standardize's result")
    assert Z.shape == (40, 3), f"standardize returned shape {Z.shape}; expected (40, 3)"
    helpers.assert_close(Z, ref.standardize(X_train, mean, std), rtol=1e-12, atol=1e-12, msg="standardize is not (X - mean) / std")
    X_new = rng.normal(size=(5, 3)) + 10.0
    Z_new = helpers.as_floats(submission.standardize(X_new, mean, std), "standardize's result")
    helpers.assert_close(Z_new, ref.standardize(X_new, mean, std), rtol=1e-12, atol=1e-12,
                         msg="new data must be standardised with the mean/std passed in (the training "
                             "statistics), not with its own statistics")


@pytest.mark.points(2)
def test_unstandardize_weights_preserves_predictions(submission, rng, ref, helpers):
    for d in (1, 4):
        X = rng.normal(size=(20, d)) * rng.uniform(0.1, 30.0, size=d) + rng.uniform(-100.0, 100.0, size=d)
        mean, std = ref.fit_standardizer(X)
        w_std, b_std = rng.normal(size=d), float(rng.normal())
        w_want, _ = ref.unstandardize_weights(w_std, b_std, mean, std)
        want = ref.standardized_predictions(X, mean, std, w_std, b_std)
        out = submission.unstandardize_weights(w_std, b_std, mean, std)
        assert isinstance(out, (tuple, list)) and len(out) == 2, \
            f"unstandardize_weights should return a pair (w, b); got {type(out).__name__}"
        w, b = helpers.as_floats(out[0], "the raw-unit w"), float(helpers.as_floats(out[1], "the raw-unit b"))
        helpers.assert_close(w, w_want, rtol=1e-12, msg="raw-unit weights should be w_std / std")
        helpers.assert_close(X @ w + b, want, rtol=1e-9, atol=1e-9,
                             msg="predictions with the raw-unit (w, b) on X must equal predictions with "
                                 "(w_std, b_std) on the standardised X: check the bias, b = b_std - mean @ w")


@pytest.mark.points(1)
def test_standardize_then_descend_recovers_raw_closed_form(submission, ref, helpers, trusted_model):
    """End to end: your standardiser + your gradient descent + mapping back == the closed form on raw data
    (gradient descent runs on the suite's model, loss and gradient, judged in their own tests)."""
    X, y = helpers.make_problem(11, n=200, true_w=[2.5, -8.0, -0.6], true_b=50.0, noise=5.0,
                                means=[80.0, 5.0, 30.0], scales=[25.0, 3.0, 15.0], correlation=0.3)
    mean, std = _stats(helpers, submission.fit_standardizer(X), 3)
    Z = submission.standardize(X, mean, std)
    w_z, b_z, _ = helpers.unpack_result(submission.gradient_descent(Z, y, 0.1, 1000), 3, 1000)
    out = submission.unstandardize_weights(w_z, b_z, mean, std)
    w, b = helpers.as_floats(out[0], "the raw-unit w"), float(helpers.as_floats(out[1], "the raw-unit b"))
    w_star, b_star = ref.closed_form(X, y)
    helpers.assert_close(w, w_star, rtol=1e-6, atol=1e-8,
                         msg="standardise -> gradient descent (1,000 steps, lr=0.1) -> unstandardize_weights should "
                             "give the raw-data closed-form weights")
    helpers.assert_close(b, b_star, rtol=1e-6, atol=1e-6, msg="standardise -> gradient descent -> unstandardize_weights gives the "
                             "right weights but not the raw-data closed-form bias")
