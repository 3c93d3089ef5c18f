"""Classification endpoints through the engine: calibrated probabilities, conformal sets, AD.

A classification endpoint predicts a category (a hazard call, a GHS potency class) rather than a
value. The recipe mirrors the regression models so that both read the same way:

- LightGBM on the *proper* training compounds; the calibration compounds are a scaffold-held-out
  fifth of the data, never seen by the trees.
- Platt scaling (a sigmoid of the raw log-odds, fitted on the calibration compounds, one per class
  and renormalised for more than two classes) turns scores into calibrated probabilities.
- Class-conditional (Mondrian) inductive conformal prediction on the same calibration compounds:
  the nonconformity of a compound is 1 - its calibrated probability of the class in question, and
  a class enters the prediction set when its p-value exceeds 1 - confidence. Coverage then holds
  for each class separately, which matters when the classes are unbalanced (most LLNA-tested
  chemicals are sensitisers; most human-tested ones are not).
- The nearest-neighbour applicability domain of :mod:`actives.predict.domain`.

Classes are ordered from inactive to most active (``("negative", "positive")`` or
``("NC", "1B", "1A")``); P(active) is one minus the probability of the first class.
A model folder holds ``model.txt`` (LightGBM text), ``calibration.json``, ``domain.npy`` and
``model_card.json`` with ``"task": "classification"``; nothing in it is unpickled.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from actives import __version__
from actives.chem import morgan_fingerprint, to_mol
from actives.chem.fingerprints import (
    bit_columns,
    nearest_tanimoto,
    packed_bits,
    packed_matrix,
    row_popcounts,
)
from actives.errors import InvalidFileError, InvalidInputError, NotFoundError
from actives.predict.artifact import PreparedBatch, prepare
from actives.predict.domain import ApplicabilityDomain
from actives.predict.featurizers import combined
from actives.predict.registry import Endpoint, get_endpoint
from actives.predict.splits import cluster_folds, scaffold_folds

FORMAT = 1
MIN_PER_CLASS = 10  # compounds of each class needed to train and evaluate a classifier
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, _EPS, 1 - _EPS)
    result: np.ndarray = np.log(clipped / (1 - clipped))
    return result


@dataclass(frozen=True)
class PlattCalibration:
    """Sigmoid maps from raw class probabilities to calibrated ones (one per class)."""

    slopes: tuple[float, ...]
    intercepts: tuple[float, ...]

    @classmethod
    def fit(cls, raw: np.ndarray, y: np.ndarray) -> PlattCalibration:
        """Fit on the calibration compounds' raw probabilities (n, k) and class indices."""
        from sklearn.linear_model import LogisticRegression

        slopes, intercepts = [], []
        columns = range(1, 2) if raw.shape[1] == 2 else range(raw.shape[1])
        for k in columns:
            target = (y == k).astype(int)
            if target.min() == target.max():  # one class only: keep the raw scores
                slopes.append(1.0)
                intercepts.append(0.0)
                continue
            fitted = LogisticRegression(C=1e4).fit(_logit(raw[:, k]).reshape(-1, 1), target)
            slopes.append(float(fitted.coef_[0, 0]))
            intercepts.append(float(fitted.intercept_[0]))
        return cls(tuple(slopes), tuple(intercepts))

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (rows sum to 1)."""
        slopes, intercepts = np.asarray(self.slopes), np.asarray(self.intercepts)
        if raw.shape[1] == 2:
            positive = 1 / (1 + np.exp(-(slopes[0] * _logit(raw[:, 1]) + intercepts[0])))
            return np.column_stack([1 - positive, positive])
        scores = 1 / (1 + np.exp(-(slopes * _logit(raw) + intercepts)))
        result: np.ndarray = scores / scores.sum(axis=1, keepdims=True)
        return result


@dataclass(frozen=True)
class ClassConformal:
    """Class-conditional nonconformity scores of the calibration compounds (1 - P(true class))."""

    scores: tuple[tuple[float, ...], ...]  # per class, sorted

    @classmethod
    def calibrate(cls, probabilities: np.ndarray, y: np.ndarray) -> ClassConformal:
        """From calibrated probabilities of the calibration compounds and their classes."""
        alphas = 1 - probabilities[np.arange(len(y)), y]
        return cls(
            tuple(tuple(sorted(alphas[y == k].tolist())) for k in range(probabilities.shape[1]))
        )

    def p_values(self, probabilities: np.ndarray) -> np.ndarray:
        """(n, k) conformal p-values: how typical each class would be for each compound."""
        out = np.zeros(probabilities.shape)
        for k, calibration in enumerate(self.scores):
            ref = np.asarray(calibration)
            alpha = 1 - probabilities[:, k]
            at_least = len(ref) - np.searchsorted(ref, alpha - 1e-12, side="left")
            out[:, k] = (at_least + 1) / (len(ref) + 1)
        return out

    def sets(self, probabilities: np.ndarray, confidence: float) -> np.ndarray:
        """(n, k) boolean membership of each class in the prediction set."""
        result: np.ndarray = self.p_values(probabilities) > 1 - confidence
        return result


def _fit_calibrated(
    features: np.ndarray, y: np.ndarray, proper: np.ndarray, calibration: np.ndarray, seed: int
) -> tuple[Any, PlattCalibration, ClassConformal]:
    """LightGBM on the proper rows; Platt and conformal calibration on the calibration rows."""
    from lightgbm import LGBMClassifier

    n_classes = int(y.max()) + 1
    # Small, shallow and regularised: sensitisation sets hold a few hundred compounds, and on
    # them this beat the regression models' settings in cluster cross-validation.
    model = LGBMClassifier(
        n_estimators=200,
        learning_rate=0.03,
        num_leaves=7,
        min_child_samples=10,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.3,
        reg_lambda=1.0,
        class_weight="balanced",
        random_state=seed,
        n_jobs=2,
        verbose=-1,
    )  # the objective (binary or multiclass) follows the labels
    model.fit(features[proper], y[proper])
    raw = _raw_probabilities(model.booster_, features[calibration], n_classes)
    platt = PlattCalibration.fit(raw, y[calibration])
    conformal = ClassConformal.calibrate(platt.apply(raw), y[calibration])
    return model.booster_, platt, conformal


def _raw_probabilities(booster: Any, features: np.ndarray, n_classes: int) -> np.ndarray:
    predicted = np.asarray(booster.predict(features), dtype=float)
    if n_classes == 2:
        return np.column_stack([1 - predicted, predicted])
    return predicted.reshape(len(features), n_classes)


def class_indices(labels: pd.Series, classes: tuple[str, ...]) -> np.ndarray:
    """Class labels as indices into ``classes``; InvalidInputError names unknown labels."""
    lookup = {c: i for i, c in enumerate(classes)}
    unknown = sorted({str(v) for v in labels if str(v) not in lookup})
    if unknown:
        raise InvalidInputError(
            f"Class label(s) {', '.join(map(repr, unknown[:5]))}; expected one of {classes}."
        )
    return np.array([lookup[str(v)] for v in labels], dtype=int)


def _check_classes(y: np.ndarray, classes: tuple[str, ...], what: str) -> None:
    counts = np.bincount(y, minlength=len(classes))
    short = [f"{classes[k]} {counts[k]}" for k in range(len(classes)) if counts[k] < MIN_PER_CLASS]
    if short:
        raise InvalidInputError(
            f"{what} has too few compounds of class {', '.join(short)}; expected at least "
            f"{MIN_PER_CLASS} of each of {', '.join(classes)}."
        )


# ----------------------------------------------------------------------------------------------
# metrics


@dataclass
class ClassMetrics:
    """Classification metrics on one subset of held-out compounds."""

    n: int
    n_per_class: dict[str, int]
    auroc: float | None
    balanced_accuracy: float | None
    sensitivity: float | None  # active (any class but the first) predicted active
    specificity: float | None  # inactive predicted inactive
    brier: float | None
    ece: float | None  # expected calibration error of P(active), 10 equal-width bins
    coverage: float | None  # share of compounds whose true class is in the conformal set
    singletons: float | None  # share of prediction sets holding exactly one class
    singleton_balanced_accuracy: float | None = None  # of the calls made by one-class sets

    @classmethod
    def of(
        cls,
        y: np.ndarray,
        probabilities: np.ndarray,
        sets: np.ndarray,
        classes: tuple[str, ...],
        predicted: np.ndarray,
    ) -> ClassMetrics:
        """Metrics of out-of-fold probabilities, calls and sets against the true classes."""
        from sklearn.metrics import balanced_accuracy_score, roc_auc_score

        n = len(y)
        per_class = {c: int((y == k).sum()) for k, c in enumerate(classes)}
        if n < 3 or sum(v > 0 for v in per_class.values()) < 2:
            return cls(n, per_class, None, None, None, None, None, None, None, None)
        active = y > 0
        p_active = 1 - probabilities[:, 0]
        if len(classes) == 2:
            auroc = float(roc_auc_score(active, p_active))
        else:
            present = [k for k in range(len(classes)) if per_class[classes[k]] > 0]
            if len(present) == len(classes):
                auroc = float(roc_auc_score(y, probabilities, multi_class="ovr", average="macro"))
            else:
                auroc = float(roc_auc_score(active, p_active))
        called = predicted > 0
        sensitivity = float(called[active].mean()) if active.any() else None
        specificity = float((~called[~active]).mean()) if (~active).any() else None
        single = sets.sum(axis=1) == 1
        single_ba = None
        if single.any() and len(np.unique(y[single])) > 1:
            single_ba = round(
                float(balanced_accuracy_score(y[single], sets[single].argmax(axis=1))), 4
            )
        onehot = np.eye(len(classes))[y]
        brier = float(((probabilities - onehot) ** 2).sum(axis=1).mean())
        if len(classes) == 2:
            brier /= 2  # the usual binary Brier score on P(active)
        return cls(
            n,
            per_class,
            round(auroc, 4),
            round(float(balanced_accuracy_score(y, predicted)), 4),
            None if sensitivity is None else round(sensitivity, 4),
            None if specificity is None else round(specificity, 4),
            round(brier, 4),
            round(float(expected_calibration_error(active, p_active)), 4),
            round(float(sets[np.arange(n), y].mean()), 4),
            round(float(single.mean()), 4),
            single_ba,
        )


INCONCLUSIVE = "inconclusive"


def conformal_calls(sets: np.ndarray, classes: tuple[str, ...]) -> list[str]:
    """The call of each conformal prediction set: its class when it holds exactly one, else
    "inconclusive" (both classes typical enough, or none)."""
    return [classes[int(row.argmax())] if row.sum() == 1 else INCONCLUSIVE for row in sets]


def balanced_decision(probabilities: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """The call per compound: the class whose probability most exceeds its training share.

    argmax of P(class) / prior(class) is the Bayes rule for balanced error: with 80 % positive
    training compounds, a compound is called negative once P(negative) passes 20 %, so the call
    is not simply the majority class. The probabilities themselves stay calibrated.
    """
    result: np.ndarray = (probabilities / np.asarray(priors)).argmax(axis=1)
    return result


def expected_calibration_error(truth: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |observed rate - mean probability| over equal-width probability bins, by bin size."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(float(truth[mask].mean()) - float(p[mask].mean()))
    return total / max(len(p), 1)


@dataclass
class ClassEvaluation:
    """Out-of-fold classification metrics overall and inside/outside the applicability domain."""

    split: str
    n_folds: int
    confidence: float
    classes: list[str]
    overall: ClassMetrics
    in_domain: ClassMetrics
    out_of_domain: ClassMetrics
    predictions: pd.DataFrame = field(repr=False)

    def summary(self) -> dict[str, Any]:
        """JSON-ready metrics (no per-compound predictions), for the model card."""
        out = asdict(self)
        out.pop("predictions")
        return out


def _folds(smiles: list[str], split: str, n_folds: int, seed: int) -> np.ndarray:
    if split == "scaffold":
        return scaffold_folds(smiles, n_folds, seed)
    if split == "cluster":
        return cluster_folds(smiles, n_folds, seed=seed)
    raise InvalidInputError(f"Split {split!r}; expected 'scaffold' or 'cluster'.")


def _featurise(smiles: list[str], featurizer_ids: tuple[str, ...]) -> np.ndarray:
    features, _names, failed = combined(featurizer_ids, smiles)
    if failed:
        raise InvalidInputError(f"{len(failed)} curated structures could not be featurised.")
    return features


def cross_validate_classifier(
    data: pd.DataFrame,
    classes: tuple[str, ...],
    *,
    split: str = "scaffold",
    n_folds: int = 5,
    featurizer_ids: tuple[str, ...] = ("morgan_counts",),
    confidence: float = 0.9,
    seed: int = 0,
) -> ClassEvaluation:
    """Grouped k-fold evaluation of the classifier recipe on (smiles, label) rows.

    Inside each training part the same grouping splits proper training from calibration, exactly
    as the shipped model is trained, so the probabilities and sets measured here are those users
    get.
    """
    smiles = [str(s) for s in data["smiles"]]
    y = class_indices(data["label"], classes)
    _check_classes(y, classes, "The data")
    features = _featurise(smiles, featurizer_ids)
    fingerprints = [morgan_fingerprint(to_mol(s)) for s in smiles]
    folds = _folds(smiles, split, n_folds, seed)
    probabilities = np.full((len(y), len(classes)), np.nan)
    predicted = np.zeros(len(y), dtype=int)
    sets = np.zeros((len(y), len(classes)), dtype=bool)
    in_domain = np.zeros(len(y), dtype=bool)
    for fold in range(n_folds):
        test = np.flatnonzero(folds == fold)
        train = np.flatnonzero(folds != fold)
        inner = _folds([smiles[i] for i in train], split, 5, seed + 1)
        proper, calibration = train[inner != 0], train[inner == 0]
        if len(np.unique(y[proper])) < len(classes):
            raise InvalidInputError(
                f"A {split} fold's training part lacks a class; expected every class of "
                f"{classes} in each. Add compounds of the rare class."
            )
        booster, platt, conformal = _fit_calibrated(features, y, proper, calibration, seed)
        probabilities[test] = platt.apply(_raw_probabilities(booster, features[test], len(classes)))
        sets[test] = conformal.sets(probabilities[test], confidence)
        priors = np.bincount(y[train], minlength=len(classes)) / len(train)
        predicted[test] = balanced_decision(probabilities[test], priors)
        domain = ApplicabilityDomain([fingerprints[i] for i in train])
        in_domain[test] = [domain.query(fingerprints[i], k=1).in_domain for i in test]

    def subset(mask: np.ndarray) -> ClassMetrics:
        return ClassMetrics.of(y[mask], probabilities[mask], sets[mask], classes, predicted[mask])

    predictions = data.reset_index(drop=True).assign(
        fold=folds,
        p_active=1 - probabilities[:, 0],
        predicted=conformal_calls(sets, classes),
        balanced_call=[classes[k] for k in predicted],
        in_set=sets[np.arange(len(y)), y],
        in_domain=in_domain,
    )
    return ClassEvaluation(
        split,
        n_folds,
        confidence,
        list(classes),
        subset(np.ones(len(y), dtype=bool)),
        subset(in_domain),
        subset(~in_domain),
        predictions,
    )


# ----------------------------------------------------------------------------------------------
# the artefact


@dataclass
class ClassifierArtifact:
    """A fitted classification model with its calibration, conformal scores, domain and card."""

    endpoint: Endpoint
    booster: Any
    platt: PlattCalibration
    conformal: ClassConformal
    domain_bits: np.ndarray
    domain_threshold: float
    card: dict[str, Any]

    @property
    def classes(self) -> tuple[str, ...]:
        """Class labels, inactive first."""
        return tuple(self.card["classes"])

    @property
    def featurizers(self) -> tuple[str, ...]:
        """Featurizer ids the model was trained on."""
        return tuple(self.card["featurizers"])

    @cached_property
    def _domain_index(self) -> tuple[Any, np.ndarray]:
        """The training bits as dense columns and their popcounts, built once per model (not
        per prediction call)."""
        matrix = packed_matrix(self.domain_bits)
        return bit_columns(matrix), row_popcounts(matrix)

    @property
    def priors(self) -> np.ndarray:
        """Class shares of the training compounds (for the balanced call)."""
        counts = np.asarray([self.card["class_counts"][c] for c in self.classes], dtype=float)
        result: np.ndarray = counts / counts.sum()
        return result

    def save(self, folder: Path) -> None:
        """Write the model folder (created if needed)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        calibration = {
            "platt": {"slopes": list(self.platt.slopes), "intercepts": list(self.platt.intercepts)},
            "conformal_scores": [list(s) for s in self.conformal.scores],
        }
        (folder / "calibration.json").write_text(json.dumps(calibration))
        np.save(folder / "domain.npy", self.domain_bits, allow_pickle=False)
        (folder / "model_card.json").write_text(json.dumps(self.card, indent=2, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> ClassifierArtifact:
        """Read a folder written by :meth:`save`; nothing in it is unpickled."""
        import lightgbm

        card_path = folder / "model_card.json"
        if not card_path.is_file():
            raise NotFoundError(f"No model card in {folder}; not a model folder.")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidFileError(f"{card_path} is not a JSON model card ({exc}).") from exc
        if not isinstance(card, dict) or card.get("task") != "classification":
            raise InvalidInputError(
                f"The model in {folder} is not a classification model; expected a card with "
                '"task": "classification".'
            )
        if card.get("format") != FORMAT:
            raise InvalidInputError(
                f"Model format {card.get('format')} in {folder}; expected {FORMAT}."
            )
        try:
            booster = lightgbm.Booster(model_file=str(folder / "model.txt"))
            calibration = json.loads((folder / "calibration.json").read_text())
            platt = PlattCalibration(
                tuple(calibration["platt"]["slopes"]), tuple(calibration["platt"]["intercepts"])
            )
            conformal = ClassConformal(tuple(tuple(s) for s in calibration["conformal_scores"]))
            bits = np.load(folder / "domain.npy", allow_pickle=False)
        except (lightgbm.basic.LightGBMError, ValueError, KeyError, OSError) as exc:
            raise InvalidFileError(f"Model folder {folder} is damaged: {exc}.") from exc
        endpoint = get_endpoint(card["endpoint"])
        threshold = float(card["applicability_domain"]["threshold"])
        return cls(endpoint, booster, platt, conformal, bits, threshold, card)

    def predict(self, smiles: list[str], confidence: float = 0.9) -> pd.DataFrame:
        """Class probabilities, predicted class, conformal set and domain per SMILES."""
        return self.predict_prepared(prepare(smiles), confidence)

    def predict_prepared(self, batch: PreparedBatch, confidence: float = 0.9) -> pd.DataFrame:
        """:meth:`predict` on a batch prepared once for several models.

        Columns: ``smiles``, ``p_<class>`` for each class, ``p_active`` (1 - P(first class)),
        ``predicted`` (the call: the class of a one-class conformal set at this confidence, else
        "inconclusive"; empty for a structure that could not be featurised), ``prediction_set``
        (classes joined by "|", empty when no class is typical enough), ``nearest_similarity``,
        ``in_domain``.
        """
        if not 0 < confidence < 1:
            raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
        n, k = len(batch.smiles), len(self.classes)
        features, failed = batch.features(self.featurizers)
        ok = np.setdiff1d(np.arange(n), failed)
        probabilities = np.full((n, k), np.nan)
        members = np.zeros((n, k), dtype=bool)
        nearest = np.full(n, np.nan)
        if len(ok):
            raw = _raw_probabilities(self.booster, features[ok], k)
            probabilities[ok] = self.platt.apply(raw)
            members[ok] = self.conformal.sets(probabilities[ok], confidence)
            training, counts = self._domain_index
            nearest[ok] = nearest_tanimoto(training, counts, batch.domain_queries(ok))[:, 0]
        frame = pd.DataFrame({"smiles": batch.smiles})
        for j, label in enumerate(self.classes):
            frame[f"p_{label}"] = probabilities[:, j]
        frame["p_active"] = 1 - probabilities[:, 0]
        done = set(ok.tolist())
        calls = conformal_calls(members, self.classes)
        frame["predicted"] = [c if i in done else "" for i, c in enumerate(calls)]
        frame["prediction_set"] = [
            "|".join(c for c, m in zip(self.classes, row, strict=True) if m) for row in members
        ]
        frame["nearest_similarity"] = nearest
        frame["in_domain"] = nearest >= self.domain_threshold
        return frame


def train_classifier_artifact(
    data: pd.DataFrame,
    endpoint: Endpoint,
    *,
    featurizer_ids: tuple[str, ...] = ("morgan_counts",),
    seed: int = 0,
    card_extra: dict[str, Any] | None = None,
) -> ClassifierArtifact:
    """Fit the model: LightGBM on 80 % of the scaffolds, calibration on the other 20 %."""
    classes = endpoint.classes
    smiles = [str(s) for s in data["smiles"]]
    y = class_indices(data["label"], classes)
    _check_classes(y, classes, "The data")
    features = _featurise(smiles, featurizer_ids)
    folds = scaffold_folds(smiles, 5, seed)
    proper, calibration = np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
    booster, platt, conformal = _fit_calibrated(features, y, proper, calibration, seed)
    fps = [morgan_fingerprint(to_mol(s)) for s in smiles]
    domain = ApplicabilityDomain(fps)
    bits = np.vstack([np.frombuffer(packed_bits(fp), dtype=np.uint8) for fp in fps])
    card = {
        "format": FORMAT,
        "task": "classification",
        "endpoint": endpoint.id,
        "title": endpoint.title,
        "units": endpoint.units,
        "classes": list(classes),
        "learner": "lightgbm (class-balanced)",
        "featurizers": list(featurizer_ids),
        "n_train": len(proper),
        "n_calibration": len(calibration),
        "class_counts": {c: int((y == k).sum()) for k, c in enumerate(classes)},
        "calibration": "Platt scaling on the calibration compounds; class-conditional "
        "(Mondrian) conformal prediction sets",
        "applicability_domain": {
            "method": "nearest-neighbour Tanimoto, Morgan r=2 2048 bits",
            "threshold": domain.threshold,
        },
        "actives_version": __version__,
        **(card_extra or {}),
    }
    return ClassifierArtifact(endpoint, booster, platt, conformal, bits, domain.threshold, card)


def render_classifier_card(card: dict[str, Any]) -> str:
    """The model card of a classification model as Markdown."""
    counts = ", ".join(f"{c} {n:,}" for c, n in card.get("class_counts", {}).items())
    lines = [
        f"# Model card: {card['title']} (`{card['endpoint']}`)",
        "",
        f"- Task: classification into {', '.join(card['classes'])} ({counts}).",
        f"- Learner: {card['learner']} on {', '.join(card['featurizers'])}; trained "
        f"{card.get('trained_at', '')} with Actives {card['actives_version']}: {card['n_train']} "
        f"training and {card['n_calibration']} calibration compounds (scaffold-grouped).",
        f"- Probabilities: {card['calibration']}.",
        f"- Applicability domain: {card['applicability_domain']['method']}; in domain when the "
        f"nearest training compound has similarity >= "
        f"{card['applicability_domain']['threshold']:.3f}.",
    ]
    if card.get("label_definition"):
        lines.append(f"- Label: {card['label_definition']}")
    lines += ["", "## Data", ""]
    for source in card.get("data_sources", []):
        details = [f"{source['bytes']:,} bytes"] if "bytes" in source else []
        details += [f"sha256 `{str(source['sha256'])[:16]}…`"] if "sha256" in source else []
        details += [str(source["description"])] if source.get("description") else []
        lines.append(f"- `{source.get('path', '?')}` ({', '.join(details)})")
    if card.get("curation"):
        lines += ["", "| curation step | rows in | rows out |", "|---|---:|---:|"]
        lines += [
            f"| {s['name']} | {s['rows_in']:,} | {s['rows_out']:,} |" for s in card["curation"]
        ]
    confidence = card.get("confidence", 0.9)
    lines += [
        "",
        f"## Evaluation (5-fold, out-of-fold; conformal sets at {confidence:.0%})",
        "",
        "The call a user sees is the class of a one-class conformal set, else *inconclusive*. "
        "Balanced accuracy, sensitivity and specificity below are of the balanced call on every "
        "compound (the class whose probability most exceeds its share of the training data), "
        "comparable with tools that always answer; the last column is the balanced accuracy of "
        "the one-class calls alone, made for the share in the column before it.",
        "",
        "| split | subset | n | AUROC | balanced accuracy | sensitivity | specificity | Brier "
        "| ECE | set coverage | single-class sets | balanced accuracy of single-class calls |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    keys = ("auroc", "balanced_accuracy", "sensitivity", "specificity", "brier", "ece",
            "coverage", "singletons", "singleton_balanced_accuracy")  # fmt: skip
    for split, ev in card.get("evaluation", {}).items():
        for subset in ("overall", "in_domain", "out_of_domain"):
            m = ev[subset]
            cells = " | ".join("—" if m.get(k) is None else f"{m[k]:.3f}" for k in keys)
            lines.append(f"| {split} | {subset.replace('_', ' ')} | {m['n']} | {cells} |")
    for name, m in card.get("baselines", {}).items():
        cells = " | ".join("—" if m.get(k) is None else f"{m[k]:.3f}" for k in keys)
        lines.append(f"| baseline: {name} | all | {m['n']} | {cells} |")
    if card.get("warnings"):
        lines += ["", "## Warnings", "", *[f"- {w}" for w in card["warnings"]]]
    return "\n".join(lines) + "\n"
