"""Instructor-only reference answers of the 03_mnist hidden suite (never published).

The tests reach these functions through the ``ref`` fixture: live in the course repository, replayed from
the recorded snapshot in the published grader. Every argument is a seeded input of the suite or release
data (never a value that came back from a submission), and every answer is plain data.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


# ---------------------------------------------------------------- Tasks 1-3: the split

def stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's stratified split (per class: shuffle, first round(f n_c) to test; both sides shuffled)."""
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_fraction * len(members)))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return (rng.permutation(np.concatenate(train)).astype(np.int64),
            rng.permutation(np.concatenate(test)).astype(np.int64))


# ---------------------------------------------------------------- Tasks 4 and 8: the models' forward passes

def mlp_logits(x: torch.Tensor, W1, b1, W2, b2) -> torch.Tensor:
    """Flatten -> Linear -> ReLU -> Linear with the given weights."""
    return F.linear(F.relu(F.linear(x.reshape(len(x), -1), W1, b1)), W2, b2)


def cnn_logits(x: torch.Tensor, k1, c1_bias, k2, c2_bias, W, b) -> torch.Tensor:
    """[Conv3x3(padding=1) -> ReLU -> MaxPool2] x 2 -> Flatten -> Linear with the given weights."""
    h = F.max_pool2d(F.relu(F.conv2d(x, k1, c1_bias, padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, k2, c2_bias, padding=1)), 2)
    return F.linear(h.flatten(1), W, b)


# ---------------------------------------------------------------- Tasks 5-7: training a Linear layer

def _linear(weight, bias) -> torch.nn.Linear:
    lin = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        lin.weight.copy_(weight)
        lin.bias.copy_(bias)
    return lin


def _optimizer(name: str, params, lr: float):
    return {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[name](params, lr=lr)


def _one_epoch(lin, optimizer, X, y, batch_size) -> float:
    total, count = 0.0, 0
    for start in range(0, len(X), batch_size):
        xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        optimizer.zero_grad()
        batch_loss = F.cross_entropy(lin(xb), yb)
        batch_loss.backward()
        optimizer.step()
        total += batch_loss.item() * len(yb)
        count += len(yb)
    return total / count


def train_linear(weight, bias, X, y, batch_size: int, optimizer: str, lr: float, epochs: int):
    """Mini-batch training of a Linear layer from (weight, bias), batches in order; returns (weight, bias, losses)."""
    lin = _linear(weight, bias)
    opt = _optimizer(optimizer, lin.parameters(), lr)
    losses = [_one_epoch(lin, opt, X, y, batch_size) for _ in range(epochs)]
    return lin.weight.detach().clone(), lin.bias.detach().clone(), losses


def adam_test_accuracies(weight, bias, X, y, X_test, y_test, batch_size: int, lr: float, epochs: int) -> list[float]:
    """Adam training of a Linear layer; the test accuracy after every epoch."""
    lin = _linear(weight, bias)
    opt = _optimizer("adam", lin.parameters(), lr)
    accuracies = []
    for _ in range(epochs):
        _one_epoch(lin, opt, X, y, batch_size)
        with torch.no_grad():
            accuracies.append(float((lin(X_test).argmax(1) == y_test).double().mean()))
    return accuracies


# ---------------------------------------------------------------- Task 9: the confusion matrix

def confusion_matrix(y_true, y_pred, k: int) -> np.ndarray:
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return cm


# ---------------------------------------------------------------- Part B: backpropagation in NumPy

def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient by torch autograd in float64."""
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(t, torch.as_tensor(y, dtype=torch.long))
    loss.backward()
    return loss.item(), t.grad.numpy()


def two_layer(X, y, params) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """(logits, autograd gradients of the mean cross-entropy, dL/dlogits), all float64."""
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z1 = torch.tensor(X, dtype=torch.float64) @ tp["W1"] + tp["b1"]
    logits = torch.relu(z1) @ tp["W2"] + tp["b2"]
    logits.retain_grad()
    F.cross_entropy(logits, torch.as_tensor(y, dtype=torch.long)).backward()
    return logits.detach().numpy(), {k: v.grad.numpy() for k, v in tp.items()}, logits.grad.numpy()
