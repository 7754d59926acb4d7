"""Seeded problems and assertion helpers for 02_linear_regression.

Everything here runs in the trusted test process. Student code is reached only through the engine's
`submission` fixture; reference answers through the engine's `ref` fixture (``assignments/02_linear_regression/
reference.py`` in the course repository, its recorded answers in the published grader).

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest


# ------------------------------------------------------------------ measuring closeness

def relative_error(a, b):
    """||a - b|| / max(||a|| + ||b||, 1e-300), the notebook's own measure (its setup cell gives it to students)."""
    a, b = np.ravel(np.asarray(a, dtype=float)), np.ravel(np.asarray(b, dtype=float))
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


# ------------------------------------------------------------------ checking answers

def as_floats(value, what):
    """value as a float64 array, or a failed test that says what came back instead."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be numbers (a float or a NumPy array); got {value!r:.80}") from None


def assert_close(actual, expected, rtol=1e-7, atol=0.0, msg="values differ"):
    """Like numpy.testing.assert_allclose, but the reason a student reads comes first and stays short. It never
    prints the expected values: feedback and tutor prompts must not hand over the answer."""
    actual = as_floats(actual, "the result")
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        raise AssertionError(f"{msg} (got shape {actual.shape}, expected {expected.shape})")
    ok = np.isclose(actual, expected, rtol=rtol, atol=atol) | (np.isnan(actual) & np.isnan(expected))
    if ok.all():
        return
    bad = int(np.argmax(~ok.ravel()))
    where = f"first at index {bad}, " if actual.size > 1 else ""
    if not np.isfinite(actual[~ok]).all():
        how = "NaN or inf where a number is expected"
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.abs(actual - expected)[~ok] / np.maximum(np.abs(expected[~ok]), 1e-300)
        how = f"largest relative difference {float(np.max(gap)):.2g}"
    detail = f"{int((~ok).sum())} of {ok.size} values differ beyond rtol={rtol:g}: {where}{how}"
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
    gen = np.random.default_rng(seed)
    true_w = np.asarray(true_w, dtype=float)
    d = true_w.size
    cov = np.full((d, d), correlation) + (1.0 - correlation) * np.eye(d)
    X = gen.multivariate_normal(np.zeros(d), cov, size=n, method="cholesky")
    if scales is not None:
        X = X * np.asarray(scales, dtype=float)
    if means is not None:
        X = X + np.asarray(means, dtype=float)
    y = X @ true_w + true_b + gen.normal(0.0, noise, size=n)
    return X, y


@pytest.fixture(scope="session")
def helpers():
    """This suite's assertion helpers and seeded problems (the reference answers come from the engine's `ref`)."""
    return SimpleNamespace(
        relative_error=relative_error, make_problem=make_problem,
        unpack_result=unpack_result, assert_close=assert_close, as_floats=as_floats,
    )


# ------------------------------------------------------------------ judging one task at a time

# The suite's own model code, written with einsum (library glue, not the reference): while a test of gradient
# descent, SGD or divergence runs, the student's loops call these in place of their predict / mse_loss /
# mse_gradient, so a wrong gradient costs the gradient's points only, not every optimiser test as well.
TRUSTED_MODEL = '''
import numpy as _np


def _predict(X, w, b):
    return _np.einsum("ij,j->i", _np.asarray(X, dtype=float), _np.asarray(w, dtype=float)) + float(b)


def _mse_loss(y_pred, y):
    diff = _np.asarray(y_pred, dtype=float) - _np.asarray(y, dtype=float)
    return float(_np.einsum("i,i->", diff, diff) / diff.size)


def _mse_gradient(X, y, w, b):
    diff = _predict(X, w, b) - _np.asarray(y, dtype=float)
    return _np.einsum("ij,i->j", _np.asarray(X, dtype=float), diff) * (2.0 / diff.size), 2.0 * float(diff.sum()) / diff.size
'''


def _trusted(submission, *names):
    from autograder.testing import replaced, worker_function

    return replaced(submission, **{name: worker_function(submission, TRUSTED_MODEL, f"_{name}") for name in names})


@pytest.fixture
def trusted_model(submission):
    """Inside it, the student's optimisers run on the suite's predict, mse_loss and mse_gradient."""
    with _trusted(submission, "predict", "mse_loss", "mse_gradient"):
        yield


@pytest.fixture
def trusted_predict(submission):
    """Inside it, the student's mse_gradient calls the suite's predict: a wrong predict costs predict's points."""
    with _trusted(submission, "predict"):
        yield
