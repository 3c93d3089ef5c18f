"""SVG plots of fits: one sample and an overlay, labels passed in (Korean) kept as text."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from actives.assays.dose_response import fit_curve, logistic, plot_fit, plot_overlay
from actives.errors import InvalidInputError

CONC = np.repeat([1.0, 3, 10, 30, 100, 300, 1000], 3)


def _fit(name: str, ic50: float, top: float = 100.0) -> object:
    rng = np.random.default_rng(int(ic50))
    y = logistic(np.log10(CONC), 0, top, math.log10(ic50), 1.0) + rng.normal(0, 2, CONC.size)
    return fit_curve(CONC, y, sample=name, unit="µM")


def test_plot_fit_is_svg_with_name_units_and_ic50() -> None:
    fit = _fit("Kojic acid", 25)
    svg = plot_fit(fit)  # type: ignore[arg-type]
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Kojic acid" in svg
    assert "Concentration (µM)" in svg and "% inhibition" in svg
    assert fit.ic50_text in svg  # type: ignore[attr-defined]


def test_labels_are_parameters_and_korean_stays_text() -> None:
    fit = _fit("감초 추출물", 50)
    svg = plot_fit(fit, x_label="농도 (µM)", y_label="저해율 (%)", title="티로시나제")  # type: ignore[arg-type]
    for text in ("농도 (µM)", "저해율 (%)", "티로시나제"):
        assert text in svg


def test_overlay_names_every_sample_and_inactive_has_no_ic50() -> None:
    fits = [_fit("Kojic acid", 25), _fit("Arbutin", 400), _fit("Extract X", 100, top=0)]
    svg = plot_overlay(fits, title="Tyrosinase")  # type: ignore[arg-type]
    for name in ("Kojic acid", "Arbutin", "Extract X", "&gt; 1000 µM"):
        assert name in svg
    with pytest.raises(InvalidInputError, match="No fits to plot"):
        plot_overlay([])
