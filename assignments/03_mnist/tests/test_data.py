"""Tasks 1-3: the stratified split, the Dataset and the DataLoaders."""
import numpy as np
import pytest
import torch

# sorted by class like the MNIST file, with unequal classes: a class of 1 and one of 3 examples
LABELS = np.repeat(np.arange(6), [40, 1, 3, 17, 25, 9])


def as_indices(value, name):
    arr = np.asarray(value)
    assert arr.ndim == 1 and np.issubdtype(arr.dtype, np.integer), (
        f"{name} should be a 1-d integer index array, got dtype {arr.dtype} and shape {arr.shape}")
    return arr


@pytest.mark.points(1)
def test_split_is_a_partition(submission):
    train, test = submission.stratified_split(LABELS, 0.2, 0)
    train, test = as_indices(train, "train_idx"), as_indices(test, "test_idx")
    assert len(np.intersect1d(train, test)) == 0, "train_idx and test_idx share indices: each example goes to one side"
    both = np.sort(np.concatenate([train, test]))
    assert np.array_equal(both, np.arange(len(LABELS))), (
        f"train_idx + test_idx should hold every index 0..{len(LABELS) - 1} exactly once "
        f"(got {len(both)} indices, {len(np.unique(both))} distinct)")


@pytest.mark.points(1)
def test_split_is_stratified(submission):
    counts = np.bincount(LABELS)
    for fraction in (0.2, 0.35):
        _, test = submission.stratified_split(LABELS, fraction, 0)
        test = as_indices(test, "test_idx")
        got = np.bincount(LABELS[test], minlength=len(counts))
        expected = fraction * counts
        # round(f * n_c) per class; at an exact .5 either neighbour is accepted
        ok = np.abs(got - expected) <= 0.5 + 1e-9
        assert ok.all(), (
            f"with test_fraction={fraction} and class sizes {counts.tolist()} the test set should hold "
            f"round(f * n_c) = {[round(v) for v in expected]} examples per class, got {got.tolist()}: "
            "split every class separately")


@pytest.mark.points(1)
def test_split_is_shuffled_and_seeded(submission):
    train_a, test_a = (np.asarray(v) for v in submission.stratified_split(LABELS, 0.2, 7))
    train_b, test_b = (np.asarray(v) for v in submission.stratified_split(LABELS, 0.2, 7))
    assert np.array_equal(train_a, train_b) and np.array_equal(test_a, test_b), (
        "two calls with the same seed gave different splits: draw from np.random.default_rng(seed)")
    train_c, _ = (np.asarray(v) for v in submission.stratified_split(LABELS, 0.2, 8))
    assert not np.array_equal(train_a, train_c), "seeds 7 and 8 gave the same split: use the seed argument"
    assert not np.all(np.diff(LABELS[train_a]) >= 0), (
        "train_idx is still in class order (all 0s, then all 1s, ...): shuffle the indices before returning them")


@pytest.mark.points(2)
def test_dataset_images(submission, rng):
    X = rng.integers(0, 256, size=(7, 784)).astype(np.uint8)
    y = rng.integers(0, 10, size=7)
    for dtype in (np.uint8, np.float64):
        ds = submission.MnistDataset(X.astype(dtype), y)
        assert len(ds) == 7, f"len(ds) should be 7 for 7 images, got {len(ds)}"
        for i in (0, 6):
            image, _ = ds[i]
            assert isinstance(image, torch.Tensor), f"ds[{i}][0] should be a torch tensor, got {type(image).__name__}"
            assert tuple(image.shape) == (1, 28, 28), (
                f"ds[{i}][0] should have shape (1, 28, 28) (channel, height, width), got {tuple(image.shape)}")
            assert image.dtype == torch.float32, f"images should be float32, got {image.dtype} (X of dtype {np.dtype(dtype)})"
            expected = torch.tensor(X[i].reshape(1, 28, 28) / 255.0, dtype=torch.float32)
            assert torch.allclose(image, expected, atol=1e-6), (
                f"ds[{i}][0] should be X[{i}] / 255 laid out row by row; max difference "
                f"{(image - expected).abs().max().item():.3g} (X of dtype {np.dtype(dtype)}): divide by 255 and reshape")


@pytest.mark.points(1)
def test_dataset_labels(submission, rng):
    X = rng.integers(0, 256, size=(5, 784)).astype(np.uint8)
    y = np.array([3, 9, 0, 9, 4])
    ds = submission.MnistDataset(X, y)
    labels = [ds[i][1] for i in range(5)]
    for i, label in enumerate(labels):
        assert isinstance(label, torch.Tensor) and label.dim() == 0 and label.dtype == torch.long, (
            f"ds[{i}][1] should be a 0-d torch.long tensor (what F.cross_entropy expects), got {label!r}")
    assert [int(v) for v in labels] == y.tolist(), f"labels should be {y.tolist()}, got {[int(v) for v in labels]}"


def first_column(batches) -> list[int]:
    return torch.cat([torch.as_tensor(batch[0]) for batch in batches]).tolist()


@pytest.mark.points(1)
def test_loaders_batches_and_test_order(submission, wt):
    ids = wt.data.TensorDataset(torch.arange(23))
    loaders = submission.make_loaders(ids, ids, batch_size=5, seed=0)
    train_loader, test_loader = loaders[0], loaders[1]
    train_sizes = [len(b[0]) for b in train_loader]
    assert train_sizes == [5, 5, 5, 5, 3], (
        f"23 examples in batches of 5 should give batch sizes [5, 5, 5, 5, 3], got {train_sizes}: keep the last batch")
    order = first_column(test_loader)
    assert order == list(range(23)), f"the test loader must keep the dataset order (no shuffling), got {order}"


@pytest.mark.points(2)
def test_train_loader_shuffles_reproducibly(submission, wt):
    ids = wt.data.TensorDataset(torch.arange(40))
    a = submission.make_loaders(ids, ids, batch_size=8, seed=3)[0]
    b = submission.make_loaders(ids, ids, batch_size=8, seed=3)[0]
    c = submission.make_loaders(ids, ids, batch_size=8, seed=4)[0]
    order_a, order_b, order_c = first_column(a), first_column(b), first_column(c)
    assert sorted(order_a) == list(range(40)), "one epoch of the training loader should visit every example once"
    assert order_a != list(range(40)), "the training loader does not shuffle: pass shuffle=True"
    assert order_a == order_b, (
        "two training loaders made with the same seed gave different orders: give the loader its own "
        "generator=torch.Generator().manual_seed(seed) instead of relying on the global random state")
    assert order_a != order_c, "seeds 3 and 4 gave the same order: seed the loader's generator with `seed`"
    assert first_column(a) != order_a, "the second epoch repeated the first epoch's order: reshuffle every epoch"
