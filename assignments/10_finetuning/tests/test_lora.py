"""Task 2: add_lora, count_trainable; task 3: train_lm (the held-out gate) and merge_and_unload."""
import pytest
import torch

from autograder.testing import remote_type
from conftest import GATE, RUN, fresh_base, worker_import

# SmolLM2-135M: 30 layers, hidden 576, 3 KV heads of 64. LoRA r=8 on q_proj (576->576) and v_proj (576->192):
# per layer 8*576 + 576*8 + 8*576 + 192*8 = 15,360 parameters
LORA_PARAMS = 30 * 15_360
BASE_PARAMS = 134_515_008

PROBE = "Fine-tuning adapts a pre-trained model to a text of its own."


def probe_ids(submission):
    return submission.tokenizer(PROBE, return_tensors="pt")["input_ids"]


def logits_of(model, ids):
    out = model(input_ids=ids).logits
    return torch.as_tensor(out).float()


@pytest.mark.points(2)
def test_lora_model_starts_equal_to_the_base(submission):
    """LoRA's B matrix starts at zero, so the adapted model's outputs equal the base model's at initialisation."""
    torch_w = worker_import(submission, "torch")
    torch_w.set_grad_enabled(False)
    try:
        base = fresh_base(submission)
        ids = probe_ids(submission)
        want = logits_of(base, ids)
        lora = submission.add_lora(base, r=8, alpha=16, target_modules=("q_proj", "v_proj"), seed=0)
        got = logits_of(lora, ids)
    finally:
        torch_w.set_grad_enabled(True)
    assert got.shape == want.shape, f"the LoRA model's logits have shape {tuple(got.shape)}, the base's {tuple(want.shape)}"
    diff = (got - want).abs().max().item()
    assert diff <= 1e-4, (
        f"at initialisation the LoRA model's logits differ from the base model's by {diff:.3g}: keep peft's default "
        "init (B = 0) and lora_dropout 0, and wrap the model with get_peft_model")


@pytest.mark.points(2)
def test_only_lora_parameters_are_trainable(submission):
    """Only the low-rank A and B matrices of the targeted layers train: about 0.34 % of SmolLM2's parameters."""
    lora = submission.add_lora(fresh_base(submission), r=8, alpha=16, target_modules=("q_proj", "v_proj"), seed=0)
    trainable, total = lora.get_nb_trainable_parameters()
    assert trainable > 0, (
        "add_lora left no trainable parameter: target_modules matched no layer (SmolLM2's are named q_proj, v_proj)")
    assert (int(trainable), int(total)) == (LORA_PARAMS, BASE_PARAMS + LORA_PARAMS), (
        f"add_lora(r=8, target_modules=('q_proj', 'v_proj')) has {int(trainable):,} trainable of {int(total):,}; "
        "expected rank-8 adapters on exactly q_proj and v_proj of every layer, everything else frozen")
    got = submission.count_trainable(lora)
    assert tuple(int(x) for x in got) == (int(trainable), int(total)), (
        "count_trainable should return (sum of numel of parameters with requires_grad, sum of numel of all)")


@pytest.fixture
def trained(submission, blocks, shared):
    """The notebook's LoRA run, once per grading run: (model, held-out loss before, after), judged here."""
    if "run_error" in shared:
        raise shared["run_error"]
    if "run" not in shared:
        try:
            train, held = blocks
            from conftest import BLOCK  # noqa: F401
            model = submission.add_lora(fresh_base(submission), seed=0)
            before = held_out_loss(submission, model, held)
            history = submission.train_lm(model, train, held, **RUN)
            shared["run"] = (model, before, held_out_loss(submission, model, held), history)
        except BaseException as exc:
            shared["run_error"] = exc
            raise
    return shared["run"]


def held_out_loss(submission, model, held, ref=None) -> float:
    """Trusted: the model's own loss (labels = inputs, it shifts internally) over the held-out blocks."""
    torch_w = worker_import(submission, "torch")
    torch_w.set_grad_enabled(False)
    try:
        model.eval()
        total = 0.0
        for k in range(0, len(held), 8):
            b = held[k:k + 8]
            total += float(model(input_ids=b, labels=b).loss) * len(b)
    finally:
        torch_w.set_grad_enabled(True)
    return total / len(held)


@pytest.mark.points(4)
@pytest.mark.timeout(300)
def test_lora_training_cuts_the_held_out_loss(submission, trained):
    """Thirty LoRA steps with warmup and clipping cut the held-out loss on the course's prose by at least 6 %."""
    _, before, after, history = trained
    assert len(history["train"]) == RUN["steps"], f"train_lm should return one training loss per step ({RUN['steps']})"
    drop = 1 - after / before
    assert drop >= GATE, (
        f"after {RUN['steps']} steps the held-out loss fell by {drop:.0%} (gate {GATE:.0%}): check the loss (shift once, "
        "-100 ignored), that the learning rate follows lr_at each step, clipping, and optimizer.zero_grad()")


@pytest.mark.points(2)
@pytest.mark.timeout(300)
def test_merge_and_unload_keeps_the_logits(submission, trained):
    """Merging the trained adapters into the weights gives a plain model with the same outputs."""
    model = trained[0]
    torch_w = worker_import(submission, "torch")
    ids = probe_ids(submission)
    torch_w.set_grad_enabled(False)
    try:
        want = logits_of(model, ids)
        merged = submission.merge_lora(model)
        got = logits_of(merged, ids)
    finally:
        torch_w.set_grad_enabled(True)
    kind = remote_type(merged)
    assert "peft" not in kind.lower(), (
        f"merge_lora returned a {kind.rsplit('.', 1)[-1]}: it should return the plain transformers model that "
        "merge_and_unload() gives, with the adapters folded into the weights")
    diff = (got - want).abs().max().item()
    assert diff <= 1e-3, f"the merged model's logits differ from the adapted model's by {diff:.3g}: use merge_and_unload()"
