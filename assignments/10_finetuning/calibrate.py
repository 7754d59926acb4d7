"""Calibrate 10_finetuning's gates on the source notebook's own solution (instructor-only, never published).

    python assignments/10_finetuning/calibrate.py classifier [SEEDS]   # held-out accuracy over training seeds
    python assignments/10_finetuning/calibrate.py lora [SEEDS]         # held-out loss drop of the LoRA gate's run
    python assignments/10_finetuning/calibrate.py full                 # the full bf16 fine-tune (slow on a CPU)

It runs the notebook's setup and answer cells (the reference solution) on one thread, as grading does, with the
hidden suite's own settings (tests/conftest.py, tests/test_gpu.py), and prints one line per seed.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCE = ROOT / "source" / HERE.name
sys.path[:0] = [str(HERE / "tests"), str(ROOT / "autograder" / "release_modules"), str(ROOT)]
CELLS = ("setup_imports", "pipeline", "lora", "train", "full_finetune", "classify", "train_cls")


def solution() -> dict:
    os.chdir(SOURCE)
    ns: dict = {}
    for cell in nbformat.read(SOURCE / f"{HERE.name}.ipynb", as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in CELLS:
            exec(cell.source, ns)
    return ns


def lora(ns, seeds):
    from conftest import BLOCK, GATE, RUN
    import reference as ref
    tok = ns["tokenizer"]
    ids = tok(ns["TEXT"])["input_ids"]
    cut = int(0.9 * len(ids))
    train = ref.pack_blocks([ids[:cut]], BLOCK, tok.eos_token_id)["input_ids"]
    held = ref.pack_blocks([ids[cut:]], BLOCK, tok.eos_token_id)["input_ids"][:8]
    for seed in seeds:
        _, model = ns["load_smollm2"]()
        model = ns["add_lora"](model, seed=seed)
        start = time.perf_counter()
        history = ns["train_lm"](model, train, held, **dict(RUN, seed=seed, eval_every=RUN["steps"]))
        before, after = history["eval"][0][1], history["eval"][-1][1]
        print(f"lora seed {seed}: held-out {before:.3f} -> {after:.3f}, drop {1 - after / before:.1%} "
              f"(gate {GATE:.0%}), {time.perf_counter() - start:.1f} s", flush=True)


def full(ns):
    import torch
    from conftest import BLOCK, RUN
    from test_gpu import FULL_GATE, FULL_LR, FULL_STEPS
    import reference as ref
    tok = ns["tokenizer"]
    ids = tok(ns["TEXT"])["input_ids"]
    cut = int(0.9 * len(ids))
    train = ref.pack_blocks([ids[:cut]], BLOCK, tok.eos_token_id)["input_ids"]
    held = ref.pack_blocks([ids[cut:]], BLOCK, tok.eos_token_id)["input_ids"][:4]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    _, model = ns["load_smollm2"]()
    model = ns["prepare_full_finetune"](model, device, torch.bfloat16)
    loss = lambda: sum(float(model(input_ids=b[None].to(device), labels=b[None].to(device)).loss) for b in held) / 4
    with torch.no_grad():
        before = loss()
    start = time.perf_counter()
    ns["train_lm"](model, train, held[:1], **dict(RUN, steps=FULL_STEPS, lr=FULL_LR, warmup=1, eval_every=FULL_STEPS))
    model.eval()
    with torch.no_grad():
        after = loss()
    print(f"full bf16 on {device}: held-out {before:.3f} -> {after:.3f}, drop {1 - after / before:.1%} "
          f"(gate {FULL_GATE:.0%}), {time.perf_counter() - start:.1f} s")


def classifier(ns, seeds):
    import torch
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModel, AutoTokenizer, DataCollatorWithPadding
    from test_classify import CLS_GATE, CLS_RUN, MAX_LENGTH, split
    texts, labels, train_idx, test_idx = split(SOURCE)
    tok = AutoTokenizer.from_pretrained(ns["minilm_path"]())
    collate = DataCollatorWithPadding(tok)
    train_ds = ns["build_dataset"]([texts[i] for i in train_idx], [labels[i] for i in train_idx], tok, MAX_LENGTH)
    test_ds = ns["build_dataset"]([texts[i] for i in test_idx], [labels[i] for i in test_idx], tok, MAX_LENGTH)
    y_test = [labels[i] for i in test_idx]
    encoder = AutoModel.from_pretrained(ns["minilm_path"]()).eval()

    def embed(ds):
        with torch.no_grad():
            batch = collate([{k: ds[i][k] for k in ("input_ids", "attention_mask")} for i in range(len(ds))])
            hidden, mask = encoder(**batch).last_hidden_state, batch["attention_mask"].unsqueeze(-1).float()
            return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    frozen = LogisticRegression(max_iter=1000).fit(embed(train_ds), train_ds["labels"]).score(embed(test_ds), y_test)
    majority = max(sum(y_test), len(y_test) - sum(y_test)) / len(y_test)
    print(f"split: {len(train_idx)} train, {len(test_idx)} held out; majority {majority:.3f}, frozen + LR {frozen:.3f}")
    for seed in seeds:
        torch.manual_seed(seed)
        model = ns["MeanPoolClassifier"](ns["minilm_path"]())
        start = time.perf_counter()
        history = ns["train_classifier"](model, train_ds, test_ds, collate, **dict(CLS_RUN, seed=seed))
        print(f"classifier seed {seed}: accuracy by epoch {[round(a, 3) for a in history['eval']]} "
              f"(gate {CLS_GATE}), {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    import torch
    torch.set_num_threads(1)
    what = sys.argv[1]
    seeds = range(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    ns = solution()
    {"lora": lambda: lora(ns, seeds), "full": lambda: full(ns), "classifier": lambda: classifier(ns, seeds)}[what]()
