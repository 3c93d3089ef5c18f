"""qPCR amplification curves: baseline, Cq (threshold and second-derivative maximum), efficiency.

The analysis follows LinRegPCR (Ruijter et al. 2009, Untergasser et al. 2021) so that its numbers
can be compared with the reference implementation in rdmlpython, but works on whole matrices at
once (one row per curve) instead of one curve at a time:

1. the log-linear phase of each curve ends at the maximum of the (3-point mean) second derivative
   before the first-derivative maximum, and starts where the rise stops being monotonic;
2. the baseline is the constant that makes the log-fluorescence slope of the lower half of that
   phase equal to the slope of its upper half (bisection, all curves together);
3. a window of linearity common to the curves of a group (a target) is slid down the log-linear
   phase to where the efficiencies of the curves agree best; each curve's efficiency is
   ``10 ** slope`` of log10(fluorescence) against cycle over its points inside the window;
4. the threshold is half the window's upper limit (or the user's); Cq follows from each curve's
   regression line and its group's mean efficiency (LinRegPCR's Cq), from the interpolated
   crossing of the baseline-corrected curve (threshold Cq), and from the maximum of the smoothed
   second derivative (SDM Cq, threshold-free).

Everything is vectorised with NumPy; a 384-well plate takes a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from actives.errors import InvalidInputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

MIN_CYCLES = 10
POINTS_IN_WINDOW = 4
EFFICIENCY_NOTE_RANGE = (1.6, 2.1)


@dataclass(frozen=True)
class CurveSettings:
    """How curves are analysed; the defaults reproduce LinRegPCR's automatic settings."""

    baseline_cycles: tuple[int, int] | None = None  # None = automatic (LinRegPCR)
    threshold: float | None = None  # None = automatic (per group); baseline-corrected units
    detrend: bool = False  # subtract a linear ground-phase drift before the baseline search
    min_rise_over_noise: float = 20.0  # amplified: rise above the ground-phase noise SD
    points_in_window: int = POINTS_IN_WINDOW  # LinRegPCR's window of linearity is 4 cycles wide
    efficiency_range: tuple[float, float] = EFFICIENCY_NOTE_RANGE  # outside: a note

    def __post_init__(self) -> None:
        if self.baseline_cycles is not None:
            first, last = self.baseline_cycles
            if not 1 <= first < last:
                raise InvalidInputError(
                    f"Baseline cycles {first}–{last} are not a range; expected two cycle "
                    "numbers, first >= 1 and first < last (e.g. 3–15)."
                )
        if self.threshold is not None and not (np.isfinite(self.threshold) and self.threshold > 0):
            raise InvalidInputError(
                f"Threshold {self.threshold!r} is not usable; expected a positive number in "
                "baseline-corrected fluorescence units, or None for an automatic threshold."
            )
        if not 3 <= self.points_in_window <= 8:
            raise InvalidInputError(
                f"Window of linearity of {self.points_in_window} points; expected 3 to 8."
            )


@dataclass(frozen=True)
class CurveResult:
    """What the analysis found for one curve; Cq values are fractional cycles."""

    baseline: float  # fluorescence baseline level (at cycle 0 when a drift was removed)
    amplitude: float  # max baseline-corrected fluorescence
    plateau: bool  # a plateau was reached
    amplified: bool  # an exponential phase was found
    cq_threshold: float | None  # Cq by threshold crossing (log-linear interpolation)
    cq_sdm: float | None  # Cq by second-derivative maximum
    threshold: float  # threshold used (baseline-corrected units)
    efficiency: float | None  # amplification factor per cycle (LinRegPCR "indiv PCR eff")
    efficiency_r2: float | None  # R² of the regression in the window of linearity
    log_window: tuple[float, float] | None  # first and last cycle of the window of linearity
    notes: tuple[str, ...]  # plain-English reasons (e.g. "no exponential phase")
    cq_linreg: float | None = None  # LinRegPCR Cq: regression line + group mean efficiency
    mean_efficiency: float | None = None  # the group's mean efficiency (LinRegPCR "PCR eff")
    n0: float | None = None  # starting fluorescence: threshold / mean_efficiency ** cq_linreg
    baseline_slope: float = 0.0  # drift per cycle removed with the baseline (0 = constant)
    plateau_level: float | None = None  # mean corrected fluorescence of the last 3 cycles
    noise: float = 0.0  # SD of the ground phase (baseline-corrected units)
    log_linear_phase: tuple[int, int] | None = None  # start and end cycle of the exponential phase
    group: str = ""


# --------------------------------------------------------------------------------------------
# Input checks


def _validated(cycles: ArrayLike, fluorescence: ArrayLike) -> tuple[FloatArray, FloatArray]:
    try:
        cyc = np.asarray(cycles, dtype=np.float64)
        fl = np.asarray(fluorescence, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"Cycles and fluorescence must be numeric arrays; got {exc}."
        ) from exc
    if fl.ndim == 1:
        fl = fl[np.newaxis, :]
    if cyc.ndim != 1 or fl.ndim != 2:
        raise InvalidInputError(
            f"Expected cycles of shape (n_cycles,) and fluorescence of shape (n_curves, "
            f"n_cycles); got cycles {cyc.shape} and fluorescence {fl.shape}."
        )
    if fl.shape[1] != cyc.shape[0]:
        raise InvalidInputError(
            f"Fluorescence has {fl.shape[1]} cycles per curve but {cyc.shape[0]} cycle numbers "
            "were given; expected the same number."
        )
    if cyc.shape[0] < MIN_CYCLES:
        raise InvalidInputError(
            f"Only {cyc.shape[0]} cycles; at least {MIN_CYCLES} are needed to separate the "
            "baseline from the exponential phase."
        )
    if not np.all(np.isfinite(cyc)) or np.any(np.diff(cyc) <= 0):
        raise InvalidInputError(
            "Cycle numbers must be finite and strictly increasing (1, 2, 3, ...); got "
            f"{cyc[:5].tolist()}..."
        )
    if np.any(np.isinf(fl)):
        raise InvalidInputError("Fluorescence contains infinite values; expected finite numbers.")
    return cyc, fl


def _fill_missing(fl: FloatArray) -> tuple[FloatArray, IntArray]:
    """Interpolate missing (NaN) readings inside each curve; count them per curve."""
    missing = np.isnan(fl)
    n_missing = missing.sum(axis=1)
    out = fl.copy()
    idx = np.arange(fl.shape[1])
    for row in np.flatnonzero((n_missing > 0) & (n_missing < fl.shape[1] - 1)):
        ok = ~missing[row]
        out[row, ~ok] = np.interp(idx[~ok], idx[ok], fl[row, ok])
    return out, n_missing


# --------------------------------------------------------------------------------------------
# Small vectorised helpers


def _take(matrix: FloatArray, index: IntArray) -> FloatArray:
    return np.take_along_axis(matrix, index[:, np.newaxis], axis=1)[:, 0]


def _masked_regression(
    x: FloatArray, y: FloatArray, mask: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per-row least squares of y on x over the masked points: slope, mean x, mean y, r, n."""
    w = mask & np.isfinite(y)
    n = w.sum(axis=1).astype(np.float64)
    xw = np.where(w, x[np.newaxis, :], 0.0)
    yw = np.where(w, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = xw.sum(axis=1) / n
        my = yw.sum(axis=1) / n
        dx = np.where(w, x[np.newaxis, :] - mx[:, np.newaxis], 0.0)
        dy = np.where(w, y - my[:, np.newaxis], 0.0)
        ssx = (dx * dx).sum(axis=1)
        ssy = (dy * dy).sum(axis=1)
        sxy = (dx * dy).sum(axis=1)
        slope = np.where((n >= 2) & (ssx > 0), sxy / ssx, np.nan)
        r = np.where((n >= 2) & (ssx > 0) & (ssy > 0), sxy / np.sqrt(ssx * ssy), np.nan)
    return slope, mx, my, r, n


def _safe_log10(values: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(values > 1e-12, np.log10(np.maximum(values, 1e-300)), np.nan)


def _stop_cycles(fl: FloatArray) -> tuple[IntArray, IntArray]:
    """End of the log-linear phase (0-based) and first-derivative maximum, as in LinRegPCR."""
    n_rows, n_cyc = fl.shape
    fd = np.full_like(fl, np.nan)
    fd[:, 1:] = np.diff(fl, axis=1)
    fd_max = np.argmax(np.where(np.isfinite(fd), fd, -np.inf), axis=1)  # 0-based, >= 1
    rows = np.arange(n_rows)
    # 1-based FDMaxCyc = fd_max + 1; LinRegPCR extends it by two cycles if the rise goes on
    fd_cyc = fd_max + 1
    can_extend = fd_cyc + 2 <= n_cyc
    nxt = np.minimum(fd_max + 1, n_cyc - 1)
    nxt2 = np.minimum(fd_max + 2, n_cyc - 1)
    rising = (fl[rows, nxt2] > fl[rows, nxt]) & (fl[rows, nxt] > fl[rows, fd_max])
    fd_cyc = np.where(can_extend, np.where(rising, fd_cyc + 2, fd_cyc), n_cyc)
    sd = np.full_like(fl, np.nan)
    sd[:, :-1] = fd[:, 1:] - fd[:, :-1]
    # mean of the second derivative at j-1, j, j+1 (0-based centre j)
    m3 = np.full_like(fl, np.nan)
    m3[:, 1:-1] = (sd[:, :-2] + sd[:, 1:-1] + sd[:, 2:]) / 3.0
    j = np.arange(n_cyc)[np.newaxis, :]
    allowed = (j >= 2) & (j <= fd_cyc[:, np.newaxis] - 2) & np.isfinite(m3)
    score = np.where(allowed, m3, -np.inf)
    stop = np.argmax(score, axis=1)
    best = score[rows, stop]
    stop = np.where(best > 1e-12, stop, n_cyc - 1)
    stop = np.where(stop + 1 + 2 >= n_cyc, n_cyc - 1, stop)
    return stop.astype(np.intp), fd_max.astype(np.intp)


def _start_cycles(corr: FloatArray, stop: IntArray) -> tuple[IntArray, IntArray]:
    """Start of the log-linear phase (0-based): walk back while the curve keeps rising."""
    n_rows, n_cyc = corr.shape
    rows = np.arange(n_rows)
    valid = corr > 1e-8
    run = np.zeros(n_rows, dtype=np.intp)
    going = np.ones(n_rows, dtype=bool)
    for k in range(1, 11):
        hi = stop - k
        lo = hi - 1
        ok = (lo >= 0) & going
        lo_c = np.maximum(lo, 0)
        hi_c = np.maximum(hi, 0)
        step_ok = ok & valid[rows, lo_c] & (corr[rows, lo_c] <= corr[rows, hi_c])
        run += step_ok
        going = step_ok
    start = np.maximum(stop - 1 - run, 0)
    # LinRegPCR drops the first point if its log step is much steeper than the last one
    log = _safe_log10(corr)
    s1 = np.minimum(start + 1, n_cyc - 1)
    start_step = log[rows, s1] - log[rows, start]
    stop_step = log[rows, stop] - log[rows, np.maximum(stop - 1, 0)]
    fix = np.where(np.isfinite(start_step) & (start_step > 1.1 * stop_step), start + 1, start)
    return start.astype(np.intp), np.minimum(fix, stop).astype(np.intp)


def _half_slopes(
    log: FloatArray, cyc: FloatArray, start: IntArray, stop: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Slopes of log fluorescence over the lower and the upper half of [start, stop]."""
    k = np.ceil((stop - start - 1) / 2.0).astype(np.intp)
    k = np.maximum(k, 0)
    j = np.arange(log.shape[1])[np.newaxis, :]
    low = (j >= start[:, np.newaxis]) & (j <= (start + k)[:, np.newaxis])
    high = (j >= (stop - k)[:, np.newaxis]) & (j <= stop[:, np.newaxis])
    slope_low = _masked_regression(cyc, log, low)[0]
    slope_high = _masked_regression(cyc, log, high)[0]
    return slope_low, slope_high


# --------------------------------------------------------------------------------------------
# Baseline


@dataclass(frozen=True)
class _Baseline:
    level: FloatArray  # constant subtracted (at cycle 0 when detrended)
    slope: FloatArray  # drift per cycle subtracted
    error: BoolArray  # no baseline found that makes the log-linear phase straight
    stop: IntArray
    start: IntArray
    start_fix: IntArray
    fd_max: IntArray


def _ground_drift(
    cyc: FloatArray, fl: FloatArray, fd_max: IntArray, end: IntArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Linear trend and residual SD of the ground phase (cycles 3 to well before the rise)."""
    n_cyc = fl.shape[1]
    end = np.clip(fd_max - 8 if end is None else np.minimum(end, fd_max - 8), 6, n_cyc - 1)
    j = np.arange(n_cyc)[np.newaxis, :]
    mask = (j >= 2) & (j <= end[:, np.newaxis])
    slope, mx, my, _r, _n = _masked_regression(cyc, fl, mask)
    slope = np.nan_to_num(slope)
    resid = fl - (my[:, np.newaxis] + slope[:, np.newaxis] * (cyc[np.newaxis, :] - mx[:, None]))
    resid = np.where(mask, resid, np.nan)
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(np.nansum(resid**2, axis=1) / np.maximum(mask.sum(axis=1) - 2, 1))
    return slope, my - slope * mx, sd


def _auto_baseline(cyc: FloatArray, fl: FloatArray, iterations: int = 48) -> _Baseline:
    """LinRegPCR's baseline: the constant that equalises the lower and upper half slopes."""
    n_rows, n_cyc = fl.shape
    rows = np.arange(n_rows)
    stop, fd_max = _stop_cycles(fl)
    top = fl[rows, stop]
    floor = np.min(fl, axis=1)
    span = np.maximum(top - floor, 1e-12)

    def slopes_for(level: FloatArray) -> tuple[FloatArray, IntArray, IntArray, IntArray]:
        corr = fl - level[:, np.newaxis]
        start, fix = _start_cycles(corr, stop)
        log = _safe_log10(corr)
        low, high = _half_slopes(log, cyc, fix, stop)
        return low - high, start, fix, stop

    # too high: just under the reading five cycles before the end of the phase. LinRegPCR
    # lowers the baseline from there in 1 % steps and keeps the first (highest) level where the
    # lower half becomes flatter than the upper half; a geometric grid of steps below that
    # start finds the same bracket in 40 vectorised evaluations, bisection then refines it.
    ref = np.maximum(stop - 5, 0)
    top_level = fl[rows, ref] - 0.01 * span
    first_step = np.maximum(0.01 * np.abs(top_level), 1e-3 * span)
    hi = top_level.copy()
    lo = top_level.copy()
    bracket = np.zeros(n_rows, dtype=bool)
    previous = top_level.copy()
    g_top = slopes_for(top_level)[0]
    started_high = g_top > 0
    for k in range(40):
        level_k = top_level - first_step * (1.25**k - 1.0) - first_step * (k > 0)
        g = slopes_for(level_k)[0]
        newly = started_high & ~bracket & (g < 0)
        lo = np.where(newly, level_k, lo)
        hi = np.where(newly, previous, hi)
        bracket |= newly
        previous = np.where(bracket, previous, level_k)
        if bracket[started_high].all():
            break
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        g = slopes_for(mid)[0]
        up = g > 0  # lower half too steep: baseline too high
        hi = np.where(bracket & up, mid, hi)
        lo = np.where(bracket & ~up, mid, lo)
    level = np.where(bracket, 0.5 * (lo + hi), floor - 0.01 * span)
    g, start, fix, stop = slopes_for(level)
    error = ~bracket
    return _Baseline(level, np.zeros(n_rows), error, stop, start, fix, fd_max)


def baseline_corrected(
    cycles: ArrayLike,
    fluorescence: ArrayLike,
    baseline_cycles: tuple[int, int] | None = None,
    detrend: bool = False,
) -> FloatArray:
    """Fluorescence minus each curve's baseline (automatic LinRegPCR baseline, or the mean of the
    given cycles, 1-based inclusive); shape (n_curves, n_cycles)."""
    cyc, fl = _validated(cycles, fluorescence)
    filled, _n_missing = _fill_missing(fl)
    base = _baseline(cyc, filled, baseline_cycles, detrend)
    return fl - base.level[:, np.newaxis] - base.slope[:, np.newaxis] * cyc[np.newaxis, :]


def _baseline(
    cyc: FloatArray, fl: FloatArray, baseline_cycles: tuple[int, int] | None, detrend: bool
) -> _Baseline:
    n_rows, n_cyc = fl.shape
    if baseline_cycles is None:
        if not detrend:
            return _auto_baseline(cyc, fl)
        constant = _auto_baseline(cyc, fl)
        slope, _icpt, _sd = _ground_drift(cyc, fl, constant.fd_max, constant.start - 2)
        tilted = fl - slope[:, np.newaxis] * cyc[np.newaxis, :]
        found = _auto_baseline(cyc, tilted)
        return _Baseline(
            found.level, slope, found.error, found.stop, found.start, found.start_fix,
            found.fd_max,
        )  # fmt: skip
    first, last = baseline_cycles
    if last > n_cyc:
        raise InvalidInputError(
            f"Baseline cycles {first}–{last} go beyond the run's {n_cyc} cycles."
        )
    j = np.arange(n_cyc)[np.newaxis, :]
    mask = np.broadcast_to((j >= first - 1) & (j <= last - 1), fl.shape)
    if detrend:
        slope, _mx, _my, _r, _n = _masked_regression(cyc, fl, mask)
        slope = np.nan_to_num(slope)
    else:
        slope = np.zeros(n_rows)
    level = np.mean(np.where(mask, fl - slope[:, None] * cyc[None, :], 0.0), axis=1) * (
        n_cyc / mask[0].sum()
    )
    corr = fl - level[:, None] - slope[:, None] * cyc[None, :]
    stop, fd_max = _stop_cycles(fl)
    start, fix = _start_cycles(corr, stop)
    return _Baseline(level, slope, np.zeros(n_rows, dtype=bool), stop, start, fix, fd_max)


# --------------------------------------------------------------------------------------------
# Window of linearity


def _window_fit(
    cyc: FloatArray,
    log: FloatArray,
    start_fix: IntArray,
    top_index: IntArray,
    low: FloatArray,
    up: FloatArray,
    rows_mask: BoolArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    """Per-curve regression over the points of the log-linear phase inside [low, up] (log10,
    one limit per curve)."""
    j = np.arange(log.shape[1])[np.newaxis, :]
    in_phase = (j >= start_fix[:, None]) & (j <= top_index[:, None])
    inside = (log >= low[:, None]) & (log <= up[:, None])
    mask = in_phase & inside & rows_mask[:, None]
    slope, mx, my, r, n = _masked_regression(cyc, log, mask)
    eff = np.power(10.0, slope)
    return eff, mx, my, r, n, mask


def _group_means(
    eff: FloatArray, use: BoolArray, group: IntArray, n_groups: int
) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of the efficiencies (> 1) of each group; (1.0, 100) below 2 curves, as
    LinRegPCR."""
    good = use & np.isfinite(eff) & (eff > 1.0)
    e = np.where(good, eff, 0.0)
    cnt = np.bincount(group, weights=good.astype(np.float64), minlength=n_groups)
    s1 = np.bincount(group, weights=e, minlength=n_groups)
    s2 = np.bincount(group, weights=e * e, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(cnt > 1, s1 / cnt, 1.0)
        var = np.where(cnt > 1, (s2 - s1 * s1 / cnt) / (cnt - 1), 100.0)
    return mean, np.maximum(var, 0.0)


@dataclass
class _Windows:
    low: FloatArray  # log10, per group
    up: FloatArray  # log10, per group
    threshold: FloatArray  # linear units, per group; NaN where no window could be searched


def _search_windows(
    cyc: FloatArray,
    log: FloatArray,
    start: IntArray,
    start_fix: IntArray,
    stop: IntArray,
    top_index: IntArray,
    group: IntArray,
    n_groups: int,
    skip: BoolArray,
    no_plateau: BoolArray,
    short: BoolArray,
    log_min_total: float,
    log_max_total: float,
    points: int,
) -> _Windows:
    """LinRegPCR's window of linearity, for all groups at once: per group, the window position
    (sliding down from the end of the log-linear phases) where the efficiencies vary least."""
    rows = np.arange(log.shape[0])
    used = ~skip
    with_plateau = used & ~no_plateau
    stop_log = log[rows, stop]
    cnt_p = np.bincount(group, weights=with_plateau.astype(float), minlength=n_groups)
    stop_lin = np.power(10.0, np.where(with_plateau, stop_log, 0.0))
    sum_p = np.bincount(group, weights=np.where(with_plateau, stop_lin, 0.0), minlength=n_groups)
    row_max = np.max(np.where(np.isfinite(log), log, -np.inf), axis=1)
    max_any = np.full(n_groups, -np.inf)
    np.maximum.at(max_any, group[used], row_max[used])
    with np.errstate(invalid="ignore", divide="ignore"):
        max_win = np.where(cnt_p > 0, np.log10(sum_p / np.maximum(cnt_p, 1)), max_any)
    start_log = log[rows, start]
    min_lim = np.full(n_groups, -np.inf)
    ok_start = used & np.isfinite(start_log)
    np.maximum.at(min_lim, group[ok_start], start_log[ok_start])
    searchable = np.isfinite(max_win) & np.isfinite(min_lim)
    min_lim = min_lim + np.log10(0.999)
    step = stop_log - log[rows, np.maximum(stop - 1, 0)]
    ok_step = with_plateau & np.isfinite(step)
    cnt_s = np.bincount(group, weights=ok_step.astype(float), minlength=n_groups)
    sum_s = np.bincount(group, weights=np.where(ok_step, step, 0.0), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        step_stop = np.where(cnt_s > 0, sum_s / cnt_s, np.log10(1.8))
    use_mean = ~skip & ~no_plateau & ~short
    max_win = np.where(searchable, max_win, 0.0)

    def clip(value: FloatArray) -> FloatArray:
        return np.clip(np.round(value, 3), log_min_total, log_max_total)

    def fit(up_win: FloatArray, width: FloatArray) -> tuple[FloatArray, FloatArray]:
        up, low = clip(up_win), clip(up_win - width)
        eff = _window_fit(cyc, log, start_fix, top_index, low[group], up[group], used)[0]
        return _group_means(eff, use_mean, group, n_groups)

    width = points * step_stop
    mean_eff, _var = fit(max_win, width)
    first_up, first_low = clip(max_win), clip(max_win - width)
    searching = searchable & (mean_eff >= 1.001)
    width = np.where(searching, points * np.log10(np.maximum(mean_eff, 1.0)), width)
    n_steps = 61
    cv = np.zeros((n_groups, n_steps))
    ups = np.zeros((n_groups, n_steps))
    widths = np.zeros((n_groups, n_steps))
    max_var = np.zeros(n_groups)
    max_var_step = np.full(n_groups, -1)
    last_up = 2 + max_win
    active = searching.copy()
    for counter in range(n_steps):
        if not active.any():
            break
        new_up = max_win - counter * 0.2 * np.log10(np.maximum(mean_eff, 1.0))
        move = active & (new_up < last_up)
        m1, _v1 = fit(new_up, width)
        mean_eff = np.where(move, m1, mean_eff)
        width = np.where(move, np.maximum(points * np.log10(np.maximum(mean_eff, 1.0)), 0.5), width)
        m2, v2 = fit(new_up, width)
        mean_eff = np.where(move, m2, mean_eff)
        var = np.where(move, v2, 0.0)
        cv[:, counter] = np.where(move & (var > 0), np.sqrt(var) / np.maximum(mean_eff, 1e-12), 0.0)
        ups[:, counter] = np.where(move, new_up, ups[:, counter])
        widths[:, counter] = np.where(move, width, widths[:, counter])
        bigger = move & (var > max_var)
        max_var = np.where(bigger, var, max_var)
        max_var_step = np.where(bigger, counter, max_var_step)
        last_up = np.where(move, new_up, last_up)
        done = (new_up - width / (points / 2.0) < min_lim) | (var < 1e-11) | (mean_eff <= 1.0)
        active &= ~done
    low = first_low.copy()
    up = first_up.copy()
    for g in np.flatnonzero(searching):
        values = cv[g]
        valid = int(np.argmax(values < 1e-6)) if (values < 1e-6).any() else n_steps
        valid -= 1
        best = 0
        if 0 < valid < 4:
            best = int(np.argmin(values[: valid + 1]))
        elif valid >= 4:
            smooth_best = values[0]
            for n in range(1, valid):
                smooth = (values[n - 1] + values[n] + values[n + 1]) / 3.0
                if smooth < smooth_best:
                    smooth_best, best = smooth, n
                if n > max_var_step[g]:
                    break
        up[g] = clip(np.array(ups[g, best]))
        low[g] = clip(np.array(ups[g, best] - widths[g, best]))
    threshold = np.where(searchable, 0.5 * np.power(10.0, up), np.nan)
    return _Windows(low, up, threshold)


# --------------------------------------------------------------------------------------------
# Cq by threshold crossing and by the second-derivative maximum


def _threshold_cq(
    cyc: FloatArray, corr: FloatArray, threshold: FloatArray, top: IntArray
) -> FloatArray:
    """Cycle where the curve last crosses the threshold from below before its maximum,
    interpolated on the log scale (exact inside the exponential phase)."""
    n_rows, n_cyc = corr.shape
    j = np.arange(n_cyc - 1)[np.newaxis, :]
    below = corr[:, :-1] < threshold[:, None]
    above = corr[:, 1:] >= threshold[:, None]
    cross = below & above & (j + 1 <= top[:, None])
    has = cross.any(axis=1)
    last = (n_cyc - 2) - np.argmax(cross[:, ::-1], axis=1)
    rows = np.arange(n_rows)
    y0 = corr[rows, last]
    y1 = corr[rows, last + 1]
    x0 = cyc[last]
    x1 = cyc[last + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        log_ok = (y0 > 0) & (y1 > 0)
        frac_log = (np.log(threshold) - np.log(np.where(log_ok, y0, 1.0))) / (
            np.log(np.where(log_ok, y1, 2.0)) - np.log(np.where(log_ok, y0, 1.0))
        )
        frac_lin = (threshold - y0) / (y1 - y0)
        frac = np.where(log_ok, frac_log, frac_lin)
    return np.where(has, x0 + frac * (x1 - x0), np.nan)


def _sdm_cq(cyc: FloatArray, corr: FloatArray, fd_max: IntArray) -> FloatArray:
    """Second-derivative maximum of the 5-point Savitzky-Golay smoothed curve, refined by a
    parabola through the maximum and its neighbours."""
    n_rows, n_cyc = corr.shape
    # 5-point quadratic Savitzky-Golay second derivative: (2, -1, -2, -1, 2) / 7
    kernel = np.array([2.0, -1.0, -2.0, -1.0, 2.0]) / 7.0
    padded = np.pad(corr, ((0, 0), (2, 2)), mode="edge")
    d2 = (
        kernel[0] * padded[:, :-4] + kernel[1] * padded[:, 1:-3] + kernel[2] * padded[:, 2:-2]
        + kernel[3] * padded[:, 3:-1] + kernel[4] * padded[:, 4:]
    )  # fmt: skip
    j = np.arange(n_cyc)[np.newaxis, :]
    allowed = (j >= 2) & (j <= np.minimum(fd_max, n_cyc - 3)[:, None])
    score = np.where(allowed, d2, -np.inf)
    peak = np.argmax(score, axis=1)
    rows = np.arange(n_rows)
    ok = np.isfinite(score[rows, peak]) & (score[rows, peak] > 0)
    left = d2[rows, np.maximum(peak - 1, 0)]
    mid = d2[rows, peak]
    right = d2[rows, np.minimum(peak + 1, n_cyc - 1)]
    denom = left - 2 * mid + right
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = np.where(denom < 0, 0.5 * (left - right) / denom, 0.0)
    offset = np.clip(offset, -0.5, 0.5)
    step = np.gradient(cyc)[peak]
    return np.where(ok, cyc[peak] + offset * step, np.nan)


# --------------------------------------------------------------------------------------------
# The analysis


def analyse_curves(
    cycles: ArrayLike,
    fluorescence: ArrayLike,
    settings: CurveSettings | None = None,
    groups: Sequence[str] | None = None,
) -> list[CurveResult]:
    """Analyse amplification curves (rows of ``fluorescence``) the LinRegPCR way.

    ``groups`` (one label per curve, usually the target) gets each group its own window of
    linearity and mean efficiency; the automatic threshold is then the geometric mean of the
    groups' thresholds (LinRegPCR's common threshold). Without groups all curves form one group.
    Curves that cannot be analysed are returned with notes, never raised on.
    """
    settings = settings or CurveSettings()
    cyc, raw = _validated(cycles, fluorescence)
    n_rows, n_cyc = raw.shape
    if n_rows == 0:
        return []
    labels = [""] * n_rows if groups is None else [str(g) for g in groups]
    if len(labels) != n_rows:
        raise InvalidInputError(
            f"{len(labels)} group labels for {n_rows} curves; expected one label per curve."
        )
    fl, n_missing = _fill_missing(raw)
    empty = n_missing >= n_cyc - 1
    fl[empty] = 0.0
    rows = np.arange(n_rows)

    base = _baseline(cyc, fl, settings.baseline_cycles, settings.detrend)
    corr = fl - base.level[:, None] - base.slope[:, None] * cyc[None, :]
    stop, start, start_fix, fd_max = base.stop, base.start, base.start_fix, base.fd_max

    # ground-phase noise and the rise above it
    _drift, _icpt, noise = _ground_drift(cyc, corr, fd_max)
    amplitude = np.max(corr, axis=1)
    plateau_level = corr[:, -3:].mean(axis=1)
    ground_end = np.clip(start_fix, 3, n_cyc - 3)
    j = np.arange(n_cyc)[np.newaxis, :]
    ground_mask = (j >= 1) & (j < ground_end[:, None])
    ground_level = np.where(ground_mask, corr, 0.0).sum(axis=1) / ground_mask.sum(axis=1)
    rise = np.max(corr, axis=1) - ground_level
    tiny = 1e-9 * np.maximum(np.abs(fl).max(axis=1), 1e-12)
    rise_ok = rise > settings.min_rise_over_noise * np.maximum(noise, tiny)
    # LinRegPCR: the curve must end well above its start and rise monotonically into stop
    log = _safe_log10(corr)
    phase_ok = (stop - start_fix >= 2) & (stop < n_cyc)
    prev1 = np.maximum(stop - 1, 0)
    prev2 = np.maximum(stop - 2, 0)
    monotone = (corr[rows, stop] > corr[rows, prev1]) & (corr[rows, prev1] > corr[rows, prev2])
    half_low, half_high = _half_slopes(log, cyc, start_fix, stop)
    exp_ok = np.isfinite(half_high) & (half_high > np.log10(1.2))
    amplified = ~empty & rise_ok & phase_ok & monotone & exp_ok
    baseline_error = amplified & base.error & (settings.baseline_cycles is None)

    # plateau: the log-linear phase ends well before the last cycle
    no_plateau = ~amplified | baseline_error | (stop >= n_cyc - 1)
    short = amplified & (
        corr[rows, stop] / np.where(corr[rows, start_fix] > 0, corr[rows, start_fix], np.nan) < 20.0
    )
    short = np.where(np.isfinite(short), short, True).astype(bool)
    skip = ~amplified | baseline_error

    # the top of each curve, from where the log-linear phase may extend
    top_index = np.argmax(np.where(j >= start_fix[:, None], corr, -np.inf), axis=1)
    finite_log = log[np.isfinite(log) & ~skip[:, None]]
    if finite_log.size:
        log_max_total = float(finite_log.max())
        log_min_total = max(float(finite_log.min()), log_max_total - 4.0)
    else:
        log_max_total, log_min_total = 0.0, -4.0

    group_names = sorted(set(labels))
    group_index = np.array([group_names.index(x) for x in labels])
    eff = np.full(n_rows, np.nan)
    mean_x = np.full(n_rows, np.nan)
    mean_y = np.full(n_rows, np.nan)
    corr_r = np.full(n_rows, np.nan)
    n_in = np.zeros(n_rows)
    window_mask = np.zeros((n_rows, n_cyc), dtype=bool)
    # LinRegPCR's starting window, kept by a group where no window can be searched: its upper
    # limit is a tenth of the mean end fluorescence of the usable curves with a plateau
    usable_end = np.max(corr[:, -11:], axis=1)[~skip & ~no_plateau]
    if usable_end.size == 0:
        usable_end = np.max(corr[:, -11:], axis=1)[~skip]
    default_threshold = 0.05 * float(np.mean(usable_end)) if usable_end.size else np.nan
    n_groups = len(group_names)
    windows = None
    for _attempt in range(2):
        windows = _search_windows(
            cyc, log, start, start_fix, stop, top_index, group_index, n_groups, skip,
            no_plateau, short, log_min_total, log_max_total, settings.points_in_window,
        )  # fmt: skip
        e, mx, my, r, n, mask = _window_fit(
            cyc, log, start_fix, top_index, windows.low[group_index], windows.up[group_index],
            ~skip,
        )  # fmt: skip
        # LinRegPCR: a curve whose extrapolated exponential phase would end far above its last
        # reading has no real plateau
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            expected = 10 ** (my + (cyc[-1] - mx) * np.log10(e))
            newly = ~skip & ~no_plateau & (expected / corr[:, -1] < 5)
        if not newly.any():
            break
        no_plateau = no_plateau | newly
    assert windows is not None
    sel = ~skip & np.isfinite(windows.threshold)[group_index]
    eff[sel], mean_x[sel], mean_y[sel], corr_r[sel], n_in[sel] = e[sel], mx[sel], my[sel], \
        r[sel], n[sel]  # fmt: skip
    window_mask[sel] = mask[sel]
    # LinRegPCR's "mean PCR eff": every usable curve of the group, plateau or not
    group_mean_eff, _var = _group_means(e, sel & (e > 1.001), group_index, n_groups)
    group_mean_eff = np.where(group_mean_eff > 1.001, group_mean_eff, np.nan)
    group_threshold = np.where(np.isfinite(windows.threshold), windows.threshold, default_threshold)

    if settings.threshold is not None:
        threshold = float(settings.threshold)
    else:
        ok = np.isfinite(group_threshold) & (group_threshold > 0)
        threshold = float(10 ** np.mean(np.log10(group_threshold[ok]))) if ok.any() else np.nan
    if not np.isfinite(threshold):
        # nothing amplified: a threshold well above the noise, for reference only
        threshold = float(max(10 * np.median(noise), 1e-12))
    thr = np.full(n_rows, threshold)

    row_mean_eff = group_mean_eff[group_index]
    with np.errstate(invalid="ignore", divide="ignore"):
        cq_lin = mean_x + (np.log10(threshold) - mean_y) / np.log10(row_mean_eff)
        n0 = threshold / row_mean_eff**cq_lin
    cq_thr = _threshold_cq(cyc, corr, thr, top_index)
    cq_sdm = _sdm_cq(cyc, corr, fd_max)

    # baseline stability (LinRegPCR checks curves with a short log-linear phase): moving the
    # baseline by 5 % must not move the Cq by more than a cycle
    unstable = np.zeros(n_rows, dtype=bool)
    check = short & amplified & np.isfinite(eff)
    if check.any():
        shift = 0.05 * np.abs(base.level)
        cqs = []
        for sign in (1.0, -1.0):
            c2 = corr - sign * shift[:, None]
            lg = _safe_log10(c2)
            e2, mx2, my2, _r2, _n2, _m2 = _window_fit(
                cyc, lg, start_fix, top_index, windows.low[group_index],
                windows.up[group_index], check,
            )  # fmt: skip
            with np.errstate(invalid="ignore", divide="ignore"):
                cqs.append(mx2 + (np.log10(threshold) - my2) / np.log10(e2))
        unstable = check & np.nan_to_num(np.abs(cqs[0] - cqs[1]) > 1.0)

    results: list[CurveResult] = []
    low_e, high_e = settings.efficiency_range
    for i in range(n_rows):
        notes: list[str] = []
        amp = bool(amplified[i])
        if empty[i]:
            notes.append("no fluorescence readings")
        elif n_missing[i]:
            notes.append(f"{int(n_missing[i])} missing readings interpolated")
        if not amp and not empty[i]:
            notes.append("no exponential phase")
        if baseline_error[i]:
            notes.append("baseline unstable: no constant baseline makes the log-linear phase "
                         "straight")  # fmt: skip
        if unstable[i]:
            notes.append("baseline unstable: a 5 % baseline change moves the Cq by over a cycle")
        e_i = float(eff[i]) if amp and np.isfinite(eff[i]) and n_in[i] >= 2 else None
        if amp and e_i is None:
            notes.append("too few points in the window of linearity for an efficiency")
        if e_i is not None and not low_e <= e_i <= high_e:
            notes.append(f"efficiency {e_i:.2f} outside {low_e:g}–{high_e:g}")
        if amp and no_plateau[i]:
            notes.append("no plateau")
        if amp and short[i]:
            notes.append("short log-linear phase (less than a 20-fold rise)")
        if amp and noise[i] > 0.05 * max(rise[i], 1e-12):
            notes.append("noisy: ground-phase noise above 5 % of the rise")
        win = None
        if amp and window_mask[i].any():
            idx = np.flatnonzero(window_mask[i])
            win = (float(cyc[idx[0]]), float(cyc[idx[-1]]))
        r_i = float(corr_r[i] ** 2) if e_i is not None and np.isfinite(corr_r[i]) else None

        def opt(value: float, ok: bool = amp) -> float | None:
            return float(value) if ok and np.isfinite(value) else None

        results.append(
            CurveResult(
                baseline=float(base.level[i]),
                amplitude=float(amplitude[i]),
                plateau=bool(amp and not no_plateau[i]),
                amplified=amp,
                cq_threshold=opt(cq_thr[i]),
                cq_sdm=opt(cq_sdm[i]),
                threshold=threshold,
                efficiency=e_i,
                efficiency_r2=r_i,
                log_window=win,
                notes=tuple(notes),
                cq_linreg=opt(cq_lin[i], amp and e_i is not None and not baseline_error[i]),
                mean_efficiency=opt(row_mean_eff[i]),
                n0=opt(n0[i], amp and e_i is not None and not baseline_error[i]),
                baseline_slope=float(base.slope[i]),
                plateau_level=float(plateau_level[i]),
                noise=float(noise[i]),
                log_linear_phase=(int(cyc[start_fix[i]]), int(cyc[stop[i]])) if amp else None,
                group=labels[i],
            )
        )
    return results
