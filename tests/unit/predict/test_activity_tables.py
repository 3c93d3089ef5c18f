"""A user's activity table (CSV, any delimiter and encoding, or XLSX) as curation's columns."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.errors import InvalidFileError, InvalidInputError
from actives.predict.activity_tables import canonical_unit, read_activity_table
from actives.predict.curation import curate

DATA = Path(__file__).resolve().parents[2] / "data" / "activities"
INVENTED = DATA / "tyrosinase_inhouse_invented.csv"


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return buffer.getvalue()


def test_invented_fixture_reads_and_curates_with_counts() -> None:
    table = read_activity_table(INVENTED)
    assert table.columns == {"smiles": "SMILES", "value": "IC50 (uM)",
                             "assay_description": "Assay", "source_id": "Compound"}  # fmt: skip
    assert table.units == "uM" and not table.value_is_p and len(table.raw) == 41
    assert list(table.raw.columns) == ["smiles", "value", "units", "relation",
                                       "assay_description", "source_id", "file_row"]  # fmt: skip
    assert [(p.row, p.value) for p in table.problems] == [(36, "n.d.")]
    arbutin = table.raw[table.raw.source_id == "arbutin"].iloc[0]
    assert arbutin.relation == ">" and arbutin.value == 1000 and arbutin.file_row == 3
    curated = curate(table.raw, table.curation_options())
    counts = {s.name: (s.rows_in, s.rows_out) for s in curated.steps}
    assert counts["have a structure and a numeric value"] == (41, 40)
    assert counts["aggregated to one row per InChIKey"] == (40, 39)
    assert (curated.data.relation == "=").sum() == 34
    assert (curated.data.relation == "<").sum() == 5  # "> 1000 uM" is "< 3" in pIC50
    hydroquinone = curated.data[curated.data.smiles == "Oc1ccc(O)cc1"].iloc[0]
    assert hydroquinone.n == 2  # the replicate
    assert hydroquinone.value == pytest.approx(-np.log10(41e-6), abs=0.01)  # median of 38, 44 uM
    described = table.describe()
    assert described["problem_rows"] == 1 and "n.d." in described["problems"][0]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_any_delimiter(sep: str) -> None:
    text = sep.join(["smiles", "IC50", "units"]) + "\n"
    text += "\n".join(sep.join(r) for r in [["Oc1ccc(O)cc1", "5", "uM"], ["CCO", "7", "mM"]])
    table = read_activity_table(text.encode(), filename="t.csv")
    assert table.raw.value.tolist() == [5.0, 7.0] and table.raw.units.tolist() == ["uM", "mM"]


def test_utf8_bom_and_korean_cp949_headers() -> None:
    text = (
        "구조,값,단위,화합물명\nOc1ccc(O)cc1,5,µM,하이드로퀴논\nCCO,3,ppm,에탄올\n"
        "CCCO,4,nmol/L,프로판올\n"
    )
    bom = read_activity_table(b"\xef\xbb\xbf" + text.encode(), filename="kr.csv")
    assert bom.columns["smiles"] == "구조" and bom.columns["units"] == "단위"
    cp949 = read_activity_table(text.replace("µM", "uM").encode("cp949"), filename="kr.csv")
    assert cp949.columns == {"smiles": "구조", "value": "값", "units": "단위",
                             "source_id": "화합물명"}  # fmt: skip
    assert cp949.raw.source_id.tolist() == ["하이드로퀴논", "에탄올", "프로판올"]
    assert cp949.raw.units.tolist() == ["uM", "ppm", "nM"]
    # the unknown unit is reported with its row, kept, and counted out by curation
    assert [(p.row, p.column, p.value) for p in cp949.problems] == [(3, "단위", "ppm")]
    curated = curate(cp949.raw, cp949.curation_options())
    assert len(curated.data) == 2 and curated.rejected.reason.str.contains("ppm").any()


def test_p_values_are_detected_and_not_converted() -> None:
    table = read_activity_table(b"SMILES\tpIC50\nOc1ccc(O)cc1\t5.2\nCCO\t<4\n", filename="p.tsv")
    assert table.value_is_p and table.units is None
    assert table.raw.relation.tolist() == ["=", "<"]
    curated = curate(table.raw, table.curation_options())
    assert sorted(curated.data.value) == [4.0, 5.2]
    forced = read_activity_table(b"smiles,score\nCCO,4.5\nCCCO,5\n", filename="s.csv",
                                 value_column="score", value_is_p=True)  # fmt: skip
    assert forced.value_is_p and forced.raw.value.tolist() == [4.5, 5.0]


def test_relations_units_and_uncertainties_inside_values() -> None:
    text = (
        "SMILES,Activity\nCCO,<10 uM\nCCCO,>= 100 nM\nCCCCO,12.5 ± 1.1 µM\nCCCCCO,1.2e-6 M\n"
        'OCCO,10-20 uM\nOCCCO,"3,5 uM"\n'
    )
    table = read_activity_table(text.encode(), filename="v.csv")
    raw = table.raw
    assert raw.relation.tolist()[:4] == ["<", ">", "=", "="]
    assert raw.units.tolist()[:4] == ["uM", "nM", "uM", "M"]
    assert raw.value.tolist()[:4] == [10.0, 100.0, 12.5, 1.2e-6]
    assert np.isnan(raw.value.iloc[4]) and table.problems[0].row == 6  # a range is not a number
    assert raw.value.iloc[5] == 3.5  # a decimal comma


def test_explicit_columns_and_units() -> None:
    text = b"id;Structure_string;Result;Q\nA;CCO;12;<\nB;CCCO;30;\n"
    table = read_activity_table(text, filename="x.csv", smiles_column="structure_string",
                                value_column="Result", relation_column="Q", units="nM",
                                id_column="id")  # fmt: skip
    assert table.columns["smiles"] == "Structure_string" and table.units == "nM"
    assert table.raw.relation.tolist() == ["<", "="] and table.raw.source_id.tolist() == ["A", "B"]
    with pytest.raises(InvalidInputError, match="No column 'SMILES_x'.*'Structure_string'"):
        read_activity_table(text, filename="x.csv", smiles_column="SMILES_x")


def test_chembl_web_export_prefers_standard_columns() -> None:
    text = (
        '"Molecule ChEMBL ID";"Smiles";"Standard Type";"Standard Relation";"Standard Value";'
        '"Standard Units";"pChEMBL Value";"Value";"Units"\n'
        '"CHEMBL1";"Oc1ccc(O)cc1";"IC50";"\'=\'";"5000";"nM";"5.30";"5";"uM"\n'
        '"CHEMBL2";"CCO";"IC50";"\'>\'";"100000";"nM";"";"100";"uM"\n'
    )
    table = read_activity_table(text.encode(), filename="chembl.csv")
    assert table.columns["value"] == "Standard Value" and table.columns["units"] == "Standard Units"
    assert table.columns["relation"] == "Standard Relation"
    assert table.columns["source_id"] == "Molecule ChEMBL ID"
    assert table.raw.relation.tolist() == ["=", ">"] and table.raw.units.tolist() == ["nM", "nM"]


def test_xlsx_sheets_and_title_rows() -> None:
    data = _xlsx(
        {
            "notes": [["nothing here"]],
            "assay": [["Tyrosinase assay, 2026 (invented)", None], [None, None],
                      ["SMILES", "IC50 [nM]"], ["Oc1ccc(O)cc1", 1200], ["CCO", ">5000"]],
        }
    )  # fmt: skip
    table = read_activity_table(data, filename="plate.xlsx", sheet="assay")
    assert table.sheet == "assay" and table.units == "nM"
    assert table.raw.file_row.tolist() == [4, 5]  # Excel's own row numbers
    assert table.raw.value.tolist() == [1200.0, 5000.0] and table.raw.relation.iloc[1] == ">"
    by_number = read_activity_table(data, filename="plate.xlsx", sheet="2")
    assert by_number.sheet == "assay"
    with pytest.raises(InvalidFileError, match="sheet 'notes'. has a header row but no data"):
        read_activity_table(data, filename="plate.xlsx")  # the first sheet has no table
    with pytest.raises(InvalidInputError, match="no sheet 'plates'; its sheets are: notes, assay"):
        read_activity_table(data, filename="plate.xlsx", sheet="plates")


@pytest.mark.parametrize(
    ("content", "name", "error", "message"),
    [
        (b"", "empty.csv", InvalidFileError, "empty.csv is empty"),
        (b"  \n\n", "blank.csv", InvalidFileError, "is empty"),
        (b"SMILES,IC50 (uM)\n", "header.csv", InvalidFileError, "header row but no data rows"),
        (b"name,IC50 (uM)\nphenol,5\n", "nosmiles.csv", InvalidInputError,
         "No SMILES column in nosmiles.csv; the columns are: 'name', 'IC50 \\(uM\\)'"),
        (b"SMILES,name\nCCO,ethanol\n", "novalue.csv", InvalidInputError, "No value column"),
        (b"SMILES,IC50 (uM)\nCCO,active\nCCCO,n.d.\n", "text.csv", InvalidInputError,
         "has no numeric values .*row 2.*'active'"),
        (b"SMILES,IC50 (ppm)\nCCO,5\n", "ppm.csv", InvalidInputError,
         "names the unit 'ppm'.*expected one of: M, mM, uM"),
        (b"SMILES,IC50\nCCO,5\n", "nounit.csv", InvalidInputError,
         "No unit for any value.*--value-units"),
        (b"SMILES,IC50,units\nCCO,5,%\nCCCO,6,%\n", "pct.csv", InvalidInputError,
         "None of the units in column 'units'"),
        (b"SMILES,IC50,EC50\nCCO,5,6\n", "two.csv", InvalidInputError,
         "Several columns could be the value: 'IC50', 'EC50'"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", InvalidFileError,
         "looks like a binary file, not a text table"),
        (b"PK\x03\x04 this is not really a zip", "broken.xlsx", InvalidFileError,
         "not a readable .xlsx workbook"),
        (b"SMILES,IC50 (uM)\nCCO,5\n", "renamed.xlsx", InvalidFileError,
         "not an .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", InvalidFileError, "old binary Excel"),
        (b"SMILES,IC50 (uM)\nCCO,5\nCCCO,6,7,8\n", "ragged.csv", InvalidFileError,
         "cannot read as a table separated by ','"),
        (b"SMILES,IC50 (uM)\n\xff\xfe\xfa,5\n", "latin.csv", InvalidFileError,
         "neither UTF-8 nor CP949"),
    ],
)  # fmt: skip
def test_broken_inputs_say_what_was_wrong(
    content: bytes, name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read_activity_table(content, filename=name)


def test_more_broken_inputs(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match="Cannot read"):
        read_activity_table(tmp_path / "missing.csv")
    with pytest.raises(InvalidInputError, match="Unknown concentration unit 'furlongs'"):
        read_activity_table(b"SMILES,IC50\nCCO,5\n", filename="u.csv", units="furlongs")
    with pytest.raises(InvalidInputError, match="sheet .* but u.csv is a text table"):
        read_activity_table(b"SMILES,IC50\nCCO,5\n", filename="u.csv", sheet="1")
    with pytest.raises(InvalidFileError, match="cannot decode as ascii"):
        read_activity_table("SMILES,값 (uM)\nCCO,5\n".encode(), filename="a.csv", encoding="ascii")
    table = read_activity_table(b"SMILES,IC50 (uM),relation\nCCO,<5,>\n,6,\nCCCO,7,\n",
                                filename="r.csv")  # fmt: skip
    problems = [(p.row, p.message) for p in table.problems]
    assert problems[0][0] == 2 and "disagrees with the relation column" in problems[0][1]
    assert problems[1] == (3, "no structure")
    assert np.isnan(table.raw.value.iloc[0]) and table.raw.value.iloc[2] == 7.0


def test_utf16_tab_text_from_excel() -> None:
    text = "SMILES\tIC50 (µM)\nOc1ccc(O)cc1\t5\n"
    table = read_activity_table(text.encode("utf-16"), filename="unicode.txt")
    assert table.raw.units.tolist() == ["uM"] and table.raw.value.tolist() == [5.0]


@pytest.mark.parametrize(
    ("text", "unit"),
    [("µM", "uM"), ("μmol/L", "uM"), ("umol/l", "uM"), ("nM", "nM"), ("nmol/L", "nM"),
     ("mM", "mM"), ("M", "M"), ("mol/L", "M"), ("µg/mL", "ug/mL"), ("mg/L", "ug/mL"),
     ("mg/mL", "mg/mL"), ("g/L", "mg/mL"), ("ppm", None), ("%", None)],
)  # fmt: skip
def test_unit_spellings(text: str, unit: str | None) -> None:
    assert canonical_unit(text) == unit
