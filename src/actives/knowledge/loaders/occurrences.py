"""Organism -> compound occurrences: the staged Wikidata export and the official LOTUS dump."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from actives.errors import InvalidFileError
from actives.knowledge.loaders import OCCURRENCE_COLUMNS, clean, require_columns


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, EOFError) as exc:
        raise InvalidFileError(f"{what} {path.name} cannot be read as CSV: {exc}") from exc


def _genus(name: str) -> str:
    first = name.split(" ", 1)[0]
    return first if first[:1].isupper() else ""


def load_wikidata_occurrences(path: Path) -> pd.DataFrame:
    """The Wikidata plant-family export (family, organism_qid, organism_name, inchikey, smiles...).

    Rows without a structure or organism are dropped; the caller records how many.
    """
    frame = _read_csv(path, "Wikidata occurrences")
    require_columns(
        frame,
        ["family", "organism_qid", "organism_name", "inchikey", "smiles", "ref_doi"],
        f"Wikidata occurrences {path.name}",
    )
    out = pd.DataFrame(
        {
            "organism_id": frame["organism_qid"].map(clean),
            "organism_name": frame["organism_name"].map(clean),
            "family": frame["family"].map(clean),
            "genus": frame["organism_name"].map(lambda n: _genus(clean(n))),
            "kingdom": "Plantae",
            "ipni_id": frame.get("ipni_id", pd.Series("", index=frame.index)).map(clean),
            "source_inchikey": frame["inchikey"].map(clean),
            "smiles": frame["smiles"].map(clean),
            "compound_name": frame.get("compound_label", pd.Series("", index=frame.index)).map(
                clean
            ),
            "doi": frame["ref_doi"].map(clean),
            "cas": frame.get("cas", pd.Series("", index=frame.index)).map(clean),
            "chembl_id": frame.get("chembl_id", pd.Series("", index=frame.index)).map(clean),
            "structure_id": frame.get("structure_qid", pd.Series("", index=frame.index)).map(clean),
        },
        columns=OCCURRENCE_COLUMNS,
    )
    return out[(out.organism_id != "") & (out.smiles != "")].reset_index(drop=True)


LOTUS_COLUMNS = {
    "structure_wikidata": "structure_id",
    "structure_inchikey": "source_inchikey",
    "structure_nameTraditional": "compound_name",
    "organism_wikidata": "organism_id",
    "organism_name": "organism_name",
    "organism_taxonomy_06family": "family",
    "organism_taxonomy_08genus": "genus",
    "organism_taxonomy_02kingdom": "kingdom",
    "reference_doi": "doi",
}


def load_lotus_metadata(path: Path, plants_only: bool = True) -> pd.DataFrame:
    """The official LOTUS frozen metadata dump (``*_frozen_metadata.csv[.gz]`` from Zenodo).

    Uses ``structure_smiles_2D`` (or ``structure_smiles``); keeps green plants
    (kingdom Archaeplastida) unless ``plants_only`` is False.
    """
    frame = _read_csv(path, "LOTUS metadata")
    smiles_column = next(
        (c for c in ("structure_smiles_2D", "structure_smiles") if c in frame.columns), None
    )
    if smiles_column is None:
        raise InvalidFileError(
            f"LOTUS metadata {path.name}: no structure_smiles_2D or structure_smiles column."
        )
    require_columns(frame, LOTUS_COLUMNS, f"LOTUS metadata {path.name}")
    out = frame.rename(columns=LOTUS_COLUMNS)
    out["smiles"] = frame[smiles_column]
    out["ipni_id"] = ""
    out["cas"] = ""
    out["chembl_id"] = ""
    out["organism_id"] = out["organism_id"].map(lambda v: clean(v).rsplit("/", 1)[-1])
    out["structure_id"] = out["structure_id"].map(lambda v: clean(v).rsplit("/", 1)[-1])
    out = out[OCCURRENCE_COLUMNS].map(clean)
    if plants_only:
        out = out[out.kingdom.isin(["Archaeplastida", "Plantae", "Viridiplantae"])]
    return out[(out.organism_id != "") & (out.smiles != "")].reset_index(drop=True)
