"""Task 4: attention_tensor, compared with the trusted model's attentions."""
import pytest
import torch

from autograder.testing import worker_import
from conftest import MODEL_DIR, N_HEADS, N_LAYERS, as_tensor, assert_rows_sum_to_one, model_outputs

TEXT = "The trophy doesn't fit into the brown suitcase because it is too large."


@pytest.mark.points(3)
def test_attention_tensor_matches_the_model(submission, minilm):
    """The (layers, heads, T, T) tensor is the model's output_attentions stacked, with [CLS] and [SEP] kept."""
    tf = worker_import(submission, "transformers")
    tokenizer = tf.AutoTokenizer.from_pretrained(MODEL_DIR)
    model = tf.AutoModel.from_pretrained(MODEL_DIR, attn_implementation="eager")
    model.eval()
    got = as_tensor(submission.attention_tensor(model, tokenizer, TEXT), "attention_tensor")
    _, out = model_outputs(minilm, TEXT)
    want = torch.stack(out.attentions)[:, 0]
    T = want.shape[-1]
    assert tuple(got.shape) == (N_LAYERS, N_HEADS, T, T), (
        f"expected (layers, heads, T, T) = {(N_LAYERS, N_HEADS, T, T)}, got {tuple(got.shape)}: stack the per-layer "
        "tensors, drop the batch axis, and tokenise with the special tokens")
    assert_rows_sum_to_one(got, "attention_tensor")
    err = (got.double() - want.double()).abs().max().item()
    assert err <= 1e-5, f"attention_tensor differs from the model's attentions by {err:.2e}: keep the (layer, head) order"
