"""Trusted-side data and reference computations for the 03_mnist hidden suite.

Everything here runs in the grading process, never in the worker: the data is read from the release,
references are computed with NumPy and PyTorch here, and student results are compared against them.
Library objects the student code must receive (tiny models, optimizers, loaders) are built in the
worker with ``worker_import``; their initial weights are read back so the reference can start from
exactly the same point.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import worker_import

DATA = Path("data") / "mnist_5k.csv.gz"
SPLIT_SEED = 0
TEST_FRACTION = 0.2

torch.set_num_threads(2)


# ---------------------------------------------------------------- data

@functools.lru_cache(maxsize=1)
def _read(path: str) -> tuple[np.ndarray, np.ndarray]:
    table = pd.read_csv(path, header=None).to_numpy()
    return table[:, :-1].astype(np.uint8), table[:, -1].astype(np.int64)


@pytest.fixture(scope="session")
def mnist(release_dir) -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits of the release: X uint8 (5000, 784), y int64 (5000,)."""
    X, y = _read(str(Path(release_dir) / DATA))
    assert X.shape == (5000, 784) and np.bincount(y).tolist() == [500] * 10, "unexpected release data"
    return X, y


def reference_split(y: np.ndarray, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED):
    """The notebook's reference stratified split (per class: shuffle, first round(f n_c) to test)."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(test_fraction * len(idx)))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


@pytest.fixture(scope="session")
def mnist_split(mnist):
    """The fixed 80/20 stratified split of the end-to-end gates: (X_train, y_train, X_test, y_test)."""
    X, y = mnist
    train_idx, test_idx = reference_split(y)
    return X[train_idx], y[train_idx], X[test_idx], y[test_idx]


# ---------------------------------------------------------------- worker-side building blocks

class WorkerTorch:
    """torch, torch.nn, torch.optim and torch.utils.data as modules of the worker."""

    def __init__(self, submission):
        self.torch = worker_import(submission, "torch")
        self.nn = worker_import(submission, "torch.nn")
        self.optim = worker_import(submission, "torch.optim")
        self.data = worker_import(submission, "torch.utils.data")

    def loader(self, *tensors, batch_size: int, shuffle: bool = False):
        """A DataLoader over a TensorDataset, built in the worker (never shuffled unless asked)."""
        return self.data.DataLoader(self.data.TensorDataset(*tensors), batch_size=batch_size, shuffle=shuffle)


@pytest.fixture
def wt(submission) -> WorkerTorch:
    return WorkerTorch(submission)


def parameters_of(remote_model) -> list[torch.Tensor]:
    """The model's parameters, read from the worker, in registration order."""
    return [torch.as_tensor(p).detach().clone() for p in remote_model.parameters()]


def by_shape(params: list[torch.Tensor], shape: tuple[int, ...], what: str) -> torch.Tensor:
    matches = [p for p in params if tuple(p.shape) == shape]
    assert len(matches) == 1, (
        f"expected exactly one parameter of shape {shape} ({what}), found {len(matches)} among "
        f"{[tuple(p.shape) for p in params]}: build the layers exactly as the notebook describes")
    return matches[0]


# ---------------------------------------------------------------- references

def reference_mlp(params: list[torch.Tensor], x: torch.Tensor, hidden: int, n_classes: int) -> torch.Tensor:
    assert hidden != n_classes, "the tests use distinct sizes so that every parameter has its own shape"
    W1 = by_shape(params, (hidden, 784), "first Linear weight")
    b1 = by_shape(params, (hidden,), "first Linear bias")
    W2 = by_shape(params, (n_classes, hidden), "second Linear weight")
    b2 = by_shape(params, (n_classes,), "second Linear bias")
    return F.linear(F.relu(F.linear(x.reshape(len(x), -1), W1, b1)), W2, b2)


def reference_cnn(params: list[torch.Tensor], x: torch.Tensor, c1: int, c2: int, n_classes: int) -> torch.Tensor:
    assert len({c1, c2, n_classes}) == 3, "the tests use distinct sizes so that every parameter has its own shape"
    k1 = by_shape(params, (c1, 1, 3, 3), "first Conv2d weight")
    k2 = by_shape(params, (c2, c1, 3, 3), "second Conv2d weight")
    W = by_shape(params, (n_classes, c2 * 49), "Linear weight")
    b_1 = by_shape(params, (c1,), "first Conv2d bias")
    b_2 = by_shape(params, (c2,), "second Conv2d bias")
    b_3 = by_shape(params, (n_classes,), "Linear bias")
    h = F.max_pool2d(F.relu(F.conv2d(x, k1, b_1, padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, k2, b_2, padding=1)), 2)
    return F.linear(h.flatten(1), W, b_3)


def reference_epochs(weight, bias, X, y, batch_size, make_optimizer, epochs):
    """Replay mini-batch training of a Linear layer on the trusted side; returns (weight, bias, losses)."""
    lin = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        lin.weight.copy_(weight)
        lin.bias.copy_(bias)
    optimizer = make_optimizer(lin.parameters())
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for start in range(0, len(X), batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(lin(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            count += len(yb)
        losses.append(total / count)
    return lin.weight.detach(), lin.bias.detach(), losses


def reference_softmax_ce(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient by torch autograd in float64."""
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(t, torch.as_tensor(y, dtype=torch.long))
    loss.backward()
    return loss.item(), t.grad.numpy()


def reference_two_layer(X, y, params) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """(logits, autograd gradients of the mean cross-entropy, dL/dlogits), all float64."""
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z1 = torch.tensor(X, dtype=torch.float64) @ tp["W1"] + tp["b1"]
    logits = torch.relu(z1) @ tp["W2"] + tp["b2"]
    logits.retain_grad()
    F.cross_entropy(logits, torch.as_tensor(y, dtype=torch.long)).backward()
    return logits.detach().numpy(), {k: v.grad.numpy() for k, v in tp.items()}, logits.grad.numpy()


def random_two_layer(rng, n=16, d=20, h=12, c=5):
    X = rng.normal(size=(n, d))
    y = rng.integers(0, c, size=n)
    params = {"W1": rng.normal(0, 0.5, size=(d, h)), "b1": rng.normal(0, 0.5, size=h),
              "W2": rng.normal(0, 0.5, size=(h, c)), "b2": rng.normal(0, 0.5, size=c)}
    return X, y, params
