"""Tasks 5 and 6: build_dataset (datasets, batched map) and accuracy; train_classifier and predict_logits."""
from pathlib import Path

import pytest
import torch

from autograder.testing import replaced, worker_function
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


# Task 5: train_classifier and predict_logits, on the split the notebook's demo uses (140 train, 60 held out)
MAX_LENGTH = 48
CLS_RUN = dict(epochs=2, batch_size=16, lr=3e-4, warmup=3, max_norm=1.0, seed=0, progress=False)
CLS_GATE = 0.65  # calibration in assignment.toml

# library glue: the suite's own datasets, collator and classifier, built in the worker
CLS_GLUE_SOURCE = """
def fresh_classifier(path, seed):
    import torch
    from transformers import AutoModelForSequenceClassification
    torch.manual_seed(seed)
    return AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)


def collator(path):
    from transformers import AutoTokenizer, DataCollatorWithPadding
    return DataCollatorWithPadding(AutoTokenizer.from_pretrained(path))


def encoded(path, texts, labels, max_length):
    import datasets
    from transformers import AutoTokenizer
    enc = AutoTokenizer.from_pretrained(path)(list(texts), truncation=True, max_length=max_length)
    return datasets.Dataset.from_dict({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                              "labels": list(labels)})


def pooled_logits(model, ds, collate, scale):
    import torch
    model.eval()
    with torch.no_grad():
        batch = collate([{k: ds[i][k] for k in ("input_ids", "attention_mask")} for i in range(len(ds))])
        states = model.encoder(**batch).last_hidden_state
        weights = batch["attention_mask"][..., None].float()
        sentence = torch.nn.functional.normalize(torch.einsum("btd,bto->bd", states, weights) / weights.sum(1), dim=-1)
        return model.head(scale * sentence).float()


def logits_of_rows(model, ds, collate):
    import torch
    model.eval()
    with torch.no_grad():
        rows = [{k: ds[i][k] for k in ("input_ids", "attention_mask")} for i in range(len(ds))]
        return model(**collate(rows)).logits.float()


def predict_in_one_batch(model, ds, collate, batch_size=32):
    return logits_of_rows(model, ds, collate)


def hit_rate(logits, labels):
    return float((logits.argmax(dim=-1) == labels).double().mean())
"""


def split(release_dir):
    """The reviews, their labels, and a seeded 140 / 60 split of their indices."""
    rows = [line.split(" ", 1) for line in
            (Path(release_dir) / "data" / "pang_lee_polarity.cor").read_text(encoding="latin-1").splitlines()]
    texts, labels = [t.strip() for _, t in rows], [int(l == "__label__pos") for l, _ in rows]
    order = torch.randperm(len(texts), generator=torch.Generator().manual_seed(0)).tolist()
    return texts, labels, order[:140], order[140:]


def glue(submission, name):
    return worker_function(submission, CLS_GLUE_SOURCE, name)


def split_datasets(submission, release_dir):
    texts, labels, train_idx, test_idx = split(release_dir)
    path = submission.minilm_path()
    make = glue(submission, "encoded")
    return (make(path, [texts[i] for i in train_idx], [labels[i] for i in train_idx], MAX_LENGTH),
            make(path, [texts[i] for i in test_idx], [labels[i] for i in test_idx], MAX_LENGTH),
            [labels[i] for i in test_idx])


@pytest.mark.points(1)
def test_predict_logits_scores_every_row_in_order(submission, release_dir):
    """Batched prediction gives every held-out row's logits in the dataset's order, the same as one big batch."""
    path = submission.minilm_path()
    _, test_ds, _ = split_datasets(submission, release_dir)
    model, collate = glue(submission, "fresh_classifier")(path, 0), glue(submission, "collator")(path)
    want = torch.as_tensor(glue(submission, "logits_of_rows")(model, test_ds, collate))
    got = torch.as_tensor(submission.predict_logits(model, test_ds, collate, batch_size=7)).float()
    assert tuple(got.shape) == tuple(want.shape), (
        f"predict_logits should return one row of logits per dataset row, shape {tuple(want.shape)}; got "
        f"{tuple(got.shape)} (the last, shorter batch too)")
    assert torch.allclose(got, want, atol=1e-4), (
        "predict_logits differs from the model's logits row by row: keep the dataset's order, evaluate in eval mode "
        "without gradients, and collate each batch with padding")


def student_classifier(submission, path, seed, **kwargs):
    worker_import(submission, "torch").manual_seed(seed)
    return submission.MeanPoolClassifier(path, **kwargs)


@pytest.mark.points(2)
def test_mean_pool_classifier_puts_the_head_on_the_unit_sentence_embedding(submission, release_dir):
    """The head reads the masked mean of MiniLM's token states, scaled to unit length: padding never counts."""
    path = submission.minilm_path()
    _, test_ds, y_test = split_datasets(submission, release_dir)
    collate = glue(submission, "collator")(path)
    model = student_classifier(submission, path, 0, num_labels=3, scale=7.0)
    want = torch.as_tensor(glue(submission, "pooled_logits")(model, test_ds, collate, 7.0))
    rows = [{k: test_ds[i][k] for k in ("input_ids", "attention_mask")} for i in range(len(test_ds))]
    out = model(**collate(rows), labels=torch.tensor(y_test))
    got = torch.as_tensor(out.logits).float()
    assert tuple(got.shape) == tuple(want.shape), f"logits should have shape {tuple(want.shape)}, got {tuple(got.shape)}"
    assert torch.allclose(got, want, atol=1e-4), (
        "the logits differ from head(scale * unit-length mean of the last hidden states over the real tokens): "
        "weight the mean by attention_mask, divide by the number of real tokens, normalise, then scale")
    loss = float(out.loss)
    assert abs(loss - torch.nn.functional.cross_entropy(want, torch.tensor(y_test)).item()) < 1e-4, (
        "with labels, the output's loss should be the mean cross-entropy of the logits against them")


@pytest.mark.points(3)
@pytest.mark.timeout(300)
def test_fine_tuned_minilm_beats_the_majority_class(submission, release_dir):
    """Two epochs of fine-tuning with warmup and clipping teach MiniLM the reviews' sentiment, well above chance."""
    path = submission.minilm_path()
    train_ds, test_ds, y_test = split_datasets(submission, release_dir)
    model, collate = student_classifier(submission, path, 0), glue(submission, "collator")(path)
    # the suite's own evaluation inside the loop, so a wrong predict_logits or accuracy loses only its own test
    with replaced(submission, predict_logits=glue(submission, "predict_in_one_batch"),
                  accuracy=glue(submission, "hit_rate")):
        history = submission.train_classifier(model, train_ds, test_ds, collate, **CLS_RUN)
    steps = CLS_RUN["epochs"] * -(-140 // CLS_RUN["batch_size"])
    assert len(history["train"]) == steps and len(history["eval"]) == CLS_RUN["epochs"], (
        f"train_classifier should return {steps} step losses (every batch of every epoch, the last one shorter) "
        f"and one held-out accuracy per epoch ({CLS_RUN['epochs']})")
    logits = torch.as_tensor(glue(submission, "logits_of_rows")(model, test_ds, collate))
    accuracy = (logits.argmax(-1) == torch.tensor(y_test)).float().mean().item()
    majority = max(sum(y_test), len(y_test) - sum(y_test)) / len(y_test)
    assert accuracy >= CLS_GATE, (
        f"after fine-tuning, held-out accuracy is {accuracy:.3f} (gate {CLS_GATE}; always guessing the majority class "
        f"scores {majority:.3f}): check that every step calls backward, clips, sets lr_at's rate and steps AdamW, and "
        "that the model is back in train mode after each evaluation")
