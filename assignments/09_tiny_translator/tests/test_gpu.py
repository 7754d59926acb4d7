"""GPU-marked: the end-to-end run on the grader's device under bfloat16 autocast, and greedy decoding there.

On a GPU grader ``device`` is "cuda" and the training test repeats the full end-to-end run under bfloat16
autocast, with the same gate. Under ``validate --gpu emulate`` it is "cpu", where bfloat16 autocast is slower
than float32, so the emulated run checks the same code path (device placement, autocast, moving the model back)
with a shortened run of EMULATED_STEPS steps and a gate the reference passes easily (it gets about 0.45 there).
TF32 matmuls are switched off in the worker first (float32 everywhere that autocast does not cast).
"""
import pytest

from conftest import E2E, GATE, held_out_exact_match, ref_src, train_translator, trusted_greedy, worker_import

EMULATED_STEPS, EMULATED_GATE = 100, 0.2


def full_precision(submission) -> None:
    torch_w = worker_import(submission, "torch")
    torch_w.set_float32_matmul_precision("highest")  # no TF32 in float32 matmuls


@pytest.mark.gpu
@pytest.mark.points(3)
@pytest.mark.timeout(400)
def test_bf16_training_on_the_device_reaches_the_gate(submission, dates, ref, device):
    """Training on the GPU under bfloat16 autocast reaches the same held-out exact match in the same number of steps."""
    full_precision(submission)
    steps, gate = (E2E["steps"], GATE) if device == "cuda" else (EMULATED_STEPS, EMULATED_GATE)
    model, losses = train_translator(submission, dates, device=device, amp=True, steps=steps)
    assert len(losses) == steps, f"train should return {steps} losses"
    model = model.to("cpu").float()
    score = held_out_exact_match(worker_import(submission, "torch"), model, dates, ref)
    assert score >= gate, (
        f"trained on {device} with amp=True (bfloat16 autocast) the model translates {score:.1%} of the held-out dates "
        f"after {steps} steps (gate {gate:.0%}): run the forward pass under torch.autocast(device_type=src.device.type, "
        "dtype=torch.bfloat16) and the loss on logits.float(); move every batch to the device")


@pytest.mark.gpu
@pytest.mark.points(2)
@pytest.mark.timeout(400)
def test_greedy_decode_on_the_device_equals_cpu(submission, dates, ref, trained, device):
    """Greedy decoding on the GPU gives exactly the outputs it gives on the CPU for the same trained model."""
    full_precision(submission)
    model, _ = trained
    src = ref_src(ref, dates, 300)
    cpu_out = trusted_greedy(model, src)  # the trained model is on the CPU
    on_device = worker_import(submission, "copy").deepcopy(model).to(device)
    got = submission.greedy_decode(on_device, src, 12)
    assert isinstance(got, list) and len(got) == len(cpu_out), "greedy_decode should return one id list per example"
    got = [[int(i) for i in row] for row in got]
    differ = sum(g != w for g, w in zip(got, cpu_out))
    assert differ == 0, (
        f"greedy_decode on {device} differs from greedy decoding on the CPU for {differ} of {len(src)} inputs: move "
        "src to the model's device (next(model.parameters()).device), build the masks on that device, and take the "
        "argmax of the last position's logits")
