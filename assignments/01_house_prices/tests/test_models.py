"""Task 5: the ridge and gradient-boosting pipelines, and their held-out quality (random_state 42 split)."""
import numpy as np
import pytest
from sklearn.metrics import r2_score, root_mean_squared_error

RIDGE_MIN_R2 = 0.55        # reference: 0.603
BOOSTING_MIN_R2 = 0.58     # reference: 0.668
MAX_RMSE = 75_000          # reference: 68.2k (ridge), 62.4k (boosting); predicting the mean: 108.3k


def last_step(pipe, helpers) -> str:
    return helpers.type_name(pipe[-1]).rsplit(".", 1)[-1]


@pytest.mark.points(1)
def test_ridge_pipeline_structure(submission, helpers, split):
    X_train = split[0]
    pipe = submission.make_ridge_pipeline(X_train, alpha=3.5)
    kind = helpers.type_name(pipe)
    assert kind.endswith(".Pipeline"), f"make_ridge_pipeline should return a sklearn Pipeline, got {kind}"
    assert len(pipe) == 2, f"the pipeline should have 2 steps (preprocess, model), it has {len(pipe)}"
    assert helpers.type_name(pipe[0]).endswith(".ColumnTransformer"), (
        f"the first step should be make_preprocessor(X), got {helpers.type_name(pipe[0])}"
    )
    assert last_step(pipe, helpers) == "Ridge", f"the last step should be Ridge, got {helpers.type_name(pipe[-1])}"
    alpha = pipe[-1].alpha
    assert alpha == 3.5, f"make_ridge_pipeline(X, alpha=3.5) built Ridge(alpha={alpha!r}): pass alpha through"


@pytest.mark.points(1)
def test_boosting_pipeline_structure(submission, helpers, split):
    X_train = split[0]
    pipe = submission.make_boosting_pipeline(X_train)
    kind = helpers.type_name(pipe)
    assert kind.endswith(".Pipeline"), f"make_boosting_pipeline should return a sklearn Pipeline, got {kind}"
    assert helpers.type_name(pipe[0]).endswith(".ColumnTransformer"), (
        f"the first step should be make_preprocessor(X), got {helpers.type_name(pipe[0])}"
    )
    model = helpers.type_name(pipe[-1])
    assert "boost" in model.lower(), (
        f"the last step should be a gradient-boosting regressor (GradientBoostingRegressor), got {model}"
    )


def held_out_scores(submission, make, split):
    X_train, X_test, y_train, y_test = split
    pipe = getattr(submission, make)(X_train)
    pipe.fit(X_train, y_train)
    pred = np.asarray(pipe.predict(X_test), dtype=float)
    assert pred.shape in ((len(X_test),), (len(X_test), 1)), (
        f"predict on {len(X_test)} test houses returned shape {pred.shape}"
    )
    pred = pred.ravel()
    return r2_score(y_test, pred), root_mean_squared_error(y_test, pred)


@pytest.mark.points(2)
def test_ridge_generalizes(submission, split):
    r2, rmse = held_out_scores(submission, "make_ridge_pipeline", split)
    assert r2 >= RIDGE_MIN_R2 and rmse <= MAX_RMSE, (
        f"fitted on train_test_split(..., test_size=0.2, random_state=42), the ridge pipeline scores "
        f"R^2 = {r2:.3f}, RMSE = {rmse:,.0f} on the test houses; expected R^2 >= {RIDGE_MIN_R2} and "
        f"RMSE <= {MAX_RMSE:,} (the reference gets 0.60 and 68k). Check the preprocessing (scaled numerics, "
        "one-hot categoricals) and alpha=1.0"
    )


@pytest.mark.points(2)
def test_boosting_generalizes(submission, split):
    r2, rmse = held_out_scores(submission, "make_boosting_pipeline", split)
    assert r2 >= BOOSTING_MIN_R2 and rmse <= MAX_RMSE, (
        f"fitted on train_test_split(..., test_size=0.2, random_state=42), the boosting pipeline scores "
        f"R^2 = {r2:.3f}, RMSE = {rmse:,.0f} on the test houses; expected R^2 >= {BOOSTING_MIN_R2} and "
        f"RMSE <= {MAX_RMSE:,} (the reference, GradientBoostingRegressor with its defaults, gets 0.67 and 62k)"
    )
