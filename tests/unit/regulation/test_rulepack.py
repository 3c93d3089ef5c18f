"""Rule packs: the list loaders on hand-typed fixtures, the tables and report, the RulePack
index, and the data-pack integration (tables, manifest, an older pack without them).

Fixtures: tests/data/raw (Annex II, MFDS 별표 1, IECIC, the MHLW workbook, a LOTUS sample for
the catalogue) with tests/data/regulation/rules_raw copied over it; the Canada Hotlist workbook
is written here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from actives.errors import DataPackMissingError, InvalidFileError, NotFoundError
from actives.knowledge import DataPack, build_pack
from actives.regulation.rulepack import (
    RulePack,
    build_rule_tables,
    kr_functional_rules,
    load_asean_annex_ii,
    load_ca_hotlist,
    load_cn_iecic,
    load_eu_annex,
    load_jp_quasi_drug,
    load_kr_allergens,
    load_kr_prohibited,
    load_kr_restricted,
    rules_to_tables,
    tables_to_rules,
)
from actives.regulation.rules import Rule, SubstanceKeys

DATA = Path(__file__).resolve().parents[2] / "data"
BASE = DATA / "raw"
OVERLAY = DATA / "regulation" / "rules_raw"
HYDROQUINONE = SubstanceKeys.of(inci=["Hydroquinone"], cas=["123-31-9"], korean=["하이드로퀴논"])
MIT = SubstanceKeys.of(inci=["Methylisothiazolinone"], cas=["2682-20-4"])


def write_hotlist(path: Path) -> None:
    """A two-sheet workbook laid out like Health Canada's Hotlist (continuation rows blank)."""
    prohibited = pd.DataFrame(
        [
            ["Ingredient", "CAS (including but not limited to)", "Synonyms"],
            ["1- and 2-Naphthylamines and their salts", "134-32-7;", ""],
            ["", "91-59-8", ""],
            ["Hydroquinone monobenzyl ether", "103-16-2", "Monobenzone"],
        ]
    )
    restricted = pd.DataFrame(
        [
            ["Ingredient Information", "", "", "Restrictions", "", ""],
            [
                "Chemical",
                "CAS",
                "Synonyms",
                "Conditions of Use by product type",
                "Maximum Concentration Permitted",
                "Warnings and Cautionary Statements:",
            ],
            [
                "8-Hydroxyquinoline and its sulfate",
                "148-24-3;",
                "Oxyquinoline;",
                "a) As stabilizers for hydrogen peroxide in rinse-off hair products",
                "a) 0.3%",
                "",
            ],
            [
                "",
                "134-31-6",
                "",
                "b) As stabilizers for hydrogen peroxide in leave-on hair products",
                "b) 0.03%",
                "",
            ],
            ["Quaternium-15", "4080-31-3", "", "", "0.1", ""],
        ]
    )
    with pd.ExcelWriter(path) as writer:
        prohibited.to_excel(
            writer, sheet_name="List of Ingredients that are Pr", header=False, index=False
        )
        restricted.to_excel(
            writer, sheet_name="List of Ingredients that are Re", header=False, index=False
        )


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rules-raw")
    for folder in ("cosing-eu", "mfds-kr", "nmpa-cn", "mhlw-jp", "lotus"):
        shutil.copytree(BASE / folder, root / folder)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    (root / "README.md").unlink()
    (root / "hc-canada").mkdir()
    write_hotlist(root / "hc-canada" / "hotlist.xlsx")
    return root


def by_id(frame: pd.DataFrame) -> dict[str, Rule]:
    return {r.rule_id: r for r in frame["rule"] if isinstance(r, Rule)}


# -- loaders -------------------------------------------------------------------------------------


def test_eu_annex_ii_and_iii(raw: Path) -> None:
    annex_ii = by_id(load_eu_annex(raw / "cosing-eu" / "COSING_Annex_II_v2.txt"))
    hq = annex_ii["EU-II/1339"]
    assert (hq.kind, hq.cas, hq.ec, hq.chemical) == (
        "prohibited",
        ("123-31-9",),
        ("204-617-8",),
        ("Hydroquinone",),
    )
    assert hq.citation.text() == "Regulation (EC) No 1223/2009, Annex II, entry 1339 (17/10/2010)"
    assert annex_ii["EU-II/9999"].chemical == ("Multi-line chemical name",)

    frame = load_eu_annex(raw / "cosing-eu" / "COSING_Annex_III_v2.txt")
    assert list(frame.loc[frame["rule"].isna(), "skipped"]) == ["EU-III/19: moved or deleted entry"]
    annex_iii = by_id(frame)
    nails = annex_iii["EU-III/14"]
    (condition,) = nails.conditions
    assert condition.product_scope == {"artificial_nails", "professional"}
    assert condition.max_percent == 0.02 and "after mixing for use" in condition.other
    assert condition.label_warning.startswith("- For professional use only")
    assert "as amended by (EC) 2013/344" in nails.citation.text()
    quinine = annex_iii["EU-III/21"]
    assert [(set(c.product_scope), c.max_percent, c.expressed_as) for c in quinine.conditions] == [
        ({"hair", "rinse_off"}, 0.5, "quinine base"),
        ({"hair", "leave_on"}, 0.2, "quinine base"),
    ]
    assert quinine.inci == ("QUININE", "QUININE HCL")  # glossary + identified ingredients
    amyl = annex_iii["EU-III/67"]
    assert amyl.kind == "allergen" and amyl.inci == ("Amyl cinnamal", "AMYL CINNAMAL")
    assert {c.label_above_percent for c in amyl.conditions} == {0.001, 0.01}
    assert "Article 19(1)g" in amyl.original_text  # the source's wording is kept


def test_eu_annex_v_and_the_shifted_annex_iv(raw: Path) -> None:
    annex_v = by_id(load_eu_annex(raw / "cosing-eu" / "COSING_Annex_V_v2.txt"))
    mit = annex_v["EU-V/57"]
    assert mit.kind == "preservative" and mit.parsed and mit.scoped
    assert [(set(c.product_scope), c.max_percent) for c in mit.conditions] == [
        ({"rinse_off"}, 0.0015)
    ]
    assert annex_v["EU-V/1"].cas == ("65-85-0", "532-32-1")
    assert annex_v["EU-V/1"].inci == ("BENZOIC ACID", "SODIUM BENZOATE")
    annex_iv = by_id(load_eu_annex(raw / "cosing-eu" / "COSING_Annex_IV_v2.txt"))
    # The export puts the field of application under "Maximum concentration" and the maximum
    # under "Other": read one column to the left.
    eye = annex_iv["EU-IV/3"]
    assert [(set(c.product_scope), c.otherwise, c.max_percent) for c in eye.conditions] == [
        ({"eye"}, False, 0.0),
        (set(), True, None),
    ]
    assert [c.max_percent for c in annex_iv["EU-IV/9"].conditions] == [3.0]
    assert annex_iv["EU-IV/9"].inci == ("CI 12085",)
    with pytest.raises(InvalidFileError, match="COSING_Annex_<II..VI>"):
        load_eu_annex(raw / "nmpa-cn" / "IECIC_2021__Sheet1.csv")


def test_korea_lists(raw: Path) -> None:
    prohibited = by_id(load_kr_prohibited(raw / "mfds-kr" / "mfds_prohibited_ingredients.jsonl"))
    assert prohibited["KR-1/1"].korean == ("하이드로퀴논",)
    restricted = by_id(load_kr_restricted(raw / "mfds-kr" / "mfds_restricted_ingredients.jsonl"))
    salicylic = restricted["KR-2/1"]
    assert salicylic.kind == "preservative" and salicylic.korean == (
        "살리실릭애씨드 및 그 염류",
        "살리실릭애씨드",
    )
    (condition,) = salicylic.conditions
    assert (condition.max_percent, condition.expressed_as) == (0.5, "살리실릭애씨드")
    assert condition.excluded_scope == {"children"} and condition.children_under_years == 13
    assert salicylic.citation.text() == (
        "화장품 안전기준 등에 관한 규정 (MFDS), 별표 2, entry table 1, row 56 "
        "(MFDS notice 2026-19, 2026-03-18)"
    )
    assert restricted["KR-2/2"].conditions[0].product_scope == {"rinse_off"}
    assert restricted["KR-2/3"].kind == "uv_filter"
    benzoic = restricted["KR-2/4"]
    assert not benzoic.parsed and "exception not understood" in benzoic.unparsed_reason
    assert "사용한도: 산으로서 0.5%" in benzoic.original_text
    allergens = by_id(load_kr_allergens(raw / "mfds-kr" / "mfds_fragrance_allergens.jsonl"))
    linalool = allergens["KR-allergens/2"]
    assert linalool.inci == ("Linalool",) and linalool.cas == ("78-70-6",)
    assert {(tuple(c.product_scope), c.label_above_percent) for c in linalool.conditions} == {
        (("leave_on",), 0.001),
        (("rinse_off",), 0.01),
    }


def test_korea_functional_ingredients_and_uv_filters(raw: Path) -> None:
    restricted = by_id(load_kr_restricted(raw / "mfds-kr" / "mfds_restricted_ingredients.jsonl"))
    rules = {r.name: r for r in kr_functional_rules([restricted["KR-2/3"]])}
    arbutin = rules["Arbutin"]
    (condition,) = arbutin.conditions
    assert (condition.min_percent, condition.max_percent) == (2.0, 5.0)
    assert arbutin.cas == ("497-76-7",) and arbutin.korean == ("알부틴",)
    assert "기능성화장품 심사에 관한 규정" in arbutin.citation.text()
    assert arbutin.citation.notice == "not verified offline"
    retinol = rules["Retinol"].conditions[0]
    assert retinol.max_percent is None and "2,500 IU/g" in retinol.other  # IU is not converted
    zinc = rules["징크옥사이드"]
    assert zinc.kind == "functional_active" and zinc.conditions[0].max_percent == 25.0
    assert "별표 2 (자외선 차단성분)" in zinc.citation.text()
    every = kr_functional_rules()
    assert {r.conditions[0].other.split("function: ")[-1] for r in every} == {
        "whitening",
        "anti_wrinkle",
    }
    assert len(every) == 13 and all(r.citation.list_name for r in every)


def test_china_asean_japan_canada(raw: Path) -> None:
    iecic = by_id(load_cn_iecic(raw / "nmpa-cn" / "IECIC_2021__Sheet1.csv"))
    assert iecic["CN-IECIC/1"].chinese == ("熊果苷",) and iecic["CN-IECIC/1"].kind == "inventory"
    assert iecic["CN-IECIC/1"].original_text == "驻留类最高历史使用量 7 %"  # informative only
    assert iecic["CN-IECIC-prohibited/3"].kind == "prohibited"
    frame = load_asean_annex_ii(raw / "asean" / "2024-2.json")
    asean = by_id(frame)
    assert set(asean) == {"ASEAN-II/A1136", "ASEAN-II/727", "ASEAN-II/clause-4"}
    assert list(frame["skipped"][frame["rule"].isna()]) == [
        "clause 3: duplicate of an earlier clause"
    ]
    fragment = asean["ASEAN-II/clause-4"]
    assert not fragment.parsed and "no entry number" in fragment.unparsed_reason
    assert asean["ASEAN-II/727"].citation.text() == (
        "ASEAN Cosmetic Directive, Annex II, entry 727 (release 2024-2, 2024-12-06)"
    )
    (arbutin,) = by_id(load_jp_quasi_drug(raw / "mhlw-jp" / "quasi_drug_fixture.xlsx")).values()
    assert arbutin.japanese == ("アルブチン",) and arbutin.kind == "quasi_drug_active"
    assert [(set(c.product_scope), c.min_percent, c.max_percent) for c in arbutin.conditions] == [
        ({"leave_on"}, 3.0, 3.0)
    ]
    canada = by_id(load_ca_hotlist(raw / "hc-canada" / "hotlist.xlsx"))
    assert canada["CA-prohibited/1"].cas == ("134-32-7", "91-59-8")  # continuation row joined
    assert canada["CA-prohibited/2"].chemical == ("Hydroquinone monobenzyl ether", "Monobenzone")
    oxyquinoline = canada["CA-restricted/1"]
    assert [(set(c.product_scope), c.max_percent) for c in oxyquinoline.conditions] == [
        ({"hair", "rinse_off"}, 0.3),
        ({"hair", "leave_on"}, 0.03),
    ]
    bare = canada["CA-restricted/2"]  # "0.1" without %: 0.1 % or 10 %? never guessed
    assert not bare.parsed and "number without a unit" in bare.unparsed_reason


# -- tables and report ---------------------------------------------------------------------------


def test_tables_report_and_round_trip(raw: Path) -> None:
    rules, conditions, report = build_rule_tables(raw)
    lists = {item["list"]: item for item in report["lists"]}
    assert (lists["EU-III"]["rules"], lists["EU-III"]["parsed"]) == (4, 4)
    assert lists["KR-2"] | {"unparsed_reasons": None} == lists["KR-2"] | {
        "rules": 4,
        "parsed": 3,
        "unparsed": 1,
        "unparsed_reasons": None,
    }
    assert lists["KR-2"]["unparsed_reasons"] == {"exception not understood": 1}
    assert lists["ASEAN-II"]["unparsed"] == 1 and lists["EU-VI"]["rules"] == 0
    assert lists["KR-functional"]["rules"] == 14  # 13 curated + the UV filter of the fixture
    assert report["skipped"]["rules-eu-annex-iii"]["rows"] == 1
    assert len(report["functional_table"]["sha256"]) == 64
    assert len(rules) == sum(item["rules"] for item in report["lists"])
    assert set(conditions["rule_id"]) <= set(rules["rule_id"])
    rebuilt = tables_to_rules(rules, conditions)
    again = rules_to_tables(rebuilt)
    pd.testing.assert_frame_equal(again[0], rules)
    pd.testing.assert_frame_equal(again[1], conditions)
    assert rules["rule_id"].is_unique


# -- RulePack ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rule_pack(raw: Path) -> RulePack:
    rules, conditions, report = build_rule_tables(raw)
    return RulePack(tables_to_rules(rules, conditions), "test", report)


def test_rules_for_matches_by_cas_then_names(rule_pack: RulePack) -> None:
    eu = rule_pack.matches("EU", HYDROQUINONE)
    assert [(m.rule.rule_id, m.by) for m in eu] == [("EU-II/1339", "cas"), ("EU-III/14", "cas")]
    assert [r.rule_id for r in rule_pack.rules_for("KR", HYDROQUINONE)] == ["KR-1/1"]
    by_name = rule_pack.matches("kr", SubstanceKeys.of(korean=["하이드로퀴논"]))
    assert [(m.rule.rule_id, m.by) for m in by_name] == [("KR-1/1", "name")]
    amyl = rule_pack.matches("EU", SubstanceKeys.of(inci=["AMYL CINNAMAL"]))
    assert [(m.rule.rule_id, m.by) for m in amyl] == [("EU-III/67", "name")]
    by_ec = rule_pack.matches("EU", SubstanceKeys(ec=frozenset({"204-617-8"})))
    assert [m.by for m in by_ec] == ["ec", "ec"]
    assert rule_pack.rules_for("JP", HYDROQUINONE) == []
    assert rule_pack.rules_for("EU", SubstanceKeys()) == []


def test_a_leave_on_cream_with_methylisothiazolinone_has_no_permitted_use_in_the_eu(
    rule_pack: RulePack,
) -> None:
    (rule,) = rule_pack.rules_for("EU", MIT)
    assert rule.citation.text().startswith("Regulation (EC) No 1223/2009, Annex V, entry 57")
    assert rule.scoped
    assert rule.applicable_conditions({"leave_on", "face"}) == ()  # not permitted there
    (rinse,) = rule.applicable_conditions({"shampoo"})  # a shampoo is rinse-off
    assert rinse.max_percent == 0.0015


def test_inventory_and_unparsed(rule_pack: RulePack) -> None:
    listed = rule_pack.inventory_has("CN", SubstanceKeys.of(inci=["Arbutin"]))
    assert listed is not None and listed.rule_id == "CN-IECIC/1"
    assert rule_pack.inventory_has("CN", SubstanceKeys.of(inci=["NIACINAMIDE"])) is None
    assert {r.rule_id for r in rule_pack.unparsed()} >= {"KR-2/4", "ASEAN-II/clause-4"}
    assert all(r.unparsed_reason for r in rule_pack.unparsed())
    assert {m.id for m in rule_pack.markets()} == {"EU", "KR", "CN", "ASEAN", "JP", "CA"}
    assert {r.list_id for r in rule_pack.rules("KR")} == {
        "KR-1",
        "KR-2",
        "KR-allergens",
        "KR-functional",
    }


# -- data pack -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(raw, tmp_path_factory.mktemp("packs"), workers=1))


def test_the_pack_holds_the_rule_tables_and_their_report(pack: DataPack) -> None:
    assert {"rules", "rule_conditions"} <= pack.tables
    manifest = pack.manifest
    lists = {item["list"]: item for item in manifest["regulation"]["lists"]}
    assert lists["EU-V"] | {"kinds": None, "unparsed_reasons": None} == {
        "list": "EU-V",
        "market": "EU",
        "title": "Annex V: preservatives allowed",
        "rules": 2,
        "parsed": 2,
        "unparsed": 0,
        "kinds": None,
        "unparsed_reasons": None,
    }
    sources = {s["id"]: s for s in manifest["sources"]}
    assert sources["rules-kr-restricted"]["status"] == "loaded"
    assert len(sources["rules-eu-annex-v"]["files"][0]["sha256"]) == 64
    assert "rules-eu-annex-vi" in manifest["missing_sources"]
    assert manifest["tables"]["rules"]["rows"] == sum(i["rules"] for i in lists.values())
    assert manifest["tables"]["compounds"]["rows"] >= 1  # the catalogue is built as before
    rule_pack = RulePack.from_pack(pack)
    assert RulePack.from_pack(pack) is rule_pack  # read and indexed once per pack
    assert rule_pack.version == pack.version
    assert [r.rule_id for r in rule_pack.rules_for("EU", MIT)] == ["EU-V/57"]
    quinine = next(r for r in rule_pack.rules("EU", "EU-III") if r.rule_id == "EU-III/21")
    assert quinine.conditions[0].expressed_as == "quinine base"


def test_a_pack_built_before_the_rule_tables_says_to_rebuild(
    pack: DataPack, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    shutil.copytree(pack.path, old)
    for table in ("rules", "rule_conditions"):
        (old / f"{table}.parquet").unlink()
    manifest = json.loads((old / "manifest.json").read_text())
    manifest.pop("regulation")
    (old / "manifest.json").write_text(json.dumps(manifest))
    opened = DataPack(old)
    assert opened.known_keys(["X"]) == set()
    with pytest.raises(NotFoundError, match="rebuild it with `actives data build`"):
        RulePack.from_pack(opened)
    with pytest.raises(DataPackMissingError, match="rebuild it with `actives data build`"):
        opened.rule_tables()
