"""Curation of measured activities into a training set, with counts at every step.

From raw rows (structure, value, units, relation, assay description, source id) to one row per
compound (InChIKey): units converted to −log10 molar, censored values (>, <) kept explicitly,
assays filtered by description, mixtures and inorganics removed, structures standardised, and
replicates aggregated. Every step records rows in and out for the model card.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from rdkit import Chem

from actives.chem.batch import process_structure
from actives.chem.parse import to_mol
from actives.errors import InvalidInputError

# Molar factor of each concentration unit, by its lower-cased spelling.
MOLAR_UNITS: dict[str, float] = {
    "m": 1.0,
    "mm": 1e-3,
    "um": 1e-6,
    "µm": 1e-6,
    "μm": 1e-6,
    "nm": 1e-9,
    "pm": 1e-12,
}
MASS_UNITS: dict[str, float] = {"ug/ml": 1e-3, "µg/ml": 1e-3, "μg/ml": 1e-3, "mg/ml": 1.0,
                                "ug.ml-1": 1e-3, "mg/l": 1e-3}  # fmt: skip  # g/L per unit

Relation = Literal["=", "<", ">"]
REQUIRED_COLUMNS = ("smiles", "value")


@dataclass(frozen=True)
class CurationStep:
    """One curation step: what it did and how many rows went in and came out."""

    name: str
    rows_in: int
    rows_out: int
    note: str = ""


@dataclass
class CurationOptions:
    """How to curate a set: what counts as the assay, how to aggregate replicates."""

    assay_include: str | None = None
    assay_exclude: str | None = None
    value_is_p: bool = False
    max_replicate_range: float | None = None
    min_heavy_atoms: int = 3
    valid_range: tuple[float, float] | None = None


@dataclass
class CuratedSet:
    """One row per compound with its aggregated value, and the curation log."""

    data: pd.DataFrame
    steps: list[CurationStep] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)

    def counts(self) -> list[dict[str, object]]:
        """The steps as dicts, for the model card."""
        return [s.__dict__ for s in self.steps]


def normalize_relation(text: object) -> Relation:
    """'=', '<', '<=', '>', '>=', '~' and blanks read as one of '=', '<', '>'."""
    value = str(text or "").strip().strip("'\"")
    if value.startswith(">"):
        return ">"
    if value.startswith("<"):
        return "<"
    return "="


def to_p_molar(value: float, units: str, mol_weight: float | None = None) -> float:
    """A concentration as −log10(mol/L); mass units need the molecular weight (g/mol)."""
    if not math.isfinite(value) or value <= 0:
        raise InvalidInputError(f"Concentration {value!r} {units}; expected a positive number.")
    key = units.strip().lower().replace(" ", "")
    if key in MOLAR_UNITS:
        return -math.log10(value * MOLAR_UNITS[key])
    if key in MASS_UNITS:
        if not mol_weight:
            raise InvalidInputError(f"{value} {units} needs the molecular weight to become molar.")
        return -math.log10(value * MASS_UNITS[key] / mol_weight)
    known = ", ".join([*MOLAR_UNITS, *MASS_UNITS])
    raise InvalidInputError(f"Unknown concentration unit {units!r}; expected one of: {known}.")


@lru_cache(maxsize=65536)
def _mol_weight(smiles: str) -> float | None:
    """Average molecular weight (g/mol) of a SMILES, or None if unreadable."""
    from rdkit.Chem import Descriptors

    try:
        return float(Descriptors.MolWt(to_mol(smiles)))  # type: ignore[attr-defined]
    except InvalidInputError:
        return None


def _step(steps: list[CurationStep], name: str, before: int, after: int, note: str = "") -> None:
    steps.append(CurationStep(name, before, after, note))


def curate(raw: pd.DataFrame, options: CurationOptions | None = None) -> CuratedSet:
    """Curate raw activity rows.

    Columns: ``smiles`` and ``value`` are required; ``units`` (default nM), ``relation``
    (default '='), ``assay_description`` and ``source_id`` are optional. With
    ``options.value_is_p`` the values are already −log10 molar (or log Kp) and are not converted.
    """
    options = options or CurationOptions()
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise InvalidInputError(
            f"Activity table lacks column(s) {', '.join(missing)}; expected at least "
            f"{', '.join(REQUIRED_COLUMNS)} (and optionally units, relation, assay_description)."
        )
    steps: list[CurationStep] = []
    rejected: list[pd.DataFrame] = []
    frame = raw.copy()
    frame["row"] = np.arange(len(frame)) + 1
    _step(steps, "input rows", len(frame), len(frame))

    def reject(mask: pd.Series, reason: str | Callable[[pd.DataFrame], pd.Series]) -> None:
        nonlocal frame
        dropped = frame[mask].copy()
        dropped["reason"] = reason(dropped) if callable(reason) else reason
        rejected.append(dropped[["row", "reason"]])
        frame = frame[~mask]

    before = len(frame)
    values = pd.to_numeric(frame["value"], errors="coerce")
    smiles = frame["smiles"].astype(str).str.strip()
    reject(values.isna() | smiles.isin(["", "nan", "None"]), "no structure or no numeric value")
    frame["value"] = pd.to_numeric(frame["value"])
    _step(steps, "have a structure and a numeric value", before, len(frame))

    if "assay_description" in frame.columns and (options.assay_include or options.assay_exclude):
        before = len(frame)
        text = frame["assay_description"].fillna("").astype(str)
        keep = pd.Series(True, index=frame.index)
        if options.assay_include:
            keep &= text.str.contains(options.assay_include, flags=re.IGNORECASE, regex=True)
        if options.assay_exclude:
            keep &= ~text.str.contains(options.assay_exclude, flags=re.IGNORECASE, regex=True)
        reject(~keep, "assay description does not match the endpoint")
        pattern_note = (
            f"include /{options.assay_include or ''}/, exclude /{options.assay_exclude or ''}/"
        )
        _step(steps, "assay description matches", before, len(frame), pattern_note)

    frame["relation"] = (
        frame["relation"].map(normalize_relation) if "relation" in frame.columns else "="
    )
    before = len(frame)
    if options.value_is_p:
        frame["p"] = frame["value"].astype(float)
    else:
        units = frame["units"].fillna("nM").astype(str) if "units" in frame.columns else "nM"
        frame["units"] = units
        converted = []
        for value, unit, smi in zip(frame["value"], frame["units"], frame["smiles"], strict=True):
            try:
                weight = (
                    _mol_weight(str(smi)) if unit.lower().replace(" ", "") in MASS_UNITS else None
                )
                converted.append(to_p_molar(float(value), str(unit), weight))
            except InvalidInputError:
                converted.append(np.nan)
        frame["p"] = converted
        # a "<" on a concentration is a ">" on its negative logarithm
        frame["relation"] = frame["relation"].map({"=": "=", "<": ">", ">": "<"})
        reject(frame["p"].isna(), lambda d: "cannot convert " + d["units"].astype(str))
    _step(steps, "converted to −log10 molar" if not options.value_is_p else "values read",
          before, len(frame))  # fmt: skip

    if options.valid_range is not None:
        low, high = options.valid_range
        before = len(frame)
        reject((frame["p"] < low) | (frame["p"] > high), f"value outside {low}..{high}")
        _step(steps, f"value within the plausible range {low}..{high}", before, len(frame))

    before = len(frame)
    parsed: dict[str, tuple[str, str, str]] = {}
    for text in frame["smiles"].astype(str).unique():
        try:
            mol = to_mol(text)
            organic = [f for f in Chem.GetMolFrags(mol, asMols=True)
                       if any(a.GetAtomicNum() == 6 for a in f.GetAtoms())
                       and f.GetNumHeavyAtoms() >= options.min_heavy_atoms]  # fmt: skip
            if len({Chem.MolToSmiles(f) for f in organic}) > 1:
                parsed[text] = ("", "", "mixture of several organic components")
                continue
            key, parent, _values = process_structure(text, with_descriptors=False)
            parsed[text] = (key, parent, "")
        except InvalidInputError as exc:
            parsed[text] = ("", "", exc.message)
    frame["inchikey"] = frame["smiles"].astype(str).map(lambda s: parsed[s][0])
    frame["parent_smiles"] = frame["smiles"].astype(str).map(lambda s: parsed[s][1])
    frame["problem"] = frame["smiles"].astype(str).map(lambda s: parsed[s][2])
    reject(frame["inchikey"] == "", lambda d: d["problem"])
    _step(steps, "standardised (mixtures, inorganics, unreadable removed)", before, len(frame))

    before = len(frame)
    compounds = _aggregate(frame)
    _step(steps, "aggregated to one row per InChIKey", before, len(compounds),
          "median of exact values; censored-only compounds keep the bound")  # fmt: skip
    if options.max_replicate_range is not None:
        before = len(compounds)
        wide = compounds["range"] > options.max_replicate_range
        compounds = compounds[~wide]
        _step(steps, f"replicates within {options.max_replicate_range} log units", before,
              len(compounds))  # fmt: skip
    rejected_frame = pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame()
    return CuratedSet(compounds.reset_index(drop=True), steps, rejected_frame)


def _aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, group in frame.groupby("inchikey", sort=True):
        exact = group[group["relation"] == "="]["p"]
        if len(exact):
            value, relation = float(exact.median()), "="
            spread = float(exact.max() - exact.min())
        else:  # only bounds: keep the tightest one, marked as censored
            lower = group[group["relation"] == ">"]["p"]
            upper = group[group["relation"] == "<"]["p"]
            if len(lower) and not len(upper):
                value, relation = float(lower.max()), ">"
            elif len(upper) and not len(lower):
                value, relation = float(upper.min()), "<"
            else:
                value, relation = float(group["p"].median()), "~"
            spread = 0.0
        rows.append(
            {
                "inchikey": key,
                "smiles": group["parent_smiles"].iloc[0],
                "value": value,
                "relation": relation,
                "n": len(group),
                "n_exact": int(len(exact)),
                "range": spread,
                "source_ids": ";".join(sorted({str(s) for s in group.get("source_id", [])})),
            }
        )
    return pd.DataFrame(rows)
