"""End to end: the notebook's run (Seq2SeqTransformer(V), seed 0, 1000 steps of 64 pairs, warmup 100, smoothing 0.1).

Trained once per grading run in the worker with the student's train; judged here: the held-out exact match
comes from a greedy decoding driven by this suite (trusted masks), so a wrong greedy_decode or mask function
does not cost this gate twice. Gate: >= 0.95 on the 1,000 held-out days (the reference reaches about 0.98).
"""
import math

import pytest

from conftest import E2E, GATE, held_out_exact_match, worker_import


@pytest.mark.points(6)
@pytest.mark.timeout(400)
def test_held_out_exact_match_after_training(submission, dates, ref, trained):
    """After a fixed number of training steps the translator writes at least 95 % of unseen dates exactly right."""
    model, losses = trained
    assert isinstance(losses, list) and len(losses) == E2E["steps"], f"train should return {E2E['steps']} losses"
    assert all(isinstance(x, float) and math.isfinite(x) for x in losses), "every loss should be a finite float"
    score = held_out_exact_match(worker_import(submission, "torch"), model, dates, ref)
    assert score >= GATE, (
        f"after {E2E['steps']} steps the model should translate >= {GATE:.0%} of the held-out dates exactly (the "
        f"reference: about 98 %); yours gets {score:.1%} (final training loss {sum(losses[-20:]) / 20:.3f}). Check the "
        "schedule (warmup_lr, stepped once per update), the embedding scale and initialisation, and that the decoder "
        "reads shift_right(y)")
