"""Conformal calibration, Mondrian by applicability domain (crepes).

One global interval is too narrow for compounds unlike the training set and too wide for close
analogues. The calibration compounds are therefore split into two categories by their nearest
similarity to the *proper* training set (the compounds the model was fitted on): inside or
outside the domain threshold learnt from that set. Each category gets its own residual
distribution, so the interval of a new compound comes from calibration compounds that were as
far from the training data as it is. With fewer than ``MIN_PER_BIN`` calibration compounds in a
category, one pooled distribution is used instead (stated in ``mondrian``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_PER_BIN = 30
IN, OUT = 1, 0


@dataclass(frozen=True)
class DomainConformal:
    """Calibration residuals with their domain category, and the threshold that assigns one."""

    residuals: np.ndarray
    bins: np.ndarray
    threshold: float

    @classmethod
    def calibrate(
        cls, residuals: np.ndarray, nearest: np.ndarray, threshold: float
    ) -> DomainConformal:
        """From calibration residuals and their nearest similarity to the proper training set."""
        bins = (np.asarray(nearest) >= threshold).astype(int)
        counts = np.bincount(bins, minlength=2)
        if counts.min() < MIN_PER_BIN:
            bins = np.full(len(bins), IN)
        return cls(np.asarray(residuals, dtype=float), bins, float(threshold))

    @property
    def mondrian(self) -> bool:
        """Whether the two domain categories are calibrated separately."""
        return len(set(self.bins.tolist())) > 1

    def categories(self, nearest: np.ndarray) -> np.ndarray:
        """The category of new compounds from their nearest similarity to the proper set."""
        if not self.mondrian:
            return np.full(len(nearest), IN)
        return (np.asarray(nearest) >= self.threshold).astype(int)

    def interval(self, predicted: np.ndarray, nearest: np.ndarray, confidence: float) -> np.ndarray:
        """(n, 2) lower and upper bounds of the conformal interval."""
        from crepes import ConformalRegressor

        if len(predicted) == 0:
            return np.zeros((0, 2))
        regressor = ConformalRegressor().fit(self.residuals, bins=self.bins)
        bounds: np.ndarray = regressor.predict_int(
            predicted, bins=self.categories(nearest), confidence=confidence
        )
        return bounds

    def probability_above(
        self, predicted: np.ndarray, nearest: np.ndarray, threshold: float
    ) -> np.ndarray:
        """P(true value >= threshold) from the conformal predictive distribution."""
        from crepes import ConformalPredictiveSystem

        if len(predicted) == 0:
            return np.zeros(0)
        system = ConformalPredictiveSystem().fit(self.residuals, bins=self.bins)
        below = system.predict(
            predicted,
            bins=self.categories(nearest),
            y=np.full(len(predicted), threshold),
            smoothing=False,
        )
        result: np.ndarray = 1.0 - np.asarray(below, dtype=float)
        return result

    def to_json(self) -> dict[str, Any]:
        """The calibration as plain JSON (stored as ``conformal.json``)."""
        return {
            "method": "Mondrian by applicability domain" if self.mondrian else "pooled",
            "residuals": self.residuals.tolist(),
            "bins": self.bins.tolist(),
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DomainConformal:
        """Read :meth:`to_json`; a file with residuals only is one pooled category."""
        residuals = np.asarray(data["residuals"], dtype=float)
        bins = np.asarray(data.get("bins", [IN] * len(residuals)), dtype=int)
        return cls(residuals, bins, float(data.get("threshold", 0.0)))
