"""Section 9: mini-batch stochastic gradient descent.

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

import numpy as np
import pytest

def _sgd(submission, helpers, X, y, lr, n_epochs, batch_size, seed):
    out = submission.minibatch_sgd(X, y, lr, n_epochs, batch_size, seed)
    return helpers.unpack_result(out, X.shape[1], n_epochs, what="minibatch_sgd", steps="epochs")


@pytest.fixture(autouse=True)
def _judged_alone(trusted_model):
    """These tests judge the optimiser alone: it runs on the suite's model, loss and gradient."""


@pytest.mark.points(2)
def test_minibatch_sgd_full_batch_is_gradient_descent(submission, rng, ref, helpers):
    """batch_size >= n: one full-batch step per epoch, whatever the shuffling."""
    X, y = rng.normal(size=(24, 3)) + 1.0, rng.normal(size=24)
    w_ref, b_ref, losses_ref = ref.gradient_descent(X, y, 0.05, 15)
    for batch_size in (24, 100):
        w, b, losses = _sgd(submission, helpers, X, y, 0.05, 15, batch_size, 3)
        helpers.assert_close(np.append(w, b), np.append(w_ref, b_ref), rtol=1e-9, atol=1e-12,
                             msg=f"with batch_size={batch_size} >= n=24 every epoch is one full-batch gradient step, "
                                 "so 15 epochs must equal 15 steps of gradient descent")
        helpers.assert_close(losses, losses_ref, rtol=1e-9,
                             msg="losses should be the full-data loss before training and after every epoch")


@pytest.mark.points(2)
def test_minibatch_sgd_follows_the_specification(submission, rng, ref, helpers):
    """Exact run: rng = default_rng(seed) once, perm per epoch, consecutive slices, last smaller batch used."""
    X, y = rng.normal(size=(23, 2)) * [1.0, 3.0], rng.normal(size=23)
    w, b, losses = _sgd(submission, helpers, X, y, 0.02, 4, 5, 7)
    w_ref, b_ref, losses_ref = ref.minibatch_sgd(X, y, 0.02, 4, 5, seed=7)
    helpers.assert_close(np.append(w, b), np.append(w_ref, b_ref), rtol=1e-9, atol=1e-12,
                         msg="n=23, batch_size=5, 4 epochs, seed=7 differs from the specified SGD: one "
                             "rng = np.random.default_rng(seed), perm = rng.permutation(n) every epoch, consecutive "
                             "batches of perm, the last smaller batch (3 examples) used")
    helpers.assert_close(losses, losses_ref, rtol=1e-9,
                         msg="the parameters are right but losses is not the full-data loss before training "
                             "and after every epoch")


@pytest.mark.points(2)
def test_minibatch_sgd_converges_near_closed_form(submission, ref, helpers):
    """Behaviour, not bookkeeping: 40 epochs of batch-16 SGD on standardised data land near the optimum."""
    X, y = helpers.make_problem(3, n=400, true_w=[2.0, -1.0, 0.5, 3.0], true_b=-2.0, noise=0.5, correlation=0.3)
    Z = ref.standardized(X)
    w, b, losses = _sgd(submission, helpers, Z, y, 0.02, 40, 16, 0)
    w_star, b_star = ref.closed_form(Z, y)
    assert np.all(np.isfinite(losses)), "the loss became nan/inf at lr=0.02 on standardised data"
    helpers.assert_close(np.append(w, b), np.append(w_star, b_star), rtol=0, atol=0.02,
                         msg="after 40 epochs of batch-16 SGD at lr=0.02 the parameters should be within 0.02 of "
                             "the closed form (constant-rate SGD only hovers near the optimum, but this close)")
    best = ref.least_squares_loss(Z, y)
    assert losses[-1] < 1.01 * best, (f"the final full-data loss {losses[-1]:.4f} should be within 1% of the optimum "
                                      f"{best:.4f}")
