"""Trusted-side data and helpers for the 06_char_rnn hidden suite.

Everything here runs in the grading process, never in the worker. Student code is reached only through
the ``submission`` fixture; library objects the student code must receive (generators, optimizers) are
built in the worker with ``worker_import``. Reference answers come from the ``ref`` fixture
(``assignments/06_char_rnn/reference.py``, which is not published), always on the suite's own inputs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from autograder.client import NotImplementedYet, StudentError
from autograder.testing import worker_import  # noqa: F401  (re-exported for the test modules)

DATA = Path("data") / "lee_background.cor"
TRAIN_FRACTION = 0.9


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
def corpus(release_dir, ref) -> Corpus:
    """The release's Lee corpus, its reference vocabulary and ids (from reference.py) and the notebook's 90/10 split."""
    text = (Path(release_dir) / DATA).read_text(encoding="utf-8")
    assert len(text) == 360_082, "unexpected release data (a course problem)"
    itos, stoi = ref.build_vocab(text)
    ids = ref.encode(text, stoi)
    n_train = int(TRAIN_FRACTION * len(ids))
    return Corpus(text, list(itos), dict(stoi), ids, ids[:n_train], ids[n_train:])


# ---------------------------------------------------------------- trusted weights for the student's CharRNN

def char_rnn_shapes(vocab_size: int, hidden_size: int, cell: str, embed_dim: int) -> dict:
    """The parameter shapes the notebook prescribes for a one-layer CharRNN (state_dict order)."""
    gates = {"gru": 3, "lstm": 4}[cell] * hidden_size
    return {"embed.weight": (vocab_size, embed_dim), "rnn.weight_ih_l0": (gates, embed_dim),
            "rnn.weight_hh_l0": (gates, hidden_size), "rnn.bias_ih_l0": (gates,), "rnn.bias_hh_l0": (gates,),
            "head.weight": (vocab_size, hidden_size), "head.bias": (vocab_size,)}


def load_trusted_weights(student_model, vocab_size: int, hidden_size: int, cell: str, embed_dim: int,
                         seed: int) -> dict:
    """Check the student's parameter names and shapes, then load seeded weights into the model (in the worker).

    Returns the weights, so the expected outputs come from reference.py on trusted inputs only.
    """
    state = student_model.state_dict()
    assert isinstance(state, dict), "model.state_dict() did not come back as a dictionary of tensors"
    want = char_rnn_shapes(vocab_size, hidden_size, cell, embed_dim)
    got = {k: tuple(torch.as_tensor(v).shape) for k, v in state.items()}
    assert got == want, (
        f"CharRNN({vocab_size}, hidden_size={hidden_size}, cell={cell!r}, embed_dim={embed_dim}) should have "
        f"exactly the parameters {want} (self.embed, self.rnn, self.head as the notebook describes); "
        f"yours are {got}")
    gen = torch.Generator().manual_seed(seed)
    bound = 1 / math.sqrt(hidden_size)  # the scale of PyTorch's own initialisation
    weights = {}
    for name, shape in want.items():
        if name == "embed.weight":
            weights[name] = torch.randn(*shape, generator=gen)
        else:
            weights[name] = (2 * torch.rand(*shape, generator=gen) - 1) * bound
    student_model.load_state_dict(weights)
    return weights


# ---------------------------------------------------------------- trusted evaluation of a worker-side model

def remote_bpc(torch_w, model, x: torch.Tensor, y: torch.Tensor, batch_size: int = 141) -> float:
    """Bits per character of a worker-side model on the windows ``x`` -> ``y`` (from reference.py).

    Same protocol as the notebook's evaluate_bpc (consecutive windows, fresh state per window), but the
    averaging is trusted: only the model's forward pass runs in the worker, without gradients, and the
    cross-entropy of its logits is torch's.
    """
    model.eval()
    torch_w.set_grad_enabled(False)
    nll = []
    try:
        for xb, yb in zip(x.split(batch_size), y.split(batch_size)):
            out = model(xb)
            assert isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], torch.Tensor), (
                "model(x) must return a (logits, state) pair with logits a tensor")
            logits = out[0]
            assert tuple(logits.shape) == (*yb.shape, logits.shape[-1]), (
                f"model(x) returned logits of shape {tuple(logits.shape)} for x of shape {tuple(yb.shape)}")
            nll.append(F.cross_entropy(logits.double().flatten(0, 1), yb.flatten(), reduction="none"))
    finally:
        torch_w.set_grad_enabled(True)
    return torch.cat(nll).mean().item() / math.log(2)


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
