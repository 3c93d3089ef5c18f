"""Curve quality: does a fluorescence trace look like an amplification curve?

Scale-free shape features (:func:`curve_features`) feed a small class-balanced LightGBM model
trained on the PCRedux human labels (:mod:`actives.knowledge.loaders.pcredux`). Choices:

- Two classes: ``positive`` (the raters' majority says amplified) against ``negative``. Curves
  whose raters have no majority or mostly say "ambiguous" are left out of training and of the
  headline metrics (there are about 2 % of them, too few for a third class); the evaluation
  reports how the model scores them.
- Probabilities are Platt-calibrated on out-of-fold scores with class-balanced weights, so
  P(amplification curve) is calibrated for *equal* priors: the training set is ~90 % positive,
  a plate of NTCs is not, and a prior learned from the training mix would not transfer.
- Validation is leave-one-data-set-out (data sets that share curves, guescini1/2 and
  reps/testdat, are held out together), and the decision threshold is chosen inside the
  training data sets only.

A model folder holds ``model.txt`` (LightGBM text), ``card.json`` and ``MODEL_CARD.md``; nothing
is unpickled. The card is not called ``model_card.json`` so that the chemistry model registry
(:func:`actives.predict.shipped.installed_models`, which lists every folder holding one) does
not take it for a compound model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from actives import __version__
from actives.errors import InvalidFileError, InvalidInputError, NotFoundError

FORMAT = 1
TASK = "qpcr_curve_quality"
MODEL_FOLDER = "qpcr_curve_quality"
CARD_FILE = "card.json"
MIN_CYCLES = 10  # fewer cycles cannot show a baseline, a rise and a plateau
MIN_PER_CLASS = 5  # curves of each class needed to train
SEED = 7
_EPS = 1e-6
# Data sets that share curves (checked on the raw files) are held out together.
DATASET_FAMILIES = {"guescini2": "guescini1", "testdat": "reps"}
FEATURES = (
    "snr",  # log10 amplitude over baseline noise
    "noise_ratio",  # log10 noise over the curve's range
    "rise",  # end level minus baseline, over the range (-1..1)
    "d1_position",  # cycle of the steepest rise, as a fraction of the run
    "d1_height",  # steepest rise per cycle, over the range
    "d2_position",  # second-derivative maximum (SDM) cycle, fraction of the run
    "d2_height",  # SDM height over the range
    "max_position",  # cycle of the highest point, fraction of the run
    "plateau_slope",  # mean slope over the last 15 % of cycles, over the steepest slope
    "hook",  # drop from the highest point to the end, over the range
    "late_fraction",  # share of the range gained in the last 20 % of cycles
    "upper_fraction",  # share of cycles above half the range
    "monotonicity",  # rising steps over all steps (0.5 for noise, 1 for a clean rise)
    "sign_changes",  # sign changes of the smoothed slope per cycle
    "logistic_r2",  # fit of a logistic through the derivative-based estimates
    "linear_r2",  # fit of a straight line (drift)
)


# ----------------------------------------------------------------------------------------------
# features


def _as_matrix(cycles: np.ndarray, fluorescence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(cycles, dtype=float).ravel()
    f = np.asarray(fluorescence, dtype=float)
    if f.ndim == 1:
        f = f[None, :]
    if f.ndim != 2 or f.shape[1] != len(x):
        raise InvalidInputError(
            f"Fluorescence of shape {f.shape} with {len(x)} cycles; expected (curves, cycles) "
            "with one column per cycle."
        )
    if len(x) < MIN_CYCLES:
        raise InvalidInputError(f"{len(x)} cycles; expected at least {MIN_CYCLES}.")
    return x, f


def _fill_missing(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows with NaN gaps filled by linear interpolation; ``usable`` marks rows with enough
    finite values to describe."""
    finite = np.isfinite(f)
    usable = finite.sum(axis=1) >= MIN_CYCLES
    filled = f.copy()
    positions = np.arange(f.shape[1])
    for i in np.flatnonzero(usable & ~finite.all(axis=1)):
        filled[i] = np.interp(positions, positions[finite[i]], f[i, finite[i]])
    filled[~usable] = 0.0
    return filled, usable


def _smooth(f: np.ndarray) -> np.ndarray:
    """Three-point moving average along cycles, ends kept."""
    out = f.copy()
    out[:, 1:-1] = (f[:, :-2] + f[:, 1:-1] + f[:, 2:]) / 3
    return out


def curve_features(cycles: np.ndarray, fluorescence: np.ndarray) -> pd.DataFrame:
    """Shape features of each curve (rows of ``fluorescence``), one row per curve.

    Every feature is unchanged when a curve is scaled or shifted (F -> aF + b, a > 0), so raw
    and baseline-subtracted exports, and instruments with different units, look alike.
    Computed for all curves at once; a curve with fewer than :data:`MIN_CYCLES` finite values
    gets NaN features.
    """
    x, raw = _as_matrix(cycles, fluorescence)
    f, usable = _fill_missing(raw)
    n, m = f.shape
    s = _smooth(f)
    start, stop = 1, max(4, round(0.15 * m))  # baseline window (cycle 1 is often off)
    baseline = np.median(s[:, start:stop], axis=1)
    steps = np.diff(f[:, :stop], axis=1)
    mad = np.median(np.abs(steps - np.median(steps, axis=1, keepdims=True)), axis=1)
    low, high = s.min(axis=1), s.max(axis=1)
    span = high - low
    scale = np.maximum(np.abs(f).max(axis=1), 1.0)
    tiny = 1e-9 * scale
    noise = np.maximum(1.4826 * mad / np.sqrt(2), tiny)
    span_safe = np.maximum(span, tiny)
    amplitude = np.maximum(high - baseline, tiny)
    end = s[:, -3:].mean(axis=1)

    d1 = np.gradient(s, x, axis=1)
    d2 = np.gradient(d1, x, axis=1)
    i1, i2 = d1.argmax(axis=1), d2.argmax(axis=1)
    rows = np.arange(n)
    d1_max = d1[rows, i1]
    last = max(2, round(0.15 * m))
    late_start = min(m - 2, round(0.8 * m))

    diffs = np.diff(f, axis=1)
    up, total = np.clip(diffs, 0, None).sum(axis=1), np.abs(diffs).sum(axis=1)
    signs = np.sign(np.diff(s, axis=1))
    changes = (signs[:, 1:] * signs[:, :-1] < 0).sum(axis=1)

    # A logistic with the curve's baseline and top, its midpoint at the steepest rise and the
    # steepness that rise implies (max slope = amplitude / (4 * scale)).
    spread = np.maximum((high - baseline) / np.maximum(4 * d1_max, tiny), 0.1)
    midpoint = x[i1]
    z = np.clip(-(x[None, :] - midpoint[:, None]) / spread[:, None], -50, 50)
    logistic = baseline[:, None] + (high - baseline)[:, None] / (1 + np.exp(z))
    total_ss = np.maximum(((s - s.mean(axis=1, keepdims=True)) ** 2).sum(axis=1), tiny**2)
    logistic_r2 = 1 - ((s - logistic) ** 2).sum(axis=1) / total_ss
    xc = x - x.mean()
    slope = (s * xc).sum(axis=1) / (xc**2).sum()
    linear_r2 = (slope**2 * (xc**2).sum()) / total_ss

    run = float(m - 1)
    table = pd.DataFrame(
        {
            "snr": np.log10(amplitude / noise),
            "noise_ratio": np.log10(noise / span_safe),
            "rise": (end - baseline) / span_safe,
            "d1_position": i1 / run,
            "d1_height": d1_max / span_safe,
            "d2_position": i2 / run,
            "d2_height": d2[rows, i2] / span_safe,
            "max_position": s.argmax(axis=1) / run,
            "plateau_slope": d1[:, -last:].mean(axis=1) / np.maximum(np.abs(d1_max), tiny),
            "hook": (high - end) / span_safe,
            "late_fraction": (s[:, -1] - s[:, late_start]) / span_safe,
            "upper_fraction": (s - low[:, None] > span[:, None] / 2).mean(axis=1),
            "monotonicity": up / np.maximum(total, tiny),
            "sign_changes": changes / run,
            "logistic_r2": np.clip(logistic_r2, -1, 1),
            "linear_r2": np.clip(linear_r2, 0, 1),
        },
        columns=list(FEATURES),
    )
    table.loc[~usable, :] = np.nan
    return table


def rule_score(features: pd.DataFrame) -> np.ndarray:
    """The baseline rule's score: the signal-to-noise feature alone."""
    return features["snr"].to_numpy(dtype=float)


# ----------------------------------------------------------------------------------------------
# the model


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, _EPS, 1 - _EPS)
    result: np.ndarray = np.log(clipped / (1 - clipped))
    return result


@dataclass
class CurveQualityModel:
    """LightGBM on :func:`curve_features`, Platt-calibrated, with its decision threshold."""

    booster: Any
    slope: float
    intercept: float
    threshold: float
    card: dict[str, Any]

    def probability_from_features(self, features: pd.DataFrame) -> np.ndarray:
        """P(amplification curve) from a feature table (NaN rows give NaN)."""
        table = features.reindex(columns=list(FEATURES)).to_numpy(dtype=float)
        raw = np.asarray(self.booster.predict(table), dtype=float)
        p: np.ndarray = 1 / (1 + np.exp(-(self.slope * _logit(raw) + self.intercept)))
        p[np.isnan(table).all(axis=1)] = np.nan
        return p

    def predict_proba(self, cycles: np.ndarray, fluorescence: np.ndarray) -> np.ndarray:
        """P(amplification curve) per row of ``fluorescence`` (NaN for a curve with too few
        values), calibrated for equal priors of amplified and not amplified."""
        return self.probability_from_features(curve_features(cycles, fluorescence))

    def predict(self, cycles: np.ndarray, fluorescence: np.ndarray) -> np.ndarray:
        """True where P reaches the threshold chosen in validation."""
        result: np.ndarray = self.predict_proba(cycles, fluorescence) >= self.threshold
        return result

    def describe(self) -> dict[str, Any]:
        """What a result should say about the model that scored it."""
        return {
            "model": TASK,
            "date": self.card.get("date"),
            "threshold": self.threshold,
            "trained_on": self.card.get("data", {}).get("summary", ""),
            "validation": self.card.get("validation", {}).get("summary", ""),
        }

    def save(self, folder: Path) -> None:
        """Write ``model.txt``, ``card.json`` and ``MODEL_CARD.md`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        card = self.card | {
            "calibration": {"slope": self.slope, "intercept": self.intercept},
            "threshold": self.threshold,
        }
        (folder / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        (folder / "MODEL_CARD.md").write_text(render_model_card(card))

    @classmethod
    def load(cls, folder: Path) -> CurveQualityModel:
        """Read a folder written by :meth:`save`; nothing in it is unpickled."""
        import lightgbm

        card_path = folder / CARD_FILE
        if not card_path.is_file():
            raise NotFoundError(f"No {CARD_FILE} in {folder}; not a curve-quality model folder.")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidFileError(f"{card_path} is not a JSON model card ({exc}).") from exc
        if not isinstance(card, dict) or card.get("task") != TASK:
            raise InvalidInputError(f"{card_path} is not a {TASK} card.")
        if card.get("format") != FORMAT or list(card.get("features", [])) != list(FEATURES):
            raise InvalidInputError(
                f"The model in {folder} has format {card.get('format')} and features "
                f"{card.get('features')}; expected format {FORMAT} with {list(FEATURES)}. "
                "Retrain it with train_curve_quality."
            )
        try:
            booster = lightgbm.Booster(model_file=str(folder / "model.txt"))
            calibration = card["calibration"]
            return cls(
                booster,
                float(calibration["slope"]),
                float(calibration["intercept"]),
                float(card["threshold"]),
                card,
            )
        except (lightgbm.basic.LightGBMError, KeyError, TypeError, ValueError) as exc:
            raise InvalidFileError(f"Model folder {folder} is damaged: {exc}.") from exc


def shipped_model_folder() -> Path:
    """The curve-quality model folder shipped in the package."""
    return Path(str(files("actives.resources.models"))) / MODEL_FOLDER


@lru_cache(maxsize=4)
def _load_cached(folder: str, modified: float) -> CurveQualityModel:
    return CurveQualityModel.load(Path(folder))


def load_curve_quality_model(folder: Path | None = None) -> CurveQualityModel:
    """The shipped curve-quality model (or one in ``folder``), read once per file version."""
    folder = folder or shipped_model_folder()
    card = folder / CARD_FILE
    if not card.is_file():
        raise NotFoundError(
            f"No curve-quality model in {folder}; train it with "
            "`python -m actives.assays.qpcr.quality` (needs the PCRedux raw data).",
            code="model_missing",
        )
    return _load_cached(str(folder), card.stat().st_mtime)


# ----------------------------------------------------------------------------------------------
# training and grouped validation


def dataset_groups(datasets: Sequence[str]) -> np.ndarray:
    """The validation group of each curve's data set (shared-curve data sets together)."""
    return np.array([DATASET_FAMILIES.get(d, d) for d in datasets])


def dataset_folds(datasets: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Leave-one-group-out folds: (train, test) row indices; a data set is never on both sides."""
    groups = dataset_groups(datasets)
    folds = []
    for group in sorted(set(groups)):
        test = np.flatnonzero(groups == group)
        train = np.flatnonzero(groups != group)
        folds.append((train, test))
    return folds


def _inner_folds(groups: np.ndarray, n_splits: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    k = min(n_splits, len(set(groups)))
    return [(a, b) for a, b in GroupKFold(n_splits=k).split(groups, groups=groups)]


def _booster(features: np.ndarray, y: np.ndarray, seed: int) -> Any:
    from lightgbm import LGBMClassifier

    model = LGBMClassifier(
        n_estimators=250,
        learning_rate=0.05,
        num_leaves=7,
        max_depth=4,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        class_weight="balanced",
        random_state=seed,
        n_jobs=2,
        verbose=-1,
    )
    model.fit(features, y)
    return model.booster_


def _raw_scores(booster: Any, features: np.ndarray) -> np.ndarray:
    return np.asarray(booster.predict(features), dtype=float)


def best_threshold(y: np.ndarray, score: np.ndarray) -> float:
    """The cut on ``score`` with the highest balanced accuracy (ties: the median such cut)."""
    positives, negatives = max(int(y.sum()), 1), max(int((1 - y).sum()), 1)
    order = np.argsort(score)
    s, t = score[order], y[order]
    # Calling positive from position i on: sensitivity and specificity of every cut at once.
    fn = np.concatenate([[0], np.cumsum(t)])
    tn = np.concatenate([[0], np.cumsum(1 - t)])
    ba = ((positives - fn) / positives + tn / negatives) / 2
    cuts = np.concatenate([[s[0] - 1], (s[:-1] + s[1:]) / 2, [s[-1] + 1]])
    distinct = np.concatenate([[True], s[1:] != s[:-1], [True]])
    ba = np.where(distinct, ba, -1)
    best = np.flatnonzero(ba >= ba.max() - 1e-12)
    return float(cuts[best[len(best) // 2]])


def _check_training(y: np.ndarray, groups: np.ndarray) -> None:
    counts = {"negative": int((y == 0).sum()), "positive": int((y == 1).sum())}
    if min(counts.values()) < MIN_PER_CLASS or len(set(groups)) < 2:
        raise InvalidInputError(
            f"Training curves: {counts} in {len(set(groups))} data set group(s); expected at "
            f"least {MIN_PER_CLASS} of each class in at least 2 data sets."
        )


def fit_quality_model(
    features: pd.DataFrame, y: np.ndarray, datasets: Sequence[str], seed: int = SEED
) -> tuple[CurveQualityModel, float]:
    """Train on labelled curves (y: 1 positive, 0 negative): Platt calibration and the rule's
    SNR threshold from grouped out-of-fold scores within these data sets only.

    Returns the model (its card still empty) and the rule baseline's threshold.
    """
    from sklearn.linear_model import LogisticRegression

    groups = dataset_groups(datasets)
    _check_training(y, groups)
    table = features.reindex(columns=list(FEATURES)).to_numpy(dtype=float)
    oof = np.full(len(y), np.nan)
    for train, test in _inner_folds(groups):
        if len(set(y[train])) < 2:  # a fold without one class: its scores say nothing
            continue
        oof[test] = _raw_scores(_booster(table[train], y[train], seed), table[test])
    scored = np.isfinite(oof)
    if len(set(y[scored])) < 2:
        raise InvalidInputError("Out-of-fold scores cover one class only; add data sets.")
    platt = LogisticRegression(C=1e4, class_weight="balanced")
    platt.fit(_logit(oof[scored]).reshape(-1, 1), y[scored])
    slope, intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    calibrated = 1 / (1 + np.exp(-(slope * _logit(oof[scored]) + intercept)))
    threshold = best_threshold(y[scored], calibrated)
    rule = rule_score(features)
    finite = np.isfinite(rule)
    rule_threshold = best_threshold(y[finite], rule[finite])
    booster = _booster(table, y, seed)
    return CurveQualityModel(booster, slope, intercept, threshold, {}), rule_threshold


def binary_metrics(y: np.ndarray, p: np.ndarray, called: np.ndarray) -> dict[str, Any]:
    """n, class counts, balanced accuracy, sensitivity, specificity, AUROC (None where a
    class is absent)."""
    from sklearn.metrics import roc_auc_score

    pos, neg = y == 1, y == 0
    sens = float(called[pos].mean()) if pos.any() else None
    spec = float((~called[neg]).mean()) if neg.any() else None
    both = sens is not None and spec is not None
    return {
        "n": int(len(y)),
        "n_positive": int(pos.sum()),
        "n_negative": int(neg.sum()),
        "balanced_accuracy": round((sens + spec) / 2, 4) if both else None,  # type: ignore[operator]
        "sensitivity": None if sens is None else round(sens, 4),
        "specificity": None if spec is None else round(spec, 4),
        "auroc": round(float(roc_auc_score(y, p)), 4) if both else None,
    }


def labelled_features(curves: pd.DataFrame) -> pd.DataFrame:
    """:func:`curve_features` of loaded PCRedux curves (any cycle counts), in their order."""
    parts = []
    lengths = curves["fluorescence"].map(len)
    for (_, _), block in curves.groupby([curves["dataset"], lengths], sort=False):
        cycles = np.asarray(block["cycles"].iloc[0], dtype=float)
        matrix = np.vstack(block["fluorescence"].to_list())
        parts.append(curve_features(cycles, matrix).set_index(block.index))
    return pd.concat(parts).loc[curves.index]


def evaluate_grouped(
    features: pd.DataFrame, consensus: pd.Series, datasets: pd.Series, seed: int = SEED
) -> dict[str, Any]:
    """Leave-one-data-set-out validation of the model and of the SNR rule, per held-out data
    set and pooled; thresholds come from the training data sets of each fold."""
    labelled = (consensus != "ambiguous").to_numpy()
    y_all = (consensus == "positive").to_numpy().astype(int)
    names = datasets.to_numpy().astype(str)
    p_oof = np.full(len(y_all), np.nan)
    call_oof = np.zeros(len(y_all), dtype=bool)
    rule_oof = np.zeros(len(y_all), dtype=bool)
    thresholds: dict[str, dict[str, float]] = {}
    for train, test in dataset_folds(list(names)):
        train = train[labelled[train]]
        model, rule_cut = fit_quality_model(
            features.iloc[train], y_all[train], list(names[train]), seed
        )
        p = model.probability_from_features(features.iloc[test])
        p_oof[test] = p
        call_oof[test] = p >= model.threshold
        rule_oof[test] = rule_score(features.iloc[test]) >= rule_cut
        for name in sorted(set(names[test])):
            thresholds[name] = {
                "threshold": round(model.threshold, 4),
                "rule_threshold": round(rule_cut, 4),
            }

    def block(mask: np.ndarray) -> dict[str, Any]:
        keep = mask & labelled
        model = binary_metrics(y_all[keep], p_oof[keep], call_oof[keep])
        rule = binary_metrics(y_all[keep], rule_score(features)[keep].astype(float), rule_oof[keep])
        ambiguous = mask & ~labelled
        return {
            **model,
            "n_ambiguous": int(ambiguous.sum()),
            "ambiguous_mean_p": round(float(np.nanmean(p_oof[ambiguous])), 3)
            if ambiguous.any()
            else None,
            "rule": {k: rule[k] for k in ("balanced_accuracy", "sensitivity", "specificity")},
        }

    per_dataset = {name: block(names == name) | thresholds[name] for name in sorted(set(names))}
    mixed = [v for v in per_dataset.values() if v["balanced_accuracy"] is not None]
    pooled = block(np.ones(len(names), dtype=bool))
    return {
        "scheme": "leave one data set out (guescini1+guescini2 and reps+testdat held out "
        "together: they share curves); thresholds chosen inside the training data sets",
        "pooled": pooled,
        "mean_balanced_accuracy_mixed_sets": round(
            float(np.mean([v["balanced_accuracy"] for v in mixed])), 4
        )
        if mixed
        else None,
        "mean_rule_balanced_accuracy_mixed_sets": round(
            float(np.mean([v["rule"]["balanced_accuracy"] for v in mixed])), 4
        )
        if mixed
        else None,
        "per_dataset": per_dataset,
    }


def train_curve_quality(raw_data: Path, out: Path, seed: int = SEED) -> dict[str, Any]:
    """Validate (leave one data set out), train on every labelled curve, write the model
    folder ``out`` and return its card."""
    from actives.knowledge.loaders.pcredux import load_pcredux

    loaded = load_pcredux(raw_data)
    curves = loaded.curves.reset_index(drop=True)
    if curves.empty:
        raise NotFoundError(f"No PCRedux curve could be matched to raw data under {raw_data}.")
    features = labelled_features(curves)
    validation = evaluate_grouped(features, curves["consensus"], curves["dataset"], seed)
    labelled = (curves["consensus"] != "ambiguous").to_numpy()
    y = (curves["consensus"] == "positive").to_numpy().astype(int)[labelled]
    model, rule_cut = fit_quality_model(
        features[labelled], y, list(curves["dataset"][labelled]), seed
    )
    counts = curves["consensus"].value_counts().to_dict()
    pooled = validation["pooled"]
    card: dict[str, Any] = {
        "format": FORMAT,
        "task": TASK,
        "title": "qPCR curve quality: amplification curve or not",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "actives_version": __version__,
        "learner": "LightGBM, 250 trees of at most 7 leaves, class-balanced; Platt scaling on "
        "grouped out-of-fold scores with balanced weights (P for equal priors)",
        "features": list(FEATURES),
        "classes": ["negative", "positive"],
        "data": {
            "source": "PCRedux decision_res_*.csv human labels (MIT) matched to raw curves "
            "from qpcR (GPL>=2), chipPCR (GPL-3), PCRedux and RDML example files (MIT)",
            "summary": f"{len(curves)} labelled curves from {curves['dataset'].nunique()} data "
            f"sets: {counts.get('positive', 0)} positive, {counts.get('negative', 0)} "
            f"negative, {counts.get('ambiguous', 0)} ambiguous (left out)",
            "n_curves": int(len(curves)),
            "class_counts": {k: int(v) for k, v in counts.items()},
            "load_report": loaded.report.to_dict(orient="records"),
            "consensus": "strict majority of y or n among the raters; an 'a' majority or no "
            "majority is ambiguous",
        },
        "validation": validation
        | {
            "summary": f"leave one data set out: pooled balanced accuracy "
            f"{pooled['balanced_accuracy']}, AUROC {pooled['auroc']}"
        },
        "rule_baseline": {"feature": "snr", "threshold_all_data": round(rule_cut, 4)},
        "caveats": [
            "Raters often disagree; the labels are a majority of 3-7 people, and 'ambiguous' "
            "curves are left out of training and of the metrics.",
            "Most labelled curves are positive; negatives come from a few data sets (RAS002, "
            "RAS003, kbqPCR, competimer, lc96_bACTXY, testdat, vermeulen1, stepone_std), so "
            "specificity rests on few instruments.",
            "Probabilities are calibrated for equal priors and the threshold was chosen on "
            "these data sets; on a new instrument or chemistry check them against a few "
            "known positive and negative wells.",
            "Isothermal (LAMP/RPA) and melt curves were not in the training data.",
        ],
    }
    model.card = card
    model.save(out)
    return card | {"threshold": model.threshold}


def _fmt(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def validation_table(validation: dict[str, Any]) -> list[str]:
    """Markdown rows: per held-out data set and pooled, model and SNR rule."""
    lines = [
        "| held-out data set | n | pos | neg | ambiguous | balanced acc. | sensitivity | "
        "specificity | AUROC | rule bal. acc. | rule sens. | rule spec. |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = list(validation["per_dataset"].items()) + [("**pooled**", validation["pooled"])]
    for name, m in rows:
        r = m["rule"]
        cells = [
            m["n"],
            m["n_positive"],
            m["n_negative"],
            m["n_ambiguous"],
            m["balanced_accuracy"],
            m["sensitivity"],
            m["specificity"],
            m["auroc"],
            r["balanced_accuracy"],
            r["sensitivity"],
            r["specificity"],
        ]
        lines.append(f"| {name} | " + " | ".join(_fmt(c) for c in cells) + " |")
    return lines


def render_model_card(card: dict[str, Any]) -> str:
    """MODEL_CARD.md from the card."""
    v = card["validation"]
    lines = [
        f"# {card['title']}",
        "",
        f"Trained {card['date']} (Actives {card['actives_version']}). {card['learner']}.",
        "",
        "## Data",
        "",
        f"{card['data']['source']}. {card['data']['summary']}. Consensus: "
        f"{card['data']['consensus']}.",
        "",
        "## Validation",
        "",
        f"{v['scheme']}. Mean balanced accuracy over held-out data sets that have both "
        f"classes: model {_fmt(v['mean_balanced_accuracy_mixed_sets'])}, SNR rule "
        f"{_fmt(v['mean_rule_balanced_accuracy_mixed_sets'])}. Decision threshold of the final "
        f"model (P, equal priors): {card['threshold']:.3f}.",
        "",
        *validation_table(v),
        "",
        "## Caveats",
        "",
        *[f"- {c}" for c in card["caveats"]],
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the make target's entry point
    import sys

    from actives.config import get_settings

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else shipped_model_folder()
    result = train_curve_quality(get_settings().raw_data, target)
    sys.stdout.write(f"{target}: {result['validation']['summary']}\n")
