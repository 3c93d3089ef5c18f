"""analyse_plate: curves grouped per target, calls, standard curves and relative quantities on a
plate written here from a formula (logistic curves with known shifts)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actives.assays.qpcr.analysis import QpcrSettings, analyse_plate
from actives.assays.qpcr.plate import Plate, Reaction
from actives.errors import InvalidInputError

CYCLES = np.arange(1, 41, dtype=float)


def curve(c0: float) -> np.ndarray:
    return 150.0 + 4000.0 / (1.0 + np.exp(-(CYCLES - c0) / 1.5))


def reaction(well: str, sample: str, target: str, c0: float | None, kind: str = "unkn") -> Reaction:
    values = np.full(CYCLES.size, 150.0) if c0 is None else curve(c0)
    return Reaction(well, sample, kind, target, values)


def expression_plate() -> Plate:
    """Control and Treated, two reference genes and COL1A1 (4-fold up: 2 cycles earlier)."""
    c0 = {
        ("Control", "GAPDH"): 18.0,
        ("Treated", "GAPDH"): 17.5,
        ("Control", "ACTB"): 16.0,
        ("Treated", "ACTB"): 16.5,
        ("Control", "COL1A1"): 25.0,
        ("Treated", "COL1A1"): 23.0,
    }
    reactions = []
    for n, ((sample, target), centre) in enumerate(sorted(c0.items())):
        for rep in range(3):
            well = f"{'ABCDEFGH'[n]}{rep + 1}"
            reactions.append(reaction(well, sample, target, centre + 0.03 * rep))
    reactions.append(reaction("H12", "NTC", "COL1A1", None, "ntc"))
    return Plate("expression", CYCLES, reactions)


def test_ddcq_with_two_reference_genes() -> None:
    settings = QpcrSettings(
        reference_genes=("GAPDH", "ACTB"), calibrator="Control", efficiency="ideal"
    )
    analysis = analyse_plate(expression_plate(), settings)
    assert analysis.summary == {"positive": 18, "negative": 1, "inconclusive": 0}
    found = {(r.sample, r.target): r for r in analysis.relative}
    # the reference shifts (+0.5 and -0.5 cycles) cancel in the geometric mean: RQ = 2 ** 2
    assert found[("Treated", "COL1A1")].rq == pytest.approx(4.0, rel=0.02)
    assert found[("Control", "COL1A1")].rq == pytest.approx(1.0, rel=1e-6)
    low, high = found[("Treated", "COL1A1")].ci95  # type: ignore[misc]
    assert low < 4.0 < high
    stored = analysis.as_dict()["relative"]
    assert {r["target"] for r in stored} == {"COL1A1"}


def test_thresholds_are_per_target_and_settings_round_trip() -> None:
    analysis = analyse_plate(expression_plate(), QpcrSettings(thresholds={"GAPDH": 100.0}))
    assert analysis.thresholds["GAPDH"] == pytest.approx(100.0)
    assert set(analysis.thresholds) == {"GAPDH", "ACTB", "COL1A1"}
    settings = QpcrSettings(reference_genes=("GAPDH",), calibrator="Control", cq_method="sdm")
    assert QpcrSettings.from_mapping(settings.as_dict()) == settings
    sdm = analyse_plate(expression_plate(), QpcrSettings(cq_method="sdm"))
    # the continuous SDM of a logistic is c0 − s·ln(2 + √3) = 16 − 1.98; sampled once per cycle
    # and Savitzky-Golay smoothed, a curve this steep (s = 1.5) peaks up to 0.4 cycles earlier
    a1 = next(w for w in sdm.wells if w.reaction.well == "A1")
    continuous = 16.0 - 1.5 * math.log(2 + math.sqrt(3))
    assert continuous - 0.4 <= a1.call_cq <= continuous + 0.1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"cq_method": "max"}, "Cq method 'max' is not known"),
        ({"reference_genes": ["GAPDH"]}, "without a calibrator sample"),
        ({"efficiency": "fast"}, "Efficiency source 'fast'"),
        ({"baseline_cycles": [10, 3]}, "Baseline cycles 10–3"),
        ({"thresholds": {"GAPDH": -1}}, "Threshold of 'GAPDH' is -1"),
        ({"colour": "red"}, "Unknown qPCR setting(s) colour"),
    ],
)
def test_bad_settings_say_what_was_expected(values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        QpcrSettings.from_mapping(values)
    assert message in error.value.message


def test_an_empty_plate_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="has no reactions"):
        analyse_plate(Plate("empty", CYCLES, []))


def test_controls_and_excluded_wells_do_not_move_the_threshold() -> None:
    plate = expression_plate()
    alone = analyse_plate(plate, QpcrSettings(use_quality_model=False)).thresholds
    odd = [
        reaction("H1", "calibrator dye", "GAPDH", 9.0, "opt"),
        Reaction("H2", "Control", "unkn", "GAPDH", curve(30.0) * 3, excluded="bubble"),
        reaction("H3", "NTC", "GAPDH", 33.0, "ntc"),
    ]
    crowded = Plate("expression", CYCLES, [*plate.reactions, *odd])
    analysis = analyse_plate(crowded, QpcrSettings(use_quality_model=False))
    assert analysis.thresholds == pytest.approx(alone)
    by_well = {w.reaction.well: w for w in analysis.wells}
    assert by_well["H3"].call.call == "positive"  # read at the samples' threshold, then flagged
    assert "NTC contamination" in by_well["H3"].call.reason
    assert by_well["H2"].call.reason == "excluded in the file: bubble"
