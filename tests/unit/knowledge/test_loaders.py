"""Loaders of the official and staged sources, on our fixtures, including broken files."""

import json
from pathlib import Path

import pytest

from actives.errors import InvalidFileError
from actives.knowledge.loaders import names, occurrences, structures
from tests.unit.knowledge.conftest import RAW


def test_wikidata_occurrences_drop_rows_without_structure() -> None:
    frame = occurrences.load_wikidata_occurrences(
        RAW / "wikidata-plant-occurrences" / "wikidata_plant_family_occurrences.csv"
    )
    assert len(frame) == 6  # the row without SMILES is dropped
    alba = frame[frame.organism_name == "Morus alba"]
    assert set(alba.genus) == {"Morus"} and set(alba.family) == {"Moraceae"}
    assert "10.1000/morus.alba.1" in set(alba.doi)


def test_lotus_dump_keeps_plants_and_strips_uris() -> None:
    frame = occurrences.load_lotus_metadata(RAW / "lotus" / "230106_frozen_metadata.csv")
    assert list(frame.organism_name) == ["Morus alba"]  # the fungus is left out
    assert frame.iloc[0].organism_id == "Q159570" and frame.iloc[0].genus == "Morus"
    everything = occurrences.load_lotus_metadata(
        RAW / "lotus" / "230106_frozen_metadata.csv", plants_only=False
    )
    assert len(everything) == 2


def test_occurrence_file_missing_columns(tmp_path: Path) -> None:
    bad = tmp_path / "occ.csv"
    bad.write_text("family,organism_name\nMoraceae,Morus alba\n")
    with pytest.raises(InvalidFileError, match="missing column.*organism_qid"):
        occurrences.load_wikidata_occurrences(bad)
    with pytest.raises(InvalidFileError, match="structure_smiles_2D"):
        occurrences.load_lotus_metadata(bad)


def test_corrupt_gzip_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "occ.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InvalidFileError, match="cannot be read"):
        occurrences.load_wikidata_occurrences(bad)


def test_structure_libraries() -> None:
    lotus = structures.load_lotus_library(RAW / "lotus-np-library" / "Lotus_predito_final.csv")
    assert list(lotus.source_id) == ["LTS0000001", "LTS0000002", "LTS0000003"]
    assert "pred_pIC50" not in lotus.columns
    zinc = structures.load_smiles_file(RAW / "zinc-natural-products" / "zinc_fixture.smi")
    assert list(zinc.source_id) == ["ZINC00000001", "ZINC00000002"]  # blank and # lines skipped


def test_lotus_library_wrong_columns(tmp_path: Path) -> None:
    bad = tmp_path / "lib.csv"
    bad.write_text("id,smiles\n1,CCO\n")
    with pytest.raises(InvalidFileError, match="expected columns '1'"):
        structures.load_lotus_library(bad)


def test_cosing_annex_with_preamble_and_multiline_cells() -> None:
    frame = names.load_cosing_annex(RAW / "cosing-eu" / "COSING_Annex_II_v2.txt", "II")
    hq = frame[frame.name == "Hydroquinone"].iloc[0]
    assert (hq.cas, hq.ec, hq.source_ref) == ("123-31-9", "204-617-8", "EU Annex II/1339")
    assert "Multi-line chemical name" in set(frame.name)
    annex3 = names.load_cosing_annex(RAW / "cosing-eu" / "COSING_Annex_III_v2.txt", "III")
    assert {"ARBUTIN", "4-Hydroxyphenyl-beta-D-glucopyranoside"} <= set(annex3.name)
    assert set(annex3[annex3.name == "ARBUTIN"].kind) == {"inci"}


def test_cosing_inventory_official_format() -> None:
    frame = names.load_cosing_inventory(
        RAW / "cosing-eu" / "COSING_Ingredients-Fragrance Inventory_v2.csv"
    )
    row = frame[frame.name == "RESVERATROL"].iloc[0]
    assert (row.kind, row.cas, row.source_ref) == ("inci", "501-36-0", "CosIng 32345")


def test_not_a_cosing_export(tmp_path: Path) -> None:
    bad = tmp_path / "annex.txt"
    bad.write_text("just,some,csv\n1,2,3\n")
    with pytest.raises(InvalidFileError, match="not a CosIng export"):
        names.load_cosing_annex(bad, "II")


def test_mfds_dictionary_jsonl_and_official_export(tmp_path: Path) -> None:
    frame = names.load_mfds_dictionary(RAW / "mfds-kr" / "mfds_ingredients_raw.jsonl")
    arbutin = frame[frame.cas == "497-76-7"]
    assert set(arbutin.name) == {"알부틴", "Arbutin"}
    assert set(frame[frame.name == "트랜스레스베라트롤"].lang) == {"ko"}
    official = tmp_path / "mfds_ingredient_dictionary.csv"
    official.write_text("성분명,영문명,CAS No,구명칭\n알부틴,Arbutin,497-76-7,\n", encoding="utf-8")
    frame = names.load_mfds_dictionary(official)
    assert set(frame.name) == {"알부틴", "Arbutin"}


def test_mfds_dictionary_broken_line(tmp_path: Path) -> None:
    bad = tmp_path / "dict.jsonl"
    bad.write_text(json.dumps({"ingredient_kor_name": "알부틴"}) + "\n{not json\n")
    with pytest.raises(InvalidFileError, match="line 2 is not valid JSON"):
        names.load_mfds_dictionary(bad)
    wrong = tmp_path / "dict.csv"
    wrong.write_text("name,cas\nx,1\n")
    with pytest.raises(InvalidFileError, match="Korean-name column"):
        names.load_mfds_dictionary(wrong)


def test_iecic_and_mhlw() -> None:
    iecic = names.load_iecic(RAW / "nmpa-cn" / "IECIC_2021__Sheet1.csv")
    assert set(iecic[iecic.source_ref == "IECIC 2021 #1"].name) == {"熊果苷", "ARBUTIN"}
    mhlw = names.load_mhlw_quasi_drug(RAW / "mhlw-jp" / "quasi_drug_fixture.xlsx")
    assert {"アルブチン", "熊果苷", "ARBUTIN"} <= set(mhlw.name)
    assert set(mhlw[mhlw.name == "アルブチン"].lang) == {"ja"}


def test_mhlw_without_header(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["nothing", "here"])
    path = tmp_path / "jp.xlsx"
    wb.save(path)
    with pytest.raises(InvalidFileError, match="INCI NAME"):
        names.load_mhlw_quasi_drug(path)
