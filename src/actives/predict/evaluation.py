"""Honest evaluation: grouped k-fold (scaffold or cluster), conformal intervals, AD and NP subsets.

Each outer fold repeats the shipped model's training on the other folds: the training part is
split again by the same grouping into five inner folds whose out-of-fold residuals calibrate the
conformal interval (cross-conformal, Mondrian by applicability domain; crepes), the model is
fitted on the whole training part, and everything is measured on the outer fold it never saw.
Censored values (>, <) are not used as regression targets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from actives.chem import morgan_fingerprint, np_likeness, to_mol
from actives.errors import InvalidInputError
from actives.predict.conformal import CALIBRATION_FOLDS, DomainConformal, cross_conformal
from actives.predict.domain import ApplicabilityDomain
from actives.predict.featurizers import combined
from actives.predict.learners import get_learner
from actives.predict.probability import classification_metrics
from actives.predict.splits import cluster_folds, scaffold_folds

SplitKind = Literal["scaffold", "cluster"]
ConformalKind = Literal["mondrian", "pooled"]


@dataclass
class Metrics:
    """Regression metrics on one subset of held-out compounds."""

    n: int
    rmse: float | None
    mae: float | None
    r2: float | None
    spearman: float | None
    coverage: float | None  # share of true values inside the conformal interval

    @classmethod
    def of(cls, y: np.ndarray, pred: np.ndarray, low: np.ndarray, high: np.ndarray) -> Metrics:
        """Metrics of predictions against truth (None where there are too few compounds)."""
        n = len(y)
        if n < 3:
            return cls(n, None, None, None, None, None)
        residual = pred - y
        ss_tot = float(((y - y.mean()) ** 2).sum())
        return cls(
            n,
            round(float(np.sqrt((residual**2).mean())), 4),
            round(float(np.abs(residual).mean()), 4),
            round(1 - float((residual**2).sum()) / ss_tot, 4) if ss_tot > 0 else None,
            round(float(spearmanr(y, pred).statistic), 4),
            None if np.isnan(low).all() else round(float(((y >= low) & (y <= high)).mean()), 4),
        )


@dataclass
class Evaluation:
    """Out-of-fold metrics overall, inside/outside the AD and on the natural-product-like subset."""

    split: str
    n_folds: int
    learner: str
    featurizers: list[str]
    confidence: float
    conformal: str
    overall: Metrics
    in_domain: Metrics
    out_of_domain: Metrics
    natural_product_like: Metrics
    predictions: pd.DataFrame = field(repr=False)
    classification: dict[str, float | int | None] | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-ready metrics (no per-compound predictions), for the model card."""
        out = asdict(self)
        out.pop("predictions")
        return out


def exact_features(
    data: pd.DataFrame, featurizer_ids: tuple[str, ...], minimum: int, purpose: str
) -> tuple[pd.DataFrame, list[str], np.ndarray, np.ndarray]:
    """Exactly measured rows (censored ones are no regression targets), featurised.

    Returns the rows, their SMILES, the targets and the feature matrix; refuses fewer than
    ``minimum`` compounds or any structure that cannot be featurised.
    """
    exact = pd.DataFrame(data[data.get("relation", "=") == "="]).reset_index(drop=True)
    if len(exact) < minimum:
        raise InvalidInputError(
            f"{len(exact)} exactly measured compounds; expected at least {minimum} {purpose}."
        )
    smiles: list[str] = [str(s) for s in exact["smiles"]]
    features, _names, failed = combined(featurizer_ids, smiles)
    if failed:
        raise InvalidInputError(f"{len(failed)} curated structures could not be featurised.")
    targets: np.ndarray = exact["value"].to_numpy(dtype=float)
    return exact, smiles, targets, features


def _folds(smiles: list[str], kind: SplitKind, n_folds: int, seed: int) -> np.ndarray:
    if kind == "scaffold":
        return scaffold_folds(smiles, n_folds, seed)
    if kind == "cluster":
        return cluster_folds(smiles, n_folds, seed=seed)
    raise InvalidInputError(f"Split {kind!r}; expected 'scaffold' or 'cluster'.")


@dataclass(frozen=True)
class FoldFit:
    """One outer fold: its held-out rows, their predictions, domain and the fold's calibration."""

    test: np.ndarray  # row indices held out
    predicted: np.ndarray
    nearest: np.ndarray  # similarity to the nearest compound of the training part
    in_domain: np.ndarray
    conformal: DomainConformal | None  # None when intervals were not asked for


def fold_fits(
    smiles: list[str],
    targets: np.ndarray,
    features: np.ndarray,
    *,
    split: SplitKind = "scaffold",
    n_folds: int = 5,
    learner: str = "lightgbm",
    seed: int = 0,
    conformal: ConformalKind = "mondrian",
    intervals: bool = True,
) -> list[FoldFit]:
    """The shipped model's training repeated on each outer fold's training part.

    ``intervals=False`` fits the model once per fold and calibrates nothing (for baselines whose
    point predictions alone are compared).
    """
    fingerprints = [morgan_fingerprint(to_mol(s)) for s in smiles]
    folds = _folds(smiles, split, n_folds, seed)
    make = get_learner(learner).factory
    fits = []
    for fold in range(n_folds):
        test = np.flatnonzero(folds == fold)
        train = np.flatnonzero(folds != fold)
        train_fps = [fingerprints[i] for i in train]
        domain = ApplicabilityDomain(train_fps)
        query = [domain.query(fingerprints[i], k=1) for i in test]
        calibrated = None
        if intervals:
            inner = _folds([smiles[i] for i in train], split, CALIBRATION_FOLDS, seed + 1)
            # Pooled: a threshold of 0 puts every calibration compound in one category.
            threshold = 0.0 if conformal == "pooled" else domain.threshold
            model, calibrated = cross_conformal(
                features[train],
                targets[train],
                train_fps,
                inner,
                lambda x, t: make(seed).fit(x, t),
                threshold,
            )
        else:
            model = make(seed).fit(features[train], targets[train])
        fits.append(
            FoldFit(
                test,
                model.predict(features[test]),
                np.array([q.nearest_similarity for q in query]),
                np.array([q.in_domain for q in query], dtype=bool),
                calibrated,
            )
        )
    return fits


def cross_validate(
    data: pd.DataFrame,
    *,
    split: SplitKind = "scaffold",
    n_folds: int = 5,
    learner: str = "lightgbm",
    featurizer_ids: tuple[str, ...] = ("morgan_counts",),
    confidence: float = 0.9,
    seed: int = 0,
    active_threshold: float | None = None,
    higher_is_active: bool = True,
    conformal: ConformalKind = "mondrian",
    intervals: bool = True,
) -> Evaluation:
    """Evaluate a learner on curated data (columns smiles, value, relation) by grouped k-fold.

    ``intervals=False`` skips the conformal calibration (coverage and P(active) are then None).
    """
    exact, smiles, y, features = exact_features(
        data, featurizer_ids, 5 * n_folds, f"for {n_folds}-fold evaluation"
    )
    np_scores = np.array([np_likeness(to_mol(s))[0] for s in smiles])
    folds = np.zeros(len(y), dtype=int)
    pred = np.full(len(y), np.nan)
    low, high = pred.copy(), pred.copy()
    in_domain = np.zeros(len(y), dtype=bool)
    p_active = np.full(len(y), np.nan)
    fits = fold_fits(smiles, y, features, split=split, n_folds=n_folds, learner=learner,
                     seed=seed, conformal=conformal, intervals=intervals)  # fmt: skip
    for fold, fit in enumerate(fits):
        test = fit.test
        folds[test] = fold
        pred[test] = fit.predicted
        in_domain[test] = fit.in_domain
        if fit.conformal is None:
            continue
        bounds = fit.conformal.interval(fit.predicted, fit.nearest, confidence)
        low[test], high[test] = bounds[:, 0], bounds[:, 1]
        if active_threshold is not None:
            above = fit.conformal.probability_above(fit.predicted, fit.nearest, active_threshold)
            p_active[test] = above if higher_is_active else 1.0 - above

    def subset(mask: np.ndarray) -> Metrics:
        return Metrics.of(y[mask], pred[mask], low[mask], high[mask])

    everything = np.ones(len(y), dtype=bool)
    predictions = exact.assign(fold=folds, predicted=pred, low=low, high=high,
                               in_domain=in_domain, np_score=np_scores,
                               p_active=p_active)  # fmt: skip
    classification = (
        classification_metrics(y, p_active, active_threshold, higher_is_active)
        if active_threshold is not None and intervals
        else None
    )
    return Evaluation(
        split,
        n_folds,
        learner,
        list(featurizer_ids),
        confidence,
        conformal,
        subset(everything),
        subset(in_domain),
        subset(~in_domain),
        subset(np_scores > 0),
        predictions,
        classification,
    )
