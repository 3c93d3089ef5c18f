"""Curve-quality features and classifier: synthetic shapes, the shipped model, grouped splits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.assays.qpcr.quality import (
    CARD_FILE,
    FEATURES,
    CurveQualityModel,
    best_threshold,
    binary_metrics,
    curve_features,
    dataset_folds,
    load_curve_quality_model,
    shipped_model_folder,
    train_curve_quality,
)
from actives.errors import InvalidFileError, InvalidInputError, NotFoundError

CYCLES = np.arange(1.0, 41.0)


def sigmoid(midpoint: float = 22.0, scale: float = 1.6, top: float = 1000.0) -> np.ndarray:
    return 100 + top / (1 + np.exp(-(CYCLES - midpoint) / scale))


def noise(seed: int, sd: float = 3.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, sd, len(CYCLES))


def hook() -> np.ndarray:
    """A sigmoid whose signal falls by 60 units per cycle after cycle 28."""
    return sigmoid(18, 1.5) - np.clip(CYCLES - 28, 0, None) * 60


def test_features_separate_sigmoid_noise_and_hook() -> None:
    curves = np.vstack([sigmoid() + noise(1), 100 + noise(2), hook() + noise(3)])
    f = curve_features(CYCLES, curves)
    assert list(f.columns) == list(FEATURES) and len(f) == 3
    clean, flat, hooked = f.iloc[0], f.iloc[1], f.iloc[2]
    assert clean.snr > flat.snr + 1.5  # amplitude ~1000 over noise ~3 vs noise over noise
    assert clean.monotonicity > 0.9 > 0.7 > flat.monotonicity
    assert clean.logistic_r2 > 0.95 and flat.logistic_r2 < 0.5
    assert clean.hook < 0.05 and hooked.hook > 0.3  # 12 cycles x 60 = 720 of ~1000 lost
    assert flat.sign_changes > clean.sign_changes + 0.1  # noise flips its slope everywhere


def test_d1_and_sdm_positions_match_the_logistic() -> None:
    # A logistic's steepest point is its midpoint; its second-derivative maximum lies
    # scale * ln(2 + sqrt 3) = 1.317 * scale cycles earlier.
    f = curve_features(CYCLES, sigmoid(midpoint=20.0, scale=2.0)[None, :]).iloc[0]
    assert f.d1_position == pytest.approx((20 - 1) / 39, abs=1 / 39)
    assert f.d2_position == pytest.approx((20 - 2 * 1.317 - 1) / 39, abs=1.5 / 39)
    # max slope of A / (1 + exp(-(x - m) / s)) is A / (4 s); over the range A
    assert f.d1_height == pytest.approx(1 / 8, rel=0.1)


def test_features_do_not_depend_on_units_or_offset() -> None:
    curve = sigmoid() + noise(4)
    original = curve_features(CYCLES, curve[None, :])
    rescaled = curve_features(CYCLES, (curve * 37.5 - 3000)[None, :])
    pd.testing.assert_frame_equal(original, rescaled, rtol=1e-6, atol=1e-9)


def test_missing_values_and_bad_shapes() -> None:
    gappy = sigmoid().copy()
    gappy[10] = np.nan
    empty = np.full(len(CYCLES), np.nan)
    f = curve_features(CYCLES, np.vstack([sigmoid(), gappy, empty]))
    assert f.iloc[1].snr == pytest.approx(f.iloc[0].snr, abs=0.2)  # the gap is interpolated
    assert f.iloc[2].isna().all()
    with pytest.raises(InvalidInputError, match="expected \\(curves, cycles\\)"):
        curve_features(CYCLES, np.zeros((2, 30)))
    with pytest.raises(InvalidInputError, match="at least 10"):
        curve_features(CYCLES[:5], np.zeros((1, 5)))


def test_shipped_model_scores_clean_sigmoid_high_and_noise_low() -> None:
    model = load_curve_quality_model()
    p = model.predict_proba(CYCLES, np.vstack([sigmoid() + noise(5), 100 + noise(6)]))
    assert p[0] > 0.5 > p[1]
    assert 0 < model.threshold < 1
    assert model.describe()["model"] == "qpcr_curve_quality"
    nan_row = model.predict_proba(CYCLES, np.full((1, len(CYCLES)), np.nan))
    assert np.isnan(nan_row[0])


def test_shipped_card_reports_per_dataset_validation() -> None:
    card = json.loads((shipped_model_folder() / CARD_FILE).read_text())
    per = card["validation"]["per_dataset"]
    assert {"RAS002", "kbqPCR", "vermeulen1"} <= set(per)
    assert sum(v["n"] + v["n_ambiguous"] for v in per.values()) == card["data"]["n_curves"]


def test_dataset_folds_never_share_a_data_set() -> None:
    datasets = ["a", "a", "b", "guescini1", "guescini2", "c", "reps", "testdat", "b"]
    folds = dataset_folds(datasets)
    names = np.array(datasets)
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(len(datasets)))  # each row tested once
    for train, test in folds:
        assert not set(names[train]) & set(names[test])
    # data sets that share curves are held out together
    held = [set(names[test]) for _, test in folds]
    assert {"guescini1", "guescini2"} in held and {"reps", "testdat"} in held


def test_best_threshold_and_metrics_by_hand() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    score = np.array([0.1, 0.2, 0.6, 0.4, 0.8, 0.9])
    cut = best_threshold(y, score)
    # cuts between 0.2 and 0.4 give sens 1, spec 2/3; between 0.6 and 0.8 sens 2/3, spec 1
    assert 0.2 < cut < 0.4 or 0.6 < cut < 0.8
    m = binary_metrics(y, score, score >= 0.3)
    assert m["sensitivity"] == 1.0 and m["specificity"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["balanced_accuracy"] == pytest.approx(5 / 6, abs=1e-4)
    assert m["auroc"] == pytest.approx(8 / 9, abs=1e-4)  # 8 of 9 pos/neg pairs ordered
    one_class = binary_metrics(y[y == 1], score[y == 1], score[y == 1] >= 0.3)
    assert one_class["balanced_accuracy"] is None and one_class["auroc"] is None


def _write_raw_folder(root: Path) -> None:
    """Four synthetic data sets: sigmoids (labelled y) and noise or drift (labelled n)."""
    (root / "qpcr-pcredux").mkdir(parents=True)
    (root / "qpcr-qpcR").mkdir()
    rng = np.random.default_rng(0)
    for d in range(4):
        columns, labels = {"Cycles": CYCLES}, ["set,test.result.1,test.result.2,conformity"]
        for i in range(8):
            curve = sigmoid(16 + i + d, 1.4 + 0.1 * d, 500 + 100 * i) + rng.normal(0, 4, 40)
            columns[f"P{i}"] = curve
            labels.append(f"P{i},y,y,TRUE")
        for i in range(6):
            drift = 100 + 0.5 * i * CYCLES + rng.normal(0, 4, 40)
            columns[f"N{i}"] = drift
            labels.append(f"N{i},n,n,TRUE")
        labels.append("A0,y,a,FALSE")
        columns["A0"] = sigmoid(35) + rng.normal(0, 4, 40)
        pd.DataFrame(columns).to_csv(root / "qpcr-qpcR" / f"set{d}.csv", index=False)
        (root / "qpcr-pcredux" / f"decision_res_set{d}.csv").write_text("\n".join(labels) + "\n")


def test_training_end_to_end_on_synthetic_data(tmp_path: Path) -> None:
    _write_raw_folder(tmp_path / "raw")
    out = tmp_path / "model"
    card = train_curve_quality(tmp_path / "raw", out)
    assert {p.name for p in out.iterdir()} == {"model.txt", CARD_FILE, "MODEL_CARD.md"}
    assert card["data"]["n_curves"] == 4 * 15
    assert card["data"]["class_counts"] == {"positive": 32, "negative": 24, "ambiguous": 4}
    assert set(card["validation"]["per_dataset"]) == {f"set{d}" for d in range(4)}
    model = load_curve_quality_model(out)
    p = model.predict_proba(CYCLES, np.vstack([sigmoid() + noise(7), 100 + noise(8)]))
    assert p[0] > p[1]
    assert "leave one data set out" in (out / "MODEL_CARD.md").read_text()


def test_training_needs_both_classes(tmp_path: Path) -> None:
    _write_raw_folder(tmp_path / "raw")
    for path in (tmp_path / "raw" / "qpcr-pcredux").iterdir():
        path.write_text(path.read_text().replace(",n,n,", ",y,y,"))
    with pytest.raises(InvalidInputError, match="at least 5 of each class"):
        train_curve_quality(tmp_path / "raw", tmp_path / "model")


def test_broken_model_folders(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="No curve-quality model"):
        load_curve_quality_model(tmp_path)
    folder = tmp_path / "copy"
    shutil.copytree(shipped_model_folder(), folder)
    card = json.loads((folder / CARD_FILE).read_text())
    (folder / CARD_FILE).write_text(json.dumps(card | {"task": "classification"}))
    with pytest.raises(InvalidInputError, match="not a qpcr_curve_quality card"):
        CurveQualityModel.load(folder)
    (folder / CARD_FILE).write_text(json.dumps(card))
    (folder / "model.txt").write_text("not a model")
    with pytest.raises(InvalidFileError, match="damaged"):
        CurveQualityModel.load(folder)
    (folder / CARD_FILE).write_text("{truncated")
    with pytest.raises(InvalidFileError, match="not a JSON model card"):
        CurveQualityModel.load(folder)
