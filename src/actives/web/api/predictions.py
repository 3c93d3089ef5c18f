"""API routes of predictions: models and cards, a batch of structures, one explained, file jobs."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from actives.errors import InvalidInputError
from actives.predict.predictor import EndpointReport, Predictor, resolve_structure
from actives.predict.shipped import available, find_model
from actives.web.api.auth import request_user
from actives.web.api.routes import _job_out
from actives.web.api.schemas import ErrorOut, JobOut
from actives.web.predictions import views as pages
from actives.web.predictions.services import get_predictor, model_summaries, start_batch

router = Router(tags=["predictions"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
          422: ErrorOut}  # fmt: skip
MAX_STRUCTURES = 1000


class ModelOut(Schema):
    id: str
    title: str
    function: str
    units: str
    origin: str
    n_compounds: int | None
    active_threshold: float | None
    scaffold_rmse: float | None
    scaffold_coverage: float | None
    trained_at: str


class PredictIn(Schema):
    structures: list[str] = Field(min_length=1, description="SMILES, InChI or molfiles")
    endpoints: list[str] | None = Field(None, description="Endpoint ids; default: all installed")
    confidence: float = Field(0.9, gt=0, lt=1, description="Conformal interval confidence")


class PredictOut(Schema):
    confidence: float
    pack: str | None
    endpoints: list[str]
    rows: list[dict[str, Any]]


class ExplainIn(Schema):
    structure: str = Field(description="SMILES, InChI, molfile, or a name/CAS from the data pack")
    confidence: float = Field(0.9, gt=0, lt=1)
    neighbours: int = Field(5, ge=0, le=25)


class MeasurementOut(Schema):
    inchikey: str
    smiles: str
    value: float
    relation: str
    n: int
    source_ids: list[str]
    similarity: float


class EndpointOut(Schema):
    endpoint: str
    title: str
    function: str
    units: str
    value: float
    low: float
    high: float
    p_active: float | None
    active_threshold: float | None
    in_domain: bool
    nearest_similarity: float
    domain_threshold: float
    measured: MeasurementOut | None
    neighbours: list[MeasurementOut]
    same_data_as_model: bool | None
    atom_contributions: list[float] | None
    expected_value: float | None
    absent_substructures: float | None


class ExplainOut(Schema):
    input: str
    name: str
    smiles: str
    inchikey: str
    confidence: float
    pack: str | None
    endpoints: list[EndpointOut]


def _check_endpoints(endpoints: list[str] | None) -> list[str] | None:
    if endpoints is None:
        return None
    installed = set(available())
    unknown = [e for e in endpoints if e not in installed]
    if unknown:
        raise InvalidInputError(
            f"Unknown endpoint(s) {', '.join(unknown)}; installed: {', '.join(sorted(installed))}."
        )
    return endpoints


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        if value is not None and type(value).__name__ == "NAType":
            value = None
        out[str(key)] = value
    return out


@router.get("/models", response={200: list[ModelOut], **ERRORS}, summary="Installed models")
def list_models(request: HttpRequest) -> list[ModelOut]:
    return [ModelOut(**m) for m in model_summaries()]


@router.get(
    "/models/{endpoint_id}", response={200: dict[str, Any], **ERRORS}, summary="A model card"
)
def model_card(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    return find_model(endpoint_id).card()


@router.post("", response={200: PredictOut, **ERRORS}, summary="Predict up to 1,000 structures")
def predict(request: HttpRequest, payload: PredictIn) -> PredictOut:
    if len(payload.structures) > MAX_STRUCTURES:
        raise InvalidInputError(
            f"{len(payload.structures)} structures; expected at most {MAX_STRUCTURES} per "
            "request. Send a file to /api/predictions/batch for more."
        )
    chosen = _check_endpoints(payload.endpoints)
    shared = get_predictor(payload.confidence)
    predictor = Predictor(chosen, payload.confidence, shared.pack) if chosen else shared
    table = predictor.predict(payload.structures)
    rows = [_json_safe(r) for r in json.loads(table.to_json(orient="records"))]
    return PredictOut(
        confidence=payload.confidence,
        pack=predictor.pack.version if predictor.pack is not None else None,
        endpoints=list(predictor.models),
        rows=rows,
    )


def _measurement(m: Any) -> MeasurementOut:
    return MeasurementOut(inchikey=m.inchikey, smiles=m.smiles, value=m.value,
                          relation=m.relation, n=m.n, source_ids=list(m.source_ids),
                          similarity=m.similarity)  # fmt: skip


def _endpoint_out(item: EndpointReport) -> EndpointOut:
    parts = item.contributions
    return EndpointOut(
        endpoint=item.endpoint.id,
        title=item.endpoint.title,
        function=str(item.endpoint.function),
        units=item.endpoint.units,
        value=item.value,
        low=item.low,
        high=item.high,
        p_active=item.p_active,
        active_threshold=item.endpoint.active_threshold,
        in_domain=item.in_domain,
        nearest_similarity=item.nearest_similarity,
        domain_threshold=item.domain_threshold,
        measured=_measurement(item.evidence.measured) if item.evidence.measured else None,
        neighbours=[_measurement(n) for n in item.evidence.neighbours],
        same_data_as_model=item.evidence.same_data_as_model,
        atom_contributions=list(parts.atom_weights) if parts else None,
        expected_value=parts.expected_value if parts else None,
        absent_substructures=parts.absent_substructures if parts else None,
    )


@router.post(
    "/explain", response={200: ExplainOut, **ERRORS}, summary="One structure, with its evidence"
)
def explain(request: HttpRequest, payload: ExplainIn) -> ExplainOut:
    predictor = get_predictor(payload.confidence)
    structure, name = resolve_structure(payload.structure, predictor.pack)
    report = predictor.explain(structure, neighbours=payload.neighbours)
    return ExplainOut(
        input=payload.structure,
        name=name,
        smiles=report.smiles,
        inchikey=report.inchikey,
        confidence=report.confidence,
        pack=report.pack_version,
        endpoints=[_endpoint_out(e) for e in report.endpoints],
    )


@router.post("/batch", response={202: JobOut, **ERRORS}, summary="Predict a structure file")
def batch(
    request: HttpRequest, file: File[UploadedFile], confidence: Form[float] = 0.9
) -> Status[JobOut]:
    title = gettext("Predictions for %(name)s") % {"name": Path(file.name or "").name}
    job = start_batch(file, request_user(request), confidence, title)
    return Status(202, _job_out(job))


@router.get(
    "/batch/{job_id}/download",
    response={200: None, **ERRORS},
    summary="A finished batch as csv, xlsx or sdf",
)
def download(request: HttpRequest, job_id: str, format: str = "csv") -> FileResponse:
    if format not in pages.DOWNLOAD_FORMATS:
        raise InvalidInputError(f"Format {format!r}; expected one of csv, xlsx, sdf.")
    return pages.batch_file_response(request_user(request), job_id, format)
