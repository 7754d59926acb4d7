"""Release-time data for 06_char_rnn.

Writes ``data/lee_background.cor``: the Lee background corpus (300 ABC news articles, one per line;
360,082 characters, 81 distinct symbols) as shipped inside the ``gensim`` package
(``gensim/test/test_data/lee_background.cor``), copied byte for byte, so it needs no network.

Run by hand with ``python assignments/06_char_rnn/make_data.py DEST``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from autograder.release import copy_package_data

RELATIVE_PATH = Path("data") / "lee_background.cor"
SHA256 = "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb"


def build(dest: Path) -> None:
    """Write ``dest/data/lee_background.cor`` from the installed gensim package."""
    copy_package_data("gensim", "test/test_data/lee_background.cor", Path(dest) / RELATIVE_PATH, SHA256)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
