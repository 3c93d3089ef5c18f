"""Measured potencies (IC50s) as a training table: the loop from the laboratory to the models.

A dose-response fit gives an IC50 in the units of the experiment. Models learn −log10 molar
values from structures, so a potency becomes a training row only with a structure, and a mass
concentration (µg/mL) is converted to molar with the structure's molecular weight. Censored
results ("> 100 µM": inactive up to the highest concentration) stay in the table with their
relation; curation treats them as censored, not as values. Rows that cannot train are listed
with the reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from actives.errors import InvalidStructureError

MOLAR_TO_MICROMOLAR = {"pM": 1e-6, "nM": 1e-3, "µM": 1.0, "uM": 1.0, "mM": 1e3, "M": 1e6}
MASS_TO_MICROGRAM_PER_ML = {
    "ng/mL": 1e-3,
    "µg/mL": 1.0,
    "ug/mL": 1.0,
    "mg/mL": 1e3,
    "mg/L": 1.0,
    "g/L": 1e3,
    "ppm": 1.0,
}
TRAINING_COLUMNS = ("smiles", "IC50 (uM)", "relation", "id", "assay", "run", "note")


@dataclass(frozen=True)
class PotencyRecord:
    """One stored potency, as the training table needs it."""

    sample: str
    assay: str
    run: str
    smiles: str
    relation: str
    ic50: float | None
    units: str


def to_micromolar(value: float, units: str, smiles: str = "") -> tuple[float, str]:
    """A concentration in µM; mass units need the structure (molecular weight). Returns the
    value and a note saying how it was converted."""
    unit = units.strip()
    if unit in MOLAR_TO_MICROMOLAR:
        factor = MOLAR_TO_MICROMOLAR[unit]
        return value * factor, "" if factor == 1 else f"{value:g} {unit} = {value * factor:g} µM"
    if unit in MASS_TO_MICROGRAM_PER_ML:
        if not smiles:
            raise InvalidStructureError(
                f"{value:g} {unit} is a mass concentration; converting it to molar needs the "
                "structure's molecular weight, and no structure was given."
            )
        from rdkit.Chem import Descriptors

        from actives.chem import to_mol

        weight = float(Descriptors.MolWt(to_mol(smiles)))  # type: ignore[attr-defined]
        ug_per_ml = value * MASS_TO_MICROGRAM_PER_ML[unit]
        micromolar = ug_per_ml / weight * 1000.0
        return micromolar, f"{value:g} {unit} / MW {weight:.1f} g/mol = {micromolar:.4g} µM"
    raise InvalidStructureError(
        f"Unit {units!r} cannot be converted to molar; expected one of "
        f"{', '.join([*MOLAR_TO_MICROMOLAR, *MASS_TO_MICROGRAM_PER_ML])}."
    )


def training_table(records: Iterable[PotencyRecord]) -> tuple[pd.DataFrame, list[str]]:
    """Rows `actives models train` reads (SMILES, IC50 in µM, relation), and why others are out."""
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    for r in records:
        where = f"{r.run} / {r.sample}"
        if not r.smiles:
            problems.append(f"{where}: no structure linked (an extract or material cannot train)")
            continue
        if r.ic50 is None:
            problems.append(f"{where}: no IC50 (the fit gave none)")
            continue
        try:
            value, note = to_micromolar(r.ic50, r.units, r.smiles)
        except InvalidStructureError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        rows.append(
            {
                "smiles": r.smiles,
                "IC50 (uM)": value,
                "relation": r.relation or "=",
                "id": r.sample,
                "assay": r.assay,
                "run": r.run,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=list(TRAINING_COLUMNS)), problems
