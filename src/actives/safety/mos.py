"""SCCS margin of safety (MoS) of a cosmetic ingredient, with every input sourced.

SCCS Notes of Guidance (12th revision, SCCS/1647/22):

- SED (mg/kg bw/day) = A (mg/kg bw/day) x C (%)/100 x DAp (%)/100, with A the calculated
  relative daily exposure of the product type (Tables 3A/3B); or, with the absorbed amount per
  area, SED = DAa (ug/cm2) x 1e-3 x SSA (cm2) x F (per day) / bw (kg).
- PoD_sys = PoD x bioavailability: an oral PoD without data is taken as 50 % bioavailable; a
  dermal or systemic PoD as 100 %.
- MoS = PoD_sys / SED; a MoS of at least 100 is considered acceptable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from actives.errors import InvalidInputError
from actives.safety.dermal import DermalAbsorption
from actives.safety.exposure import (
    BODY_WEIGHT_SOURCE,
    DEFAULT_BODY_WEIGHT_KG,
    SCCS_NOG,
    ProductType,
)
from actives.safety.exposure import (
    product_type as get_product_type,
)
from actives.safety.reasoning import Quantity, Serialisable, Step, check_number

MOS_THRESHOLD = 100.0
MOS_SOURCE = f"{SCCS_NOG}: MoS = PoD_sys / SED; a MoS of at least 100 is considered safe"
SED_SOURCE = f"{SCCS_NOG}: systemic exposure dosage (SED) formulas"
ORAL_BIOAVAILABILITY_DEFAULT = 50.0
# The NoG section number for the 50 % oral default was not verified here.
ORAL_BIOAVAILABILITY_SOURCE = (
    f"{SCCS_NOG}: default 50 % oral absorption when no data are available (section not verified)"
)
ROUTES = ("oral", "dermal", "systemic")


@dataclass(frozen=True)
class PointOfDeparture:
    """A point of departure (NOAEL, BMDL...) in mg/kg bw/day with its route and source.

    ``bioavailability_percent`` is the fraction of an oral dose that reaches the circulation;
    None means the SCCS default (50 % for an oral PoD, 100 % for a dermal or systemic one).
    """

    value_mg_kg_day: float
    kind: str = "NOAEL"
    route: Literal["oral", "dermal", "systemic"] = "oral"
    bioavailability_percent: float | None = None
    source: str = "user"
    bioavailability_source: str = "user"

    def __post_init__(self) -> None:
        check_number(
            f"{self.kind}", self.value_mg_kg_day, "mg/kg bw/day", low=0, low_inclusive=False
        )
        if self.route not in ROUTES:
            raise InvalidInputError(
                f"PoD route {self.route!r}; expected one of: {', '.join(ROUTES)}."
            )
        if self.bioavailability_percent is not None:
            check_number(
                "bioavailability",
                self.bioavailability_percent,
                "%",
                low=0,
                high=100,
                low_inclusive=False,
            )

    def systemic(self) -> tuple[float, Quantity, Step]:
        """PoD_sys (mg/kg bw/day), the bioavailability used, and the step that explains it."""
        if self.bioavailability_percent is not None:
            fraction, origin, source = (
                self.bioavailability_percent,
                "user",
                self.bioavailability_source,
            )
            why = f"{self.route} bioavailability given: {fraction:g} %"
        elif self.route == "oral":
            fraction, origin, source = (
                ORAL_BIOAVAILABILITY_DEFAULT,
                "default",
                ORAL_BIOAVAILABILITY_SOURCE,
            )
            why = "oral PoD without absorption data: SCCS default 50 %"
        else:
            fraction, origin, source = 100.0, "default", f"{SCCS_NOG}: PoD already systemic"
            why = f"{self.route} PoD: taken as systemic (100 %)"
        pod_sys = self.value_mg_kg_day * fraction / 100.0
        step = Step(
            "Systemic point of departure",
            f"{self.kind} {self.value_mg_kg_day:g} mg/kg bw/day ({self.route}); {why}: PoD_sys = "
            f"{self.value_mg_kg_day:g} x {fraction:g}/100 = {pod_sys:.4g} mg/kg bw/day.",
            "PoD_sys = PoD x bioavailability (50 % for an oral PoD without data).",
            source,
            f"{pod_sys:.4g} mg/kg bw/day",
        )
        return pod_sys, Quantity("bioavailability", fraction, "%", origin, source), step


@dataclass(frozen=True)
class MoSResult(Serialisable):
    """Margin of safety with its inputs, the steps of the calculation and the conclusion."""

    sed_mg_kg_day: float
    pod_systemic_mg_kg_day: float
    mos: float
    threshold: float
    acceptable: bool
    conclusion: str
    product_type: str | None
    sed_formula: str
    inputs: tuple[Quantity, ...]
    steps: tuple[Step, ...]
    references: tuple[str, ...]


def systemic_exposure_dosage(
    exposure_mg_kg_day: float, concentration_percent: float, absorption_percent: float
) -> float:
    """SED (mg/kg bw/day) = A x C/100 x DAp/100 (SCCS NoG)."""
    a = check_number("relative daily exposure A", exposure_mg_kg_day, "mg/kg bw/day", low=0)
    c = check_number("concentration", concentration_percent, "%", low=0, high=100)
    dap = check_number("dermal absorption", absorption_percent, "%", low=0, high=100)
    return a * c / 100.0 * dap / 100.0


def systemic_exposure_dosage_from_amount(
    absorbed_ug_cm2: float,
    surface_area_cm2: float,
    frequency_per_day: float,
    body_weight_kg: float = DEFAULT_BODY_WEIGHT_KG,
) -> float:
    """SED (mg/kg bw/day) = DAa (ug/cm2) x 1e-3 x SSA (cm2) x F (per day) / bw (SCCS NoG)."""
    daa = check_number("absorbed amount DAa", absorbed_ug_cm2, "ug/cm2", low=0)
    ssa = check_number("skin surface area", surface_area_cm2, "cm2", low=0, low_inclusive=False)
    freq = check_number(
        "frequency of application", frequency_per_day, "per day", low=0, low_inclusive=False
    )
    bw = check_number("body weight", body_weight_kg, "kg", low=0, low_inclusive=False)
    return daa * 1e-3 * ssa * freq / bw


def margin_of_safety(
    pod: PointOfDeparture,
    *,
    concentration_percent: float | None = None,
    dermal_absorption: DermalAbsorption | None = None,
    product_type: str | None = None,
    exposure_mg_kg_day: float | None = None,
    absorbed_ug_cm2: float | None = None,
    surface_area_cm2: float | None = None,
    frequency_per_day: float | None = None,
    body_weight_kg: float = DEFAULT_BODY_WEIGHT_KG,
) -> MoSResult:
    """SCCS margin of safety for an ingredient in a product.

    Two SED forms: give ``concentration_percent`` and ``dermal_absorption`` with a
    ``product_type`` (its A from the SCCS tables) or ``exposure_mg_kg_day`` (A given by the
    user); or give ``absorbed_ug_cm2`` and ``frequency_per_day`` with ``surface_area_cm2`` or a
    ``product_type`` (its surface area).
    """
    product: ProductType | None = get_product_type(product_type) if product_type else None
    inputs: list[Quantity] = [
        Quantity(pod.kind, pod.value_mg_kg_day, "mg/kg bw/day", "user", pod.source),
        Quantity("PoD route", pod.route, "", "user", pod.source),
    ]
    steps: list[Step] = []
    references = [SED_SOURCE, MOS_SOURCE]
    if product is not None:
        steps.append(
            Step(
                "Product type",
                f"{product.name_en} ({product.name_ko}), {product.use}: "
                f"{product.amount_g_day:g} g/day, retention factor {product.retention_factor:g}, "
                f"A = {product.exposure_mg_kg_day:g} mg/kg bw/day"
                + (
                    f", skin surface area {product.surface_area_cm2:g} cm2."
                    if product.surface_area_cm2 is not None
                    else "."
                ),
                "Default exposure per product type.",
                product.source,
                product.id,
            )
        )
        references.append(product.source)

    amount_form = absorbed_ug_cm2 is not None
    if amount_form:
        if concentration_percent is not None or dermal_absorption is not None:
            raise InvalidInputError(
                "Both SED forms were given (absorbed amount and concentration/dermal "
                "absorption); expected one: absorbed_ug_cm2 with frequency_per_day, or "
                "concentration_percent with dermal_absorption."
            )
        assert absorbed_ug_cm2 is not None
        sed, formula = _sed_from_amount(
            absorbed_ug_cm2,
            product,
            surface_area_cm2,
            frequency_per_day,
            body_weight_kg,
            inputs,
            steps,
        )
    else:
        if concentration_percent is None or dermal_absorption is None:
            raise InvalidInputError(
                "Missing inputs for the SED; expected concentration_percent and "
                "dermal_absorption (with a product_type or exposure_mg_kg_day), or "
                "absorbed_ug_cm2 with frequency_per_day."
            )
        sed, formula = _sed_from_percent(
            concentration_percent, dermal_absorption, product, exposure_mg_kg_day, inputs, steps
        )
        references.append(dermal_absorption.source)

    pod_sys, bioavailability, pod_step = pod.systemic()
    inputs.append(bioavailability)
    steps.append(pod_step)
    if sed <= 0:
        raise InvalidInputError(
            "The systemic exposure dosage is 0 (zero concentration, exposure or absorption); "
            "expected a positive SED to compute a margin of safety."
        )
    mos = pod_sys / sed
    acceptable = mos >= MOS_THRESHOLD
    conclusion = (
        f"MoS {mos:.1f} >= {MOS_THRESHOLD:g}: acceptable"
        if acceptable
        else f"MoS {mos:.1f} < {MOS_THRESHOLD:g}: not acceptable"
    )
    steps.append(
        Step(
            "Margin of safety",
            f"MoS = PoD_sys / SED = {pod_sys:.4g} / {sed:.4g} = {mos:.1f}.",
            f"MoS = PoD_sys / SED; acceptable when MoS >= {MOS_THRESHOLD:g}.",
            MOS_SOURCE,
            conclusion,
        )
    )
    return MoSResult(
        sed_mg_kg_day=sed,
        pod_systemic_mg_kg_day=pod_sys,
        mos=mos,
        threshold=MOS_THRESHOLD,
        acceptable=acceptable,
        conclusion=conclusion,
        product_type=product.id if product else None,
        sed_formula=formula,
        inputs=tuple(inputs),
        steps=tuple(steps),
        references=tuple(dict.fromkeys(references)),
    )


def _sed_from_percent(
    concentration_percent: float,
    dermal_absorption: DermalAbsorption,
    product: ProductType | None,
    exposure_mg_kg_day: float | None,
    inputs: list[Quantity],
    steps: list[Step],
) -> tuple[float, str]:
    if exposure_mg_kg_day is not None:
        a = check_number("relative daily exposure A", exposure_mg_kg_day, "mg/kg bw/day", low=0)
        a_source, a_origin = "user", "user"
    elif product is not None:
        a, a_source, a_origin = product.exposure_mg_kg_day, product.source, "table"
    else:
        raise InvalidInputError(
            "No exposure for the SED; expected a product_type (A from the SCCS tables) or "
            "exposure_mg_kg_day."
        )
    c = check_number("concentration", concentration_percent, "%", low=0, high=100)
    inputs.append(Quantity("relative daily exposure A", a, "mg/kg bw/day", a_origin, a_source))
    inputs.append(Quantity("concentration C", c, "%", "user", "user"))
    inputs.extend(dermal_absorption.inputs)
    steps.extend(dermal_absorption.steps)
    dap = dermal_absorption.percent
    sed = systemic_exposure_dosage(a, c, dap)
    formula = "SED = A x C/100 x DAp/100"
    steps.append(
        Step(
            "Systemic exposure dosage",
            f"SED = {a:g} x {c:g}/100 x {dap:.4g}/100 = {sed:.4g} mg/kg bw/day "
            f"(DAp {dermal_absorption.basis}: {dermal_absorption.method}).",
            formula,
            SED_SOURCE,
            f"{sed:.4g} mg/kg bw/day",
        )
    )
    return sed, formula


def _sed_from_amount(
    absorbed_ug_cm2: float,
    product: ProductType | None,
    surface_area_cm2: float | None,
    frequency_per_day: float | None,
    body_weight_kg: float,
    inputs: list[Quantity],
    steps: list[Step],
) -> tuple[float, str]:
    if frequency_per_day is None:
        raise InvalidInputError(
            "absorbed_ug_cm2 was given without frequency_per_day; expected the number of "
            "applications per day."
        )
    if surface_area_cm2 is not None:
        ssa, ssa_origin, ssa_source = surface_area_cm2, "user", "user"
    elif product is not None and product.surface_area_cm2 is not None:
        ssa, ssa_origin, ssa_source = (
            product.surface_area_cm2,
            "table",
            product.surface_area_source,
        )
    else:
        raise InvalidInputError(
            "No skin surface area for the SED; expected surface_area_cm2 or a product_type "
            "applied to the skin."
        )
    bw_origin, bw_source = (
        ("default", BODY_WEIGHT_SOURCE)
        if body_weight_kg == DEFAULT_BODY_WEIGHT_KG
        else ("user", "user")
    )
    sed = systemic_exposure_dosage_from_amount(
        absorbed_ug_cm2, ssa, frequency_per_day, body_weight_kg
    )
    inputs.extend(
        [
            Quantity("absorbed amount DAa", absorbed_ug_cm2, "ug/cm2", "measured", "user"),
            Quantity("skin surface area SSA", ssa, "cm2", ssa_origin, ssa_source),
            Quantity("frequency of application F", frequency_per_day, "per day", "user", "user"),
            Quantity("body weight", body_weight_kg, "kg", bw_origin, bw_source),
        ]
    )
    formula = "SED = DAa x 1e-3 x SSA x F / bw"
    steps.append(
        Step(
            "Systemic exposure dosage",
            f"SED = {absorbed_ug_cm2:g} x 1e-3 x {ssa:g} x {frequency_per_day:g} / "
            f"{body_weight_kg:g} = {sed:.4g} mg/kg bw/day.",
            formula,
            SED_SOURCE,
            f"{sed:.4g} mg/kg bw/day",
        )
    )
    return sed, formula
