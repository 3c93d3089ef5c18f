"""Probability of activity from the conformal predictive distribution."""

import numpy as np
import pytest

from actives.predict.probability import classification_metrics, probability_active


def test_probability_follows_the_prediction() -> None:
    residuals = np.random.default_rng(0).normal(0, 0.5, 400)
    p = probability_active(residuals, np.array([4.0, 6.0, 8.0]), threshold=6.0)
    assert p[0] < 0.05 and 0.4 < p[1] < 0.6 and p[2] > 0.95
    lower_is_active = probability_active(residuals, np.array([4.0]), 6.0, higher_is_active=False)
    assert lower_is_active[0] == pytest.approx(1 - p[0], abs=0.01)
    assert len(probability_active(residuals, np.array([]), 6.0)) == 0


def test_probabilities_are_calibrated_on_exchangeable_data() -> None:
    rng = np.random.default_rng(1)
    truth_noise = rng.normal(0, 0.5, 4000)
    calibration = rng.normal(0, 0.5, 1000)
    predicted = rng.uniform(4, 8, 4000)
    y = predicted + truth_noise
    p = probability_active(calibration, predicted, 6.0)
    for low, high in [(0.1, 0.3), (0.4, 0.6), (0.7, 0.9)]:
        mask = (p >= low) & (p < high)
        observed = (y[mask] >= 6.0).mean()
        assert low - 0.05 <= observed <= high + 0.05


def test_classification_metrics() -> None:
    y = np.array([4.0, 5.0, 6.5, 7.0])
    p = np.array([0.1, 0.2, 0.8, 0.9])
    m = classification_metrics(y, p, 6.0)
    assert m["auroc"] == 1.0 and m["balanced_accuracy"] == 1.0 and m["n_active"] == 2
    assert classification_metrics(y, p, 9.0)["auroc"] is None  # no actives
