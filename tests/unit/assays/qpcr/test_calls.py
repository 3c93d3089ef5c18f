"""Well calls: each rule fires on a designed plate and says why."""

from __future__ import annotations

import pytest

from actives.assays.qpcr.calls import (
    CallSettings,
    WellEvidence,
    call_wells,
    summarise_calls,
)
from actives.errors import InvalidInputError


def well(
    name: str,
    cq: float | None = 24.0,
    *,
    sample: str = "S1",
    sample_type: str = "unkn",
    target: str = "GAPDH",
    amplitude: float = 1000.0,
    quality: float | None = 0.98,
    efficiency: float | None = 1.92,
    excluded: str = "",
) -> WellEvidence:
    return WellEvidence(
        well=name,
        sample=sample,
        sample_type=sample_type,
        target=target,
        amplified=cq is not None,
        cq=cq,
        amplitude=amplitude if cq is not None else 5.0,
        efficiency=efficiency if cq is not None else None,
        quality=quality,
        excluded=excluded,
    )


def by_well(calls):  # type: ignore[no-untyped-def]
    return {c.well: c for c in calls}


def test_clean_positive_and_flat_negative() -> None:
    calls = by_well(
        call_wells([well("A1", 22.1, sample="S1"), well("A2", None, sample="S2", quality=0.02)])
    )
    assert calls["A1"].call == "positive"
    assert "Cq 22.10" in calls["A1"].reason
    assert calls["A2"].call == "negative"
    assert calls["A2"].reason.startswith("no amplification")


def test_late_cq_follows_the_assay_setting() -> None:
    late = [well("A1", 37.4)]
    assert call_wells(late)[0].call == "negative"
    assert "late Cq 37.40 beyond the cut-off 35" in call_wells(late)[0].reason
    lenient = CallSettings(cq_cutoff=40)
    assert call_wells(late, lenient)[0].call == "positive"
    strict = CallSettings(late_cq_call="inconclusive")
    assert call_wells(late, strict)[0].call == "inconclusive"


def test_non_sigmoid_and_uncertain_shapes_are_inconclusive() -> None:
    calls = by_well(
        call_wells(
            [
                well("A1", 25.0, sample="S1", quality=0.1),
                well("A2", 25.0, sample="S2", quality=0.5),
                well("A3", None, sample="S3", quality=0.95),
            ]
        )
    )
    assert calls["A1"].call == "inconclusive" and "non-sigmoid" in calls["A1"].reason
    assert calls["A2"].call == "inconclusive" and "uncertain" in calls["A2"].reason
    assert calls["A3"].call == "inconclusive" and "no exponential phase" in calls["A3"].reason


def test_low_plateau_against_the_targets_median() -> None:
    wells = [well(f"A{i}", 22.0 + i, sample=f"S{i}") for i in range(1, 6)]
    wells.append(well("B1", 30.0, sample="S9", amplitude=100.0))
    calls = by_well(call_wells(wells))
    assert calls["B1"].call == "inconclusive"
    assert "low plateau: 10%" in calls["B1"].reason


def test_ntc_contamination_marks_the_control_and_nearby_samples() -> None:
    wells = [
        well("A1", 20.0, sample="S1"),
        well("A2", 31.0, sample="S2"),
        well("H12", 33.0, sample="NTC", sample_type="ntc"),
        well("H11", 25.0, sample="other", target="ACTB"),
    ]
    calls = by_well(call_wells(wells))
    assert calls["H12"].call == "positive"
    assert "NTC contamination: amplified at Cq 33.00" in calls["H12"].reason
    assert calls["A2"].call == "inconclusive"
    assert "within 5 cycles" in calls["A2"].reason
    assert calls["A1"].call == "positive"
    assert any("NTC (H12) amplified" in w for w in calls["A1"].warnings)
    assert calls["H11"].call == "positive" and not calls["H11"].warnings


def test_replicates_that_disagree_or_spread() -> None:
    wells = [
        well("A1", 24.0, sample="S1"),
        well("A2", 24.1, sample="S1"),
        well("A3", None, sample="S1", quality=0.01),
        well("D1", 24.0, sample="S4"),
        well("D2", None, sample="S4", quality=0.01),
        well("B1", 24.0, sample="S2"),
        well("B2", 25.5, sample="S2"),
        well("C1", 24.0, sample="S3"),
        well("C2", 24.2, sample="S3"),
    ]
    calls = by_well(call_wells(wells))
    # a clear majority (2 of 3 positive): only the dissenting well is inconclusive
    assert calls["A1"].call == calls["A2"].call == "positive"
    assert calls["A3"].call == "inconclusive"
    assert "disagrees with its replicates: 2 of 3 wells of S1 / GAPDH" in calls["A3"].reason
    # an even split: the whole group is inconclusive
    assert calls["D1"].call == calls["D2"].call == "inconclusive"
    assert "replicates disagree: 1 of 2 wells of S4 / GAPDH" in calls["D1"].reason
    # two replicates 1.5 cycles apart: SD 1.06 > 0.5, both inconclusive
    assert calls["B1"].call == calls["B2"].call == "inconclusive"
    assert "Cq SD 1.06" in calls["B1"].reason
    assert calls["C1"].call == "positive"
    assert summarise_calls(list(calls.values())) == {
        "positive": 4,
        "negative": 0,
        "inconclusive": 5,
    }


def test_many_replicates_mark_only_the_far_wells() -> None:
    cqs = [24.0, 24.1, 23.9, 24.05, 27.0]
    wells = [well(f"A{i}", cq, sample="S1") for i, cq in enumerate(cqs, start=1)]
    calls = by_well(call_wells(wells))
    assert [calls[f"A{i}"].call for i in range(1, 6)] == ["positive"] * 4 + ["inconclusive"]
    assert "Cq 27.00 is 2.95 cycles from the median 24.05" in calls["A5"].reason


def test_excluded_well_and_efficiency_warning() -> None:
    calls = by_well(
        call_wells(
            [
                well("A1", 24.0, sample="S1", excluded="bubble"),
                well("A2", 24.0, sample="S2", efficiency=1.45),
            ]
        )
    )
    assert calls["A1"].call == "inconclusive"
    assert calls["A1"].reason == "excluded in the file: bubble"
    assert calls["A2"].call == "positive"
    assert "efficiency 1.45 outside 1.6–2.1" in calls["A2"].warnings[0]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"cq_cutoff": 0}, "Cq cut-off 0 is out of range"),
        ({"late_cq_call": "maybe"}, "Late-Cq call 'maybe'"),
        ({"quality_negative": 0.9, "quality_positive": 0.5}, "Curve-quality limits"),
        ({"max_replicate_sd": 0}, "Replicate SD limit"),
        ({"efficiency_range": [2.1, 1.6]}, "Efficiency range 2.1–1.6"),
        ({"cutoff": 30}, "Unknown call setting(s) cutoff"),
    ],
)
def test_bad_settings_say_what_was_expected(values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CallSettings.from_mapping(values)


def test_settings_round_trip() -> None:
    settings = CallSettings(cq_cutoff=38, efficiency_range=(1.7, 2.05))
    assert CallSettings.from_mapping(settings.as_dict()) == settings
