"""Task 5: shift_right, label_smoothed_loss, warmup_lr; task 6: train_step, train."""
import math

import pytest
import torch
import torch.nn.functional as F

from conftest import BOS, EOS, PAD, SMALL, as_tensor, worker_import


@pytest.mark.points(2)
def test_shift_right_puts_bos_first_and_drops_the_last_column(submission, ref):
    """Teacher forcing feeds the decoder the target shifted right by one, with BOS in front."""
    gen = torch.Generator().manual_seed(51)
    y = torch.randint(4, 30, (4, 11), generator=gen)
    y[:, -1] = EOS
    y[2, 7] = EOS
    y[2, 8:] = PAD
    got = as_tensor(submission.shift_right(y), "shift_right(y)")
    assert tuple(got.shape) == (4, 11) and got.dtype == torch.int64, "shift_right should keep the shape and dtype of y"
    if torch.equal(got, y):
        raise AssertionError("shift_right returned y unchanged: the decoder input must be BOS followed by y[:, :-1]")
    assert torch.equal(got, ref.shift_right(y)), "shift_right(y) should be BOS followed by y without its last column"
    other = submission.shift_right(torch.tensor([[5, 6]]), bos_id=9)
    assert other.tolist() == [[9, 5]], "shift_right should use its bos_id argument"


@pytest.mark.points(3)
def test_label_smoothed_loss_matches_cross_entropy(submission):
    """Label smoothing puts 1 - eps on the label and eps / V on every class, and padding positions do not count."""
    gen = torch.Generator().manual_seed(52)
    cases = []
    logits = 3 * torch.randn(5, 8, 23, generator=gen, dtype=torch.float64)
    targets = torch.randint(1, 23, (5, 8), generator=gen)
    targets[1, 5:] = PAD
    targets[4, 1:] = PAD
    for eps in (0.0, 0.1, 0.25):
        cases.append((logits, targets, eps, PAD))
    flat = torch.randn(30, 9, generator=gen, dtype=torch.float64) * 2
    flat_t = torch.randint(0, 9, (30,), generator=gen)
    cases.append((flat, flat_t, 0.2, 4))
    for logits, targets, eps, ignore in cases:
        V = logits.shape[-1]
        want = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), label_smoothing=eps, ignore_index=ignore).item()
        got = as_tensor(submission.label_smoothed_loss(logits, targets, eps, ignore), "label_smoothed_loss")
        assert got.ndim == 0, f"label_smoothed_loss should return a 0-d tensor; got shape {tuple(got.shape)}"
        plain = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=ignore).item()
        hint = " (the smoothing is ignored)" if eps and abs(got.item() - plain) < 1e-9 else ""
        assert abs(got.item() - want) <= 1e-6, (
            f"logits {tuple(logits.shape)}, smoothing {eps}, ignore_index {ignore}: F.cross_entropy gives {want:.7f}, "
            f"yours {got.item():.7f}{hint}. The loss is (1-eps)(-log p_y) + eps * mean over all V classes of "
            "(-log p_c), averaged over the positions whose target is not ignore_index")


@pytest.mark.points(2)
def test_warmup_lr_follows_the_schedule(submission, ref):
    """The learning rate grows linearly for warmup steps, then decays as one over the square root of the step."""
    for d, warmup, factor in ((64, 100, 1.0), (512, 4000, 1.0), (32, 7, 2.5)):
        for step in (0, 1, 2, warmup - 1, warmup, warmup + 1, 3 * warmup, 10_000):
            want = ref.warmup_lr(step, d, warmup, factor)
            got = submission.warmup_lr(step, d, warmup, factor)
            assert isinstance(got, float) and math.isclose(got, want, rel_tol=1e-9), (
                f"warmup_lr(step={step}, d_model={d}, warmup={warmup}, factor={factor}) should be {want:.6g} = factor * "
                f"d^-0.5 * min(step^-0.5, step * warmup^-1.5) (step 0 counts as 1); got {got!r}")


def tiny_batch(seed: int):
    gen = torch.Generator().manual_seed(int(seed))
    src = torch.randint(4, SMALL["vocab_size"], (4, 8), generator=gen)
    src[:, -1] = EOS
    src[3, 5:] = PAD
    y = torch.randint(4, SMALL["vocab_size"], (4, 6), generator=gen)
    y[:, -1] = EOS
    y[1, 3] = EOS
    y[1, 4:] = PAD
    return src, y


@pytest.mark.points(2)
def test_train_step_feeds_shifted_targets_and_updates(submission):
    """A training step scores model(src, shift_right(y)) against y, then updates the weights."""
    torch_w = worker_import(submission, "torch")
    torch_w.manual_seed(53)
    model = submission.Seq2SeqTransformer(**SMALL)
    src, y = tiny_batch(54)
    model.eval()
    torch_w.set_grad_enabled(False)
    try:
        # the student's own pieces, so that this test checks only the wiring of train_step
        logits = as_tensor(model(src, submission.shift_right(y)), "model(src, shift_right(y))")
        expected = float(submission.label_smoothed_loss(logits, y, 0.1, PAD))
    finally:
        torch_w.set_grad_enabled(True)
    before = {k: torch.as_tensor(v).clone() for k, v in model.state_dict().items()}
    optimizer = worker_import(submission, "torch.optim").SGD(model.parameters(), lr=0.1)
    got = submission.train_step(model, optimizer, src, y, 0.1)
    assert isinstance(got, float), f"train_step should return the loss as a Python float; got {type(got).__name__}"
    assert abs(got - expected) <= 1e-4, (
        f"train_step returned {got:.5f}, but label_smoothed_loss(model(src, shift_right(y)), y) is {expected:.5f}: the "
        "decoder's input must be the shifted target and the labels the unshifted one (dropout is 0 here)")
    after = model.state_dict()
    assert any(not torch.equal(before[k], torch.as_tensor(v)) for k, v in after.items()), (
        "the weights did not change: call loss.backward() and optimizer.step()")
    second = submission.train_step(model, optimizer, src, y, 0.1)
    assert second < got, f"a second SGD step on the same batch should lower the loss further ({got:.4f} -> {second:.4f})"


@pytest.mark.points(1)
def test_train_is_reproducible_from_its_seed(submission, dates):
    """Training draws its batches from a generator seeded with seed, so a seed fixes the run."""
    torch_w = worker_import(submission, "torch")
    config = dict(SMALL, vocab_size=dates.vocab_size, max_len=64)
    runs = []
    for seed in (3, 3, 4):
        torch_w.manual_seed(0)
        model = submission.Seq2SeqTransformer(**config)
        runs.append(submission.train(model, dates.train, dates.stoi, 4, batch_size=8, warmup=2, seed=seed,
                                     progress=False))
    assert isinstance(runs[0], list) and len(runs[0]) == 4, "train should return a list with one loss per step"
    assert all(isinstance(x, float) and math.isfinite(x) for x in runs[0]), "every loss should be a finite float"
    assert runs[0] == runs[1], ("two runs with the same seed must give the same losses: draw the batch indices with "
                                "torch.randint(..., generator=gen) from a torch.Generator seeded with `seed`")
    assert runs[0] != runs[2], "runs with seeds 3 and 4 gave the same losses: is `seed` ignored?"
