"""Standard curves: slope, efficiency, linear range and quantification against hand values."""

from __future__ import annotations

import numpy as np
import pytest

from actives.assays.qpcr.standards import quantify, standard_curve
from actives.errors import InvalidInputError

QUANTITIES = np.repeat([1e6, 1e5, 1e4, 1e3, 1e2], 3)


def series(slope: float = -3.32, intercept: float = 38.0, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return slope * np.log10(QUANTITIES) + intercept + rng.normal(0, 0.05, QUANTITIES.size)


def test_perfect_doubling_gives_100_percent() -> None:
    cq = -np.log10(QUANTITIES) / np.log10(2.0) + 40.0  # slope -1/log10(2) = -3.3219
    curve = standard_curve(cq, QUANTITIES)
    assert curve.slope == pytest.approx(-3.3219, abs=1e-4)
    assert curve.efficiency == pytest.approx(100.0, abs=1e-6)
    assert curve.r2 == pytest.approx(1.0)
    assert curve.linear_range == (1e2, 1e6)


def test_efficiency_from_slope_by_hand() -> None:
    curve = standard_curve(series(slope=-3.6), QUANTITIES)
    # 10^(1/3.6) - 1 = 0.8960
    assert curve.efficiency == pytest.approx(89.6, abs=1.5)
    assert any("outside 90–110 %" in n for n in curve.notes)
    level = curve.levels[0]
    assert level.n == 3 and level.sd_cq == pytest.approx(
        np.std(series(slope=-3.6)[QUANTITIES == 1e2], ddof=1)
    )


def test_replicate_outlier_and_deviating_lowest_level() -> None:
    cq = series()
    cq[0] += 2.0  # one replicate of the top level far off
    low = QUANTITIES == 1e2
    cq[low] += 1.5  # the lowest level bends away: near the limit of detection
    curve = standard_curve(cq, QUANTITIES)
    assert curve.levels[-1].n_outliers == 1  # levels are sorted by quantity: 1e6 last
    assert curve.linear_range == (1e3, 1e6)
    assert not curve.levels[0].in_range
    assert any("limit of detection" in n for n in curve.notes)
    assert curve.slope == pytest.approx(-3.32, abs=0.1)


def test_quantify_inverts_the_line_with_an_interval() -> None:
    curve = standard_curve(series(), QUANTITIES)
    cq = curve.slope * 4.5 + curve.intercept
    q = quantify(cq, curve)
    assert q.log10_quantity == pytest.approx(4.5, abs=1e-9)
    assert q.ci95[0] < 10**4.5 < q.ci95[1]
    assert q.log10_se > 0
    far = quantify(curve.slope * 8 + curve.intercept, curve)
    assert any("extrapolated" in n for n in far.notes)
    # two replicates at the same Cq: half the residual variance of a single reading
    assert quantify([cq, cq], curve).log10_se < q.log10_se


@pytest.mark.parametrize(
    ("cq", "quantity", "message"),
    [
        ([20.0, 21.0], [1.0], "expected one quantity per Cq"),
        ([20.0, 23.3, 26.6], [1e3, -1e2, 1e1], "positive numbers"),
        ([20.0, 23.3], [1e3, 1e2], "at least 3"),
        ([20.0, 23.3, None, None], [1e3, 1e2, 1e1, 1e1], "at least 3"),
        ([20.0, 19.0, 18.0], [1e3, 1e2, 1e1], "negative slope"),
        (["a", 1.0, 2.0], [1e3, 1e2, 1e1], "must be numbers"),
    ],
)
def test_broken_input(cq: list[object], quantity: list[float], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        standard_curve(cq, quantity)  # type: ignore[arg-type]


def test_quantify_refuses_non_finite_cq() -> None:
    curve = standard_curve(series(), QUANTITIES)
    with pytest.raises(InvalidInputError, match="finite"):
        quantify(float("nan"), curve)
