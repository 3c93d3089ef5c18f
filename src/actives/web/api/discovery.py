"""API routes of discovery: functions and rules, plant to actives, function to plants, extracts,
library screening and the downloads of their jobs.

Quick answers (a plant's ranked constituents, a small composition given as JSON) come back at
once; long runs (function to plants, uploaded files, screening, very large taxa) answer 202 with
a job to poll at ``/api/jobs/{id}``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import pandas as pd
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from actives.discovery.extracts import composition_table, extract_actives
from actives.discovery.functions import discoverable_functions, function_signal
from actives.discovery.ranking import RANKING_RULES
from actives.errors import InvalidInputError, NotFoundError
from actives.web.api.auth import request_user
from actives.web.api.routes import _job_out
from actives.web.api.schemas import ErrorOut, JobOut
from actives.web.catalog.services import pack_or_none
from actives.web.discovery import services
from actives.web.discovery import views as pages
from actives.web.jobs.models import Job, JobStatus
from actives.web.jobs.runner import submit_job

router = Router(tags=["discovery"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          413: ErrorOut, 422: ErrorOut, 503: ErrorOut}  # fmt: skip
MAX_CONSTITUENTS = 1000
MAX_ROWS = 5000


class EndpointBriefOut(Schema):
    id: str
    title: str
    units: str
    active_threshold: float | None


class ReferenceOut(Schema):
    name: str
    name_ko: str
    smiles: str
    basis: str
    citation: str
    note: str


class FunctionOut(Schema):
    id: str
    kind: Literal["model", "similarity"]
    description: str
    endpoints: list[EndpointBriefOut]
    references: list[ReferenceOut]


class RuleOut(Schema):
    id: str
    title: str
    description: str
    needs_permeation: bool


class SignalOut(Schema):
    function: str
    kind: str
    description: str


class PlantActivesOut(Schema):
    query: str
    rank: str
    taxon: str
    functions: list[str]
    signals: list[SignalOut]
    rule: str
    pack: str
    total: int
    rows: list[dict[str, Any]]


class PlantNotFoundOut(Schema):
    """An unknown plant: the message, its code, and the closest names in the data pack."""

    detail: str
    code: str
    suggestions: list[str]


class PlantsIn(Schema):
    function: str
    level: Literal["species", "genus"] = "species"
    sort_by: str = Field("expected_actives", description="expected_actives, fraction_actives, "
                         "best_strength")  # fmt: skip
    min_constituents: int = Field(1, ge=1)
    species: list[str] | None = Field(None, description="Rank only these species or genera")


class ConstituentIn(Schema):
    name: str | None = Field(None, description="Name, INCI, Korean name or CAS number")
    smiles: str | None = Field(None, description="Structure (SMILES or InChI)")
    abundance: float | None = Field(None, ge=0)


class ExtractIn(Schema):
    constituents: list[ConstituentIn] = Field(min_length=1)
    function: str
    basis: Literal["relative", "mass_percent"] = "relative"


class ExtractOut(Schema):
    function: str
    signal_kind: str
    signal: str
    basis: str
    equal_abundance: bool
    extract_ic50_ug_ml: float | None
    extract_ic50_range_ug_ml: list[float] | None
    unresolved: list[str]
    pack: str | None
    rows: list[dict[str, Any]]


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        table.to_json(orient="records", force_ascii=False, default_handler=str)
    )
    return records


@router.get("/functions", response={200: list[FunctionOut], **ERRORS}, summary="Functions")
def functions(request: HttpRequest) -> list[FunctionOut]:
    """Functions that can be discovered, scored by an installed model or by similarity to cited
    reference actives (a similarity signal, not a potency prediction)."""
    out = []
    for function in discoverable_functions():
        signal = function_signal(function)
        out.append(
            FunctionOut(
                id=signal.function,
                kind=signal.kind,
                description=signal.describe(),
                endpoints=[
                    EndpointBriefOut(
                        id=e.id, title=e.title, units=e.units, active_threshold=e.active_threshold
                    )  # fmt: skip
                    for e in signal.endpoints
                ],
                references=[ReferenceOut(**r.__dict__) for r in signal.references],
            )
        )
    return out


@router.get("/rules", response={200: list[RuleOut], **ERRORS}, summary="Ranking rules")
def rules(request: HttpRequest) -> list[RuleOut]:
    return [
        RuleOut(
            id=r.id, title=r.title, description=r.description, needs_permeation=r.needs_permeation
        )  # fmt: skip
        for r in RANKING_RULES
    ]


def _check_rule(rule: str) -> None:
    if rule not in RANKING_RULES:
        known = ", ".join(r.id for r in RANKING_RULES)
        raise InvalidInputError(f"Unknown ranking rule {rule!r}; expected one of {known}.")


@router.get(
    "/plants/{name}",
    response={200: PlantActivesOut, 202: JobOut, 404: PlantNotFoundOut, **{
        k: v for k, v in ERRORS.items() if k != 404}},
    summary="A plant's constituents ranked for functions",
)  # fmt: skip
def plant(
    request: HttpRequest,
    name: str,
    functions: Query[list[str]],
    rule: str = "p_active",
    limit: int = 100,
) -> Any:
    """Rank a species', genus' or family's known constituents (see the user guide for the
    columns). A taxon too large to score at once answers 202 with a job; when it is done, the
    same request answers from the cache."""
    _check_rule(rule)
    if not functions:
        raise InvalidInputError("No cosmetic function given; expected at least one (functions=).")
    chosen = [function_signal(f).function for f in dict.fromkeys(functions)]
    pack = services.require_pack()
    try:
        _rank, taxon, size = services.taxon_size(pack, name)
    except NotFoundError as exc:
        return Status(
            404,
            PlantNotFoundOut(
                detail=exc.message, code=exc.code, suggestions=pack.suggest_taxa(name)
            ),  # fmt: skip
        )
    found = services.cached_plant(pack, name, chosen, rule)
    if found is None and size > services.PLANT_INLINE_LIMIT:
        user = request_user(request)
        key = services.plant_key(pack, taxon, chosen, rule)
        job = (
            Job.objects.visible_to(user)
            .filter(kind="discover_plant", params__key=key)
            .exclude(status__in=[JobStatus.FAILED, JobStatus.DONE])
            .first()
        ) or submit_job(
            "discover_plant",
            {"name": taxon, "functions": chosen, "rule": rule, "key": key},
            user,
            title=f"{taxon}: {size:,} constituents",
        )
        return Status(202, _job_out(job))
    found = found or services.plant_result(pack, name, chosen, rule)
    limit = max(1, min(limit, MAX_ROWS))
    table = found.table.drop(columns=["parent_smiles"], errors="ignore")
    return PlantActivesOut(
        query=name,
        rank=found.rank,
        taxon=found.taxon,
        functions=found.functions,
        signals=[
            SignalOut(function=s.function, kind=s.kind, description=s.describe())
            for s in found.signals
        ],  # fmt: skip
        rule=found.rule,
        pack=found.pack_version,
        total=len(found.table),
        rows=_records(table.head(limit)),
    )


@router.post(
    "/plants-for-function", response={202: JobOut, **ERRORS}, summary="Rank plants for a function"
)
def plants_for_function(request: HttpRequest, payload: PlantsIn) -> Status[JobOut]:
    """Queue a ranking of species or genera; the job's result names the list's unmatched names,
    and ``/api/discovery/jobs/{id}/download`` gives the table."""
    job = services.start_plants(
        request_user(request),
        payload.function,
        level=payload.level,
        sort_by=payload.sort_by,
        min_constituents=payload.min_constituents,
        species=payload.species,
    )
    return Status(202, _job_out(job))


@router.post("/extract", response={200: ExtractOut, **ERRORS}, summary="Extract to actives")
def extract(request: HttpRequest, payload: ExtractIn) -> ExtractOut:
    """Each constituent's share of an extract's activity, for up to 1,000 constituents given as
    JSON (upload a file to ``/extract/file`` for more)."""
    if len(payload.constituents) > MAX_CONSTITUENTS:
        raise InvalidInputError(
            f"{len(payload.constituents):,} constituents; expected at most {MAX_CONSTITUENTS:,} "
            "per request. Upload a file to /api/discovery/extract/file for more."
        )
    frame = pd.DataFrame(
        {
            "name": [c.name or "" for c in payload.constituents],
            "smiles": [c.smiles or "" for c in payload.constituents],
            "abundance": [
                "" if c.abundance is None else str(c.abundance) for c in payload.constituents
            ],  # fmt: skip
        }
    )
    composition = composition_table(frame, source="the request")
    found = extract_actives(composition, payload.function, pack=pack_or_none(), basis=payload.basis)
    table = found.table.drop(columns=["parent_smiles"], errors="ignore")
    return ExtractOut(
        function=found.function,
        signal_kind=found.signal.kind,
        signal=found.signal.describe(),
        basis=found.basis,
        equal_abundance=found.equal_abundance,
        extract_ic50_ug_ml=found.extract_ic50_ug_ml,
        extract_ic50_range_ug_ml=list(found.extract_ic50_range_ug_ml)
        if found.extract_ic50_range_ug_ml
        else None,
        unresolved=found.unresolved,
        pack=found.pack_version,
        rows=_records(table),
    )


@router.post(
    "/extract/file", response={202: JobOut, **ERRORS}, summary="Extract to actives (a file)"
)
def extract_file(
    request: HttpRequest,
    file: File[UploadedFile],
    function: Form[str],
    basis: Form[str] = "relative",
) -> Status[JobOut]:
    """Queue the analysis of a composition file (CSV, TSV or XLSX); it is read first, so a
    file without a name or structure column, or with a non-numeric abundance, is refused."""
    job = services.start_extract(request_user(request), file, function, basis)
    return Status(202, _job_out(job))


@router.post("/screen", response={202: JobOut, **ERRORS}, summary="Screen a structure library")
def screen(
    request: HttpRequest,
    file: File[UploadedFile],
    functions: Form[str] = "",
    min_p_active: Form[float | None] = None,
    in_domain_only: Form[bool] = False,
    min_logkp: Form[float | None] = None,
    top: Form[int | None] = None,
    require_all: Form[bool] = False,
) -> Status[JobOut]:
    """Queue a screen; ``functions`` is a comma-separated list (empty: every function with an
    installed model). Download the hits, or ``format=errors`` for unreadable records."""
    chosen = [f.strip() for f in functions.split(",") if f.strip()]
    options = {"min_p_active": min_p_active, "in_domain_only": in_domain_only,
               "min_logkp": min_logkp, "top": top, "require_all": require_all}  # fmt: skip
    job = services.start_screen(request_user(request), file, chosen, options)
    return Status(202, _job_out(job))


@router.get(
    "/jobs/{job_id}/download",
    response={200: None, **ERRORS},
    summary="A finished discovery job's table: csv, xlsx or sdf (screening: also errors)",
)
def download(request: HttpRequest, job_id: str, format: str = "csv") -> FileResponse:
    if format not in (*services.DOWNLOAD_FORMATS, "errors"):
        raise InvalidInputError(f"Format {format!r}; expected one of csv, xlsx, sdf, errors.")
    return pages.job_file_response(request_user(request), job_id, format)
