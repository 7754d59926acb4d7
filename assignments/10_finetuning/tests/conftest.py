"""Trusted-side helpers for the 10_finetuning hidden suite (runs in the grading process, never in the worker)."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from autograder.testing import worker_import  # noqa: F401  (re-exported for the test modules)

IGNORE = -100
BLOCK = 32
# the LoRA gate: a run of STEPS steps must cut the held-out loss by at least GATE (relative)
RUN = dict(steps=30, batch_size=4, lr=1e-3, warmup=5, max_norm=1.0, eval_every=30, seed=0, progress=False)
GATE = 0.06  # measured: 11 % with the reference (seed 0, one run, contended machine); the issue asked 30 %, not reached on held-out prose


@pytest.fixture(scope="session")
def blocks(release_dir, ref, submission):
    """(train, held-out) blocks of the course prose, packed by the reference from the worker's tokenizer ids."""
    text = (Path(release_dir) / "data" / "course_prose.txt").read_text(encoding="utf-8")
    ids = list(submission.tokenizer(text)["input_ids"])
    eos = int(submission.tokenizer.eos_token_id)
    cut = int(0.9 * len(ids))
    train = ref.pack_blocks([ids[:cut]], BLOCK, eos)["input_ids"]
    held = ref.pack_blocks([ids[cut:]], BLOCK, eos)["input_ids"][:8]
    return train, held


def fresh_base(submission):
    """A fresh SmolLM2 in the worker (the notebook's loader), float32, eval mode."""
    _, model = submission.load_smollm2()
    return model
