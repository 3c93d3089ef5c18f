"""Safety pages: skin sensitisation defined approaches (one chemical or a batch), the
sensitisation QSAR, the SCCS margin of safety, the sensitiser QRA, and the PDF safety summary.

Views validate input (the forms build the library's objects), call :mod:`actives.safety` and
render what comes back; the shaping is in :mod:`.services`. Every result's inputs are kept in
the session, so that the summary of one ingredient can be printed from what the user has seen.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from actives.errors import ActivesError, InvalidInputError
from actives.safety.defined_approaches import integrated_testing_strategy, two_out_of_three
from actives.safety.dermal import SCCS_DEFAULT_PERCENT
from actives.safety.exposure import DEFAULT_BODY_WEIGHT_KG
from actives.safety.models import QSAR_TOOL
from actives.safety.mos import MOS_THRESHOLD
from actives.web.accounts.models import User, current_user
from actives.web.catalog.services import pack_or_none
from actives.web.core.pdf import pdf_response
from actives.web.discovery.services import table_file_response
from actives.web.jobs.models import Job
from actives.web.jobs.results import finished_job_file
from actives.web.safety import services
from actives.web.safety.forms import DABatchForm, DAForm, MoSForm, QRAForm, QSARForm
from actives.web.safety.services import (
    BATCH_RESULT,
    DOWNLOAD_FORMATS,
    MODELS_MISSING,
    SUMMARY_PARTS,
)

BATCH_ROWS_SHOWN = 500


def _summary_panel(request: HttpRequest) -> dict[str, Any]:
    summary = services.summary_of(request.session)
    return {
        "ingredient": summary.get("ingredient", ""),
        "parts": [p for p in SUMMARY_PARTS if summary.get(p)],
        "empty": not any(summary.get(p) for p in SUMMARY_PARTS),
        "titles": [(p, services.SUMMARY_TITLES[p]) for p in SUMMARY_PARTS],
    }


def _initial_ingredient(request: HttpRequest) -> dict[str, str]:
    summary = services.summary_of(request.session)
    return {"ingredient": summary.get("ingredient", ""), "structure": summary.get("structure", "")}


def _stored(form: Any) -> dict[str, Any]:
    """The submitted values of a valid form's own fields, for the session (JSON)."""
    data = form.data
    return {name: data.get(name) for name in form.fields if data.get(name) not in (None, "")}


def _ingredient(form: Any, resolved: services.Structure | None) -> str:
    name = str(form.cleaned_data.get("ingredient") or "")
    if name:
        return name
    if resolved is not None:
        return resolved.name or resolved.query
    return ""


def _remember(request: HttpRequest, part: str, form: Any, resolved: Any) -> str:
    replaced = services.remember(
        request.session,
        part,
        _ingredient(form, resolved),
        _stored(form),
        structure=resolved.query if resolved is not None else "",
    )
    return replaced


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The four assessments, the state of the models, the summary and recent batch runs."""
    return render(
        request,
        "safety/index.html",
        {
            "summary": _summary_panel(request),
            "models": services.sensitisation_models(),
            "models_missing": MODELS_MISSING,
            "jobs": Job.objects.visible_to(current_user(request)).filter(kind="safety_da_batch")[
                :8
            ],
        },
    )


# -- defined approaches ---------------------------------------------------------------------


def da_results(form: DAForm) -> dict[str, Any]:
    """Both GL497 defined approaches for a valid DA form, shaped for the page and the summary."""
    assays = form.assays
    log_kow = form.cleaned_data.get("log_kow")
    source = form.kow_source_text()
    two = two_out_of_three(assays["dpra"], assays["keratinosens"], assays["hclat"], log_kow, source)
    its = integrated_testing_strategy(
        assays["dpra"], assays["hclat"], assays["in_silico"], log_kow, source
    )
    in_silico = assays["in_silico"]
    return {
        "das": [services.da_view(two), services.da_view(its)],
        "qsar": form.qsar,
        "in_silico_ours": in_silico is not None and in_silico.tool == QSAR_TOOL,
        "structure": form.resolved,
    }


def _da_page(
    request: HttpRequest,
    form: DAForm,
    batch_form: DABatchForm,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "form": form,
        "batch_form": batch_form,
        "summary": _summary_panel(request),
        "models": services.sensitisation_models(),
        "models_missing": MODELS_MISSING,
        "qsar_tool": QSAR_TOOL,
        "jobs": Job.objects.visible_to(current_user(request)).filter(kind="safety_da_batch")[:5],
        **extra,
    }
    return render(request, "safety/da.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def da(request: HttpRequest) -> HttpResponse:
    """One chemical through the 2o3 and the ITS, step by step."""
    if request.method != "POST":
        initial: dict[str, Any] = {"insilico_mode": "none", **_initial_ingredient(request)}
        if request.GET.get("structure"):
            initial["structure"] = request.GET["structure"]
        if request.GET.get("insilico_mode") in ("none", "entered", "qsar"):
            initial["insilico_mode"] = request.GET["insilico_mode"]
        return _da_page(request, DAForm(initial=initial), DABatchForm())
    form = DAForm(request.POST)
    if not form.is_valid():
        return _da_page(request, form, DABatchForm(), status=400)
    try:
        results = da_results(form)
    except InvalidInputError as exc:
        form.add_error(None, exc.message)
        return _da_page(request, form, DABatchForm(), status=400)
    replaced = _remember(request, "da", form, form.resolved)
    return _da_page(request, form, DABatchForm(), replaced=replaced, **results)


@login_required
@require_POST
def da_batch(request: HttpRequest) -> HttpResponse:
    """Store a DA input table and queue its run; a table that cannot be read is refused."""
    form = DABatchForm(request.POST, request.FILES)
    if not form.is_valid():
        return _da_page(request, DAForm(), form, status=400, batch_open=True)
    try:
        job = services.start_da_batch(current_user(request), form.cleaned_data["file"])
    except ActivesError as exc:
        form.add_error("file", exc.message)
        return _da_page(request, DAForm(), form, status=400, batch_open=True)
    return redirect("jobs:detail", job_id=job.pk)


@login_required
def da_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The DA input template (CSV or XLSX) with two invented example rows."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404(_("Templates are CSV or XLSX."))
    content, media_type = services.template_bytes(fmt)
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''da_inputs_template.{fmt}"
    return response


def _finished_batch(user: User, job_id: str | UUID) -> tuple[Job, Path]:
    return finished_job_file(
        user,
        job_id,
        "safety_da_batch",
        lambda job: services.batch_folder(str(job.params.get("token", ""))) / BATCH_RESULT,
        wrong_kind=_("This job is not a defined-approach batch."),
        not_ready=_("The results of this job are not ready."),
    )


@login_required
def da_batch_result(request: HttpRequest, job_id: str) -> HttpResponse:
    """A finished batch: each row's status, 2o3 and ITS outcome and the rule that fired."""
    job, path = _finished_batch(current_user(request), job_id)
    table = pd.read_parquet(path)
    status = request.GET.get("status", "")
    shown = table[table["status"] == status] if status in ("ok", "error") else table
    return render(
        request,
        "safety/da_batch_result.html",
        {
            "job": job,
            "result": job.result or {},
            "rows": services.batch_rows(shown.head(BATCH_ROWS_SHOWN)),
            "total": len(table),
            "matching": len(shown),
            "status": status,
            "formats": DOWNLOAD_FORMATS,
        },
    )


@login_required
def da_batch_download(request: HttpRequest, job_id: str, fmt: str) -> FileResponse:
    """A finished batch's results as CSV or XLSX (with an "about" sheet in XLSX)."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404(_("Downloads are CSV or XLSX."))
    job, path = _finished_batch(current_user(request), job_id)
    table = pd.read_parquet(path)
    metadata = {str(k): str(v) for k, v in ((job.result or {}).get("metadata") or {}).items()}
    stem = services.file_slug(Path(str(job.params.get("original_name") or "da")).stem)
    return table_file_response(table, metadata, fmt, f"{stem}_defined_approaches.{fmt}")


# -- sensitisation QSAR -------------------------------------------------------------------------


def qsar_results(form: QSARForm) -> dict[str, Any]:
    """The sensitisation models' predictions and the pack's measured data for a valid form."""
    confidence = form.cleaned_data.get("confidence") or services.CONFIDENCE
    found = services.sensitisation_report(form.cleaned_data["q"], confidence)
    return {
        **found,
        "svg": found["structure"].svg(320, 240),
        "confidence_percent": round(confidence * 100),
    }


@login_required
def qsar(request: HttpRequest) -> HttpResponse:
    """Sensitisation QSAR for a structure: probabilities, conformal sets, domain, measured data."""
    models = services.sensitisation_models()
    context: dict[str, Any] = {
        "summary": _summary_panel(request),
        "models": models,
        "models_missing": MODELS_MISSING,
        "qsar_tool": QSAR_TOOL,
        "pack": pack_or_none(),
    }
    if "q" not in request.GET:
        context["form"] = QSARForm(initial={"confidence": "0.9", **_initial_query(request)})
        return render(request, "safety/qsar.html", context)
    form = QSARForm({"confidence": "0.9", **request.GET.dict()})
    context["form"] = form
    if not form.is_valid():
        return render(request, "safety/qsar.html", context, status=400)
    if not models:
        return render(request, "safety/qsar.html", context, status=409)
    try:
        context.update(qsar_results(form))
    except ActivesError as exc:
        form.add_error("q", exc.message)
        return render(request, "safety/qsar.html", context, status=422)
    context["replaced"] = _remember(request, "qsar", form, context["structure"])
    context["summary"] = _summary_panel(request)
    return render(request, "safety/qsar.html", context)


def _initial_query(request: HttpRequest) -> dict[str, str]:
    summary = services.summary_of(request.session)
    return {"q": summary.get("structure", ""), "ingredient": summary.get("ingredient", "")}


# -- margin of safety -----------------------------------------------------------------------


def mos_results(form: MoSForm) -> dict[str, Any]:
    """A valid MoS form's result, shaped for the page and the summary."""
    result = form.result
    assert result is not None
    product = services.product_type_info(result.product_type or "")
    by_name = {q.name: q for q in result.inputs}
    log_kp = None
    if "log Kp" in by_name and product is not None:
        domain = by_name.get("skin_logkp applicability domain")
        interval = by_name.get("log Kp 90 % interval")
        log_kp = {
            "value": by_name["log Kp"].value,
            "interval": interval.value if interval is not None else "",
            "in_domain": bool(domain.value) if domain is not None else None,
        }
    return {
        "mos": result,
        "mos_steps": services.step_rows(result.steps),
        "mos_inputs": services.quantity_rows(result.inputs),
        "mos_product": product,
        "log_kp": log_kp,
        "structure": form.resolved,
        "threshold": MOS_THRESHOLD,
        "references": [services.pretty_units(r) for r in result.references],
        "sed_formula": services.pretty_units(result.sed_formula),
    }


@login_required
@require_http_methods(["GET", "POST"])
def mos(request: HttpRequest) -> HttpResponse:
    """The SCCS margin of safety of an ingredient in a product, with every input sourced."""
    context: dict[str, Any] = {
        "summary": _summary_panel(request),
        "default_absorption": SCCS_DEFAULT_PERCENT,
        "default_body_weight": DEFAULT_BODY_WEIGHT_KG,
    }
    if request.method != "POST":
        form = MoSForm(
            initial={
                "product_type": "face_cream",
                "pod_kind": "NOAEL",
                "pod_route": "oral",
                "absorption_basis": "default",
                "body_weight": f"{DEFAULT_BODY_WEIGHT_KG:g}",
                "frequency": 1,
                **_initial_ingredient(request),
            }
        )
        context.update(form=form, **_product_context("face_cream"))
        return render(request, "safety/mos.html", context)
    form = MoSForm(request.POST)
    context.update(form=form, **_product_context(request.POST.get("product_type", "")))
    if not form.is_valid() or form.result is None:
        return render(request, "safety/mos.html", context, status=400)
    context.update(mos_results(form))
    context["replaced"] = _remember(request, "mos", form, form.resolved)
    context["summary"] = _summary_panel(request)
    return render(request, "safety/mos.html", context)


def _product_context(product_id: str, per_area: bool = False) -> dict[str, Any]:
    """A product type for the facts beside the menu: A (MoS), or the amount per area (QRA)."""
    product = services.product_type_info(product_id)
    value = (
        product.amount_per_area_mg_cm2_day()
        if per_area and product is not None and product.surface_area_cm2
        else None
    )
    return {"product": product, "per_area": per_area, "per_area_value": value}


@login_required
def product_type(request: HttpRequest) -> HttpResponse:
    """A product type's SCCS exposure values (the HTMX fragment beside the menu)."""
    context = _product_context(
        request.GET.get("product_type", ""), per_area=request.GET.get("for") == "qra"
    )
    if context["product"] is None:
        raise Http404(_("No such product type."))
    return render(request, "safety/_product_type.html", context)


# -- sensitiser QRA -------------------------------------------------------------------------


def qra_results(form: QRAForm) -> dict[str, Any]:
    """A valid QRA form's result, shaped for the page and the summary."""
    result = form.result
    assert result is not None
    return {
        "qra": result,
        "qra_steps": services.step_rows(result.steps),
        "qra_inputs": services.quantity_rows(result.inputs),
        "qra_references": [services.pretty_units(r) for r in result.references],
        "qra_product": services.product_type_info(result.product_type or ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def qra(request: HttpRequest) -> HttpResponse:
    """Quantitative risk assessment of a skin sensitiser in a product (AEL vs CEL)."""
    context: dict[str, Any] = {"summary": _summary_panel(request)}
    if request.method != "POST":
        form = QRAForm(
            initial={
                "nesil_basis": "ec3",
                "human_study": "HRIPT",
                "product_type": "face_cream",
                "saf_inter": 10,
                "saf_database": 1,
                "ingredient": _initial_ingredient(request)["ingredient"],
            }
        )
        context.update(form=form, **_product_context("face_cream", per_area=True))
        return render(request, "safety/qra.html", context)
    form = QRAForm(request.POST)
    context.update(
        form=form, **_product_context(request.POST.get("product_type", ""), per_area=True)
    )
    if not form.is_valid() or form.result is None:
        return render(request, "safety/qra.html", context, status=400)
    context.update(qra_results(form))
    context["replaced"] = _remember(request, "qra", form, None)
    context["summary"] = _summary_panel(request)
    return render(request, "safety/qra.html", context)


# -- the safety summary of one ingredient ---------------------------------------------------


def _rebound(form_class: Any, data: dict[str, Any]) -> Any:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key] = str(value)
    return form_class(query)


def summary_context(request: HttpRequest) -> dict[str, Any]:
    """Every stored result of the summary's ingredient, computed again from its inputs."""
    from actives.reports.pdf import korean_font

    summary = services.summary_of(request.session)
    context: dict[str, Any] = {
        "ingredient": summary.get("ingredient", ""),
        "problems": [],
        "generated": timezone.localtime(),
        "korean_font": korean_font(),
        "user_name": current_user(request).username,
        "threshold": MOS_THRESHOLD,
        "qsar_tool": QSAR_TOOL,
    }
    pack = pack_or_none()
    context["pack_version"] = pack.version if pack is not None else ""
    structure_query = str(summary.get("structure") or "")
    if structure_query:
        try:
            structure = services.resolve(structure_query)
            context["structure"] = structure
            svg = structure.svg(260, 190)
            context["picture_uri"] = "data:image/svg+xml;base64," + base64.b64encode(
                svg.encode()
            ).decode("ascii")
        except ActivesError as exc:
            context["problems"].append(exc.message)
    runners: dict[str, tuple[Any, Callable[[Any], dict[str, Any]], Any]] = {
        "qsar": (QSARForm, qsar_results, _("Sensitisation QSAR")),
        "da": (DAForm, da_results, _("Defined approaches")),
        "mos": (MoSForm, mos_results, _("Margin of safety")),
        "qra": (QRAForm, qra_results, _("Sensitiser QRA")),
    }
    for part, (form_class, run, title) in runners.items():
        data = summary.get(part)
        if not data:
            continue
        form = _rebound(form_class, data)
        if not form.is_valid():
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            context["problems"].append(f"{title}: {errors}")
            continue
        try:
            found = run(form)
        except ActivesError as exc:
            context["problems"].append(f"{title}: {exc.message}")
            continue
        found.pop("structure", None)
        context[f"has_{part}"] = True
        context.update(found)
    context["empty"] = not any(context.get(f"has_{p}") for p in SUMMARY_PARTS)
    return context


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """The safety summary of the ingredient on screen, as a page (and the link to its PDF)."""
    return render(request, "safety/summary.html", summary_context(request))


@login_required
def summary_pdf(request: HttpRequest) -> HttpResponse:
    """The safety summary printed to PDF (offline; Korean with an installed CJK font)."""
    context = summary_context(request)
    if context["empty"]:
        return render(
            request,
            "core/error.html",
            {
                "title": _("Nothing to summarise yet"),
                "message": _(
                    "Run a defined approach, the QSAR, a margin of safety or a QRA for an "
                    "ingredient first; the summary collects those results."
                ),
            },
            status=409,
        )
    stem = services.file_slug(context["ingredient"] or "ingredient")
    filename = f"{stem}_safety_summary_{timezone.localdate():%Y%m%d}.pdf"
    return pdf_response(request, "safety/summary_pdf.html", context, filename)


@login_required
@require_POST
def summary_clear(request: HttpRequest) -> HttpResponse:
    """Empty the summary (start another ingredient)."""
    services.forget(request.session)
    return redirect("safety:index")
