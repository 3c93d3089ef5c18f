"""Discovery pages: plant to actives (with dossier), function to plants, extract, screening.

Views validate input, call :mod:`actives.discovery` (directly, or through a background job for
long runs) and render what comes back; the shaping is in :mod:`.services`.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

import pandas as pd
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from actives.discovery.plants import PlantActives
from actives.errors import (
    ActivesError,
    DataPackMissingError,
    InvalidFileError,
    InvalidInputError,
    NotFoundError,
)
from actives.knowledge import DataPack
from actives.web.accounts.models import User, current_user
from actives.web.accounts.scoping import get_visible_or_404
from actives.web.catalog.services import pack_or_none, structure_svg
from actives.web.core.pdf import pdf_response
from actives.web.discovery import kinds
from actives.web.discovery.forms import (
    ExtractForm,
    PlantForm,
    PlantsForm,
    ScreenForm,
    TableViewForm,
)
from actives.web.discovery.services import (
    DOSSIER_TOP,
    DOWNLOAD_FORMATS,
    PLANT_INLINE_LIMIT,
    PLANT_ROWS_SHOWN,
    RANK_LABELS,
    TableView,
    compound_rows,
    discovery_folder,
    export_table,
    file_slug,
    function_choices,
    function_label,
    plant_key,
    plant_result,
    require_pack,
    rule_description,
    rule_title,
    scatter_chart,
    share_bars,
    signal_info,
    start_extract,
    start_plants,
    start_screen,
    table_file_response,
    taxon_size,
    view_table,
)
from actives.web.jobs.models import Job, JobStatus
from actives.web.jobs.results import finished_job_file
from actives.web.jobs.runner import submit_job

PLANT_EXAMPLES = ("Camellia sinensis", "Morus alba", "Panax ginseng", "Glycyrrhiza glabra",
                  "Centella asiatica", "Morus", "Moraceae")  # fmt: skip
JOB_KINDS = ("discover_plant", "discover_plants", "discover_extract", "discover_screen")
RESULT_FILES = {
    "discover_plants": (kinds.PLANTS_RESULT, ("csv", "xlsx")),
    "discover_extract": (kinds.EXTRACT_RESULT, DOWNLOAD_FORMATS),
    "discover_screen": (kinds.SCREEN_RESULT, DOWNLOAD_FORMATS),
}
RESULT_ROWS_SHOWN = 300


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The four ways in, the functions and how each is scored, and your recent discovery jobs."""
    from actives.discovery.functions import function_signal

    signals = []
    for value, _label in function_choices():
        signals.append(signal_info(function_signal(value)))
    return render(
        request,
        "discovery/index.html",
        {
            "form": PlantForm(
                initial={"rule": "p_active", "functions": ["antioxidant", "whitening"]}
            ),
            "signals": signals,
            "examples": _examples(),
            "jobs": Job.objects.visible_to(current_user(request)).filter(kind__in=JOB_KINDS)[:10],
            "pack": pack_or_none(),
        },
    )


# -- plant to actives ------------------------------------------------------------------------


def _examples(limit: int = 4) -> list[str]:
    """Example plants that the current data pack knows (none without a pack)."""
    pack = pack_or_none()
    if pack is None:
        return []
    found = []
    for name in PLANT_EXAMPLES:
        try:
            found.append(pack.resolve_taxon(name)[1])
        except ActivesError:
            continue
        if len(found) == limit:
            break
    return found


def _plant_query(data: dict[str, Any]) -> str:
    """The query string of a plant request (name, functions, rule) for links."""
    return urlencode(
        [("name", data["name"])]
        + [("functions", f) for f in data["functions"]]
        + [("rule", data["rule"])]
    )


def _plant_or_error(
    request: HttpRequest, form: PlantForm
) -> tuple[PlantActives | None, HttpResponse | None, dict[str, Any]]:
    """The ranked plant, or the response to give instead (form errors, unknown plant, job)."""
    context: dict[str, Any] = {"form": form, "examples": _examples()}
    if not form.is_valid():
        return None, render(request, "discovery/plant.html", context, status=400), context
    data = form.cleaned_data
    name, functions, rule = data["name"], list(data["functions"]), data["rule"]
    try:
        pack = require_pack()
    except DataPackMissingError as exc:
        context["error"] = exc.message
        return None, render(request, "discovery/plant.html", context, status=409), context
    context["pack"] = pack
    try:
        rank, taxon, size = taxon_size(pack, name)
    except NotFoundError:
        error = _("No plant species, genus or family called “%(name)s” in data pack %(pack)s.")
        context.update(
            error=error % {"name": name, "pack": pack.version},
            suggestions=pack.suggest_taxa(name),
            query=name,
        )
        return None, render(request, "discovery/plant.html", context, status=404), context
    except InvalidInputError as exc:
        context["error"] = exc.message
        return None, render(request, "discovery/plant.html", context, status=400), context
    from actives.web.discovery.services import cached_plant

    found = cached_plant(pack, name, functions, rule)
    if found is None and size > PLANT_INLINE_LIMIT:
        return None, _plant_job(request, pack, taxon, functions, rule, size), context
    try:
        found = found or plant_result(pack, name, functions, rule)
    except ActivesError as exc:
        context["error"] = exc.message
        return None, render(request, "discovery/plant.html", context, status=422), context
    return found, None, context


def _plant_job(
    request: HttpRequest, pack: DataPack, taxon: str, functions: list[str], rule: str, size: int
) -> HttpResponseRedirect:
    """A large taxon is scored on the worker; an unfinished job for the same request is reused."""
    user = current_user(request)
    key = plant_key(pack, taxon, functions, rule)
    running = (
        Job.objects.visible_to(user)
        .filter(kind="discover_plant", params__key=key)
        .exclude(status__in=[JobStatus.FAILED, JobStatus.DONE])
        .first()
    )
    if running is None:
        title = _("%(plant)s: %(n)s constituents for %(functions)s") % {
            "plant": taxon,
            "n": f"{size:,}",
            "functions": ", ".join(function_label(f) for f in functions),
        }
        params = {"name": taxon, "functions": functions, "rule": rule, "key": key}
        running = submit_job("discover_plant", params, user, title=title)
    return redirect("jobs:detail", job_id=running.pk)


def _view_from(request: HttpRequest, found: PlantActives) -> tuple[TableView, TableViewForm]:
    choices = [(f, function_label(f)) for f in found.functions]
    form = TableViewForm(request.GET, functions=choices)
    data = form.cleaned_data if form.is_valid() else {}
    focus = data.get("focus") or found.functions[0]
    sort = str(data.get("sort") or "")
    descending = (
        data.get("dir") == "desc"
        if data.get("dir")
        else sort not in ("", "name") and not sort.endswith("_rank")
    )
    view = TableView(
        focus=focus,
        sort=sort,
        descending=descending,
        in_domain_only=bool(data.get("in_domain")),
        evidence=str(data.get("evidence") or ""),
        min_p=data.get("min_p"),
    )
    return view, form


def _headers(
    request: HttpRequest, view: TableView, table: pd.DataFrame, found: PlantActives
) -> dict[str, Any]:
    """Sort links for the table's columns, keeping the other parameters of the request."""
    base = request.GET.copy()
    for key in ("sort", "dir"):
        base.pop(key, None)
    current = view.sort_column(table)

    def link(column: str, first_descending: bool) -> dict[str, Any]:
        active = column == current
        descending = not view.descending if active else first_descending
        query = base.copy()
        query["sort"], query["dir"] = column, "desc" if descending else "asc"
        arrow = ("▼" if view.descending else "▲") if active else ""
        return {"url": "?" + query.urlencode(), "active": active, "arrow": arrow}

    headers: dict[str, Any] = {
        "name": link("name", False),
        "logkp": link("logkp", True),
        "np_score": link("np_score", True),
        "functions": {},
    }
    for signal in found.signals:
        f = signal.function
        strength = f"{f}_potency" if signal.kind == "model" else f"{f}_similarity"
        headers["functions"][f] = {
            "rank": link(f"{f}_rank", False),
            "strength": link(strength, True),
            "p_active": link(f"{f}_p_active", True) if signal.kind == "model" else None,
        }
    return headers


@login_required
def plant(request: HttpRequest) -> HttpResponse:
    """A plant's constituents ranked for the chosen functions: table, chart, downloads."""
    if "name" not in request.GET and "functions" not in request.GET:
        form = PlantForm(initial={"rule": "p_active", "functions": ["antioxidant"]})
        return render(
            request,
            "discovery/plant.html",
            {"form": form, "examples": _examples(), "pack": pack_or_none()},
        )
    form = PlantForm(request.GET)
    found, response, context = _plant_or_error(request, form)
    if response is not None:
        return response
    assert found is not None
    view, view_form = _view_from(request, found)
    shown = view_table(found.table, view, found.signals)
    focus_signal = next(s for s in found.signals if s.function == view.focus)
    query = _plant_query(form.cleaned_data)
    try:
        limit = max(PLANT_ROWS_SHOWN, min(int(request.GET.get("rows", PLANT_ROWS_SHOWN)), 1000))
    except ValueError:
        limit = PLANT_ROWS_SHOWN
    more = request.GET.copy()
    more["rows"] = str(min(limit * 3, 1000))
    headers = _headers(request, view, found.table, found)
    signals = [signal_info(s) for s in found.signals]
    for info in signals:
        info["sort"] = headers["functions"][info["function"]]
    context.update(
        found=found,
        rank_label=RANK_LABELS.get(found.rank, found.rank),
        signals=signals,
        focus=signal_info(focus_signal),
        rule_title=rule_title(found.rule),
        rule_description=rule_description(found.rule),
        view=view,
        view_form=view_form,
        total=len(found.table),
        matching=len(shown),
        rows=compound_rows(shown, found.signals, limit),
        more_url="?" + more.urlencode() if limit < 1000 else "",
        chart=scatter_chart(shown, focus_signal),
        headers=headers,
        query=query,
        view_query=request.GET.urlencode(),
        formats=DOWNLOAD_FORMATS,
        filtered=view.in_domain_only or bool(view.evidence) or view.min_p is not None,
    )
    return render(request, "discovery/plant.html", context)


@login_required
def plant_download(request: HttpRequest, fmt: str) -> HttpResponse | FileResponse:
    """The plant's ranked table, filtered and sorted as on the page, as CSV, Excel or SD file."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404(_("Downloads are CSV, XLSX or SDF."))
    form = PlantForm(request.GET)
    found, response, _context = _plant_or_error(request, form)
    if response is not None:
        return response
    assert found is not None
    view, _form = _view_from(request, found)
    shown = view_table(found.table, view, found.signals)
    metadata = {
        "plant": f"{found.taxon} ({found.rank})",
        "ranking rule": f"{found.rule}: {found.rule and rule_title(found.rule)}",
        "data pack": found.pack_version,
        **{f"signal {s.function}": s.describe() for s in found.signals},
        **view.describe(),
    }
    filename = f"{file_slug(found.taxon)}_actives_{found.pack_version}.{fmt}"
    return table_file_response(export_table(shown), metadata, fmt, filename)


def _svg_data_uri(smiles: str) -> str:
    svg = structure_svg(smiles, 200, 150) if smiles else ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else ""


def _dossier_context(request: HttpRequest) -> tuple[dict[str, Any] | None, HttpResponse | None]:
    """What the dossier shows; with no functions chosen, every discoverable function."""
    data = request.GET.copy()
    if not data.getlist("functions"):
        data.setlist("functions", [f for f, _label in function_choices()])
    form = PlantForm(data)
    found, response, _context = _plant_or_error(request, form)
    if response is not None:
        return None, response
    assert found is not None
    try:
        top = max(1, min(int(request.GET.get("top", DOSSIER_TOP)), 25))
    except ValueError:
        top = DOSSIER_TOP
    pack = require_pack()
    sections = []
    for signal in found.signals:
        f = signal.function
        ranked = found.table.sort_values(f"{f}_rank", kind="stable", na_position="last")
        ranked = ranked[ranked[f"{f}_rank"].notna()].head(top)
        rows = compound_rows(ranked, [signal])
        for row in rows:
            row["picture"] = _svg_data_uri(row["smiles"])
            row["cell"] = row["cells"][0]
        sections.append({"signal": signal_info(signal), "rows": rows})
    from actives.reports.pdf import korean_font

    info = pack.info()
    context = {
        "found": found,
        "rank_label": RANK_LABELS.get(found.rank, found.rank),
        "sections": sections,
        "top": top,
        "top_choices": [3, 5, 10, 15, 25],
        "rule_title": rule_title(found.rule),
        "rule_description": rule_description(found.rule),
        "pack_version": found.pack_version,
        "pack_built": str(info.get("built_at", ""))[:19],
        "pack_sources": sorted((info.get("sources") or {}).keys())
        if isinstance(info.get("sources"), dict)
        else [],
        "generated": timezone.localtime(),
        "query": _plant_query(form.cleaned_data),
        "korean_font": korean_font(),
        "user_name": current_user(request).username,
    }
    return context, None


@login_required
def dossier(request: HttpRequest) -> HttpResponse:
    """A plant's candidate dossier: top actives per function with their evidence."""
    context, response = _dossier_context(request)
    if response is not None:
        return response
    return render(request, "discovery/dossier.html", context)


@login_required
def dossier_pdf(request: HttpRequest) -> HttpResponse:
    """The candidate dossier printed to PDF (offline; Korean with an installed CJK font)."""
    context, response = _dossier_context(request)
    if response is not None:
        return response
    assert context is not None
    found = context["found"]
    filename = f"{file_slug(found.taxon)}_dossier_{found.pack_version}.pdf"
    return pdf_response(request, "discovery/dossier_pdf.html", context, filename)


# -- jobs: function to plants, extract, screening -------------------------------------------


def _recent(request: HttpRequest, kind: str) -> Any:
    return Job.objects.visible_to(current_user(request)).filter(kind=kind)[:8]


@login_required
def plants(request: HttpRequest) -> HttpResponse:
    """Function to plants: the form; a valid one starts the ranking job."""
    template = "discovery/plants.html"
    context: dict[str, Any] = {"jobs": _recent(request, "discover_plants"), "pack": pack_or_none()}
    if request.method != "POST":
        context["form"] = PlantsForm(
            initial={"level": "species", "sort_by": "expected_actives", "min_constituents": 1}
        )
        return render(request, template, context)
    form = PlantsForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    try:
        job = start_plants(
            current_user(request),
            data["function"],
            level=data["level"],
            sort_by=data["sort_by"],
            min_constituents=data["min_constituents"],
            species_upload=data.get("species_file"),
        )
    except ActivesError as exc:
        return _refused(request, template, context, form, exc, "species_file")
    return redirect("jobs:detail", job_id=job.pk)


def _refused(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    form: forms.Form,
    exc: ActivesError,
    file_field: str,
) -> HttpResponse:
    """The form again with the library's message: on the file field for a file problem."""
    if isinstance(exc, DataPackMissingError):
        form.add_error(None, exc.message)
        return render(request, template, context, status=409)
    form.add_error(file_field if isinstance(exc, InvalidFileError) else None, exc.message)
    return render(request, template, context, status=400)


def _finished(user: User, job_id: str | UUID, kind: str) -> tuple[Job, Path]:
    """A finished discovery job the user may see, and its result file."""
    name, _formats = RESULT_FILES[kind]
    return finished_job_file(
        user,
        job_id,
        kind,
        lambda job: discovery_folder(str(job.params.get("token", ""))) / name,
        wrong_kind=_("This job is not of the expected kind."),
        not_ready=_("The results of this job are not ready."),
    )


@login_required
def plants_result(request: HttpRequest, job_id: str) -> HttpResponse:
    """A finished function-to-plants ranking: the table, sortable; unmatched names listed."""
    job, path = _finished(current_user(request), job_id, "discover_plants")
    table = pd.read_parquet(path)
    level = str(job.result.get("level", "species")) if job.result else "species"
    sortable = {"rank", level, "family", "n_constituents", "n_actives", "expected_actives",
                "fraction_actives", "best_strength", "n_references"}  # fmt: skip
    sort = request.GET.get("sort", "rank")
    sort = sort if sort in sortable and sort in table.columns else "rank"
    ascending = (
        request.GET.get("dir", "asc" if sort in ("rank", level, "family") else "desc") == "asc"
    )
    table = table.sort_values(sort, ascending=ascending, kind="stable", na_position="last")
    headers = {}
    for column in sortable:
        active = column == sort
        first = "asc" if column in ("rank", level, "family") else "desc"
        direction = ("desc" if ascending else "asc") if active else first
        headers[column] = {
            "url": f"?sort={column}&dir={direction}",
            "arrow": ("▲" if ascending else "▼") if active else "",
        }
    headers["taxon"] = headers[level]
    function = str(job.result.get("function", "")) if job.result else ""
    rows = [{k: (None if pd.isna(v) else v) for k, v in r.items()}
            for r in table.head(RESULT_ROWS_SHOWN).to_dict("records")]  # fmt: skip
    return render(
        request,
        "discovery/plants_result.html",
        {
            "job": job,
            "rows": rows,
            "total": len(table),
            "level": level,
            "function": function,
            "function_label": function_label(function),
            "headers": headers,
            "formats": RESULT_FILES["discover_plants"][1],
        },
    )


@login_required
def extract(request: HttpRequest) -> HttpResponse:
    """Extract to actives: the upload form; a readable composition starts the job."""
    template = "discovery/extract.html"
    context: dict[str, Any] = {"jobs": _recent(request, "discover_extract"), "pack": pack_or_none()}
    if request.method != "POST":
        context["form"] = ExtractForm(initial={"basis": "relative", "function": "antioxidant"})
        return render(request, template, context)
    form = ExtractForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    try:
        job = start_extract(current_user(request), data["file"], data["function"], data["basis"])
    except ActivesError as exc:
        return _refused(request, template, context, form, exc, "file")
    return redirect("jobs:detail", job_id=job.pk)


@login_required
def extract_result(request: HttpRequest, job_id: str) -> HttpResponse:
    """A finished extract: unresolved names first, the extract's IC50, shares, the table."""
    from actives.discovery.functions import function_signal

    job, path = _finished(current_user(request), job_id, "discover_extract")
    table = pd.read_parquet(path)
    result = job.result or {}
    function = str(result.get("function", ""))
    try:
        signal = function_signal(function)
    except ActivesError as exc:
        raise Http404(exc.message) from exc
    bars, bars_height = share_bars(table, function)
    rows = compound_rows(table, [signal], RESULT_ROWS_SHOWN)
    for row in rows:
        record = row["record"]
        row.update(
            label=record.get("label") or record.get("given") or "",
            given=record.get("given") or "",
            abundance=record.get("abundance"),
            fraction=record.get("abundance_fraction"),
            share=record.get(f"{function}_activity_share"),
            resolved_by=record.get("resolved_by") or "",
            svg=structure_svg(row["smiles"], 140, 100) if row["ok"] and row["smiles"] else "",
            cell=row["cells"][0],
        )
    return render(
        request,
        "discovery/extract_result.html",
        {
            "job": job,
            "result": result,
            "signal": signal_info(signal),
            "rows": rows,
            "total": len(table),
            "bars": bars,
            "bars_height": bars_height,
            "formats": DOWNLOAD_FORMATS,
        },
    )


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    """Library screening: the upload form; valid settings start the screening job."""
    template = "discovery/screen.html"
    context: dict[str, Any] = {"jobs": _recent(request, "discover_screen")}
    if request.method != "POST":
        context["form"] = ScreenForm(initial={"min_p_active": 0.5, "top": 100})
        return render(request, template, context)
    form = ScreenForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    options = {"min_p_active": data.get("min_p_active"), "in_domain_only": data["in_domain_only"],
               "min_logkp": data.get("min_logkp"), "top": data.get("top"),
               "require_all": data["require_all"]}  # fmt: skip
    try:
        job = start_screen(current_user(request), data["file"], list(data["functions"]), options)
    except ActivesError as exc:
        return _refused(request, template, context, form, exc, "file")
    return redirect("jobs:detail", job_id=job.pk)


@login_required
def screen_result(request: HttpRequest, job_id: str) -> HttpResponse:
    """A finished screen: the first hits with structures, and the downloads."""
    import pyarrow.parquet as pq

    job, path = _finished(current_user(request), job_id, "discover_screen")
    parquet = pq.ParquetFile(path)
    first = next(parquet.iter_batches(batch_size=RESULT_ROWS_SHOWN), None)
    frame = first.to_pandas() if first is not None else pd.DataFrame()
    result = job.result or {}
    functions = [str(f) for f in result.get("functions", [])]
    by_function = dict(result.get("by_function") or {})
    rows = []
    for record in frame.to_dict("records"):
        cells = [
            {
                "function": f,
                "label": function_label(f),
                "rank": record.get(f"{f}_rank"),
                "score": record.get(f"{f}_score"),
                "hit": record.get(f"{f}_hit"),
            }
            for f in functions
        ]
        smiles = str(record.get("smiles") or "")
        rows.append(
            {
                "r": {k: (None if pd.api.types.is_scalar(v) and pd.isna(v) else v)
                      for k, v in record.items()},
                "cells": cells,
                "svg": structure_svg(smiles, 140, 100) if smiles else "",
            }
        )  # fmt: skip
    return render(
        request,
        "discovery/screen_result.html",
        {
            "job": job,
            "result": result,
            "rows": rows,
            "functions": [
                {"id": f, "label": function_label(f), "hits": by_function.get(f, 0)}
                for f in functions
            ],
            "total": parquet.metadata.num_rows,
            "formats": DOWNLOAD_FORMATS,
        },
    )


@login_required
def job_download(request: HttpRequest, job_id: str, fmt: str) -> FileResponse:
    """A finished discovery job's table as CSV, Excel or SD file (screening: also its errors)."""
    return job_file_response(current_user(request), job_id, fmt)


def job_file_response(user: User, job_id: str | UUID, fmt: str) -> FileResponse:
    """The download of a discovery job's result (the page and the API share it)."""
    try:
        job = get_visible_or_404(Job.objects.all(), user, pk=UUID(str(job_id)))
    except ValueError:
        raise InvalidInputError(f"{job_id!r} is not a job id; expected a UUID.") from None
    if job.kind not in RESULT_FILES:
        raise Http404(_("This job has no table to download."))
    _job, path = _finished(user, job.pk, job.kind)
    stem = file_slug(Path(str(job.params.get("original_name") or job.kind)).stem)
    if fmt == "errors" and job.kind == "discover_screen":
        errors = path.with_name(path.name + ".errors.csv")
        if not errors.is_file():
            raise Http404(_("Every record of this library was read; there is no error file."))
        response = FileResponse(errors.open("rb"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(stem + '_errors.csv')}"
        )
        return response
    _name, formats = RESULT_FILES[job.kind]
    if fmt not in formats:
        raise Http404(_("Downloads of this job are %(formats)s.") % {"formats": ", ".join(formats)})
    table = pd.read_parquet(path)
    metadata = {str(k): str(v) for k, v in ((job.result or {}).get("metadata") or {}).items()}
    suffix = {"discover_plants": "plants", "discover_extract": "actives",
              "discover_screen": "hits"}[job.kind]  # fmt: skip
    return table_file_response(export_table(table), metadata, fmt, f"{stem}_{suffix}.{fmt}")
