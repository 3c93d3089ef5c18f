"""Template filters of the assay pages: a well's reasons and warnings in the page's language.

The library gives every reason as a code with its parameters (``actives.assays.qpcr.calls``);
here each code has its sentence for translation. A code without one (an analysis stored by a
newer version, say) shows the library's English sentence.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _sentences() -> dict[str, str]:
    return {
        "excluded": _("excluded in the file: %(note)s"),
        "curve_without_cq": _(
            "the classifier sees an amplification curve, but no exponential phase or Cq was found"
        ),
        "no_amplification": _("no amplification"),
        "late_cq": _("late Cq %(cq)s beyond the cut-off %(cutoff)s"),
        "non_sigmoid": _("non-sigmoid curve (Cq %(cq)s not trusted)"),
        "low_plateau": _(
            "low plateau: %(percent)s%% of the median plateau of %(target)s's amplified wells "
            "(limit %(limit)s%%)"
        ),
        "uncertain_shape": _("curve shape uncertain, Cq %(cq)s"),
        "amplified": _("amplified, Cq %(cq)s"),
        "control_amplified": _("%(control)s contamination: amplified at Cq %(cq)s"),
        "near_amplified_ntc": _(
            "NTC contamination: control %(control)s amplified at Cq %(control_cq)s, within "
            "%(margin)s cycles of this well's Cq %(cq)s"
        ),
        "replicate_minority": _(
            "disagrees with its replicates: %(positive)s of %(total)s wells of %(sample)s / "
            "%(target)s are positive"
        ),
        "replicates_split": _(
            "replicates disagree: %(positive)s of %(total)s wells of %(sample)s / %(target)s "
            "are positive"
        ),
        "replicate_far": _(
            "Cq %(cq)s is %(distance)s cycles from the median %(median)s of the %(n)s positive "
            "wells of %(sample)s / %(target)s (limit 2 × %(limit)s)"
        ),
        "replicate_spread": _(
            "replicate spread: Cq SD %(sd)s over %(n)s wells of %(sample)s / %(target)s exceeds "
            "%(limit)s cycles"
        ),
        "efficiency_outside": _(
            "efficiency %(efficiency)s outside %(low)s–%(high)s: Cq-based quantities are less "
            "reliable"
        ),
        "target_ntc_amplified": _("the target's NTC (%(control)s) amplified at Cq %(control_cq)s"),
    }


def _say(entry: dict[str, Any]) -> str | None:
    sentence = _sentences().get(str(entry.get("code")))
    if sentence is None:
        return None
    params = {k: str(v) for k, v in (entry.get("params") or {}).items()}
    try:
        text = sentence % params
    except (KeyError, ValueError):
        return None
    if params.get("p"):
        text += _(", curve-quality P = %(p)s") % {"p": params["p"]}
    return text


def _said(well: dict[str, Any], codes_key: str, texts_key: str) -> list[str]:
    codes = well.get(codes_key) or []
    texts = list(well.get(texts_key) or [])
    if len(codes) != len(texts):
        return texts
    return [_say(c) or t for c, t in zip(codes, texts, strict=True)]


@register.filter
def well_reason(well: dict[str, Any]) -> str:
    """A stored well's reasons as one sentence, in the page's language."""
    return "; ".join(_said(well, "reason_codes", "reasons"))


@register.filter
def well_warnings(well: dict[str, Any]) -> list[str]:
    """A stored well's warnings, in the page's language."""
    return _said(well, "warning_codes", "warnings")


def _flag_labels() -> dict[str, str]:
    return {
        "no_upper_plateau": _("no upper plateau"),
        "no_lower_plateau": _("no lower plateau"),
        "ic50_above_range": _("IC50 above the tested range"),
        "ic50_below_range": _("IC50 below the tested range"),
        "poor_fit": _("poor fit"),
        "wide_ci": _("wide confidence interval"),
        "not_converged": _("fit not converged"),
        "too_few_concentrations": _("too few concentrations"),
        "inactive": _("inactive"),
        "activation": _("activation"),
        "hormesis": _("hormesis"),
        "implausible_plateau": _("implausible plateau"),
    }


@register.filter
def flag_label(code: str) -> str:
    """A dose-response flag's short name in the page's language (its code if unknown)."""
    return _flag_labels().get(str(code), str(code).replace("_", " "))
