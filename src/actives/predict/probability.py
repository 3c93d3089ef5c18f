"""Probability of activity from the conformal predictive distribution (crepes CPS).

The same calibration residuals that give the regression interval give a calibrated predictive
distribution; P(active) is its mass on the active side of the endpoint's threshold. No second
model is needed, and the probability agrees with the interval by construction.
"""

from __future__ import annotations

import numpy as np


def probability_active(
    residuals: np.ndarray, predicted: np.ndarray, threshold: float, higher_is_active: bool = True
) -> np.ndarray:
    """P(true value is on the active side of ``threshold``), one pooled calibration."""
    from actives.predict.conformal import DomainConformal

    pooled = DomainConformal.calibrate(residuals, np.ones(len(residuals)), 0.0)
    above = pooled.probability_above(predicted, np.ones(len(predicted)), threshold)
    return above if higher_is_active else 1.0 - above


def classification_metrics(
    y: np.ndarray, p_active: np.ndarray, threshold: float, higher_is_active: bool = True
) -> dict[str, float | int | None]:
    """AUROC, Brier score and balanced accuracy (at P = 0.5) against measured activity."""
    from sklearn.metrics import balanced_accuracy_score, brier_score_loss, roc_auc_score

    truth = (y >= threshold) if higher_is_active else (y <= threshold)
    n_active = int(truth.sum())
    if n_active == 0 or n_active == len(truth):
        return {"n": len(truth), "n_active": n_active, "auroc": None, "brier": None,
                "balanced_accuracy": None}  # fmt: skip
    return {
        "n": len(truth),
        "n_active": n_active,
        "auroc": round(float(roc_auc_score(truth, p_active)), 4),
        "brier": round(float(brier_score_loss(truth, p_active)), 4),
        "balanced_accuracy": round(float(balanced_accuracy_score(truth, p_active >= 0.5)), 4),
    }
