"""qPCR standard curves: Cq against log10 quantity, efficiency, linear range, quantification.

A standard curve is the least-squares line Cq = slope · log10(quantity) + intercept through the
replicates of a dilution series (MIQE). Efficiency is 10^(−1/slope) − 1 (100 % = doubling per
cycle, slope −3.32). Replicates further than ``outlier_cq`` cycles from their level's median are
left out; the lowest levels are dropped while their mean deviates from the line fitted to the
levels above by more than ``max_level_deviation`` cycles (or their replicates spread too much),
which is where the linear range ends (an LOD-like note says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from actives.errors import InvalidInputError


@dataclass(frozen=True)
class StandardLevel:
    """One dilution level: its replicates' Cq summary and whether it is in the linear range."""

    quantity: float
    n: int  # replicates used
    n_outliers: int  # replicates left out as outliers
    mean_cq: float
    sd_cq: float  # NaN with one replicate
    in_range: bool
    residual: float  # mean Cq minus the fitted line


@dataclass(frozen=True)
class StandardCurve:
    """Fitted standard curve; efficiency in percent."""

    slope: float
    intercept: float
    efficiency: float  # %, 10^(-1/slope) - 1
    amplification_factor: float  # 10^(-1/slope), 2.0 = 100 %
    r2: float
    n_points: int
    residual_sd: float  # SD of the replicate residuals about the line (cycles)
    slope_se: float
    intercept_se: float
    mean_log_quantity: float  # of the points used (for prediction intervals)
    sxx: float  # sum of squared log-quantity deviations of the points used
    linear_range: tuple[float, float]  # lowest and highest quantity kept
    levels: tuple[StandardLevel, ...]
    notes: tuple[str, ...]


def _as_float_array(values: Sequence[float | None] | np.ndarray, name: str) -> np.ndarray:
    try:
        return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be numbers; got {exc}.") from exc


def standard_curve(
    cq: Sequence[float | None] | np.ndarray,
    quantity: Sequence[float] | np.ndarray,
    outlier_cq: float = 0.5,
    max_level_deviation: float = 0.5,
    max_level_sd: float = 0.5,
    min_levels: int = 3,
) -> StandardCurve:
    """Fit a standard curve to replicate Cq values (None/NaN = no Cq) of known quantities."""
    cq_arr = _as_float_array(cq, "Cq values")
    q_arr = _as_float_array(quantity, "Quantities")
    if cq_arr.shape != q_arr.shape or cq_arr.ndim != 1:
        raise InvalidInputError(
            f"{cq_arr.size} Cq values for {q_arr.size} quantities; expected one quantity per Cq."
        )
    if np.any(~np.isfinite(q_arr)) or np.any(q_arr <= 0):
        bad = q_arr[~np.isfinite(q_arr) | (q_arr <= 0)]
        raise InvalidInputError(
            f"Quantities must be positive numbers; got {bad[:3].tolist()}. A standard's "
            "quantity is the known copies or relative amount in the reaction."
        )
    notes: list[str] = []
    missing = ~np.isfinite(cq_arr)
    if missing.any():
        notes.append(f"{int(missing.sum())} standard replicates without a Cq left out")
    levels_q = np.unique(q_arr[~missing])
    if levels_q.size < min_levels:
        raise InvalidInputError(
            f"Only {levels_q.size} dilution levels with a Cq; a standard curve needs at least "
            f"{min_levels}."
        )
    # replicate outliers: further than outlier_cq from their level's median (3+ replicates)
    keep = ~missing
    n_out: dict[float, int] = {}
    for q in levels_q:
        idx = np.flatnonzero((q_arr == q) & ~missing)
        if idx.size >= 3:
            med = np.median(cq_arr[idx])
            far = np.abs(cq_arr[idx] - med) > outlier_cq
            if far.any() and (~far).sum() >= 2:
                keep[idx[far]] = False
                n_out[float(q)] = int(far.sum())
    if n_out:
        notes.append(
            f"{sum(n_out.values())} replicate outliers (over {outlier_cq:g} cycles from their "
            "level's median) left out"
        )

    def level_stats(q: float) -> tuple[float, float, int]:
        vals = cq_arr[(q_arr == q) & keep]
        sd = float(np.std(vals, ddof=1)) if vals.size > 1 else float("nan")
        return float(np.mean(vals)), sd, int(vals.size)

    means = {float(q): level_stats(float(q)) for q in levels_q}
    # linear range: drop the lowest levels while they deviate from the line of the others
    in_range = [float(q) for q in levels_q]
    dropped: list[float] = []
    while len(in_range) > min_levels:
        lowest = in_range[0]
        rest = in_range[1:]
        x = np.log10(rest)
        y = np.array([means[q][0] for q in rest])
        fit = np.polyfit(x, y, 1)
        predicted = float(np.polyval(fit, np.log10(lowest)))
        deviates = abs(means[lowest][0] - predicted) > max_level_deviation
        spread = np.isfinite(means[lowest][1]) and means[lowest][1] > max_level_sd
        if deviates or spread:
            dropped.append(lowest)
            in_range = rest
        else:
            break
    if dropped:
        notes.append(
            f"lowest level(s) {', '.join(f'{q:g}' for q in sorted(dropped))} outside the linear "
            "range (mean Cq off the line or replicates spread): near the limit of detection"
        )
    use = keep & np.isin(q_arr, in_range)
    x = np.log10(q_arr[use])
    y = cq_arr[use]
    reg = stats.linregress(x, y)
    slope, intercept = float(reg.slope), float(reg.intercept)
    if slope >= 0:
        raise InvalidInputError(
            f"The standard curve's slope is {slope:.2f}; expected a negative slope (more "
            "template, earlier Cq). Check the quantities against the wells."
        )
    residuals = y - (slope * x + intercept)
    dof = max(x.size - 2, 1)
    residual_sd = float(np.sqrt(np.sum(residuals**2) / dof))
    factor = float(10 ** (-1.0 / slope))
    efficiency = (factor - 1.0) * 100.0
    if not 90.0 <= efficiency <= 110.0:
        notes.append(f"efficiency {efficiency:.1f} % outside 90–110 %")
    r2 = float(reg.rvalue**2)
    if r2 < 0.98:
        notes.append(f"R² {r2:.3f} below 0.98")
    levels = []
    for q in levels_q:
        m, sd, n = means[float(q)]
        levels.append(
            StandardLevel(
                quantity=float(q),
                n=n,
                n_outliers=n_out.get(float(q), 0),
                mean_cq=m,
                sd_cq=sd,
                in_range=float(q) in in_range,
                residual=m - (slope * np.log10(q) + intercept),
            )
        )
    return StandardCurve(
        slope=slope,
        intercept=intercept,
        efficiency=efficiency,
        amplification_factor=factor,
        r2=r2,
        n_points=int(x.size),
        residual_sd=residual_sd,
        slope_se=float(reg.stderr),
        intercept_se=float(reg.intercept_stderr),
        mean_log_quantity=float(np.mean(x)),
        sxx=float(np.sum((x - np.mean(x)) ** 2)),
        linear_range=(float(min(in_range)), float(max(in_range))),
        levels=tuple(levels),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Quantity:
    """A quantity read from a standard curve, with its uncertainty."""

    quantity: float
    log10_quantity: float
    log10_se: float  # standard error of log10(quantity) (curve + one new replicate)
    ci95: tuple[float, float]  # 95 % interval of the quantity
    notes: tuple[str, ...]


def quantify(
    cq: float | Sequence[float], curve: StandardCurve, cq_sd: float | None = None
) -> Quantity:
    """Quantity of an unknown from its Cq (or the mean of its replicate Cqs) by inverse
    prediction; the uncertainty combines the curve's residual scatter, the fitted line's own
    uncertainty, and ``cq_sd`` (or the replicates' scatter) when given."""
    values = np.atleast_1d(np.asarray(cq, dtype=np.float64))
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise InvalidInputError(f"Cq must be finite numbers; got {values.tolist()}.")
    m = values.size
    mean_cq = float(values.mean())
    log_q = (mean_cq - curve.intercept) / curve.slope
    s = curve.residual_sd
    # inverse-prediction standard error (Draper & Smith), m replicate Cqs of the unknown
    var_cq = s**2 / m
    if cq_sd is not None:
        var_cq = cq_sd**2 / m + s**2 / max(curve.n_points, 1)
    elif m > 1:
        var_cq = max(float(np.var(values, ddof=1)), s**2) / m
    var_line = s**2 * (
        1.0 / curve.n_points + (log_q - curve.mean_log_quantity) ** 2 / max(curve.sxx, 1e-12)
    )
    se = float(np.sqrt(var_cq + var_line) / abs(curve.slope))
    t = float(stats.t.ppf(0.975, max(curve.n_points - 2, 1)))
    notes: list[str] = []
    low, high = np.log10(curve.linear_range[0]), np.log10(curve.linear_range[1])
    if not low - 1e-9 <= log_q <= high + 1e-9:
        notes.append(
            f"outside the linear range of the standards ({curve.linear_range[0]:g}–"
            f"{curve.linear_range[1]:g}): extrapolated"
        )
    return Quantity(
        quantity=float(10**log_q),
        log10_quantity=float(log_q),
        log10_se=se,
        ci95=(float(10 ** (log_q - t * se)), float(10 ** (log_q + t * se))),
        notes=tuple(notes),
    )
