"""Trusted-side data and helpers for the 03_mnist hidden suite.

Everything here runs in the grading process, never in the worker: the data is read from the release,
reference answers come from ``reference.py`` through the ``ref`` fixture (from trusted inputs only), and
student results are compared against them here. Library objects the student code must receive (tiny
models, optimizers, loaders) are built in the worker with ``worker_import`` and given the suite's own
seeded weights, so the reference starts from exactly the same point without reading the worker's values.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from autograder.testing import worker_import

DATA = Path("data") / "mnist_5k.csv.gz"
SPLIT_SEED = 0
TEST_FRACTION = 0.2


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


@pytest.fixture(scope="session")
def mnist_split(mnist, ref):
    """The fixed 80/20 stratified split of the end-to-end gates: (X_train, y_train, X_test, y_test)."""
    X, y = mnist
    train_idx, test_idx = ref.stratified_split(y, TEST_FRACTION, SPLIT_SEED)
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


# ---------------------------------------------------------------- trusted weights for worker-side models

def uniform_weights(shape: tuple[int, ...], fan_in: int, seed: int) -> torch.Tensor:
    """Seeded weights on the scale of PyTorch's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=g) * 2.0 - 1.0) / fan_in ** 0.5


def load_weights(submission, remote_model, by_role: dict[tuple[int, ...], torch.Tensor]) -> None:
    """Write the suite's own weights into a worker-side model, matching its parameters by shape.

    The expected outputs are then computed from these trusted weights only, never from values read back
    from the submission. ``torch.nn.utils.vector_to_parameters`` runs in the worker.
    """
    params = parameters_of(remote_model)
    for p in params:
        assert tuple(p.shape) in by_role, (
            f"unexpected parameter of shape {tuple(p.shape)} among {[tuple(q.shape) for q in params]}: "
            "build the layers exactly as the notebook describes")
    flat = torch.cat([by_role[tuple(p.shape)].reshape(-1) for p in params])
    worker_import(submission, "torch.nn.utils").vector_to_parameters(flat, remote_model.parameters())


def linear_start(d: int, c: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The suite's starting weights of a Linear(d, c) layer."""
    return uniform_weights((c, d), d, seed), uniform_weights((c,), d, seed + 1000)


def start_from(submission, remote_linear, weight: torch.Tensor, bias: torch.Tensor) -> None:
    """Give a worker-side nn.Linear the suite's starting weights (so the reference replay starts there too)."""
    load_weights(submission, remote_linear, {tuple(weight.shape): weight, tuple(bias.shape): bias})
    w, b = parameters_of(remote_linear)
    assert torch.equal(w, weight) and torch.equal(b, bias), "the starting weights were not loaded (a course problem)"


def random_two_layer(rng, n=16, d=20, h=12, c=5):
    X = rng.normal(size=(n, d))
    y = rng.integers(0, c, size=n)
    params = {"W1": rng.normal(0, 0.5, size=(d, h)), "b1": rng.normal(0, 0.5, size=h),
              "W2": rng.normal(0, 0.5, size=(h, c)), "b2": rng.normal(0, 0.5, size=c)}
    return X, y, params


# ---------------------------------------------------------------- judging fit apart from train_epoch and predict

# The suite's own epoch and prediction loops (library glue, in the worker): while a test of fit runs, the
# student's fit calls these in place of their train_epoch / predict, so a wrong train_epoch or predict costs
# their own tests' points only, not fit's as well.
TRUSTED_LOOPS = '''
import numpy as _np
import torch as _torch
import torch.nn.functional as _F


def _epoch(model, loader, optimizer):
    model.train()
    weighted, seen = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad(set_to_none=True)
        batch_loss = _F.cross_entropy(model(inputs), targets)
        batch_loss.backward()
        optimizer.step()
        weighted += float(batch_loss.detach()) * int(targets.shape[0])
        seen += int(targets.shape[0])
    return weighted / seen


def _labels_and_guesses(model, loader):
    model.eval()
    labels, guesses = [], []
    with _torch.inference_mode():
        for inputs, targets in loader:
            labels.append(_np.asarray(targets, dtype=_np.int64))
            guesses.append(_np.asarray(_torch.argmax(model(inputs), dim=1), dtype=_np.int64))
    return _np.concatenate(labels), _np.concatenate(guesses)
'''


@pytest.fixture
def trusted_loops(submission):
    """Inside it, the student's fit runs on the suite's train_epoch and predict."""
    from autograder.testing import replaced, worker_function

    with replaced(submission, train_epoch=worker_function(submission, TRUSTED_LOOPS, "_epoch"),
                  predict=worker_function(submission, TRUSTED_LOOPS, "_labels_and_guesses")):
        yield
