"""Task 6: k-fold cross-validated RMSE, checked fold by fold against KFold + scikit-learn."""
import numpy as np
import pandas as pd
import pytest


def toy_regression(rng, n=90):
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    y = pd.Series(2.0 * X["a"] - X["b"] + 0.5 * X["c"] ** 2 + rng.normal(scale=0.7, size=n), name="y")
    return X, y


def check(submission, ref, helpers, rng, n_splits, random_state, hint):
    X, y = toy_regression(rng)
    want = ref.cross_validated_rmse(X, y, n_splits, random_state)
    model = helpers.worker_class(submission, "sklearn.linear_model", "Ridge")(alpha=1.0)
    kwargs = {} if (n_splits, random_state) == (5, 42) else {"n_splits": n_splits, "random_state": random_state}
    got = np.asarray(submission.cross_validate_rmse(model, X, y, **kwargs), dtype=float)
    assert got.shape == want.shape, f"expected one RMSE per fold, shape {want.shape}, got shape {got.shape}"
    if np.allclose(got, -want, rtol=1e-6):
        raise AssertionError("the fold RMSEs are negative: cross_val_score's 'neg_root_mean_squared_error' "
                             "returns -RMSE, negate it")
    assert np.allclose(got, want, rtol=1e-6), (
        f"{hint}: expected fold RMSEs {np.round(want, 4)}, got {np.round(got, 4)}. Use KFold(n_splits, "
        "shuffle=True, random_state=random_state) and report the RMSE (not MSE) of each held-out fold, in order"
    )


@pytest.mark.points(1)
def test_cross_validate_rmse_matches_kfold(submission, ref, helpers, rng):
    check(submission, ref, helpers, rng, 5, 42, "with the defaults (5 folds, random_state=42)")


@pytest.mark.points(1)
def test_cross_validate_rmse_uses_n_splits_and_seed(submission, ref, helpers, rng):
    check(submission, ref, helpers, rng, 3, 7, "with n_splits=3, random_state=7")
