"""Trusted reference code and seeded problems for 02_linear_regression.

Everything here runs in the trusted test process. Student code is reached only through the engine's
`submission` fixture; the `ref` fixture below is this suite's own, independent implementation.

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest


# ------------------------------------------------------------------ reference implementation

def predict(X, w, b):
    return np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b)


def mse(X, y, w, b):
    r = predict(X, w, b) - y
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


def relative_error(a, b):
    a, b = np.ravel(np.asarray(a, dtype=float)), np.ravel(np.asarray(b, dtype=float))
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def closed_form(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[:-1], float(theta[-1])


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


def critical_learning_rate(X):
    A = np.column_stack([X, np.ones(len(X))])
    return float(2.0 / np.linalg.eigvalsh((2.0 / len(X)) * (A.T @ A)).max())


# ------------------------------------------------------------------ checking answers

def as_floats(value, what):
    """value as a float64 array, or a failed test that says what came back instead."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be numbers (a float or a NumPy array); got {value!r:.80}") from None


def _show(a):
    return f"{float(a):.6g}" if a.ndim == 0 else np.array2string(a, precision=6, separator=", ")


def assert_close(actual, expected, rtol=1e-7, atol=0.0, msg="values differ"):
    """Like numpy.testing.assert_allclose, but the reason a student reads comes first and stays short."""
    actual = as_floats(actual, "the result")
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        raise AssertionError(f"{msg} (got shape {actual.shape}, expected {expected.shape})")
    ok = np.isclose(actual, expected, rtol=rtol, atol=atol) | (np.isnan(actual) & np.isnan(expected))
    if ok.all():
        return
    if actual.size <= 6:
        detail = f"expected {_show(expected)}, got {_show(actual)}"
    else:
        bad = int(np.argmax(~ok.ravel()))
        detail = (f"{int((~ok).sum())} of {ok.size} values differ, e.g. at index {bad}: expected "
                  f"{expected.ravel()[bad]:.6g}, got {actual.ravel()[bad]:.6g}")
    raise AssertionError(f"{msg} ({detail})")


def unpack_result(out, d, n_steps, what="gradient_descent", steps="n_iters"):
    """Check the (w, b, losses) triple of gradient_descent / minibatch_sgd and return it as floats."""
    assert isinstance(out, (tuple, list)) and len(out) == 3, \
        f"{what} should return a triple (w, b, losses); got {type(out).__name__}"
    w, b, losses = (as_floats(v, f"{what}'s {name}") for v, name in zip(out, ("w", "b", "losses")))
    assert w.shape == (d,), f"{what}'s w has shape {w.shape}; expected ({d},)"
    assert b.ndim == 0, f"{what}'s b should be a scalar; got shape {b.shape}"
    assert losses.shape == (n_steps + 1,), (f"{what}'s losses has shape {losses.shape}; expected ({n_steps + 1},): "
                                            f"the loss before the first update and after each of the {n_steps} {steps}")
    return w, float(b), losses


# ------------------------------------------------------------------ seeded problems

def make_problem(seed, n, true_w, true_b, noise, means=None, scales=None, correlation=0.0):
    """A seeded linear problem: X (n, d) with optional offsets, scales and equicorrelated columns."""
    rng = np.random.default_rng(seed)
    true_w = np.asarray(true_w, dtype=float)
    d = true_w.size
    cov = np.full((d, d), correlation) + (1.0 - correlation) * np.eye(d)
    X = rng.multivariate_normal(np.zeros(d), cov, size=n, method="cholesky")
    if scales is not None:
        X = X * np.asarray(scales, dtype=float)
    if means is not None:
        X = X + np.asarray(means, dtype=float)
    y = X @ true_w + true_b + rng.normal(0.0, noise, size=n)
    return X, y


def standardized(X):
    mean, std = fit_standardizer(X)
    return (X - mean) / std


@pytest.fixture(scope="session")
def ref():
    """This suite's trusted implementation (never the student's)."""
    return SimpleNamespace(
        predict=predict, mse=mse, gradient=gradient, central_difference=central_difference,
        relative_error=relative_error, closed_form=closed_form, gradient_descent=gradient_descent,
        minibatch_sgd=minibatch_sgd, fit_standardizer=fit_standardizer,
        critical_learning_rate=critical_learning_rate, make_problem=make_problem, standardized=standardized,
        unpack_result=unpack_result, assert_close=assert_close, as_floats=as_floats,
    )
