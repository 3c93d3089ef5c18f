"""Formula model: product types, raw-material expansion, totals, reading CSV/XLSX."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from actives.errors import InvalidFileError, InvalidInputError
from actives.knowledge import DataPack
from actives.regulation.formula import (
    Formula,
    FormulaFileError,
    FormulaIngredient,
    ProductType,
    RawMaterial,
    expand,
    formula_warnings,
    parse_product_type,
    read_formula,
    read_formula_table,
)
from tests.unit.regulation.names_pack import names_pack

DATA = Path(__file__).resolve().parents[2] / "data" / "regulation"
CREAM = DATA / "formula_cream.csv"
RAW_MATERIALS = DATA / "formula_raw_materials.csv"
BROKEN = DATA / "formula_broken.csv"


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return names_pack(tmp_path_factory)


# -- product type ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "exposure", "tags"),
    [
        ("leave-on face cream", "leave_on", {"leave_on", "face"}),
        ("rinse-off hair", "rinse_off", {"rinse_off", "hair"}),
        ("Shampoo", "rinse_off", {"rinse_off", "hair", "shampoo"}),
        ("어린이용 바디로션", "leave_on", {"leave_on", "body", "children"}),
        ("씻어내지 않는 두피 에센스 스프레이", "leave_on", {"leave_on", "hair", "spray"}),
        ("씻어내는 얼굴 세안제", "rinse_off", {"rinse_off", "face", "cleansing"}),
        ("leave-on eye cream, professional", "leave_on", {"leave_on", "eye", "professional"}),
        ("foot cream", "leave_on", {"leave_on", "feet"}),
        ("발크림", "leave_on", {"leave_on", "feet"}),
        ("발효 에센스", "leave_on", {"leave_on"}),  # fermented: not a foot product
    ],
)
def test_product_type_from_words(text: str, exposure: str, tags: set[str]) -> None:
    product = parse_product_type(text)
    assert product.exposure == exposure
    assert product.tags == tags


def test_product_type_needs_rinse_off_or_leave_on() -> None:
    with pytest.raises(InvalidInputError, match="rinsed off or left on"):
        parse_product_type("face")
    with pytest.raises(InvalidInputError, match="Unknown body area"):
        ProductType("leave_on", frozenset({"elbow"}))
    with pytest.raises(InvalidInputError, match="expected 'rinse_off' or 'leave_on'"):
        ProductType("wash", frozenset())  # type: ignore[arg-type]


def test_scalp_is_a_hair_tag_for_the_rules() -> None:
    product = ProductType("leave_on", frozenset({"scalp"}), children=True)
    assert product.tags == {"leave_on", "hair", "children"}
    assert product.areas == {"scalp"}


# -- the model -----------------------------------------------------------------------------------


@pytest.mark.parametrize("percent", [0, -1, 150, float("nan"), "abc"])
def test_percent_must_be_above_zero_and_at_most_100(percent: object) -> None:
    with pytest.raises(InvalidInputError, match="expected a number above 0 and at most 100"):
        FormulaIngredient("Glycerin", percent)  # type: ignore[arg-type]


def test_raw_material_needs_a_composition() -> None:
    with pytest.raises(InvalidInputError, match="no composition"):
        RawMaterial("Blend", ())
    with pytest.raises(InvalidInputError, match="Fraction of 'Glycerin' in raw material 'Blend'"):
        RawMaterial("Blend", (("Glycerin", 0.0),))


def _formula(*rows: FormulaIngredient, materials: tuple[RawMaterial, ...] = ()) -> Formula:
    return Formula("test", parse_product_type("leave-on face cream"), rows, ("EU",), 1, materials)


def test_raw_materials_expand_and_the_same_substance_is_summed(pack: DataPack) -> None:
    blend = RawMaterial("Blend X", (("Ceteth-20", 60.0), ("Glycerin", 40.0)))
    formula = _formula(
        FormulaIngredient("Water", 80),
        FormulaIngredient("Glycerin", 5, function="humectant"),
        FormulaIngredient("", 10, raw_material="Blend X", function="emulsifier"),
        FormulaIngredient("글리세린", 5),  # the Korean name of the same substance
        materials=(blend,),
    )
    substances = expand(formula, None, pack)
    by_name = {s.name: s for s in substances}
    assert [s.name for s in substances] == ["Water", "Glycerin", "Ceteth-20"]
    glycerin = by_name["Glycerin"]
    assert glycerin.percent == pytest.approx(5 + 10 * 0.40 + 5)
    assert [(c.name, c.raw_material, c.percent) for c in glycerin.contributions] == [
        ("Glycerin", None, 5.0),
        ("Glycerin", "Blend X", pytest.approx(4.0)),
        ("글리세린", None, 5.0),
    ]
    assert glycerin.functions == ("humectant", "emulsifier")
    assert glycerin.korean_name == "글리세린"
    assert by_name["Ceteth-20"].percent == pytest.approx(6.0)
    assert by_name["Ceteth-20"].contributions[0].fraction == 60.0


def test_unknown_ingredients_are_kept_not_dropped(pack: DataPack) -> None:
    formula = _formula(FormulaIngredient("Water", 99), FormulaIngredient("Unobtainium", 1))
    substances = expand(formula, None, pack)
    unknown = next(s for s in substances if s.name == "Unobtainium")
    assert unknown.status == "unresolved"
    assert unknown.percent == 1.0


def test_ingredient_row_that_names_its_raw_material_is_not_expanded(pack: DataPack) -> None:
    blend = RawMaterial("Blend X", (("Ceteth-20", 60.0), ("Glycerin", 40.0)))
    formula = _formula(
        FormulaIngredient("Water", 94),
        FormulaIngredient("Ceteth-20", 6, raw_material="Blend X"),
        materials=(blend,),
    )
    substances = expand(formula, None, pack)
    assert {s.name: s.percent for s in substances} == {"Water": 94, "Ceteth-20": 6}
    assert substances[1].contributions[0].raw_material == "Blend X"


def test_total_off_100_is_a_warning_that_states_the_total() -> None:
    formula = _formula(FormulaIngredient("Water", 90), FormulaIngredient("Glycerin", 8.7))
    warnings = formula_warnings(formula)
    assert warnings == ["The formula's percentages add up to 98.7 % w/w; expected 100 % ± 0.5."]
    assert formula_warnings(formula, tolerance=2) == []
    exact = _formula(FormulaIngredient("Water", 99.6), FormulaIngredient("Glycerin", 0.3))
    assert formula_warnings(exact) == []  # 99.9 is within ± 0.5


def test_composition_and_unknown_raw_material_warnings() -> None:
    formula = _formula(
        FormulaIngredient("Water", 90),
        FormulaIngredient("", 10, raw_material="Mystery Blend"),
        materials=(RawMaterial("Blend X", (("Ceteth-20", 60.0), ("Glycerin", 30.0))),),
    )
    warnings = formula_warnings(formula)
    assert any("'Blend X': its composition adds up to 90 %" in w for w in warnings)
    assert any("'Mystery Blend' has no composition" in w for w in warnings)


# -- reading files -------------------------------------------------------------------------------


def test_read_korean_csv_with_a_raw_material_file(pack: DataPack) -> None:
    formula = read_formula(
        CREAM, "leave-on face cream", markets=["eu", "kr"], raw_materials=RAW_MATERIALS
    )
    assert formula.name == "formula_cream"
    assert formula.markets == ("EU", "KR")
    assert len(formula.ingredients) == 10  # the 합계 (total) row is skipped
    assert formula.ingredients[2] == FormulaIngredient("", 10.0, "Emulsifier Blend X", "유화제")
    assert formula.total_percent == pytest.approx(100.0)
    assert formula_warnings(formula) == []
    by_name = {s.name: s for s in expand(formula, None, pack)}
    assert by_name["Glycerin"].percent == pytest.approx(9.0)
    assert by_name["Butylene Glycol"].percent == pytest.approx(5.0)  # two spellings, summed


def test_read_xlsx_with_a_raw_material_sheet(tmp_path: Path) -> None:
    path = tmp_path / "cream.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(
            {"INCI Name": ["Water", "", "Niacinamide"], "Percent (% w/w)": [88, 10, 2],
             "Raw material": ["", "Blend X", ""], "Function": ["solvent", "emulsifier", "active"]}
        ).to_excel(writer, sheet_name="Formula", index=False)  # fmt: skip
        pd.DataFrame(
            {"Raw material": ["Blend X", "Blend X"], "INCI": ["Ceteth-20", "Glycerin"],
             "% in raw material": [60, 40]}
        ).to_excel(writer, sheet_name="Raw materials", index=False)  # fmt: skip
    table = read_formula_table(path)
    assert table.columns == {
        "ingredient": "INCI Name",
        "percent": "Percent (% w/w)",
        "raw_material": "Raw material",
        "function": "Function",
    }
    assert table.raw_materials == [
        RawMaterial("Blend X", (("Ceteth-20", 60.0), ("Glycerin", 40.0)))
    ]
    formula = read_formula(path, parse_product_type("rinse-off hair"), name="Cream 2", version=3)
    assert (formula.name, formula.version, formula.product_type.exposure) == (
        "Cream 2",
        3,
        "rinse_off",
    )
    assert formula.raw_materials[0].name == "Blend X"


def test_cp949_csv_from_korean_excel(tmp_path: Path) -> None:
    path = tmp_path / "cp949.csv"
    path.write_bytes("성분명,함량\n정제수,99\n글리세린,1\n".encode("cp949"))
    formula = read_formula(path, "leave-on body lotion")
    assert [i.name for i in formula.ingredients] == ["정제수", "글리세린"]


def test_every_broken_row_says_what_was_wrong_and_what_was_expected() -> None:
    table = read_formula_table(BROKEN)
    assert [i.name for i in table.ingredients] == ["Water"]
    messages = {e.row: e.message for e in table.errors}
    assert messages == {
        3: "percent 'abc' in row 3 (Glycerin); expected a number above 0 and at most 100 (% w/w)",
        4: "no ingredient name in row 4; expected an INCI name, CAS number or raw material name",
        5: "percent '0' in row 5 (Niacinamide); expected a number above 0 and at most 100 (% w/w)",
        6: "percent '150' in row 6 (Butylene Glycol); expected a number above 0 and at most "
        "100 (% w/w)",
        7: "no percent in row 7 (Linalool); expected a number above 0 and at most 100 (% w/w)",
    }
    with pytest.raises(FormulaFileError, match="5 row\\(s\\) could not be read") as caught:
        read_formula(BROKEN, "leave-on face cream")
    assert len(caught.value.row_errors) == 5
    assert isinstance(caught.value, InvalidFileError)


@pytest.mark.parametrize(
    ("content", "name", "match"),
    [
        (b"", "empty.csv", "is empty"),
        (b"   \n\n", "blank.csv", "is empty"),
        (b"name,colour\nWater,blue\n", "nopercent.csv", "missing column\\(s\\) percent; found"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.csv", "looks like a binary file"),
        (b"not a zip", "fake.xlsx", "not an .xlsx workbook"),
        (b"PK\x03\x04broken", "broken.xlsx", "not a readable .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", "old .xls workbook"),
        (b"ingredient,percent\n", "header_only.csv", "no rows"),
    ],
)
def test_files_that_are_no_formula_table(content: bytes, name: str, match: str) -> None:
    with pytest.raises(InvalidFileError, match=match):
        read_formula(content, "leave-on face cream", filename=name)


def test_missing_file() -> None:
    with pytest.raises(InvalidFileError, match="does not exist"):
        read_formula_table("/nonexistent/formula.csv")


def test_the_users_spelling_of_an_inci_name_is_kept(pack: DataPack) -> None:
    formula = _formula(FormulaIngredient("WATER", 50), FormulaIngredient("glycerin", 50))
    assert [s.name for s in expand(formula, None, pack)] == ["WATER", "glycerin"]
