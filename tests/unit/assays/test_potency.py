"""Measured potencies to a training table: unit conversion by molecular weight, censoring kept,
untrainable rows listed with their reason."""

from __future__ import annotations

import pytest
from rdkit.Chem import Descriptors

from actives.assays.potency import PotencyRecord, to_micromolar, training_table
from actives.chem import to_mol
from actives.errors import InvalidStructureError
from actives.predict.activity_tables import read_activity_table

KOJIC = "OCC1=CC(=O)C(O)=CO1"


def record(
    sample: str, smiles: str, ic50: float | None, units: str, relation: str = "="
) -> PotencyRecord:
    return PotencyRecord(sample, "mushroom tyrosinase", "run 1", smiles, relation, ic50, units)


def test_molar_units_scale_to_micromolar() -> None:
    assert to_micromolar(250.0, "nM") == (pytest.approx(0.25), "250 nM = 0.25 µM")
    assert to_micromolar(2.0, "mM")[0] == pytest.approx(2000.0)
    assert to_micromolar(7.0, "µM") == (7.0, "")


def test_mass_units_use_the_molecular_weight() -> None:
    weight = Descriptors.MolWt(to_mol(KOJIC))  # 142.11 g/mol
    value, note = to_micromolar(20.0, "µg/mL", KOJIC)
    assert value == pytest.approx(20.0 / weight * 1000.0)
    assert "MW 142.1 g/mol" in note
    with pytest.raises(InvalidStructureError, match="needs the structure's molecular weight"):
        to_micromolar(20.0, "µg/mL")
    with pytest.raises(InvalidStructureError, match="Unit 'OD' cannot be converted"):
        to_micromolar(1.0, "OD", KOJIC)


def test_training_table_keeps_censored_rows_and_lists_the_rest() -> None:
    table, problems = training_table(
        [
            record("kojic acid", KOJIC, 20.0, "µg/mL"),
            record("arbutin", "OCC1OC(Oc2ccc(O)cc2)C(O)C(O)C1O", 500.0, "µM", relation=">"),
            record("green tea extract", "", 35.0, "µg/mL"),
            record("failed fit", KOJIC, None, "µM"),
            record("odd unit", KOJIC, 3.0, "%"),
        ]
    )
    assert list(table["id"]) == ["kojic acid", "arbutin"]
    assert list(table["relation"]) == ["=", ">"]
    assert [p.split(":")[0] for p in problems] == [
        "run 1 / green tea extract",
        "run 1 / failed fit",
        "run 1 / odd unit",
    ]
    assert "no structure linked" in problems[0]
    # the table is what `actives models train` reads: µM from the header, relation kept
    read = read_activity_table(table.to_csv(index=False).encode(), filename="potencies.csv")
    assert read.units == "uM"
    assert list(read.raw["relation"]) == ["=", ">"]
    assert read.raw["value"].iloc[1] == pytest.approx(500.0)
