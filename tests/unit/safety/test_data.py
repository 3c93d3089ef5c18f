"""Skin-sensitisation reference data: readers, curation counts, conflict rules, derived sets, pack.

The fixtures in tests/data/raw/{ice-skinsens,skinsensdb,echa-skinsens-caat} are hand-written:
cinnamaldehyde has two ICE studies per assay and contradicting SkinSensDB values, lactic acid is
negative everywhere with censored bounds, eugenol's h-CLAT data come from SkinSensDB only.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from actives.chem.batch import process_structure
from actives.errors import DataPackMissingError, InvalidFileError, InvalidInputError
from actives.knowledge import DataPack, build_pack
from actives.knowledge.loaders import skinsens
from actives.knowledge.sources import get_source, sensitisation_sources
from actives.safety.data import (
    ENDPOINT_IDS,
    RECORD_COLUMNS,
    combine_values,
    da_reference_set,
    ghs_from_llna,
    hazard_training_set,
    merge_sensitisation,
    merged_columns,
    read_sensitisation_records,
)

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
CINNAMALDEHYDE = "KJPRLNWUNMBNBZ-QPJJXVBHSA-N"  # (E)-cinnamaldehyde, as ICE draws it
LACTIC_ACID = "JVTAAEKCZFNVCJ-UHFFFAOYSA-N"
EUGENOL = "RRAFCDWBNXTKKO-UHFFFAOYSA-N"
ISOEUGENOL = "BJIOGJUNALELMI-UHFFFAOYSA-N"
BENZYL_BENZOATE = "SESFRYSPDFLNCH-UHFFFAOYSA-N"
HYDROXYCITRONELLAL = "WPFVBOQKRVRMJB-UHFFFAOYSA-N"
CITRAL = "WTEVQBCEXWBHNA-UHFFFAOYSA-N"
CINNAMYL_ALCOHOL = "OOCCDEMITAIZTP-QPJJXVBHSA-N"


@pytest.fixture(scope="module")
def read() -> tuple[pd.DataFrame, dict[str, tuple[int, int, str]]]:
    records, steps = read_sensitisation_records(RAW)
    return records, {s.name: (s.rows_in, s.rows_out, s.note) for s in steps}


@pytest.fixture(scope="module")
def records(read: tuple[pd.DataFrame, dict[str, tuple[int, int, str]]]) -> pd.DataFrame:
    return read[0]


@pytest.fixture(scope="module")
def merged(records: pd.DataFrame) -> pd.DataFrame:
    return merge_sensitisation(records).set_index("inchikey", drop=False)


def dropped(steps: dict[str, tuple[int, int, str]], name: str) -> int:
    rows_in, rows_out, _note = steps[f"dropped: {name}"]
    return rows_in - rows_out


# -- records and curation -----------------------------------------------------------------------


def test_records_use_the_vocabulary_and_count_every_drop(read) -> None:
    records, steps = read
    assert list(records.columns) == RECORD_COLUMNS
    assert set(records["endpoint"]) <= set(ENDPOINT_IDS)
    assert set(records["source"]) == {"ice_invitro", "ice_invivo", "skinsensdb", "echa_caat"}
    assert steps["raw rows read"][:2] == (85, 85)
    assert dropped(steps, "unreadable SMILES") == 1  # ICE 'C1CC('
    assert dropped(steps, "no structure (no SMILES)") == 3  # ICE polymer, SkinSensDB extract x2
    assert dropped(steps, "inorganic or organometallic (no organic parent)") == 1  # NaCl
    assert dropped(steps, "mixture of several organic components") == 5  # SkinSensDB MIT/CMIT
    assert dropped(steps, "mixture or formulation (marked by the source)") == 1  # ICE MIX1
    assert dropped(steps, "a range, not a value") == 1  # LuSens '1.47 - 2.93'
    assert steps["records kept"][:2] == (len(records), len(records))
    assert records["inchikey"].nunique() == 11


def test_skinsensdb_ec3_zero_is_unknown_never_a_number(read, merged) -> None:
    records, steps = read
    assert dropped(steps, "LLNA_EC3 '0' (non- or strong sensitiser)") == 1
    isoeugenol = records[records["inchikey"] == ISOEUGENOL]
    assert "llna_ec3" not in set(isoeugenol["endpoint"])
    assert (records.loc[records["endpoint"] == "llna_ec3", "value"] > 0).all()
    assert math.isnan(merged.loc[ISOEUGENOL, "llna_ec3"])
    assert merged.loc[ISOEUGENOL, "llna_call"] is None
    assert merged.loc[ISOEUGENOL, "llna_call_n"] == 0


def test_skinsensdb_bad_cas_and_shared_ec150_column(records: pd.DataFrame) -> None:
    # The MIT/CMIT row's CAS is a date (dropped); Hydroxycitronellal's EC150 goes to U-SENS
    # because the row has a U-SENS CV70 and no h-CLAT readout.
    raw = skinsens.load_skinsensdb(RAW / "skinsensdb" / "RAW_SKINSENS_DB_complete__Sheet2.csv")
    assert set(raw.loc[raw["name"] == "Isothiazolinone mixture", "cas"]) == {""}
    hydroxy = records[records["inchikey"] == HYDROXYCITRONELLAL]
    assert "usens_cd86_ec150" in set(hydroxy["endpoint"])
    assert "hclat_cd86_ec150" not in set(hydroxy["endpoint"])
    eugenol = records[(records["inchikey"] == EUGENOL) & (records["source"] == "skinsensdb")]
    assert "hclat_cd86_ec150" in set(eugenol["endpoint"])


def test_stereo_less_structure_joins_its_only_stereo_form(read) -> None:
    records, steps = read
    # SkinSensDB draws cinnamaldehyde without stereo; ICE and ECHA with (E).
    skinsensdb = records[
        (records["source"] == "skinsensdb") & (records["name"] == "Cinnamaldehyde")
    ]
    assert set(skinsensdb["inchikey"]) == {CINNAMALDEHYDE}
    assert "1 chemicals" in steps["stereo-less structures joined to their only stereo form"][2]


def test_echa_mojibake_is_cleaned_and_structures_rekeyed(records, merged) -> None:
    moj = "\u00c3\u201a\u00c2\u00a0"
    assert skinsens.clean_echa_smiles("CCO" + moj + moj + "  ") == "CCO"
    triacetin, _smiles, _values = process_structure("CC(=O)OCC(COC(=O)C)OC(=O)C")
    echa = records[records["source"] == "echa_caat"]
    assert triacetin in set(echa["inchikey"])
    assert merged.loc[triacetin, "echa_call"] == "negative"
    # ECHA stays its own endpoint: cinnamaldehyde's LLNA call rests on the two ICE EC3 tests.
    assert merged.loc[CINNAMALDEHYDE, "echa_call"] == "positive"
    assert merged.loc[CINNAMALDEHYDE, "llna_call_n"] == 2
    assert merged.loc[CINNAMALDEHYDE, "llna_call_source"] == "ice_invivo"
    formic = process_structure("C(=O)O")[0]
    assert (merged.loc[formic, "echa_call"], merged.loc[formic, "echa_h317"]) == (
        "negative",
        "positive",
    )


# -- conflict rules -----------------------------------------------------------------------------


def test_ice_beats_skinsensdb_and_skinsensdb_fills_gaps(merged: pd.DataFrame) -> None:
    cinnamaldehyde = merged.loc[CINNAMALDEHYDE]
    assert cinnamaldehyde["dpra_cys_depletion"] == pytest.approx(65.0)  # ICE 70, 60; not 99
    assert cinnamaldehyde["dpra_cys_depletion_source"] == "ice_invitro"
    assert cinnamaldehyde["llna_ec3"] == pytest.approx(math.sqrt(1.5 * 3.0))  # not 0.5
    assert merged.loc[EUGENOL, "llna_ec3"] == pytest.approx(13.0)  # ICE 13, not SkinSensDB 5.2
    assert merged.loc[ISOEUGENOL, "dpra_cys_depletion"] == pytest.approx(45.0)
    assert merged.loc[ISOEUGENOL, "dpra_cys_depletion_source"] == "skinsensdb"
    # Human: ICE has one positive and one negative test (a tie); SkinSensDB's 'P' is not used.
    assert cinnamaldehyde["human_call"] is None and cinnamaldehyde["human_call_conflict"]
    assert cinnamaldehyde["human_call_source"] == "ice_invivo"


def test_calls_follow_the_majority_and_a_tie_is_conflicting(merged: pd.DataFrame) -> None:
    lactic = merged.loc[LACTIC_ACID]
    assert lactic["human_call"] == "negative"
    assert (lactic["human_call_n"], lactic["human_call_n_positive"]) == (3, 1)
    assert not lactic["human_call_conflict"]
    benzoate = merged.loc[BENZYL_BENZOATE]
    assert benzoate["llna_call"] is None and benzoate["llna_call_conflict"]
    assert benzoate["llna_ghs"] is None and benzoate["llna_ghs_conflict"]


def test_geometric_mean_for_concentrations_arithmetic_for_depletion_and_imax(merged) -> None:
    cinnamaldehyde = merged.loc[CINNAMALDEHYDE]
    assert cinnamaldehyde["keratinosens_ec15"] == pytest.approx(20.0)  # 10 and 40
    assert cinnamaldehyde["keratinosens_imax"] == pytest.approx(6.0)  # 5 and 7
    assert cinnamaldehyde["keratinosens_ec15_n"] == 2


def test_censored_values_stay_censored_at_the_highest_bound(merged: pd.DataFrame) -> None:
    lactic = merged.loc[LACTIC_ACID]
    assert lactic["keratinosens_ec15"] == 2000.0
    assert lactic["keratinosens_ec15_relation"] == ">"
    assert not lactic["keratinosens_ec15_conflict"]


@pytest.mark.parametrize(
    ("values", "relations", "mean", "expected"),
    [
        ([10, 1000], ["=", "="], "geometric", (100.0, "=", False)),
        ([10, 20], ["=", "="], "arithmetic", (15.0, "=", False)),
        ([500, 2000], ["=", ">"], "geometric", (500.0, "=", True)),  # exact below a '>' bound
        ([3000, 2000], ["=", ">"], "geometric", (3000.0, "=", False)),
        ([1000, 2000], [">", ">"], "geometric", (2000.0, ">", False)),
        ([5, 1], ["<", "<"], "geometric", (1.0, "<", False)),
    ],
)
def test_combine_values(values, relations, mean, expected) -> None:
    value, relation, conflict = combine_values(values, relations, mean)
    assert (value, relation, conflict) == (pytest.approx(expected[0]), *expected[1:])


def test_bounds_on_both_sides_give_no_value() -> None:
    value, relation, conflict = combine_values([100, 50], [">", "<"], "geometric")
    assert math.isnan(value) and relation is None and conflict


def test_hclat_mit_is_the_lower_ec_of_a_positive_test(merged: pd.DataFrame) -> None:
    # Test A: EC150 30, EC200 12 -> 12; test B: EC150 48 only -> 48; combined geometrically.
    assert merged.loc[CINNAMALDEHYDE, "hclat_mit"] == pytest.approx(24.0)
    assert merged.loc[CINNAMALDEHYDE, "hclat_mit_n"] == 2
    # SkinSensDB states no call; exact EC150 25 and EC200 80 make the test positive.
    assert merged.loc[EUGENOL, "hclat_mit"] == pytest.approx(25.0)
    assert merged.loc[EUGENOL, "hclat_mit_source"] == "skinsensdb"
    assert math.isnan(merged.loc[LACTIC_ACID, "hclat_mit"])  # negative test, no MIT


def test_a_negative_hclat_test_has_no_mit_even_with_an_ec_value() -> None:
    rows = [
        ("hclat_call", math.nan, "=", "negative"),
        ("hclat_cd86_ec150", 40.0, "=", None),
    ]
    records = pd.DataFrame(
        [
            {
                "inchikey": LACTIC_ACID,
                "smiles": "CC(O)C(=O)O",
                "name": "x",
                "cas": "",
                "source": "ice_invitro",
                "record_id": "r1",
                "endpoint": e,
                "value": v,
                "relation": r,
                "unit": "",
                "call": c,
                "category": None,
                "reference": "",
                "raw": "",
            }  # fmt: skip
            for e, v, r, c in rows
        ]
    )
    merged = merge_sensitisation(records)
    assert math.isnan(merged["hclat_mit"].iloc[0])
    assert merged["hclat_cd86_ec150"].iloc[0] == 40.0


def test_llna_call_from_calls_and_ec3(merged: pd.DataFrame) -> None:
    assert merged.loc[EUGENOL, "llna_call"] == "positive"  # an EC3 number only
    lactic = merged.loc[LACTIC_ACID]  # a Call 'Inactive' and a '>' EC3 bound: two negatives
    assert (lactic["llna_call"], lactic["llna_call_n"], lactic["llna_ghs"]) == ("negative", 2, "NC")
    assert lactic["llna_ec3_relation"] == ">"
    assert merged.loc[HYDROXYCITRONELLAL, "llna_call"] == "negative"  # SkinSensDB 'NC'


@pytest.mark.parametrize(
    ("call", "ec3", "relation", "category"),
    [
        ("positive", 2.0, "=", "1A"),  # the boundary belongs to 1A (EC3 <= 2 %)
        ("positive", 2.0001, "=", "1B"),
        ("positive", 0.05, "=", "1A"),
        ("positive", 25.0, ">", "1B"),
        ("positive", 1.0, ">", "1"),  # > 1 % could be either sub-category
        ("positive", 1.0, "<", "1A"),
        ("positive", math.nan, None, "1"),
        ("negative", math.nan, None, "NC"),
        ("negative", 5.0, "=", "NC"),
        (None, 5.0, "=", None),
    ],
)
def test_ghs_category_from_llna(call, ec3, relation, category) -> None:
    assert ghs_from_llna(call, ec3, relation) == category


def test_ghs_categories_of_the_fixtures(merged: pd.DataFrame) -> None:
    assert merged.loc[CITRAL, "llna_ghs"] == "1A"  # EC3 2.0 %
    assert merged.loc[CINNAMYL_ALCOHOL, "llna_ghs"] == "1B"  # EC3 2.1 %
    assert merged.loc[CINNAMALDEHYDE, "llna_ghs"] == "1B"  # geometric mean 2.12 %
    assert set(merged["ghs_category"].dropna()) == set()  # the stated one was a mixture


def test_merged_table_shape(merged: pd.DataFrame) -> None:
    assert list(merged.columns) == merged_columns()
    assert merged["inchikey"].is_unique
    assert merged.loc[CINNAMALDEHYDE, "name"] == "Cinnamaldehyde"  # ICE's name before ECHA's
    assert merged.loc[CINNAMALDEHYDE, "sources"] == "echa_caat;ice_invitro;ice_invivo;skinsensdb"
    assert merged["dpra_call_n"].dtype == int and merged["human_call_conflict"].dtype == bool


# -- derived sets -------------------------------------------------------------------------------


def test_hazard_training_sets(merged: pd.DataFrame) -> None:
    llna = hazard_training_set(merged, "llna").set_index("inchikey")
    assert list(llna.columns) == ["smiles", "label"]
    assert llna.loc[EUGENOL, "label"] == 1 and llna.loc[LACTIC_ACID, "label"] == 0
    assert BENZYL_BENZOATE not in llna.index  # conflicting
    human = hazard_training_set(merged, "human").set_index("inchikey")
    assert CINNAMALDEHYDE not in human.index and human.loc[ISOEUGENOL, "label"] == 1
    potency = hazard_training_set(merged, "potency").set_index("inchikey")["label"]
    assert potency.to_dict() == {
        CINNAMALDEHYDE: "1B",
        CINNAMYL_ALCOHOL: "1B",
        CITRAL: "1A",
        EUGENOL: "1B",
        HYDROXYCITRONELLAL: "NC",
        LACTIC_ACID: "NC",
    }
    dpra = hazard_training_set(merged, "dpra").set_index("inchikey")["label"]
    # reported calls, then the TG 442C prediction model on SkinSensDB's depletion values:
    # isoeugenol Cys-only 45 % > 18.47 % positive, eugenol Cys-only 5 % < 10.56 % negative
    assert dpra.to_dict() == {CINNAMALDEHYDE: 1, LACTIC_ACID: 0, ISOEUGENOL: 1, EUGENOL: 0}
    keratinosens = hazard_training_set(merged, "keratinosens").set_index("inchikey")["label"]
    assert keratinosens.get(EUGENOL) == 0  # EC1.5 '> 2000' uM: never reached, negative
    with pytest.raises(InvalidInputError, match="Unknown sensitisation target 'gpmt'"):
        hazard_training_set(merged, "gpmt")


def test_da_reference_set(merged: pd.DataFrame) -> None:
    da = da_reference_set(merged).set_index("inchikey")
    assert set(da.index) == {CINNAMALDEHYDE, LACTIC_ACID, EUGENOL}
    assert da.loc[CINNAMALDEHYDE, "has_all_calls"] and not da.loc[EUGENOL, "has_all_calls"]
    assert da.loc[CINNAMALDEHYDE, "hclat_mit"] == pytest.approx(24.0)
    assert da.loc[LACTIC_ACID, "llna_ghs"] == "NC"
    with pytest.raises(InvalidInputError, match="lacks column"):
        da_reference_set(merged.drop(columns=["hclat_mit"]))


# -- broken input -------------------------------------------------------------------------------


def test_missing_column_names_the_column_and_the_file(tmp_path: Path) -> None:
    source = RAW / "ice-skinsens" / "RAW_ICE_skin_sensitization__Data_invitro.csv"
    broken = tmp_path / "ice_broken.csv"
    pd.read_csv(source, dtype=str).drop(columns=["Response"]).to_csv(broken, index=False)
    with pytest.raises(InvalidFileError, match=r"ice_broken\.csv: missing column\(s\) Response;"):
        skinsens.load_ice_invitro(broken)
    echa = tmp_path / "echa.csv"
    echa.write_text("InChIKey,VALUE,smiles\nX,1,CCO\n")
    with pytest.raises(InvalidFileError, match=r"echa\.csv: missing column\(s\) DATATYPE, H317"):
        skinsens.load_echa_caat(echa)


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InvalidFileError, match=r"empty\.csv: the file is empty"):
        skinsens.load_skinsensdb(empty)
    header = tmp_path / "header.csv"
    header.write_text(",".join(skinsens.SKINSENSDB_COLUMNS) + "\n")
    assert skinsens.load_skinsensdb(header).empty


def test_no_sensitisation_data_and_malformed_records(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="No skin-sensitisation data under"):
        read_sensitisation_records(tmp_path)
    with pytest.raises(InvalidInputError, match="lack column"):
        merge_sensitisation(pd.DataFrame({"inchikey": ["X"]}))


def test_a_missing_source_is_noted_and_the_rest_is_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "skinsensdb", raw / "skinsensdb")
    records, steps = read_sensitisation_records(raw)
    assert set(records["source"]) == {"skinsensdb"}
    assert "missing: ice_invitro" in steps[0].note and "echa_caat" in steps[0].note


def test_parse_number() -> None:
    assert skinsens.parse_number("> 2000") == (2000.0, ">")
    assert skinsens.parse_number("<=0.98") == (0.98, "<")
    assert skinsens.parse_number("<<1") == (1.0, "<")
    assert skinsens.parse_number("-1356.2") == (-1356.2, "=")
    assert skinsens.parse_number("5 %") == (5.0, "=")
    assert skinsens.parse_number("IDR") is None and skinsens.parse_number("7.7 nmol") is None


# -- data pack ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sensitisation fixtures and one small compound source (a pack needs a catalogue)."""
    raw = tmp_path_factory.mktemp("raw")
    for folder in ("ice-skinsens", "skinsensdb", "echa-skinsens-caat", "lotus"):
        shutil.copytree(RAW / folder, raw / folder)
    return raw


@pytest.fixture(scope="module")
def pack(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(small_raw, tmp_path_factory.mktemp("packs"), workers=1))


def test_pack_holds_the_merged_table_and_the_records(pack: DataPack) -> None:
    found = pack.sensitisation([CINNAMALDEHYDE, "NOTAKEY-XXXXXXXXXX-N", ""])
    assert list(found["inchikey"]) == [CINNAMALDEHYDE]
    assert found["llna_ghs"].iloc[0] == "1B" and found["dpra_call"].iloc[0] == "positive"
    assert found["hclat_mit"].iloc[0] == pytest.approx(24.0)
    assert pack.sensitisation([]).empty
    behind = pack.sensitisation_records([CINNAMALDEHYDE])
    assert set(behind["source"]) == {"ice_invitro", "ice_invivo", "skinsensdb", "echa_caat"}
    tables = pack.manifest["tables"]
    assert tables["sensitisation"]["rows"] == 11
    assert tables["sensitisation_records"]["rows"] == len(behind) + int(
        pack.sql(
            "SELECT count(*) FROM sensitisation_records WHERE inchikey <> ?", [CINNAMALDEHYDE]
        ).iloc[0, 0]  # fmt: skip
    )


def test_pack_manifest_has_sources_licences_and_curation(pack: DataPack) -> None:
    manifest = pack.manifest
    by_id = {s["id"]: s for s in manifest["sources"]}
    for source in sensitisation_sources():
        assert by_id[source.id]["status"] == "loaded"
        assert by_id[source.id]["licence"] == source.licence
    assert any("'0'" in c for c in by_id["skinsensdb"]["caveats"])
    report = manifest["sensitisation"]
    assert report["chemicals"] == 11
    names = [step["name"] for step in report["curation"]]
    assert "dropped: unreadable SMILES" in names
    assert report["conflicts"]["human_call"] == 1
    assert report["training_sets"]["potency"] == {"n": 6, "1A": 1, "1B": 3, "NC": 2}
    assert get_source("ice_invivo").kind == "sensitisation"
    assert manifest["tables"]["compounds"]["rows"] >= 1  # the catalogue is built as before


def test_missing_sensitisation_file_is_recorded_as_missing(small_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw, raw)
    shutil.rmtree(raw / "echa-skinsens-caat")
    built = DataPack(build_pack(raw, tmp_path / "packs", workers=1))
    assert "echa_caat" in built.manifest["missing_sources"]
    assert built.manifest["sensitisation"]["sources"] == ["ice_invitro", "ice_invivo",
                                                          "skinsensdb"]  # fmt: skip
    assert built.sensitisation([CINNAMALDEHYDE])["echa_call"].iloc[0] is None


def test_a_pack_built_before_the_sensitisation_tables_still_opens(
    pack: DataPack, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    shutil.copytree(pack.path, old)
    for table in ("sensitisation", "sensitisation_records"):
        (old / f"{table}.parquet").unlink()
    manifest = json.loads((old / "manifest.json").read_text())
    (old / "manifest.json").write_text(json.dumps(manifest))
    opened = DataPack(old)
    assert opened.known_keys(["X"]) == set()
    with pytest.raises(DataPackMissingError, match="rebuild it with `actives data build`"):
        opened.sensitisation([CINNAMALDEHYDE])
