"""Dose-response plots as SVG text: points, mean ± SD, fitted curve, confidence band, IC50.

Matplotlib's object API (no pyplot state, safe in web workers) with text kept as text in the
SVG, so labels passed in (Korean included) render with the browser's fonts. Nothing is written
to disk.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from actives.assays.dose_response.fit import DoseResponseFit  # noqa: E402
from actives.errors import InvalidInputError  # noqa: E402
from actives.reports.figures import inline_svg, svg_style  # noqa: E402

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")  # fmt: skip


def _grid(fits: Sequence[DoseResponseFit], points: int = 200) -> np.ndarray:
    low = min(f.tested_range[0] for f in fits)
    high = max(f.tested_range[1] for f in fits)
    return np.logspace(math.log10(low) - 0.3, math.log10(high) + 0.3, points)


def _x_label(fits: Sequence[DoseResponseFit], x_label: str | None) -> str:
    if x_label is not None:
        return x_label
    units = {f.unit for f in fits if f.unit}
    return f"Concentration ({units.pop()})" if len(units) == 1 else "Concentration"


def _draw(
    axes: Axes, fit: DoseResponseFit, grid: np.ndarray, colour: str, band: bool, label: str
) -> None:
    summary = fit.summary()
    axes.scatter(fit.concentrations, fit.responses, s=14, color=colour, alpha=0.45, zorder=3,
                 linewidths=0)  # fmt: skip
    axes.errorbar(
        summary["concentration"], summary["mean"], yerr=summary["sd"].fillna(0.0), fmt="o",
        color=colour, markersize=5, capsize=3, zorder=4, label=label,
    )  # fmt: skip
    low_c, high_c = fit.tested_range
    grid = grid[(grid >= low_c / 2.0) & (grid <= high_c * 2.0)]  # no curve far beyond the data
    inactive = "inactive" in fit.flag_codes
    axes.plot(grid, fit.curve(grid), color=colour, linewidth=1.6, zorder=2,
              linestyle="--" if inactive else "-")  # fmt: skip
    if band and not inactive:
        low, high = fit.band(grid)
        axes.fill_between(grid, low, high, color=colour, alpha=0.15, linewidth=0, zorder=1)
    if fit.ic50 is not None:
        level = float(fit.curve([fit.ic50])[0])
        axes.axvline(fit.ic50, color=colour, linestyle=":", linewidth=1.0, zorder=1)
        ci_low, ci_high = fit.ic50_ci
        left = ci_low if ci_low is not None else grid[0]
        right = ci_high if ci_high is not None else grid[-1]
        axes.plot([left, right], [level, level], color=colour, linewidth=3, alpha=0.6,
                  solid_capstyle="butt", zorder=5)  # fmt: skip
        axes.plot([fit.ic50], [level], marker="D", color=colour, markersize=6, zorder=6)


def _limit_y(axes: Axes, fits: Sequence[DoseResponseFit]) -> None:
    """Keep the y axis on the data (a wide band beyond the points must not flatten them)."""
    low = min(min(float(f.responses.min()), 0.0) for f in fits)
    high = max(max(float(f.responses.max()), 100.0) for f in fits)
    margin = 0.08 * (high - low)
    axes.set_ylim(low - margin, high + margin)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(svg_style()), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        warnings.filterwarnings("ignore", message="findfont", category=UserWarning)
        FigureCanvasSVG(figure)
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return inline_svg(buffer.getvalue())


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    axes.set_xscale("log")
    axes.grid(True, which="major", color="#dddddd", linewidth=0.6)
    axes.axhline(0.0, color="#999999", linewidth=0.6)
    return figure, axes


def plot_fit(
    fit: DoseResponseFit,
    *,
    title: str | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    ic50_label: str = "IC50",
    show_band: bool = True,
    width: float = 6.0,
    height: float = 4.2,
) -> str:
    """One sample: replicate points, mean ± SD, fitted curve, 95 % band and the IC50 with its
    CI (a horizontal bar at the curve's height); an SVG string."""
    figure, axes = _figure(width, height)
    grid = _grid([fit])
    colour = PALETTE[0]
    _draw(axes, fit, grid, colour, show_band, "mean ± SD")
    _limit_y(axes, [fit])
    axes.set_xlabel(_x_label([fit], x_label))
    axes.set_ylabel(y_label if y_label is not None else fit.response_label)
    axes.set_title(title if title is not None else fit.sample)
    text = (
        f"{ic50_label} {fit.ic50_text}\n{fit.model.upper()}, Hill {fit.hill:.2f}, R² {fit.r2:.3f}"
    )
    if fit.flags:
        text += "\n" + ", ".join(code.replace("_", " ") for code in fit.flag_codes)
    axes.text(0.02, 0.97, text, transform=axes.transAxes, va="top", ha="left", fontsize=8,
              bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "#cccccc"})  # fmt: skip
    return _svg(figure)


def plot_overlay(
    fits: Sequence[DoseResponseFit],
    *,
    title: str = "",
    x_label: str | None = None,
    y_label: str | None = None,
    show_band: bool = True,
    width: float = 7.0,
    height: float = 4.6,
) -> str:
    """Several samples on one axis (each with its curve, band and IC50), with a legend."""
    if not fits:
        raise InvalidInputError("No fits to plot; expected at least one fitted sample.")
    figure, axes = _figure(width, height)
    grid = _grid(fits)
    for i, fit in enumerate(fits):
        label = f"{fit.sample}: {fit.ic50_text}"
        _draw(axes, fit, grid, PALETTE[i % len(PALETTE)], show_band, label)
    _limit_y(axes, fits)
    axes.set_xlabel(_x_label(fits, x_label))
    axes.set_ylabel(y_label if y_label is not None else fits[0].response_label)
    if title:
        axes.set_title(title)
    axes.legend(fontsize=7, loc="upper left", frameon=True)
    return _svg(figure)
