"""Four- and three-parameter logistic fits of % inhibition against log10 concentration.

The model (GraphPad Prism's "log(inhibitor) vs. response", written for inhibition that rises
with concentration)::

    y = bottom + (top − bottom) / (1 + 10 ** ((log_ic50 − log10(c)) × hill))

4PL fits all four parameters; 3PL fixes the Hill slope at 1 (the common convention); bottom
and top may also be fixed (0 and 100 for % inhibition data). Replicates enter as individual
points. The fit is unweighted least squares with bounds (``scipy.optimize.least_squares``, the
engine behind ``curve_fit``), started from several points. The 95 % CI of the IC50 comes from
the profile likelihood (the F-based profile Prism calls "profile likelihood") and falls back to
the covariance of log IC50 with the t distribution; both are asymmetric in concentration units.
"""

from __future__ import annotations

import math
import warnings as py_warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from actives.assays.dose_response.tables import (
    RESPONSE_LABEL,
    DoseResponseData,
    SampleSeries,
)
from actives.errors import InvalidInputError

Model = Literal["auto", "4pl", "3pl"]
CiMethod = Literal["profile", "wald"]
MODELS: tuple[str, ...] = ("auto", "4pl", "3pl")
PARAMETERS: tuple[str, ...] = ("bottom", "top", "log_ic50", "hill")
HILL_BOUNDS = (0.05, 10.0)
LOG_IC50_MARGIN = 3.0  # decades beyond the tested range the fit may place the IC50
PLATEAU_FRACTION = 0.8  # the curve must reach 80 % of its span within the tested range
F_TEST_ALPHA = 0.05


def logistic(
    log_conc: np.ndarray | float, bottom: float, top: float, log_ic50: float, hill: float
) -> np.ndarray:
    """The 4PL curve at log10 concentrations."""
    x = np.asarray(log_conc, dtype=np.float64)
    with np.errstate(over="ignore"):
        return np.asarray(bottom + (top - bottom) / (1.0 + np.power(10.0, (log_ic50 - x) * hill)))


@dataclass(frozen=True)
class Flag:
    """A reason to read a result with care, in plain English."""

    code: str
    message: str


@dataclass(frozen=True)
class ModelComparison:
    """4PL against 3PL (Hill slope fixed at 1) on the same points."""

    chosen: str
    method: str
    f_statistic: float | None
    p_value: float | None
    aicc_4pl: float
    aicc_3pl: float


@dataclass(frozen=True)
class DoseResponseFit:
    """One sample's fitted curve, IC50 with its CI, goodness of fit and flags."""

    sample: str
    unit: str
    response_label: str
    model: str  # "4pl" | "3pl"
    model_note: str
    parameters: dict[str, float]  # bottom, top, log_ic50, hill
    std_errors: dict[str, float | None]  # None for a fixed parameter
    fixed: dict[str, float]
    free: tuple[str, ...]
    covariance: np.ndarray  # of the free parameters, in the order of ``free``
    ic50: float | None  # reportable IC50; None when extrapolated or inactive
    ic50_fitted: float  # the fitted (relative) IC50, even when outside the tested range
    ic50_ci: tuple[float | None, float | None]  # None = not bounded by the data
    ic50_qualifier: str  # "" or ">" / "<" (beyond the highest / lowest tested concentration)
    ci_method: str
    level: float
    ic50_absolute: float | None  # concentration giving 50 % inhibition on the curve
    ic50_absolute_ci: tuple[float | None, float | None]
    r2: float
    residual_sd: float
    sse: float
    df: int
    n_points: int
    n_concentrations: int
    aicc: float
    converged: bool
    comparison: ModelComparison | None
    tested_range: tuple[float, float]
    flags: tuple[Flag, ...]
    concentrations: np.ndarray
    responses: np.ndarray
    replicates: tuple[str, ...] = field(default_factory=tuple)

    @property
    def bottom(self) -> float:
        return self.parameters["bottom"]

    @property
    def top(self) -> float:
        return self.parameters["top"]

    @property
    def hill(self) -> float:
        return self.parameters["hill"]

    @property
    def log_ic50(self) -> float:
        return self.parameters["log_ic50"]

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.flags)

    def curve(self, concentration: np.ndarray | Sequence[float] | float) -> np.ndarray:
        """Fitted % inhibition at concentrations (in the sample's unit)."""
        return logistic(np.log10(np.asarray(concentration, dtype=np.float64)), **self.parameters)

    def band(
        self, concentration: np.ndarray | Sequence[float], level: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise confidence band of the curve (delta method on the parameter covariance,
        t distribution with the fit's degrees of freedom)."""
        x = np.log10(np.asarray(concentration, dtype=np.float64))
        centre = logistic(x, **self.parameters)
        if not self.free or self.df < 1 or not np.all(np.isfinite(self.covariance)):
            return centre.copy(), centre.copy()
        grad = _gradient(lambda p: logistic(x, **p), self.parameters, self.free)
        variance = np.einsum("ij,jk,ik->i", grad, self.covariance, grad)
        quantile = stats.t.ppf(0.5 + (level or self.level) / 2.0, self.df)
        half = quantile * np.sqrt(np.clip(variance, 0.0, None))
        return centre - half, centre + half

    def summary(self) -> pd.DataFrame:
        """Mean ± SD and n of the response at each tested concentration."""
        return _summary(self.concentrations, self.responses)

    @property
    def ic50_text(self) -> str:
        """The IC50 as a person would write it: ``12.3 µM (95 % CI 10.1–15.0)`` or
        ``> 1000 µM``."""
        unit = f" {self.unit}" if self.unit else ""
        low, high = self.tested_range
        if self.ic50_qualifier == ">":
            return f"> {_fmt(high)}{unit}"
        if self.ic50_qualifier == "<":
            return f"< {_fmt(low)}{unit}"
        ci_low, ci_high = self.ic50_ci
        ci = (
            f"{_fmt(ci_low) if ci_low else 'unbounded'}–{_fmt(ci_high) if ci_high else 'unbounded'}"
        )
        return f"{_fmt(self.ic50_fitted)}{unit} ({self.level * 100:.0f} % CI {ci})"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (no arrays of NumPy types)."""
        return {
            "sample": self.sample,
            "unit": self.unit,
            "response_label": self.response_label,
            "model": self.model,
            "model_note": self.model_note,
            "parameters": {k: _plain(v) for k, v in self.parameters.items()},
            "std_errors": {k: _plain(v) for k, v in self.std_errors.items()},
            "fixed": {k: _plain(v) for k, v in self.fixed.items()},
            "ic50": _plain(self.ic50),
            "ic50_fitted": _plain(self.ic50_fitted),
            "ic50_ci": [_plain(v) for v in self.ic50_ci],
            "ic50_qualifier": self.ic50_qualifier,
            "ic50_text": self.ic50_text,
            "ci_method": self.ci_method,
            "level": self.level,
            "ic50_absolute": _plain(self.ic50_absolute),
            "ic50_absolute_ci": [_plain(v) for v in self.ic50_absolute_ci],
            "hill": _plain(self.hill),
            "r2": _plain(self.r2),
            "residual_sd": _plain(self.residual_sd),
            "sse": _plain(self.sse),
            "df": self.df,
            "n_points": self.n_points,
            "n_concentrations": self.n_concentrations,
            "aicc": _plain(self.aicc),
            "converged": self.converged,
            "comparison": None
            if self.comparison is None
            else {
                "chosen": self.comparison.chosen,
                "method": self.comparison.method,
                "f_statistic": _plain(self.comparison.f_statistic),
                "p_value": _plain(self.comparison.p_value),
                "aicc_4pl": _plain(self.comparison.aicc_4pl),
                "aicc_3pl": _plain(self.comparison.aicc_3pl),
            },
            "tested_range": [_plain(v) for v in self.tested_range],
            "flags": [{"code": f.code, "message": f.message} for f in self.flags],
            "points": [
                {"concentration": _plain(c), "response": _plain(r), "replicate": rep}
                for c, r, rep in zip(
                    self.concentrations, self.responses, self.replicates, strict=False
                )
            ],
        }


@dataclass(frozen=True)
class FitOutcome:
    """One sample of a batch: its fit, or why there is none."""

    sample: str
    status: str  # "ok" | "error"
    message: str
    fit: DoseResponseFit | None


# ----------------------------------------------------------------------------------------------
# helpers


def _plain(value: Any) -> Any:
    if value is None:
        return None
    number = float(value)
    return None if not math.isfinite(number) else number


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if 1000 <= abs(value) < 1e6:
        return f"{value:.0f}"
    return f"{value:.3g}"


def _summary(concentrations: np.ndarray, responses: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"concentration": concentrations, "r": responses})
    grouped = frame.groupby("concentration")["r"]
    out = pd.DataFrame(
        {"mean": grouped.mean(), "sd": grouped.std(ddof=1), "n": grouped.count()}
    ).reset_index()
    return out.sort_values("concentration", ignore_index=True)


def _gradient(
    function: Callable[[dict[str, float]], np.ndarray],
    parameters: dict[str, float],
    free: Sequence[str],
) -> np.ndarray:
    """Central-difference Jacobian of ``function`` over the free parameters, (n_points, k)."""
    columns = []
    for name in free:
        step = 1e-6 * max(1.0, abs(parameters[name]))
        up = dict(parameters, **{name: parameters[name] + step})
        down = dict(parameters, **{name: parameters[name] - step})
        columns.append((np.atleast_1d(function(up)) - np.atleast_1d(function(down))) / (2 * step))
    return np.column_stack(columns)


@dataclass
class _RawFit:
    values: dict[str, float]
    free: tuple[str, ...]
    covariance: np.ndarray
    sse: float
    converged: bool


def _bounds(x: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, float]]:
    spread = max(float(np.ptp(y)), 1.0)
    return {
        "bottom": (float(y.min()) - 2 * spread, float(y.max()) + 2 * spread),
        "top": (float(y.min()) - 2 * spread, float(y.max()) + 2 * spread),
        "log_ic50": (float(x.min()) - LOG_IC50_MARGIN, float(x.max()) + LOG_IC50_MARGIN),
        "hill": HILL_BOUNDS,
    }


def _starts(x: np.ndarray, y: np.ndarray, fixed: dict[str, float]) -> list[dict[str, float]]:
    means = pd.Series(y).groupby(x).mean().sort_index()
    bottom0 = float(means.iloc[0])
    top0 = float(means.iloc[-1])
    if abs(top0 - bottom0) < 1e-9:
        top0 = bottom0 + 1.0
    bottom_used = fixed.get("bottom", bottom0)
    top_used = fixed.get("top", top0)
    mid = (bottom_used + top_used) / 2.0
    logs = np.asarray(means.index, dtype=np.float64)
    crossing = float(np.median(logs))
    above = (means.to_numpy() - mid) * np.sign(top_used - bottom_used) >= 0
    if above.any() and not above.all():
        k = int(np.argmax(above))
        if k > 0:
            y0, y1 = means.iloc[k - 1], means.iloc[k]
            frac = (mid - y0) / (y1 - y0) if y1 != y0 else 0.5
            crossing = float(logs[k - 1] + frac * (logs[k] - logs[k - 1]))
    centres = [crossing, float(logs.min()), float(logs.max()), float(logs.max()) + 1.0]
    hills = [1.0] if "hill" in fixed else [1.0, 0.5, 2.5]
    return [
        {"bottom": bottom0, "top": top0, "log_ic50": c, "hill": h} for c in centres for h in hills
    ]


def _least_squares(
    x: np.ndarray, y: np.ndarray, fixed: dict[str, float], starts: list[dict[str, float]]
) -> _RawFit:
    free = tuple(p for p in PARAMETERS if p not in fixed)
    bounds = _bounds(x, y)
    if not free:
        values = dict(fixed)
        sse = float(np.sum((y - logistic(x, **values)) ** 2))
        return _RawFit(values, free, np.zeros((0, 0)), sse, True)
    lower = np.array([bounds[p][0] for p in free])
    upper = np.array([bounds[p][1] for p in free])

    def residuals(theta: np.ndarray) -> np.ndarray:
        values = dict(fixed, **dict(zip(free, theta.tolist(), strict=True)))
        return np.asarray(logistic(x, **values) - y, dtype=np.float64)

    best: optimize.OptimizeResult | None = None
    for start in starts:
        theta0 = np.clip(np.array([start[p] for p in free]), lower + 1e-9, upper - 1e-9)
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore")
            result = optimize.least_squares(
                residuals, theta0, bounds=(lower, upper), method="trf", max_nfev=2000,
                x_scale="jac",
            )  # fmt: skip
        if not np.all(np.isfinite(result.fun)):
            continue
        if best is None or result.cost < best.cost - 1e-12:
            best = result
    if best is None:
        raise InvalidInputError("The logistic fit failed at every starting point.")
    values = dict(fixed, **dict(zip(free, best.x.tolist(), strict=True)))
    sse = float(2.0 * best.cost)
    df = x.size - len(free)
    jac = np.asarray(best.jac, dtype=np.float64)
    if df > 0:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore")
            covariance = np.linalg.pinv(jac.T @ jac) * (sse / df)
        if np.linalg.matrix_rank(jac) < len(free):
            covariance = np.full((len(free), len(free)), np.inf)
    else:
        covariance = np.full((len(free), len(free)), np.inf)
    return _RawFit(values, free, covariance, sse, bool(best.status > 0))


def _aicc(sse: float, n: int, k_free: int) -> float:
    k = k_free + 1  # the residual variance is estimated too
    if n - k - 1 <= 0 or sse <= 0:
        return float("nan")
    return n * math.log(sse / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def _profile_ci(
    x: np.ndarray, y: np.ndarray, raw: _RawFit, fixed: dict[str, float], level: float
) -> tuple[float | None, float | None] | None:
    """Bounds of log IC50 where the profiled SSE stays under SSE_min × (1 + F/df); None bound
    = not reached within the allowed range (the data do not bound the IC50 on that side)."""
    df = x.size - len(raw.free)
    if df < 1 or raw.sse <= 0:
        return None
    critical = raw.sse * (1.0 + float(stats.f.ppf(level, 1, df)) / df)
    theta0 = raw.values["log_ic50"]
    limits = _bounds(x, y)["log_ic50"]
    start = dict(raw.values)

    def profile(theta: float) -> float:
        inner = dict(fixed, log_ic50=theta)
        return _least_squares(x, y, inner, [start]).sse - critical

    se = _std_errors(raw).get("log_ic50")
    first_step = min(max(se if se and math.isfinite(se) else 0.1, 0.02), 1.0)
    found: list[float | None] = []
    for direction in (-1.0, 1.0):
        step, previous, bound = first_step, theta0, None
        limit = limits[0] if direction < 0 else limits[1]
        while True:
            theta = theta0 + direction * step
            if (theta - limit) * direction >= 0:
                if profile(limit) > 0:
                    bound = optimize.brentq(profile, *sorted((previous, limit)), xtol=1e-6)
                break
            if profile(theta) > 0:
                bound = optimize.brentq(profile, *sorted((previous, theta)), xtol=1e-6)
                break
            previous, step = theta, step * 2.0
        found.append(bound)
    return found[0], found[1]


def _std_errors(raw: _RawFit) -> dict[str, float | None]:
    errors: dict[str, float | None] = {p: None for p in PARAMETERS}
    diagonal = np.diag(raw.covariance) if raw.covariance.size else np.array([])
    for name, variance in zip(raw.free, diagonal, strict=True):
        errors[name] = float(math.sqrt(variance)) if math.isfinite(variance) else float("inf")
    return errors


def _absolute_log_ic50(values: dict[str, float]) -> float | None:
    span = values["top"] - values["bottom"]
    if span == 0:
        return None
    fraction = (50.0 - values["bottom"]) / span
    if not 0.0 < fraction < 1.0:
        return None
    return values["log_ic50"] + math.log10(fraction / (1.0 - fraction)) / values["hill"]


# ----------------------------------------------------------------------------------------------
# fitting


def fit_curve(
    concentrations: Sequence[float] | np.ndarray,
    responses: Sequence[float] | np.ndarray,
    *,
    sample: str = "sample",
    unit: str = "",
    replicates: Sequence[str] | None = None,
    model: Model = "auto",
    fix_bottom: float | None = None,
    fix_top: float | None = None,
    fix_hill: float | None = None,
    ci: CiMethod = "profile",
    level: float = 0.95,
    r2_min: float = 0.8,
    ci_fold_max: float = 10.0,
    inactive_below: float = 10.0,
    response_label: str = RESPONSE_LABEL,
) -> DoseResponseFit:
    """Fit one sample's points (concentration > 0, % inhibition).

    ``model="auto"`` fits 3PL (Hill = 1) and 4PL and keeps 4PL only when the extra-sum-of-
    squares F test says the free Hill slope fits better (p < 0.05); AICc of both is reported.
    4PL needs at least 4 distinct concentrations. ``inactive_below``: a sample whose mean
    response never reaches this (percentage points) is called inactive.
    """
    conc = np.asarray(concentrations, dtype=np.float64)
    resp = np.asarray(responses, dtype=np.float64)
    if conc.shape != resp.shape or conc.ndim != 1:
        raise InvalidInputError(
            f"{sample}: got {conc.size} concentrations and {resp.size} responses; expected one "
            "response per concentration."
        )
    if model not in MODELS:
        raise InvalidInputError(f"Unknown model {model!r}; expected one of {', '.join(MODELS)}.")
    if ci not in ("profile", "wald"):
        raise InvalidInputError(f"Unknown CI method {ci!r}; expected 'profile' or 'wald'.")
    if not 0.5 <= level < 1.0:
        raise InvalidInputError(f"Confidence level {level} is outside 0.5–0.999.")
    keep = np.isfinite(conc) & np.isfinite(resp)
    if not np.all(conc[keep] > 0):
        bad = ", ".join(f"{c:g}" for c in conc[keep][conc[keep] <= 0][:5])
        raise InvalidInputError(
            f"{sample}: concentrations {bad} are zero or negative; a fit on log concentration "
            "needs concentrations > 0 (put zero-dose wells with the negative controls)."
        )
    conc, resp = conc[keep], resp[keep]
    reps = tuple(replicates) if replicates is not None else tuple("" for _ in conc)
    if replicates is not None:
        reps = tuple(r for r, k in zip(replicates, keep, strict=True) if k)
    x = np.log10(conc)
    distinct = int(np.unique(conc).size)
    flags: list[Flag] = []
    fixed: dict[str, float] = {}
    if fix_bottom is not None:
        fixed["bottom"] = float(fix_bottom)
    if fix_top is not None:
        fixed["top"] = float(fix_top)
    if fix_hill is not None:
        fixed["hill"] = float(fix_hill)
    if distinct < 3:
        raise InvalidInputError(
            f"{sample}: {distinct} distinct concentration(s); a logistic fit needs at least 3 "
            "(4 for 4PL)."
        )
    chosen = model
    if distinct < 4 and "hill" not in fixed:
        if model == "4pl":
            raise InvalidInputError(
                f"{sample}: {distinct} distinct concentrations; 4PL needs at least 4 (use "
                "model='3pl' or test more concentrations)."
            )
        chosen = "3pl"
        flags.append(
            Flag(
                "too_few_concentrations",
                f"Only {distinct} distinct concentrations: 4PL needs at least 4, so the Hill "
                "slope was fixed at 1 (3PL).",
            )
        )
    fixed_3pl = dict(fixed, hill=fixed.get("hill", 1.0))
    comparison: ModelComparison | None = None
    if chosen == "auto" and "hill" in fixed:
        chosen = "4pl"
    if chosen == "auto":
        fit3 = _least_squares(x, resp, fixed_3pl, _starts(x, resp, fixed_3pl))
        fit4 = _least_squares(x, resp, fixed, _starts(x, resp, fixed))
        df3, df4 = x.size - len(fit3.free), x.size - len(fit4.free)
        if df4 < 1:
            chosen, note = "3pl", "3PL: too few points to estimate a free Hill slope"
            comparison = None
        else:
            if fit4.sse > 0:
                f_stat = max((fit3.sse - fit4.sse) / (df3 - df4), 0.0) / (fit4.sse / df4)
                p_value = float(stats.f.sf(f_stat, df3 - df4, df4))
            else:
                f_stat, p_value = float("inf"), 0.0
            chosen = "4pl" if p_value < F_TEST_ALPHA else "3pl"
            comparison = ModelComparison(
                chosen, "extra-sum-of-squares F test", f_stat, p_value,
                _aicc(fit4.sse, x.size, len(fit4.free)), _aicc(fit3.sse, x.size, len(fit3.free)),
            )  # fmt: skip
            note = (
                f"{chosen.upper()} chosen by the extra-sum-of-squares F test of a free Hill "
                f"slope against Hill = 1 (F = {f_stat:.3g}, p = {p_value:.3g}; AICc 4PL "
                f"{comparison.aicc_4pl:.1f}, 3PL {comparison.aicc_3pl:.1f})"
            )
        raw = fit4 if chosen == "4pl" else fit3
        used_fixed = fixed if chosen == "4pl" else fixed_3pl
    else:
        used_fixed = fixed_3pl if chosen == "3pl" else fixed
        raw = _least_squares(x, resp, used_fixed, _starts(x, resp, used_fixed))
        note = (
            "3PL: Hill slope fixed at 1" if chosen == "3pl" and "hill" not in fixed
            else f"{chosen.upper()} as requested"
        )  # fmt: skip
    fixed_text = ", ".join(f"{k} = {v:g}" for k, v in used_fixed.items() if k != "hill" or
                           v != 1.0 or chosen != "3pl")  # fmt: skip
    if fixed_text:
        note += f"; fixed: {fixed_text}"
    df = x.size - len(raw.free)
    if df < 1:
        raise InvalidInputError(
            f"{sample}: {x.size} points for {len(raw.free)} free parameters; expected more "
            "points than parameters (add replicates or concentrations)."
        )
    return _result(
        sample, unit, response_label, chosen, note, raw, used_fixed, x, resp, conc, reps, df,
        distinct, comparison, flags, ci, level, r2_min, ci_fold_max, inactive_below,
    )  # fmt: skip


def _result(
    sample: str,
    unit: str,
    response_label: str,
    model: str,
    note: str,
    raw: _RawFit,
    fixed: dict[str, float],
    x: np.ndarray,
    y: np.ndarray,
    conc: np.ndarray,
    reps: tuple[str, ...],
    df: int,
    distinct: int,
    comparison: ModelComparison | None,
    flags: list[Flag],
    ci: str,
    level: float,
    r2_min: float,
    ci_fold_max: float,
    inactive_below: float,
) -> DoseResponseFit:
    values = raw.values
    errors = _std_errors(raw)
    sst = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - raw.sse / sst if sst > 0 else float("nan")
    residual_sd = math.sqrt(raw.sse / df)
    low_c, high_c = float(conc.min()), float(conc.max())
    log_ic50 = values["log_ic50"]
    quantile = float(stats.t.ppf(0.5 + level / 2.0, df))

    # confidence interval of log IC50
    bounds: tuple[float | None, float | None] | None = None
    method = ""
    if ci == "profile":
        try:
            bounds = _profile_ci(x, y, raw, fixed, level)
            method = "profile likelihood (F-based, as in Prism)"
        except (ValueError, InvalidInputError, RuntimeError):
            bounds = None
    se_log = errors["log_ic50"]
    if bounds is None:
        method = "Wald: log IC50 ± t × SE (from the parameter covariance)"
        if se_log is not None and math.isfinite(se_log):
            bounds = (log_ic50 - quantile * se_log, log_ic50 + quantile * se_log)
        else:
            bounds = (None, None)
    ic50_ci = (
        10.0 ** bounds[0] if bounds[0] is not None else None,
        10.0 ** bounds[1] if bounds[1] is not None else None,
    )

    # absolute IC50 (50 % inhibition on the curve), delta-method CI
    absolute: float | None = None
    absolute_ci: tuple[float | None, float | None] = (None, None)
    log_abs = _absolute_log_ic50(values) if response_label == RESPONSE_LABEL else None
    if log_abs is not None:
        absolute = 10.0**log_abs
        if raw.free and np.all(np.isfinite(raw.covariance)):

            def log_abs_of(p: dict[str, float]) -> np.ndarray:
                value = _absolute_log_ic50(p)
                return np.array([np.nan if value is None else value])

            grad = _gradient(log_abs_of, values, raw.free)
            variance = float((grad @ raw.covariance @ grad.T)[0, 0])
            if math.isfinite(variance):
                half = quantile * math.sqrt(max(variance, 0.0))
                absolute_ci = (10.0 ** (log_abs - half), 10.0 ** (log_abs + half))

    # flags
    means = _summary(conc, y)
    mean_values = means["mean"].to_numpy()
    span = values["top"] - values["bottom"]
    sse_flat = sst
    p_trend: float | None = None
    k_free = len(raw.free)
    if k_free >= 2 and raw.sse > 0 and sse_flat > raw.sse:
        f_trend = ((sse_flat - raw.sse) / (k_free - 1)) / (raw.sse / df)
        p_trend = float(stats.f.sf(f_trend, k_free - 1, df))
    elif k_free >= 2 and sse_flat <= raw.sse:
        p_trend = 1.0
    max_mean = float(mean_values.max())
    max_at = float(means["concentration"].iloc[int(np.argmax(mean_values))])
    # inactive: never reaches ``inactive_below``, or no significant trend and never half-way
    no_trend = p_trend is not None and p_trend >= F_TEST_ALPHA
    inactive = max_mean < inactive_below or (no_trend and max_mean < 50.0)
    unit_text = f" {unit}" if unit else ""
    activation = span < -inactive_below and float(mean_values[-1]) < -inactive_below
    if activation:
        flags.append(
            Flag(
                "activation",
                f"The response falls as concentration rises (down to {mean_values.min():.0f} % "
                "inhibition): activation or enhancement, not inhibition.",
            )
        )
        inactive = True
    if inactive:
        trend = f"; trend F test p = {p_trend:.2g}" if p_trend is not None else ""
        flags.append(
            Flag(
                "inactive",
                f"No concentration-dependent inhibition (highest mean {round(max_mean) + 0:d} % at "
                f"{_fmt(max_at)}{unit_text}{trend}): inactive up to {_fmt(high_c)}{unit_text}.",
            )
        )
    low_index = int(np.argmin(mean_values))
    if (
        not activation
        and mean_values[low_index] < -15.0
        and max_mean - mean_values[low_index] > 30.0
        and means["concentration"].iloc[low_index] < max_at
    ):
        flags.append(
            Flag(
                "hormesis",
                f"Low-dose stimulation ({mean_values[low_index]:.0f} % inhibition at "
                f"{_fmt(float(means['concentration'].iloc[low_index]))}{unit_text}) before "
                "inhibition at higher doses: hormesis, which the logistic model does not "
                "describe.",
            )
        )
    hill = values["hill"]
    reached_top = 1.0 / (1.0 + 10.0 ** ((log_ic50 - math.log10(high_c)) * hill))
    reached_bottom = 1.0 / (1.0 + 10.0 ** ((log_ic50 - math.log10(low_c)) * hill))
    if not inactive and "top" not in fixed and reached_top < PLATEAU_FRACTION:
        flags.append(
            Flag(
                "no_upper_plateau",
                f"The curve reaches only {reached_top * 100:.0f} % of its span at the highest "
                f"concentration: the top plateau ({values['top']:.0f} %) is extrapolated, not "
                "defined by the data.",
            )
        )
    if not inactive and "bottom" not in fixed and reached_bottom > 1.0 - PLATEAU_FRACTION:
        flags.append(
            Flag(
                "no_lower_plateau",
                f"At the lowest concentration the curve is already "
                f"{reached_bottom * 100:.0f} % of the way up: the bottom plateau "
                f"({values['bottom']:.0f} %) is extrapolated, not defined by the data.",
            )
        )
    qualifier = ""
    ic50_fitted = 10.0**log_ic50
    if inactive or ic50_fitted > high_c:
        qualifier = ">"
        if not inactive:
            flags.append(
                Flag(
                    "ic50_above_range",
                    f"The fitted IC50 ({_fmt(ic50_fitted)}{unit_text}) is above the highest "
                    f"concentration tested: reported as > {_fmt(high_c)}{unit_text}.",
                )
            )
    elif ic50_fitted < low_c:
        qualifier = "<"
        flags.append(
            Flag(
                "ic50_below_range",
                f"The fitted IC50 ({_fmt(ic50_fitted)}{unit_text}) is below the lowest "
                f"concentration tested: reported as < {_fmt(low_c)}{unit_text}.",
            )
        )
    if not raw.converged:
        flags.append(
            Flag("not_converged", "The fit did not converge; the parameters are unreliable.")
        )
    if not inactive and math.isfinite(r2) and r2 < r2_min:
        flags.append(
            Flag(
                "poor_fit", f"R² = {r2:.2f}, below {r2_min:g}: the curve describes the data poorly."
            )  # fmt: skip
        )
    if not inactive:
        if ic50_ci[0] is None or ic50_ci[1] is None:
            flags.append(
                Flag(
                    "wide_ci",
                    f"The {level * 100:.0f} % CI of the IC50 is not bounded by the data on one "
                    "side.",
                )
            )
        elif ic50_ci[1] / ic50_ci[0] > ci_fold_max:
            flags.append(
                Flag(
                    "wide_ci",
                    f"The {level * 100:.0f} % CI of the IC50 spans "
                    f"{ic50_ci[1] / ic50_ci[0]:.0f}-fold "
                    f"(more than {ci_fold_max:g}-fold): the IC50 is poorly determined.",
                )
            )
    if response_label == RESPONSE_LABEL and not inactive:
        if values["top"] > 130.0 and "top" not in fixed:
            flags.append(
                Flag(
                    "implausible_plateau",
                    f"Top plateau {values['top']:.0f} % is well above "
                    "full inhibition; check the controls or fix top = 100.",
                )  # fmt: skip
            )
        if values["bottom"] < -30.0 and "bottom" not in fixed:
            flags.append(
                Flag(
                    "implausible_plateau",
                    f"Bottom plateau {values['bottom']:.0f} % is well "
                    "below 0; check the controls or fix bottom = 0.",
                )  # fmt: skip
            )
    return DoseResponseFit(
        sample=sample,
        unit=unit,
        response_label=response_label,
        model=model,
        model_note=note,
        parameters=dict(values),
        std_errors=errors,
        fixed=dict(fixed),
        free=raw.free,
        covariance=raw.covariance,
        ic50=None if qualifier else ic50_fitted,
        ic50_fitted=ic50_fitted,
        ic50_ci=ic50_ci,
        ic50_qualifier=qualifier,
        ci_method=method,
        level=level,
        ic50_absolute=absolute,
        ic50_absolute_ci=absolute_ci,
        r2=r2,
        residual_sd=residual_sd,
        sse=raw.sse,
        df=df,
        n_points=int(x.size),
        n_concentrations=distinct,
        aicc=_aicc(raw.sse, int(x.size), len(raw.free)),
        converged=raw.converged,
        comparison=comparison,
        tested_range=(low_c, high_c),
        flags=tuple(flags),
        concentrations=conc,
        responses=y,
        replicates=reps,
    )


def fit_dose_response(
    sample: SampleSeries,
    *,
    model: Model = "auto",
    fix_bottom: float | None = None,
    fix_top: float | None = None,
    fix_hill: float | None = None,
    ci: CiMethod = "profile",
    level: float = 0.95,
    r2_min: float = 0.8,
    ci_fold_max: float = 10.0,
    inactive_below: float = 10.0,
    response_label: str = RESPONSE_LABEL,
) -> DoseResponseFit:
    """Fit one sample of :class:`DoseResponseData` (raises InvalidInputError when it cannot)."""
    return fit_curve(
        sample.concentrations(), sample.responses(), sample=sample.name, unit=sample.unit,
        replicates=[p.replicate for p in sample.points], model=model, fix_bottom=fix_bottom,
        fix_top=fix_top, fix_hill=fix_hill, ci=ci, level=level, r2_min=r2_min,
        ci_fold_max=ci_fold_max, inactive_below=inactive_below, response_label=response_label,
    )  # fmt: skip


def fit_all(data: DoseResponseData, **options: Any) -> list[FitOutcome]:
    """Fit every sample; one that cannot be fitted gets status "error" and a message, and the
    others go on. ``options`` are those of :func:`fit_dose_response`."""
    outcomes: list[FitOutcome] = []
    for series in data.samples:
        try:
            fit = fit_dose_response(series, response_label=data.response_label, **options)
        except InvalidInputError as exc:
            outcomes.append(FitOutcome(series.name, "error", exc.message, None))
            continue
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:  # keep the batch going
            message = f"The fit failed ({type(exc).__name__}: {exc}); expected a fittable series."
            outcomes.append(FitOutcome(series.name, "error", message, None))
            continue
        outcomes.append(FitOutcome(series.name, "ok", "", fit))
    return outcomes


def fits_table(outcomes: Sequence[FitOutcome]) -> pd.DataFrame:
    """One row per sample for CSV/XLSX export and tables."""
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        row: dict[str, Any] = {"sample": outcome.sample, "status": outcome.status,
                               "message": outcome.message}  # fmt: skip
        fit = outcome.fit
        if fit is not None:
            row.update(
                {
                    "ic50": fit.ic50,
                    "ic50_qualifier": fit.ic50_qualifier,
                    "ic50_text": fit.ic50_text,
                    "ic50_ci_low": fit.ic50_ci[0],
                    "ic50_ci_high": fit.ic50_ci[1],
                    "ic50_fitted": fit.ic50_fitted,
                    "unit": fit.unit,
                    "ic50_absolute": fit.ic50_absolute,
                    "ic50_absolute_ci_low": fit.ic50_absolute_ci[0],
                    "ic50_absolute_ci_high": fit.ic50_absolute_ci[1],
                    "model": fit.model,
                    "hill": fit.hill,
                    "hill_se": fit.std_errors["hill"],
                    "bottom": fit.bottom,
                    "top": fit.top,
                    "log_ic50_se": fit.std_errors["log_ic50"],
                    "r2": fit.r2,
                    "residual_sd": fit.residual_sd,
                    "aicc": fit.aicc,
                    "n_points": fit.n_points,
                    "n_concentrations": fit.n_concentrations,
                    "ci_method": fit.ci_method,
                    "flags": ";".join(fit.flag_codes),
                    "flag_messages": " ".join(f.message for f in fit.flags),
                    "model_note": fit.model_note,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)
