"""Grouped cross-validation with conformal intervals, AD and NP subsets, on a learnable toy set."""

import pandas as pd
import pytest
from rdkit.Chem import Crippen

from actives.chem import to_mol
from actives.errors import InvalidInputError, NotFoundError
from actives.predict.evaluation import cross_validate
from actives.predict.learners import get_learner, learners

RINGS = ["c1ccccc1", "C1CCCCC1", "c1ccncc1", "c1ccoc1", "C1CCOC1", "c1ccc2ccccc2c1"]


def toy_set() -> pd.DataFrame:
    """Ring x chain x end-group compounds; the target is Crippen logP (learnable, deterministic)."""
    smiles = [f"{end}{'C' * n}{ring}" for ring in RINGS for n in range(1, 6)
              for end in ("O", "N", "Cl", "CC(=O)")]  # fmt: skip
    values = [Crippen.MolLogP(to_mol(s)) for s in smiles]  # type: ignore[attr-defined]
    return pd.DataFrame({"smiles": smiles, "value": values, "relation": "="})


# Each scaffold fold holds two of the six ring systems, never seen in training: a hard
# extrapolation (Spearman 0.41-0.58 over seeds 0-3); cluster folds share ring systems.
@pytest.mark.parametrize(("split", "min_spearman"), [("scaffold", 0.35), ("cluster", 0.9)])
def test_cross_validation_learns_and_covers(split: str, min_spearman: float) -> None:
    evaluation = cross_validate(toy_set(), split=split, n_folds=3, confidence=0.8)
    overall = evaluation.overall
    assert overall.n == 120
    assert overall.spearman is not None and overall.spearman > min_spearman
    assert overall.coverage is not None and 0.7 <= overall.coverage <= 1.0
    predictions = evaluation.predictions
    assert set(predictions.fold) == {0, 1, 2}
    assert (predictions.low <= predictions.predicted).all()
    assert (predictions.predicted <= predictions.high).all()
    assert evaluation.in_domain.n + evaluation.out_of_domain.n == 120
    summary = evaluation.summary()
    assert "predictions" not in summary and summary["split"] == split


def test_censored_rows_are_not_regression_targets() -> None:
    data = toy_set()
    data.loc[:9, "relation"] = "<"
    assert cross_validate(data, n_folds=3, learner="knn").overall.n == 110


def test_classification_metrics_in_cross_validation() -> None:
    evaluation = cross_validate(toy_set(), n_folds=3, active_threshold=2.5)
    c = evaluation.classification
    assert c is not None and c["auroc"] is not None and c["auroc"] > 0.55  # better than chance
    assert evaluation.predictions.p_active.between(0, 1).all()


def test_bad_evaluations() -> None:
    with pytest.raises(InvalidInputError, match="expected at least 15"):
        cross_validate(toy_set().head(10), n_folds=3)
    with pytest.raises(InvalidInputError, match="expected 'scaffold' or 'cluster'"):
        cross_validate(toy_set(), split="random")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="known: knn, lightgbm, random_forest"):
        get_learner("xgboost")
    assert [learner.id for learner in learners()] == ["knn", "lightgbm", "random_forest"]


def test_point_predictions_only_without_intervals() -> None:
    with_intervals = cross_validate(toy_set(), split="cluster", n_folds=3, active_threshold=2.0)
    points = cross_validate(
        toy_set(), split="cluster", n_folds=3, active_threshold=2.0, intervals=False
    )
    # the same final model per fold: the same predictions, but no interval and no P(active)
    assert (
        points.predictions["predicted"].tolist() == with_intervals.predictions["predicted"].tolist()
    )
    assert points.overall.coverage is None and points.classification is None
    assert points.predictions["low"].isna().all()
    assert with_intervals.overall.coverage is not None
