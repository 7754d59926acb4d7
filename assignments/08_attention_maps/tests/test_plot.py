"""Task 6: plot_attention_heads (one labelled panel per head)."""
import numpy as np
import pytest
import torch

from autograder.testing import remote_type, worker_import
from conftest import random_attention

TOKENS = ["[CLS]", "the", "cat", "sat", ".", "[SEP]"]


def panels(submission, attn, layer, ncols):
    fig = submission.plot_attention_heads(torch.from_numpy(attn), TOKENS, layer, ncols)
    kind = remote_type(fig)
    assert kind == "matplotlib.figure.Figure", f"plot_attention_heads should return the matplotlib Figure, got {kind}"
    return fig, [ax for ax in fig.axes if len(ax.images) > 0]


@pytest.mark.points(2)
def test_one_panel_per_head_in_order(submission, rng):
    """The figure has exactly one heatmap panel per head, in head order, each showing that head's matrix."""
    attn = random_attention(rng, (5, 6, 6))
    fig, axes = panels(submission, attn, 3, 2)
    np_w = worker_import(submission, "numpy")
    assert len(axes) == 5, f"5 heads should give 5 panels with an image (ax.imshow), found {len(axes)}"
    for h, ax in enumerate(axes):
        shown = np.asarray(np_w.asarray(ax.images[0].get_array(), dtype="float64"))
        assert shown.shape == (6, 6) and np.allclose(shown, attn[h], atol=1e-6), (
            f"panel {h} should show head {h}'s (T, T) matrix (queries on rows, keys on columns)")
        title = str(ax.get_title())
        assert f"head {h}" in title and "layer 3" in title, f"panel {h} should be titled 'layer 3 head {h}', got {title!r}"
    worker_import(submission, "matplotlib.pyplot").close(fig)


@pytest.mark.points(1)
def test_panels_have_token_labels(submission, rng):
    """Every panel labels its axes (x: key, y: query) and has one tick per token, labelled by the token."""
    attn = random_attention(rng, (3, 6, 6))
    fig, axes = panels(submission, attn, 0, 4)
    for h, ax in enumerate(axes):
        xlabel, ylabel = str(ax.get_xlabel()).lower(), str(ax.get_ylabel()).lower()
        assert "key" in xlabel and "query" in ylabel, (
            f"panel {h}: the x axis should be labelled 'key' and the y axis 'query', got {xlabel!r} / {ylabel!r}")
        xt = [str(t.get_text()) for t in ax.get_xticklabels()]
        yt = [str(t.get_text()) for t in ax.get_yticklabels()]
        assert xt == TOKENS and yt == TOKENS, (
            f"panel {h}: one tick per token on both axes, labelled {TOKENS}; got x {xt}, y {yt} "
            "(ax.set_xticks(range(T), tokens))")
    worker_import(submission, "matplotlib.pyplot").close(fig)
