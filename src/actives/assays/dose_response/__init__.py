"""Dose-response analysis: plate-reader exports or tidy tables to % inhibition, 4PL/3PL fits
with IC50 and 95 % CI, plain-English flags, and SVG plots."""

from actives.assays.dose_response.fit import (
    MODELS,
    DoseResponseFit,
    FitOutcome,
    Flag,
    ModelComparison,
    fit_all,
    fit_curve,
    fit_dose_response,
    fits_table,
    logistic,
)
from actives.assays.dose_response.plot import plot_fit, plot_overlay
from actives.assays.dose_response.tables import (
    RESPONSE_KINDS,
    DosePoint,
    DoseResponseData,
    PlateControls,
    Problem,
    SampleSeries,
    read_dose_response,
    read_frame,
    read_layout,
    read_plate,
    read_table,
)

__all__ = [
    "MODELS",
    "RESPONSE_KINDS",
    "DosePoint",
    "DoseResponseData",
    "DoseResponseFit",
    "FitOutcome",
    "Flag",
    "ModelComparison",
    "PlateControls",
    "Problem",
    "SampleSeries",
    "fit_all",
    "fit_curve",
    "fit_dose_response",
    "fits_table",
    "logistic",
    "plot_fit",
    "plot_overlay",
    "read_dose_response",
    "read_frame",
    "read_layout",
    "read_plate",
    "read_table",
]
