"""Cross-conformal calibration: out-of-fold residuals, the kept model fitted on every row."""

from __future__ import annotations

import numpy as np
from rdkit import DataStructs
from rdkit.DataStructs import ExplicitBitVect

from actives.predict.conformal import DomainConformal, cross_conformal, nearest_to_rest


class MeanModel:
    """Predicts the mean of what it was fitted on; remembers how many rows that was."""

    def fit(self, features: np.ndarray, targets: np.ndarray) -> MeanModel:
        self.mean = float(targets.mean())
        self.n_fitted = len(targets)
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.full(len(features), self.mean)


def _fingerprint(on_bits: list[int]) -> ExplicitBitVect:
    fp = ExplicitBitVect(64)
    for bit in on_bits:
        fp.SetBit(bit)
    return fp


def test_residuals_are_out_of_fold_and_the_kept_model_sees_every_row() -> None:
    targets = np.array([0.0, 0.0, 10.0, 10.0])
    folds = np.array([0, 0, 1, 1])
    fps = [_fingerprint([1, 2]), _fingerprint([1, 2]), _fingerprint([1, 3]), _fingerprint([9])]
    model, calibrated = cross_conformal(
        np.zeros((4, 1)), targets, fps, folds, lambda x, t: MeanModel().fit(x, t), 0.5
    )
    assert model.n_fitted == 4 and model.mean == 5.0
    # fold 0 is predicted by the mean of fold 1 (10) and vice versa: residuals -10, -10, +10, +10
    assert calibrated.residuals.tolist() == [-10.0, -10.0, 10.0, 10.0]
    # each compound's similarity is to the other fold only, never to its fold-mate twin
    assert nearest_to_rest(fps, folds).tolist() == [
        DataStructs.TanimotoSimilarity(fps[0], fps[2]),
        DataStructs.TanimotoSimilarity(fps[1], fps[2]),
        DataStructs.TanimotoSimilarity(fps[2], fps[0]),
        0.0,
    ]


def test_cross_conformal_covers_exchangeable_data_at_the_stated_confidence() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    features = rng.normal(size=(n, 1))
    targets = 2 * features[:, 0] + rng.normal(size=n)
    folds = rng.integers(0, 5, size=n)
    fps = [_fingerprint([int(i % 60)]) for i in range(n)]

    class Line(MeanModel):
        def fit(self, x: np.ndarray, t: np.ndarray) -> Line:
            self.slope, self.intercept = np.polyfit(x[:, 0], t, 1)
            return self

        def predict(self, x: np.ndarray) -> np.ndarray:
            return np.asarray(self.slope * x[:, 0] + self.intercept)

    model, calibrated = cross_conformal(
        features, targets, fps, folds, lambda x, t: Line().fit(x, t), 0.0
    )
    assert not calibrated.mondrian
    new = rng.normal(size=(4000, 1))
    truth = 2 * new[:, 0] + rng.normal(size=4000)
    bounds = calibrated.interval(model.predict(new), np.ones(4000), 0.9)
    covered = float(((truth >= bounds[:, 0]) & (truth <= bounds[:, 1])).mean())
    assert 0.88 <= covered <= 0.92
    width = float(np.median(bounds[:, 1] - bounds[:, 0]))
    assert abs(width - 2 * 1.645) < 0.25  # the N(0, 1) noise's 90 % interval


def test_too_few_in_a_category_pools_them() -> None:
    residuals = np.arange(40.0)
    nearest = np.r_[np.full(35, 0.9), np.full(5, 0.1)]
    assert not DomainConformal.calibrate(residuals, nearest, 0.5).mondrian
    nearest = np.r_[np.full(10, 0.9), np.full(30, 0.1)]
    assert not DomainConformal.calibrate(residuals, nearest, 0.5).mondrian
    assert DomainConformal.calibrate(np.arange(60.0), np.r_[nearest, np.full(20, 0.9)],
                                     0.5).mondrian  # fmt: skip
