"""Release-time data for 06_char_rnn.

Writes ``data/lee_background.cor``: the Lee background corpus (300 ABC news articles, one per line;
360,082 characters, 81 distinct symbols) as shipped inside the ``gensim`` package
(``gensim/test/test_data/lee_background.cor``), copied byte for byte, so it needs no network.

Run by hand with ``python assignments/06_char_rnn/make_data.py DEST``.
"""
from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

RELATIVE_PATH = Path("data") / "lee_background.cor"
SHA256 = "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb"


def source_path() -> Path:
    """The copy inside the installed gensim package (an instructor-side dependency only)."""
    import importlib.util

    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("gensim is not installed: it ships lee_background.cor (pip install gensim)")
    return Path(list(spec.submodule_search_locations)[0]) / "test" / "test_data" / "lee_background.cor"


def build(dest: Path) -> None:
    """Write ``dest/data/lee_background.cor``."""
    source = source_path()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != SHA256:
        raise RuntimeError(f"{source} is not the expected lee_background.cor (sha256 {digest}); "
                           "was gensim's copy of the corpus changed?")
    target = Path(dest) / RELATIVE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python make_data.py DEST")
    build(Path(sys.argv[1]))
    print(f"wrote {Path(sys.argv[1]) / RELATIVE_PATH}")
