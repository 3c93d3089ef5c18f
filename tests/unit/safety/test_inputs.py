"""DA inputs from CSV/XLSX: header variants, per-row errors, broken files, the batch run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from actives.errors import InvalidFileError
from actives.safety.defined_approaches import INCONCLUSIVE, NEGATIVE, POSITIVE
from actives.safety.inputs import read_da_inputs, run_defined_approaches

DATA = Path(__file__).resolve().parents[2] / "data" / "safety"


def test_reads_rows_with_header_variants_and_keeps_going_past_bad_rows() -> None:
    rows = read_da_inputs(DATA / "da_inputs.csv")
    assert [r.row for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    by_name = {r.name: r for r in rows}
    a = by_name["Invented A"]
    assert a.status == "ok" and a.message == ""
    assert a.dpra is not None and a.dpra.cys_depletion == 80.0 and a.dpra.lys_depletion == 40.0
    assert a.keratinosens is not None and a.keratinosens.call == POSITIVE
    assert a.hclat is not None and a.hclat.call == POSITIVE and a.hclat.mit_ug_ml == 5.0
    assert a.in_silico is not None and a.in_silico.variant == "ITSv1"
    assert a.smiles == "CC(=O)C=C" and a.log_kow == 1.2
    assert a.dpra.origin == "measured" and a.dpra.source == "da_inputs.csv, row 2"
    assert by_name["Invented B"].hclat is not None
    assert by_name["Invented B"].hclat.call == NEGATIVE


def test_bad_values_give_a_row_error_saying_what_was_expected() -> None:
    rows = {r.name: r for r in read_da_inputs(DATA / "da_inputs.csv")}
    c, d, f = rows["Invented C"], rows["Invented D"], rows["Invented F"]
    assert c.status == "error"
    assert c.message.startswith("dpra_cys 'abc' in row 4; expected a percentage 0-100")
    assert d.status == "error"
    assert "keratinosens_call 'maybe' in row 5; expected positive/negative" in d.message
    assert f.status == "error" and "dpra_cys '150' in row 7" in f.message
    assert c.dpra is None  # nothing half-built for a broken row


def test_batch_runs_both_approaches_per_row() -> None:
    table = run_defined_approaches(read_da_inputs(DATA / "da_inputs.csv"))
    assert isinstance(table, pd.DataFrame)
    assert len(table) == 7
    rows = table.set_index("name")
    a = rows.loc["Invented A"]
    assert (a["da_2o3_call"], a["da_its_category"], a["da_its_score"]) == ("sensitiser", "1A", 7)
    assert a["da_2o3_not_needed"] == "h-CLAT"
    b = rows.loc["Invented B"]
    assert (b["da_2o3_call"], b["da_its_category"]) == ("non-sensitiser", "NC")
    e = rows.loc["Invented E"]  # DPRA borderline, negative h-CLAT with log Kow 4.2
    assert e["da_2o3_call"] == INCONCLUSIVE
    assert e["da_its_variant"] == "ITSv2"
    assert e["da_its_call"] == INCONCLUSIVE
    assert "DPRA or h-CLAT + in silico" in e["da_its_rule"]
    g = rows.loc["Invented G"]  # only a borderline h-CLAT
    assert g["status"] == "ok" and g["da_2o3_call"] == INCONCLUSIVE
    assert rows.loc["Invented C", "status"] == "error"
    assert rows["da_2o3_call"].isna()["Invented C"]


def test_korean_headers_and_calls() -> None:
    rows = read_da_inputs(DATA / "da_inputs_ko.csv")
    assert [r.status for r in rows] == ["ok", "ok"]
    first, second = rows
    assert first.name == "가상물질 1" and first.keratinosens is not None
    assert first.keratinosens.call == POSITIVE
    assert second.in_silico is not None and second.in_silico.in_domain is False
    table = run_defined_approaches(rows).set_index("name")
    assert table.loc["가상물질 1", "da_its_category"] == "1A"
    assert table.loc["가상물질 2", "da_2o3_call"] == "non-sensitiser"
    assert "not evaluated under GL497" in str(table.loc["가상물질 2", "da_its_variant"])
    assert not table.loc["가상물질 2", "guideline_conformant"]


def test_xlsx_is_read_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "inputs.xlsx"
    pd.DataFrame(
        {"name": ["X"], "dpra_cys": [55.0], "dpra_lys": [30.0], "keratinosens_call": ["+"],
         "hclat_call": ["active"], "hclat_mit": [120]}
    ).to_excel(path, index=False)  # fmt: skip
    (row,) = read_da_inputs(path)
    assert row.status == "ok"
    assert row.hclat is not None and row.hclat.mit_ug_ml == 120.0
    table = run_defined_approaches([row])
    assert table.loc[0, "da_its_category"] == "1*"  # 3 + 2 without in silico


def test_negative_mit_word_means_a_negative_hclat(tmp_path: Path) -> None:
    path = tmp_path / "mit.csv"
    path.write_text("name,hclat_mit,dpra_cys,dpra_lys\nY,negative,1,1\n", encoding="utf-8")
    (row,) = read_da_inputs(path)
    assert row.hclat is not None and row.hclat.call == NEGATIVE and row.hclat.mit_ug_ml is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("binary.csv", bytes(range(256)) * 4, "could not be read as a table"),
        ("fake.xlsx", b"not a zip archive", "could not be read as a table"),
        ("data.json", b"{}", "expected .csv, .tsv, .txt or .xlsx"),
        ("header_only.csv", b"name,dpra_cys\n", "no data rows"),
    ],
)
def test_broken_files_raise_invalid_file_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidFileError, match=message):
        read_da_inputs(path)


def test_file_without_expected_columns_lists_them() -> None:
    with pytest.raises(InvalidFileError, match="expected some of: dpra_cys, dpra_lys"):
        read_da_inputs(DATA / "wrong_columns.csv")


def test_missing_file_is_an_invalid_file_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match="does not exist"):
        read_da_inputs(tmp_path / "nope.csv")


def test_in_silico_call_without_tool_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "tool.csv"
    path.write_text("name,in_silico_call,dpra_cys\nZ,positive,30\n", encoding="utf-8")
    (row,) = read_da_inputs(path)
    assert row.status == "error"
    assert row.message.startswith("in_silico_tool missing in row 2; expected the tool")
