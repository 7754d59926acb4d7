"""Task 1: load_model returns an eager-attention model (the sdpa pitfall)."""
import pytest

from autograder.testing import worker_import
from conftest import MODEL_DIR, N_LAYERS


@pytest.mark.points(2)
def test_load_model_returns_attention_weights(submission, minilm):
    """The model must be loaded with attn_implementation="eager", or output_attentions=True returns nothing."""
    out = submission.load_model(MODEL_DIR)
    tokenizer, model = out[0], out[1]
    impl = model.config._attn_implementation
    assert impl == "eager", (
        f"load_model's model uses {impl!r} attention: pass attn_implementation='eager' to AutoModel.from_pretrained "
        "(the default 'sdpa' never materialises the weights and returns an empty tuple of attentions)")
    assert model.training is False, "load_model should return the model in eval mode (model.eval()): no dropout"
    enc = minilm[0]("attention is all you need", return_tensors="pt")
    torch_w = worker_import(submission, "torch")
    torch_w.set_grad_enabled(False)
    try:
        result = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], output_attentions=True)
        n = len(result.attentions)
    finally:
        torch_w.set_grad_enabled(True)
    assert n == N_LAYERS, f"the loaded model returned {n} attention tensors with output_attentions=True, expected 6"
    ids = tokenizer("attention is all you need")["input_ids"]
    assert list(ids) == enc["input_ids"][0].tolist(), "load_model's tokenizer is not the model's own tokenizer"
