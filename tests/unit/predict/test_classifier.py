"""Classification models through the engine: calibration, conformal sets, domain, files."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.errors import InvalidFileError, InvalidInputError
from actives.predict.classifier import (
    ClassConformal,
    ClassifierArtifact,
    PlattCalibration,
    class_indices,
    cross_validate_classifier,
    expected_calibration_error,
    train_classifier_artifact,
)
from actives.predict.registry import get_endpoint
from actives.predict.shipped import build_classifier_model, installed_models, load_classifier
from tests.unit.predict.test_evaluation import toy_set


def hazard_set() -> pd.DataFrame:
    """The toy compounds labelled by a learnable rule: an acyl end group is 'positive'."""
    data = toy_set()
    labels = ["positive" if s.startswith("CC(=O)") or s.startswith("Cl") else "negative"
              for s in data["smiles"]]  # fmt: skip
    return pd.DataFrame({"smiles": data["smiles"], "label": labels})


def potency_set() -> pd.DataFrame:
    """Three ordered classes from the end group: O -> NC, N -> NC, Cl -> 1B, acyl -> 1A."""
    data = toy_set()
    classes = {"O": "NC", "N": "NC", "Cl": "1B", "CC(=O)": "1A"}
    labels = [next(v for k, v in sorted(classes.items(), key=lambda kv: -len(kv[0]))
                   if s.startswith(k)) for s in data["smiles"]]  # fmt: skip
    return pd.DataFrame({"smiles": data["smiles"], "label": labels})


def test_platt_calibration_gives_probabilities_that_sum_to_one() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    raw = rng.dirichlet(np.ones(3), 200)
    raw[np.arange(200), y] += 0.5  # informative scores
    raw /= raw.sum(axis=1, keepdims=True)
    calibrated = PlattCalibration.fit(raw, y).apply(raw)
    assert np.allclose(calibrated.sum(axis=1), 1.0)
    assert (calibrated.argmax(axis=1) == y).mean() > 0.6


def test_class_conformal_p_values_follow_the_calibration_ranks() -> None:
    # calibration: class 0 compounds had P(class 0) of 0.9, 0.8, 0.6 -> scores 0.1, 0.2, 0.4
    # class 1 compounds had P(class 1) of 0.7, 0.9, 0.8 -> scores 0.3, 0.1, 0.2
    probabilities = np.array(
        [[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9], [0.2, 0.8]]
    )
    conformal = ClassConformal.calibrate(probabilities, np.array([0, 0, 0, 1, 1, 1]))
    # a new compound with P(class 0) = 0.7 has score 0.3 for class 0: one of 0.1, 0.2, 0.4 is
    # at least as large; for class 1 its score 0.7 exceeds all of 0.3, 0.1, 0.2
    p = conformal.p_values(np.array([[0.7, 0.3]]))
    assert p[0, 0] == pytest.approx((1 + 1) / (3 + 1))
    assert p[0, 1] == pytest.approx((0 + 1) / (3 + 1))
    assert conformal.sets(np.array([[0.7, 0.3]]), confidence=0.6).tolist() == [[True, False]]


def test_expected_calibration_error_is_zero_for_perfect_calibration() -> None:
    truth = np.array([1, 0, 1, 0] * 25, dtype=bool)
    assert expected_calibration_error(truth, np.full(100, 0.5)) == pytest.approx(0.0)
    assert expected_calibration_error(truth, np.full(100, 0.9)) == pytest.approx(0.4)


def test_unknown_class_labels_are_named() -> None:
    with pytest.raises(InvalidInputError, match=r"'maybe'.*expected one of"):
        class_indices(pd.Series(["positive", "maybe"]), ("negative", "positive"))


@pytest.mark.parametrize("split", ["scaffold", "cluster"])
def test_cross_validation_learns_a_hazard_rule(split: str) -> None:
    evaluation = cross_validate_classifier(
        hazard_set(), ("negative", "positive"), split=split, n_folds=3
    )
    overall = evaluation.overall
    assert overall.n == 120 and overall.n_per_class == {"negative": 60, "positive": 60}
    assert overall.auroc is not None and overall.auroc > 0.85
    assert overall.coverage is not None and overall.coverage >= 0.8
    assert evaluation.in_domain.n + evaluation.out_of_domain.n == 120
    assert set(evaluation.predictions["fold"]) == {0, 1, 2}
    assert "predictions" not in evaluation.summary()


def test_too_few_of_a_class_is_refused_with_the_counts() -> None:
    data = hazard_set()
    data = pd.concat([data[data.label == "negative"], data[data.label == "positive"].head(4)])
    with pytest.raises(InvalidInputError, match=r"positive 4.*at least 10"):
        cross_validate_classifier(data, ("negative", "positive"), n_folds=3)


def test_three_class_model_saves_loads_and_predicts_the_same(tmp_path: Path) -> None:
    endpoint = get_endpoint("skin_sens_potency")
    artifact = train_classifier_artifact(potency_set(), endpoint)
    artifact.save(tmp_path / "skin_sens_potency")
    loaded = ClassifierArtifact.load(tmp_path / "skin_sens_potency")
    queries = ["CC(=O)CCCc1ccccc1", "OCCc1ccncc1", "not a smiles"]
    before = artifact.predict(queries)
    after = loaded.predict(queries)
    pd.testing.assert_frame_equal(before, after)
    ok = after.iloc[:2]
    assert np.allclose(ok[["p_NC", "p_1B", "p_1A"]].sum(axis=1), 1.0)
    assert np.allclose(ok["p_active"], 1 - ok["p_NC"])
    assert ok.iloc[0]["predicted"] == "1A" and ok.iloc[1]["predicted"] == "NC"
    assert after.iloc[2]["predicted"] == "" and np.isnan(after.iloc[2]["p_active"])
    assert all(set(s.split("|")) <= {"NC", "1B", "1A"} for s in ok["prediction_set"] if s)


def test_a_damaged_or_regression_folder_is_refused(tmp_path: Path) -> None:
    endpoint = get_endpoint("skin_sens_llna")
    folder = tmp_path / "skin_sens_llna"
    train_classifier_artifact(hazard_set(), endpoint).save(folder)
    (folder / "calibration.json").write_text("{broken")
    with pytest.raises(InvalidFileError, match="damaged"):
        ClassifierArtifact.load(folder)
    card = json.loads((folder / "model_card.json").read_text())
    card.pop("task")
    (folder / "model_card.json").write_text(json.dumps(card))
    with pytest.raises(InvalidInputError, match="not a classification model"):
        ClassifierArtifact.load(folder)


def test_built_classifiers_are_listed_apart_from_value_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path / "home"))
    endpoint = get_endpoint("skin_sens_llna")
    build_classifier_model(hazard_set(), endpoint, tmp_path / endpoint.id)
    card_text = (tmp_path / endpoint.id / "MODEL_CARD.md").read_text()
    assert "| scaffold | overall | 120 |" in card_text and "| cluster | overall |" in card_text
    assert [m.endpoint_id for m in installed_models("classification")] == ["skin_sens_llna"]
    assert installed_models() == []  # the Predictor's value models are not mixed with them
    model = load_classifier("skin_sens_llna")
    assert model.classes == ("negative", "positive")


def test_the_call_follows_the_conformal_set() -> None:
    from actives.predict.classifier import conformal_calls

    sets = np.array([[False, True], [True, False], [True, True], [False, False]])
    assert conformal_calls(sets, ("negative", "positive")) == [
        "positive",
        "negative",
        "inconclusive",
        "inconclusive",
    ]
