"""Natural-product structure libraries: the LOTUS library CSV, ZINC .smi files, SMILES lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from actives.errors import InvalidFileError
from actives.knowledge.loaders import STRUCTURE_COLUMNS, clean


def load_smiles_file(path: Path, default_prefix: str = "") -> pd.DataFrame:
    """A .smi file: ``SMILES<whitespace>ID [name...]`` per line; blank and # lines are skipped."""
    rows = []
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                parts = line.strip().split(None, 2)
                if not parts or parts[0].startswith("#"):
                    continue
                source_id = parts[1] if len(parts) > 1 else f"{default_prefix}{number}"
                name = parts[2] if len(parts) > 2 else ""
                rows.append((source_id, parts[0], name))
    except OSError as exc:
        raise InvalidFileError(f"Cannot read SMILES file {path}: {exc.strerror}.") from exc
    return pd.DataFrame(rows, columns=STRUCTURE_COLUMNS)


def load_lotus_library(path: Path) -> pd.DataFrame:
    """The LOTUS natural-product library CSV: column "1" is the LTS id, column "0" the SMILES.

    Its prediction columns (pred_pIC50, IC50) are model outputs, not measurements: not read.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InvalidFileError(f"LOTUS library {path.name} cannot be read: {exc}") from exc
    if not {"0", "1"} <= set(frame.columns):
        raise InvalidFileError(
            f"LOTUS library {path.name}: expected columns '1' (LOTUS id) and '0' (SMILES)."
        )
    out = pd.DataFrame(
        {"source_id": frame["1"].map(clean), "smiles": frame["0"].map(clean), "name": ""}
    )
    return out[out.smiles != ""].reset_index(drop=True)
