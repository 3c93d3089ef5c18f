"""What the assay pages and API routes share: storing uploads, running the library's analyses
on a stored run, and shaping the answers (plate grid, plots) for templates.

The science is in :mod:`actives.assays`; this module only reads the stored file, calls it, and
writes the answer back in one transaction, so a failed analysis never leaves a half-written run.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import pandas as pd
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from actives.assays.dose_response import (
    DoseResponseData,
    FitOutcome,
    fit_all,
    read_dose_response,
)
from actives.assays.potency import PotencyRecord, training_table
from actives.assays.qpcr.analysis import PlateAnalysis, QpcrSettings, analyse_plate, wells_frame
from actives.assays.qpcr.calls import CONTROL_TYPES
from actives.assays.qpcr.plate import Plate
from actives.assays.qpcr.readers import list_rdml_runs, read_plate
from actives.errors import ActivesError, NotFoundError
from actives.web.accounts.models import Company
from actives.web.assays.models import (
    AssayFile,
    DoseResponseRun,
    PotencyMeasurement,
    QpcrAssay,
    QpcrRun,
)

ROW_LETTERS = string.ascii_uppercase


def store_file(upload: UploadedFile[Any] | None) -> AssayFile | None:
    """Keep an uploaded file's bytes (with their checksum) for later re-analysis."""
    if upload is None:
        return None
    content = upload.read()
    return AssayFile.objects.create(
        name=(upload.name or "upload")[:255],
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def stored_file(upload: UploadedFile[Any]) -> AssayFile:
    """Keep a required upload (see :func:`store_file`)."""
    stored = store_file(upload)
    assert stored is not None
    return stored


def file_bytes(stored: AssayFile | None) -> bytes | None:
    """A stored file's content as bytes (databases hand back memoryview)."""
    return None if stored is None else bytes(stored.content)


# --- qPCR --------------------------------------------------------------------------------------


def qpcr_plate(run: QpcrRun) -> Plate:
    """The run's plate, read again from its stored file (and layout)."""
    return read_plate(
        file_bytes(run.source) or b"",
        filename=run.source.name,
        layout=file_bytes(run.layout),
        layout_filename=run.layout.name if run.layout else None,
        experiment=run.rdml_experiment or None,
        run=run.rdml_run or None,
    )


def rdml_runs(run: QpcrRun) -> list[tuple[str, str]]:
    """The (experiment, run) pairs of the run's RDML file; empty for other files."""
    if not run.source.name.lower().endswith((".rdml", ".xml")):
        return []
    try:
        return list_rdml_runs(file_bytes(run.source) or b"", filename=run.source.name)
    except ActivesError:
        return []


def analyse_qpcr(run: QpcrRun, settings: QpcrSettings | None = None) -> PlateAnalysis:
    """Analyse a stored run with its (or new) settings; the caller saves the answer."""
    settings = settings or QpcrSettings.from_mapping(run.settings)
    return analyse_plate(qpcr_plate(run), settings)


@transaction.atomic
def save_qpcr_analysis(run: QpcrRun, analysis: PlateAnalysis) -> QpcrRun:
    """Store an analysis and the settings it was made with, together."""
    run.settings = analysis.settings.as_dict()
    run.result = analysis.as_dict()
    run.instrument = analysis.plate.instrument[:200]
    if analysis.plate.source_format == "rdml":
        run.rdml_experiment = analysis.plate.metadata.get("experiment", "")[:200]
        run.rdml_run = analysis.plate.metadata.get("run", "")[:200]
        # the file's runs, listed once here rather than on every view of the page
        run.result["plate"]["rdml_runs"] = [list(pair) for pair in rdml_runs(run)]
    run.save()
    return run


ASSAY_KEYS = ("calls", "cq_method", "efficiency", "use_quality_model")


@transaction.atomic
def save_assay(user: Any, name: str, run: QpcrRun) -> QpcrAssay:
    """Keep a run's Cq method and cut-offs as a named assay of the user's company (a run's
    samples, thresholds and calibrator are its own, so they are not part of the assay)."""
    settings = {k: v for k, v in (run.settings or {}).items() if k in ASSAY_KEYS}
    QpcrSettings.from_mapping(settings)  # refuse what the analysis would refuse
    assay, _created = QpcrAssay.objects.update_or_create(
        company=run.company, name=name, defaults={"settings": settings, "created_by": user}
    )
    return assay


def plate_grid(result: dict[str, Any]) -> dict[str, Any]:
    """Rows × columns of the plate for the plate view; a well shows each of its targets' calls."""
    plate = result.get("plate", {})
    rows, columns = int(plate.get("rows") or 8), int(plate.get("columns") or 12)
    by_well: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for well in result.get("wells", []):
        by_well[str(well["well"]).upper()].append(well)
    grid = []
    for r in range(rows):
        letter = ROW_LETTERS[r] if r < len(ROW_LETTERS) else f"R{r + 1}"
        cells = []
        for c in range(1, columns + 1):
            name = f"{letter}{c}"
            wells = by_well.get(name, [])
            calls = {w["call"] for w in wells}
            worst = (
                "inconclusive"
                if "inconclusive" in calls
                else "positive"
                if "positive" in calls
                else "negative"
                if calls
                else "empty"
            )
            alert = any(
                w["sample_type"] in CONTROL_TYPES and w["call"] == "positive" for w in wells
            )
            cells.append({"name": name, "wells": wells, "call": worst, "alert": alert})
        grid.append({"letter": letter, "cells": cells})
    return {"columns": list(range(1, columns + 1)), "rows": grid}


def qpcr_plots(run: QpcrRun) -> dict[str, list[dict[str, str]]]:
    """The run's curves per target and its standard curves as SVG (re-read from the file)."""
    from django.utils.translation import gettext as _

    from actives.assays.qpcr.plots import amplification_svg, standard_curve_svg

    analysis = analyse_qpcr(run)
    targets = sorted({w.reaction.target for w in analysis.wells})
    curves = [
        {
            "title": target,
            "svg": amplification_svg(
                analysis,
                target,
                cycle_label=_("Cycle"),
                fluorescence_label=_("Fluorescence − baseline (log scale)"),
            ),
        }
        for target in targets
    ]
    standards = [
        {
            "target": target,
            "svg": standard_curve_svg(
                curve, quantity_label=_("Quantity (log scale)"), cq_label="Cq"
            ),
        }
        for target, curve in sorted(analysis.standard_curves.items())
    ]
    return {"curves": curves, "standards": standards}


def wells_table(result: dict[str, Any]) -> pd.DataFrame:
    """Every well of a stored analysis as a table."""
    return wells_frame(result.get("wells", []))


# --- measured potencies → training ---------------------------------------------------------------


def _records(measurements: Iterable[PotencyMeasurement]) -> list[PotencyRecord]:
    return [
        PotencyRecord(
            sample=m.sample,
            assay=m.assay,
            run=m.run.name,
            smiles=m.smiles,
            relation=m.relation,
            ic50=m.ic50,
            units=m.units,
        )
        for m in measurements
    ]


def _for_training(measurements: Any, assay: str | None) -> Any:
    chosen = measurements.filter(use_for_training=True).select_related("run")
    return chosen.filter(assay__icontains=assay) if assay else chosen


def potency_records(assay: str, company: str | None = None) -> list[PotencyRecord]:
    """Every stored potency for training whose assay contains ``assay`` (CLI: all companies,
    or the named one)."""
    measurements = PotencyMeasurement.objects.all()
    if company:
        if not Company.objects.filter(name=company).exists():
            known = ", ".join(Company.objects.values_list("name", flat=True)[:20]) or "none"
            raise NotFoundError(f"No company named {company!r}; known: {known}.")
        measurements = measurements.filter(company__name=company)
    return _records(_for_training(measurements, assay))


def training_rows(measurements: Any, assay: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The visible potencies as the table `actives models train` reads, and why others are out."""
    return training_table(_records(_for_training(measurements, assay)))


# --- dose-response -----------------------------------------------------------------------------


def dose_result(data: DoseResponseData, outcomes: list[FitOutcome]) -> dict[str, Any]:
    """The JSON answer of a dose-response analysis (stored with a run, returned by the API)."""
    from django.utils.translation import gettext as _

    from actives.assays.dose_response import plot_fit, plot_overlay

    fits: list[dict[str, Any]] = []
    plots: dict[str, str] = {}
    for outcome in outcomes:
        row: dict[str, Any] = {
            "sample": outcome.sample,
            "status": outcome.status,
            "message": outcome.message,
        }
        if outcome.fit is not None:
            row.update(outcome.fit.as_dict())
            row["summary"] = json.loads(outcome.fit.summary().to_json(orient="records"))
            plots[outcome.sample] = plot_fit(outcome.fit, y_label=_("Inhibition (%)"))
        fits.append(row)
    fitted = [o.fit for o in outcomes if o.fit is not None]
    return {
        "source": data.source,
        "source_format": data.source_format,
        "response_kind": data.response_kind,
        "normalisation": data.normalisation,
        "controls": [asdict(c) for c in data.controls],
        "problems": [str(p) for p in data.problems],
        "warnings": list(data.warnings),
        "fits": fits,
        "plots": plots,
        "overlay": plot_overlay(fitted, y_label=_("Inhibition (%)")) if len(fitted) > 1 else "",
    }


def analyse_dose_run(run: DoseResponseRun) -> dict[str, Any]:
    """Read a stored dose-response run, fit every sample, store the answer and its potencies."""
    settings = run.settings or {}
    data = read_dose_response(
        file_bytes(run.source) or b"",
        file_bytes(run.layout),
        response=settings.get("response", "auto"),
        name=run.source.name,
        layout_name=run.layout.name if run.layout else None,
    )
    outcomes = fit_all(data, model=settings.get("model", "auto"))
    result = dose_result(data, outcomes)
    with transaction.atomic():
        run.result = result
        run.save()
        run.potencies.all().delete()
        for outcome in outcomes:
            if outcome.fit is None:
                continue
            fit = outcome.fit
            relation = fit.ic50_qualifier or "="
            low, high = fit.tested_range
            value = {">": high, "<": low}.get(fit.ic50_qualifier, fit.ic50)
            PotencyMeasurement.objects.create(
                company=run.company,
                run=run,
                sample=outcome.sample[:200],
                assay=run.assay,
                relation=relation,
                ic50=value,
                ci_low=fit.ic50_ci[0] if relation == "=" else None,
                ci_high=fit.ic50_ci[1] if relation == "=" else None,
                units=fit.unit,
                hill=fit.hill,
                r_squared=fit.r2,
                flags=[f.code for f in fit.flags],
                use_for_training=value is not None,
            )
    return result


def fits_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per sample of a stored result, for CSV/Excel."""
    rows = []
    for fit in result.get("fits", []):
        ci = fit.get("ic50_ci") or [None, None]
        params = fit.get("parameters") or {}
        rows.append(
            {
                "sample": fit.get("sample"),
                "status": fit.get("status"),
                "message": fit.get("message"),
                "ic50": fit.get("ic50"),
                "ic50_qualifier": fit.get("ic50_qualifier"),
                "ic50_ci_low": ci[0],
                "ic50_ci_high": ci[1],
                "ic50_text": fit.get("ic50_text"),
                "unit": fit.get("unit"),
                "model": fit.get("model"),
                "hill": fit.get("hill"),
                "bottom": params.get("bottom"),
                "top": params.get("top"),
                "r2": fit.get("r2"),
                "n_points": fit.get("n_points"),
                "flags": "; ".join(f["message"] for f in fit.get("flags") or []),
            }
        )
    return rows


def dose_plots(run: DoseResponseRun) -> dict[str, str]:
    """The stored SVG plot of each sample."""
    return dict((run.result or {}).get("plots") or {})
