"""Reading dose-response data: the tyrosinase plate export with its layout, tidy tables, layout
variants, units, and broken inputs (each with its message)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.assays.dose_response import (
    read_dose_response,
    read_frame,
    read_layout,
    read_plate,
    read_table,
)
from actives.errors import InvalidFileError, InvalidInputError

DATA = Path(__file__).parents[3] / "data" / "assays" / "dose_response"
PLATE = DATA / "tyrosinase_plate.txt"
LAYOUT = DATA / "tyrosinase_layout.csv"
TIDY = DATA / "tyrosinase_tidy.csv"
ROWS = "ABCDEFGH"


def _plate_cells() -> dict[str, str]:
    """Well -> reading, parsed independently of the library (the grid under the '1..12' row)."""
    lines = list(csv.reader(PLATE.read_text("utf-8").splitlines(), delimiter="\t"))
    start = next(i for i, row in enumerate(lines) if row[1:3] == ["1", "2"])
    return {f"{row[0]}{c}": row[c] for row in lines[start + 1 : start + 9] for c in range(1, 13)}


def _grid_text(values: dict[str, str], rows: int = 8, columns: int = 12, sep: str = ",") -> str:
    lines = [sep + sep.join(str(c) for c in range(1, columns + 1))]
    for r in range(rows):
        cells = [values.get(f"{ROWS[r]}{c}", "") for c in range(1, columns + 1)]
        lines.append(ROWS[r] + sep + sep.join(cells))
    return "\n".join(lines) + "\n"


# --- the tyrosinase plate ------------------------------------------------------------------------


def test_plate_with_layout_gives_three_samples_and_the_formula() -> None:
    data = read_plate(PLATE, LAYOUT)
    assert data.names == ["Kojic acid", "Arbutin", "Extract X"]
    assert data.source_format == "plate"
    assert data.response_kind == "signal"
    assert "100 × (negative control − sample) / (negative control − blank)" in data.normalisation
    kojic = data.sample("Kojic acid")
    assert kojic.unit == "µM"
    assert len(kojic.points) == 24  # 8 concentrations x 3 rows
    assert sorted(set(kojic.concentrations().tolist())) == [0.3, 1, 3, 10, 30, 100, 300, 1000]


def test_percent_inhibition_matches_a_hand_computation() -> None:
    cells = _plate_cells()
    negative = np.mean([float(cells[f"G{c}"]) for c in range(1, 7)])
    blank = np.mean([float(cells[f"G{c}"]) for c in range(7, 13)])
    expected = 100 * (negative - float(cells["A4"])) / (negative - blank)
    data = read_plate(PLATE, LAYOUT)
    point = next(p for p in data.sample("Kojic acid").points if p.well == "A4")
    assert point.response == pytest.approx(expected, rel=1e-12)
    assert point.signal == pytest.approx(float(cells["A4"]))
    assert point.concentration == 10


def test_plate_controls_and_z_prime() -> None:
    cells = _plate_cells()
    neg = np.array([float(cells[f"G{c}"]) for c in range(1, 7)])
    blk = np.array([float(cells[f"G{c}"]) for c in range(7, 13)])
    z_prime = 1 - 3 * (neg.std(ddof=1) + blk.std(ddof=1)) / abs(neg.mean() - blk.mean())
    (controls,) = read_plate(PLATE, LAYOUT).controls
    assert controls.negative_n == 6 and controls.reference_n == 6
    assert controls.reference_role == "blank"
    assert controls.z_prime == pytest.approx(z_prime)


def test_overflow_well_is_a_problem_not_an_error() -> None:
    data = read_plate(PLATE, LAYOUT)
    assert [p.where for p in data.problems] == ["well H8"]
    assert "'OVRFLW'" in data.problems[0].message
    assert max(data.sample("Extract X").concentrations()) == 1000  # the 3000 uM well is gone


def test_plate_export_in_xlsx_and_layout_as_long_table(tmp_path: Path) -> None:
    cells = _plate_cells()
    grid = [["Read 1:475"] + [""] * 12, [""] + [str(c) for c in range(1, 13)]]
    grid += [[r] + [cells[f"{r}{c}"] for c in range(1, 13)] for r in ROWS]
    xlsx = tmp_path / "plate.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame([["notes"]]).to_excel(writer, sheet_name="info", header=False, index=False)
        pd.DataFrame(grid).to_excel(writer, sheet_name="475 nm", header=False, index=False)
    long = ["Well,Type,Sample,Concentration,Unit"]
    long += [f"A{c},sample,Kojic acid,{conc},uM" for c, conc in enumerate([0.3, 1, 3, 10], 1)]
    long += ["G1,NC,,,", "G2,NC,,,", "G7,blank,,,", "G8,blank,,,"]
    layout = tmp_path / "layout.csv"
    layout.write_text("\n".join(long) + "\n", "utf-8")
    data = read_plate(xlsx, layout)
    negative = np.mean([float(cells["G1"]), float(cells["G2"])])
    blank = np.mean([float(cells["G7"]), float(cells["G8"])])
    point = next(p for p in data.sample("Kojic acid").points if p.well == "A2")
    assert point.response == pytest.approx(
        100 * (negative - float(cells["A2"])) / (negative - blank)
    )


def test_labelled_layout_grids_and_sample_blanks(tmp_path: Path) -> None:
    # A = negative 1.0, B = blank 0.1, C = sample 0.6, D = sample blank 0.2 (coloured extract)
    readings = {"A1": "1.0", "A2": "1.0", "B1": "0.1", "B2": "0.1", "C1": "0.6", "C2": "0.2",
                "C3": "0.5", "C4": "0.45", "C5": "0.3"}  # fmt: skip
    samples = {"A1": "NC", "A2": "NC", "B1": "blank", "B2": "blank", "C1": "Tea", "C2": "Tea",
               "C3": "Tea", "C4": "Tea", "C5": "Tea"}  # fmt: skip
    roles = {"C1": "sample", "C2": "sample blank", "C3": "sample", "C4": "sample",
             "C5": "sample"}  # fmt: skip
    conc = {"C1": "10", "C2": "10", "C3": "30", "C4": "100", "C5": "300"}
    layout = tmp_path / "layout.csv"
    layout.write_text(
        "Sample\n" + _grid_text(samples) + "\nType\n" + _grid_text(roles)
        + "\nConcentration (ug/mL)\n" + _grid_text(conc), "utf-8",
    )  # fmt: skip
    plate = tmp_path / "plate.csv"
    plate.write_text("Plate 1\n" + _grid_text(readings), "utf-8")
    data = read_plate(plate, layout)
    tea = data.sample("Tea")
    assert tea.unit == "µg/mL"
    by_conc = {p.concentration: p.response for p in tea.points}
    a, b = 1.0, 0.1
    assert by_conc[10] == pytest.approx(100 * ((a - b) - (0.6 - 0.2)) / (a - b))
    assert by_conc[30] == pytest.approx(100 * (a - 0.5) / (a - b))
    assert "sample blank" in data.normalisation


def test_several_grids_are_several_plates_with_their_own_controls(tmp_path: Path) -> None:
    first = {"A1": "1.0", "A2": "0.0", "B1": "0.5", "B2": "0.4", "B3": "0.3"}
    second = {"A1": "2.0", "A2": "0.0", "B1": "1.0", "B2": "0.8", "B3": "0.6"}
    plate = tmp_path / "two.csv"
    plate.write_text("Plate 1\n" + _grid_text(first) + "\nPlate 2\n" + _grid_text(second))
    layout = tmp_path / "layout.csv"
    layout.write_text(_grid_text({"A1": "NC", "A2": "BLK", "B1": "S 1 uM", "B2": "S 2 uM",
                                  "B3": "S 4 uM"}))  # fmt: skip
    data = read_plate(plate, layout)
    assert len(data.controls) == 2
    responses = sorted(p.response for p in data.sample("S").points)
    assert responses == pytest.approx([50, 50, 60, 60, 70, 70])  # same inhibition on each plate
    assert any("2 plate grids" in w for w in data.warnings)
    only = read_plate(plate, layout, read=1)
    assert len(only.sample("S").points) == 3


# --- tidy tables ---------------------------------------------------------------------------------


def test_tidy_table_keeps_mass_units_and_replicates() -> None:
    data = read_table(TIDY)
    assert data.names == ["Kojic acid", "Licorice extract"]
    assert data.response_kind == "inhibition"
    raw = pd.read_csv(TIDY)
    kojic = data.sample("Kojic acid")
    assert kojic.unit == "µg/mL"
    expected = raw[raw["Sample"] == "Kojic acid"]["Inhibition (%)"].to_numpy()
    assert kojic.responses() == pytest.approx(expected)
    assert {p.replicate for p in kojic.points} == {"1", "2", "3"}
    summary = kojic.summary()
    first = raw[(raw["Sample"] == "Kojic acid") & (raw["Concentration (ug/mL)"] == 0.1)]
    assert summary["mean"].iloc[0] == pytest.approx(first["Inhibition (%)"].mean())
    assert summary["sd"].iloc[0] == pytest.approx(first["Inhibition (%)"].std(ddof=1))


def test_tidy_xlsx_and_wrong_sheet(tmp_path: Path) -> None:
    xlsx = tmp_path / "tidy.xlsx"
    pd.read_csv(TIDY).to_excel(xlsx, sheet_name="results", index=False)
    assert read_table(xlsx, sheet="results").names == ["Kojic acid", "Licorice extract"]
    with pytest.raises(InvalidFileError, match=r"has no sheet 'Sheet9'; its sheets are: 'results'"):
        read_table(xlsx, sheet="Sheet9")


def test_header_aliases_activity_and_nanomolar() -> None:
    frame = pd.DataFrame(
        {
            "compound": ["A"] * 4,
            "conc_nM": [10, 100, 1000, 10000],
            "% activity": [95.0, 80.0, 40.0, 10.0],
        }  # fmt: skip
    )
    data = read_frame(frame)
    series = data.sample("A")
    assert series.unit == "µM"
    assert series.concentrations() == pytest.approx([0.01, 0.1, 1.0, 10.0])
    assert series.responses() == pytest.approx([5.0, 20.0, 60.0, 90.0])
    assert "100 − % activity" in data.normalisation


def test_raw_signal_table_with_control_rows_and_per_cell_units() -> None:
    frame = pd.DataFrame(
        {
            "sample": ["control", "control", "blank", "blank", "X", "X", "X"],
            "dose": ["", "", "", "", "1 uM", "10 uM", "0.1 mM"],
            "absorbance": [0.9, 1.1, 0.0, 0.0, 0.75, 0.5, 0.25],
        }  # fmt: skip
    )
    data = read_frame(frame)
    x = data.sample("X")
    assert x.concentrations() == pytest.approx([1, 10, 100])
    assert x.responses() == pytest.approx([25.0, 50.0, 75.0])  # 100 x (1.0 - s) / (1.0 - 0)


def test_wide_replicate_columns() -> None:
    frame = pd.DataFrame(
        {
            "sample": ["A", "A"],
            "concentration (uM)": [1, 2],
            "inhibition 1": [10.0, 20.0],
            "inhibition 2": [12.0, 22.0],
        }  # fmt: skip
    )
    series = read_frame(frame).sample("A")
    assert sorted(series.responses().tolist()) == [10.0, 12.0, 20.0, 22.0]
    assert {p.replicate for p in series.points} == {"1", "2"}


def test_per_row_problems_are_returned() -> None:
    frame = pd.DataFrame(
        {
            "sample": ["A", "A", "A", "A", "A"],
            "conc": ["1", "abc", "-3", "0", "10"],
            "inhibition": ["10", "20", "30", "5", "n.d."],
        }  # fmt: skip
    )
    data = read_frame(frame, unit="uM")
    messages = {p.where: p.message for p in data.problems}
    assert "expected a number" in messages["row 3"] and "'abc'" in messages["row 3"]
    assert "negative" in messages["row 4"]
    assert "'n.d.'" in messages["row 6"]
    assert any("concentration 0 were left out" in w for w in data.warnings)
    assert data.sample("A").concentrations().tolist() == [1.0]


def test_mixed_mass_and_molar_units_drop_the_sample() -> None:
    frame = pd.DataFrame(
        {
            "sample": ["A", "A", "B", "B"],
            "conc": ["1 uM", "10 ug/mL", "1", "2"],
            "inhibition": [10, 20, 30, 40],
        }  # fmt: skip
    )
    data = read_frame(frame, unit="uM")
    assert data.names == ["B"]
    (problem,) = data.problems
    assert (
        problem.where == "sample A" and "mix molar (µM) and mass units (µg/mL)" in problem.message
    )


def test_mixed_mass_units_are_converted_to_ug_per_ml() -> None:
    frame = pd.DataFrame({"sample": ["A", "A"], "conc": ["500 ug/mL", "1 mg/mL"],
                          "inhibition": [10, 20]})  # fmt: skip
    data = read_frame(frame)
    assert data.sample("A").concentrations() == pytest.approx([500, 1000])
    assert data.sample("A").unit == "µg/mL"


# --- broken inputs -------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InvalidFileError, match="empty.csv is empty"):
        read_table(empty)


def test_missing_response_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("sample,concentration,notes\nA,1,x\n")
    with pytest.raises(
        InvalidFileError,
        match=r"no header row with a concentration column and a "
        r"response column \(first row found: 'sample', 'concentration', 'notes'\)",
    ):
        read_table(path)


def test_all_rows_non_numeric(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("sample,conc,inhibition\nA,1,high\nA,2,low\n")
    with pytest.raises(InvalidFileError, match=r"no usable rows \(row 2: 'inhibition' is 'high'"):
        read_table(path)


def test_binary_and_damaged_xlsx(tmp_path: Path) -> None:
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"sample\x00\x01\x02conc")
    with pytest.raises(InvalidFileError, match="binary file"):
        read_table(binary)
    damaged = tmp_path / "x.xlsx"
    damaged.write_text("sample,conc\n")
    with pytest.raises(InvalidFileError, match="not an .xlsx workbook"):
        read_table(damaged)
    truncated = tmp_path / "t.xlsx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InvalidFileError, match="not a readable .xlsx workbook"):
        read_table(truncated)


def test_utf16_and_cp949_text_are_read(tmp_path: Path) -> None:
    text = "시료,농도 (uM),저해율\n감초,1,10\n감초,10,50\n"
    for encoding in ("utf-16", "cp949"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        data = read_table(path)
        assert data.names == ["감초"] and data.sample("감초").unit == "µM"


def test_unknown_unit_is_a_sample_problem() -> None:
    frame = pd.DataFrame({"sample": ["A"], "conc": [1], "unit": ["furlongs"], "inhibition": [5]})
    with pytest.raises(InvalidInputError, match=r"Unknown concentration unit 'furlongs'"):
        read_frame(frame)


def test_layout_and_plate_shape_mismatch(tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    layout.write_text("," + ",".join(str(c) for c in range(1, 25)) + "\n" + "\n".join(
        "ABCDEFGHIJKLMNOP"[r] + "," + ",".join(["NC"] * 24) for r in range(16)) + "\n")  # fmt: skip
    with pytest.raises(
        InvalidInputError,
        match=r"layout is a 384-well grid \(16×24\) but the "
        r"plate is 96-well \(8×12\)",
    ):
        read_plate(PLATE, layout)


def test_long_layout_with_wells_outside_the_plate(tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    layout.write_text("well,sample,concentration\nA1,X,1\nP24,X,2\n")
    with pytest.raises(InvalidInputError, match=r"outside a 96-well plate \(P24\)"):
        read_plate(PLATE, layout)


def test_truncated_plate_grid(tmp_path: Path) -> None:
    lines = PLATE.read_text("utf-8").splitlines()[:-3]  # rows F-H missing
    plate = tmp_path / "cut.txt"
    plate.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidFileError, match=r"has 12 columns but 5 row\(s\); expected 8 rows"):
        read_plate(plate, LAYOUT)


def test_plate_without_negative_controls(tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    layout.write_text(_grid_text({"A1": "S 1 uM", "A2": "S 2 uM", "A3": "S 3 uM", "B1": "BLK"}))
    with pytest.raises(InvalidInputError, match="no negative-control wells"):
        read_plate(PLATE, layout)


def test_file_without_a_grid(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match="has no plate grid"):
        read_plate(TIDY, LAYOUT)
    text = tmp_path / "layout.csv"
    text.write_text("hello,world\n1,2\n")
    with pytest.raises(InvalidFileError, match="neither a plate grid"):
        read_layout(text)


def test_bad_layout_cell_is_a_problem(tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    layout.write_text(_grid_text({"A1": "NC", "A2": "BLK", "B1": "S 1 uM", "B2": "S 2 uM",
                                  "B3": "S 4 uM", "B4": "what?"}))  # fmt: skip
    wells, shape, problems = read_layout(layout)
    assert shape == (8, 12)
    assert wells["B1"].sample == "S" and wells["B1"].concentration == 1.0
    assert [p.where for p in problems] == ["well B4"]


def test_read_dose_response_dispatches_and_accepts_bytes() -> None:
    plate = read_dose_response(PLATE.read_bytes(), LAYOUT.read_bytes(), name="p.txt",
                               layout_name="l.csv")  # fmt: skip
    assert plate.source == "p.txt" and plate.source_format == "plate"
    table = read_dose_response(TIDY)
    assert table.source_format == "table"
    assert json.dumps(table.to_frame().to_dict("records"))  # plain values only


def test_replicate_columns_named_rep1_rep2_hold_the_response() -> None:
    frame = pd.DataFrame({"sample": ["A", "A"], "conc": [1, 2], "rep1": [5.0, 9.0],
                          "rep2": [7.0, 11.0]})  # fmt: skip
    data = read_frame(frame, unit="uM")
    assert sorted(data.sample("A").responses().tolist()) == [5.0, 7.0, 9.0, 11.0]
    assert any("taken as % inhibition" in w for w in data.warnings)
