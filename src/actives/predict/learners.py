"""Model registry: LightGBM by default, random forest and k-NN as baselines.

Chemprop is an optional extra (``pip install actives[gnn]`` after ``pip install torch==2.13.0``)
and is used as a baseline only; it is not registered here so the core install stays torch-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actives.registry import Registry


@dataclass(frozen=True)
class Learner:
    """A named regression learner factory (a fresh, unfitted scikit-learn-style estimator)."""

    id: str
    description: str
    factory: Callable[[int], Any]


def _lightgbm(seed: int) -> Any:
    from lightgbm import LGBMRegressor

    return LGBMRegressor(
        n_estimators=500,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=10,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.5,
        random_state=seed,
        n_jobs=2,
        verbose=-1,
    )


def _random_forest(seed: int) -> Any:
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(
        n_estimators=300, min_samples_leaf=2, max_features=0.3, n_jobs=2, random_state=seed
    )


def _knn(seed: int) -> Any:
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=5, weights="distance"))


LEARNERS: Registry[Learner] = Registry("model type", "unknown_model_type")
for _learner in (
    Learner("lightgbm", "LightGBM gradient-boosted trees (default)", _lightgbm),
    Learner("random_forest", "Random forest, 300 trees (baseline)", _random_forest),
    Learner("knn", "k-nearest neighbours, k=5, distance-weighted (baseline)", _knn),
):
    LEARNERS.add(_learner.id, _learner)


def get_learner(learner_id: str) -> Learner:
    """The learner with this id; NotFoundError lists the known ones."""
    return LEARNERS.get(learner_id)


def learners() -> list[Learner]:
    """All registered learners."""
    return list(LEARNERS)
