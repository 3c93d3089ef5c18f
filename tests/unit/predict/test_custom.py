"""A user's own endpoint: defined, trained into ACTIVES_HOME/models, listed, reloaded, refused."""

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.errors import ConflictError, InvalidFileError, InvalidInputError, NotFoundError
from actives.predict.activity_tables import read_activity_table
from actives.predict.artifact import ModelArtifact
from actives.predict.custom import (
    chembl_data,
    define_endpoint,
    evaluate_custom,
    table_data,
    train_custom_endpoint,
)
from actives.predict.registry import ENDPOINTS, get_endpoint
from actives.predict.shipped import (
    TrainedModel,
    available,
    endpoint_from_definition,
    installed_models,
    load_shipped,
    model_origin,
)
from tests.data.build_chembl_fixture import TARGET, build_chembl_sqlite

INVENTED = Path(__file__).resolve().parents[2] / "data" / "activities"
INVENTED_CSV = INVENTED / "tyrosinase_inhouse_invented.csv"
PROBES = ["CCCCCc1ccc(O)cc1O", "Oc1ccc(O)cc1", "O=c1cc(-c2ccc(O)cc2)oc2ccccc12"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh ACTIVES_HOME and a registry copy, both restored after the module."""
    root = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ACTIVES_HOME", str(root))
        patch.setattr(ENDPOINTS, "_items", dict(ENDPOINTS._items))
        yield root


@pytest.fixture(scope="module")
def trained(home: Path) -> TrainedModel:
    data = table_data(read_activity_table(INVENTED_CSV), INVENTED_CSV)
    endpoint = define_endpoint(
        "tyrosinase_test", "Tyrosinase inhibition (invented data)", "whitening",
        target="mushroom tyrosinase", assay="L-DOPA, invented", active_threshold=5.0,
    )  # fmt: skip
    return train_custom_endpoint(
        data.raw, endpoint, options=data.options, data_source=data.source,
        input_problems=data.problems,
    )  # fmt: skip


def test_model_folder_and_card(home: Path, trained: TrainedModel) -> None:
    folder = home / "models" / "tyrosinase_test"
    assert trained.folder == folder
    names = ["MODEL_CARD.md", "conformal.json", "domain.npy", "model.txt", "model_card.json"]
    assert sorted(p.name for p in folder.iterdir()) == names
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging left
    card = json.loads((folder / "model_card.json").read_text(encoding="utf-8"))
    assert card["origin"] == "user" and card["endpoint"] == "tyrosinase_test"
    definition = card["endpoint_definition"]
    assert definition["function"] == "whitening" and definition["active_threshold"] == 5.0
    assert definition["sources"] == ["user"] and definition["target"] == "mushroom tyrosinase"
    counts = {s["name"]: (s["rows_in"], s["rows_out"]) for s in card["curation"]}
    assert counts["input rows"] == (41, 41)
    assert counts["have a structure and a numeric value"] == (41, 40)
    assert card["n_compounds"] == 39 and card["n_censored"] == 5
    # cross-conformal: every exact compound trains the model and calibrates out of fold
    assert card["n_train"] == card["n_calibration"] == 34
    assert card["conformal"]["calibration"] == "cross-conformal" and card["conformal"]["folds"] == 5
    for split in ("scaffold", "cluster"):
        overall = card["evaluation"][split]["overall"]
        assert overall["n"] == 34
        for key in ("rmse", "mae", "spearman", "coverage"):
            assert math.isfinite(overall[key])
        assert 0 <= overall["coverage"] <= 1 and overall["rmse"] > 0
        assert card["evaluation"][split]["classification"]["n_active"] == 8
    source = card["data_sources"][0]
    assert source["path"] == "tyrosinase_inhouse_invented.csv" and len(source["sha256"]) == 64
    assert source["problem_rows"] == 1
    assert any("1 input rows could not be read" in w for w in card["warnings"])
    text = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "A user's own model" in text and "## Warnings" in text and "sha256" in text
    assert "Probability of activity (value >= 5.0)" in text


def test_listed_and_reloaded_with_the_same_predictions(
    home: Path, trained: TrainedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "tyrosinase_test" in available() and available("user") == ["tyrosinase_test"]
    assert "cox2" in available("shipped") and model_origin("tyrosinase_test") == "user"
    assert {m.endpoint_id: m.origin for m in installed_models()}["cox2"] == "shipped"
    before = trained.artifact.predict(PROBES)
    # a fresh process: the endpoint is not registered until its model is loaded
    monkeypatch.setattr(ENDPOINTS, "_items", {k: v for k, v in ENDPOINTS._items.items()
                                              if k != "tyrosinase_test"})  # fmt: skip
    loaded = load_shipped("tyrosinase_test")
    assert get_endpoint("tyrosinase_test") == loaded.endpoint == trained.endpoint
    after = loaded.predict(PROBES)
    assert np.allclose(before.value, after.value) and np.isfinite(after.value).all()
    assert np.allclose(before.low, after.low) and np.allclose(before.p_active, after.p_active)


def test_predictor_picks_user_models_up(home: Path, trained: TrainedModel) -> None:
    from actives.predict.predictor import Predictor

    table = Predictor(["tyrosinase_test"]).predict(PROBES[:1])
    assert table.status.tolist() == ["ok"]
    expected = trained.artifact.predict(PROBES[:1]).value.iloc[0]
    assert table.tyrosinase_test_value.iloc[0] == pytest.approx(expected)


def test_ids_that_are_refused(home: Path, trained: TrainedModel) -> None:
    with pytest.raises(ConflictError, match="'cox2' is a shipped endpoint .COX-2 inhibition."):
        define_endpoint("cox2", "My COX-2", "anti_inflammatory")
    with pytest.raises(InvalidInputError, match="expected 2-48 lower-case letters"):
        define_endpoint("Tyrosinase-1", "x", "whitening")
    with pytest.raises(InvalidInputError, match="expected one of: whitening, anti_wrinkle"):
        define_endpoint("tyro", "x", "brightening")
    with pytest.raises(InvalidInputError, match="expected a number"):
        define_endpoint("tyro", "x", "whitening", active_threshold=float("nan"))
    with pytest.raises(InvalidInputError, match="title is empty"):
        define_endpoint("tyro", " ", "whitening")
    again = define_endpoint("tyrosinase_test", "Tyrosinase inhibition (invented data)",
                            "whitening")  # fmt: skip
    with pytest.raises(ConflictError, match="already exists.*--overwrite") as err:
        train_custom_endpoint(pd.DataFrame(), again)  # refused before any work
    assert err.value.code == "model_exists"
    with pytest.raises(ConflictError, match="defined differently in this running process"):
        train_custom_endpoint(read_activity_table(INVENTED_CSV).raw, again, overwrite=True)


def test_too_little_data_is_a_clear_error(home: Path) -> None:
    table = read_activity_table(INVENTED_CSV)
    endpoint = define_endpoint("tyro_small", "Small", "whitening")
    with pytest.raises(InvalidInputError, match="has 17 exactly measured compounds after "
                       r"curation \(3 more only as a bound.*Expected at least 30"):  # fmt: skip
        train_custom_endpoint(table.raw.head(20), endpoint, options=table.curation_options())
    assert not (home / "models" / "tyro_small").exists()


def test_one_scaffold_cannot_be_split(home: Path) -> None:
    chains = [f"{'C' * n}c1ccc(O)cc1" for n in range(1, 16)]
    raw = pd.DataFrame({"smiles": chains + [s + "O" for s in chains],
                        "value": np.linspace(4, 7, 30)})  # fmt: skip
    with pytest.raises(InvalidInputError, match="30 exactly measured compounds form only 1 "
                       "Bemis-Murcko scaffold.*needs at least 5"):  # fmt: skip
        evaluate_custom(raw, options=read_activity_table(INVENTED_CSV).curation_options(
            value_is_p=True), splits=("scaffold",))  # fmt: skip


def test_evaluation_only_saves_nothing(home: Path) -> None:
    table = read_activity_table(INVENTED_CSV)
    result = evaluate_custom(table.raw, options=table.curation_options(), splits=("cluster",),
                             learner="knn", n_folds=3, active_threshold=5.0)  # fmt: skip
    assert list(result.evaluations) == ["cluster"]
    overall = result.evaluations["cluster"].overall
    assert overall.n == 34 and overall.rmse is not None and math.isfinite(overall.rmse)
    assert result.curated.counts()[0]["rows_in"] == 41
    assert not (home / "models" / "knn").exists()
    with pytest.raises(NotFoundError, match="known: knn, lightgbm, random_forest"):
        evaluate_custom(table.raw, options=table.curation_options(), learner="xgboost")
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        evaluate_custom(table.raw, confidence=90)


def test_chembl_training_data(tmp_path: Path) -> None:
    db = build_chembl_sqlite(tmp_path / "chembl.db")
    data = chembl_data("chembl1973", sqlite_path=db)
    assert data.label == f"ChEMBL {TARGET} (Tyrosinase)" and len(data.raw) == 45
    assert data.target == f"Tyrosinase (Homo sapiens; ChEMBL {TARGET})"
    assert data.source["chembl_release"] == "ChEMBL_00_invented"
    options = data.with_options(assay_include="single protein", assay_exclude="cell-based")
    assert options.assay_exclude == "VALIDITY:|cell-based"
    assert options.assay_include == "single protein"


def test_definitions_and_damaged_folders(tmp_path: Path, trained: TrainedModel) -> None:
    with pytest.raises(InvalidInputError, match="lacks title, function"):
        endpoint_from_definition({"id": "x", "units": "pIC50"})
    with pytest.raises(InvalidInputError, match="function 'glow'; expected one of"):
        endpoint_from_definition({"id": "x", "title": "X", "function": "glow", "units": "p"})
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_card.json").write_text("{not json")
    with pytest.raises(InvalidFileError, match="not a JSON model card"):
        ModelArtifact.load(broken)
    (broken / "model_card.json").write_text(json.dumps(trained.card))
    with pytest.raises(InvalidFileError, match="lacks model.txt, conformal.json, domain.npy"):
        ModelArtifact.load(broken)
    for name in ("model.txt", "conformal.json", "domain.npy"):
        (broken / name).write_bytes((trained.folder / name).read_bytes())
    (broken / "model.txt").write_text("garbage")
    with pytest.raises(InvalidFileError, match="is damaged"):
        ModelArtifact.load(broken)
