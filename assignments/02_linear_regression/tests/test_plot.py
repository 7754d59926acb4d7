"""Section 6: the loss-curve figure (the figure stays in the worker; the tests inspect it remotely).

PYTEST_DONT_REWRITE: assertion messages are the feedback students read, so they stay plain.
"""

import numpy as np
import pytest

from autograder.testing import remote_type

HISTORIES = {
    "lr=0.1": np.array([40.0, 12.0, 3.5, 1.2, 1.01, 1.0]),
    "lr=0.01": np.array([40.0, 35.0, 30.0, 26.0, 23.0, 20.0]),
    "lr=1.5": np.array([40.0, 90.0, 400.0, 2.0e3, 9.0e3, 4.0e4]),
}


def _axes(fig):
    kind = remote_type(fig)
    assert kind == "matplotlib.figure.Figure", (
        f"plot_loss_curves should return a matplotlib Figure (fig from fig, ax = plt.subplots()); got a {kind}")
    axes = list(fig.axes)
    assert len(axes) >= 1, "the returned figure has no axes: draw into fig, ax = plt.subplots()"
    return axes[0]


@pytest.mark.points(1)
def test_plot_returns_a_figure_with_labelled_axes(submission):
    """The issue's gate: a Figure whose axes are labelled."""
    ax = _axes(submission.plot_loss_curves(HISTORIES, "Loss against step", "epoch"))
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    assert isinstance(xlabel, str) and xlabel.strip(), "the x-axis has no label: use ax.set_xlabel(xlabel)"
    assert isinstance(ylabel, str) and ylabel.strip(), "the y-axis has no label: say it is the (MSE) loss"
    assert "epoch" in xlabel.lower(), f"the x-axis label should use the xlabel argument ('epoch'); got {xlabel!r}"
    title = ax.get_title()
    assert "Loss against step" in title, f"the axes title should be the title argument; got {title!r}"


@pytest.mark.points(1)
def test_plot_draws_one_labelled_line_per_history(submission, helpers):
    ax = _axes(submission.plot_loss_curves(HISTORIES, "t", "iteration"))
    lines = list(ax.get_lines())
    assert len(lines) == len(HISTORIES), \
        f"expected one line per history ({len(HISTORIES)}); the axes hold {len(lines)} line(s)"
    by_label = {line.get_label(): line for line in lines}
    assert set(by_label) == set(HISTORIES), \
        f"the lines should be labelled with the dictionary keys {sorted(HISTORIES)}; got {sorted(by_label)}"
    for label, losses in HISTORIES.items():
        line = by_label[label]
        helpers.assert_close(line.get_ydata(), losses,
                             msg=f"the line labelled {label!r} should plot that history's losses")
        helpers.assert_close(line.get_xdata(), np.arange(len(losses)),
                             msg=f"the x values of {label!r} should be the step numbers 0, 1, ..., {len(losses) - 1}")


@pytest.mark.points(1)
def test_plot_uses_a_log_scale_y_axis(submission):
    ax = _axes(submission.plot_loss_curves(HISTORIES, "t", "iteration"))
    scale = ax.get_yscale()
    assert scale == "log", f"losses span orders of magnitude: use ax.set_yscale('log'); the y scale is {scale!r}"
