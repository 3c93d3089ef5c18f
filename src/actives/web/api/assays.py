"""API routes of the assays: dose-response fits (a table or plate export, or points in JSON) and
qPCR plates (a call and its reasons for every well), plus the company's stored runs and its
measured potencies as a training table.

The analysis routes store nothing; the stored runs are those made on the web pages, read back
with the company rule (another company's run answers 404).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from actives.assays.dose_response import fit_all, read_dose_response, read_frame
from actives.assays.qpcr.analysis import QpcrSettings, analyse_plate
from actives.assays.qpcr.readers import read_plate
from actives.errors import InvalidFileError, InvalidInputError, PayloadTooLargeError
from actives.web.accounts.scoping import get_visible_or_404
from actives.web.api.auth import request_user
from actives.web.api.schemas import ErrorOut
from actives.web.assays import services
from actives.web.assays.forms import DOSE_SUFFIXES, LAYOUT_SUFFIXES, MAX_ASSAY_BYTES, QPCR_SUFFIXES
from actives.web.assays.models import DoseResponseRun, PotencyMeasurement, QpcrRun

router = Router(tags=["assays"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut,
          422: ErrorOut}  # fmt: skip
MAX_POINTS = 20_000


def _read_upload(upload: UploadedFile | None, suffixes: tuple[str, ...], what: str) -> bytes | None:
    """An upload's bytes after its suffix and size checks (None when not given)."""
    if upload is None:
        return None
    name = Path(upload.name or "").name
    if not name.lower().endswith(suffixes):
        raise InvalidFileError(
            f"{name or 'The upload'} is not a {what}; expected a file ending in "
            f"{', '.join(suffixes)}."
        )
    if upload.size is not None and upload.size > MAX_ASSAY_BYTES:
        raise PayloadTooLargeError(upload.size, MAX_ASSAY_BYTES)
    content: bytes = upload.read()
    return content


# --- dose-response -------------------------------------------------------------------------


class DosePointIn(Schema):
    sample: str = Field(min_length=1, max_length=200)
    concentration: float = Field(gt=0, description="In `unit`; must be above 0 (log scale)")
    response: float = Field(description="% inhibition, % activity or raw signal (see `response`)")
    unit: str = Field("µM", description="nM, µM, mM, M, ng/mL, µg/mL, mg/mL")
    replicate: str = ""


class DoseResponseIn(Schema):
    """Points of one or more samples, already normalised or as raw signal with controls."""

    points: list[DosePointIn] = Field(min_length=1)
    response: Literal["inhibition", "activity"] = "inhibition"
    model: Literal["auto", "4pl", "3pl"] = "auto"


class DoseResponseOut(Schema):
    """Each sample's fit (IC50 with 95 % CI, Hill slope, R², flags) and the input's notes."""

    response_kind: str
    normalisation: str
    problems: list[str]
    warnings: list[str]
    fits: list[dict[str, Any]]


def _dose_out(result: dict[str, Any]) -> dict[str, Any]:
    fits = [{k: v for k, v in fit.items() if k != "summary"} for fit in result["fits"]]
    return {**{k: result[k] for k in ("response_kind", "normalisation", "problems", "warnings")},
            "fits": fits}  # fmt: skip


@router.post(
    "/dose-response",
    response={200: DoseResponseOut, **ERRORS},
    summary="Fit dose-response points (JSON) to IC50 with 95 % CI",
)
def dose_response(request: HttpRequest, payload: DoseResponseIn) -> dict[str, Any]:
    """4PL/3PL fit of every sample; a sample that cannot be fitted gets status error and why."""
    if len(payload.points) > MAX_POINTS:
        raise InvalidInputError(
            f"{len(payload.points):,} points; expected at most {MAX_POINTS:,} per request."
        )
    frame = pd.DataFrame([p.dict() for p in payload.points])
    frame = frame.rename(columns={"response": payload.response})
    data = read_frame(frame, response=payload.response, name="request body")
    return _dose_out(services.dose_result(data, fit_all(data, model=payload.model)))


@router.post(
    "/dose-response/file",
    response={200: DoseResponseOut, **ERRORS},
    summary="Fit a dose-response table or plate-reader export (with its layout)",
)
def dose_response_file(
    request: HttpRequest,
    file: File[UploadedFile],
    layout: File[UploadedFile | None] = None,
    response: Form[Literal["auto", "inhibition", "activity", "signal"]] = "auto",
    model: Form[Literal["auto", "4pl", "3pl"]] = "auto",
) -> dict[str, Any]:
    """A tidy table (sample, concentration, response) or a plate export with a layout file."""
    data_bytes = _read_upload(file, DOSE_SUFFIXES, "dose-response table")
    layout_bytes = _read_upload(layout, LAYOUT_SUFFIXES, "plate layout")
    data = read_dose_response(
        data_bytes or b"",
        layout_bytes,
        response=response,
        name=Path(file.name or "upload").name,
        layout_name=Path(layout.name or "layout").name if layout else None,
    )
    return _dose_out(services.dose_result(data, fit_all(data, model=model)))


class DoseRunOut(Schema):
    id: int
    name: str
    assay: str
    file: str
    created_at: str
    result: dict[str, Any]


@router.get("/dose-response/runs", response={200: list[DoseRunOut], **ERRORS})
def dose_runs(request: HttpRequest, limit: int = 50) -> list[dict[str, Any]]:
    """The company's dose-response runs, newest first (fits without plots)."""
    runs = DoseResponseRun.objects.visible_to(request_user(request))[: max(1, min(limit, 200))]
    return [_dose_run_out(run) for run in runs]


@router.get("/dose-response/runs/{run_id}", response={200: DoseRunOut, **ERRORS})
def dose_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """One stored dose-response run."""
    return _dose_run_out(
        get_visible_or_404(DoseResponseRun.objects.all(), request_user(request), pk=run_id)
    )


def _dose_run_out(run: DoseResponseRun) -> dict[str, Any]:
    result = {k: v for k, v in (run.result or {}).items() if k not in ("plots", "overlay")}
    return {"id": run.pk, "name": run.name, "assay": run.assay, "file": run.source.name,
            "created_at": run.created_at.isoformat(), "result": result}  # fmt: skip


class PotencyOut(Schema):
    smiles: str
    ic50_uM: float = Field(description="IC50 in µM (mass units converted by molecular weight)")
    relation: str
    id: str
    assay: str
    run: str
    note: str


class TrainingTableOut(Schema):
    rows: list[PotencyOut]
    not_used: list[str] = Field(description="Potencies that cannot train, and why")


@router.get("/potencies", response={200: TrainingTableOut, **ERRORS})
def potencies(request: HttpRequest, assay: str = "") -> dict[str, Any]:
    """The company's measured potencies with structures as training rows (µM): the table
    `actives models train` reads."""
    measured = PotencyMeasurement.objects.visible_to(request_user(request))
    table, problems = services.training_rows(measured, assay.strip() or None)
    rows = json.loads(table.rename(columns={"IC50 (uM)": "ic50_uM"}).to_json(orient="records"))
    return {"rows": rows, "not_used": problems}


# --- qPCR ----------------------------------------------------------------------------------


class QpcrOut(Schema):
    """The plate, its settings, call counts, thresholds, standard curves and every well."""

    plate: dict[str, Any]
    settings: dict[str, Any]
    summary: dict[str, int]
    thresholds: dict[str, float | None]
    standard_curves: dict[str, Any]
    quality_model: dict[str, Any] | None
    warnings: list[str]
    seconds: float
    wells: list[dict[str, Any]]


@router.post(
    "/qpcr",
    response={200: QpcrOut, **ERRORS},
    summary="Analyse a qPCR plate: Cq, efficiency and a call with its reason for every well",
)
def qpcr(
    request: HttpRequest,
    file: File[UploadedFile],
    layout: File[UploadedFile | None] = None,
    settings: Form[str] = "{}",
    experiment: Form[str] = "",
    run: Form[str] = "",
) -> dict[str, Any]:
    """RDML, or a Bio-Rad CFX / QuantStudio / LightCycler export, or a wide table; an optional
    layout file assigns samples, types (unkn, std, ntc…), targets and quantities. ``settings``
    is JSON, e.g. ``{"calls": {"cq_cutoff": 38}, "cq_method": "sdm", "thresholds":
    {"GAPDH": 0.2}}``. ``experiment`` and ``run`` choose a run of an RDML file with several
    (the first otherwise; an unknown one is answered with the runs the file holds)."""
    try:
        options = json.loads(settings or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"settings is not JSON ({exc.msg} at character {exc.pos}); expected an object such "
            'as {"calls": {"cq_cutoff": 38}}.'
        ) from None
    if not isinstance(options, dict):
        raise InvalidInputError(f"settings is {type(options).__name__}; expected a JSON object.")
    chosen = QpcrSettings.from_mapping(options)
    data = _read_upload(file, QPCR_SUFFIXES, "qPCR file")
    layout_bytes = _read_upload(layout, LAYOUT_SUFFIXES, "plate layout")
    plate = read_plate(
        data or b"",
        filename=Path(file.name or "upload").name,
        layout=layout_bytes,
        layout_filename=Path(layout.name or "layout").name if layout else None,
        experiment=experiment or None,
        run=run or None,
    )
    return analyse_plate(plate, chosen).as_dict()


class QpcrRunOut(Schema):
    id: int
    name: str
    file: str
    instrument: str
    created_at: str
    result: dict[str, Any]


@router.get("/qpcr/runs", response={200: list[QpcrRunOut], **ERRORS})
def qpcr_runs(request: HttpRequest, limit: int = 50) -> list[dict[str, Any]]:
    """The company's qPCR runs, newest first."""
    runs = QpcrRun.objects.visible_to(request_user(request))[: max(1, min(limit, 200))]
    return [_qpcr_run_out(run) for run in runs]


@router.get("/qpcr/runs/{run_id}", response={200: QpcrRunOut, **ERRORS})
def qpcr_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """One stored qPCR run with its analysis."""
    return _qpcr_run_out(
        get_visible_or_404(QpcrRun.objects.all(), request_user(request), pk=run_id)
    )


def _qpcr_run_out(run: QpcrRun) -> dict[str, Any]:
    return {"id": run.pk, "name": run.name, "file": run.source.name, "instrument": run.instrument,
            "created_at": run.created_at.isoformat(), "result": run.result or {}}  # fmt: skip
