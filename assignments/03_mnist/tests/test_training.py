"""Tasks 5-7: train_epoch, predict and fit, on tiny models built in the worker and replayed here."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import linear_start, parameters_of, start_from


def tiny_problem(n=10, d=6, c=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = torch.randint(0, c, (n,), generator=g)
    return X, y


@pytest.mark.points(2)
def test_train_epoch_updates_like_minibatch_sgd(submission, wt, ref):
    X, y = tiny_problem(n=10)
    model = wt.nn.Linear(6, 3)
    w0, b0 = linear_start(6, 3, seed=10)
    start_from(submission, model, w0, b0)
    optimizer = wt.optim.SGD(model.parameters(), lr=0.5)
    loader = wt.loader(X, y, batch_size=4)                      # batches of 4, 4 and 2, in order
    submission.train_epoch(model, loader, optimizer)
    w_ref, b_ref, _ = ref.train_linear(w0, b0, X, y, 4, "sgd", 0.5, 1)
    w, b = parameters_of(model)
    if torch.allclose(w, w0):
        pytest.fail("the weights did not change: call loss.backward() and optimizer.step() for every batch")
    err = max((w - w_ref).abs().max().item(), (b - b_ref).abs().max().item())
    assert err < 1e-5, (
        f"after one epoch the weights differ from three SGD steps (batches of 4, 4, 2) by up to {err:.3g}: "
        "call optimizer.zero_grad() before every backward (gradients accumulate), use F.cross_entropy "
        "(mean over the batch), and step once per batch")


@pytest.mark.points(1)
def test_train_epoch_returns_example_weighted_mean_loss(submission, wt, ref):
    X, y = tiny_problem(n=10, seed=1)
    model = wt.nn.Linear(6, 3)
    w0, b0 = linear_start(6, 3, seed=11)
    start_from(submission, model, w0, b0)
    loss = submission.train_epoch(model, wt.loader(X, y, batch_size=4), wt.optim.SGD(model.parameters(), lr=0.3))
    _, _, (expected,) = ref.train_linear(w0, b0, X, y, 4, "sgd", 0.3, 1)
    assert isinstance(loss, float), f"train_epoch should return a Python float (loss.item()), got {type(loss).__name__}"
    assert abs(loss - expected) < 1e-5, (
        f"train_epoch returned {loss:.6f}, expected the per-example average {expected:.6f} of the batch losses "
        "(each measured before its update, weighted by batch size: the last batch has 2 examples, not 4)")


@pytest.mark.points(1)
def test_train_epoch_puts_the_model_in_training_mode(submission, wt):
    X, y = tiny_problem(n=8, seed=2)
    model = wt.nn.Sequential(wt.nn.Linear(6, 3), wt.nn.Dropout(0.5))
    model.eval()
    submission.train_epoch(model, wt.loader(X, y, batch_size=4), wt.optim.SGD(model.parameters(), lr=0.1))
    assert model.training is True, (
        "after train_epoch the model is still in eval mode: call model.train() at the start "
        "(predict() switches it to eval(), and dropout/batch norm must train in training mode)")


@pytest.mark.points(2)
def test_predict_uses_eval_mode_and_keeps_order(submission, wt):
    g = torch.Generator().manual_seed(3)
    X, y = torch.randn(50, 6, generator=g), torch.randint(0, 4, (50,), generator=g)
    model = wt.nn.Sequential(wt.nn.Linear(6, 32), wt.nn.ReLU(), wt.nn.Dropout(0.5), wt.nn.Linear(32, 4))
    W1, b1, W2, b2 = parameters_of(model)
    expected = F.linear(F.relu(F.linear(X, W1, b1)), W2, b2).argmax(dim=1).numpy()   # eval mode: no dropout
    y_true, y_pred = submission.predict(model, wt.loader(X, y, batch_size=16))
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    assert y_pred.shape == (50,) and np.issubdtype(y_pred.dtype, np.integer), (
        f"y_pred should be an integer array of shape (50,), got dtype {y_pred.dtype} shape {y_pred.shape}")
    assert y_true.shape == (50,) and np.array_equal(y_true, y.numpy()), "y_true should be the labels in loader order"
    wrong = int((y_pred != expected).sum())
    assert wrong == 0, (
        f"{wrong} of 50 predictions differ from the argmax of the logits in evaluation mode: call model.eval() "
        "(dropout is still active otherwise) and take argmax over the class dimension")


@pytest.mark.points(2)
def test_fit_trains_with_adam(submission, wt, ref, trusted_loops):  # fit judged apart from train_epoch
    g = torch.Generator().manual_seed(4)
    X = torch.randn(60, 5, generator=g)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).long()
    model = wt.nn.Linear(5, 2)
    w0, b0 = linear_start(5, 2, seed=14)
    start_from(submission, model, w0, b0)
    history = submission.fit(model, wt.loader(X, y, batch_size=16), 3, 0.05)
    assert isinstance(history, dict) and "loss" in history, (
        f"fit should return a dict with a 'loss' list, got {type(history).__name__}")
    w_ref, b_ref, losses_ref = ref.train_linear(w0, b0, X, y, 16, "adam", 0.05, 3)
    losses = [float(v) for v in history["loss"]]
    assert len(losses) == 3, f"history['loss'] should hold one value per epoch (3), got {len(losses)}"
    assert np.allclose(losses, losses_ref, rtol=1e-5, atol=1e-6), (
        f"epoch losses {np.round(losses, 5).tolist()} differ from Adam(lr=0.05) training "
        f"{np.round(losses_ref, 5).tolist()}: create ONE torch.optim.Adam(model.parameters(), lr=lr) before the "
        "first epoch (a new optimizer per epoch resets Adam's moments) and call train_epoch each epoch")
    w, b = parameters_of(model)
    err = max((w - w_ref).abs().max().item(), (b - b_ref).abs().max().item())
    assert err < 1e-5, f"the trained weights differ from Adam(lr=0.05) training by up to {err:.3g}"


@pytest.mark.points(1)
def test_fit_records_test_accuracy(submission, wt, ref, trusted_loops):  # ... and from predict
    g = torch.Generator().manual_seed(5)
    X, Xt = torch.randn(48, 5, generator=g), torch.randn(30, 5, generator=g)
    y, yt = (X[:, 0] > 0).long(), (Xt[:, 0] > 0).long()
    model = wt.nn.Linear(5, 2)
    # a start from which a fit that wrongly restarts Adam every epoch still records the same accuracies:
    # that mistake is test_fit_trains_with_adam's, this test checks what is recorded
    w0, b0 = linear_start(5, 2, seed=22)
    start_from(submission, model, w0, b0)
    history = submission.fit(model, wt.loader(X, y, batch_size=16), 3, 0.05, wt.loader(Xt, yt, batch_size=7))
    expected = ref.adam_test_accuracies(w0, b0, X, y, Xt, yt, 16, 0.05, 3)
    got = [float(v) for v in history.get("test_acc", [])]
    assert len(got) == 3, f"history['test_acc'] should hold one accuracy per epoch (3), got {history.get('test_acc')}"
    # the last entry must be exactly the accuracy of the returned model; earlier ones may differ from the
    # replay by one borderline example (float rounding in a differently written but correct loss)
    w, b = parameters_of(model)
    final = float((F.linear(Xt, w, b).argmax(1) == yt).double().mean())
    assert abs(got[-1] - final) < 1e-6 and np.allclose(got, expected, atol=1 / 30 + 1e-6), (
        f"test accuracies {np.round(got, 4).tolist()} should be {np.round(expected, 4).tolist()}: the fraction "
        "(0..1) of test examples predicted right, measured with predict() after each epoch")
    plain = submission.fit(wt.nn.Linear(5, 2), wt.loader(X, y, batch_size=16), 1, 0.05)
    assert plain.get("test_acc") == [], f"without a test_loader history['test_acc'] should be [], got {plain.get('test_acc')!r}"
