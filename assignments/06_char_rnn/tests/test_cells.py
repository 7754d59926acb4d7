"""Tasks 3 and 4: rnn_cell, lstm_cell, lstm_layer against PyTorch in float64 (atol 1e-6)."""
import pytest
import torch

from conftest import as_tensor

ATOL = 1e-6
D = torch.float64


def _randn(gen, *shape):
    return torch.randn(*shape, generator=gen, dtype=D)


@pytest.mark.points(3)
@pytest.mark.parametrize("batch,inp,hid", [(4, 3, 5), (1, 4, 4)])
def test_rnn_cell_matches_nn_rnncell(submission, batch, inp, hid):
    gen = torch.Generator().manual_seed(10 + inp)
    torch.manual_seed(10 + inp)
    cell = torch.nn.RNNCell(inp, hid).double()
    x, h = _randn(gen, batch, inp), _randn(gen, batch, hid)
    with torch.inference_mode():
        want = cell(x, h)
    got = as_tensor(submission.rnn_cell(x, h, cell.weight_ih.detach(), cell.weight_hh.detach(),
                                        cell.bias_ih.detach(), cell.bias_hh.detach()), "rnn_cell(...)")
    assert tuple(got.shape) == (batch, hid), f"rnn_cell should return (B, H) = {(batch, hid)}; got {tuple(got.shape)}"
    err = (got.double() - want).abs().max().item()
    assert err <= ATOL, (
        f"rnn_cell differs from nn.RNNCell (B={batch}, I={inp}, H={hid}) by {err:.2e} > {ATOL}: "
        "h_new = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh) (with square weights a missing .T shows only here)")


@pytest.mark.points(3)
@pytest.mark.parametrize("batch,inp,hid", [(4, 3, 5), (1, 6, 6)])
def test_lstm_cell_matches_nn_lstmcell(submission, batch, inp, hid):
    gen = torch.Generator().manual_seed(20 + inp)
    torch.manual_seed(20 + inp)
    cell = torch.nn.LSTMCell(inp, hid).double()
    x, h, c = _randn(gen, batch, inp), _randn(gen, batch, hid), 2 * _randn(gen, batch, hid)  # c != 0
    with torch.inference_mode():
        want_h, want_c = cell(x, (h, c))
    out = submission.lstm_cell(x, h, c, cell.weight_ih.detach(), cell.weight_hh.detach(), cell.bias_ih.detach(),
                               cell.bias_hh.detach())
    assert isinstance(out, tuple) and len(out) == 2, "lstm_cell should return the pair (h_new, c_new)"
    got_h, got_c = as_tensor(out[0], "h_new"), as_tensor(out[1], "c_new")
    assert tuple(got_h.shape) == (batch, hid) and tuple(got_c.shape) == (batch, hid), (
        f"h_new and c_new should both be (B, H) = {(batch, hid)}; got {tuple(got_h.shape)}, {tuple(got_c.shape)}")
    err_c = (got_c.double() - want_c).abs().max().item()
    assert err_c <= ATOL, (
        f"c_new differs from nn.LSTMCell by {err_c:.2e} > {ATOL}: c_new = f * c + i * g with the stacked gates "
        "in PyTorch's order (i, f, g, o), sigmoid on i, f, o and tanh on g (is the forget gate applied to c?)")
    err_h = (got_h.double() - want_h).abs().max().item()
    assert err_h <= ATOL, f"c_new is right but h_new differs by {err_h:.2e}: h_new = o * tanh(c_new)"


@pytest.mark.points(2)
def test_lstm_layer_matches_nn_lstm(submission):
    gen = torch.Generator().manual_seed(30)
    torch.manual_seed(30)
    lstm = torch.nn.LSTM(3, 5, batch_first=True).double()
    xs, h0, c0 = _randn(gen, 2, 7, 3), _randn(gen, 2, 5), _randn(gen, 2, 5)
    with torch.inference_mode():
        want_out, (want_h, want_c) = lstm(xs, (h0[None], c0[None]))
    weights = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0]
    out = submission.lstm_layer(xs, h0, c0, *[w.detach() for w in weights])
    assert isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], tuple) and len(out[1]) == 2, (
        "lstm_layer should return (outputs, (h_T, c_T))")
    outputs, (h_t, c_t) = as_tensor(out[0], "outputs"), out[1]
    assert tuple(outputs.shape) == (2, 7, 5), f"outputs should be (B, T, H) = (2, 7, 5); got {tuple(outputs.shape)}"
    err = (outputs.double() - want_out).abs().max().item()
    assert err <= ATOL, (
        f"lstm_layer's outputs differ from nn.LSTM(batch_first=True) by {err:.2e}: outputs[:, t] is h after "
        "reading xs[:, t], with both h and c carried from step to step")
    err_state = max((as_tensor(h_t, "h_T").double() - want_h[0]).abs().max().item(),
                    (as_tensor(c_t, "c_T").double() - want_c[0]).abs().max().item())
    assert err_state <= ATOL, f"the final (h_T, c_T) differ from nn.LSTM's by {err_state:.2e}"
