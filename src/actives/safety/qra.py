"""Quantitative risk assessment (QRA) for skin sensitisers, step by step.

Api et al. 2008, Dermal sensitization quantitative risk assessment (QRA) for fragrance
ingredients, Regul Toxicol Pharmacol 52:3-23 (QRA1), and Api et al. 2020 (QRA2), Regul Toxicol
Pharmacol 111:104583:

- NESIL (no expected sensitisation induction level, ug/cm2): from a mouse LLNA EC3 (%) x 250
  (ug/cm2 per %: 25 uL applied to about 1 cm2 of the mouse ear), or a human no-effect induction
  dose per area (HRIPT/HMT NOEL).
- Sensitisation assessment factors (SAF): inter-individual variability 10; vehicle/product
  matrix 1, 3 or 10; use considerations 1, 3 or 10 (QRA1). QRA2 revisited the values and added
  further factors; which exact values QRA2 tabulates per product category was not verified here,
  so matrix and use factors have no default: the assessor chooses them and the result says so.
- AEL = NESIL / (product of the SAFs); CEL (ug/cm2/day) = product per area per day (mg/cm2/day)
  x concentration (%) x 10; acceptable when AEL / CEL >= 1; the highest acceptable
  concentration = AEL / (product per area x 10).

A GL497 potency category (1A/1B) gives no NESIL: no published mapping from a defined-approach
category to a default NESIL was found, so none is made up here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from actives.errors import InvalidInputError
from actives.safety.exposure import ProductType
from actives.safety.exposure import product_type as get_product_type
from actives.safety.reasoning import Quantity, Serialisable, Step, check_number, check_origin

API_2008 = (
    "Api AM et al. (2008) Dermal sensitization quantitative risk assessment (QRA) for fragrance "
    "ingredients. Regul Toxicol Pharmacol 52:3-23"
)
API_2020 = (
    "Api AM et al. (2020) Dermal sensitization quantitative risk assessment (QRA2) for fragrance "
    "ingredients. Regul Toxicol Pharmacol 111:104583"
)
EC3_TO_NESIL = 250.0
PUBLISHED_SAF_VALUES = (1.0, 3.0, 10.0)


@dataclass(frozen=True)
class NESIL:
    """A no expected sensitisation induction level (ug/cm2) with how it was obtained."""

    value_ug_cm2: float
    basis: str
    origin: str
    source: str
    step: Step

    @classmethod
    def from_ec3(cls, ec3_percent: float, origin: str = "measured", source: str = "") -> NESIL:
        """NESIL = LLNA EC3 (%) x 250 ug/cm2 per % (Api et al. 2008)."""
        ec3 = check_number("LLNA EC3", ec3_percent, "%", low=0, high=100, low_inclusive=False)
        check_origin(origin, "LLNA EC3")
        value = ec3 * EC3_TO_NESIL
        return cls(
            value_ug_cm2=value,
            basis="LLNA EC3",
            origin=origin,
            source=source or "user",
            step=Step(
                "NESIL",
                f"LLNA EC3 {ec3:g} % x {EC3_TO_NESIL:g} ug/cm2 per % = {value:g} ug/cm2.",
                "NESIL (ug/cm2) = EC3 (%) x 250 (dose per area on the mouse ear: 25 uL on "
                "about 1 cm2).",
                API_2008,
                f"{value:g} ug/cm2",
            ),
        )

    @classmethod
    def from_human_noel(
        cls, noel_ug_cm2: float, study: str = "HRIPT", origin: str = "measured", source: str = ""
    ) -> NESIL:
        """A human no-effect induction dose per area (HRIPT or HMT NOEL) used as the NESIL."""
        value = check_number(f"{study} NOEL", noel_ug_cm2, "ug/cm2", low=0, low_inclusive=False)
        check_origin(origin, f"{study} NOEL")
        return cls(
            value_ug_cm2=value,
            basis=f"human {study} NOEL",
            origin=origin,
            source=source or "user",
            step=Step(
                "NESIL",
                f"Human {study} no-effect induction dose {value:g} ug/cm2 used as the NESIL.",
                "A human no-effect level per area (HRIPT/HMT) can be the NESIL.",
                API_2008,
                f"{value:g} ug/cm2",
            ),
        )

    @classmethod
    def from_da_category(cls, category: str) -> NESIL:
        """Always an error: a GL497 potency category (1A/1B) gives no NESIL."""
        raise InvalidInputError(
            f"A defined-approach potency category ({category!r}) gives no NESIL: no published "
            "mapping from a GL497 category to a default NESIL was found. Expected an LLNA EC3 "
            "or a human no-effect induction level (HRIPT/HMT) per area."
        )


@dataclass(frozen=True)
class SensitisationAssessmentFactors:
    """The SAFs of the QRA: inter-individual (default 10), matrix, use, and a database factor.

    Matrix and use have no default: choose 1, 3 or 10 (Api et al. 2008) for the product, and
    say why in ``rationale``. ``database`` is 1 unless the assessor sets one (QRA2).
    """

    matrix: float
    use: float
    inter_individual: float = 10.0
    database: float = 1.0
    rationale: str = ""

    def __post_init__(self) -> None:
        for name in ("matrix", "use", "inter_individual", "database"):
            check_number(f"{name.replace('_', '-')} SAF", getattr(self, name), "", low=1, high=100)

    @property
    def total(self) -> float:
        """Product of the factors."""
        return self.inter_individual * self.matrix * self.use * self.database

    def quantities(self) -> tuple[Quantity, ...]:
        """The factors as sourced quantities."""
        inter_origin = "default" if self.inter_individual == 10.0 else "user"
        return (
            Quantity("inter-individual SAF", self.inter_individual, "", inter_origin, API_2008),
            Quantity("matrix SAF", self.matrix, "", "user", self.rationale or "user"),
            Quantity("use SAF", self.use, "", "user", self.rationale or "user"),
            Quantity(
                "database SAF",
                self.database,
                "",
                "user" if self.database != 1 else "default",
                API_2020,
            ),
        )


@dataclass(frozen=True)
class QRAResult(Serialisable):
    """AEL, CEL, their ratio, the highest acceptable concentration, and the steps."""

    nesil_ug_cm2: float
    saf_total: float
    ael_ug_cm2: float
    cel_ug_cm2_day: float
    ael_cel_ratio: float
    acceptable: bool
    max_concentration_percent: float
    conclusion: str
    product_type: str | None
    inputs: tuple[Quantity, ...]
    steps: tuple[Step, ...]
    references: tuple[str, ...]


def quantitative_risk_assessment(
    nesil: NESIL,
    safs: SensitisationAssessmentFactors,
    concentration_percent: float,
    *,
    product_type: str | None = None,
    amount_mg_cm2_day: float | None = None,
) -> QRAResult:
    """Skin sensitisation QRA: AEL = NESIL / SAF vs CEL = exposure per area x concentration.

    The product exposure per area comes from ``amount_mg_cm2_day`` (user) or, for a
    ``product_type``, from the SCCS table: amount x retention factor x 1000 / surface area.
    """
    conc = check_number(
        "concentration", concentration_percent, "%", low=0, high=100, low_inclusive=False
    )
    product: ProductType | None = get_product_type(product_type) if product_type else None
    steps: list[Step] = [nesil.step]
    inputs: list[Quantity] = [
        Quantity(
            f"NESIL ({nesil.basis})", nesil.value_ug_cm2, "ug/cm2", nesil.origin, nesil.source
        ),
        Quantity("concentration", conc, "%", "user", "user"),
    ]
    references = [API_2008, API_2020]
    if amount_mg_cm2_day is not None:
        amount = check_number(
            "product per area", amount_mg_cm2_day, "mg/cm2/day", low=0, low_inclusive=False
        )
        inputs.append(Quantity("product per area per day", amount, "mg/cm2/day", "user", "user"))
        steps.append(
            Step(
                "Product exposure per area",
                f"Given: {amount:g} mg/cm2/day.",
                "Consumer exposure per area per day.",
                "user",
                f"{amount:g} mg/cm2/day",
            )
        )
    elif product is not None:
        amount = product.amount_per_area_mg_cm2_day()
        area = product.surface_area_cm2
        inputs.append(
            Quantity("product per area per day", amount, "mg/cm2/day", "table", product.source)
        )
        steps.append(
            Step(
                "Product exposure per area",
                f"{product.name_en}: {product.amount_g_day:g} g/day x retention factor "
                f"{product.retention_factor:g} x 1000 / {area:g} cm2 = {amount:.4g} mg/cm2/day.",
                "Amount per area per day = daily amount x retention factor / skin surface area.",
                f"{product.source}; {product.surface_area_source}",
                f"{amount:.4g} mg/cm2/day",
            )
        )
        references.append(product.source)
    else:
        raise InvalidInputError(
            "No product exposure for the QRA; expected a product_type or amount_mg_cm2_day."
        )

    inputs.extend(safs.quantities())
    total = safs.total
    ael = nesil.value_ug_cm2 / total
    unpublished = [
        name
        for name, value in (("matrix", safs.matrix), ("use", safs.use))
        if not any(math.isclose(value, v) for v in PUBLISHED_SAF_VALUES)
    ]
    saf_note = (
        f" Matrix/use factor not among the QRA1 values 1, 3, 10: {', '.join(unpublished)}."
        if unpublished
        else ""
    )
    steps.append(
        Step(
            "Sensitisation assessment factors",
            f"inter-individual {safs.inter_individual:g} x matrix {safs.matrix:g} x use "
            f"{safs.use:g} x database {safs.database:g} = {total:g}. Matrix and use were chosen by "
            f"the assessor{': ' + safs.rationale if safs.rationale else ''}.{saf_note}",
            "SAF = inter-individual (10) x matrix (1, 3 or 10) x use (1, 3 or 10) x database.",
            f"{API_2008}; {API_2020}",
            f"SAF {total:g}",
        )
    )
    steps.append(
        Step(
            "Acceptable exposure level",
            f"AEL = {nesil.value_ug_cm2:g} / {total:g} = {ael:.4g} ug/cm2.",
            "AEL = NESIL / SAF.",
            API_2008,
            f"{ael:.4g} ug/cm2",
        )
    )
    cel = amount * conc * 10.0
    steps.append(
        Step(
            "Consumer exposure level",
            f"CEL = {amount:.4g} mg/cm2/day x {conc:g}/100 x 1000 ug/mg = {cel:.4g} ug/cm2/day.",
            "CEL = product per area per day x concentration.",
            API_2008,
            f"{cel:.4g} ug/cm2/day",
        )
    )
    ratio = ael / cel
    acceptable = ratio >= 1.0
    max_conc = min(100.0, ael / (amount * 10.0))
    conclusion = (
        f"AEL/CEL = {ratio:.3g} >= 1: acceptable"
        if acceptable
        else f"AEL/CEL = {ratio:.3g} < 1: not acceptable"
    )
    steps.append(
        Step(
            "Risk characterisation",
            f"AEL/CEL = {ael:.4g} / {cel:.4g} = {ratio:.3g}; highest acceptable concentration = "
            f"AEL / (product per area x 10) = {max_conc:.4g} %.",
            "Acceptable when AEL >= CEL (AEL/CEL >= 1).",
            API_2008,
            conclusion,
        )
    )
    return QRAResult(
        nesil_ug_cm2=nesil.value_ug_cm2,
        saf_total=total,
        ael_ug_cm2=ael,
        cel_ug_cm2_day=cel,
        ael_cel_ratio=ratio,
        acceptable=acceptable,
        max_concentration_percent=max_conc,
        conclusion=conclusion,
        product_type=product.id if product else None,
        inputs=tuple(inputs),
        steps=tuple(steps),
        references=tuple(dict.fromkeys(references)),
    )
