"""Plots of an analysed plate as inline SVG: amplification curves per target with the threshold and
each well's Cq marked, coloured by call, and standard curves with their fit.

Curves are drawn baseline-corrected (raw − baseline − drift × cycle, the same correction the Cq
was read from) on a log scale, where the exponential phase is a straight line and the threshold
crossing is easy to judge.
"""

from __future__ import annotations

import math

import numpy as np

from actives.assays.qpcr.analysis import PlateAnalysis
from actives.assays.qpcr.standards import StandardCurve
from actives.reports.figures import CALL_COLOURS, figure_svg, new_figure


def amplification_svg(
    analysis: PlateAnalysis,
    target: str,
    *,
    title: str = "",
    cycle_label: str = "Cycle",
    fluorescence_label: str = "Fluorescence − baseline (log scale)",
) -> str:
    """One target's curves, coloured by call, with the threshold line and a dot at each Cq."""
    cycles = analysis.plate.cycles
    fig, ax = new_figure(6.2, 3.6)
    floor = math.inf
    for well in analysis.wells:
        if well.reaction.target != target:
            continue
        c = well.curve
        corrected = well.reaction.fluorescence - c.baseline - c.baseline_slope * cycles
        positive = corrected[np.isfinite(corrected) & (corrected > 0)]
        if positive.size:
            floor = min(floor, float(np.percentile(positive, 5)))
        colour = CALL_COLOURS.get(well.call.call, "#444")
        ax.plot(cycles, np.where(corrected > 0, corrected, np.nan), color=colour, lw=0.9, alpha=0.8)
        if well.call_cq is not None and math.isfinite(well.call_cq):
            at = float(np.interp(well.call_cq, cycles, corrected))
            if at > 0:
                ax.plot([well.call_cq], [at], "o", ms=3, color=colour)
    threshold = analysis.thresholds.get(target)
    if threshold and threshold > 0:
        ax.axhline(threshold, color="#1d4f91", lw=0.8, ls="--")
        ax.annotate(
            f"threshold {threshold:.3g}",
            (float(cycles[0]), threshold),
            textcoords="offset points",
            xytext=(2, 3),
            color="#1d4f91",
            fontsize=7,
        )
    ax.set_yscale("log")
    if math.isfinite(floor):
        ax.set_ylim(bottom=max(floor, 1e-6))
    ax.set_xlabel(cycle_label)
    ax.set_ylabel(fluorescence_label)
    ax.set_title(title or target, fontsize=9, loc="left")
    for call, colour in CALL_COLOURS.items():
        ax.plot([], [], color=colour, label=call)
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    return figure_svg(fig)


def standard_curve_svg(
    curve: StandardCurve,
    *,
    title: str = "",
    quantity_label: str = "Quantity (log scale)",
    cq_label: str = "Cq",
) -> str:
    """Mean Cq ± SD of each dilution level against log quantity, and the fitted line over the
    linear range (levels outside it drawn as crosses)."""
    fig, ax = new_figure(5.0, 3.2)
    for level in curve.levels:
        used = level.in_range
        ax.errorbar(
            [level.quantity],
            [level.mean_cq],
            yerr=[0.0 if math.isnan(level.sd_cq) else level.sd_cq],
            fmt="o" if used else "x",
            ms=4,
            color="#1b7f3b" if used else "#b3261e",
            capsize=2,
        )
    low, high = curve.linear_range
    span = np.logspace(math.log10(low), math.log10(high), 50)
    ax.plot(span, curve.intercept + curve.slope * np.log10(span), color="#1d4f91", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel(quantity_label)
    ax.set_ylabel(cq_label)
    ax.set_title(
        title or f"slope {curve.slope:.3f}, E {curve.efficiency:.1f} %, R² {curve.r2:.4f}",
        fontsize=9,
        loc="left",
    )
    return figure_svg(fig)
