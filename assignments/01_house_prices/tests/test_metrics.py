"""Task 3: RMSE, MAE and R^2 against scikit-learn on random inputs, and their edge cases."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error


def random_cases(rng):
    """(y_true, y_pred) pairs: price-like scales, noisy, biased, worse than the mean, tiny n."""
    cases = []
    for n in (1, 7, 250):
        y = rng.normal(200_000, 80_000, size=n)
        cases.append((y, y + rng.normal(0, 50_000, size=n)))
    y = rng.normal(size=40)
    cases.append((y, 0.5 * y + 3.0))                       # correlated but biased: R^2 far from corr^2
    cases.append((y, rng.normal(size=40) * 4))             # worse than predicting the mean: R^2 < 0
    return cases


@pytest.mark.points(3)
def test_rmse_matches_sklearn(submission, rng):
    for y, p in random_cases(rng):
        got = submission.rmse(y, p)
        want = root_mean_squared_error(y, p)
        assert np.ndim(got) == 0 and np.isclose(got, want, rtol=1e-9, atol=1e-12), (
            f"rmse on {len(y)} values: expected {want:.6g}, got {got!r}. RMSE = sqrt(mean((y_true - y_pred)**2)): "
            "check the square root and that you average (not sum) over the values"
        )


@pytest.mark.points(3)
def test_mae_matches_sklearn(submission, rng):
    for y, p in random_cases(rng):
        got = submission.mae(y, p)
        want = mean_absolute_error(y, p)
        assert np.ndim(got) == 0 and np.isclose(got, want, rtol=1e-9, atol=1e-12), (
            f"mae on {len(y)} values: expected {want:.6g}, got {got!r}. MAE = mean(|y_true - y_pred|)"
        )


@pytest.mark.points(3)
def test_r2_matches_sklearn(submission, rng):
    for y, p in random_cases(rng)[1:]:  # R^2 of a single value is undefined
        got = submission.r2(y, p)
        want = r2_score(y, p)
        assert np.ndim(got) == 0 and np.isclose(got, want, rtol=1e-9, atol=1e-12), (
            f"r2 on {len(y)} values: expected {want:.6g}, got {got!r}. R^2 = 1 - SS_res / SS_tot with "
            "SS_tot = sum((y_true - mean(y_true))**2); it is not the squared correlation and can be negative"
        )


@pytest.mark.points(1)
def test_metrics_accept_lists_series_and_column_vectors(submission, rng):
    """Input handling only: each metric must give, for other containers and shapes, what it gives for 1-D arrays
    (the values themselves are each metric's own tests), so a wrong MAE or R^2 formula costs only its own task."""
    y = rng.normal(size=12)
    p = y + rng.normal(scale=0.3, size=12)
    want = {name: getattr(submission, name)(y, p) for name in ("rmse", "mae", "r2")}
    inputs = {
        "y_pred of shape (n, 1)": (y, p.reshape(-1, 1)),
        "y_true of shape (n, 1)": (y.reshape(-1, 1), p),
        "Python lists": (y.tolist(), p.tolist()),
        "pandas Series": (pd.Series(y), pd.Series(p)),
    }
    for name, expected in want.items():
        for label, (a, b) in inputs.items():
            got = getattr(submission, name)(a, b)
            assert np.ndim(got) == 0 and np.isclose(got, expected, rtol=1e-9), (
                f"{name} with {label}: expected {expected!r} (what {name} returns for the same values as 1-D "
                f"arrays), got {got!r}. Convert with "
                "np.asarray(..., dtype=float).ravel() first; (n,) minus (n, 1) broadcasts to an (n, n) matrix"
            )


@pytest.mark.points(1)
def test_r2_of_a_constant_target(submission):
    perfect = submission.r2([3.0, 3.0, 3.0], [3.0, 3.0, 3.0])
    imperfect = submission.r2([3.0, 3.0, 3.0], [2.0, 3.0, 4.0])
    assert (perfect, imperfect) == (1.0, 0.0), (
        f"when y_true is constant SS_tot is 0: r2 should return 1.0 for perfect predictions and 0.0 otherwise "
        f"(scikit-learn's convention), got {perfect!r} and {imperfect!r}"
    )


@pytest.mark.points(1)
def test_metrics_reject_mismatched_lengths(submission):
    from autograder.client import NotImplementedYet, StudentError

    a, b = [5.0], [1.0, 2.0, 3.0, 4.0]  # NumPy would silently broadcast the single value
    for name in ("rmse", "mae", "r2"):
        try:
            value = getattr(submission, name)(a, b)
        except NotImplementedYet:
            raise
        except StudentError as exc:
            assert "raised ValueError" in str(exc), (
                f"{name}({a}, {b}) should raise ValueError (1 true value, 4 predictions); got: {exc}"
            )
        else:
            raise AssertionError(
                f"{name}({a}, {b}) returned {value!r} instead of raising ValueError: 1 true value against 4 "
                "predictions. NumPy silently broadcasts a single value against many, so compare the lengths yourself"
            )
