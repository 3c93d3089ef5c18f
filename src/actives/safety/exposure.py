"""Cosmetic product types and their default exposure (SCCS Notes of Guidance).

Values from the SCCS Notes of Guidance for the Testing of Cosmetic Ingredients and their Safety
Evaluation, 12th revision (SCCS/1647/22, adopted 15 May 2023): Table 3A (daily amount applied,
retention factor and calculated relative daily exposure A, from the Hall et al. 2007/2011
survey) and Table 3B (product types not in that survey, A calculated for 60 kg), and the NoG's
skin surface areas per product type. Each product type says which of its values were checked
against a published copy of the tables (``checked``) and which were not: treat unchecked values
as to be verified against the NoG before a safety report relies on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from actives.errors import InvalidInputError
from actives.registry import Registry
from actives.safety.reasoning import Serialisable

SCCS_NOG = (
    "SCCS Notes of Guidance for the Testing of Cosmetic Ingredients and their Safety Evaluation, "
    "12th revision (SCCS/1647/22, 2023)"
)
TABLE_3A = f"{SCCS_NOG}, Table 3A"
TABLE_3B = f"{SCCS_NOG}, Table 3B"
SURFACE_AREA_TABLE = f"{SCCS_NOG}, skin surface area per product type (table number not verified)"
DEFAULT_BODY_WEIGHT_KG = 60.0
BODY_WEIGHT_SOURCE = f"{SCCS_NOG}: default adult body weight 60 kg"

_CHECKED_3A = (
    "amount, retention factor and A checked against a published summary of SCCS/1647/22 "
    "Table 3A (p. 27)"
)
_CHECKED_AMOUNT = (
    "amount per day checked against a published list of the SCCS NoG amounts (revision not stated)"
)


@dataclass(frozen=True)
class ProductType(Serialisable):
    """A cosmetic product type with the SCCS default exposure parameters.

    ``amount_g_day``: estimated daily amount applied; ``retention_factor``: fraction left on the
    skin; ``exposure_mg_kg_day``: calculated relative daily exposure A (mg/kg bw/day, retention
    applied); ``surface_area_cm2``: skin surface area involved (None for oral-care products).
    """

    id: str
    name_en: str
    name_ko: str
    use: str  # leave-on or rinse-off
    site: str  # skin, hair and scalp, lips, eyes or oral cavity
    amount_g_day: float
    retention_factor: float
    exposure_mg_kg_day: float
    surface_area_cm2: float | None
    source: str
    surface_area_source: str
    revision: str
    checked: str

    @property
    def retained_g_day(self) -> float:
        """Amount left on the skin per day (g/day): amount x retention factor."""
        return self.amount_g_day * self.retention_factor

    def amount_per_area_mg_cm2_day(self) -> float:
        """Product left on the skin per area per day (mg/cm2/day): amount x RF x 1000 / area."""
        if self.surface_area_cm2 is None:
            raise InvalidInputError(
                f"Product type {self.id!r} ({self.name_en}) has no skin surface area (it is used "
                "in the oral cavity); expected a product applied to the skin, hair or lips."
            )
        return self.retained_g_day * 1000.0 / self.surface_area_cm2


PRODUCT_TYPES: Registry[ProductType] = Registry(
    "product type", "unknown_product_type", InvalidInputError
)

_RF_A_RECALLED = f"{_CHECKED_AMOUNT}; retention factor and A recalled, not checked"
_CHECKED_3B = "amount, retention factor and A checked against a published summary of Table 3B"
_RECALLED_3B = "amount, retention factor and A recalled from Table 3B, not checked"

# fmt: off
_TABLE: tuple[tuple[str, str, str, str, str, float, float, float, float | None, str, str], ...] = (
    # id, English, Korean, use, site,
    #   amount (g/day), retention factor, A (mg/kg bw/day), surface area (cm2), table, checked
    ("shower_gel", "Shower gel", "샤워젤", "rinse-off", "skin",
     18.67, 0.01, 2.79, 17500.0, TABLE_3A, _CHECKED_3A),
    ("hand_wash_soap", "Hand wash soap", "핸드워시(비누)", "rinse-off", "skin",
     20.00, 0.01, 3.33, 860.0, TABLE_3B, _RECALLED_3B),
    ("shampoo", "Shampoo", "샴푸", "rinse-off", "hair and scalp",
     10.46, 0.01, 1.51, 1440.0, TABLE_3A, _CHECKED_3A),
    ("hair_conditioner", "Hair conditioner", "헤어 컨디셔너", "rinse-off", "hair and scalp",
     3.92, 0.01, 0.67, 1440.0, TABLE_3B, _CHECKED_3B),
    ("hair_styling", "Hair styling products", "헤어 스타일링 제품", "leave-on", "hair and scalp",
     4.00, 0.10, 5.74, 1010.0, TABLE_3A, _CHECKED_3A),
    ("body_lotion", "Body lotion", "바디로션", "leave-on", "skin",
     7.82, 1.0, 123.20, 15670.0, TABLE_3A, _CHECKED_3A),
    ("face_cream", "Face cream", "페이스 크림", "leave-on", "skin",
     1.54, 1.0, 24.14, 565.0, TABLE_3A, _CHECKED_3A),
    ("hand_cream", "Hand cream", "핸드크림", "leave-on", "skin",
     2.16, 1.0, 32.70, 860.0, TABLE_3A, _CHECKED_3A),
    ("liquid_foundation", "Liquid foundation", "리퀴드 파운데이션", "leave-on", "skin",
     0.51, 1.0, 7.90, 565.0, TABLE_3A, _CHECKED_3A),
    ("make_up_remover", "Make-up remover", "메이크업 리무버", "rinse-off", "skin",
     5.00, 0.1, 8.33, 565.0, TABLE_3B, _RF_A_RECALLED),
    ("eye_shadow", "Eye make-up (eye shadow)", "아이섀도", "leave-on", "eyes",
     0.02, 1.0, 0.33, 24.0, TABLE_3B, _RF_A_RECALLED),
    ("mascara", "Mascara", "마스카라", "leave-on", "eyes",
     0.025, 1.0, 0.42, 1.6, TABLE_3B, _RF_A_RECALLED),
    ("eyeliner", "Eyeliner", "아이라이너", "leave-on", "eyes",
     0.005, 1.0, 0.08, 3.2, TABLE_3B, _RF_A_RECALLED),
    ("lipstick", "Lipstick, lip salve", "립스틱·립밤", "leave-on", "lips",
     0.057, 1.0, 0.90, 4.8, TABLE_3A, _CHECKED_3A),
    ("deodorant_non_spray", "Deodorant (non-spray)", "데오도란트(비스프레이)", "leave-on", "skin",
     1.50, 1.0, 22.08, 200.0, TABLE_3A, _CHECKED_3A),
    ("deodorant_spray", "Deodorant (spray)", "데오도란트(스프레이)", "leave-on", "skin",
     0.69, 1.0, 10.00, 200.0, TABLE_3A, _CHECKED_3A),
    ("toothpaste", "Toothpaste (adult)", "치약(성인)", "rinse-off", "oral cavity",
     2.75, 0.05, 2.16, None, TABLE_3A, _CHECKED_3A),
    ("mouthwash", "Mouthwash", "구강청결제", "rinse-off", "oral cavity",
     21.62, 0.10, 32.54, None, TABLE_3A, _CHECKED_3A),
)
# fmt: on


def _register() -> None:
    area_note = "; surface area not checked against the NoG table"
    for pid, en, ko, use, site, amount, rf, a, area, table, checked in _TABLE:
        PRODUCT_TYPES.add(
            pid,
            ProductType(
                id=pid,
                name_en=en,
                name_ko=ko,
                use=use,
                site=site,
                amount_g_day=amount,
                retention_factor=rf,
                exposure_mg_kg_day=a,
                surface_area_cm2=area,
                source=table,
                surface_area_source=SURFACE_AREA_TABLE if area is not None else "not applicable",
                revision="12th revision (SCCS/1647/22)",
                checked=checked + (area_note if area is not None else ""),
            ),
        )


_register()


def product_type(product_id: str) -> ProductType:
    """The product type with this id; an InvalidInputError listing the known ids otherwise."""
    return PRODUCT_TYPES.get(product_id)
