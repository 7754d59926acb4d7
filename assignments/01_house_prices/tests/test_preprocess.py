"""Task 4: the ColumnTransformer (standardized numerics, one-hot categoricals)."""
import numpy as np
import pandas as pd
import pytest


def fitted_output(submission, helpers, X_fit, X_out=None):
    pre = submission.make_preprocessor(X_fit)
    Z = helpers.dense(pre.fit_transform(X_fit))
    if X_out is None:
        return Z
    return Z, helpers.dense(pre.transform(X_out))


@pytest.mark.points(1)
def test_preprocessor_output_width(submission, helpers, split):
    X_train, X_test, _, _ = split
    Z, Z_test = fitted_output(submission, helpers, X_train, X_test)
    n_categories = sum(X_train[c].nunique() for c in helpers.CATEGORICAL)
    want = len(helpers.NUMERIC) + n_categories
    assert Z.shape == (len(X_train), want) and Z_test.shape == (len(X_test), want), (
        f"fitted on the training houses, the preprocessor should output {len(helpers.NUMERIC)} scaled numeric + "
        f"{n_categories} indicator columns = {want}; got {Z.shape} (train) and {Z_test.shape} (test). Fewer "
        "columns: some were dropped (with pandas 3 text columns are 'str', not 'object': select them with "
        "exclude='number'). More: numeric columns were one-hot encoded too, or the text columns passed through"
    )


@pytest.mark.points(2)
def test_preprocessor_standardizes_numeric_columns(submission, helpers, split):
    X_train, X_test, _, _ = split
    Z, Z_test = fitted_output(submission, helpers, X_train, X_test)
    for column in helpers.NUMERIC:
        mean, std = X_train[column].mean(), X_train[column].std(ddof=0)
        scaled_train = (X_train[column] - mean) / std
        assert helpers.find_column(Z, scaled_train.to_numpy()), (
            f"no output column is '{column}' standardized with the training mean and std "
            f"((x - {mean:.4g}) / {std:.4g}): scale the numeric columns with StandardScaler"
        )
        scaled_test = (X_test[column] - mean) / std
        assert helpers.find_column(Z_test, scaled_test.to_numpy()), (
            f"transform(X_test) does not scale '{column}' with the TRAINING mean and std: the statistics must be "
            "learned in fit and reused in transform (StandardScaler inside the ColumnTransformer does that)"
        )


@pytest.mark.points(2)
def test_preprocessor_one_hot_encodes_categoricals(submission, helpers, split):
    X_train, X_test, _, _ = split
    Z, Z_test = fitted_output(submission, helpers, X_train, X_test)
    for column in helpers.CATEGORICAL:
        for category in sorted(X_train[column].unique()):
            indicator = (X_train[column] == category).to_numpy(dtype=float)
            assert helpers.find_column(Z, indicator), (
                f"no output column is the 0/1 indicator of {column} == {category!r}: one-hot encode every "
                "non-numeric column with OneHotEncoder (not OrdinalEncoder, and do not scale the indicators)"
            )
            assert helpers.find_column(Z_test, (X_test[column] == category).to_numpy(dtype=float)), (
                f"transform(X_test) does not give the indicator of {column} == {category!r}"
            )


@pytest.mark.points(1)
def test_preprocessor_picks_columns_from_dtypes(submission, helpers):
    toy = pd.DataFrame({
        "size_m2": [50.0, 70.0, 90.0, 110.0, 65.0],
        "floor": [1, 4, 2, 3, 1],
        "district": ["north", "south", "north", "east", "east"],
        "garden": ["yes", "no", "no", "yes", "no"],
    })
    Z = fitted_output(submission, helpers, toy)
    assert Z.shape == (5, 2 + 3 + 2), (
        f"on a table with 2 numeric and 2 text columns (3 + 2 categories) expected shape (5, 7), got {Z.shape}: "
        "choose the columns from X's dtypes (select_dtypes) instead of a hard-coded list of Saratoga names"
    )
    for column in ["size_m2", "floor"]:
        scaled = (toy[column] - toy[column].mean()) / toy[column].std(ddof=0)
        assert helpers.find_column(Z, scaled.to_numpy()), f"numeric column '{column}' is not standardized"
    assert helpers.find_column(Z, (toy["district"] == "east").to_numpy(dtype=float)), (
        "text column 'district' is not one-hot encoded"
    )


@pytest.mark.points(1)
def test_preprocessor_ignores_unknown_categories(submission, helpers, split):
    X_train, _, _, _ = split
    new_house = X_train.iloc[:1].copy()
    new_house["heating"] = "geothermal"  # never seen in training
    pre = submission.make_preprocessor(X_train)
    pre.fit(X_train)
    row = helpers.dense(pre.transform(new_house))
    known = helpers.dense(pre.transform(X_train.iloc[:1]))
    assert row.shape == known.shape, f"expected shape {known.shape} for one house, got {row.shape}"
    changed = np.flatnonzero(~np.isclose(row[0], known[0]))
    assert len(changed) == 1 and known[0, changed[0]] == 1.0 and row[0, changed[0]] == 0.0, (
        "a heating type never seen in training should encode as all-zero heating indicators (and change nothing "
        "else): use OneHotEncoder(handle_unknown='ignore')"
    )
