"""Trusted-side data, reference code and helpers for the 06_char_rnn hidden suite.

Everything here runs in the grading process, never in the worker. Student code is reached only through
the ``submission`` fixture; library objects the student code must receive (generators, optimizers) are
built in the worker with ``worker_import``. References are written here from the notebook's specification.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from autograder.client import NotImplementedYet, StudentError
from autograder.testing import worker_import  # noqa: F401  (re-exported for the test modules)

DATA = Path("data") / "lee_background.cor"
TRAIN_FRACTION = 0.9

torch.set_num_threads(2)


# ---------------------------------------------------------------- data

@dataclass(frozen=True)
class Corpus:
    text: str
    itos: list
    stoi: dict
    ids: torch.Tensor
    train_ids: torch.Tensor
    val_ids: torch.Tensor

    @property
    def vocab_size(self) -> int:
        return len(self.itos)


@pytest.fixture(scope="session")
def corpus(release_dir) -> Corpus:
    """The release's Lee corpus, its reference vocabulary and the notebook's 90/10 split."""
    text = (Path(release_dir) / DATA).read_text(encoding="utf-8")
    assert len(text) == 360_082, "unexpected release data (a course problem)"
    itos, stoi = ref_build_vocab(text)
    ids = ref_encode(text, stoi)
    n_train = int(TRAIN_FRACTION * len(ids))
    return Corpus(text, itos, stoi, ids, ids[:n_train], ids[n_train:])


# ---------------------------------------------------------------- references (from the notebook's specification)

def ref_build_vocab(text: str) -> tuple[list[str], dict[str, int]]:
    itos = sorted(set(text))
    return itos, {ch: i for i, ch in enumerate(itos)}


def ref_encode(text: str, stoi: dict[str, int]) -> torch.Tensor:
    return torch.tensor([stoi[ch] for ch in text], dtype=torch.long)


def ref_make_windows(ids: torch.Tensor, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    m = max((len(ids) - 1) // seq_len, 0)
    return ids[: m * seq_len].reshape(m, seq_len), ids[1 : m * seq_len + 1].reshape(m, seq_len)


class ReferenceCharRNN(nn.Module):
    """The notebook's CharRNN, with the parameter names the notebook prescribes."""

    def __init__(self, vocab_size: int, hidden_size: int = 256, cell: str = "gru", embed_dim: int = 64,
                 num_layers: int = 1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell](embed_dim, hidden_size, num_layers=num_layers,
                                                          batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


def reference_copy(student_model, vocab_size: int, hidden_size: int, cell: str, embed_dim: int,
                   num_layers: int = 1) -> ReferenceCharRNN:
    """A trusted ReferenceCharRNN carrying the student's weights (read back from the worker by name)."""
    state = student_model.state_dict()
    assert isinstance(state, dict), "model.state_dict() did not come back as a dictionary of tensors"
    reference = ReferenceCharRNN(vocab_size, hidden_size, cell, embed_dim, num_layers)
    want = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    got = {k: tuple(torch.as_tensor(v).shape) for k, v in state.items()}
    assert got == want, (
        f"CharRNN({vocab_size}, hidden_size={hidden_size}, cell={cell!r}, embed_dim={embed_dim}) should have "
        f"exactly the parameters {want} (self.embed, self.rnn, self.head as the notebook describes); "
        f"yours are {got}")
    reference.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
    return reference.eval()


def ref_bits_per_char(logits: torch.Tensor, targets: torch.Tensor) -> float:
    nats = F.cross_entropy(logits.double().reshape(-1, logits.shape[-1]), targets.reshape(-1))
    return nats.item() / math.log(2)


def remote_bpc(torch_w, model, ids: torch.Tensor, seq_len: int = 128, batch_size: int = 141) -> float:
    """Bits per character of a worker-side model on ``ids``, computed here from the logits it returns.

    Same protocol as the notebook's evaluate_bpc (consecutive windows, fresh state per window), but the
    averaging is trusted: only the model's forward pass runs in the worker, without gradients.
    """
    x, y = ref_make_windows(ids, seq_len)
    model.eval()
    torch_w.set_grad_enabled(False)
    try:
        total = 0.0
        for start in range(0, len(x), batch_size):
            out = model(x[start:start + batch_size])
            assert isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], torch.Tensor), (
                "model(x) must return a (logits, state) pair with logits a tensor")
            logits = out[0]
            target = y[start:start + batch_size]
            assert tuple(logits.shape) == (*target.shape, logits.shape[-1]), (
                f"model(x) returned logits of shape {tuple(logits.shape)} for x of shape {tuple(target.shape)}")
            total += F.cross_entropy(logits.double().reshape(-1, logits.shape[-1]), target.reshape(-1),
                                     reduction="sum").item()
    finally:
        torch_w.set_grad_enabled(True)
    return total / y.numel() / math.log(2)


def ref_temperature_probs(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    if temperature == 0:
        return F.one_hot(logits.argmax(dim=-1), logits.shape[-1]).to(logits.dtype)
    return torch.softmax(logits / temperature, dim=-1)


# ---------------------------------------------------------------- helpers

def expect_raises(kind: str, call, *args, **kwargs) -> None:
    """Call student code and require that it raises the exception type named ``kind``."""
    try:
        call(*args, **kwargs)
    except NotImplementedYet:
        raise
    except StudentError as exc:
        assert f" raised {kind}" in str(exc), f"expected {kind}, but {exc}"
        return
    pytest.fail(f"expected {kind} to be raised, but the call returned normally")


def as_tensor(value, what: str) -> torch.Tensor:
    assert isinstance(value, torch.Tensor), f"{what} should be a torch.Tensor; got {type(value).__name__}"
    return value
