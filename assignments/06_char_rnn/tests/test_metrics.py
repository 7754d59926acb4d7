"""Task 6: bits_per_char and evaluate_bpc."""
import math

import pytest
import torch



@pytest.mark.points(2)
def test_bits_per_char_matches_reference(submission, ref):
    gen = torch.Generator().manual_seed(3)
    for shape in ((2, 7), (40,)):
        logits = 3 * torch.randn(*shape, 11, generator=gen)
        targets = torch.randint(0, 11, shape, generator=gen)
        got = submission.bits_per_char(logits, targets)
        assert isinstance(got, float), f"bits_per_char should return a Python float; got {type(got).__name__}"
        want = ref.bits_per_char(logits, targets)
        assert abs(got - want) <= 1e-5 * want, (
            f"bits_per_char for logits of shape {tuple(logits.shape)} should be {want:.6f}; got {got:.6f}"
            + (" (that is the value in nats: divide by ln 2)" if abs(got - want * math.log(2)) < 1e-4 else ""))


@pytest.mark.points(1)
def test_bits_per_char_extremes(submission):
    uniform = submission.bits_per_char(torch.zeros(5, 81), torch.arange(5))
    assert abs(uniform - math.log2(81)) < 1e-5, (
        f"uniform logits over 81 symbols cost log2(81) = {math.log2(81):.4f} bits; got {uniform:.4f}")
    confident = torch.full((4, 6), -30.0)
    confident[torch.arange(4), torch.tensor([1, 3, 5, 0])] = 30.0
    sure = submission.bits_per_char(confident, torch.tensor([1, 3, 5, 0]))
    assert 0 <= sure < 1e-6, f"a confident, correct prediction costs about 0 bits; got {sure}"


@pytest.mark.points(2)
def test_evaluate_bpc_of_a_unigram_model(submission, ref):
    probs = torch.tensor([0.35, 0.25, 0.2, 0.12, 0.08])
    model = submission.UnigramModel(5, torch.log(probs))
    ids = torch.multinomial(torch.tensor([0.1, 0.2, 0.2, 0.2, 0.3]), 1000, replacement=True,
                            generator=torch.Generator().manual_seed(4))
    got = submission.evaluate_bpc(model, ids, 37, 4)  # 27 windows: batches of 4, the last one of 3
    _, y = ref.make_windows(ids, 37)
    want = (-torch.log2(probs.double())[y.reshape(-1)]).mean().item()
    assert isinstance(got, float), f"evaluate_bpc should return a Python float; got {type(got).__name__}"
    assert abs(got - want) <= 1e-5, (
        f"evaluate_bpc of a unigram model on 1000 ids (T=37, batches of 4) should be {want:.6f} bits/char: the "
        f"mean of -log2 p over all {y.numel()} targets of make_windows; got {got:.6f}. Average over characters, "
        "not over batches, and skip the tail that does not fill a window.")
    assert model.training is True, "evaluate_bpc should put a model that was training back in training mode"
