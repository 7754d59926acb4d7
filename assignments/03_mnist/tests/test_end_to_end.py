"""End to end: the student's Dataset, training loader, model and fit on the fixed 80/20 split.

fit runs on the suite's train_epoch, and the model is scored with its predict (conftest's trusted_loops): both have
tests of their own, so a wrong epoch loop or prediction does not cost these gates as well.

Fixed step counts (10 MLP epochs, 8 CNN epochs, Adam lr=1e-3, batches of 64, loader seed 0), never a
wall-clock budget. The test loader is built here (in the worker, dataset order) and the accuracy is
computed on the trusted side against the trusted labels.
Reference (measured with 2 threads; graded on one): MLP 0.926-0.929, CNN 0.966-0.968 over torch seeds 0-2.
"""
import numpy as np
import pytest

MLP_GATE = 0.90
CNN_GATE = 0.94


def train_and_score(submission, wt, mnist_split, model_name, epochs):
    X_train, y_train, X_test, y_test = mnist_split
    train_ds = submission.MnistDataset(X_train, y_train)
    test_ds = submission.MnistDataset(X_test, y_test)
    train_loader = submission.make_loaders(train_ds, test_ds, batch_size=64, seed=0)[0]
    model = getattr(submission, model_name)()
    submission.fit(model, train_loader, epochs, 1e-3)
    _, y_pred = submission.predict(model, wt.data.DataLoader(test_ds, batch_size=250))
    y_pred = np.asarray(y_pred)
    assert y_pred.shape == y_test.shape, f"predict returned {y_pred.shape[0]} predictions for {len(y_test)} test images"
    return float((y_pred == y_test).mean())


@pytest.mark.points(2)
@pytest.mark.task("mlp")
def test_mlp_reaches_90_percent(submission, wt, mnist_split, trusted_loops):
    accuracy = train_and_score(submission, wt, mnist_split, "MLP", epochs=10)
    assert accuracy >= MLP_GATE, (
        f"MLP test accuracy after 10 epochs of fit(lr=1e-3) is {accuracy:.3f}, expected at least {MLP_GATE} "
        "(the reference reaches about 0.93): check the pixel scaling in MnistDataset, the training loop and "
        "that the model returns raw logits")


@pytest.mark.points(2)
@pytest.mark.task("small_cnn")
def test_cnn_reaches_94_percent(submission, wt, mnist_split, trusted_loops):
    accuracy = train_and_score(submission, wt, mnist_split, "SmallCNN", epochs=8)
    assert accuracy >= CNN_GATE, (
        f"SmallCNN test accuracy after 8 epochs of fit(lr=1e-3) is {accuracy:.3f}, expected at least {CNN_GATE} "
        "(the reference reaches about 0.97): check the architecture (padding=1, two poolings), the pixel "
        "scaling and the training loop")
