"""Release-time data for 09_tiny_translator: dates written out in five languages -> ISO 8601.

Writes ``data/train.tsv`` and ``data/test.tsv`` (one ``text<TAB>iso`` pair a line, UTF-8). The month and
weekday names come from the CLDR data shipped inside the ``babel`` package (``babel.dates.format_date`` in the
locales en, fr, de, es, it with the formats full, long and medium), so nothing needs the network. Every
calendar day from 1950-01-01 to 2049-12-31 is shuffled with a fixed seed; the first ``N_TEST`` days are the
held-out test days (each rendered once, in a random language and format) and never appear in ``train.tsv``
in any language or format; the next ``N_TRAIN`` days are the training days, rendered once each the same way.

Run by hand with ``python assignments/09_tiny_translator/make_data.py DEST``.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

LOCALES = ("en", "fr", "de", "es", "it")
FORMATS = ("full", "long", "medium")
FIRST, LAST = dt.date(1950, 1, 1), dt.date(2049, 12, 31)
N_TEST = 1000
N_TRAIN = 20_000
SEED = 9


def pairs(days: list, rng: random.Random) -> list[tuple[str, str]]:
    from babel.dates import format_date

    out = []
    for day in days:
        text = format_date(day, rng.choice(FORMATS), locale=rng.choice(LOCALES))
        out.append((text, day.isoformat()))
    return out


def build(dest: Path) -> None:
    """Write ``dest/data/train.tsv`` (20,000 training days) and ``dest/data/test.tsv`` (1,000 held-out days)."""
    rng = random.Random(SEED)
    days = [FIRST + dt.timedelta(days=k) for k in range((LAST - FIRST).days + 1)]
    rng.shuffle(days)
    test, train = pairs(days[:N_TEST], rng), pairs(days[N_TEST:N_TEST + N_TRAIN], rng)
    folder = Path(dest) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.tsv", train), ("test.tsv", test)):
        (folder / name).write_text("".join(f"{a}\t{b}\n" for a, b in rows), encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
