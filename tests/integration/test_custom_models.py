"""Train your own endpoint from the command line, then predict with it, as a user would.

The CSV fixture holds invented IC50s (tests/data/activities/README.md); the ChEMBL fixture is a
tiny SQLite file with ChEMBL's schema built from the same invented rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actives.cli.main import app
from actives.predict.registry import ENDPOINTS
from tests.data.build_chembl_fixture import build_chembl_sqlite

DATA = Path(__file__).resolve().parents[1] / "data"
INVENTED_CSV = DATA / "activities" / "tyrosinase_inhouse_invented.csv"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh ACTIVES_HOME, a wide terminal, and the endpoint registry restored afterwards."""
    root = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ACTIVES_HOME", str(root))
        patch.setenv("COLUMNS", "200")
        patch.delenv("ACTIVES_MODELS_DIR", raising=False)
        patch.setattr(ENDPOINTS, "_items", dict(ENDPOINTS._items))
        yield root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def trained(home: Path) -> str:
    code, out = run(
        "models", "train", str(INVENTED_CSV), "--id", "tyrosinase_inhouse",
        "--title", "Tyrosinase (in-house, invented)", "--function", "whitening",
        "--target", "mushroom tyrosinase", "--threshold", "5",
    )  # fmt: skip
    assert code == 0, out
    return out


def test_train_prints_the_card_summary(home: Path, trained: str) -> None:
    assert "Training tyrosinase_inhouse from tyrosinase_inhouse_invented.csv" in trained
    assert "row 36, column 'IC50 (uM)': 'n.d.'" in trained  # the unreadable row is named
    assert "aggregated to one row per InChIKey" in trained  # curation counts
    assert "scaffold" in trained and "cluster" in trained and "coverage" in trained
    assert "AUROC" in trained and "39 compounds (5 censored" in trained
    assert "applicability domain: nearest similarity ≥" in trained
    folder = home / "models" / "tyrosinase_inhouse"
    assert f"Saved tyrosinase_inhouse to {folder}" in trained.replace("\n", "")
    card = json.loads((folder / "model_card.json").read_text(encoding="utf-8"))
    assert card["endpoint_definition"]["target"] == "mushroom tyrosinase"


def test_predict_list_and_show_pick_the_model_up(home: Path, trained: str) -> None:
    code, out = run("predict", "CCCCCc1ccc(O)cc1O", "--endpoints", "tyrosinase_inhouse", "--json")
    assert code == 0, out
    row = json.loads(out)[0]
    assert row["status"] == "ok" and math.isfinite(row["tyrosinase_inhouse_value"])
    assert 0 <= row["tyrosinase_inhouse_p_active"] <= 1
    from actives.predict.shipped import load_shipped

    expected = load_shipped("tyrosinase_inhouse").predict([row["smiles"]]).value.iloc[0]
    assert row["tyrosinase_inhouse_value"] == pytest.approx(expected)

    code, out = run("models", "list")
    assert code == 0, out
    line = next(x for x in out.splitlines() if "tyrosinase_inhouse" in x)
    assert "user" in line and "whitening" in line and "39" in line
    assert "shipped" in next(x for x in out.splitlines() if "cox2" in x)

    code, out = run("models", "show", "tyrosinase_inhouse")
    assert code == 0 and "Model card: Tyrosinase (in-house, invented)" in out
    assert "A user's own model" in out


def test_refusals_exit_2_with_a_message(home: Path, trained: str, tmp_path: Path) -> None:
    code, out = run("models", "train", str(INVENTED_CSV), "--id", "tyrosinase_inhouse")
    assert code == 2 and "already exists" in out and "--overwrite" in out
    code, out = run("models", "train", str(INVENTED_CSV), "--id", "mmp1")
    assert code == 2 and "'mmp1' is a shipped endpoint" in out
    code, out = run("models", "train", "--id", "x_model")
    assert code == 2 and "got none" in out
    binary = tmp_path / "plate.csv"
    binary.write_bytes(b"\x00\x01\x02 binary export")
    code, out = run("models", "train", str(binary), "--id", "plate_model")
    assert code == 2 and "looks like a binary file" in out
    code, out = run("models", "train", str(INVENTED_CSV), "--id", "um_model", "--units", "uM")
    assert code == 2 and "--value-units uM" in out
    code, out = run("models", "show", "nothing_here")
    assert code == 2 and "No model for 'nothing_here'" in out
    assert not (home / "models" / "plate_model").exists()


def test_evaluate_prints_metrics_without_saving(home: Path) -> None:
    code, out = run("models", "evaluate", str(INVENTED_CSV), "--split", "scaffold",
                    "--learner", "knn", "--folds", "3", "--json")  # fmt: skip
    assert code == 0, out
    result = json.loads(out)
    assert list(result["evaluation"]) == ["scaffold"]
    overall = result["evaluation"]["scaffold"]["overall"]
    assert overall["n"] == 34 and math.isfinite(overall["rmse"])
    assert result["curation"][0] == {"name": "input rows", "rows_in": 41, "rows_out": 41,
                                     "note": ""}  # fmt: skip
    code, out = run("models", "evaluate", str(INVENTED_CSV), "--learner", "xgboost")
    assert code == 2 and "known: knn, lightgbm, random_forest" in out


def test_train_from_a_chembl_sqlite_file(home: Path, tmp_path: Path) -> None:
    db = build_chembl_sqlite(tmp_path / "chembl_invented.db")
    code, out = run("models", "train", "--chembl", "CHEMBL1973", "--chembl-sqlite", str(db),
                    "--id", "tyrosinase_chembl", "--function", "whitening", "--threshold", "5",
                    "--json")  # fmt: skip
    assert code == 0, out
    card = json.loads(out)["card"]
    assert card["data_sources"][0]["chembl_target"] == "CHEMBL1973"
    assert card["endpoint_definition"]["target"] == "Tyrosinase (Homo sapiens; ChEMBL CHEMBL1973)"
    steps = {s["name"]: s["rows_out"] for s in card["curation"]}
    assert steps["assay description matches"] == 42  # the flagged ChEMBL row is removed
    code, out = run("models", "train", "--chembl", "CHEMBL42", "--chembl-sqlite", str(db),
                    "--id", "nothing_model", "--function", "whitening")  # fmt: skip
    assert code == 2 and "No target CHEMBL42" in out
