"""Raw training data of the shipped endpoints: which files, how they are read, how curated.

Each reader turns one raw file into the columns :func:`~actives.predict.curation.curate` expects,
handling that file's caveats (see ``shared/data/SOURCES-chem.md``) explicitly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from actives.errors import InvalidFileError
from actives.predict.curation import CuratedSet, CurationOptions, curate
from actives.predict.registry import get_endpoint

# COX-2 file has no relation column; round values at these concentrations (nM) are the usual
# "inactive at the highest tested concentration" entries, so they are read as censored (>).
COX2_SUSPECT_CENSORED_NM = (10_000.0, 20_000.0, 50_000.0, 100_000.0, 1_000_000.0)
LOG10_SECONDS_PER_HOUR = math.log10(3600.0)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InvalidFileError(f"Cannot read {path}: {exc}") from exc


def _require(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidFileError(f"{path.name}: missing column(s) {', '.join(missing)}.")


def read_cox2(path: Path) -> pd.DataFrame:
    """ChEMBL COX-2 export (Molecule ChEMBL ID, Smiles, Standard Type/Value/Units)."""
    frame = _read_csv(path)
    _require(frame, ["Molecule ChEMBL ID", "Smiles", "Standard Type", "Standard Value",
                     "Standard Units"], path)  # fmt: skip
    frame = frame[frame["Standard Type"] == "IC50"]
    values = pd.to_numeric(frame["Standard Value"], errors="coerce")
    suspect = (frame["Standard Units"] == "nM") & values.isin(COX2_SUSPECT_CENSORED_NM)
    return pd.DataFrame(
        {
            "smiles": frame["Smiles"],
            "value": frame["Standard Value"],
            "units": frame["Standard Units"].replace("", "unknown"),
            "relation": suspect.map({True: ">", False: "="}),
            "assay_description": "IC50",
            "source_id": frame["Molecule ChEMBL ID"],
        }
    )


def read_chembl_activities(path: Path) -> pd.DataFrame:
    """A full ChEMBL activity export (canonical_smiles, standard_* columns, assay fields)."""
    frame = _read_csv(path)
    needed = ["canonical_smiles", "standard_type", "standard_value", "standard_units",
              "standard_relation", "assay_description", "molecule_chembl_id"]  # fmt: skip
    _require(frame, needed, path)
    frame = frame[frame["standard_type"].isin(["IC50", "EC50"])]
    text = frame["assay_description"]
    if "bao_label" in frame.columns:
        text = frame["bao_label"] + " | " + text
    if "data_validity_comment" in frame.columns:
        flagged = frame["data_validity_comment"] != ""
        text = text.where(~flagged, text + " | VALIDITY: " + frame["data_validity_comment"])
    return pd.DataFrame(
        {
            "smiles": frame["canonical_smiles"],
            "value": frame["standard_value"],
            "units": frame["standard_units"].replace("", "unknown"),
            "relation": frame["standard_relation"],
            "assay_description": text,
            "source_id": frame["molecule_chembl_id"],
        }
    )


def read_dpph30(path: Path) -> pd.DataFrame:
    """The curated DPPH 30-min set: −log IC50 (M) per compound, with DOI and assay text."""
    frame = _read_csv(path)
    frame.columns = [c.strip() for c in frame.columns]
    _require(frame, ["Canonical SMILES", "minusLogIC50 (M)", "Assay Description", "DOI"], path)
    return pd.DataFrame(
        {
            "smiles": frame["Canonical SMILES"],
            "value": frame["minusLogIC50 (M)"],
            "assay_description": frame["Assay Description"],
            "source_id": frame["DOI"],
        }
    )


def read_skin_permeability(folder: Path) -> pd.DataFrame:
    """HuskinDB (log Kp in cm/s) and Cheruvu 2022 (log Kp in cm/h, converted to cm/s)."""
    parts = []
    huskin = folder / "huskinDB.csv"
    if huskin.is_file():
        frame = _read_csv(huskin)
        _require(frame, ["Smiles", "logkp (cm/s)", "DOI"], huskin)
        parts.append(pd.DataFrame({"smiles": frame["Smiles"], "value": frame["logkp (cm/s)"],
                                   "source_id": "HuskinDB " + frame["DOI"]}))  # fmt: skip
    cheruvu = folder / "data-original.csv"
    if cheruvu.is_file():
        frame = _read_csv(cheruvu)
        _require(frame, ["SMILES", "logkpl", "Reference"], cheruvu)
        per_hour = pd.to_numeric(frame["logkpl"], errors="coerce")
        parts.append(pd.DataFrame({"smiles": frame["SMILES"],
                                   "value": per_hour - LOG10_SECONDS_PER_HOUR,
                                   "source_id": "Cheruvu 2022 " + frame["Reference"]}))  # fmt: skip
    if not parts:
        raise InvalidFileError(f"No huskinDB.csv or data-original.csv in {folder}.")
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class EndpointData:
    """Where an endpoint's raw data lives, how to read it and how to curate it."""

    endpoint_id: str
    path: str
    reader: Callable[[Path], pd.DataFrame]
    options: CurationOptions


ENDPOINT_DATA = {
    "cox2": EndpointData(
        "cox2", "chembl-cox2/CHEMBL230_RAW_DATA.csv", read_cox2, CurationOptions()
    ),  # fmt: skip
    "mmp1": EndpointData(
        "mmp1",
        "chembl-mmp1/MMP1_bioactivity_raw_data.csv",
        read_chembl_activities,
        CurationOptions(assay_include="single protein format", assay_exclude="VALIDITY:"),
    ),
    "dpph": EndpointData(
        "dpph",
        "dpph30-antioxidant/DPPH_30min_Dataset.csv",
        read_dpph30,
        # IC50 above 10 mM (p < 2) look like unit errors in this set (SOURCES-chem.md)
        CurationOptions(value_is_p=True, valid_range=(2.0, 12.0)),
    ),
    "skin_logkp": EndpointData(
        "skin_logkp",
        "skin-permeability",
        read_skin_permeability,
        CurationOptions(value_is_p=True, valid_range=(-12.0, 0.0)),
    ),
}


def endpoint_source_files(endpoint_id: str, raw_root: Path) -> list[dict[str, Any]]:
    """The raw files of an endpoint with size and SHA-256 (model cards and the data pack)."""
    from actives.knowledge.build import sha256_of

    path = raw_root / ENDPOINT_DATA[endpoint_id].path
    paths = sorted(p for p in path.iterdir() if p.suffix == ".csv") if path.is_dir() else [path]
    return [
        {"path": str(p.relative_to(raw_root)), "bytes": p.stat().st_size, "sha256": sha256_of(p)}
        for p in paths
    ]


def curate_endpoint(endpoint_id: str, raw_root: Path) -> CuratedSet:
    """Read and curate the raw training data of a shipped endpoint."""
    get_endpoint(endpoint_id)
    spec = ENDPOINT_DATA[endpoint_id]
    path = raw_root / spec.path
    if not path.exists():
        raise InvalidFileError(f"Training data for {endpoint_id} not found at {path}.")
    return curate(spec.reader(path), spec.options)
