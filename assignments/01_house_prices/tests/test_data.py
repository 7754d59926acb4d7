"""Task 1-2: loading the CSV, separating features from the target, the train/test split."""
import numpy as np
import pandas as pd
import pytest

PARTS = [("X_train", pd.DataFrame), ("X_test", pd.DataFrame), ("y_train", pd.Series), ("y_test", pd.Series)]


@pytest.mark.points(1)
def test_load_houses_reads_the_csv(submission, houses):
    df = submission.load_houses("data/saratoga_houses.csv")
    assert isinstance(df, pd.DataFrame), f"load_houses should return a pandas DataFrame, got {type(df).__name__}"
    assert df.shape == houses.shape, (
        f"expected {houses.shape[0]} rows x {houses.shape[1]} columns, got {df.shape}: "
        "read the file with pd.read_csv(path) and no index column"
    )
    assert list(df.columns) == list(houses.columns), f"columns differ from the CSV header: got {list(df.columns)}"
    pd.testing.assert_frame_equal(df.reset_index(drop=True), houses, check_dtype=False,
                                  obj="load_houses(...) compared with the CSV")


@pytest.mark.points(1)
def test_split_features_target_drops_only_the_target(submission, houses):
    X, y = submission.split_features_target(houses)
    assert "price" not in X.columns, "X still contains 'price': the model could read the answer (target leak)"
    assert list(X.columns) == [c for c in houses.columns if c != "price"], (
        f"X should hold every column but the target, in the original order; got {list(X.columns)}"
    )
    assert np.array_equal(np.asarray(y), houses["price"].to_numpy()), "y should be the 'price' column"

    toy = pd.DataFrame({"a": [1.0, 2.0, 3.0], "target": [10, 20, 30], "b": ["x", "y", "z"]})
    X2, y2 = submission.split_features_target(toy, target="target")
    assert list(X2.columns) == ["a", "b"] and list(y2) == [10, 20, 30], (
        f"with target='target' expected X columns ['a', 'b'] and y [10, 20, 30], got {list(X2.columns)} and "
        f"{list(y2)}: use the `target` argument, not a hard-coded 'price'"
    )


@pytest.mark.points(1)
def test_split_train_test_matches_train_test_split(submission, ref, features):
    X, y = features
    train, test = ref.split_index(X, y, 0.2, 42)
    got = submission.split_train_test(X, y)
    assert isinstance(got, (tuple, list)) and len(got) == 4, "return the 4-tuple (X_train, X_test, y_train, y_test)"
    for (name, kind), g, rows in zip(PARTS, got, [train, test, train, test]):
        assert isinstance(g, kind), (
            f"{name} should be a pandas {kind.__name__} (keep the row labels), got {type(g).__name__}: pass the "
            "DataFrame X and the Series y to train_test_split, not .values"
        )
        assert len(g) == len(rows), f"{name} has {len(g)} rows, expected {len(rows)} (test_size=0.2 of {len(X)})"
        assert list(g.index) == rows, (
            f"{name} holds different rows than train_test_split(X, y, test_size=0.2, random_state=42): "
            "shuffle, pass the random_state through, and split X and y in the same call"
        )

    toy_X = pd.DataFrame({"a": np.arange(20.0), "b": list("pq" * 10)})
    toy_y = pd.Series(np.arange(20) * 10, name="target")
    train, test = ref.split_index(toy_X, toy_y, 0.25, 3)
    got = submission.split_train_test(toy_X, toy_y, test_size=0.25, random_state=3)
    for (name, _), g, rows in zip(PARTS, got, [train, test, train, test]):
        assert list(g.index) == rows, (
            f"with test_size=0.25, random_state=3 {name} differs from train_test_split: are test_size and "
            "random_state passed through instead of hard-coded?"
        )
