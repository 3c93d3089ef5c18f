"""A call for every qPCR well (positive, negative or inconclusive) with the reasons behind it.

The call combines three things, in this order, and every rule that fires adds a reason a user can
read on the plate view:

1. the curve itself: an exponential phase found by the curve analysis, the curve-quality
   classifier's probability that this is a real amplification curve (trained on the PCRedux
   human labels), and a plateau that is not far below the target's other positive wells;
2. the assay's cut-offs: a Cq later than the cut-off is negative (or inconclusive, per assay);
3. the plate: a no-template control that amplifies contaminates its target (its samples near the
   NTC's Cq become inconclusive), and replicates that disagree or spread too far are inconclusive.

Cut-offs are assay settings (:class:`CallSettings`), never constants hidden in the code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from actives.errors import InvalidInputError

Call = Literal["positive", "negative", "inconclusive"]
CALLS: tuple[Call, ...] = ("positive", "negative", "inconclusive")
CONTROL_TYPES = frozenset({"ntc", "nac", "ntp", "nrt"})


@dataclass(frozen=True)
class CallSettings:
    """Per-assay cut-offs of the well calls (all in cycles unless said otherwise)."""

    cq_cutoff: float = 35.0
    late_cq_call: Literal["negative", "inconclusive"] = "negative"
    quality_positive: float = 0.7
    quality_negative: float = 0.3
    min_amplitude_fraction: float = 0.2
    max_replicate_sd: float = 0.5
    ntc_margin: float = 5.0
    efficiency_range: tuple[float, float] = (1.6, 2.1)

    def __post_init__(self) -> None:
        if not 1 <= self.cq_cutoff <= 100:
            raise InvalidInputError(
                f"Cq cut-off {self.cq_cutoff:g} is out of range; expected a cycle between 1 and "
                "100 (35 or 40 are common)."
            )
        if self.late_cq_call not in ("negative", "inconclusive"):
            raise InvalidInputError(
                f"Late-Cq call {self.late_cq_call!r} is not known; expected 'negative' or "
                "'inconclusive'."
            )
        if not 0 <= self.quality_negative <= self.quality_positive <= 1:
            raise InvalidInputError(
                f"Curve-quality limits {self.quality_negative:g} and {self.quality_positive:g} "
                "are not valid; expected 0 ≤ negative limit ≤ positive limit ≤ 1."
            )
        if not 0 <= self.min_amplitude_fraction < 1:
            raise InvalidInputError(
                f"Minimum plateau fraction {self.min_amplitude_fraction:g} is out of range; "
                "expected a fraction from 0 to below 1."
            )
        if self.max_replicate_sd <= 0 or self.ntc_margin < 0:
            raise InvalidInputError(
                "Replicate SD limit must be above 0 and the NTC margin 0 or more (cycles); got "
                f"{self.max_replicate_sd:g} and {self.ntc_margin:g}."
            )
        low, high = self.efficiency_range
        if not 1 <= low < high <= 3:
            raise InvalidInputError(
                f"Efficiency range {low:g}–{high:g} is not valid; expected amplification factors "
                "with 1 ≤ low < high ≤ 3 (1.6–2.1 is usual)."
            )

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> CallSettings:
        """Settings from a form or API body; unknown keys are an error, not ignored."""
        values = dict(values or {})
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                f"Unknown call setting(s) {', '.join(unknown)}; expected some of "
                f"{', '.join(sorted(known))}."
            )
        if "efficiency_range" in values:
            values["efficiency_range"] = tuple(float(v) for v in values["efficiency_range"])
        try:
            return cls(**values)
        except TypeError as exc:
            raise InvalidInputError(f"Call settings are not valid: {exc}.") from None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready settings, stored with every analysis."""
        data = asdict(self)
        data["efficiency_range"] = list(self.efficiency_range)
        return data


@dataclass(frozen=True)
class WellEvidence:
    """What the call of one reaction rests on (from the curve analysis and the classifier)."""

    well: str
    sample: str
    sample_type: str
    target: str
    amplified: bool
    cq: float | None
    amplitude: float
    efficiency: float | None
    quality: float | None
    excluded: str = ""
    curve_notes: tuple[str, ...] = ()


# Every reason and warning a rule can give: a stable code and its English sentence. The code and
# its parameters travel with the text, so a page can say it in another language.
MESSAGES: dict[str, str] = {
    "excluded": "excluded in the file: {note}",
    "curve_without_cq": (
        "the classifier sees an amplification curve, but no exponential phase or Cq was found"
    ),
    "no_amplification": "no amplification",
    "late_cq": "late Cq {cq} beyond the cut-off {cutoff}",
    "non_sigmoid": "non-sigmoid curve (Cq {cq} not trusted)",
    "low_plateau": (
        "low plateau: {percent}% of the median plateau of {target}'s amplified wells "
        "(limit {limit}%)"
    ),
    "uncertain_shape": "curve shape uncertain, Cq {cq}",
    "amplified": "amplified, Cq {cq}",
    "control_amplified": "{control} contamination: amplified at Cq {cq}",
    "near_amplified_ntc": (
        "NTC contamination: control {control} amplified at Cq {control_cq}, within {margin} "
        "cycles of this well's Cq {cq}"
    ),
    "replicate_minority": "disagrees with its replicates: {positive} of {total} wells of "
    "{sample} / {target} are positive",
    "replicates_split": "replicates disagree: {positive} of {total} wells of {sample} / "
    "{target} are positive",
    "replicate_far": "Cq {cq} is {distance} cycles from the median {median} of the {n} "
    "positive wells of {sample} / {target} (limit 2 × {limit})",
    "replicate_spread": "replicate spread: Cq SD {sd} over {n} wells of {sample} / {target} "
    "exceeds {limit} cycles",
    "efficiency_outside": "efficiency {efficiency} outside {low}–{high}: Cq-based quantities "
    "are less reliable",
    "target_ntc_amplified": "the target's NTC ({control}) amplified at Cq {control_cq}",
}
QUALITY_SUFFIX = ", curve-quality P = {p}"


@dataclass
class WellCall:
    """The call of one reaction and every reason behind it (in the order the rules fired).

    ``reasons`` and ``warnings`` are English sentences; ``reason_codes`` and ``warning_codes``
    hold the same as ``{"code", "params"}`` (see :data:`MESSAGES`) for other languages.
    """

    well: str
    sample: str
    sample_type: str
    target: str
    call: Call
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reason_codes: list[dict[str, Any]] = field(default_factory=list)
    warning_codes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """The reasons as one sentence for tables."""
        return "; ".join(self.reasons)

    def add_reason(self, code: str, **params: str) -> None:
        """Add a reason (``p``, when given, is the curve-quality probability, said last)."""
        self.reasons.append(render_message(code, params))
        self.reason_codes.append({"code": code, "params": params})

    def replace_last_reason(self, code: str, **params: str) -> None:
        """Replace the reason the curve rule gave (a control's own amplification, say)."""
        self.reasons[-1:] = [render_message(code, params)]
        self.reason_codes[-1:] = [{"code": code, "params": params}]

    def add_warning(self, code: str, **params: str) -> None:
        """Add a warning: the call stands, but something is worth a look."""
        self.warnings.append(render_message(code, params))
        self.warning_codes.append({"code": code, "params": params})

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready call."""
        return asdict(self) | {"reason": self.reason}


def render_message(code: str, params: dict[str, str]) -> str:
    """The English sentence of a reason or warning code with its parameters."""
    text = MESSAGES[code].format(**params)
    if params.get("p"):
        text += QUALITY_SUFFIX.format(p=params["p"])
    return text


def _cycles(value: float) -> str:
    return f"{value:.2f}"


def call_well(evidence: WellEvidence, settings: CallSettings, target_amplitude: float) -> WellCall:
    """The call of one reaction from its own curve; plate rules come after (see call_wells)."""
    e = evidence
    result = WellCall(e.well, e.sample, e.sample_type, e.target, "inconclusive")
    p = "" if e.quality is None else f"{e.quality:.2f}"
    if e.excluded:
        result.add_reason("excluded", note=e.excluded)
        return result
    low_quality = e.quality is not None and e.quality < settings.quality_negative
    high_quality = e.quality is None or e.quality >= settings.quality_positive
    if not e.amplified or e.cq is None:
        if e.quality is not None and e.quality >= settings.quality_positive:
            result.add_reason("curve_without_cq", p=p)
            return result
        result.call = "negative"
        result.add_reason("no_amplification", p=p)
        return result
    cq = _cycles(e.cq)
    if e.cq > settings.cq_cutoff:
        result.call = settings.late_cq_call
        result.add_reason("late_cq", cq=cq, cutoff=f"{settings.cq_cutoff:g}")
        return result
    if low_quality:
        result.add_reason("non_sigmoid", cq=cq, p=p)
        return result
    if target_amplitude > 0 and e.amplitude < settings.min_amplitude_fraction * target_amplitude:
        result.add_reason(
            "low_plateau",
            percent=f"{100 * e.amplitude / target_amplitude:.0f}",
            target=e.target,
            limit=f"{100 * settings.min_amplitude_fraction:.0f}",
        )
        return result
    if not high_quality:
        result.add_reason("uncertain_shape", cq=cq, p=p)
        return result
    result.call = "positive"
    result.add_reason("amplified", cq=cq, p=p)
    low, high = settings.efficiency_range
    if e.efficiency is not None and not low <= e.efficiency <= high:
        result.add_warning(
            "efficiency_outside", efficiency=f"{e.efficiency:.2f}", low=f"{low:g}", high=f"{high:g}"
        )
    return result


def _target_amplitudes(evidence: Sequence[WellEvidence]) -> dict[str, float]:
    """Median plateau height of each target's clearly amplified sample wells."""
    heights: dict[str, list[float]] = defaultdict(list)
    for e in evidence:
        if (
            e.amplified
            and e.cq is not None
            and not e.excluded
            and e.sample_type not in (CONTROL_TYPES)
        ):
            heights[e.target].append(e.amplitude)
    return {t: float(np.median(v)) for t, v in heights.items() if v}


def call_wells(
    evidence: Sequence[WellEvidence], settings: CallSettings | None = None
) -> list[WellCall]:
    """Calls for a whole plate: each curve, then NTC contamination and replicate agreement."""
    settings = settings or CallSettings()
    amplitudes = _target_amplitudes(evidence)
    calls = [call_well(e, settings, amplitudes.get(e.target, 0.0)) for e in evidence]
    _apply_ntc_rule(evidence, calls, settings)
    _apply_replicate_rule(evidence, calls, settings)
    return calls


def _apply_ntc_rule(
    evidence: Sequence[WellEvidence], calls: list[WellCall], settings: CallSettings
) -> None:
    """A control without template that amplifies contaminates its target's wells near its Cq."""
    earliest: dict[str, tuple[float, str]] = {}
    for e, c in zip(evidence, calls, strict=True):
        if e.sample_type in CONTROL_TYPES and c.call == "positive" and e.cq is not None:
            c.replace_last_reason(
                "control_amplified", control=e.sample_type.upper(), cq=_cycles(e.cq)
            )
            if e.target not in earliest or e.cq < earliest[e.target][0]:
                earliest[e.target] = (e.cq, e.well)
    for e, c in zip(evidence, calls, strict=True):
        if e.target not in earliest or e.sample_type in CONTROL_TYPES:
            continue
        ntc_cq, ntc_well = earliest[e.target]
        if c.call == "positive" and e.cq is not None and e.cq > ntc_cq - settings.ntc_margin:
            c.call = "inconclusive"
            c.add_reason(
                "near_amplified_ntc",
                control=ntc_well,
                control_cq=_cycles(ntc_cq),
                margin=f"{settings.ntc_margin:g}",
                cq=_cycles(e.cq),
            )
        else:
            c.add_warning("target_ntc_amplified", control=ntc_well, control_cq=_cycles(ntc_cq))


def _apply_replicate_rule(
    evidence: Sequence[WellEvidence], calls: list[WellCall], settings: CallSettings
) -> None:
    """Replicates of one sample and target must agree and their Cqs must not spread too far.

    A clear majority (at least two thirds) makes only the dissenting wells inconclusive; an even
    split makes the whole group inconclusive. Likewise with four or more replicates only the
    wells far from the group's median Cq are marked; with fewer, the whole group is.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, e in enumerate(evidence):
        if e.sample and e.sample_type not in CONTROL_TYPES and not e.excluded:
            groups[(e.sample, e.target)].append(i)
    for (sample, target), members in groups.items():
        if len(members) < 2:
            continue
        positives = [i for i in members if calls[i].call == "positive"]
        negatives = [i for i in members if calls[i].call == "negative"]
        if positives and negatives:
            agreement = {
                "positive": str(len(positives)),
                "total": str(len(members)),
                "sample": sample,
                "target": target,
            }
            majority, minority = (
                (positives, negatives)
                if len(positives) >= len(negatives)
                else (negatives, positives)
            )
            clear = len(majority) >= 2 * len(minority)
            for i in minority if clear else positives + negatives:
                calls[i].call = "inconclusive"
                calls[i].add_reason(
                    "replicate_minority" if clear else "replicates_split", **agreement
                )
            if not clear:
                continue
            positives = [i for i in positives if calls[i].call == "positive"]
        _apply_spread(evidence, calls, positives, sample, target, settings.max_replicate_sd)


def _apply_spread(
    evidence: Sequence[WellEvidence],
    calls: list[WellCall],
    positives: list[int],
    sample: str,
    target: str,
    limit: float,
) -> None:
    """Replicate Cqs whose SD exceeds the limit: the far wells (4+ replicates) or all of them."""
    cqs: dict[int, float] = {}
    for i in positives:
        cq = evidence[i].cq
        if cq is not None:
            cqs[i] = cq
    if len(cqs) < 2:
        return
    values = np.array(list(cqs.values()), dtype=float)
    sd = float(np.std(values, ddof=1))
    if sd <= limit:
        return
    median = float(np.median(values))
    far = [i for i, cq in cqs.items() if abs(cq - median) > 2 * limit] if len(cqs) >= 4 else []
    for i in far or list(cqs):
        calls[i].call = "inconclusive"
        group = {"n": str(len(cqs)), "sample": sample, "target": target, "limit": f"{limit:g}"}
        if far:
            calls[i].add_reason(
                "replicate_far",
                cq=_cycles(cqs[i]),
                distance=_cycles(abs(cqs[i] - median)),
                median=_cycles(median),
                **group,
            )
        else:
            calls[i].add_reason("replicate_spread", sd=_cycles(sd), **group)


def summarise_calls(calls: Sequence[WellCall]) -> dict[str, int]:
    """How many wells got each call."""
    counts: dict[str, int] = dict.fromkeys(CALLS, 0)
    for c in calls:
        counts[c.call] += 1
    return counts
