"""The formula checker on a pack built from hand-typed rows (tests/data/regulation/checker_raw):
verdicts with their citations per market, the reconciliation of prohibited and permissive
lists, unparsed rules, inventories, partial markets, sum rules, allergens, the label, the
payload, rule-pack comparisons and the report files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from actives.errors import InvalidInputError
from actives.knowledge import DataPack
from actives.regulation.checker import (
    FormulaCheck,
    Verdict,
    check_formula,
    compare_checks,
    limit_text,
    scope_text,
    worst,
    write_report,
)
from actives.regulation.formula import (
    Formula,
    FormulaIngredient,
    ProductType,
    parse_product_type,
    read_formula,
)
from actives.regulation.rulepack import RulePack
from actives.regulation.rules import Citation, Condition, Rule
from tests.unit.regulation.checker_pack import FORMULAS, build_checker_pack

LEAVE_ON_CREAM = "leave-on face cream"


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return build_checker_pack(tmp_path_factory.mktemp("checker-pack"))


def formula(rows: list[tuple[str, float]], product: str = LEAVE_ON_CREAM, **kw: object) -> Formula:
    ingredients = tuple(
        FormulaIngredient(name, percent, function=kw.get(name))  # type: ignore[arg-type]
        for name, percent in rows
    )
    return Formula("test", parse_product_type(product), ingredients)


def row(check: FormulaCheck, market: str, name: str):  # type: ignore[no-untyped-def]
    (found,) = [r for r in check.markets[market].rows if r.name.lower() == name.lower()]
    return found


@pytest.fixture(scope="module")
def cream(pack: DataPack) -> FormulaCheck:
    f = read_formula(
        FORMULAS / "formula_cream.csv",
        LEAVE_ON_CREAM,
        raw_materials=FORMULAS / "formula_raw_materials.csv",
    )
    return check_formula(f, ["EU", "KR", "CN", "ASEAN", "JP", "CA"], pack)


def test_verdicts_are_ordered_worst_first() -> None:
    assert [v.value for v in Verdict] == [
        "prohibited", "over_limit", "not_in_inventory", "unknown", "allowed_with_conditions",
        "allowed",
    ]  # fmt: skip
    assert worst([Verdict.ALLOWED, Verdict.UNKNOWN, Verdict.OVER_LIMIT]) == Verdict.OVER_LIMIT
    assert worst([]) == Verdict.ALLOWED
    assert Verdict.NOT_IN_INVENTORY.refused and not Verdict.UNKNOWN.refused
    assert Verdict.PROHIBITED.display_ko == "사용 금지"


# -- must show ----------------------------------------------------------------------------------


def test_a_leave_on_cream_with_methylisothiazolinone_is_refused_in_the_eu(
    cream: FormulaCheck,
) -> None:
    mit = row(cream, "EU", "Methylisothiazolinone")
    assert mit.verdict == Verdict.PROHIBITED and mit.percent == 0.5
    assert mit.message == (
        "Methylisothiazolinone 0.5 % in a leave-on face product: EU Annex V entry 57 allows it "
        "only in rinse-off products (max 0.0015 %)"
    )
    assert mit.citation is not None
    assert (mit.citation.list_name, mit.citation.entry) == ("Annex V", "57")
    assert mit.citation.text() == (
        "Regulation (EC) No 1223/2009, Annex V, entry 57 (as amended by (EU) 2017/1224, 27/07/2020)"
    )
    assert mit.condition is not None and mit.condition.max_percent == 0.0015
    assert cream.markets["EU"].overall == Verdict.PROHIBITED
    # Korea's 별표 2 says the same (rinse-off 0.0015 %, 기타 제품에는 사용 금지)
    kr = row(cream, "KR", "Methylisothiazolinone")
    assert kr.verdict == Verdict.PROHIBITED and "KR 별표 2 (table 1, row 11)" in kr.message


def test_methylisothiazolinone_in_a_shampoo_is_checked_against_the_maximum(
    pack: DataPack,
) -> None:
    low = check_formula(formula([("Water", 99.999), ("Methylisothiazolinone", 0.001)],
                                "shampoo"), ["EU"], pack)  # fmt: skip
    ok = row(low, "EU", "Methylisothiazolinone")
    assert ok.verdict == Verdict.ALLOWED_WITH_CONDITIONS
    assert "within max 0.0015 %" in ok.message
    high = check_formula(formula([("Water", 99.99), ("Methylisothiazolinone", 0.01)],
                                 "shampoo"), ["EU"], pack)  # fmt: skip
    over = row(high, "EU", "Methylisothiazolinone")
    assert over.verdict == Verdict.OVER_LIMIT
    assert over.message.endswith(
        "EU Annex V entry 57 allows at most 0.0015 % in rinse-off products"
    )


def test_hydroquinone_is_refused_in_the_eu_and_korea(pack: DataPack) -> None:
    check = check_formula(formula([("Water", 98), ("Hydroquinone", 2)]), ["EU", "KR", "CN"], pack)
    eu = row(check, "EU", "Hydroquinone")
    assert eu.verdict == Verdict.PROHIBITED
    assert eu.citation is not None and eu.citation.text().startswith(
        "Regulation (EC) No 1223/2009, Annex II, entry 1339"
    )
    # the Annex III permission is named with its scope, and does not apply to a face cream
    assert eu.message == (
        "Hydroquinone: prohibited by EU Annex II entry 1339 ('1,4-Dihydroxybenzene "
        "(Hydroquinone), with the exception of entry 14 in Annex III'); EU Annex III entry 14 "
        "allows it only in artificial nail products for professional use (max 0.02 %)"
    )
    kr = row(check, "KR", "Hydroquinone")
    assert kr.verdict == Verdict.PROHIBITED
    assert kr.citation is not None and kr.citation.list_name == "별표 1"
    assert kr.citation.notice == "MFDS notice 2026-19"
    cn = row(check, "CN", "Hydroquinone")  # listed in IECIC, remarked as prohibited by the STSC
    assert cn.verdict == Verdict.PROHIBITED and "IECIC 2021 remark" in cn.message
    assert {m.overall for m in check.markets.values()} == {Verdict.PROHIBITED}


def test_annex_iii_permission_governs_within_its_scope(pack: DataPack) -> None:
    nails = ProductType("leave_on", frozenset({"nails"}), professional=True,
                        categories=frozenset({"artificial_nails"}))  # fmt: skip
    f = Formula(
        "nail", nails, (FormulaIngredient("Water", 99.99), FormulaIngredient("Hydroquinone", 0.01))
    )
    check = check_formula(f, ["EU"], pack)
    hq = row(check, "EU", "Hydroquinone")
    assert hq.verdict == Verdict.ALLOWED_WITH_CONDITIONS
    assert hq.citation is not None and hq.citation.list_name == "Annex III"
    assert "- For professional use only" in " ".join(hq.label_warnings)
    assert any("Annex II entry 1339" in n and "governs within its scope" in n for n in hq.notes)
    over = check_formula(
        Formula("nail", f.product_type, (FormulaIngredient("Hydroquinone", 0.05),)), ["EU"], pack
    )
    assert row(over, "EU", "Hydroquinone").verdict == Verdict.OVER_LIMIT


def test_an_ingredient_missing_from_iecic_is_flagged_for_china(cream: FormulaCheck) -> None:
    bg = row(cream, "CN", "Butylene Glycol")  # not in the fixture's IECIC
    assert bg.verdict == Verdict.NOT_IN_INVENTORY
    assert bg.message == (
        "Butylene Glycol: not in CN IECIC 2021; needs new-ingredient registration or filing "
        "with NMPA (China)"
    )
    water = row(cream, "CN", "Water")
    assert water.verdict == Verdict.ALLOWED and water.citation is not None
    assert water.citation.entry == "1"
    # use "as the STSC requires": the STSC is not in the data, so a person must look
    mit = row(cream, "CN", "Methylisothiazolinone")
    assert mit.verdict == Verdict.UNKNOWN and "按照《化妆品安全技术规范》要求使用" in mit.review[0]
    assert cream.markets["CN"].overall == Verdict.NOT_IN_INVENTORY
    # an unresolved name cannot be looked up: unknown, with the registration caveat in a note
    unknown = row(cream, "CN", "Unobtainium Flower Extract")
    assert unknown.verdict == Verdict.UNKNOWN
    assert any("new-ingredient registration" in n for n in unknown.notes)


def test_iecic_historical_use_is_information_only(pack: DataPack) -> None:
    check = check_formula(formula([("Water", 90), ("Arbutin", 10)]), ["CN", "KR", "JP"], pack)
    arbutin = row(check, "CN", "Arbutin")
    assert arbutin.verdict == Verdict.ALLOWED
    assert "驻留类最高历史使用量 7 % (informative, not a limit)" in " ".join(arbutin.notes)
    assert any("above the highest historical use listed (7 %)" in n for n in arbutin.notes)
    kr = row(check, "KR", "Arbutin")  # a notified whitening ingredient: a note, not a limit
    assert kr.verdict == Verdict.ALLOWED
    assert any("notified at 2-5 % (outside it at 10 %)" in n for n in kr.notes)
    jp = row(check, "JP", "Arbutin")  # Japan: only the quasi-drug list is in the data
    assert jp.verdict == Verdict.UNKNOWN
    assert any("quasi-drug active" in n and "not a limit" in n for n in jp.notes)


def test_the_label_lists_ingredients_in_the_right_order(cream: FormulaCheck) -> None:
    assert cream.label.text == (
        "Water, Glycerin, Ceteth-20, Butylene Glycol, Niacinamide, "
        "Methylisothiazolinone, Unobtainium Flower Extract, Linalool, CI 77891"
    )
    assert cream.label.korean_text.startswith("정제수, 글리세린, 세테스-20, 부틸렌글라이콜")
    blocks = [r.block for r in cream.label.rows]
    assert blocks == ["descending"] * 5 + ["under 1 %"] * 3 + ["colorant"]


# -- allergens, partial markets, unresolved names, unparsed rules --------------------------------


def test_allergens_to_declare_per_market(cream: FormulaCheck) -> None:
    for market_id in ("EU", "KR"):
        linalool = row(cream, market_id, "Linalool")
        assert linalool.verdict == Verdict.ALLOWED_WITH_CONDITIONS
        assert linalool.label_warnings[0].startswith(
            "Declare Linalool in the ingredient list: 0.002 % is above 0.001 %"
        )
        (declared,) = cream.markets[market_id].allergens
        assert (declared.name, declared.threshold, declared.declare) == ("Linalool", 0.001, True)
    assert cream.markets["CN"].allergens == ()


def test_markets_with_partial_data_never_say_allowed(cream: FormulaCheck) -> None:
    asean = cream.markets["ASEAN"]
    assert {r.verdict for r in asean.rows} == {Verdict.UNKNOWN}
    assert asean.notes[0].startswith("ASEAN: only Annex II (prohibited) is in the data pack")
    assert "limits were not checked" in row(cream, "ASEAN", "Glycerin").message
    jp = cream.markets["JP"]
    assert {r.verdict for r in jp.rows} == {Verdict.UNKNOWN}
    assert any("quasi-drug active list" in n for n in jp.notes)
    # Canada's Hotlist is a negative list: what it does not name is allowed
    assert row(cream, "CA", "Glycerin").verdict == Verdict.ALLOWED


def test_a_prohibited_substance_is_refused_even_in_a_partial_market(pack: DataPack) -> None:
    check = check_formula(formula([("Water", 98), ("Hydroquinone", 2)]), ["ASEAN"], pack)
    hq = row(check, "ASEAN", "Hydroquinone")
    assert hq.verdict == Verdict.PROHIBITED and "ASEAN Annex II entry 1339" in hq.message


def test_an_unresolved_name_is_unknown_with_suggestions(pack: DataPack) -> None:
    odd = check_formula(formula([("Water", 99), ("Methylisothiazol", 1)]), ["EU"], pack)
    (unresolved,) = odd.unresolved
    assert unresolved.suggestions == ["Methylisothiazolinone"]
    found = row(odd, "EU", "Methylisothiazol")
    assert found.verdict == Verdict.UNKNOWN
    assert found.message.startswith("Methylisothiazol: name unresolved")
    assert found.message.endswith("did you mean Methylisothiazolinone?)")
    assert any("Methylisothiazol" in w for w in odd.warnings)
    assert odd.markets["EU"].overall == Verdict.UNKNOWN
    # a typo read by fuzzy matching is checked as what it was read as, and says so
    typo = check_formula(formula([("Water", 99), ("Phenoxyethanl", 1)]), ["EU"], pack)
    read = row(typo, "EU", "Phenoxyethanol")
    assert read.verdict == Verdict.ALLOWED_WITH_CONDITIONS
    assert any("fuzzy match" in n and "confirm the name" in n for n in read.notes)


def test_a_qualified_prohibition_needs_review(pack: DataPack) -> None:
    # 별표 1: "과산화물가가 20mmol/L을 초과하는 d-리모넨" prohibits limonene only above a peroxide
    # value the formula cannot show
    check = check_formula(formula([("Water", 99.99), ("Limonene", 0.01)]), ["KR"], pack)
    limonene = row(check, "KR", "Limonene")
    assert limonene.verdict == Verdict.UNKNOWN
    assert "prohibits it only as qualified ('과산화물가가 20mmol/L을 초과하는 d-리모넨')" in (
        limonene.message
    )


def test_an_unresolved_cas_number_still_meets_its_rules(pack: DataPack) -> None:
    # 50-00-0 (formaldehyde) is in the fixture's rule lists but in no names source
    check = check_formula(formula([("Water", 99), ("50-00-0", 1)]), ["EU", "KR"], pack)
    assert row(check, "EU", "50-00-0").verdict == Verdict.PROHIBITED
    assert row(check, "KR", "50-00-0").verdict == Verdict.PROHIBITED


def test_an_unparsed_rule_needs_review_and_is_never_taken_as_permission(pack: DataPack) -> None:
    check = check_formula(formula([("Water", 99.7), ("Benzoic Acid", 0.3)]), ["KR"], pack)
    benzoic = row(check, "KR", "Benzoic Acid")
    assert benzoic.verdict == Verdict.UNKNOWN and benzoic.needs_review
    assert "needs review" in benzoic.message and "exception not understood" in benzoic.message
    assert "The parsed part reads: all products: max 0.5 % as 산" in benzoic.message
    assert "다만, 벤조익애씨드 및 그 소듐염은" in benzoic.review[0]  # the original text


def test_a_limit_expressed_as_another_substance_asks_for_conversion(pack: DataPack) -> None:
    check = check_formula(formula([("Water", 99), ("Sodium Salicylate", 0.6)]), ["EU", "KR"], pack)
    eu = row(check, "EU", "Sodium Salicylate")  # 0,5 % (acid): the salt is not the acid
    assert eu.verdict == Verdict.UNKNOWN and "convert it" in eu.message
    acid = check_formula(formula([("Water", 99), ("Salicylic Acid", 0.6)],
                                 "rinse-off body wash"), ["KR"], pack)  # fmt: skip
    kr = row(acid, "KR", "Salicylic Acid")  # 살리실릭애씨드로서 0.5%: the acid itself
    assert kr.verdict == Verdict.OVER_LIMIT and "as 살리실릭애씨드" in kr.message


def test_the_declared_function_picks_the_list(pack: DataPack) -> None:
    # salicylic acid: EU Annex III/98 (other purposes, max 2 % here) and Annex V/3 (0.5 % acid)
    rows = [("Water", 99), ("Salicylic Acid", 1.0)]
    undecided = row(check_formula(formula(rows), ["EU"], pack), "EU", "Salicylic Acid")
    assert undecided.verdict == Verdict.UNKNOWN
    assert "depends on its purpose" in undecided.message
    as_preservative = check_formula(formula(rows, **{"Salicylic Acid": "preservative"}), ["EU"],
                                    pack)  # fmt: skip
    preserved = row(as_preservative, "EU", "Salicylic Acid")
    assert preserved.verdict == Verdict.OVER_LIMIT and "Annex V entry 3" in preserved.message
    exfoliant = row(
        check_formula(formula(rows, **{"Salicylic Acid": "exfoliant"}), ["EU"], pack),
        "EU", "Salicylic Acid",
    )  # fmt: skip
    # a purpose other than preserving: Annex III governs (other products, max 2 %)
    assert exfoliant.verdict == Verdict.ALLOWED_WITH_CONDITIONS
    assert exfoliant.citation is not None and exfoliant.citation.list_name == "Annex III"
    # only a preservative list names it, and it is declared for another purpose
    solvent = row(
        check_formula(formula([("Water", 99), ("Phenoxyethanol", 2.0)], **{"Phenoxyethanol":
                              "solvent"}), ["EU"], pack),
        "EU", "Phenoxyethanol",
    )  # fmt: skip
    assert solvent.verdict == Verdict.ALLOWED_WITH_CONDITIONS
    assert "allowed on condition it is not used for that purpose" in solvent.message
    assert any("allows at most 1 %" in n for n in solvent.notes)  # what Annex V would say


def test_a_declared_preservative_must_be_in_the_positive_list(pack: DataPack) -> None:
    rows = [("Water", 99), ("Ethylhexylglycerin", 1.0)]
    check = check_formula(formula(rows, **{"Ethylhexylglycerin": "보존제"}), ["EU", "KR"], pack)
    eu = row(check, "EU", "Ethylhexylglycerin")
    assert eu.verdict == Verdict.UNKNOWN and "Article 14(1)(d)" in eu.message
    assert "화장품법 제8조 제2항" in row(check, "KR", "Ethylhexylglycerin").message
    plain = check_formula(formula(rows), ["EU"], pack)
    assert row(plain, "EU", "Ethylhexylglycerin").verdict == Verdict.ALLOWED


# -- sum rules, hand-built rule packs -----------------------------------------------------------


def _rule(rule_id: str, name: str, cas: str, *conditions: Condition, **kw: object) -> Rule:
    list_id = str(kw.pop("list_id", "EU-III"))
    return Rule(
        rule_id, "EU", kw.pop("kind", "restricted"), list_id,  # type: ignore[arg-type]
        Citation("Regulation (EC) No 1223/2009", "Annex III", rule_id.split("/")[-1],
                 str(kw.pop("notice", "")), str(kw.pop("date", "01/01/2020"))),
        inci=(name,), cas=(cas,), conditions=conditions, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_group_limit_sums_the_substances_it_names(pack: DataPack) -> None:
    wording = "the sum of glycerin and butylene glycol must not exceed 10 %"
    group = Condition(max_percent=10.0, sum_rule=wording)
    rules = RulePack(
        [_rule("EU-III/901", "GLYCERIN", "56-81-5", group),
         _rule("EU-III/902", "BUTYLENE GLYCOL", "107-88-0", group)],
        "hand-made",
    )  # fmt: skip
    over = check_formula(
        formula([("Water", 88), ("Glycerin", 6), ("Butylene Glycol", 6)]), ["EU"], pack,
        rules=rules,
    )  # fmt: skip
    glycerin = row(over, "EU", "Glycerin")
    assert glycerin.verdict == Verdict.OVER_LIMIT  # 6 % alone is within 10 %, the sum is not
    assert "Glycerin, Butylene Glycol add up to 12 %" in glycerin.message
    assert row(over, "EU", "Butylene Glycol").verdict == Verdict.OVER_LIMIT
    within = check_formula(
        formula([("Water", 92), ("Glycerin", 4), ("Butylene Glycol", 4)]), ["EU"], pack,
        rules=rules,
    )  # fmt: skip
    ok = row(within, "EU", "Glycerin")
    assert ok.verdict == Verdict.ALLOWED_WITH_CONDITIONS
    assert any("add up to 8 %" in n for n in ok.notes)
    assert over.rule_pack_version == "hand-made"
    # lists missing from a hand-made pack are said, and unnamed substances are not "allowed"
    assert row(over, "EU", "Water").verdict == Verdict.UNKNOWN
    assert any("have no rules in data pack hand-made" in n for n in over.markets["EU"].notes)


def test_compare_checks_says_which_rule_changed(pack: DataPack) -> None:
    old_rule = _rule("EU-V/57", "METHYLISOTHIAZOLINONE", "2682-20-4",
                     Condition(max_percent=0.01), kind="preservative", list_id="EU-V",
                     notice="as amended by (EU) 2014/1003")  # fmt: skip
    rinse_off = Condition(product_scope=frozenset({"rinse_off"}), max_percent=0.0015)
    new_rule = _rule(
        "EU-V/57", "METHYLISOTHIAZOLINONE", "2682-20-4", rinse_off,
        kind="preservative", list_id="EU-V", notice="as amended by (EU) 2017/1224",
    )  # fmt: skip
    f = formula([("Water", 99.99), ("Methylisothiazolinone", 0.005)])
    old = check_formula(f, ["EU"], pack, rules=RulePack([old_rule], "2024.1")).to_dict()
    new = check_formula(f, ["EU"], pack, rules=RulePack([new_rule], "2025.1")).to_dict()
    changes = compare_checks(old, new)
    by_ingredient = {c.ingredient: c for c in changes}
    mit = by_ingredient["Methylisothiazolinone"]
    assert (mit.old, mit.new) == ("allowed_with_conditions", "prohibited")
    assert "as amended by (EU) 2014/1003" in mit.old_citation
    assert "as amended by (EU) 2017/1224" in mit.new_citation
    assert "conditions changed: all products: max 0.01 % -> rinse-off products: max 0.0015 %" in (
        mit.reason
    )
    overall = by_ingredient[None]
    assert (overall.old, overall.new) == ("unknown", "prohibited")
    assert "Methylisothiazolinone (allowed_with_conditions -> prohibited)" in overall.reason
    assert (overall.old_rule_pack_version, overall.new_rule_pack_version) == ("2024.1", "2025.1")
    assert compare_checks(new, new) == []
    with pytest.raises(InvalidInputError, match="FormulaCheck.to_dict"):
        compare_checks({}, new)


# -- payload and report files -------------------------------------------------------------------


def test_to_dict_is_json_with_citations_and_conditions(cream: FormulaCheck) -> None:
    payload = json.loads(json.dumps(cream.to_dict(), ensure_ascii=False))
    assert payload["rule_pack_version"] == cream.rule_pack_version
    assert payload["product_tags"] == ["face", "leave_on"]
    eu = payload["markets"]["EU"]
    assert eu["overall"] == "prohibited" and eu["name_ko"] == "유럽연합"
    mit = next(r for r in eu["rows"] if r["name"] == "Methylisothiazolinone")
    assert mit["citation"]["entry"] == "57" and mit["citation"]["list_name"] == "Annex V"
    assert mit["condition"]["describe"] == "rinse-off products: max 0.0015 %"
    assert mit["rules"][0]["rule_id"] == "EU-V/57"
    assert payload["label"]["text"] == cream.label.text
    assert payload["unresolved"][0]["query"] == "Unobtainium Flower Extract"
    glycerin = next(s for s in payload["substances"] if s["name"] == "Glycerin")
    assert glycerin["percent"] == pytest.approx(9.0) and len(glycerin["contributions"]) == 2


def test_report_files(cream: FormulaCheck, tmp_path: Path) -> None:
    xlsx = write_report(cream, tmp_path / "report.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert set(sheets) == {"matrix", "verdicts", "label", "allergens", "notes"}
    matrix = sheets["matrix"].set_index("ingredient")
    assert matrix.loc["Methylisothiazolinone", "EU"] == "prohibited"
    assert matrix.loc["OVERALL", "CN"] == "not_in_inventory"
    csv = write_report(cream, tmp_path / "report.csv")
    verdicts = pd.read_csv(csv)
    assert len(verdicts) == 6 * len(cream.substances)
    with pytest.raises(InvalidInputError, match="exists"):
        write_report(cream, csv)
    with pytest.raises(InvalidInputError, match="expected a file ending in .xlsx, .csv"):
        write_report(cream, tmp_path / "report.pdf")


def test_scope_and_limit_words() -> None:
    nails = Condition(product_scope=frozenset({"artificial_nails", "professional"}),
                      max_percent=0.02)  # fmt: skip
    assert scope_text(nails) == "artificial nail products for professional use"
    hair = Condition(product_scope=frozenset({"hair", "rinse_off"}), max_percent=3.0,
                     expressed_as="salicylic acid")  # fmt: skip
    assert scope_text(hair) == "rinse-off hair products"
    assert limit_text(hair) == "max 3 % as salicylic acid"
    other = Condition(otherwise=True, excluded_scope=frozenset({"children"}), max_percent=1)
    assert scope_text(other) == "other products (not children's products)"
    assert limit_text(Condition(min_percent=2, max_percent=5)) == "2-5 %"


def test_markets_default_and_bad_market(pack: DataPack) -> None:
    f = formula([("Water", 100)])
    assert list(check_formula(f, [], pack).markets) == ["ASEAN", "CA", "CN", "EU", "JP", "KR"]
    with pytest.raises(InvalidInputError, match="Unknown market 'XX'"):
        check_formula(f, ["XX"], pack)
