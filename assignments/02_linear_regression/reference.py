"""Instructor-only reference answers for the 02_linear_regression hidden suite (never published).

The hidden tests reach these through the engine's ``ref`` fixture (``ref.closed_form(X, y)``): live in the
course repository, replayed from the recorded snapshot in the published grader. Every argument comes from the
suite's seeded problems (or from an earlier reference answer), never from the submission.
"""

from __future__ import annotations

import numpy as np


def predict(X, w, b):
    return np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b)


def mse(X, y, w, b):
    r = predict(X, w, b) - y
    return float(np.mean(r * r))


def mse_loss(y_pred, y):
    r = np.asarray(y_pred, dtype=float) - np.asarray(y, dtype=float)
    return float(np.mean(r * r))


def gradient(X, y, w, b):
    r = predict(X, w, b) - y
    return (2.0 / len(y)) * (X.T @ r), 2.0 * float(np.mean(r))


def central_difference(X, y, w, b, h=1e-5):
    """Central finite differences of the MSE with respect to (w, b), as one vector of length d + 1."""
    theta = np.append(np.asarray(w, dtype=float), float(b))
    grad = np.empty_like(theta)
    for k in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[k] += h
        minus[k] -= h
        grad[k] = (mse(X, y, plus[:-1], plus[-1]) - mse(X, y, minus[:-1], minus[-1])) / (2.0 * h)
    return grad


def closed_form(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[:-1], float(theta[-1])


def least_squares_predictions(X, y):
    """The least-squares fit's predictions on X."""
    w, b = closed_form(X, y)
    return predict(X, w, b)


def least_squares_loss(X, y):
    """The smallest achievable MSE on (X, y)."""
    w, b = closed_form(X, y)
    return mse(X, y, w, b)


def gradient_descent(X, y, lr, n_iters, w0=None, b0=0.0):
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    losses = [mse(X, y, w, b)]
    for _ in range(n_iters):
        gw, gb = gradient(X, y, w, b)
        w, b = w - lr * gw, b - lr * gb
        losses.append(mse(X, y, w, b))
    return w, b, np.array(losses)


def minibatch_sgd(X, y, lr, n_epochs, batch_size, seed=0):
    n, d = X.shape
    rng = np.random.default_rng(seed)
    w, b = np.zeros(d), 0.0
    losses = [mse(X, y, w, b)]
    for _ in range(n_epochs):
        perm = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            gw, gb = gradient(X[idx], y[idx], w, b)
            w, b = w - lr * gw, b - lr * gb
        losses.append(mse(X, y, w, b))
    return w, b, np.array(losses)


def fit_standardizer(X):
    mean, std = X.mean(axis=0), X.std(axis=0)
    return mean, np.where(std == 0.0, 1.0, std)


def standardize(X, mean, std):
    return (X - mean) / std


def standardized(X):
    mean, std = fit_standardizer(X)
    return standardize(X, mean, std)


def unstandardize_weights(w_std, b_std, mean, std):
    w = np.asarray(w_std, dtype=float) / std
    return w, float(b_std - mean @ w)


def standardized_predictions(X, mean, std, w_std, b_std):
    """Predictions of (w_std, b_std) on the standardised X."""
    return predict(standardize(X, mean, std), w_std, b_std)


def _lambda_max_rate(A):
    return float(2.0 / np.linalg.eigvalsh((2.0 / len(A)) * (A.T @ A)).max())


def critical_learning_rate(X):
    return _lambda_max_rate(np.column_stack([X, np.ones(len(X))]))


def critical_learning_rate_without_bias(X):
    """The usual mistake: the Hessian of the weights alone, without the column of ones."""
    return _lambda_max_rate(np.asarray(X, dtype=float))
