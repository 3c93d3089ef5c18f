"""Readers for the raw sources, each returning a DataFrame in one of three normalised shapes.

- occurrences: organism_id, organism_name, family, genus, kingdom, ipni_id, source_inchikey,
  smiles, compound_name, doi, cas, chembl_id, structure_id
- structures: source_id, smiles, name
- names: name, kind, lang, cas, ec, source_ref

Each loader validates its columns and raises InvalidFileError naming what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from actives.errors import InvalidFileError

OCCURRENCE_COLUMNS = [
    "organism_id",
    "organism_name",
    "family",
    "genus",
    "kingdom",
    "ipni_id",
    "source_inchikey",
    "smiles",
    "compound_name",
    "doi",
    "cas",
    "chembl_id",
    "structure_id",
]
STRUCTURE_COLUMNS = ["source_id", "smiles", "name"]
NAME_COLUMNS = ["name", "kind", "lang", "cas", "ec", "source_ref"]


def require_columns(frame: pd.DataFrame, needed: Iterable[str], what: str) -> None:
    """Raise InvalidFileError if ``frame`` lacks any of ``needed``."""
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InvalidFileError(
            f"{what}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(map(str, frame.columns))}."
        )


def clean(value: object) -> str:
    """A cell as a stripped string; NaN, None and '-' become ''."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip()
    return "" if text in {"-", "nan", "None", "NULL"} else text
