"""Batches keep going past bad rows; SD files report broken records; depictions are valid SVG."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from actives.chem import process_structures, read_sdf, to_mol, to_svg

DATA = Path(__file__).resolve().parents[2] / "data"


def test_one_bad_row_never_stops_a_batch() -> None:
    inputs = ["CCO"] * 500 + ["C1CC"] + ["c1ccccc1O"] * 499 + ["", "[Na+].[Cl-]"]
    rows = list(process_structures(inputs))
    assert len(rows) == len(inputs)
    failed = [r for r in rows if not r.ok]
    assert [r.index for r in failed] == [500, 1000, 1001]
    assert "unclosed ring" in failed[0].message
    assert "Empty structure" in failed[1].message
    assert "no organic parent" in failed[2].message
    assert rows[0].inchikey == "LFQSCWFLJHTTHZ-UHFFFAOYSA-N"
    assert rows[501].values["mw"] == pytest.approx(94.113, abs=1e-3)


def test_batch_can_add_fingerprints() -> None:
    (row,) = process_structures(["CCO"], with_fingerprint=True)
    assert isinstance(row.values["fingerprint"], bytes) and row.values["fingerprint"]


def test_broken_sdf_reports_failed_records_and_reads_the_rest() -> None:
    records = list(read_sdf(DATA / "broken.sdf"))
    assert [r.index for r in records] == [1, 2, 3, 4, 5]
    ok = {r.index: r for r in records if r.ok}
    bad = {r.index: r for r in records if not r.ok}
    assert sorted(ok) == [1, 3, 5]
    assert ok[1].title == "phenol" and ok[1].properties["CAS"] == "108-95-2"
    assert ok[5].properties["NAME"] == "arbutin"
    assert "valence" in bad[2].error.lower() or "Cannot read molfile" in bad[2].error
    assert "M  END" in bad[4].error
    assert bad[2].title == "pentavalent carbon"


def test_sdf_from_bytes_and_missing_file() -> None:
    data = (DATA / "broken.sdf").read_bytes()
    assert sum(r.ok for r in read_sdf(data)) == 3
    from actives.errors import InvalidFileError

    with pytest.raises(InvalidFileError, match="Cannot open SD file"):
        list(read_sdf(DATA / "missing.sdf"))


def test_svg_with_highlights_is_well_formed() -> None:
    svg = to_svg(to_mol("Oc1ccc(O)cc1"), highlight_atoms=[0, 7], legend="hydroquinone")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert root.find("{http://www.w3.org/2000/svg}title").text == "hydroquinone"
    assert root.get("width") == "300px"
    plain = to_svg(to_mol("Oc1ccc(O)cc1"))
    assert svg != plain


def test_svg_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="out of range"):
        to_svg(to_mol("CCO"), highlight_atoms=[5])
    with pytest.raises(ValueError, match="depiction size"):
        to_svg(to_mol("CCO"), width=10)


def test_structure_files_from_users() -> None:
    from actives.chem.files import read_structure_file
    from actives.errors import InvalidFileError

    records = read_structure_file((DATA / "broken.sdf").read_bytes(), "upload.SDF")
    assert [r.ok for r in records] == [True, False, True, False, True]
    smi = read_structure_file(b"# header\nCCO ethanol\nC1CC broken\n\nc1ccccc1O,phenol\n", "x.smi")
    assert [(r.index, r.ok) for r in smi] == [(1, True), (2, False), (3, True)]
    assert "unclosed ring" in smi[1].message
    with pytest.raises(InvalidFileError, match="expected an SD file"):
        read_structure_file(b"PK", "notes.docx")
