"""ddCq with several reference genes, checked against numbers worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from actives.assays.qpcr.relative import relative_quantities, relative_table
from actives.errors import InvalidInputError


def rows(
    data: dict[tuple[str, str], list[float | None]],
    references: tuple[str, ...] = ("ACTB", "GAPDH"),
    calibrator: str = "control",
    efficiency: dict[str, float] | None = None,
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for (sample, target), cqs in data.items():
        for cq in cqs:
            row: dict[str, object] = {
                "sample": sample,
                "target": target,
                "cq": cq,
                "is_reference": target in references,
                "is_calibrator": sample == calibrator,
            }
            if efficiency is not None and target in efficiency:
                row["efficiency"] = efficiency[target]
            out.append(row)
    return out


# Textbook example, single replicates. By hand:
#   control: IL6 25, ACTB 18, GAPDH 20 -> reference mean 19, dCq = 6
#   treated: IL6 22, ACTB 18.5, GAPDH 19.5 -> reference mean 19, dCq = 3
#   ddCq = 3 - 6 = -3 -> fold change 2^3 = 8
TEXTBOOK = {
    ("control", "IL6"): [25.0],
    ("control", "ACTB"): [18.0],
    ("control", "GAPDH"): [20.0],
    ("treated", "IL6"): [22.0],
    ("treated", "ACTB"): [18.5],
    ("treated", "GAPDH"): [19.5],
}


def test_livak_textbook_example() -> None:
    results = {(r.sample, r.target): r for r in relative_quantities(rows(TEXTBOOK))}
    treated = results[("treated", "IL6")]
    assert treated.dcq == pytest.approx(3.0)
    assert treated.ddcq == pytest.approx(-3.0)
    assert treated.rq == pytest.approx(8.0)
    assert treated.method == "livak"
    assert treated.ci95 is None and "single replicates" in treated.notes[-1]
    assert results[("control", "IL6")].rq == pytest.approx(1.0)
    assert ("treated", "ACTB") not in results


def test_pfaffl_with_efficiencies_by_hand() -> None:
    eff = {"IL6": 1.9, "ACTB": 2.0, "GAPDH": 1.8}
    (_, treated) = relative_quantities(rows(TEXTBOOK, efficiency=eff))
    # RQ_IL6 = 1.9^(25-22); NF = sqrt(2^(18-18.5) * 1.8^(20-19.5))
    expected = 1.9**3 / math.sqrt(2.0**-0.5 * 1.8**0.5)
    assert treated.rq == pytest.approx(expected)
    assert treated.method == "pfaffl"


def test_replicates_give_a_confidence_interval_around_the_fold_change() -> None:
    data = {
        ("control", "IL6"): [24.9, 25.0, 25.1],
        ("control", "ACTB"): [17.9, 18.0, 18.1],
        ("control", "GAPDH"): [19.9, 20.0, 20.1],
        ("treated", "IL6"): [21.9, 22.0, 22.1],
        ("treated", "ACTB"): [18.4, 18.5, 18.6],
        ("treated", "GAPDH"): [19.4, 19.5, 19.6],
    }
    results = relative_quantities(rows(data))
    treated = next(r for r in results if r.sample == "treated")
    assert treated.rq == pytest.approx(8.0)
    assert treated.ci95 is not None and treated.ci95[0] < 8.0 < treated.ci95[1]
    # every mean Cq has SE 0.1/sqrt(3); variance of log2 NRQ = 2*se^2 (target, sample and
    # calibrator) + (2*se^2 + 2*se^2)/4 (two references averaged) = 3 * se^2
    se = 0.1 / math.sqrt(3)
    assert treated.se_log2_rq == pytest.approx(math.sqrt(3 * se**2))
    assert treated.n == 3 and treated.sd_cq == pytest.approx(0.1)


def test_undetermined_replicate_is_left_out_with_a_note() -> None:
    data = dict(TEXTBOOK)
    data[("treated", "IL6")] = [22.0, None]
    treated = [r for r in relative_quantities(rows(data)) if r.sample == "treated"][0]
    assert treated.rq == pytest.approx(8.0)
    assert any("without a Cq" in n for n in treated.notes)


def test_missing_reference_gene_raises_or_notes() -> None:
    data = {k: v for k, v in TEXTBOOK.items() if k != ("treated", "GAPDH")}
    with pytest.raises(InvalidInputError, match="Sample treated has no Cq for reference gene"):
        relative_quantities(rows(data))
    noted = relative_quantities(rows(data), on_missing="note")
    treated = next(r for r in noted if r.sample == "treated")
    assert math.isnan(treated.rq) and "GAPDH" in treated.notes[-1]


def test_table_output() -> None:
    table = relative_table(pd.DataFrame(rows(TEXTBOOK)))
    assert list(table["sample"]) == ["control", "treated"]
    assert table.loc[1, "rq"] == pytest.approx(8.0)
    assert {"ci95_low", "ci95_high", "ddcq"} <= set(table.columns)


def test_broken_tables() -> None:
    with pytest.raises(InvalidInputError, match="No reference gene"):
        relative_quantities(rows(TEXTBOOK, references=()))
    with pytest.raises(InvalidInputError, match="No calibrator"):
        relative_quantities(rows(TEXTBOOK, calibrator="none"))
    with pytest.raises(InvalidInputError, match="lacks the column"):
        relative_quantities([{"sample": "a", "target": "b", "cq": 20.0}])
    bad = rows(TEXTBOOK)
    bad[0]["cq"] = "twenty"
    with pytest.raises(InvalidInputError, match="not numbers"):
        relative_quantities(bad)
    bad[0]["cq"] = -3.0
    with pytest.raises(InvalidInputError, match="Negative Cq"):
        relative_quantities(bad)
    with pytest.raises(InvalidInputError, match="amplification factor"):
        relative_quantities(rows(TEXTBOOK, efficiency={"IL6": 95.0}))
    with pytest.raises(InvalidInputError, match="no rows"):
        relative_quantities([])
