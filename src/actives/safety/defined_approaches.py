"""OECD Guideline No. 497 defined approaches on skin sensitisation: 2 out of 3 and the ITS.

Implemented as GL497 states them (OECD 2021, updated 2023), with the assay prediction models of
the test guidelines they rest on:

- DPRA, OECD TG 442C: mean Cys/Lys depletion > 6.38 % positive; Cys-only model (Lys co-elutes
  or cannot be evaluated) > 13.89 % positive; negative depletions count as 0 in the mean.
- KeratinoSens, OECD TG 442D: positive when Imax >= 1.5 (with EC1.5 < 1000 uM and the other
  criteria of the guideline).
- h-CLAT, OECD TG 442E: positive when CD86 RFI >= 150 or CD54 RFI >= 200 at a concentration with
  viability >= 50 %; MIT = the lower of EC150 (CD86) and EC200 (CD54).
- Borderline ranges (GL497 2023 update, also used by NICEATM's DASS App v2.1): DPRA mean
  [4.95, 8.32] %, Cys-only [10.56, 18.47] %; KeratinoSens Imax (1.35, 1.67); h-CLAT CD86 RFI
  (122, 184], CD54 RFI (157, 255]. A result in its borderline range is inconclusive for that
  assay.
- GL497 limitation: a negative h-CLAT for a chemical with log Kow > 3.5 is not conclusive.

2o3 (hazard only): two concordant conclusive results among DPRA, KeratinoSens and h-CLAT decide;
otherwise inconclusive. ITS (hazard and potency): DPRA, h-CLAT and in silico scores (GL497 ITS
scoring table) are summed and read from GL497's table of combined scores, whose columns cover a
missing information source. Section numbers of GL497 were not verified here: steps cite the DA
and table by name. The tables were cross-checked against NICEATM's DASS App (NIEHS/DASS,
``R/dass_predict.R`` and its user guide), not against the guideline PDF itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from actives.errors import InvalidInputError
from actives.registry import Registry
from actives.safety.reasoning import Quantity, Serialisable, Step, check_number, check_origin

GL497 = "OECD Guideline No. 497: Defined Approaches on Skin Sensitisation (2021, updated 2023)"
GL497_2O3 = f"{GL497}, 2 out of 3 DA: data interpretation procedure"
GL497_ITS_SCORES = f"{GL497}, ITS DA: scoring scheme of the information sources"
GL497_ITS_TABLE = f"{GL497}, ITS DA: prediction from the combined score, by available sources"
GL497_BORDERLINE = f"{GL497}: borderline ranges of the information sources (2023 update)"
GL497_HCLAT_LIMIT = f"{GL497}: known limitation of the h-CLAT (negative result, log Kow > 3.5)"
TG442C = "OECD TG 442C (in chemico skin sensitisation: DPRA), prediction model"
TG442D = "OECD TG 442D (ARE-Nrf2 luciferase KeratinoSens), prediction model"
TG442E = "OECD TG 442E (h-CLAT), prediction model"

POSITIVE = "positive"
NEGATIVE = "negative"
INCONCLUSIVE = "inconclusive"
NOT_APPLICABLE = "not applicable"
CALLS = (POSITIVE, NEGATIVE, INCONCLUSIVE, NOT_APPLICABLE)
CONCLUSIVE = (POSITIVE, NEGATIVE)

SENSITISER = "sensitiser"
NON_SENSITISER = "non-sensitiser"

# DPRA, TG 442C prediction model and GL497 borderline ranges (inclusive bounds).
DPRA_MEAN_THRESHOLD = 6.38
DPRA_CYS_THRESHOLD = 13.89
DPRA_MEAN_BORDERLINE = (4.95, 8.32)
DPRA_CYS_BORDERLINE = (10.56, 18.47)
# KeratinoSens, TG 442D; GL497 borderline range (exclusive bounds).
KS_IMAX_THRESHOLD = 1.5
KS_EC15_LIMIT_UM = 1000.0
KS_IMAX_BORDERLINE = (1.35, 1.67)
# h-CLAT, TG 442E; GL497 borderline ranges (low, high]; highest test concentration 5000 ug/mL.
HCLAT_CD86_THRESHOLD = 150.0
HCLAT_CD54_THRESHOLD = 200.0
HCLAT_CD86_BORDERLINE = (122.0, 184.0)
HCLAT_CD54_BORDERLINE = (157.0, 255.0)
HCLAT_MAX_CONCENTRATION = 5000.0
HCLAT_LOG_KOW_LIMIT = 3.5

# Words accepted for a call (case-insensitive); "" and NA-like words mean "no value".
_CALL_WORDS = {
    POSITIVE: {"positive", "pos", "p", "+", "1", "active", "sensitiser", "sensitizer", "양성"},
    NEGATIVE: {
        "negative",
        "neg",
        "n",
        "-",
        "0",
        "inactive",
        "non-sensitiser",
        "non-sensitizer",
        "nonsensitiser",
        "nonsensitizer",
        "non sensitiser",
        "non sensitizer",
        "음성",
    },
    INCONCLUSIVE: {"inconclusive", "borderline", "equivocal", "ambiguous", "판정불가", "경계"},
    NOT_APPLICABLE: {"not applicable", "not_applicable", "notapplicable", "해당없음"},
}
_MISSING_WORDS = {"", "na", "n/a", "nan", "none", "null", "missing", "n.a."}
_CALL_LOOKUP = {word: call for call, words in _CALL_WORDS.items() for word in words}


def parse_call(value: object, what: str = "call") -> str | None:
    """The canonical call (positive, negative, inconclusive, not applicable) for a user's word.

    Accepts positive/negative/pos/neg/+/-/1/0/active/inactive/sensitiser/non-sensitiser
    (case-insensitive, British or American spelling); None for an empty or NA value.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return POSITIVE if value else NEGATIVE
    if isinstance(value, int | float) and value in (0, 1):
        return POSITIVE if value == 1 else NEGATIVE
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    if text in _MISSING_WORDS:
        return None
    call = _CALL_LOOKUP.get(text)
    if call is None:
        raise InvalidInputError(
            f"{what} {value!r} cannot be read; expected positive/negative (or pos/neg, +/-, 1/0, "
            "active/inactive, sensitiser/non-sensitiser), inconclusive or not applicable."
        )
    return call


def _normalise_call(obj: object, what: str) -> None:
    """Replace the ``call`` field of a frozen assay dataclass with its canonical form."""
    object.__setattr__(obj, "call", parse_call(obj.call, what))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DPRAResult:
    """Direct Peptide Reactivity Assay (OECD TG 442C) result for one chemical.

    Give the Cys and Lys % depletion (Lys None when it co-elutes or cannot be evaluated: the
    Cys-only model then applies), or only a call. ``origin`` is measured or predicted; ``source``
    names the study report or the model that predicted it.
    """

    cys_depletion: float | None = None
    lys_depletion: float | None = None
    call: str | None = None
    origin: str = "measured"
    source: str = ""

    def __post_init__(self) -> None:
        _normalise_call(self, "DPRA call")
        check_origin(self.origin, "DPRA")
        for name in ("cys_depletion", "lys_depletion"):
            value = getattr(self, name)
            if value is not None:
                check_number(f"DPRA {name.replace('_', ' ')}", value, "%", low=-100, high=100)
        if self.cys_depletion is None and self.lys_depletion is not None:
            raise InvalidInputError(
                f"DPRA Lys depletion {self.lys_depletion} without a Cys depletion; expected the "
                "Cys depletion too (TG 442C has a Cys-only model, not a Lys-only one)."
            )
        if self.cys_depletion is None and self.call is None:
            raise InvalidInputError("DPRA result has neither depletion values nor a call.")

    @property
    def cys_only(self) -> bool:
        """True when the Cys-only prediction model applies (no Lys depletion)."""
        return self.lys_depletion is None

    def depletion(self) -> float | None:
        """Mean of Cys and Lys depletion (negatives as 0, TG 442C), or Cys alone; None if absent."""
        if self.cys_depletion is None:
            return None
        cys = max(0.0, self.cys_depletion)
        if self.lys_depletion is None:
            return cys
        return (cys + max(0.0, self.lys_depletion)) / 2

    def quantities(self) -> tuple[Quantity, ...]:
        """The inputs as sourced quantities."""
        src = self.source or "not stated"
        items = [
            Quantity("DPRA Cys depletion", self.cys_depletion, "%", self.origin, src),
            Quantity("DPRA Lys depletion", self.lys_depletion, "%", self.origin, src),
            Quantity("DPRA call", self.call, "", self.origin, src),
        ]
        return tuple(q for q in items if q.value is not None)


@dataclass(frozen=True)
class KeratinoSensResult:
    """KeratinoSens (OECD TG 442D) result: a call, optionally Imax and EC1.5 (uM)."""

    call: str | None = None
    imax: float | None = None
    ec1_5_um: float | None = None
    origin: str = "measured"
    source: str = ""

    def __post_init__(self) -> None:
        _normalise_call(self, "KeratinoSens call")
        check_origin(self.origin, "KeratinoSens")
        if self.imax is not None:
            check_number("KeratinoSens Imax", self.imax, "(fold induction)", low=0)
        if self.ec1_5_um is not None:
            check_number("KeratinoSens EC1.5", self.ec1_5_um, "uM", low=0, low_inclusive=False)
        if self.call is None and self.imax is None:
            raise InvalidInputError("KeratinoSens result has neither a call nor an Imax.")

    def quantities(self) -> tuple[Quantity, ...]:
        """The inputs as sourced quantities."""
        src = self.source or "not stated"
        items = [
            Quantity("KeratinoSens call", self.call, "", self.origin, src),
            Quantity("KeratinoSens Imax", self.imax, "fold induction", self.origin, src),
            Quantity("KeratinoSens EC1.5", self.ec1_5_um, "uM", self.origin, src),
        ]
        return tuple(q for q in items if q.value is not None)


@dataclass(frozen=True)
class HCLATResult:
    """h-CLAT (OECD TG 442E) result: a call, optionally the RFI maxima and the MIT (ug/mL).

    ``cd86_rfi`` and ``cd54_rfi`` are the highest relative fluorescence intensities at
    concentrations with viability >= 50 % (give both or neither). ``mit_ug_ml`` is the minimum
    induction threshold, the lower of EC150 (CD86) and EC200 (CD54); it exists for positives only.
    """

    call: str | None = None
    cd86_rfi: float | None = None
    cd54_rfi: float | None = None
    mit_ug_ml: float | None = None
    origin: str = "measured"
    source: str = ""

    def __post_init__(self) -> None:
        _normalise_call(self, "h-CLAT call")
        check_origin(self.origin, "h-CLAT")
        if (self.cd86_rfi is None) != (self.cd54_rfi is None):
            raise InvalidInputError(
                "h-CLAT has only one of CD86 RFI and CD54 RFI; expected both (or neither)."
            )
        for name, value in (("CD86 RFI", self.cd86_rfi), ("CD54 RFI", self.cd54_rfi)):
            if value is not None:
                check_number(f"h-CLAT {name}", value, "%", low=0)
        if self.mit_ug_ml is not None:
            check_number(
                "h-CLAT MIT",
                self.mit_ug_ml,
                "ug/mL (the h-CLAT top concentration is 5000 ug/mL)",
                low=0,
                high=HCLAT_MAX_CONCENTRATION,
                low_inclusive=False,
            )
            if self.call == NEGATIVE:
                raise InvalidInputError(
                    f"h-CLAT MIT {self.mit_ug_ml} ug/mL with a negative call; an MIT exists only "
                    "for a positive h-CLAT (expected no MIT, or a positive call)."
                )
        if self.call is None and self.cd86_rfi is None and self.mit_ug_ml is None:
            raise InvalidInputError("h-CLAT result has no call, no RFI values and no MIT.")

    def quantities(self) -> tuple[Quantity, ...]:
        """The inputs as sourced quantities."""
        src = self.source or "not stated"
        items = [
            Quantity("h-CLAT call", self.call, "", self.origin, src),
            Quantity("h-CLAT CD86 RFI (max)", self.cd86_rfi, "%", self.origin, src),
            Quantity("h-CLAT CD54 RFI (max)", self.cd54_rfi, "%", self.origin, src),
            Quantity("h-CLAT MIT", self.mit_ug_ml, "ug/mL", self.origin, src),
        ]
        return tuple(q for q in items if q.value is not None)


DEREK_NEXUS = "Derek Nexus"
QSAR_TOOLBOX = "OECD QSAR Toolbox"


@dataclass(frozen=True)
class InSilicoResult:
    """An in silico skin sensitisation prediction for the ITS, with the tool that made it.

    GL497 evaluated the ITS with Derek Nexus (ITSv1) and the OECD QSAR Toolbox (ITSv2); any
    other tool is labelled as not evaluated under GL497.
    """

    call: str | None
    tool: str
    in_domain: bool = True
    version: str = ""
    origin: str = "predicted"
    source: str = ""

    def __post_init__(self) -> None:
        _normalise_call(self, "in silico call")
        if self.origin != "predicted":
            raise InvalidInputError(
                f"in silico origin {self.origin!r}; expected 'predicted' (an in silico result "
                "is a prediction)."
            )
        if not self.tool.strip():
            raise InvalidInputError("in silico tool is empty; expected the name of the tool.")

    @property
    def evaluated_tool(self) -> str | None:
        """``Derek Nexus`` or ``OECD QSAR Toolbox`` when the tool is one GL497 evaluated."""
        name = self.tool.lower()
        if "derek" in name:
            return DEREK_NEXUS
        if "toolbox" in name:
            return QSAR_TOOLBOX
        return None

    @property
    def variant(self) -> str:
        """ITSv1 (Derek Nexus), ITSv2 (OECD QSAR Toolbox) or a label saying the tool is not one."""
        tool = self.evaluated_tool
        if tool == DEREK_NEXUS:
            return "ITSv1"
        if tool == QSAR_TOOLBOX:
            return "ITSv2"
        return f"ITS with {self.label} (not evaluated under GL497)"

    @property
    def label(self) -> str:
        """Tool name and version."""
        return f"{self.tool} {self.version}".strip()

    def quantities(self) -> tuple[Quantity, ...]:
        """The inputs as sourced quantities."""
        src = self.source or self.label
        return (
            Quantity(f"in silico call ({self.label})", self.call, "", self.origin, src),
            Quantity("in silico applicability domain", self.in_domain, "", self.origin, src),
        )


@dataclass(frozen=True)
class DAResult(Serialisable):
    """The outcome of a defined approach with its reasoning.

    ``call`` is sensitiser, non-sensitiser or inconclusive; ``category`` the UN GHS category:
    ``1`` (2o3, no sub-category), ``1A``, ``1B``, ``1*`` (ITS: sensitiser, potency
    inconclusive), ``NC`` (not classified) or None when inconclusive.
    """

    approach: str
    title: str
    variant: str
    call: str
    category: str | None
    score: int | None
    scores: dict[str, int | None]
    rule_fired: str
    inconclusive_reason: str | None
    not_needed: tuple[str, ...]
    potency_note: str
    steps: tuple[Step, ...]
    inputs: tuple[Quantity, ...]
    measured_inputs: tuple[str, ...]
    predicted_inputs: tuple[str, ...]
    guideline: str
    guideline_conformant: bool


# --- assay conclusions (used by the 2o3) -------------------------------------------------


def _explicit(call: str | None, assay: str, source: str) -> tuple[str, Step] | None:
    """An explicit inconclusive / not applicable result, which no value can overrule."""
    if call in (INCONCLUSIVE, NOT_APPLICABLE):
        return call, Step(
            f"{assay} result",
            f"The {assay} result was given as '{call}'.",
            "Only a conclusive positive or negative result counts in a defined approach.",
            source,
            call,
        )
    return None


def _conflict(assay: str, given: str, derived: str, basis: str) -> InvalidInputError:
    return InvalidInputError(
        f"{assay} call '{given}' contradicts its values ({basis} gives '{derived}'); expected a "
        "call that agrees with the values, or no call."
    )


def dpra_outcome(dpra: DPRAResult) -> tuple[str, Step]:
    """DPRA conclusion for the 2o3: TG 442C prediction model with GL497's borderline ranges."""
    explicit = _explicit(dpra.call, "DPRA", GL497)
    if explicit:
        return explicit
    value = dpra.depletion()
    if value is None:
        assert dpra.call is not None
        return dpra.call, Step(
            "DPRA result (TG 442C)",
            f"A DPRA call was given without depletion values: {dpra.call}.",
            "The call is used as reported.",
            TG442C,
            dpra.call,
        )
    if dpra.cys_only:
        model, threshold, (low, high) = "Cys-only", DPRA_CYS_THRESHOLD, DPRA_CYS_BORDERLINE
        what = f"Cys depletion {value:.2f} % (Lys not evaluated: Cys-only model)"
    else:
        model, threshold, (low, high) = "Cys/Lys", DPRA_MEAN_THRESHOLD, DPRA_MEAN_BORDERLINE
        what = (
            f"mean of Cys {dpra.cys_depletion:g} % and Lys {dpra.lys_depletion:g} % depletion "
            f"(negative values as 0) = {value:.2f} %"
        )
    if low <= value <= high:
        outcome = INCONCLUSIVE
        verdict = f"within the borderline range [{low}, {high}] %: inconclusive"
    else:
        outcome = POSITIVE if value > threshold else NEGATIVE
        verdict = f"{'>' if outcome == POSITIVE else '<='} {threshold} %: {outcome}"
    if dpra.call in CONCLUSIVE and outcome != INCONCLUSIVE and dpra.call != outcome:
        raise _conflict("DPRA", dpra.call, outcome, what)
    return outcome, Step(
        "DPRA result (TG 442C)",
        f"DPRA {what}; {verdict}.",
        f"{model} prediction model: positive when > {threshold} %; borderline range "
        f"[{low}, {high}] % is inconclusive.",
        f"{TG442C}; {GL497_BORDERLINE}",
        outcome,
    )


def keratinosens_outcome(ks: KeratinoSensResult) -> tuple[str, Step]:
    """KeratinoSens conclusion for the 2o3: the call, or Imax, with GL497's borderline range."""
    explicit = _explicit(ks.call, "KeratinoSens", GL497)
    if explicit:
        return explicit
    low, high = KS_IMAX_BORDERLINE
    rule = (
        f"Positive when Imax >= {KS_IMAX_THRESHOLD} with EC1.5 < {KS_EC15_LIMIT_UM:g} uM (and the "
        f"other TG 442D criteria); Imax in the borderline range ({low}, {high}) is inconclusive."
    )
    source = f"{TG442D}; {GL497_BORDERLINE}"
    if ks.imax is not None and low < ks.imax < high:
        return INCONCLUSIVE, Step(
            "KeratinoSens result (TG 442D)",
            f"Imax {ks.imax:g} lies in the borderline range ({low}, {high}): inconclusive.",
            rule,
            source,
            INCONCLUSIVE,
        )
    if ks.call is not None:
        if ks.call == POSITIVE and ks.imax is not None and ks.imax < KS_IMAX_THRESHOLD:
            raise _conflict("KeratinoSens", ks.call, NEGATIVE, f"Imax {ks.imax:g}")
        imax_text = (
            f" (Imax {ks.imax:g}, outside the borderline range)" if ks.imax is not None else ""
        )
        return ks.call, Step(
            "KeratinoSens result (TG 442D)",
            f"KeratinoSens call: {ks.call}{imax_text}.",
            rule,
            source,
            ks.call,
        )
    assert ks.imax is not None
    if ks.ec1_5_um is not None and ks.ec1_5_um >= KS_EC15_LIMIT_UM:
        outcome = NEGATIVE
        detail = f"Imax {ks.imax:g} but EC1.5 {ks.ec1_5_um:g} uM >= {KS_EC15_LIMIT_UM:g} uM"
    else:
        outcome = POSITIVE if ks.imax >= KS_IMAX_THRESHOLD else NEGATIVE
        detail = f"Imax {ks.imax:g} {'>=' if outcome == POSITIVE else '<'} {KS_IMAX_THRESHOLD}"
    return outcome, Step(
        "KeratinoSens result (TG 442D)",
        f"No call given; derived from {detail}: {outcome}. The other TG 442D criteria "
        "(statistical significance, viability > 70 %, dose-response) are taken as met; confirm "
        "them in the study report.",
        rule,
        source,
        outcome,
    )


def hclat_outcome(hclat: HCLATResult, log_kow: float | None = None) -> tuple[str, Step]:
    """h-CLAT conclusion for the 2o3: call or RFI maxima, borderline ranges, log Kow limitation."""
    explicit = _explicit(hclat.call, "h-CLAT", GL497)
    if explicit:
        return explicit
    (lo86, hi86), (lo54, hi54) = HCLAT_CD86_BORDERLINE, HCLAT_CD54_BORDERLINE
    rule = (
        f"Positive when CD86 RFI >= {HCLAT_CD86_THRESHOLD:g} or CD54 RFI >= "
        f"{HCLAT_CD54_THRESHOLD:g} (viability >= 50 %); borderline ranges CD86 ({lo86:g}, "
        f"{hi86:g}], CD54 ({lo54:g}, {hi54:g}] are inconclusive."
    )
    source = f"{TG442E}; {GL497_BORDERLINE}"
    if hclat.cd86_rfi is not None and hclat.cd54_rfi is not None:
        cd86, cd54 = hclat.cd86_rfi, hclat.cd54_rfi
        values = f"CD86 RFI {cd86:g}, CD54 RFI {cd54:g}"
        if cd86 > hi86 or cd54 > hi54:
            outcome, verdict = POSITIVE, "above the borderline range: positive"
        elif cd86 <= lo86 and cd54 <= lo54:
            outcome, verdict = NEGATIVE, "both below their borderline ranges: negative"
        else:
            outcome, verdict = INCONCLUSIVE, "in a borderline range: inconclusive"
        if hclat.call in CONCLUSIVE and outcome != INCONCLUSIVE and hclat.call != outcome:
            raise _conflict("h-CLAT", hclat.call, outcome, values)
        detail = f"{values}; {verdict}."
    elif hclat.call is not None:
        outcome, detail = hclat.call, f"h-CLAT call: {hclat.call}."
    else:
        outcome = POSITIVE
        detail = f"No call given; an MIT ({hclat.mit_ug_ml:g} ug/mL) exists only for a positive."
    step = Step("h-CLAT result (TG 442E)", detail, rule, source, outcome)
    if outcome == NEGATIVE and log_kow is not None and log_kow > HCLAT_LOG_KOW_LIMIT:
        return INCONCLUSIVE, Step(
            "h-CLAT result (TG 442E)",
            f"{detail} The chemical has log Kow {log_kow:g} > {HCLAT_LOG_KOW_LIMIT}: a negative "
            "h-CLAT is not conclusive for it.",
            f"{rule} A negative h-CLAT for a chemical with log Kow > {HCLAT_LOG_KOW_LIMIT} is not "
            "conclusive (known limitation).",
            f"{source}; {GL497_HCLAT_LIMIT}",
            INCONCLUSIVE,
        )
    return outcome, step


# --- shared helpers ------------------------------------------------------------------------


def _origins(*assays: Any) -> tuple[tuple[Quantity, ...], tuple[str, ...], tuple[str, ...]]:
    inputs: list[Quantity] = []
    measured: list[str] = []
    predicted: list[str] = []
    for assay in assays:
        if assay is None:
            continue
        inputs.extend(assay.quantities())
        name = _ASSAY_NAMES[type(assay)]
        (measured if assay.origin == "measured" else predicted).append(name)
    return tuple(inputs), tuple(measured), tuple(predicted)


def _log_kow_quantity(log_kow: float | None, source: str) -> tuple[Quantity, ...]:
    if log_kow is None:
        return ()
    origin = "predicted" if "predict" in source.lower() else "measured"
    return (Quantity("log Kow", log_kow, "", origin, source),)


def _predicted_assay_step(assays: tuple[Any, ...]) -> Step | None:
    """A step saying the result is indicative when an assay result was predicted."""
    predicted = [
        f"{_ASSAY_NAMES[type(a)]} ({a.source or 'model not stated'})"
        for a in assays
        if a is not None and not isinstance(a, InSilicoResult) and a.origin == "predicted"
    ]
    if not predicted:
        return None
    return Step(
        "Origin of the assay results",
        f"Predicted, not measured: {', '.join(predicted)}.",
        "GL497 defined approaches take measured in chemico / in vitro results; a predicted assay "
        "result makes the outcome indicative, not a GL497 DA result.",
        GL497,
        "indicative only",
    )


def _check_log_kow(log_kow: float | None) -> None:
    if log_kow is not None:
        check_number("log Kow", log_kow, "", low=-10, high=20)


# --- 2 out of 3 ----------------------------------------------------------------------------

_2O3_ORDER = ("DPRA", "KeratinoSens", "h-CLAT")
NO_POTENCY_2O3 = "The 2o3 DA identifies hazard only; it gives no UN GHS potency sub-category."


def two_out_of_three(
    dpra: DPRAResult | None = None,
    keratinosens: KeratinoSensResult | None = None,
    hclat: HCLATResult | None = None,
    log_kow: float | None = None,
    log_kow_source: str = "user",
) -> DAResult:
    """GL497 2 out of 3 DA: two concordant conclusive results of DPRA, KeratinoSens, h-CLAT.

    Sequential logic: two concordant conclusive results decide and the third is not needed;
    discordant or inconclusive results need the third; without two concordant conclusive results
    among the three the 2o3 is inconclusive. Hazard only (sensitiser, UN GHS Category 1, or not
    classified). ``log_kow`` (with ``log_kow_source``: the measurement or the named prediction
    it comes from) applies GL497's h-CLAT limitation.
    """
    _check_log_kow(log_kow)
    steps: list[Step] = []
    outcomes: dict[str, str | None] = {}
    for name, assay in zip(_2O3_ORDER, (dpra, keratinosens, hclat), strict=True):
        if assay is None:
            outcomes[name] = None
            steps.append(
                Step(f"{name} result", f"No {name} result was given.", "", GL497_2O3, "missing")
            )
            continue
        if isinstance(assay, DPRAResult):
            outcome, step = dpra_outcome(assay)
        elif isinstance(assay, KeratinoSensResult):
            outcome, step = keratinosens_outcome(assay)
        else:
            outcome, step = hclat_outcome(assay, log_kow)
        outcomes[name] = outcome
        steps.append(step)

    pair = _concordant_pair(outcomes)
    rule_2o3 = (
        "Two concordant conclusive results decide; with discordant or inconclusive results the "
        "third is needed; without two concordant conclusive results the 2o3 is inconclusive."
    )
    not_needed: tuple[str, ...] = ()
    reason: str | None = None
    if pair is not None:
        a, b, outcome = pair
        third = next(n for n in _2O3_ORDER if n not in (a, b))
        call = SENSITISER if outcome == POSITIVE else NON_SENSITISER
        category = "1" if outcome == POSITIVE else "NC"
        verdict = "sensitiser (UN GHS Category 1)" if outcome == POSITIVE else "not classified"
        rule_fired = f"{a} and {b} both {outcome} -> {verdict}"
        not_needed = (third,)
        third_result = outcomes[third]
        third_text = (
            f"{third} was not tested"
            if third_result is None
            else f"its result ({third_result}) does not change the outcome"
        )
        detail = f"{a} and {b} are concordant ({outcome}); {third} is not needed ({third_text})."
    else:
        call, category, rule_fired = INCONCLUSIVE, None, "no two concordant conclusive results"
        reason = _inconclusive_reason_2o3(outcomes)
        detail = reason
    steps.append(Step("2 out of 3 decision", detail, rule_2o3, GL497_2O3, call))
    steps.append(Step("Potency", NO_POTENCY_2O3, "", GL497_2O3, "no potency sub-category"))

    assays = (dpra, keratinosens, hclat)
    inputs, measured, predicted = _origins(*assays)
    predicted_step = _predicted_assay_step(assays)
    if predicted_step:
        steps.insert(0, predicted_step)
    return DAResult(
        approach="2o3",
        title="2 out of 3 (2o3)",
        variant="2o3",
        call=call,
        category=category,
        score=None,
        scores={},
        rule_fired=rule_fired,
        inconclusive_reason=reason,
        not_needed=not_needed,
        potency_note=NO_POTENCY_2O3,
        steps=tuple(steps),
        inputs=inputs + _log_kow_quantity(log_kow, log_kow_source),
        measured_inputs=measured,
        predicted_inputs=predicted,
        guideline=GL497_2O3,
        guideline_conformant=predicted_step is None,
    )


def _concordant_pair(outcomes: dict[str, str | None]) -> tuple[str, str, str] | None:
    for i, a in enumerate(_2O3_ORDER):
        for b in _2O3_ORDER[i + 1 :]:
            if outcomes[a] in CONCLUSIVE and outcomes[a] == outcomes[b]:
                result = outcomes[a]
                assert result is not None
                return a, b, result
    return None


def _inconclusive_reason_2o3(outcomes: dict[str, str | None]) -> str:
    conclusive = {n: o for n, o in outcomes.items() if o in CONCLUSIVE}
    missing = [n for n, o in outcomes.items() if o is None]
    unusable = [f"{n} ({o})" for n, o in outcomes.items() if o in (INCONCLUSIVE, NOT_APPLICABLE)]
    if len(conclusive) == 2:
        (a, oa), (b, ob) = conclusive.items()
        third = next(n for n in _2O3_ORDER if n not in conclusive)
        state = "was not tested" if third in missing else f"is {outcomes[third]}"
        return (
            f"{a} ({oa}) and {b} ({ob}) are discordant; the third assay, {third}, is needed but "
            f"{state}."
        )
    parts = []
    if conclusive:
        parts.append("conclusive: " + ", ".join(f"{n} ({o})" for n, o in conclusive.items()))
    if unusable:
        parts.append("not conclusive: " + ", ".join(unusable))
    if missing:
        parts.append("not tested: " + ", ".join(missing))
    return f"Fewer than two conclusive results ({'; '.join(parts)})."


# --- Integrated Testing Strategy -------------------------------------------------------------

# GL497 ITS scoring (score, rule text); thresholds as in the guideline's scoring table.
ITS_HCLAT_BANDS = ((10.0, 3), (150.0, 2), (5000.0, 1))  # MIT <= bound -> score
ITS_DPRA_MEAN_BANDS = ((42.47, 3), (22.62, 2), (6.38, 1))  # depletion >= bound -> score
ITS_DPRA_CYS_BANDS = ((98.24, 3), (23.09, 2), (13.89, 1))

# GL497 ITS: prediction from the combined score for each set of available sources.
ITS_ALL_SOURCES = "DPRA + h-CLAT + in silico"
ITS_NO_IN_SILICO = "DPRA + h-CLAT"
ITS_ONE_ASSAY = "DPRA or h-CLAT + in silico"
ITS_TABLE: dict[str, dict[int, str | None]] = {
    ITS_ALL_SOURCES: {7: "1A", 6: "1A", 5: "1B", 4: "1B", 3: "1B", 2: "1B", 1: "NC", 0: "NC"},
    ITS_NO_IN_SILICO: {6: "1A", 5: "1*", 4: "1B", 3: "1B", 2: "1B", 1: None, 0: "NC"},
    ITS_ONE_ASSAY: {4: "1*", 3: "1*", 2: "1B", 1: None, 0: None},
}
ITS_SCORE_RANGES = {"DPRA": (0, 3), "h-CLAT": (0, 3), "in silico": (0, 1)}


def its_category_all_sources(total: int) -> str:
    """Category with all three sources: 6-7 -> 1A, 2-5 -> 1B, 0-1 -> NC (GL497 ITS)."""
    return "1A" if total >= 6 else "1B" if total >= 2 else "NC"


def its_possible_categories(known_total: int, missing: str) -> set[str]:
    """Categories the complete ITS could give, for every score the missing source could have."""
    low, high = ITS_SCORE_RANGES[missing]
    return {its_category_all_sources(known_total + s) for s in range(low, high + 1)}


def its_category_by_enumeration(known_total: int, missing: str) -> str | None:
    """The reasoning behind GL497's table: conclude only where the missing source cannot change it.

    One category for every possible score -> that category; all Category 1 but 1A/1B differ ->
    ``1*``; otherwise None (inconclusive).
    """
    possible = its_possible_categories(known_total, missing)
    if len(possible) == 1:
        return possible.pop()
    if possible <= {"1A", "1B"}:
        return "1*"
    return None


def dpra_its_score(dpra: DPRAResult) -> tuple[int | None, Step]:
    """DPRA score for the ITS from the depletion values (GL497 ITS scoring table)."""
    title = "DPRA score (ITS)"
    if dpra.call in (INCONCLUSIVE, NOT_APPLICABLE):
        return None, Step(
            title,
            f"DPRA given as '{dpra.call}'.",
            "No score: the source is not available.",
            GL497_ITS_SCORES,
            "not available",
        )
    value = dpra.depletion()
    if value is None:
        return None, Step(
            title,
            f"Only a DPRA call ({dpra.call}) was given; the ITS scores the % depletion.",
            "No score without depletion values: the source is not available.",
            GL497_ITS_SCORES,
            "not available",
        )
    bands = ITS_DPRA_CYS_BANDS if dpra.cys_only else ITS_DPRA_MEAN_BANDS
    what = "Cys depletion (Cys-only)" if dpra.cys_only else "mean Cys/Lys depletion"
    score = next((s for bound, s in bands if value >= bound), 0)
    (b3, _), (b2, _), (b1, _) = bands
    low, high = DPRA_CYS_BORDERLINE if dpra.cys_only else DPRA_MEAN_BORDERLINE
    # Not verified against the GL497 text: whether a DPRA result in its borderline range changes
    # the ITS. The score is taken from the measured depletion, as NICEATM's DASS App v2.1 does
    # (it applies borderline evaluation in the 2o3 workflow only).
    borderline = (
        f" It lies in the DPRA borderline range [{low}, {high}] %; the ITS score is taken from "
        "the measured depletion (how GL497 treats a borderline DPRA in the ITS was not verified)."
        if low <= value <= high
        else ""
    )
    return score, Step(
        title,
        f"{what} {value:.2f} % -> score {score}.{borderline}",
        f"{what}: >= {b3} -> 3; >= {b2} and < {b3} -> 2; >= {b1} and < {b2} -> 1; < {b1} -> 0.",
        GL497_ITS_SCORES,
        f"score {score}",
    )


def hclat_its_score(hclat: HCLATResult, log_kow: float | None) -> tuple[int | None, Step]:
    """h-CLAT score for the ITS from the MIT; negative -> 0 unless log Kow > 3.5."""
    title = "h-CLAT score (ITS)"
    rule = "MIT (ug/mL): <= 10 -> 3; > 10 and <= 150 -> 2; > 150 and <= 5000 -> 1; negative -> 0."
    if hclat.call in (INCONCLUSIVE, NOT_APPLICABLE):
        return None, Step(
            title, f"h-CLAT given as '{hclat.call}'.", rule, GL497_ITS_SCORES, "not available"
        )
    if hclat.mit_ug_ml is not None:
        mit = hclat.mit_ug_ml
        score = next(s for bound, s in ITS_HCLAT_BANDS if mit <= bound)
        return score, Step(
            title, f"MIT {mit:g} ug/mL -> score {score}.", rule, GL497_ITS_SCORES, f"score {score}"
        )
    outcome, _ = hclat_outcome(hclat)
    if outcome != NEGATIVE:
        why = (
            "a positive h-CLAT without its MIT cannot be scored"
            if outcome == POSITIVE
            else f"the h-CLAT result is {outcome} and has no MIT"
        )
        return None, Step(title, f"No score: {why}.", rule, GL497_ITS_SCORES, "not available")
    if log_kow is not None and log_kow > HCLAT_LOG_KOW_LIMIT:
        return None, Step(
            title,
            f"Negative h-CLAT, but log Kow {log_kow:g} > {HCLAT_LOG_KOW_LIMIT}: the negative is "
            "not conclusive, so the h-CLAT source is not available.",
            f"{rule} A negative h-CLAT for log Kow > {HCLAT_LOG_KOW_LIMIT} is not conclusive.",
            f"{GL497_ITS_SCORES}; {GL497_HCLAT_LIMIT}",
            "not available",
        )
    return 0, Step(title, "Negative h-CLAT -> score 0.", rule, GL497_ITS_SCORES, "score 0")


def in_silico_its_score(in_silico: InSilicoResult) -> tuple[int | None, Step]:
    """In silico score for the ITS: positive 1, negative 0, out of domain not available."""
    title = "In silico score (ITS)"
    rule = "Positive -> 1; negative -> 0; outside the applicability domain -> not available."
    if not in_silico.in_domain:
        return None, Step(
            title,
            f"{in_silico.label}: the chemical is outside the applicability domain.",
            rule,
            GL497_ITS_SCORES,
            "not available",
        )
    if in_silico.call not in CONCLUSIVE:
        return None, Step(
            title,
            f"{in_silico.label}: prediction is '{in_silico.call or 'missing'}'.",
            rule,
            GL497_ITS_SCORES,
            "not available",
        )
    score = 1 if in_silico.call == POSITIVE else 0
    return score, Step(
        title,
        f"{in_silico.label}: {in_silico.call}, in domain -> score {score}.",
        rule,
        GL497_ITS_SCORES,
        f"score {score}",
    )


def integrated_testing_strategy(
    dpra: DPRAResult | None = None,
    hclat: HCLATResult | None = None,
    in_silico: InSilicoResult | None = None,
    log_kow: float | None = None,
    log_kow_source: str = "user",
) -> DAResult:
    """GL497 ITS DA: hazard and UN GHS potency from DPRA, h-CLAT and in silico scores.

    All three sources: 6-7 -> 1A, 2-5 -> 1B, 0-1 -> NC. With one source missing GL497 concludes
    only where the missing source cannot change the result (``1*`` = sensitiser, potency
    inconclusive); with two missing the ITS is inconclusive. ``log_kow`` (with
    ``log_kow_source``) applies GL497's h-CLAT limitation.
    """
    _check_log_kow(log_kow)
    steps: list[Step] = []
    scores: dict[str, int | None] = {"DPRA": None, "h-CLAT": None, "in silico": None}
    if dpra is not None:
        scores["DPRA"], step = dpra_its_score(dpra)
        steps.append(step)
    if hclat is not None:
        scores["h-CLAT"], step = hclat_its_score(hclat, log_kow)
        steps.append(step)
    if in_silico is not None:
        scores["in silico"], step = in_silico_its_score(in_silico)
        steps.append(step)
    for name, assay in (("DPRA", dpra), ("h-CLAT", hclat), ("in silico", in_silico)):
        if assay is None:
            title = "In silico score (ITS)" if name == "in silico" else f"{name} score (ITS)"
            steps.append(
                Step(title, f"No {name} result was given.", "", GL497_ITS_SCORES, "not available")
            )

    variant = in_silico.variant if in_silico is not None else "ITS"
    conformant = in_silico is None or in_silico.evaluated_tool is not None
    if not conformant:
        assert in_silico is not None
        steps.append(
            Step(
                "In silico tool",
                f"{in_silico.label} is not one of the in silico tools GL497 evaluated for the ITS "
                "(Derek Nexus: ITSv1; OECD QSAR Toolbox: ITSv2). Its prediction is scored the "
                "same way, but the result is not a GL497 ITS result.",
                "ITSv1 uses Derek Nexus, ITSv2 the OECD QSAR Toolbox.",
                GL497,
                "not evaluated under GL497",
            )
        )

    available = {name: s for name, s in scores.items() if s is not None}
    missing = [name for name in scores if scores[name] is None]
    total = sum(available.values()) if len(available) >= 2 else None
    category: str | None = None
    reason: str | None = None
    if total is None:
        rule_fired = "fewer than two information sources"
        reason = (
            f"Only {len(available)} of the 3 information sources is available "
            f"(missing: {', '.join(missing)}); GL497's ITS needs at least two."
        )
        steps.append(
            Step(
                "ITS decision",
                reason,
                "Two missing sources -> inconclusive.",
                GL497_ITS_TABLE,
                INCONCLUSIVE,
            )
        )
    else:
        column = (
            ITS_ALL_SOURCES
            if not missing
            else ITS_NO_IN_SILICO
            if missing == ["in silico"]
            else ITS_ONE_ASSAY
        )
        category = ITS_TABLE[column][total]
        shown = category or INCONCLUSIVE
        rule_fired = f"{column}: total score {total} -> {shown}"
        detail = " + ".join(f"{n} {s}" for n, s in available.items()) + f" = {total}. "
        if missing:
            (gone,) = missing
            low, high = ITS_SCORE_RANGES[gone]
            possible = sorted(its_possible_categories(total, gone))
            detail += (
                f"{gone} is missing: with any score it could have ({low}-{high}) the complete "
                f"total would be {total + low}-{total + high}, i.e. {' or '.join(possible)}; "
            )
            if category is None:
                detail += "the missing source could change the conclusion -> inconclusive."
                reason = (
                    f"{gone} is not available and could change the conclusion "
                    f"({' or '.join(possible)} with total {total + low}-{total + high})."
                )
            elif category == "1*":
                detail += "all are Category 1 but 1A/1B differ -> 1* (sensitiser, potency "
                detail += "inconclusive)."
            else:
                detail += f"all give {category} -> {category}."
        else:
            detail += f"All three sources available -> {category}."
        steps.append(
            Step(
                "ITS decision",
                detail,
                f"Table column '{column}': "
                + "; ".join(f"{s} -> {c or INCONCLUSIVE}" for s, c in ITS_TABLE[column].items()),
                GL497_ITS_TABLE,
                shown,
            )
        )

    if category is None:
        call, potency_note = INCONCLUSIVE, "Hazard and potency inconclusive."
    elif category == "NC":
        call, potency_note = NON_SENSITISER, "Not classified (no UN GHS category)."
    elif category == "1*":
        call = SENSITISER
        potency_note = "Sensitiser (UN GHS Category 1); potency (1A or 1B) inconclusive."
    else:
        call = SENSITISER
        potency_note = f"UN GHS Category {category}."

    assays = (dpra, hclat, in_silico)
    inputs, measured, predicted = _origins(*assays)
    predicted_step = _predicted_assay_step(assays)
    if predicted_step:
        steps.insert(0, predicted_step)
    return DAResult(
        approach="ITS",
        title="Integrated Testing Strategy (ITS)",
        variant=variant,
        call=call,
        category=category,
        score=total,
        scores=scores,
        rule_fired=rule_fired,
        inconclusive_reason=reason,
        not_needed=(),
        potency_note=potency_note,
        steps=tuple(steps),
        inputs=inputs + _log_kow_quantity(log_kow, log_kow_source),
        measured_inputs=measured,
        predicted_inputs=predicted,
        guideline=GL497_ITS_TABLE,
        guideline_conformant=conformant and predicted_step is None,
    )


_ASSAY_NAMES: dict[type[object], str] = {
    DPRAResult: "DPRA",
    KeratinoSensResult: "KeratinoSens",
    HCLATResult: "h-CLAT",
    InSilicoResult: "in silico",
}


# --- registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefinedApproach:
    """A defined approach the CLI, API and web menus list."""

    id: str
    title: str
    title_ko: str
    information_sources: tuple[str, ...]
    predicts: str
    guideline: str
    run: Callable[..., DAResult] = field(compare=False)


DEFINED_APPROACHES: Registry[DefinedApproach] = Registry(
    "defined approach", "unknown_defined_approach", InvalidInputError
)
DEFINED_APPROACHES.add(
    "2o3",
    DefinedApproach(
        "2o3",
        "2 out of 3 (2o3)",
        "2 out of 3 (3개 중 2개) 정의된 접근법",
        ("DPRA", "KeratinoSens", "h-CLAT"),
        "hazard",
        GL497_2O3,
        two_out_of_three,
    ),
)
DEFINED_APPROACHES.add(
    "its",
    DefinedApproach(
        "its",
        "Integrated Testing Strategy (ITS)",
        "통합 시험 전략 (ITS)",
        ("DPRA", "h-CLAT", "in silico (Derek Nexus or OECD QSAR Toolbox)"),
        "hazard and potency",
        GL497_ITS_TABLE,
        integrated_testing_strategy,
    ),
)


def run_defined_approach(
    approach_id: str,
    *,
    dpra: DPRAResult | None = None,
    keratinosens: KeratinoSensResult | None = None,
    hclat: HCLATResult | None = None,
    in_silico: InSilicoResult | None = None,
    log_kow: float | None = None,
) -> DAResult:
    """Run a registered DA with the inputs it uses (the others are ignored)."""
    approach = DEFINED_APPROACHES.get(approach_id)
    if approach.id == "2o3":
        return approach.run(dpra=dpra, keratinosens=keratinosens, hclat=hclat, log_kow=log_kow)
    return approach.run(dpra=dpra, hclat=hclat, in_silico=in_silico, log_kow=log_kow)
