"""Skin sensitisation QRA: NESIL, SAFs, AEL against CEL, highest acceptable concentration."""

from __future__ import annotations

import json

import pytest

from actives.errors import InvalidInputError
from actives.safety.qra import (
    NESIL,
    SensitisationAssessmentFactors,
    quantitative_risk_assessment,
)


def test_nesil_from_llna_ec3_is_ec3_times_250() -> None:
    nesil = NESIL.from_ec3(2.0, source="LLNA study 2019")
    assert nesil.value_ug_cm2 == pytest.approx(500.0)
    assert "x 250" in nesil.step.rule or "x 250" in nesil.step.detail
    assert "Api" in nesil.step.source


def test_human_noel_is_used_as_the_nesil() -> None:
    nesil = NESIL.from_human_noel(2362.0, study="HRIPT")
    assert nesil.value_ug_cm2 == 2362.0
    assert nesil.basis == "human HRIPT NOEL"


def test_a_defined_approach_category_gives_no_nesil() -> None:
    with pytest.raises(InvalidInputError, match="gives no NESIL"):
        NESIL.from_da_category("1B")


@pytest.mark.parametrize("ec3", [0.0, -1.0, 150.0])
def test_ec3_must_be_a_percentage_above_zero(ec3: float) -> None:
    with pytest.raises(InvalidInputError, match="LLNA EC3"):
        NESIL.from_ec3(ec3)


def test_qra_face_cream_by_hand() -> None:
    safs = SensitisationAssessmentFactors(matrix=3.0, use=3.0, rationale="cream, daily use")
    result = quantitative_risk_assessment(NESIL.from_ec3(2.0), safs, 0.1, product_type="face_cream")
    amount = 1.54 * 1.0 * 1000 / 565  # mg/cm2/day from SCCS amount, RF and surface area
    ael = 500.0 / (10 * 3 * 3)
    cel = amount * 0.1 / 100 * 1000
    assert result.saf_total == pytest.approx(90.0)
    assert result.ael_ug_cm2 == pytest.approx(ael)
    assert result.cel_ug_cm2_day == pytest.approx(cel)
    assert result.ael_cel_ratio == pytest.approx(ael / cel)
    assert result.acceptable is (ael >= cel)
    assert result.max_concentration_percent == pytest.approx(ael / (amount * 10))
    assert [s.title for s in result.steps][:2] == ["NESIL", "Product exposure per area"]
    json.dumps(result.to_dict())


def test_qra_not_acceptable_above_the_highest_acceptable_concentration() -> None:
    safs = SensitisationAssessmentFactors(matrix=3.0, use=10.0)
    low = quantitative_risk_assessment(NESIL.from_ec3(1.0), safs, 0.01, amount_mg_cm2_day=1.0)
    high = quantitative_risk_assessment(NESIL.from_ec3(1.0), safs, 1.0, amount_mg_cm2_day=1.0)
    # AEL = 250 / 300 = 0.833 ug/cm2; CEL = 1 mg/cm2/day x C x 10
    assert low.max_concentration_percent == pytest.approx(250 / 300 / 10)
    assert low.acceptable and not high.acceptable
    assert "not acceptable" in high.conclusion


def test_saf_outside_the_published_values_is_flagged() -> None:
    safs = SensitisationAssessmentFactors(matrix=3.16, use=3.16)
    result = quantitative_risk_assessment(NESIL.from_ec3(5.0), safs, 0.5, amount_mg_cm2_day=2.0)
    assert "not among the QRA1 values" in result.steps[2].detail


@pytest.mark.parametrize("factor", [0.5, 0.0, -3.0])
def test_saf_below_one_is_an_error(factor: float) -> None:
    with pytest.raises(InvalidInputError, match="SAF"):
        SensitisationAssessmentFactors(matrix=factor, use=1.0)


def test_qra_errors() -> None:
    safs = SensitisationAssessmentFactors(matrix=1.0, use=1.0)
    nesil = NESIL.from_ec3(2.0)
    with pytest.raises(InvalidInputError, match="known: body_lotion"):
        quantitative_risk_assessment(nesil, safs, 1.0, product_type="perfume")
    with pytest.raises(InvalidInputError, match="concentration"):
        quantitative_risk_assessment(nesil, safs, -1.0, product_type="face_cream")
    with pytest.raises(InvalidInputError, match="oral cavity"):
        quantitative_risk_assessment(nesil, safs, 1.0, product_type="toothpaste")
    with pytest.raises(InvalidInputError, match="expected a product_type or amount"):
        quantitative_risk_assessment(nesil, safs, 1.0)
