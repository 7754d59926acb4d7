"""Task 9: the confusion matrix and its plot."""
import numpy as np
import pytest

from autograder.testing import remote_type, worker_import


@pytest.mark.points(2)
def test_confusion_matrix_matches_reference(submission, rng, ref):
    y_true = rng.integers(0, 10, size=300)
    y_pred = np.where(rng.random(300) < 0.7, y_true, rng.integers(0, 10, size=300))
    got = np.asarray(submission.confusion_matrix(y_true, y_pred, 10))
    expected = ref.confusion_matrix(y_true, y_pred, 10)
    assert got.shape == (10, 10), f"the matrix should be (n_classes, n_classes) = (10, 10), got {got.shape}"
    if np.array_equal(got, expected.T):
        pytest.fail("the matrix is transposed: rows are the TRUE class, columns the PREDICTED class")
    assert np.array_equal(got, expected), (
        f"{int((got != expected).sum())} of 100 cells are wrong: C[i, j] counts examples of true class i "
        "predicted as j")
    assert np.issubdtype(got.dtype, np.integer), f"counts should be integers, got dtype {got.dtype}"


@pytest.mark.points(1)
def test_confusion_matrix_handles_absent_classes(submission, ref):
    y_true = np.array([1, 1, 4, 4, 4])
    y_pred = np.array([1, 4, 4, 4, 1])    # symmetric on purpose: transposition is the previous test's idea
    got = np.asarray(submission.confusion_matrix(y_true, y_pred, 6))
    expected = ref.confusion_matrix(y_true, y_pred, 6)
    assert got.shape == (6, 6), (
        f"with n_classes=6 the matrix should be (6, 6) even if classes 0, 2, 3, 5 never occur, got {got.shape}")
    assert np.array_equal(got, expected), f"expected\n{expected}\ngot\n{got}"


def plotted(submission, cm):
    fig = submission.plot_confusion_matrix(cm)
    kind = remote_type(fig)
    assert kind == "matplotlib.figure.Figure", f"plot_confusion_matrix should return the matplotlib Figure, got {kind}"
    axes = [ax for ax in fig.axes if len(ax.images) > 0]
    assert len(axes) == 1, (
        f"expected one axes with the matrix drawn by ax.imshow(cm), found {len(axes)} axes with images")
    return fig, axes[0]


@pytest.mark.points(1)
def test_plot_shows_the_matrix_with_labelled_axes(submission):
    np_w = worker_import(submission, "numpy")
    cm = np.array([[12, 1, 0], [3, 9, 2], [0, 4, 15]])
    fig, ax = plotted(submission, cm)
    shown = np.asarray(np_w.asarray(ax.images[0].get_array()))
    assert shown.shape == cm.shape and np.allclose(shown, cm), (
        f"the image should show the counts themselves, got\n{shown}")
    xlabel, ylabel = str(ax.get_xlabel()).lower(), str(ax.get_ylabel()).lower()
    assert "pred" in xlabel and "true" in ylabel, (
        f"label the x axis 'Predicted label' and the y axis 'True label', got {ax.get_xlabel()!r} / {ax.get_ylabel()!r}")
    assert [float(t) for t in ax.get_xticks()] == [0.0, 1.0, 2.0], "put one x tick per class (ax.set_xticks(range(k)))"
    worker_import(submission, "matplotlib.pyplot").close(fig)


@pytest.mark.points(1)
def test_plot_writes_every_count(submission):
    cm = np.array([[12, 1, 0], [3, 9, 2], [0, 4, 15]])
    fig, ax = plotted(submission, cm)
    texts = sorted(str(t.get_text()).strip() for t in ax.texts)
    assert texts == sorted(str(v) for v in cm.ravel()), (
        f"write each of the 9 counts in its cell with ax.text, got texts {texts}")
    positions = {(round(float(t.get_position()[0])), round(float(t.get_position()[1]))): str(t.get_text()).strip()
                 for t in ax.texts}
    wrong = [(i, j) for i in range(3) for j in range(3) if positions.get((j, i)) != str(cm[i, j])]
    assert not wrong, (f"counts are in the wrong cells at (row, column) {wrong}: write cm[i, j] at x=j, y=i")
    worker_import(submission, "matplotlib.pyplot").close(fig)
