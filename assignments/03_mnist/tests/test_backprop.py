"""Part B: softmax cross-entropy, the two-layer forward pass and its backward pass in NumPy (float64)."""
import numpy as np
import pytest

from conftest import random_two_layer

GRAD_TOL = 1e-6  # the gate: NumPy backward within 1e-6 of autograd in float64


@pytest.mark.points(3)
def test_softmax_cross_entropy_matches_torch(submission, rng, ref):
    logits = rng.normal(0, 3, size=(12, 7))
    y = rng.integers(0, 7, size=12)
    loss, dlogits = submission.softmax_cross_entropy(logits, y)
    loss_ref, grad_ref = ref.softmax_cross_entropy(logits, y)
    assert abs(float(loss) - loss_ref) < 1e-9, (
        f"loss {float(loss):.10f} != {loss_ref:.10f}: the MEAN over the batch of -log softmax(z)[label]")
    dlogits = np.asarray(dlogits)
    assert dlogits.shape == (12, 7), f"dlogits should have the shape of logits (12, 7), got {dlogits.shape}"
    if np.allclose(dlogits, grad_ref * 12, atol=1e-9):
        pytest.fail("dlogits is N times too large: the loss is a mean, so divide (softmax - onehot) by N")
    err = np.abs(dlogits - grad_ref).max()
    assert err < 1e-9, f"dlogits differs from (softmax - onehot) / N by up to {err:.3g}"


@pytest.mark.points(1)
def test_softmax_cross_entropy_is_stable(submission, ref):
    logits = np.array([[1000.0, 0.0, -1000.0], [-800.0, -805.0, -790.0], [50.0, 50.0, 50.0]])
    y = np.array([1, 0, 2])
    with np.errstate(all="ignore"):
        loss_ref, grad_ref = ref.softmax_cross_entropy(logits, y)
    loss, dlogits = submission.softmax_cross_entropy(logits, y)
    dlogits = np.asarray(dlogits)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits)), (
        "loss or gradient is inf/nan for logits of magnitude 1000: subtract each row's maximum before exp")
    assert abs(float(loss) - loss_ref) < 1e-8, (
        f"for logits of magnitude 1000 the loss should be {loss_ref:.6f}, got {float(loss):.6f}: "
        "compute log-softmax as z - max - log(sum(exp(z - max)))")
    # the gradient's 1/N scale is checked by test_softmax_cross_entropy_matches_torch; here only its values
    scale = np.abs(dlogits).max()
    assert scale > 0 and np.abs(dlogits / scale - grad_ref / np.abs(grad_ref).max()).max() < 1e-8, (
        "for logits of magnitude 1000 the gradient should still be (softmax - onehot) / N, computed from the "
        "stable softmax exp(z - max) / sum(exp(z - max))")


@pytest.mark.points(1)
def test_two_layer_forward(submission, rng, ref):
    X, y, params = random_two_layer(rng)
    logits_ref, _, _ = ref.two_layer(X, y, params)
    logits, _ = submission.two_layer_forward(X, params)
    logits = np.asarray(logits)
    assert logits.shape == logits_ref.shape, f"logits should have shape (N, C) = {logits_ref.shape}, got {logits.shape}"
    err = np.abs(logits - logits_ref).max()
    assert err < 1e-10, f"logits differ from ReLU(X @ W1 + b1) @ W2 + b2 by up to {err:.3g}"


def check_grads(submission, ref, X, y, params):
    _, grads_ref, dlogits = ref.two_layer(X, y, params)
    _, cache = submission.two_layer_forward(X, params)
    grads = submission.two_layer_backward(dlogits, cache, params)
    assert isinstance(grads, dict), f"two_layer_backward should return a dict, got {type(grads).__name__}"
    for name in ("W2", "b2", "W1", "b1"):
        assert name in grads, f"the gradient dict has no {name!r} entry (keys: {sorted(grads)})"
        g = np.asarray(grads[name])
        assert g.shape == grads_ref[name].shape, (
            f"grad {name} should have the shape of {name}, {grads_ref[name].shape}, got {g.shape}")
        err = np.abs(g - grads_ref[name]).max()
        assert err < GRAD_TOL, (
            f"grad {name} differs from torch autograd (float64) by up to {err:.3g} (tolerance {GRAD_TOL}): "
            "re-derive it from the backward equations")
    return grads


@pytest.mark.points(4)
@pytest.mark.task("two_layer_backward")  # it runs two_layer_forward first, for the cache
def test_two_layer_backward_matches_autograd(submission, rng, ref):
    X, y, params = random_two_layer(rng)
    check_grads(submission, ref, X, y, params)
    X, y, params = random_two_layer(rng, n=1, d=3, h=4, c=2)     # a single example
    check_grads(submission, ref, X, y, params)


@pytest.mark.points(2)
@pytest.mark.task("two_layer_backward")  # it runs two_layer_forward first, for the cache
def test_two_layer_backward_dead_units(submission, rng, ref):
    X, y, params = random_two_layer(rng)
    params["b1"][:4] = -100.0                                      # hidden units 0-3 never fire
    grads = check_grads(submission, ref, X, y, params)
    assert np.all(np.asarray(grads["W1"])[:, :4] == 0) and np.all(np.asarray(grads["b1"])[:4] == 0), (
        "units whose pre-activation is negative for every example must get zero gradient: "
        "mask dH with (Z1 > 0)")
