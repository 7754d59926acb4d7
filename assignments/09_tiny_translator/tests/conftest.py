"""Trusted-side data and helpers for the 09_tiny_translator hidden suite.

Everything here runs in the grading process, never in the worker. Student code is reached only through the
``submission`` fixture; library objects the student code must receive (optimizers) are built in the worker with
``worker_import``. Reference answers come from the ``ref`` fixture (``reference.py``, not published), always on
the suite's own inputs. Where a test judges a worker-side model it does the judging here: the masks it passes and
the greedy decoding of the end-to-end gate are trusted, so a wrong mask or decoder costs only its own tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from autograder.testing import worker_import  # noqa: F401  (re-exported for the test modules)

SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
PAD, BOS, EOS, UNK = 0, 1, 2, 3

# the end-to-end run, the same as the notebook's demo_train cell
E2E = dict(steps=1000, batch_size=64, lr_factor=1.0, warmup=100, smoothing=0.1, seed=0)
E2E_DROPOUT = 0.0
GATE = 0.95
N_EVAL = 1000          # held-out pairs the gates decode (all of data/test.tsv)
MAX_LEN = 12


def load_pairs(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t")) for line in Path(path).read_text(encoding="utf-8").splitlines()]


@dataclass(frozen=True)
class Dates:
    train: list
    test: list
    itos: list
    stoi: dict

    @property
    def vocab_size(self) -> int:
        return len(self.itos)


@pytest.fixture(scope="session")
def dates(release_dir, ref) -> Dates:
    """The release's training and held-out pairs, and the reference vocabulary of the training pairs."""
    train = load_pairs(Path(release_dir) / "data" / "train.tsv")
    test = load_pairs(Path(release_dir) / "data" / "test.tsv")
    assert len(train) == 20_000 and len(test) == 1000, "unexpected release data (a course problem)"
    itos, stoi = ref.build_vocab([a for a, _ in train] + [b for _, b in train])
    return Dates(train, test, list(itos), dict(stoi))


# ---------------------------------------------------------------- trusted weights for the student's model

SMALL = dict(vocab_size=17, d_model=16, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=24,
             dropout=0.0, max_len=20)


def trusted_state(config: dict, seed: int) -> dict[str, torch.Tensor]:
    """Seeded weights for a model of ``config``, in the notebook's parameter names (built from torch's own layers).

    Every tensor is drawn fresh (LayerNorm scales and biases too), so a wrong wiring cannot hide behind an
    initialisation of ones and zeros.
    """
    rng = torch.Generator().manual_seed(seed)
    d, V = config["d_model"], config["vocab_size"]
    transformer = nn.Transformer(d, config["nhead"], config["num_encoder_layers"], config["num_decoder_layers"],
                                 config["dim_feedforward"], 0.0, batch_first=True, norm_first=True)
    state = {"src_embed.embed.weight": (V, d), "tgt_embed.embed.weight": (V, d)}
    state.update({f"transformer.{k}": tuple(v.shape) for k, v in transformer.state_dict().items()})
    state.update({"generator.weight": (V, d), "generator.bias": (V,)})
    weights = {}
    for name, shape in state.items():
        scale = d ** -0.5 if "embed" in name else 0.3
        w = torch.randn(*shape, generator=rng) * scale
        if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm3.weight") \
                or name.endswith("norm.weight"):
            w = 1 + 0.2 * torch.randn(*shape, generator=rng)
        weights[name] = w
    return weights


def load_trusted(student_model, config: dict, seed: int) -> dict[str, torch.Tensor]:
    """Check the student's parameter names and shapes, then load seeded weights into it (in the worker)."""
    weights = trusted_state(config, seed)
    state = student_model.state_dict()
    assert isinstance(state, dict), "model.state_dict() did not come back as a dictionary of tensors"
    got = {k: tuple(torch.as_tensor(v).shape) for k, v in state.items()}
    want = {k: tuple(v.shape) for k, v in weights.items()}
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    assert not missing and not extra, (
        f"Seq2SeqTransformer's state_dict should hold exactly src_embed.embed.weight, tgt_embed.embed.weight, the "
        f"nn.Transformer's parameters under transformer.* and generator.weight/bias; missing {missing[:4]}, "
        f"unexpected {extra[:4]} (register pe with persistent=False)")
    wrong = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    assert not wrong, f"parameter shapes differ from the notebook's spec (yours, expected): {dict(list(wrong.items())[:3])}"
    student_model.load_state_dict(weights)
    student_model.eval()
    return weights


def trusted_transformer(weights: dict, config: dict) -> tuple[nn.Transformer, nn.Linear]:
    """torch's nn.Transformer (pre-LN, batch_first) and output layer carrying ``weights``, in eval mode."""
    t = nn.Transformer(config["d_model"], config["nhead"], config["num_encoder_layers"], config["num_decoder_layers"],
                       config["dim_feedforward"], 0.0, batch_first=True, norm_first=True)
    t.load_state_dict({k[len("transformer."):]: v for k, v in weights.items() if k.startswith("transformer.")})
    gen = nn.Linear(config["d_model"], config["vocab_size"])
    gen.load_state_dict({"weight": weights["generator.weight"], "bias": weights["generator.bias"]})
    return t.eval(), gen.eval()


def causal(size: int) -> torch.Tensor:
    return torch.isinf(nn.Transformer.generate_square_subsequent_mask(size))


# ---------------------------------------------------------------- trusted decoding of a worker-side model

def trusted_greedy(model, src: torch.Tensor, max_len: int = MAX_LEN) -> list[list[int]]:
    """Greedy decoding driven from here: only model.encode / model.decode run in the worker, with trusted masks."""
    pad_src = src == PAD
    encoded = model.encode(src, pad_src)
    ys = torch.full((src.shape[0], 1), BOS, dtype=torch.long)
    done = torch.zeros(src.shape[0], dtype=torch.bool)
    for _ in range(max_len):
        logits = model.decode(ys, encoded, causal(ys.shape[1]), None, pad_src)
        assert isinstance(logits, torch.Tensor) and logits.shape[:2] == ys.shape, (
            f"model.decode should return logits (B, T, V); got {getattr(logits, 'shape', type(logits))}")
        nxt = torch.where(done, torch.full((src.shape[0],), PAD), logits[:, -1].float().argmax(-1))
        ys = torch.cat((ys, nxt[:, None]), 1)
        done |= nxt == EOS
        if bool(done.all()):
            break
    return [row[: row.index(EOS)] if EOS in row else row for row in ys[:, 1:].tolist()]


def held_out_exact_match(torch_w, model, dates: Dates, ref, n: int = N_EVAL) -> float:
    """Exact match of the trusted greedy decoding of a worker-side model on the first ``n`` held-out pairs."""
    model.eval()
    torch_w.set_grad_enabled(False)
    try:
        texts = [t for t, _ in dates.test[:n]]
        preds = []
        for k in range(0, n, 500):
            src = ref.pad_batch([ref.encode(t, dates.stoi) for t in texts[k:k + 500]])
            preds += [ref.decode(ids, dates.itos) for ids in trusted_greedy(model, src)]
    finally:
        torch_w.set_grad_enabled(True)
    return sum(p == iso for p, (_, iso) in zip(preds, dates.test[:n])) / n


def train_translator(submission, dates: Dates, device: str = "cpu", amp: bool = False, steps: int = E2E["steps"]):
    """The notebook's end-to-end run in the worker: a fresh Seq2SeqTransformer(V) from seed 0, E2E steps."""
    worker_import(submission, "torch").manual_seed(0)
    model = submission.Seq2SeqTransformer(dates.vocab_size, dropout=E2E_DROPOUT)
    losses = submission.train(model, dates.train, dates.stoi, steps, batch_size=E2E["batch_size"],
                              lr_factor=E2E["lr_factor"], warmup=E2E["warmup"], smoothing=E2E["smoothing"],
                              seed=E2E["seed"], device=device, amp=amp, progress=False)
    return model, losses


@pytest.fixture
def trained(submission, dates, shared):
    """Trains once per grading run (inside the first test that asks, under its time limit); later tests reuse it."""
    if "e2e_error" in shared:
        raise shared["e2e_error"]
    if "e2e" not in shared:
        try:
            shared["e2e"] = train_translator(submission, dates)
        except BaseException as exc:
            shared["e2e_error"] = exc
            raise
    return shared["e2e"]


def as_tensor(value, what: str) -> torch.Tensor:
    assert isinstance(value, torch.Tensor), f"{what} should be a torch.Tensor; got {type(value).__name__}"
    return value


def markov_table(gen: torch.Generator, K: int, T: int, V: int, sharp: float = 3.0) -> torch.Tensor:
    """A random MarkovModel table (K, T, V, V) of log-probabilities, with PAD and BOS never predicted."""
    logits = sharp * torch.randn(K, T, V, V, generator=gen)
    logits[..., PAD] = -30.0
    logits[..., BOS] = -30.0
    return torch.log_softmax(logits, dim=-1)



def ref_src(ref, dates: Dates, n: int) -> torch.Tensor:
    """The first ``n`` held-out inputs, encoded and padded by the reference."""
    return ref.pad_batch([ref.encode(t, dates.stoi) for t, _ in dates.test[:n]])
