"""One qPCR plate, analysed: curves per target, curve quality, standard curves and well calls.

:func:`analyse_plate` is what the CLI, the API and the web pages call. As LinRegPCR, each target
gets its own window of linearity and mean efficiency, and the targets share one common threshold
(the geometric mean of the targets' thresholds); a target with a threshold of the user's is
analysed on its own. It scores every curve with the curve-quality classifier, fits a standard
curve for each target with standards of known quantity, quantifies the unknowns, and calls every
well with its reasons. The answer is JSON-ready (:meth:`PlateAnalysis.as_dict`) and a per-well
table (:meth:`PlateAnalysis.to_frame`).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from actives.assays.qpcr.calls import (
    CallSettings,
    WellCall,
    WellEvidence,
    call_wells,
    summarise_calls,
)
from actives.assays.qpcr.curves import CurveResult, CurveSettings, analyse_curves
from actives.assays.qpcr.plate import Plate, Reaction
from actives.assays.qpcr.relative import RelativeResult, relative_quantities
from actives.assays.qpcr.standards import StandardCurve, quantify, standard_curve
from actives.errors import ActivesError, InvalidInputError

if TYPE_CHECKING:
    from actives.assays.qpcr.quality import CurveQualityModel

CQ_METHODS = ("threshold", "sdm", "linregpcr")
# Reactions LinRegPCR keeps out of the threshold and the mean efficiencies: controls without
# template or amplification, optical calibrators, and wells the file excludes.
NOT_IN_MEANS = frozenset({"ntc", "nac", "ntp", "nrt", "opt"})
EFFICIENCY_SOURCES = ("auto", "ideal")


@dataclass(frozen=True)
class QpcrSettings:
    """Everything a user can set for one analysis; stored with the result."""

    calls: CallSettings = field(default_factory=CallSettings)
    cq_method: str = "threshold"
    thresholds: dict[str, float] = field(default_factory=dict)
    baseline_cycles: tuple[int, int] | None = None
    use_quality_model: bool = True
    reference_genes: tuple[str, ...] = ()
    calibrator: str = ""
    efficiency: str = "auto"  # auto: standard curve, else the target's mean well efficiency

    def __post_init__(self) -> None:
        if self.efficiency not in EFFICIENCY_SOURCES:
            raise InvalidInputError(
                f"Efficiency source {self.efficiency!r} is not known; expected 'auto' (standard "
                "curve, else the mean efficiency of the target's wells) or 'ideal' (2.0, ddCq)."
            )
        if self.reference_genes and not self.calibrator:
            raise InvalidInputError(
                "Reference genes were given without a calibrator sample; expected both for "
                "relative quantification (or neither)."
            )
        if self.cq_method not in CQ_METHODS:
            raise InvalidInputError(
                f"Cq method {self.cq_method!r} is not known; expected one of "
                f"{', '.join(CQ_METHODS)}."
            )
        for target, value in self.thresholds.items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InvalidInputError(
                    f"Threshold of {target!r} is {value!r}; expected a positive number in "
                    "baseline-corrected fluorescence units."
                )

    def curve_settings(self, target: str) -> CurveSettings:
        """The curve-analysis settings of one target (its own threshold, if the user set one)."""
        return CurveSettings(
            baseline_cycles=self.baseline_cycles, threshold=self.thresholds.get(target)
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready settings."""
        return {
            "calls": self.calls.as_dict(),
            "cq_method": self.cq_method,
            "thresholds": dict(self.thresholds),
            "baseline_cycles": list(self.baseline_cycles) if self.baseline_cycles else None,
            "use_quality_model": self.use_quality_model,
            "reference_genes": list(self.reference_genes),
            "calibrator": self.calibrator,
            "efficiency": self.efficiency,
        }

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> QpcrSettings:
        """Settings from stored JSON, a form or an API body."""
        values = dict(values or {})
        known = {
            "calls",
            "cq_method",
            "thresholds",
            "baseline_cycles",
            "use_quality_model",
            "reference_genes",
            "calibrator",
            "efficiency",
        }
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                f"Unknown qPCR setting(s) {', '.join(unknown)}; expected some of "
                f"{', '.join(sorted(known))}."
            )
        baseline = values.get("baseline_cycles")
        if baseline is not None:
            if len(baseline) != 2 or not all(isinstance(b, int) for b in baseline):
                raise InvalidInputError(
                    f"Baseline cycles {baseline!r}; expected two whole cycle numbers [first, last]."
                )
            if not 1 <= baseline[0] < baseline[1]:
                raise InvalidInputError(
                    f"Baseline cycles {baseline[0]}–{baseline[1]}; expected 1 ≤ first < last."
                )
        return cls(
            calls=CallSettings.from_mapping(values.get("calls")),
            cq_method=str(values.get("cq_method", "threshold")),
            thresholds={str(k): v for k, v in (values.get("thresholds") or {}).items()},
            baseline_cycles=tuple(baseline) if baseline else None,
            use_quality_model=bool(values.get("use_quality_model", True)),
            reference_genes=tuple(str(g) for g in values.get("reference_genes") or ()),
            calibrator=str(values.get("calibrator") or ""),
            efficiency=str(values.get("efficiency", "auto")),
        )


@dataclass
class WellResult:
    """One reaction: what the file said, what the curve showed, and the call."""

    reaction: Reaction
    curve: CurveResult
    quality: float | None
    call: WellCall
    quantity: float | None = None
    call_cq: float | None = None  # the Cq of the method chosen in the settings
    quantity_ci: tuple[float, float] | None = None
    quantity_notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready row (no fluorescence: the curves stay in the file)."""
        r, c = self.reaction, self.curve
        return {
            "well": r.well,
            "sample": r.sample,
            "sample_type": r.sample_type,
            "target": r.target,
            "dye": r.dye,
            "quantity_known": r.quantity,
            "instrument_cq": _num(r.instrument_cq),
            "excluded": r.excluded,
            "cq": _num(self.call_cq),
            "cq_threshold": _num(c.cq_threshold),
            "cq_sdm": _num(c.cq_sdm),
            "cq_linregpcr": _num(c.cq_linreg),
            "n0": _num(c.n0),
            "threshold": _num(c.threshold),
            "baseline": _num(c.baseline),
            "amplitude": _num(c.amplitude),
            "amplified": bool(c.amplified),
            "plateau": bool(c.plateau),
            "efficiency": _num(c.efficiency),
            "efficiency_r2": _num(c.efficiency_r2),
            "curve_notes": list(c.notes),
            "quality": _num(self.quality),
            "quantity": _num(self.quantity),
            "quantity_ci": [_num(v) for v in self.quantity_ci] if self.quantity_ci else None,
            "quantity_notes": list(self.quantity_notes),
            "call": self.call.call,
            "reason": self.call.reason,
            "reasons": list(self.call.reasons),
            "warnings": list(self.call.warnings),
            "reason_codes": list(self.call.reason_codes),
            "warning_codes": list(self.call.warning_codes),
        }


def _num(value: float | None) -> float | None:
    """A finite float for JSON, or None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass
class PlateAnalysis:
    """The whole plate's answer."""

    plate: Plate
    settings: QpcrSettings
    wells: list[WellResult]
    thresholds: dict[str, float]
    standard_curves: dict[str, StandardCurve]
    quality_model: dict[str, Any] | None
    warnings: list[str]
    seconds: float
    relative: list[RelativeResult] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """How many wells got each call."""
        return summarise_calls([w.call for w in self.wells])

    def to_frame(self) -> pd.DataFrame:
        """One row per reaction, for CSV/XLSX export."""
        return wells_frame([w.as_dict() for w in self.wells])

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready analysis (stored with a run, returned by the API)."""
        p = self.plate
        return {
            "plate": {
                "name": p.name,
                "rows": p.rows,
                "columns": p.columns,
                "cycles": len(p.cycles),
                "source_format": p.source_format,
                "instrument": p.instrument,
                "targets": sorted({r.target for r in p.reactions}),
                "metadata": dict(p.metadata),
                "warnings": list(p.warnings),
            },
            "settings": self.settings.as_dict(),
            "summary": self.summary,
            "thresholds": {t: _num(v) for t, v in self.thresholds.items()},
            "standard_curves": {t: standard_curve_dict(c) for t, c in self.standard_curves.items()},
            "quality_model": self.quality_model,
            "relative": [_relative_dict(r) for r in self.relative],
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 3),
            "wells": [w.as_dict() for w in self.wells],
        }


def standard_curve_dict(curve: StandardCurve) -> dict[str, Any]:
    """A standard curve as JSON: slope, efficiency, R², linear range and each level."""
    low, high = curve.linear_range
    return {
        "slope": _num(curve.slope),
        "intercept": _num(curve.intercept),
        "efficiency_percent": _num(curve.efficiency),
        "amplification_factor": _num(curve.amplification_factor),
        "r2": _num(curve.r2),
        "n_points": curve.n_points,
        "residual_sd": _num(curve.residual_sd),
        "linear_range": [_num(low), _num(high)],
        "linear_range_text": f"{low:g}–{high:g}",
        "levels": [
            {
                "quantity": _num(level.quantity),
                "n": level.n,
                "n_outliers": level.n_outliers,
                "mean_cq": _num(level.mean_cq),
                "sd_cq": _num(level.sd_cq),
                "in_range": level.in_range,
            }
            for level in curve.levels
        ],
        "notes": list(curve.notes),
    }


def wells_frame(wells: list[dict[str, Any]]) -> pd.DataFrame:
    """Well rows (``WellResult.as_dict``, also as stored) as a table; lists joined with '; '."""
    rows = []
    for well in wells:
        row = dict(well)
        for key in ("curve_notes", "reasons", "warnings"):
            row[key] = "; ".join(row.get(key) or [])
        for key in ("reason_codes", "warning_codes"):
            row.pop(key, None)
        rows.append(row)
    return pd.DataFrame(rows)


def _quality_scores(
    plate: Plate,
    matrix: np.ndarray,
    use_model: bool,
    warnings: list[str],
    model: CurveQualityModel | None,
) -> tuple[np.ndarray | None, dict[str, Any] | None]:
    """The curve-quality classifier's P(amplification curve) per reaction, if it can be had."""
    if not use_model:
        return None, None
    from actives.assays.qpcr.quality import load_curve_quality_model

    try:
        model = model or load_curve_quality_model()
        return model.predict_proba(plate.cycles, matrix), model.describe()
    except ActivesError as exc:
        warnings.append(f"The curve-quality classifier was not used: {exc.message}")
        return None, None


def _outside_means(reaction: Reaction) -> bool:
    """Whether a reaction is read at its target's threshold but takes no part in setting it."""
    return reaction.sample_type in NOT_IN_MEANS or bool(reaction.excluded)


def analyse_plate(
    plate: Plate,
    settings: QpcrSettings | None = None,
    quality_model: CurveQualityModel | None = None,
) -> PlateAnalysis:
    """Analyse every reaction of a plate and call every well (see the module docstring).

    ``quality_model`` replaces the shipped curve-quality classifier (benchmarks use one trained
    without the plate's data set)."""
    started = time.perf_counter()
    settings = settings or QpcrSettings()
    if not plate.reactions:
        raise InvalidInputError(f"Plate {plate.name!r} has no reactions to analyse.")
    warnings: list[str] = []
    matrix = plate.fluorescence_matrix()
    by_target: dict[str, list[int]] = defaultdict(list)
    for i, reaction in enumerate(plate.reactions):
        by_target[reaction.target].append(i)
    unknown = sorted(set(settings.thresholds) - set(by_target))
    if unknown:
        warnings.append(
            f"Thresholds were given for target(s) not on this plate: {', '.join(unknown)}."
        )
    curves: list[CurveResult | None] = [None] * len(plate.reactions)
    thresholds: dict[str, float] = {}
    # As LinRegPCR: one common threshold for the targets without a threshold of the user's
    # (each target keeps its own window of linearity and mean efficiency), and a target with
    # the user's threshold on its own. Controls, optical calibrators and excluded wells take no
    # part in the threshold or the means; they are read at the threshold the samples set.
    common = [t for t in by_target if t not in settings.thresholds]
    batches = ([common] if common else []) + [[t] for t in by_target if t in settings.thresholds]
    for batch in batches:
        members = [i for t in batch for i in by_target[t]]
        outside = [_outside_means(plate.reactions[i]) for i in members]
        samples = [i for i, out in zip(members, outside, strict=True) if not out]
        controls = [i for i, out in zip(members, outside, strict=True) if out]
        if not samples:
            samples, controls = members, []
        chosen = settings.curve_settings(batch[0] if len(batch) == 1 else "")
        groups = [plate.reactions[i].target for i in samples]
        results = analyse_curves(plate.cycles, matrix[samples], chosen, groups=groups)
        threshold = float(results[0].threshold)
        thresholds.update(dict.fromkeys(batch, threshold))
        if controls:
            at_threshold = replace(chosen, threshold=threshold)
            control_groups = [plate.reactions[i].target for i in controls]
            results += analyse_curves(
                plate.cycles, matrix[controls], at_threshold, groups=control_groups
            )
        for i, result in zip(samples + controls, results, strict=True):
            curves[i] = result
    analysed = [c for c in curves if c is not None]
    quality, model_info = _quality_scores(
        plate, matrix, settings.use_quality_model, warnings, quality_model
    )

    def chosen_cq(curve: CurveResult) -> float | None:
        if settings.cq_method == "sdm":
            return curve.cq_sdm
        if settings.cq_method == "linregpcr":
            return curve.cq_linreg
        return curve.cq_threshold

    evidence = [
        WellEvidence(
            well=r.well,
            sample=r.sample,
            sample_type=r.sample_type,
            target=r.target,
            amplified=c.amplified,
            cq=chosen_cq(c),
            amplitude=float(c.amplitude),
            efficiency=c.efficiency,
            quality=None if quality is None else float(quality[i]),
            excluded=r.excluded,
            curve_notes=tuple(c.notes),
        )
        for i, (r, c) in enumerate(zip(plate.reactions, analysed, strict=True))
    ]
    calls = call_wells(evidence, settings.calls)
    wells = [
        WellResult(r, c, e.quality, call, call_cq=e.cq)
        for r, c, e, call in zip(plate.reactions, analysed, evidence, calls, strict=True)
    ]
    standards = _standard_curves(wells, warnings)
    relative = _relative(wells, standards, settings, warnings)
    return PlateAnalysis(
        plate=plate,
        settings=settings,
        wells=wells,
        thresholds=thresholds,
        standard_curves=standards,
        quality_model=model_info,
        warnings=warnings,
        seconds=time.perf_counter() - started,
        relative=relative,
    )


def _relative_dict(result: RelativeResult) -> dict[str, Any]:
    data = result.as_dict()
    data["ci95"] = [_num(v) for v in result.ci95] if result.ci95 else None
    data["notes"] = list(result.notes)
    return {k: _num(v) if isinstance(v, float) else v for k, v in data.items()}


def _target_efficiencies(
    wells: list[WellResult], standards: dict[str, StandardCurve], settings: QpcrSettings
) -> dict[str, tuple[float, str]]:
    """The amplification factor of each target and where it came from."""
    found: dict[str, tuple[float, str]] = {}
    for target in sorted({w.reaction.target for w in wells}):
        if settings.efficiency == "ideal":
            found[target] = (2.0, "ideal (2.0)")
        elif target in standards:
            found[target] = (standards[target].amplification_factor, "standard curve")
        else:
            values = [
                w.curve.efficiency
                for w in wells
                if w.reaction.target == target
                and w.call.call == "positive"
                and w.curve.efficiency is not None
            ]
            if values:
                found[target] = (float(np.mean(values)), f"mean of {len(values)} wells")
            else:
                found[target] = (2.0, "ideal (2.0): no positive well with an efficiency")
    return found


def _relative(
    wells: list[WellResult],
    standards: dict[str, StandardCurve],
    settings: QpcrSettings,
    warnings: list[str],
) -> list[RelativeResult]:
    """Fold changes against the calibrator, normalised to the reference genes (if asked)."""
    if not settings.reference_genes:
        return []
    targets = {w.reaction.target for w in wells}
    missing = sorted(set(settings.reference_genes) - targets)
    if missing:
        warnings.append(f"Reference gene(s) {', '.join(missing)} are not targets of this plate.")
        return []
    efficiencies = _target_efficiencies(wells, standards, settings)
    rows = [
        {
            "sample": w.reaction.sample,
            "target": w.reaction.target,
            "cq": w.call_cq,
            "is_reference": w.reaction.target in settings.reference_genes,
            "is_calibrator": w.reaction.sample == settings.calibrator,
            "efficiency": efficiencies[w.reaction.target][0],
        }
        for w in wells
        if w.call.call == "positive"
        and w.reaction.sample_type in ("unkn", "pos")
        and w.call_cq is not None
    ]
    if not any(r["is_calibrator"] for r in rows):
        warnings.append(
            f"The calibrator {settings.calibrator!r} has no positive sample well; no fold changes."
        )
        return []
    try:
        results = relative_quantities(rows, on_missing="note")
    except ActivesError as exc:
        warnings.append(f"No relative quantification: {exc.message}")
        return []
    sources = "; ".join(f"{t}: {e:.3f} ({how})" for t, (e, how) in efficiencies.items())
    warnings.append(
        "Relative quantities use positive wells only; amplification factors " + sources + "."
    )
    return results


def _standard_curves(wells: list[WellResult], warnings: list[str]) -> dict[str, StandardCurve]:
    """A standard curve for each target with standards of known quantity; quantities of samples."""
    standards: dict[str, list[WellResult]] = defaultdict(list)
    for w in wells:
        if w.reaction.sample_type == "std" and w.reaction.quantity and w.call.call == "positive":
            standards[w.reaction.target].append(w)
    curves: dict[str, StandardCurve] = {}
    for target, members in sorted(standards.items()):
        levels = {m.reaction.quantity for m in members}
        if len(levels) < 3:
            warnings.append(
                f"{target}: {len(levels)} standard level(s) with a positive call; a standard "
                "curve needs at least 3, so no quantities are given."
            )
            continue
        try:
            curve = standard_curve(
                [m.call_cq for m in members],
                [m.reaction.quantity for m in members],  # type: ignore[misc]
            )
        except ActivesError as exc:
            warnings.append(f"{target}: no standard curve: {exc.message}")
            continue
        curves[target] = curve
        for w in wells:
            if w.reaction.target == target and w.call.call == "positive" and w.call_cq:
                found = quantify(w.call_cq, curve)
                w.quantity, w.quantity_ci = found.quantity, found.ci95
                w.quantity_notes = found.notes
    return curves
