"""Instructor-only reference code for the 07_transformer_block hidden suite (never published).

The tests reach these functions through the ``ref`` fixture: live in the course repository, replayed from a
recorded snapshot in the published grader. Every argument is the suite's own seeded input, never a value
that came back from a submission, and every answer is plain data. Most oracles of this suite are library
calls (torch, transformers) made in ``tests/conftest.py``; only what no library computes lives here.
"""
from __future__ import annotations

import torch


def sinusoidal_positional_encoding(T: int, d: int) -> torch.Tensor:
    """PE[p, 2i] = sin(p / 10000**(2i/d)), PE[p, 2i+1] = cos(p / 10000**(2i/d)), in float64."""
    position = torch.arange(T, dtype=torch.float64)[:, None]
    angles = position * 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(T, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe

