"""LinRegPCR through rdmlpython: synthetic curves with a known shape, and a real run."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.assays.qpcr.linregpcr import COLUMNS, linregpcr_results
from actives.config import get_settings
from actives.errors import InvalidFileError, InvalidInputError, NotFoundError

DATA = Path(__file__).parents[3] / "data" / "assays" / "qpcr"


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return linregpcr_results(DATA / "synthetic.rdml")


def test_one_row_per_well_with_the_agreed_columns(synthetic: pd.DataFrame) -> None:
    assert tuple(synthetic.columns) == COLUMNS
    assert list(synthetic["well"]) == ["A1", "A2", "B1", "B3"]
    assert list(synthetic["sample_type"]) == ["std", "std", "unkn", "ntc"]
    assert synthetic.attrs["run"] == "run1"


def test_efficiency_is_below_the_pure_exponential_bound(synthetic: pd.DataFrame) -> None:
    # The fixtures' curves are 100 + 5000 / (1 + exp(-(c - c0) / 1.5)): early on they grow by
    # exp(1 / 1.5) = 1.948 per cycle, and a little less in LinRegPCR's window.
    bound = math.exp(1 / 1.5)
    amplified = synthetic[synthetic["amplification"]]
    assert set(amplified["well"]) == {"A1", "A2", "B1"}
    assert ((amplified["indiv_pcr_eff"] > 1.8) & (amplified["indiv_pcr_eff"] < bound)).all()
    assert (amplified["r2"] > 0.999).all()


def test_cq_shifts_with_the_curve_midpoint(synthetic: pd.DataFrame) -> None:
    cq = synthetic.set_index("well")["cq"]
    # Same shape, same threshold: moving c0 by 3 (A1 -> A2) and 1 (A1 -> B1) moves Cq as much.
    assert cq["A2"] - cq["A1"] == pytest.approx(3.0, abs=0.01)
    assert cq["B1"] - cq["A1"] == pytest.approx(1.0, abs=0.01)
    # N0 = threshold / eff**Cq, so a 3-cycle shift divides N0 by eff**3.
    n0 = synthetic.set_index("well")["n0"]
    eff = synthetic["mean_pcr_eff"].iloc[0]
    assert n0["A1"] / n0["A2"] == pytest.approx(eff**3, rel=1e-3)


def test_flat_ntc_has_no_cq(synthetic: pd.DataFrame) -> None:
    ntc = synthetic.set_index("well").loc["B3"]
    assert not ntc["amplification"]
    assert math.isnan(ntc["cq"])


def test_excluded_well_keeps_its_note(synthetic: pd.DataFrame) -> None:
    assert "pipetting error" in synthetic.set_index("well").loc["B1", "excluded"]


def test_errors() -> None:
    with pytest.raises(InvalidFileError, match="not an RDML file"):
        linregpcr_results(DATA / "table_wide.csv")
    with pytest.raises(NotFoundError, match="no run 'nope'"):
        linregpcr_results(DATA / "synthetic.rdml", run="nope")
    with pytest.raises(InvalidInputError, match="expected outlier, mean or include"):
        linregpcr_results(DATA / "synthetic.rdml", exclude_efficiency="all")


def test_real_run_agrees_with_rdml_tools_results() -> None:
    root = get_settings().raw_data / "qpcr-rdmlpython" / "untergasser"
    rdml_path, results_path = root / "own_mix_a.rdml", root / "own_mix_a_results.tsv"
    if not rdml_path.is_file() or not results_path.is_file():
        pytest.skip(f"{rdml_path} or its results table is missing")
    ours = linregpcr_results(rdml_path)
    reference = pd.read_csv(results_path, sep="\t")
    both = ours.merge(reference, on=["well", "target"], suffixes=("", "_ref"))
    assert len(both) == len(ours) == len(reference)
    assert (both["amplification"] == both["amplification_ref"]).all()
    # The published table comes from a newer rdmlpython (3.x); individual efficiencies agree
    # closely but not exactly (its window-of-linearity rules changed).
    difference = (both["indiv_pcr_eff"] - both["indiv PCR eff"]).abs()
    assert np.median(difference) < 0.03
