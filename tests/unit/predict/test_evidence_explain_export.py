"""Streaming prediction, evidence from the data pack, atom contributions and table export."""

import json
import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from rdkit import Chem

from actives.chem.files import StructureInput, iter_structure_inputs
from actives.errors import InvalidFileError, InvalidInputError
from actives.knowledge import DataPack, build_pack
from actives.predict.explain import atom_contributions, contributions_svg
from actives.predict.export import TableWriter, write_table
from actives.predict.predictor import Predictor
from actives.predict.shipped import load_shipped

DATA = Path(__file__).resolve().parents[2] / "data"
QUERCETIN = "O=c1c(O)c(-c2ccc(O)c(O)c2)oc2cc(O)cc(O)c12"
QUERCETIN_KEY = "REFJWTPEDVJJIY-UHFFFAOYSA-N"


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(DATA / "raw", tmp_path_factory.mktemp("packs"), workers=1))


def test_stream_equals_one_batch_in_order(use_models: Path) -> None:
    smiles = [f"{'C' * n}c1ccc(O)cc1" for n in range(1, 12)] + ["C1CC", "OCCO"]
    predictor = Predictor()
    whole = predictor.predict(smiles)
    seen: list[float] = []
    chunks = list(
        predictor.predict_stream(smiles, chunk_size=4, progress=lambda d, t, m: seen.append(d))
    )
    assert [len(c) for c in chunks] == [4, 4, 4, 1]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert seen == [4, 8, 12, 13]
    # this process and a helper share the chunks; the order and the progress stay the same
    seen.clear()
    parallel = predictor.predict_stream(
        smiles, chunk_size=3, workers=2, progress=lambda d, t, m: seen.append(d)
    )
    pd.testing.assert_frame_equal(pd.concat(parallel, ignore_index=True), whole)
    assert seen == [3, 6, 9, 12, 13]
    # one chunk: no helper is started
    single = list(predictor.predict_stream(smiles, chunk_size=100, workers=2))
    assert len(single) == 1 and not multiprocessing.active_children()
    pd.testing.assert_frame_equal(single[0], whole)
    assert list(whole.row) == list(range(1, 14))
    with pytest.raises(InvalidInputError, match="at least 1"):
        next(predictor.predict_stream(smiles, chunk_size=0))


def test_helper_processes_share_batches_and_streams(use_models: Path) -> None:
    smiles = [f"{'C' * n}c1ccc(O)cc1" for n in range(1, 40)] * 6 + ["C1CC"]
    alone = Predictor().predict(smiles)
    with Predictor(workers=2) as shared:
        assert len(multiprocessing.active_children()) == 1  # one helper beside this process
        # 235 structures, above PARALLEL_MIN per process: split between the two
        pd.testing.assert_frame_equal(shared.predict(smiles), alone)
        streamed = pd.concat(shared.predict_stream(smiles, chunk_size=20), ignore_index=True)
        pd.testing.assert_frame_equal(streamed, alone)
        assert streamed["status"].tolist()[-1] == "error"  # a bad row stays a row, in place
    assert not multiprocessing.active_children()  # closed with the block
    assert shared.predict(smiles[:3])["status"].eq("ok").all()  # still works, in this process
    with pytest.raises(InvalidInputError, match="expected 1 or more"):
        Predictor(workers=0)


def test_a_helper_that_dies_is_said_plainly(use_models: Path) -> None:
    import os
    import signal

    from actives.errors import ActivesError

    smiles = [f"{'C' * n}c1ccc(O)cc1" for n in range(1, 40)] * 6
    with Predictor(workers=2) as shared:
        (helper,) = multiprocessing.active_children()
        os.kill(helper.pid, signal.SIGKILL)
        helper.join()
        with pytest.raises(ActivesError, match="helper process stopped") as raised:
            shared.predict(smiles)
        assert raised.value.code == "helper_process_failed"


def test_file_errors_become_rows(use_models: Path) -> None:
    inputs = list(iter_structure_inputs(DATA / "broken.sdf"))
    table = Predictor().predict(inputs)
    assert len(table) == len(inputs) == 5
    assert (table.status == "ok").sum() == 3
    assert table.message[table.status == "error"].str.len().gt(0).all()
    assert list(table.row) == [1, 2, 3, 4, 5]


def test_measured_values_come_from_the_pack(use_models: Path, pack: DataPack) -> None:
    table = Predictor(pack=pack).predict([QUERCETIN, "CCCCc1ccccc1"])
    assert table.dpph_measured.iloc[0] == pytest.approx(4.5)
    assert table.dpph_measured_relation.iloc[0] == "="
    assert np.isnan(table.dpph_measured.iloc[1]) and table.dpph_measured_relation.iloc[1] == ""


def test_explain_gives_evidence_and_atom_parts(use_models: Path, pack: DataPack) -> None:
    report = Predictor(pack=pack).explain(QUERCETIN, neighbours=2)
    (dpph,) = report.endpoints
    assert report.inchikey == QUERCETIN_KEY and report.pack_version == pack.version
    assert dpph.evidence.measured is not None and dpph.evidence.measured.value == 4.5
    assert dpph.evidence.measured.source_ids == ("10.1/a",)
    assert len(dpph.evidence.neighbours) == 1  # the fixture has one other valid DPPH compound
    assert dpph.evidence.neighbours[0].inchikey != QUERCETIN_KEY
    assert 0 < dpph.evidence.neighbours[0].similarity < 1
    assert dpph.evidence.same_data_as_model is None  # the toy model's card names no files
    parts = dpph.contributions
    assert (
        parts is not None
        and len(parts.atom_weights) == Chem.MolFromSmiles(report.smiles).GetNumAtoms()
    )
    assert parts.prediction == pytest.approx(dpph.value)
    total = parts.expected_value + parts.on_atoms + parts.absent_substructures + parts.descriptors
    assert total == pytest.approx(dpph.value)
    without_pack = Predictor().explain(QUERCETIN).endpoints[0].evidence
    assert without_pack.measured is None and "actives data build" in without_pack.note


def test_atom_contributions_drawn(use_models: Path) -> None:
    model = load_shipped("dpph")
    parts = atom_contributions(model, "OCCCc1ccccc1")
    assert any(w != 0 for w in parts.atom_weights)
    svg = contributions_svg(parts)
    assert svg.startswith("<svg") and "ellipse" in svg or "path" in svg
    with pytest.raises(InvalidInputError, match="standardised SMILES"):
        atom_contributions(model, "C1CC")


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"row": [1, 2], "title": ["phenol", "bad"], "status": ["ok", "error"],
         "smiles": ["Oc1ccccc1", ""], "dpph_value": [3.2, np.nan]}
    )  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sdf", ".parquet", ".jsonl"])
def test_every_export_format_reads_back(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    with TableWriter(path, {"data pack": "test"}) as writer:
        writer.write(_frame())
        writer.write(_frame())
    assert writer.rows == 4 and path.is_file()
    assert not list(tmp_path.glob(".*partial"))
    if suffix == ".csv":
        back = pd.read_csv(path)
        assert list(back.title) == ["phenol", "bad"] * 2 and back.dpph_value.iloc[0] == 3.2
    elif suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        rows = list(book["predictions"].values)
        assert (
            rows[0][:2] == ("row", "title")
            and len(rows) == 5
            and rows[2][:3] == (2, "bad", "error")
        )
        assert rows[1][4] == 3.2 and all(cell is None for cell in rows[2][4:])
        assert list(book["about"].values) == [("data pack", "test")]
    elif suffix == ".sdf":
        records = list(Chem.SDMolSupplier(str(path)))
        assert len(records) == 4 and records[0].GetProp("dpph_value") == "3.2"
        assert records[1].GetNumAtoms() == 0 and records[1].GetProp("status") == "error"
    elif suffix == ".parquet":
        back = pd.read_parquet(path)
        assert len(back) == 4 and back.dpph_value.isna().sum() == 2
    else:
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(lines) == 4 and lines[1]["dpph_value"] is None


def test_export_errors_leave_no_partial_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="expected a file ending in"):
        write_table(_frame(), tmp_path / "out.doc")
    path = tmp_path / "out.csv"
    path.write_text("previous result\n")
    with pytest.raises(RuntimeError), TableWriter(path) as writer:
        writer.write(_frame())
        raise RuntimeError("interrupted")
    assert path.read_text() == "previous result\n"
    assert not list(tmp_path.glob(".*partial"))
    with pytest.raises(InvalidInputError, match="same columns"), TableWriter(path) as writer:
        writer.write(_frame())
        writer.write(_frame().drop(columns=["title"]))


def test_structure_files_stream_with_titles(tmp_path: Path) -> None:
    csv_file = tmp_path / "in.csv"
    csv_file.write_text("name,SMILES,note\nphenol,Oc1ccccc1,x\n\nbroken,,y\n")
    rows = list(iter_structure_inputs(csv_file))
    assert rows == [
        StructureInput(2, "phenol", "Oc1ccccc1"),
        StructureInput(4, "broken", "", "line 4: no structure in column 2"),
    ]
    bare = tmp_path / "bare.csv"
    bare.write_text("CCO,ethanol\nCCN,ethylamine\n")
    assert [(r.text, r.title) for r in iter_structure_inputs(bare)] == [
        ("CCO", "ethanol"), ("CCN", "ethylamine")]  # fmt: skip
    smi = tmp_path / "in.smi"
    smi.write_text("SMILES Name\nCCO ethanol\n# comment\nC1CC\n")
    assert [(r.index, r.text, r.title) for r in iter_structure_inputs(smi)] == [
        (2, "CCO", "ethanol"), (4, "C1CC", "line 4")]  # fmt: skip
    sdf = list(iter_structure_inputs(DATA / "broken.sdf"))
    assert [bool(r.error) for r in sdf].count(True) == 2
    with pytest.raises(InvalidFileError, match="expected an SD file"):
        list(iter_structure_inputs(DATA / "raw" / "mhlw-jp" / "quasi_drug_fixture.xlsx"))
    with pytest.raises(InvalidFileError, match="No file"):
        list(iter_structure_inputs(tmp_path / "missing.smi"))
