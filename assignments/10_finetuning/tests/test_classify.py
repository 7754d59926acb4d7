"""Task 4: build_dataset (datasets, batched map) and accuracy."""
from pathlib import Path

import pytest
import torch

from conftest import worker_import


def reviews(release_dir, n=12):
    rows = [line.split(" ", 1) for line in
            (Path(release_dir) / "data" / "pang_lee_polarity.cor").read_text(encoding="latin-1").splitlines()]
    return [t.strip() for _, t in rows[::17][:n]], [int(l == "__label__pos") for l, _ in rows[::17][:n]]


@pytest.mark.points(2)
def test_build_dataset_tokenises_with_truncation(submission, release_dir):
    """The Dataset holds the tokenizer's ids for each review, truncated to max_length, with its label."""
    texts, labels = reviews(release_dir)
    tok = worker_import(submission, "transformers").AutoTokenizer.from_pretrained(submission.minilm_path())
    ds = submission.build_dataset(texts, labels, tok, max_length=16)
    cols = sorted(ds.column_names)
    assert cols == ["attention_mask", "input_ids", "labels"] or cols == ["attention_mask", "input_ids", "labels",
                                                                         "token_type_ids"], (
        f"the Dataset should have the columns input_ids, attention_mask, labels (text removed); got {cols}")
    assert int(ds.num_rows) == len(texts), f"the Dataset should have one row per review ({len(texts)})"
    want = tok(texts, truncation=True, max_length=16)["input_ids"]
    got = ds["input_ids"]
    assert [list(r) for r in got] == [list(r) for r in want], (
        "input_ids should be the tokenizer's ids of each text with truncation=True, max_length=max_length and no "
        "padding (DataCollatorWithPadding pads per batch)")
    assert [int(y) for y in ds["labels"]] == labels, "labels should keep the order of the reviews"


@pytest.mark.points(1)
def test_accuracy_is_the_fraction_of_argmax_hits(submission):
    """Accuracy counts the rows whose highest-scoring class is the label, divided by the number of rows."""
    gen = torch.Generator().manual_seed(104)
    logits = torch.randn(50, 3, generator=gen)
    labels = torch.randint(0, 3, (50,), generator=gen)
    want = (logits.argmax(-1) == labels).float().mean().item()
    got = submission.accuracy(logits, labels)
    assert isinstance(got, float) and abs(got - want) < 1e-9, (
        "accuracy should be a Python float: the mean of (logits.argmax(-1) == labels) over the rows")
