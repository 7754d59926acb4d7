"""A fixed calibration workload, so that grading budgets hold on fast and slow machines alike.

Machines of one kind differ up to 2x in speed, and load from other processes slows everything further, so
an absolute wall time cannot decide whether a suite is too slow. ``validate`` instead times this probe next
to each grading and compares the two as a ratio: a machine twice as slow doubles both, a suite that really
got twice as slow doubles only the grading. The probe does what grading does, in the same proportions: it
starts Python, imports the numeric libraries, runs interpreted Python, and multiplies matrices on two threads.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

PROBE = r"""
import os, time
import numpy as np
try:
    import torch
    torch.set_num_threads(2)
except ImportError:
    torch = None
total = 0
for i in range(1_500_000):
    total += (i * i) % 7
rng = np.random.default_rng(0)
a = rng.standard_normal((400, 400))
for _ in range(25):
    a = np.tanh(a @ a.T / 400.0)
if torch is not None:
    x = torch.randn(256, 256, generator=torch.Generator().manual_seed(0))
    for _ in range(60):
        x = torch.tanh(x @ x.T / 256.0)
"""


def probe_once() -> float:
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", PROBE], check=True, env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def probe(repeats: int = 1) -> float:
    """Seconds the calibration workload takes here and now (the median of ``repeats`` runs)."""
    return statistics.median(probe_once() for _ in range(repeats))
