"""Readers and curation of the shipped endpoints' raw files, on our fixtures."""

from pathlib import Path

import pytest

from actives.errors import InvalidFileError, NotFoundError
from actives.predict.datasets import curate_endpoint, read_cox2

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


def test_cox2_round_values_are_read_as_censored() -> None:
    raw = read_cox2(RAW / "chembl-cox2" / "CHEMBL230_RAW_DATA.csv")
    assert list(raw.relation) == ["=", "=", ">", "=", "="]  # the % row is not an IC50
    data = curate_endpoint("cox2", RAW).data.set_index("smiles")
    assert data.loc["CC(=O)Oc1ccccc1C(=O)O", "value"] == pytest.approx(6.5)
    assert data.loc["Oc1ccccc1", "relation"] == "<" and data.loc["Oc1ccccc1", "value"] == 4.0
    assert data.loc["O=C(O)c1ccccc1O", "value"] == pytest.approx(4.0, abs=1e-4)  # ug/mL


def test_mmp1_keeps_single_protein_assays_without_validity_flags() -> None:
    result = curate_endpoint("mmp1", RAW)
    assert set(result.data.smiles) == {"O=C(CCc1ccccc1)NO", "O=C(Cc1ccccc1)NO"}
    censored = result.data.set_index("smiles").loc["O=C(Cc1ccccc1)NO"]
    assert censored.relation == ">" and censored.value == pytest.approx(6.69897)
    assert any(s.name == "assay description matches" and s.rows_out == 2 for s in result.steps)


def test_dpph_drops_implausible_values() -> None:
    result = curate_endpoint("dpph", RAW)
    assert len(result.data) == 2
    assert "value outside 2.0..12.0" in set(result.rejected.reason)


def test_skin_permeability_units_are_unified_to_cm_per_s() -> None:
    data = curate_endpoint("skin_logkp", RAW).data.set_index("smiles")
    caffeine = data.loc["Cn1c(=O)c2c(ncn2C)n(C)c1=O"]
    # -7.053 and -6.953 (cm/s) and -3.4436 (cm/h) = -7.0 (cm/s): median -7.0
    assert caffeine.value == pytest.approx(-7.0, abs=1e-3) and caffeine.n == 3


def test_missing_files_and_unknown_endpoints(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match="not found"):
        curate_endpoint("cox2", tmp_path)
    with pytest.raises(NotFoundError, match="Unknown endpoint"):
        curate_endpoint("tyrosinase", RAW)
    bad = tmp_path / "chembl-cox2"
    bad.mkdir()
    (bad / "CHEMBL230_RAW_DATA.csv").write_text("id,smiles\n1,CCO\n")
    with pytest.raises(InvalidFileError, match="missing column"):
        curate_endpoint("cox2", tmp_path)
