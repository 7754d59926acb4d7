"""A fixed calibration workload, so that grading budgets hold on fast and slow machines alike.

Machines of one kind differ up to 2x in speed, and load from other processes slows everything further, so
an absolute wall time cannot decide whether a suite is too slow. ``validate`` instead times this probe next
to each grading and compares the two as a ratio: a machine twice as slow doubles both, a suite that really
got twice as slow doubles only the grading. The probe does what grading does, in the same proportions: it
starts Python, imports the numeric libraries, runs interpreted Python, multiplies matrices and runs a small
training loop of many little autograd ops, on one thread as grading does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

PROBE = r"""
import numpy as np
try:
    import torch
except ImportError:
    torch = None
total = 0
for i in range(1_500_000):
    total += (i * i) % 7
rng = np.random.default_rng(0)
a = rng.standard_normal((400, 400))
for _ in range(100):
    a = np.tanh(a @ a.T / 400.0)
if torch is not None:
    torch.manual_seed(0)
    x = torch.randn(256, 256)
    for _ in range(200):
        x = torch.tanh(x @ x.T / 256.0)
    # many small ops with autograd, the shape of the course's training loops
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.Tanh(), torch.nn.Linear(64, 8))
    inputs, targets = torch.randn(16, 32), torch.randint(0, 8, (16,))
    for _ in range(5000):
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(inputs), targets).backward()
        with torch.no_grad():
            for parameter in model.parameters():
                parameter -= 0.01 * parameter.grad
"""


def probe_once() -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")  # as grading
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", PROBE], check=True, env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


_warmed = False


def probe(repeats: int = 2) -> float:
    """Seconds the calibration workload takes here and now: the fastest of ``repeats`` runs, since noise only
    ever adds time. The first call in a process runs it once more, unmeasured, so that a cold file cache
    (torch's libraries read from disk) is not taken for a slow machine."""
    global _warmed
    if not _warmed:
        probe_once()
        _warmed = True
    return min(probe_once() for _ in range(repeats))
