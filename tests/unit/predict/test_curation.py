"""Curation: units, censoring, assay filters, mixtures, salts, replicates, counts."""

import math

import pandas as pd
import pytest

from actives.errors import InvalidInputError, NotFoundError
from actives.predict import endpoints, get_endpoint
from actives.predict.curation import CurationOptions, curate, normalize_relation, to_p_molar

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


@pytest.mark.parametrize(
    ("value", "units", "expected"),
    [(1000, "nM", 6.0), (1, "uM", 6.0), (1, "µM", 6.0), (10, "mM", 2.0), (1e-7, "M", 7.0),
     (500, "pM", 9.30103)],
)  # fmt: skip
def test_units_to_p_molar(value: float, units: str, expected: float) -> None:
    assert to_p_molar(value, units) == pytest.approx(expected, abs=1e-5)


def test_mass_units_need_the_molecular_weight() -> None:
    # 180.159 ug/mL of aspirin (MW 180.159) is 1 mM
    assert to_p_molar(180.159, "ug/mL", 180.159) == pytest.approx(3.0)
    with pytest.raises(InvalidInputError, match="molecular weight"):
        to_p_molar(1, "ug/mL")


@pytest.mark.parametrize(("value", "units"), [(0, "nM"), (-5, "nM"), (math.nan, "nM"), (1, "%")])
def test_bad_concentrations(value: float, units: str) -> None:
    with pytest.raises(InvalidInputError):
        to_p_molar(value, units)


def test_relations() -> None:
    assert [normalize_relation(r) for r in ["=", "'>'", ">=", "<", "~", None, ""]] == [
        "=", ">", ">", "<", "=", "=", "="]  # fmt: skip


def test_curation_end_to_end_with_counts() -> None:
    raw = pd.DataFrame(
        [
            # aspirin measured twice plus as its sodium salt: one compound, median of three
            {"smiles": ASPIRIN, "value": 1000, "units": "nM", "assay_description": "COX-2 enzyme"},
            {"smiles": ASPIRIN, "value": 100, "units": "nM", "assay_description": "COX-2 enzyme"},
            {"smiles": "CC(=O)Oc1ccccc1C(=O)[O-].[Na+]", "value": 10, "units": "nM",
             "assay_description": "COX-2 enzyme"},
            # censored only: "> 10 uM" is "< 5" in pIC50
            {"smiles": "c1ccccc1O", "value": 10, "units": "uM", "relation": ">",
             "assay_description": "COX-2 enzyme"},
            # excluded by the assay filter
            {"smiles": "CCO", "value": 5, "units": "nM", "assay_description": "COX-1 whole blood"},
            # mass units, converted with the molecular weight
            {"smiles": "OC(=O)c1ccccc1O", "value": 138.121, "units": "ug/mL",
             "assay_description": "COX-2 enzyme"},
            # rejected rows
            {"smiles": "CCN.c1ccccc1C(=O)O", "value": 5, "units": "nM",
             "assay_description": "COX-2 enzyme"},
            {"smiles": "[Na+].[Cl-]", "value": 5, "units": "nM", "assay_description": "COX-2"},
            {"smiles": "C1CC", "value": 5, "units": "nM", "assay_description": "COX-2 enzyme"},
            {"smiles": ASPIRIN, "value": 5, "units": "furlongs", "assay_description": "COX-2"},
            {"smiles": ASPIRIN, "value": "n.d.", "units": "nM", "assay_description": "COX-2"},
        ]
    )  # fmt: skip
    result = curate(raw, CurationOptions(assay_include="COX-2"))
    data = result.data.set_index("smiles")
    assert data.loc[ASPIRIN, "value"] == pytest.approx(7.0)  # median of 6, 7, 8
    assert data.loc[ASPIRIN, "n"] == 3 and data.loc[ASPIRIN, "range"] == pytest.approx(2.0)
    assert data.loc["Oc1ccccc1", "relation"] == "<" and data.loc["Oc1ccccc1", "value"] == 5.0
    assert data.loc["O=C(O)c1ccccc1O", "value"] == pytest.approx(3.0, abs=1e-4)
    assert "CCO" not in data.index
    reasons = " | ".join(result.rejected.reason)
    for expected in ["mixture", "no organic parent", "unclosed ring", "cannot convert furlongs",
                     "no structure or no numeric value", "assay description"]:  # fmt: skip
        assert expected in reasons
    counts = [(s.name, s.rows_in, s.rows_out) for s in result.steps]
    assert counts[0] == ("input rows", 11, 11)
    assert counts[1] == ("have a structure and a numeric value", 11, 10)
    assert counts[-1] == ("aggregated to one row per InChIKey", 5, 3)


def test_replicate_disagreement_filter() -> None:
    raw = pd.DataFrame({"smiles": [ASPIRIN, ASPIRIN], "value": [10, 100000]})
    assert len(curate(raw).data) == 1
    assert len(curate(raw, CurationOptions(max_replicate_range=2.0)).data) == 0


def test_values_already_logarithmic() -> None:
    raw = pd.DataFrame({"smiles": ["Cn1cnc2c1c(=O)n(C)c(=O)n2C"], "value": [-7.05]})
    result = curate(raw, CurationOptions(value_is_p=True))
    assert result.data.value.iloc[0] == pytest.approx(-7.05)


def test_missing_columns_are_named() -> None:
    with pytest.raises(InvalidInputError, match="lacks column.*value"):
        curate(pd.DataFrame({"smiles": ["CCO"]}))


def test_endpoint_registry() -> None:
    ids = [e.id for e in endpoints()]
    assert ids == ["cox2", "dpph", "ke_dpra", "ke_hclat", "ke_keratinosens", "mmp1", "skin_logkp",
                   "skin_sens_human", "skin_sens_llna", "skin_sens_potency"]  # fmt: skip
    classifiers = [e.id for e in endpoints() if e.is_classifier]
    assert classifiers[:2] == ["ke_dpra", "ke_hclat"]
    assert get_endpoint("skin_sens_potency").classes == ("NC", "1B", "1A")
    cox2 = get_endpoint("cox2")
    assert cox2.function == "anti_inflammatory" and cox2.is_active(6.5) and not cox2.is_active(5)
    with pytest.raises(NotFoundError, match="Unknown endpoint .tyrosinase.; known: cox2"):
        get_endpoint("tyrosinase")
