"""SCCS margin of safety, product types and dermal absorption bases."""

from __future__ import annotations

import json

import pytest

from actives.errors import InvalidInputError
from actives.safety.dermal import DermalAbsorption
from actives.safety.exposure import PRODUCT_TYPES, product_type
from actives.safety.mos import (
    PointOfDeparture,
    margin_of_safety,
    systemic_exposure_dosage_from_amount,
)

REQUIRED_TYPES = {
    "face_cream", "body_lotion", "hand_cream", "liquid_foundation", "make_up_remover",
    "eye_shadow", "mascara", "lipstick", "deodorant_non_spray", "shower_gel", "hand_wash_soap",
    "shampoo", "hair_conditioner", "hair_styling", "toothpaste", "mouthwash",
}  # fmt: skip


def test_face_cream_margin_of_safety_by_hand() -> None:
    result = margin_of_safety(
        PointOfDeparture(100.0, route="oral"),
        concentration_percent=1.0,
        dermal_absorption=DermalAbsorption.sccs_default(),
        product_type="face_cream",
    )
    sed = 24.14 * 1.0 / 100 * 50.0 / 100  # A x C x DAp
    pod_sys = 100.0 * 0.5  # oral NOAEL, 50 % oral absorption
    assert result.sed_mg_kg_day == pytest.approx(0.1207)
    assert result.sed_mg_kg_day == pytest.approx(sed)
    assert result.pod_systemic_mg_kg_day == pytest.approx(pod_sys)
    assert result.mos == pytest.approx(pod_sys / sed)
    assert result.mos == pytest.approx(414.25, abs=0.01)
    assert result.acceptable
    assert result.conclusion.startswith("MoS 414.3 >= 100")
    sources = {q.name: q.source for q in result.inputs}
    assert "Table 3A" in sources["relative daily exposure A"]
    assert "50 %" in sources["dermal absorption"]
    assert "oral absorption" in sources["bioavailability"]
    json.dumps(result.to_dict())


def test_mos_below_100_is_not_acceptable() -> None:
    result = margin_of_safety(
        PointOfDeparture(10.0, route="dermal"),
        concentration_percent=5.0,
        dermal_absorption=DermalAbsorption.measured(20.0, "TG 428 study 2024"),
        product_type="body_lotion",
    )
    sed = 123.20 * 0.05 * 0.20
    assert result.pod_systemic_mg_kg_day == pytest.approx(10.0)  # dermal PoD: 100 %
    assert result.mos == pytest.approx(10.0 / sed)
    assert not result.acceptable


def test_given_bioavailability_replaces_the_default() -> None:
    pod = PointOfDeparture(200.0, bioavailability_percent=80.0, bioavailability_source="ADME")
    result = margin_of_safety(
        pod,
        concentration_percent=0.5,
        dermal_absorption=DermalAbsorption.measured(10.0, "x"),
        exposure_mg_kg_day=10.0,
    )
    assert result.pod_systemic_mg_kg_day == pytest.approx(160.0)
    assert result.mos == pytest.approx(160.0 / (10.0 * 0.005 * 0.10))


def test_sed_from_absorbed_amount_per_area() -> None:
    result = margin_of_safety(
        PointOfDeparture(100.0),
        absorbed_ug_cm2=2.0,
        frequency_per_day=2.0,
        product_type="hand_cream",
    )
    sed = 2.0 * 1e-3 * 860 * 2.0 / 60
    assert result.sed_mg_kg_day == pytest.approx(sed)
    assert systemic_exposure_dosage_from_amount(2.0, 860, 2.0, 60) == pytest.approx(sed)
    assert result.sed_formula == "SED = DAa x 1e-3 x SSA x F / bw"


def test_predicted_dermal_absorption_from_log_kp() -> None:
    log_kp, conc, applied, hours = -9.0, 1.0, 2.0, 8.0
    da = DermalAbsorption.predicted_from_log_kp(log_kp, conc, applied, hours, model_version="v3")
    kp_cm_h = 10**log_kp * 3600
    absorbed = kp_cm_h * (conc / 100 * 1e6) * hours  # ug/cm2
    applied_ug = applied * conc / 100 * 1000
    assert da.percent == pytest.approx(absorbed / applied_ug * 100)
    assert da.basis == "predicted"
    assert "skin_logkp v3" in da.source
    assert da.inputs[0].origin == "predicted"


def test_predicted_dermal_absorption_is_capped_at_100_percent() -> None:
    da = DermalAbsorption.predicted_from_log_kp(-5.0, 1.0, 2.0)
    assert da.percent == 100.0
    assert "capped" in da.steps[-1].detail


def test_measured_amount_is_converted_with_the_applied_amount() -> None:
    da = DermalAbsorption.measured_amount(1.5, 20.0, "TG 428, lab X")
    assert da.percent == pytest.approx(7.5)
    assert da.basis == "measured"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"concentration_percent": -1.0}, "concentration"),
        ({"concentration_percent": 120.0}, r"expected a number in \[0, 100\] %"),
        ({"product_type": "perfume"}, "known: body_lotion, deodorant_non_spray"),
        ({"product_type": None}, "expected a product_type"),
        ({"absorbed_ug_cm2": 1.0}, "Both SED forms"),
    ],
)
def test_broken_mos_inputs(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "concentration_percent": 1.0,
        "dermal_absorption": DermalAbsorption.sccs_default(),
        "product_type": "face_cream",
    }
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=message):
        margin_of_safety(PointOfDeparture(100.0), **args)  # type: ignore[arg-type]


def test_broken_absorption_and_pod() -> None:
    with pytest.raises(InvalidInputError, match="dermal absorption"):
        DermalAbsorption.measured(130.0, "x")
    with pytest.raises(InvalidInputError, match="NOAEL"):
        PointOfDeparture(-5.0)
    with pytest.raises(InvalidInputError, match="route"):
        PointOfDeparture(5.0, route="inhaled")  # type: ignore[arg-type]


def test_product_types_cover_the_required_list_with_sources() -> None:
    assert REQUIRED_TYPES <= {p.id for p in PRODUCT_TYPES}
    for p in PRODUCT_TYPES:
        assert p.name_ko and p.source.startswith("SCCS Notes of Guidance")
        assert "SCCS/1647/22" in p.revision
        assert p.checked
        # A catches typing slips: it is amount x RF per kg body weight (Table 3A used each
        # surveyed person's weight, so A differs from amount x RF / 60 kg by up to ~16 %)
        assert p.exposure_mg_kg_day == pytest.approx(p.retained_g_day * 1000 / 60, rel=0.2)


@pytest.mark.parametrize(
    ("pid", "amount", "rf", "a", "area"),
    [
        ("face_cream", 1.54, 1.0, 24.14, 565.0),
        ("body_lotion", 7.82, 1.0, 123.20, 15670.0),
        ("hand_cream", 2.16, 1.0, 32.70, 860.0),
        ("shower_gel", 18.67, 0.01, 2.79, 17500.0),
        ("shampoo", 10.46, 0.01, 1.51, 1440.0),
    ],
)
def test_known_sccs_values(pid: str, amount: float, rf: float, a: float, area: float) -> None:
    p = product_type(pid)
    assert (p.amount_g_day, p.retention_factor, p.exposure_mg_kg_day, p.surface_area_cm2) == (
        amount, rf, a, area,
    )  # fmt: skip


def test_predicted_absorption_names_where_its_amount_and_time_came_from() -> None:
    absorption = DermalAbsorption.predicted_from_log_kp(
        -7.0,
        1.0,
        2.726,
        applied_source=("table", "SCCS Table 3A"),
        exposure_source=("default", "24 h"),
    )
    by_name = {q.name: q for q in absorption.inputs}
    assert (by_name["product applied per area"].origin, by_name["exposure time"].origin) == (
        "table",
        "default",
    )
    assert by_name["product applied per area"].source == "SCCS Table 3A"
