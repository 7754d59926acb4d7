"""Task 1: pack_blocks, pad_batch, causal_lm_loss; task 3: lr_at."""
import math

import pytest
import torch

from conftest import IGNORE


@pytest.mark.points(2)
def test_pack_blocks_concatenates_with_eos_and_drops_the_tail(submission, ref):
    """Packing joins every document followed by EOS and cuts the stream into full blocks, labels equal to inputs."""
    gen = torch.Generator().manual_seed(101)
    docs = [torch.randint(3, 50, (int(n),), generator=gen).tolist() for n in (5, 1, 9, 4, 7)]
    for size in (4, 7, 30):
        got = submission.pack_blocks(docs, size, 2)
        want = ref.pack_blocks(docs, size, 2)
        ids = got["input_ids"]
        assert isinstance(ids, torch.Tensor) and tuple(ids.shape) == tuple(want["input_ids"].shape), (
            f"block_size {size}: input_ids should have shape {tuple(want['input_ids'].shape)} (full blocks only, the "
            f"tail dropped); got {getattr(ids, 'shape', type(ids))}")
        assert torch.equal(ids, want["input_ids"]), (
            f"block_size {size}: the blocks should be the documents joined with an EOS after each, cut in order")
        assert torch.equal(got["labels"], want["labels"]), (
            "labels should equal input_ids: a Hugging Face causal LM shifts them itself")


@pytest.mark.points(2)
def test_pad_batch_masks_padding_with_minus_100(submission, ref):
    """Padded positions get attention_mask 0 and label -100, so the loss never learns to predict padding."""
    seqs = [[5, 6, 7, 8], [9], [3, 4, 0, 1], [11, 12]]
    got = submission.pad_batch(seqs, 0)
    want = ref.pad_batch(seqs, 0)
    for key in ("input_ids", "attention_mask", "labels"):
        assert key in got, f"pad_batch should return a dict with {key!r}"
        assert torch.equal(torch.as_tensor(got[key]).long(), want[key]), (
            f"pad_batch({seqs}, pad_id=0): {key} is wrong. Right-pad to the longest; the mask is 1 on real tokens; "
            "labels are input_ids with -100 on padding (a real token may equal pad_id: use the lengths, not ids == pad)")


def random_case(seed, B=3, T=9, V=17):
    rng = torch.Generator().manual_seed(int(seed))
    logits = 2 * torch.randn(B, T, V, generator=rng)
    labels = torch.randint(0, V, (B, T), generator=rng)
    labels[1, 6:] = IGNORE
    labels[2, 3:] = IGNORE
    return logits, labels


@pytest.mark.points(3)
def test_causal_lm_loss_shifts_exactly_once_and_ignores_padding(submission, ref):
    """The logits at position t are scored against the label at t + 1, and labels of -100 do not count."""
    for seed in (102, 103):
        logits, labels = random_case(seed)
        want = ref.causal_lm_loss(logits, labels).item()
        got = submission.causal_lm_loss(logits, labels)
        assert isinstance(got, torch.Tensor) and got.ndim == 0, "causal_lm_loss should return a 0-d tensor"
        unshifted = torch.nn.functional.cross_entropy(logits.reshape(-1, 17), labels.reshape(-1),
                                                      ignore_index=IGNORE).item()
        hint = " (not shifted: position t scored against its own label)" if abs(got.item() - unshifted) < 1e-5 else ""
        assert math.isclose(got.item(), want, rel_tol=1e-5, abs_tol=1e-6), (
            f"causal_lm_loss differs from the next-token cross-entropy{hint}: compare logits[:, :-1] with labels[:, 1:] "
            "(shift once, not twice) with ignore_index=-100")


@pytest.mark.points(2)
def test_lr_schedule_warms_up_then_decays_linearly(submission, ref):
    """The learning rate rises linearly over the warmup steps and then falls linearly to zero at the last step."""
    for lr, warmup, total in ((1e-3, 5, 30), (2.0, 1, 10), (0.5, 10, 12)):
        for step in range(total + 1):
            want = ref.lr_at(step, lr, warmup, total)
            got = submission.lr_at(step, lr, warmup, total)
            assert isinstance(got, (int, float)) and math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-15), (
                f"lr_at(step={step}, lr={lr}, warmup={warmup}, total={total}) is wrong: lr * (step + 1) / "
                f"warmup during warmup, then lr * (total - step) / (total - warmup); got {got!r}")
