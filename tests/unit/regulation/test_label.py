"""The INCI label: order (descending, under 1 %, colorants last), Korean names, allergens."""

from __future__ import annotations

from pathlib import Path

import pytest

from actives.knowledge import DataPack
from actives.regulation.formula import (
    Formula,
    FormulaIngredient,
    FormulaSubstance,
    expand,
    parse_product_type,
    read_formula,
)
from actives.regulation.label import (
    NO_KOREAN_NAME,
    allergens_to_declare,
    inci_label,
    rule_matches,
)
from actives.regulation.resolve import resolve_ingredient
from actives.regulation.rules import Citation, Condition, Rule
from tests.unit.regulation.names_pack import names_pack

DATA = Path(__file__).resolve().parents[2] / "data" / "regulation"


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return names_pack(tmp_path_factory)


@pytest.fixture(scope="module")
def cream(pack: DataPack) -> list[FormulaSubstance]:
    formula = read_formula(
        DATA / "formula_cream.csv",
        "leave-on face cream",
        raw_materials=DATA / "formula_raw_materials.csv",
    )
    return expand(formula, None, pack)


def test_label_lists_ingredients_in_the_right_order(
    cream: list[FormulaSubstance], pack: DataPack
) -> None:
    label = inci_label(cream, parse_product_type("leave-on face cream"), pack)
    assert label.text == (
        "Water, Glycerin, Ceteth-20, Butylene Glycol, Niacinamide, "  # >= 1 %, descending
        "Methylisothiazolinone, Unobtainium Flower Extract, Linalool, "  # < 1 %, descending
        "CI 77891"  # colorant last, though at 0.5 % it outweighs the two before it
    )
    percents = [row.percent for row in label.rows]
    blocks = [row.block for row in label.rows]
    assert blocks == ["descending"] * 5 + ["under 1 %"] * 3 + ["colorant"]
    top, low = percents[:5], percents[5:8]
    assert top == sorted(top, reverse=True) and min(top) >= 1
    assert low == sorted(low, reverse=True) and max(low) < 1
    assert [row.position for row in label.rows] == list(range(1, 10))
    assert label.rows[2].percent == pytest.approx(6.0)  # Ceteth-20 from the raw material


def test_korean_label_uses_dictionary_names_and_flags_the_missing(
    cream: list[FormulaSubstance], pack: DataPack
) -> None:
    label = inci_label(cream, parse_product_type("leave-on face cream"), pack)
    assert label.korean_text == (
        "정제수, 글리세린, 세테스-20, 부틸렌글라이콜, 나이아신아마이드, 메칠이소치아졸리논, "
        "Unobtainium Flower Extract, 리날룰, CI 77891"
    )
    flagged = {row.name: row.flags for row in label.rows if NO_KOREAN_NAME in row.flags}
    assert set(flagged) == {"Unobtainium Flower Extract", "CI 77891"}
    assert "unresolved name: shown as written" in flagged["Unobtainium Flower Extract"]
    assert label.missing_korean_names == ["Unobtainium Flower Extract", "CI 77891"]
    assert any("Article 19(1)(g)" in note for note in label.notes)


def _substances(pack: DataPack, *rows: tuple[str, float]) -> list[FormulaSubstance]:
    formula = Formula(
        "t",
        parse_product_type("leave-on face cream"),
        tuple(FormulaIngredient(n, p) for n, p in rows),
    )
    return expand(formula, None, pack)


def test_exactly_one_percent_is_in_the_descending_block(pack: DataPack) -> None:
    substances = _substances(pack, ("Water", 98.5), ("Glycerin", 1.0), ("Niacinamide", 0.5))
    label = inci_label(substances, parse_product_type("leave-on face cream"), pack)
    assert [(r.name, r.block) for r in label.rows] == [
        ("Water", "descending"),
        ("Glycerin", "descending"),
        ("Niacinamide", "under 1 %"),
    ]


def test_hair_dye_colorants_stay_in_place(pack: DataPack) -> None:
    substances = _substances(pack, ("Water", 97), ("CI 19140", 2), ("Glycerin", 1))
    dye = parse_product_type("hair dye, rinse-off")
    assert [r.name for r in inci_label(substances, dye, pack).rows] == [
        "Water",
        "CI 19140",
        "Glycerin",
    ]
    cream = parse_product_type("leave-on face cream")
    assert [r.name for r in inci_label(substances, cream, pack).rows][-1] == "CI 19140"


def _rule(market: str, *conditions: Condition, **names: tuple[str, ...]) -> Rule:
    return Rule(
        f"{market}-test",
        market,
        "allergen",
        f"{market.lower()}-allergens",
        Citation("Test regulation", "Allergen list", "1"),
        conditions=conditions,
        **names,  # type: ignore[arg-type]
    )


def test_allergens_over_the_threshold_are_declared(pack: DataPack) -> None:
    substances = _substances(pack, ("Water", 99.995), ("Linalool", 0.005))
    eu = _rule("EU", inci=("Linalool",))
    leave_on = allergens_to_declare(substances, parse_product_type("leave-on face cream"), [eu])
    assert [(a.name, a.market, a.threshold, a.declare) for a in leave_on] == [
        ("Linalool", "EU", 0.001, True)
    ]
    assert leave_on[0].threshold_source == "constant"
    assert "0.001 % in leave-on" in leave_on[0].citation
    rinse_off = parse_product_type("rinse-off hair")
    assert allergens_to_declare(substances, rinse_off, [eu]) == []  # 0.005 <= 0.01
    below = allergens_to_declare(substances, rinse_off, [eu], include_below=True)
    assert [(a.threshold, a.declare) for a in below] == [(0.01, False)]


def test_threshold_from_the_rule_condition_wins(pack: DataPack) -> None:
    substances = _substances(pack, ("Water", 99.997), ("Linalool", 0.003))
    kr = _rule(
        "KR",
        Condition(product_scope=frozenset({"leave_on"}), label_above_percent=0.004),
        korean=("리날룰",),
    )
    product = parse_product_type("leave-on face cream")
    found = allergens_to_declare(substances, product, [kr], include_below=True)
    assert [(a.market, a.threshold, a.declare, a.threshold_source) for a in found] == [
        ("KR", 0.004, False, "rule")
    ]
    label = inci_label(substances, product, pack, allergen_rules=[kr])
    assert label.allergens == tuple(a for a in found if a.declare)


def test_no_threshold_for_a_market_means_no_declaration(pack: DataPack) -> None:
    substances = _substances(pack, ("Water", 99.9), ("Linalool", 0.1))
    ca = _rule("CA", cas=("78-70-6",))
    assert allergens_to_declare(substances, parse_product_type("leave-on cream"), [ca]) == []


def test_rule_matching_by_number_name_or_listed_name(pack: DataPack) -> None:
    benzoate = resolve_ingredient("Sodium Benzoate", pack).substance
    mit = resolve_ingredient("메칠이소치아졸리논", pack).substance
    assert rule_matches(_rule("EU", inci=("BENZOIC ACID; SODIUM BENZOATE",)), benzoate)
    assert rule_matches(_rule("EU", cas=("2682-20-4",)), mit)
    assert rule_matches(_rule("KR", korean=("메칠이소치아졸리논",)), mit)
    assert not rule_matches(_rule("EU", cas=("65-85-0",)), benzoate)
    assert not rule_matches(_rule("EU", cas=("2682-20-4",)), None)


def test_an_annex_iv_substance_declared_for_another_function_keeps_its_place() -> None:
    from actives.regulation.formula import FormulaSubstance
    from actives.regulation.label import _colorant
    from actives.regulation.resolve import Resolution

    def substance(functions: tuple[str, ...]) -> FormulaSubstance:
        resolution = Resolution(query="Zinc Oxide", status="unresolved", substance=None,
                                display_name="Zinc Oxide", korean_name="", method=None,
                                confidence=0.0, suggestions=[], candidates=[], sources=[],
                                message="")  # fmt: skip
        return FormulaSubstance("Zinc Oxide", 10.0, resolution, (), functions)

    assert not _colorant(substance(("UV filter",)), None)
    assert not _colorant(substance(("자외선 차단",)), None)
