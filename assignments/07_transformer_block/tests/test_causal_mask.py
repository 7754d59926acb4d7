"""Task 2c: causal_mask(T_q, T_k), the square causal mask and the one for the last T_q of T_k positions."""
import pytest
import torch


@pytest.mark.points(1)
def test_causal_mask_square(submission):
    """The causal mask lets query i attend to keys j <= i, diagonal included."""
    for T in (1, 4, 7):
        got = submission.causal_mask(T)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.bool, "causal_mask must return a bool tensor"
        want = torch.ones(T, T, dtype=torch.bool).tril()
        assert got.tolist() == want.tolist(), (
            f"causal_mask({T}) must be True exactly where j <= i (lower triangle with the diagonal); got\n{got.int()}")


@pytest.mark.points(1)
def test_causal_mask_with_past(submission):
    """With T_q queries that are the last of T_k positions, query i attends to keys j <= i + T_k - T_q."""
    for T_q, T_k in ((1, 5), (3, 7), (4, 4)):
        got = submission.causal_mask(T_q, T_k)
        want = torch.ones(T_q, T_k, dtype=torch.bool).tril(T_k - T_q)
        assert isinstance(got, torch.Tensor) and got.tolist() == want.tolist(), (
            f"causal_mask({T_q}, {T_k}) should be\n{want.int()}\n(query i sits at position i + {T_k - T_q}); got\n"
            f"{got.int() if isinstance(got, torch.Tensor) else got}")
