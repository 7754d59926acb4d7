"""GPU-marked: the LoRA run on the grader's device matches the CPU run's training curve.

On a GPU grader ``device`` is "cuda"; under ``validate --gpu emulate`` it is "cpu" and the test checks the same
code path (the model and every batch on ``device``). TF32 is switched off first so float32 matches the CPU.
"""
import pytest

from conftest import RUN, fresh_base, worker_import

STEPS, TOL = 5, 0.05


@pytest.mark.gpu
@pytest.mark.points(1)
@pytest.mark.timeout(300)
def test_lora_on_the_device_matches_the_cpu_curve(submission, blocks, device):
    """LoRA training on the GPU follows the same loss curve as on the CPU, step for step, within a small tolerance."""
    worker_import(submission, "torch").set_float32_matmul_precision("highest")
    train, held = blocks
    run = dict(RUN, steps=STEPS, eval_every=STEPS)
    cpu = submission.train_lm(submission.add_lora(fresh_base(submission), seed=0), train, held[:4], **run)["train"]
    on_device = submission.add_lora(fresh_base(submission).to(device), seed=0)
    got = submission.train_lm(on_device, train, held[:4], **run)["train"]
    assert len(got) == STEPS, f"train_lm should return {STEPS} training losses"
    worst = max(abs(a - b) for a, b in zip(got, cpu))
    assert worst <= TOL, (
        f"on {device} the training losses differ from the CPU run's by up to {worst:.3g} (tolerance {TOL}): move every "
        "batch to next(model.parameters()).device and draw the batches from a CPU torch.Generator(seed)")
