"""read_plate: every format from fixtures written by formula, layouts, broken input, real files."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest

from actives.assays.qpcr.plate import Plate
from actives.assays.qpcr.readers import (
    apply_layout,
    detect_format,
    list_rdml_runs,
    parse_sample_type,
    read_layout,
    read_plate,
)
from actives.config import get_settings
from actives.errors import InvalidFileError, InvalidInputError, NotFoundError

DATA = Path(__file__).parents[3] / "data" / "assays" / "qpcr"
CYCLES = np.arange(1.0, 41.0)


def sigmoid(c0: float, scale: float = 1.0) -> np.ndarray:
    """The formula make_fixtures.py wrote every curve with."""
    return scale * (100.0 + 5000.0 / (1.0 + np.exp(-(CYCLES - c0) / 1.5)))


def curve(plate: Plate, well: str, target: str | None = None) -> np.ndarray:
    return plate.reaction(well, target).fluorescence


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("synthetic.rdml", "rdml"),
        ("synthetic.xml", "rdml"),
        ("cfx_amplification_SYBR.csv", "cfx"),
        ("cfx_amplification.xlsx", "cfx"),
        ("quantstudio_amplification.csv", "quantstudio"),
        ("quantstudio_amplification.xlsx", "quantstudio"),
        ("lightcycler480.txt", "lightcycler"),
        ("table_wide.csv", "table"),
    ],
)
def test_detect_format(name: str, expected: str) -> None:
    assert detect_format((DATA / name).read_bytes(), name) == expected
    assert read_plate(DATA / name).source_format == expected


def test_rdml_reads_samples_types_quantities_and_metadata() -> None:
    plate = read_plate(DATA / "synthetic.rdml")
    assert (plate.rows, plate.columns) == (8, 12)
    assert plate.wells() == ["A1", "A2", "B1", "B3"]  # react ids 1, 2, 13, 15
    np.testing.assert_allclose(plate.cycles, CYCLES)
    np.testing.assert_allclose(curve(plate, "A1"), sigmoid(18.0), rtol=1e-6)
    np.testing.assert_allclose(curve(plate, "B3"), sigmoid(60.0), rtol=1e-6)
    a1, a2, b1, b3 = (plate.reaction(w) for w in ("A1", "A2", "B1", "B3"))
    assert (a1.sample, a1.sample_type, a1.quantity, a1.instrument_cq) == ("std1", "std", 1e5, 17.9)
    assert a2.quantity == 1e4
    assert (b1.sample_type, b1.excluded, b1.quantity) == ("unkn", "pipetting error", None)
    assert (b3.sample_type, b3.instrument_cq) == ("ntc", None)  # RDML Cq -1 = none
    assert a1.target == "GAPDH" and a1.dye == "SYBR"
    meta = plate.metadata
    assert meta["instrument"] == plate.instrument == "Synthetic Cycler 96"
    assert meta["run_date"] == "2025-02-01T10:00:00"
    assert meta["experimenters"] == "Hana Kim"
    assert meta["target:GAPDH:amplicon_length"] == "30"
    assert meta["target:GAPDH:forward_primer"] == "ACGTACGTAC"
    assert meta["reference_targets"] == "GAPDH"
    assert meta["dyes"] == "SYBR (non-saturating DNA binding dye)"
    assert "60 °C 60 s" in meta["thermal_cycling_steps"]
    assert any("2 runs" in w for w in plate.warnings)


def test_rdml_plain_xml_and_bytes_give_the_same_plate() -> None:
    zipped = read_plate(DATA / "synthetic.rdml")
    plain = read_plate((DATA / "synthetic.xml").read_bytes(), filename="synthetic.xml")
    np.testing.assert_array_equal(zipped.fluorescence_matrix(), plain.fluorescence_matrix())


def test_rdml_runs_listed_and_chosen_by_name() -> None:
    assert list_rdml_runs(DATA / "synthetic.rdml") == [("exp1", "run1"), ("exp1", "run2")]
    plate = read_plate(DATA / "synthetic.rdml", experiment="exp1", run="run2")
    assert plate.wells() == ["A1"]
    np.testing.assert_allclose(curve(plate, "A1"), sigmoid(20.0), rtol=1e-6)
    with pytest.raises(NotFoundError, match="no run 'run9'.*exp1 / run1; exp1 / run2"):
        read_plate(DATA / "synthetic.rdml", run="run9")
    with pytest.raises(NotFoundError, match="no experiment 'x'"):
        read_plate(DATA / "synthetic.rdml", experiment="x")


def test_rdml_version_1_4_is_read_with_a_warning() -> None:
    xml = (DATA / "synthetic.xml").read_text().replace('version="1.2"', 'version="1.4"')
    plate = read_plate(xml.encode(), filename="v14.rdml")
    assert len(plate.reactions) == 4
    assert any("RDML 1.4 read as 1.3" in w for w in plate.warnings)


def test_cfx_csv_wells_and_values() -> None:
    plate = read_plate(DATA / "cfx_amplification_SYBR.csv")
    assert plate.wells() == ["A1", "A2", "A3", "B1", "B2", "B3"]
    assert plate.targets() == ["SYBR"]
    assert plate.reaction("A1").dye == "SYBR"
    np.testing.assert_allclose(curve(plate, "A2"), sigmoid(21.0), atol=1e-4)
    assert any("layout" in w for w in plate.warnings)


def test_cfx_xlsx_one_target_per_dye_sheet() -> None:
    plate = read_plate(DATA / "cfx_amplification.xlsx")
    assert plate.targets() == ["SYBR", "FAM"]
    assert len(plate.reactions) == 12
    np.testing.assert_allclose(curve(plate, "B1", "FAM"), sigmoid(19.0, 0.5), atol=1e-4)
    assert plate.metadata["cfx:File Name"] == "synthetic.pcrd"


def test_quantstudio_csv_uses_rn_and_header_metadata() -> None:
    plate = read_plate(DATA / "quantstudio_amplification.csv")
    assert plate.targets() == ["GAPDH", "ACTB"]
    np.testing.assert_allclose(curve(plate, "A1"), sigmoid(18.0) / 1000.0, atol=1e-6)
    assert plate.instrument == "QuantStudio 5 System"
    assert plate.metadata["chemistry"] == "SYBR_GREEN"
    assert plate.metadata["passive_reference"] == "ROX"


def test_quantstudio_xlsx_takes_samples_from_results_sheet() -> None:
    plate = read_plate(DATA / "quantstudio_amplification.xlsx")
    a1 = plate.reaction("A1")
    assert (a1.sample, a1.sample_type, a1.quantity, a1.instrument_cq) == (
        "Std 1",
        "std",
        1e5,
        18.1,
    )
    b3 = plate.reaction("B3")
    assert (b3.sample, b3.sample_type, b3.instrument_cq) == ("Water", "ntc", None)
    np.testing.assert_allclose(curve(plate, "B1"), sigmoid(19.0) / 1000.0, atol=1e-6)


def test_lightcycler_reads_the_amplification_program_and_guesses_ntc() -> None:
    plate = read_plate(DATA / "lightcycler480.txt")
    np.testing.assert_allclose(plate.cycles, CYCLES)
    assert plate.targets() == ["465-510"]
    np.testing.assert_allclose(curve(plate, "A2"), sigmoid(21.0), atol=1e-4)
    assert plate.reaction("A3").sample_type == "ntc"
    assert any("A3 taken as NTC" in w for w in plate.warnings)
    assert any("skipped program" in w for w in plate.warnings)


def test_wide_table_names_samples_after_columns() -> None:
    plate = read_plate(DATA / "table_wide.csv")
    assert [r.sample for r in plate.reactions] == ["F1.1", "F1.2", "NTC"]
    assert plate.reaction("A3").sample_type == "ntc"
    np.testing.assert_allclose(curve(plate, "A2"), sigmoid(18.5), atol=1e-4)


def test_wide_table_with_well_headers_and_index_column() -> None:
    text = "index,A01,B12\n0,1.0,2.0\n1,1.5,2.5\n2,2.0,3.0\n"
    plate = read_plate(text.encode(), filename="plate.csv")
    assert plate.wells() == ["A1", "B12"]
    np.testing.assert_allclose(plate.cycles, [1.0, 2.0, 3.0])
    assert any("counts from 0" in w for w in plate.warnings)


def test_wide_table_with_well_sample_type_target_names() -> None:
    text = "cyc,A01_p1_std_GAPDH,A01_p1_std_ACTB,B02_p2_ntc_GAPDH\n1,1,2,3\n2,2,3,4\n"
    plate = read_plate(text.encode(), filename="coded.csv")
    assert plate.reaction("A1", "ACTB").sample_type == "std"
    assert plate.reaction("B2").sample_type == "ntc"


def test_utf16_and_cp1252_text_are_read() -> None:
    text = (DATA / "table_wide.csv").read_text()
    with_bom = read_plate(text.encode("utf-16"), filename="u16.csv")
    no_bom = read_plate(text.encode("utf-16-le"), filename="u16le.csv")
    utf8_bom = read_plate(b"\xef\xbb\xbf" + text.encode(), filename="bom.csv")
    expected = read_plate(DATA / "table_wide.csv").fluorescence_matrix()
    for plate in (with_bom, no_bom, utf8_bom):
        np.testing.assert_array_equal(plate.fluorescence_matrix(), expected)
    assert any("UTF-16-LE" in w for w in no_bom.warnings)
    latin = read_plate("Cycles,Échantillon µ\n1,1\n2,2\n".encode("cp1252"), filename="latin.csv")
    assert latin.reactions[0].sample == "Échantillon µ"
    assert any("Windows-1252" in w for w in latin.warnings)


def test_semicolon_table_with_decimal_commas() -> None:
    plate = read_plate(b"Cycle;S1\n1;0,5\n2;1,25\n", filename="de.csv")
    np.testing.assert_allclose(plate.reactions[0].fluorescence, [0.5, 1.25])


def test_missing_cells_become_nan_with_a_warning() -> None:
    plate = read_plate(b"Cycle,S1,S2\n1,1.0,NA\n2,2.0,\n3,3.0,3.5\n", filename="gaps.csv")
    s2 = plate.reaction("A2").fluorescence
    assert math.isnan(s2[0]) and math.isnan(s2[1]) and s2[2] == 3.5
    assert any("lack fluorescence" in w for w in plate.warnings)


# ------------------------------------------------------------------ layouts


def test_layout_sets_samples_types_targets_and_quantities() -> None:
    plate = read_plate(DATA / "cfx_amplification_SYBR.csv", layout=DATA / "layout.csv")
    a1 = plate.reaction("A1")
    assert (a1.sample, a1.sample_type, a1.target, a1.quantity) == ("Std 1", "std", "GAPDH", 1e5)
    assert plate.reaction("A2").sample_type == "std"  # "Std-02" as CFX writes it
    assert plate.reaction("B2").sample_type == "unkn"
    assert plate.reaction("B3").sample_type == "ntc"  # "water", no type given
    assert any("B3 taken as NTC" in w for w in plate.warnings)
    assert any("have no data: C1" in w for w in plate.warnings)
    np.testing.assert_allclose(curve(plate, "A3"), sigmoid(24.0), atol=1e-4)


def test_layout_wells_missing_from_layout_are_reported() -> None:
    layout = b"well,sample,sample_type\nA1,S,unkn\n"
    plate = read_plate(DATA / "cfx_amplification_SYBR.csv", layout=layout, layout_filename="l.csv")
    assert any("not in the layout: A2, A3, B1, B2, B3" in w for w in plate.warnings)


def test_layout_matches_multiplex_rows_by_dye() -> None:
    layout = (
        b"well,sample,type,target,dye\nA1,S1,unkn,GAPDH,SYBR\nA1,S1,unkn,IL6,FAM\n"
        b"B3,ntc,ntc,GAPDH,SYBR\nB3,ntc,ntc,IL6,FAM\n"
    )
    plate = read_plate(DATA / "cfx_amplification.xlsx", layout=layout, layout_filename="m.csv")
    assert plate.reaction("A1", "IL6").dye == "FAM"
    assert plate.reaction("A1", "GAPDH").dye == "SYBR"
    assert plate.reaction("B3", "IL6").sample_type == "ntc"


def test_standard_without_quantity_is_flagged() -> None:
    entries = read_layout(b"well,sample,sample_type\nA1,S,std\n", filename="l.csv")
    plate = apply_layout(read_plate(DATA / "cfx_amplification_SYBR.csv"), entries)
    assert any("no quantity" in w for w in plate.warnings)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Unknown", "unkn"),
        ("sample", "unkn"),
        ("Standard", "std"),
        ("Std-03", "std"),
        ("NTC", "ntc"),
        ("no template", "ntc"),
        ("NAC", "nac"),
        ("neg", "ntp"),
        ("Pos Ctrl", "pos"),
        ("minus RT", "nrt"),
    ],
)
def test_sample_type_words(word: str, expected: str) -> None:
    assert parse_sample_type(word) == expected


def test_layout_from_xlsx(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Well", "Sample Name", "Task", "Quantity"])
    sheet.append(["A1", "S1", "STANDARD", 50])
    path = tmp_path / "layout.xlsx"
    book.save(path)
    entries = read_layout(path)
    assert entries[0].well == "A1" and entries[0].sample_type == "std"
    assert entries[0].quantity == 50


# ------------------------------------------------------------------ broken input


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.rdml", "is empty"),
        (b"   \n", "blank.csv", "is empty"),
        (b"hello world, not xml", "x.rdml", "neither a zip archive nor XML"),
        (_zip({"notes.txt": "hi"}), "nozip.rdml", "no rdml_data.xml"),
        (b"PK\x03\x04garbage", "trunc.rdml", "cannot be opened|broken zip"),
        (b"<rdml version='1.2' xmlns='http://www.rdml.org'><experiment", "t.rdml", "XML"),
        (b"<html></html>", "page.xml", "Root element"),
        (b"<rdml version='9.9' xmlns='http://www.rdml.org'></rdml>", "v.rdml", "version"),
        (b"Time,RFU\n1,2\n", "lamp.csv", "no cycle column.*expected a column named Cycle"),
        (b"Cycle,S1\n1,abc\n", "bad.csv", "row 2 has 'abc'; expected a fluorescence number"),
        (b"Cycle,S1\n1,1\nx,2\n", "badcyc.csv", "cycle 'x'"),
        (b"Cycle,S1\n1,1\n3,2\n2,3\n", "order.csv", "must increase; got 2 after 3"),
        (b"Cycle,S1\n1,1\n", "short.csv", None),
        (b",Cycle,A1,A01\n,1,1,2\n", "dup_SYBR.csv", "A1 appear in more than one column"),
        (b",Cycle,A1,Q1\n,1,1,2\n", "big_SYBR.csv", "not well names|outside"),
        (b"Cycle\n1\n2\n", "nocurves.csv", "no fluorescence columns"),
        (b"Cycle,S1\n", "header_only.csv", "expected a header row and one row per cycle"),
        (b"\x00\x01\x02\x03" * 100, "bin.csv", "zero bytes|binary"),
    ],
)
def test_broken_plates_say_what_was_expected(
    data: bytes, filename: str, message: str | None
) -> None:
    if message is None:  # one cycle is thin but valid
        assert len(read_plate(data, filename=filename).cycles) == 1
        return
    with pytest.raises(InvalidFileError, match=message):
        read_plate(data, filename=filename)


def test_truncated_rdml_zip() -> None:
    whole = (DATA / "synthetic.rdml").read_bytes()
    with pytest.raises(InvalidFileError, match="zip"):
        read_plate(whole[: len(whole) // 2], filename="cut.rdml")


def test_truncated_rdml_xml() -> None:
    text = (DATA / "synthetic.xml").read_bytes()
    with pytest.raises(InvalidFileError, match="XML load error"):
        read_plate(text[: len(text) // 2], filename="cut.xml")


def test_duplicated_rdml_well_and_target() -> None:
    xml = (DATA / "synthetic.xml").read_text().replace('<react id="2">', '<react id="1">')
    with pytest.raises(InvalidFileError, match="well A1 appears twice"):
        read_plate(xml.encode(), filename="dup.rdml")


def test_quantstudio_duplicated_cycle() -> None:
    text = "Well,Well Position,Cycle,Target Name,Rn,Delta Rn\n1,A1,1,G,1,0\n1,A1,1,G,2,1\n"
    with pytest.raises(InvalidFileError, match="cycle 1 twice"):
        read_plate(text.encode(), filename="qs.csv", fmt="quantstudio")


def test_more_than_384_wells() -> None:
    with pytest.raises(InvalidFileError, match="384"):
        read_layout(b"well,sample\nQ1,S\n", filename="l.csv")
    text = "Well,Well Position,Cycle,Target Name,Rn\n1,Q25,1,G,1\n"
    with pytest.raises(InvalidFileError, match="384|outside"):
        read_plate(text.encode(), filename="qs.csv", fmt="quantstudio")


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        (b"", "is empty"),
        (b"sample,type\nS,unkn\n", "no 'well' column"),
        (b"well,sample_type\nA1,mystery\n", "row 2: Sample type 'mystery' is not recognised"),
        (b"well,quantity\nA1,lots\n", "quantity 'lots' is not a number"),
        (b"well,sample\nA1,S\nA01,T\n", "appears twice"),
        (b"well,sample\nZZ9,S\n", "outside"),
    ],
)
def test_broken_layouts(layout: bytes, message: str) -> None:
    with pytest.raises(InvalidFileError, match=message):
        read_layout(layout, filename="layout.csv")


def test_unknown_format_and_run_for_non_rdml() -> None:
    with pytest.raises(InvalidInputError, match="expected one of rdml"):
        read_plate(DATA / "table_wide.csv", fmt="eds")
    with pytest.raises(InvalidInputError, match="only apply to RDML"):
        read_plate(DATA / "table_wide.csv", run="run1")
    with pytest.raises(NotFoundError, match="does not exist"):
        read_plate(DATA / "no_such_file.rdml")


# ------------------------------------------------------------------ real files (raw data)


def _raw(*parts: str) -> Path:
    root = get_settings().raw_data
    if not root.is_dir():
        pytest.skip(f"raw data directory {root} is missing")
    return root.joinpath(*parts)


RDML_FILES = [
    ("qpcr-pcredux", "RAS002.rdml"),
    ("qpcr-pcredux", "RAS003.rdml"),
    ("qpcr-pcredux", "hookreg.rdml"),
    ("qpcr-rdml-pkg", "BioRad_qPCR_melt.rdml"),
    ("qpcr-rdml-pkg", "lc96_bACTXY.rdml"),
    ("qpcr-rdml-pkg", "stepone_std.rdml"),
    *[
        ("qpcr-rdmlpython/untergasser", f"{n}.rdml")
        for n in (
            "amplicon_primer_mix eva_green_a eva_green_b large_DNA_dilutions own_mix_a "
            "own_mix_b own_mix_c probes quantification_methods sybr_conc sybr_stability "
            "unused_qpcr_dpcr_comparison volume_machine"
        ).split()
    ],
    *[
        ("qpcr-rdmlpython/vermeulen", f"data_vermeulen_std_150000_{n}.rdml")
        for n in ("15", "150", "1500", "15000", "150000")
    ],
]


@pytest.mark.parametrize(("folder", "name"), RDML_FILES)
def test_real_rdml_opens_as_a_plate(folder: str, name: str) -> None:
    path = _raw(folder, name)
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    plate = read_plate(path)
    assert plate.source_format == "rdml"
    assert plate.reactions
    matrix = plate.fluorescence_matrix()
    assert matrix.shape == (len(plate.reactions), len(plate.cycles))
    assert np.isfinite(matrix).any(axis=1).all()
    assert plate.rows * plate.columns in (96, 384)
    assert plate.metadata["experiment"] and plate.metadata["run"]


def test_real_ras002_layout() -> None:
    path = _raw("qpcr-pcredux", "RAS002.rdml")
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    plate = read_plate(path)
    assert (plate.rows, plate.columns) == (8, 12)
    assert len(plate.wells()) == 96
    assert sorted(plate.targets()) == ["B-Globin", "HPRT1"]
    assert {r.sample_type for r in plate.reactions} == {"unkn", "ntc"}


def test_real_stepone_standards_carry_quantities() -> None:
    path = _raw("qpcr-rdml-pkg", "stepone_std.rdml")
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    plate = read_plate(path)
    standards = [r for r in plate.reactions if r.sample_type == "std"]
    assert standards and all(r.quantity is not None for r in standards)
    # the sample id encodes the quantity ("STD_RNase P_10000.0"): an independent check
    for r in standards:
        assert r.quantity == pytest.approx(float(r.sample.rsplit("_", 1)[1]))


def test_real_multi_run_file_lists_and_reads_each_run() -> None:
    path = _raw("qpcr-rdmlpython", "untergasser", "volume_machine.rdml")
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    runs = list_rdml_runs(path)
    assert len(runs) == 3
    for experiment, run in runs:
        plate = read_plate(path, experiment=experiment, run=run)
        assert plate.metadata["experiment"] == experiment


TABLE_FILES = sorted(
    {
        ("qpcr-qpcR", n)
        for n in (
            "batsch1 batsch2 batsch3 batsch4 batsch5 boggy competimer dil4reps94 guescini1 "
            "guescini2 htPCR karlen1 karlen2 karlen3 lievens1 lievens2 lievens3 reps reps2 "
            "reps3 reps384 rutledge testdat vermeulen1 vermeulen2"
        ).split()
    }
    | {
        ("qpcr-chipPCR", n)
        for n in (
            "C126EG595 C126EG685 C127EGHP C316.amp C317.amp C54 C60.amp CD74 VIMCFX96_60 "
            "VIMCFX96_69 VIMiQ5_595 VIMiQ5_685"
        ).split()
    }
    | {("qpcr-pcredux", "HCU32_aggR"), ("qpcr-pcredux", "kbqPCR")}
)


@pytest.mark.parametrize(("folder", "name"), TABLE_FILES)
def test_real_tables_open_as_generic_tables(folder: str, name: str) -> None:
    path = _raw(folder, f"{name}.csv")
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    plate = read_plate(path)
    assert plate.source_format == "table"
    header = path.read_text().splitlines()[0].split(",")
    data_columns = [
        h
        for h in header
        if h.strip() and h.lower() not in ("index", "x", "cyc") and "cycle" not in h.lower()
    ]
    assert len(plate.reactions) == len(data_columns)  # every column but cycles / row index
    assert np.all(np.diff(plate.cycles) > 0)


@pytest.mark.parametrize("name", ["dyemelt", "LAMP", "RPA"])
def test_real_melt_and_isothermal_tables_are_refused(name: str) -> None:
    folder = "qpcr-qpcR" if name == "dyemelt" else "qpcr-chipPCR"
    path = _raw(folder, f"{name}.csv")
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    with pytest.raises(InvalidFileError, match="no cycle column"):
        read_plate(path)
