"""Prediction pages: the form, one molecule explained, batch jobs and their results, model cards."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from actives.errors import ActivesError, InvalidInputError, NotFoundError
from actives.predict.explain import contributions_svg
from actives.predict.export import FORMATS, MEDIA_TYPES, TableWriter
from actives.predict.predictor import resolve_structure
from actives.predict.shipped import find_model
from actives.web.accounts.models import User, current_user
from actives.web.catalog.services import pack_or_none, structure_svg
from actives.web.jobs.models import Job
from actives.web.jobs.results import finished_job_file
from actives.web.predictions.forms import BatchForm, MoleculeForm
from actives.web.predictions.kinds import RESULT_NAME
from actives.web.predictions.services import (
    FUNCTION_LABELS,
    NOT_A_STRUCTURE_FILE,
    batch_folder,
    get_predictor,
    model_summaries,
    profile_chart,
    source_url,
    start_batch,
)

EXAMPLES = [
    ("O=C1C=C(CO)OC=C1O", gettext_lazy("kojic acid")),
    ("O=c1c(O)c(-c2ccc(O)c(O)c2)oc2cc(O)cc(O)c12", gettext_lazy("quercetin")),
    ("Oc1ccc(/C=C/c2cc(O)cc(O)c2)cc1", gettext_lazy("resveratrol")),
    ("497-76-7", gettext_lazy("arbutin (CAS 497-76-7)")),
]
PREVIEW_ROWS = 200
SPLITS = {"scaffold": gettext_lazy("scaffold split"), "cluster": gettext_lazy("cluster split")}
SUBSETS = {
    "overall": gettext_lazy("all compounds"),
    "in_domain": gettext_lazy("inside the applicability domain"),
    "out_of_domain": gettext_lazy("outside the applicability domain"),
    "natural_product_like": gettext_lazy("natural-product-like (NP score > 0)"),
}
DOWNLOAD_FORMATS = ("csv", "xlsx", "sdf")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """One structure, a batch upload, the installed models and your recent batches."""
    user = current_user(request)
    return render(
        request,
        "predictions/index.html",
        {
            "form": MoleculeForm(initial={"confidence": "0.9"}),
            "batch_form": BatchForm(initial={"confidence": "0.9"}),
            "models": [
                {**m, "function": FUNCTION_LABELS.get(m["function"], m["function"])}
                for m in model_summaries()
            ],
            "examples": EXAMPLES,
            "batches": Job.objects.visible_to(user).filter(kind="predict_batch")[:10],
            "pack": pack_or_none(),
        },
    )


@login_required
def molecule(request: HttpRequest) -> HttpResponse:
    """Every endpoint for one structure or name: values, intervals, domain, evidence, atoms."""
    form = MoleculeForm({"confidence": "0.9", **request.GET.dict()})
    context: dict[str, Any] = {"form": form, "examples": EXAMPLES}
    if not form.is_valid():
        return render(request, "predictions/molecule.html", context, status=400)
    confidence = form.cleaned_data.get("confidence") or 0.9
    try:
        predictor = get_predictor(confidence)
        structure, name = resolve_structure(form.cleaned_data["q"], predictor.pack)
        report = predictor.explain(structure, neighbours=5)
    except ActivesError as exc:
        context["error"] = exc.message
        return render(request, "predictions/molecule.html", context, status=422)
    chart_rows, chart_height = profile_chart(report)
    in_pack = predictor.pack.known_keys([report.inchikey]) if predictor.pack else set()
    if in_pack and not name and predictor.pack is not None:
        name = str(predictor.pack.compound(report.inchikey).get("name") or "")
    endpoints = []
    for item in report.endpoints:
        neighbours = [
            {
                "m": n,
                "svg": structure_svg(n.smiles, 160, 120),
                "sources": [(s, source_url(s)) for s in n.source_ids[:4]],
                "more_sources": max(0, len(n.source_ids) - 4),
            }
            for n in item.evidence.neighbours
        ]
        measured = item.evidence.measured
        endpoints.append(
            {
                "r": item,
                "function": FUNCTION_LABELS.get(item.endpoint.function, item.endpoint.function),
                "neighbours": neighbours,
                "measured_sources": [(s, source_url(s)) for s in measured.source_ids[:6]]
                if measured
                else [],
                "atoms_svg": contributions_svg(item.contributions, 320, 240)
                if item.contributions
                else "",
            }
        )
    context.update(
        report=report,
        name=name,
        svg=structure_svg(report.smiles, 360, 260),
        chart_rows=chart_rows,
        chart_height=chart_height,
        endpoints=endpoints,
        in_pack=bool(in_pack),
        pack=predictor.pack,
        confidence_percent=round(report.confidence * 100),
    )
    return render(request, "predictions/molecule.html", context)


@login_required
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    """Store the uploaded file and queue the prediction job; its page shows the progress."""
    form = BatchForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("predictions:index")
    upload = form.cleaned_data["file"]
    filename = Path(upload.name).name
    title = _("Predictions for %(name)s") % {"name": filename}
    confidence = form.cleaned_data.get("confidence") or 0.9
    try:
        job = start_batch(upload, current_user(request), confidence, title)
    except InvalidInputError as exc:
        shown = (
            _("%(name)s is not a structure file; expected .sdf, .smi or .csv.") % {"name": filename}
            if exc.code == NOT_A_STRUCTURE_FILE
            else exc.message
        )
        messages.error(request, shown)
        return redirect("predictions:index")
    return redirect("jobs:detail", job_id=job.pk)


def _finished_batch(user: User, job_id: str | UUID) -> tuple[Job, Path]:
    return finished_job_file(
        user,
        job_id,
        "predict_batch",
        lambda job: batch_folder(str(job.params.get("token", ""))) / RESULT_NAME,
        wrong_kind=_("This job is not a batch prediction."),
        not_ready=_("The results of this batch are not ready."),
    )


@login_required
def batch_result(request: HttpRequest, job_id: str) -> HttpResponse:
    """The first rows of a finished batch, with values, intervals and domain flags."""
    import pyarrow.parquet as pq

    job, result = _finished_batch(current_user(request), job_id)
    parquet = pq.ParquetFile(result)
    first = next(parquet.iter_batches(batch_size=PREVIEW_ROWS), None)
    frame = first.to_pandas() if first is not None else None
    endpoints = list(job.result.get("endpoints", [])) if job.result else []
    rows = []
    if frame is not None:
        for record in frame.to_dict("records"):
            cells = [
                {
                    "value": record.get(f"{e}_value"),
                    "low": record.get(f"{e}_low"),
                    "high": record.get(f"{e}_high"),
                    "p_active": record.get(f"{e}_p_active"),
                    "in_domain": record.get(f"{e}_in_domain"),
                    "measured": record.get(f"{e}_measured"),
                }
                for e in endpoints
            ]
            rows.append({"r": record, "cells": cells})
    return render(
        request,
        "predictions/batch_result.html",
        {
            "job": job,
            "endpoints": endpoints,
            "rows": rows,
            "total": parquet.metadata.num_rows,
            "formats": DOWNLOAD_FORMATS,
        },
    )


@login_required
def batch_download(request: HttpRequest, job_id: str, fmt: str) -> FileResponse:
    """A finished batch as CSV, Excel or SD file."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404(_("Downloads are CSV, XLSX or SDF."))
    return batch_file_response(current_user(request), job_id, fmt)


def batch_file_response(user: User, job_id: str | UUID, fmt: str) -> FileResponse:
    """A finished batch converted chunk by chunk to ``fmt`` (the page and the API share it)."""
    import pyarrow.parquet as pq

    job, result = _finished_batch(user, job_id)
    parquet = pq.ParquetFile(result)
    metadata = {
        k.decode(): v.decode()
        for k, v in (parquet.schema_arrow.metadata or {}).items()
        if not k.startswith(b"pandas")
    }
    handle = tempfile.NamedTemporaryFile(suffix=f".{fmt}", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    with TableWriter(path, metadata) as writer:
        for chunk in parquet.iter_batches(batch_size=5000):
            writer.write(chunk.to_pandas())
    stem = Path(str(job.params.get("original_name", "structures"))).stem
    filename = f"{stem}_predictions.{fmt}"
    stream = path.open("rb")
    path.unlink()  # the open handle keeps the data until the response is sent
    response = FileResponse(stream, content_type=MEDIA_TYPES[FORMATS[f".{fmt}"]])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def model_card(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """A model's card: data, curation counts, metrics, applicability domain."""
    try:
        model = find_model(endpoint_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    card = model.card()
    evaluation = [
        {"split": SPLITS.get(split, split),
         "subsets": [(label, ev.get(name, {})) for name, label in SUBSETS.items()],
         "classification": ev.get("classification")}
        for split, ev in card.get("evaluation", {}).items()
    ]  # fmt: skip
    function = FUNCTION_LABELS.get(card.get("function", ""), card.get("function", ""))
    return render(
        request,
        "predictions/model.html",
        {"model": model, "card": card, "evaluation": evaluation, "function": function},
    )
