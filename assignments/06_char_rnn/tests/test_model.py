"""Task 5: CharRNN (embedding -> GRU/LSTM -> linear), loaded with seeded weights and checked against a reference
carrying the same weights."""
import pytest
import torch

from conftest import as_tensor, expect_raises, load_trusted_weights
from autograder.testing import remote_type

V, H, E = 30, 24, 12


def _check_state(got, want, cell):
    if cell == "gru":
        got_h = as_tensor(got, "the GRU state")
        assert tuple(got_h.shape) == tuple(want.shape), (
            f"the GRU state should be h of shape (num_layers, B, H) = {tuple(want.shape)}; got {tuple(got_h.shape)}")
        return (got_h - want).abs().max().item()
    assert isinstance(got, tuple) and len(got) == 2, "the LSTM state should be the pair (h, c) that nn.LSTM returns"
    return max((as_tensor(g, "state").double() - w.double()).abs().max().item() for g, w in zip(got, want))


@pytest.mark.points(1)
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_char_rnn_matches_reference(submission, ref, cell):
    model = submission.CharRNN(V, hidden_size=H, cell=cell, embed_dim=E)
    assert remote_type(model.rnn) == f"torch.nn.modules.rnn.{cell.upper()}", (
        f"CharRNN(cell={cell!r}).rnn should be an nn.{cell.upper()}; got {remote_type(model.rnn)}")
    weights = load_trusted_weights(model, V, H, cell, E, seed=51)
    x = torch.randint(0, V, (3, 11), generator=torch.Generator().manual_seed(1))
    out = model(x)
    assert isinstance(out, tuple) and len(out) == 2, "forward should return the pair (logits, state)"
    logits = as_tensor(out[0], "logits")
    assert tuple(logits.shape) == (3, 11, V), f"logits should be (B, T, V) = (3, 11, {V}); got {tuple(logits.shape)}"
    want_logits, want_state = ref.char_rnn_forward(weights, x, cell)
    err = (logits - want_logits).abs().max().item()
    assert err <= 1e-5, (
        f"({cell}) logits differ by {err:.2e} from embed -> rnn(batch_first=True) -> head applied to every position "
        "with the same weights")
    err_state = _check_state(out[1], want_state, cell)
    assert err_state <= 1e-5, f"({cell}) the returned state differs by {err_state:.2e} from the one nn.{cell.upper()} returns"


@pytest.mark.points(1)
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_char_rnn_continues_from_a_state(submission, ref, cell):
    model = submission.CharRNN(V, hidden_size=H, cell=cell, embed_dim=E)
    weights = load_trusted_weights(model, V, H, cell, E, seed=52)
    x = torch.randint(0, V, (2, 15), generator=torch.Generator().manual_seed(2))
    first = model(x[:, :6])
    second = model(x[:, 6:], first[1])
    want, _ = ref.char_rnn_forward(weights, x, cell)
    got = as_tensor(second[0], "logits")
    err = (got - want[:, 6:]).abs().max().item()
    assert err <= 1e-5, (
        f"({cell}) feeding 6 characters, then the other 9 with the returned state, should give the same logits "
        f"as one pass over all 15; the second part differs by {err:.2e}: pass `state` on to self.rnn")


@pytest.mark.points(1)
def test_char_rnn_defaults(submission):
    model = submission.CharRNN(81)
    shapes = {k: tuple(as_tensor(v, k).shape) for k, v in model.state_dict().items()}
    want = {"embed.weight": (81, 64), "rnn.weight_ih_l0": (768, 64), "rnn.weight_hh_l0": (768, 256),
            "rnn.bias_ih_l0": (768,), "rnn.bias_hh_l0": (768,), "head.weight": (81, 256), "head.bias": (81,)}
    assert shapes == want, (
        f"CharRNN(81) should default to hidden_size=256, cell='gru', embed_dim=64, num_layers=1, i.e. the "
        f"parameters {want}; got {shapes}")


@pytest.mark.points(1)
def test_char_rnn_rejects_unknown_cell(submission):
    expect_raises("ValueError", submission.CharRNN, V, hidden_size=H, cell="rnn")
