"""Assay pages: dose-response runs (fits, plots, measured potencies for training) and qPCR runs
(plate view, curves, a call and its reasons for every well, standard curves, reports).

A view validates the upload or form, calls :mod:`.services` (which calls :mod:`actives.assays`)
and renders what comes back. A run is created and analysed in one transaction: a file the
library cannot read leaves nothing stored and shows the library's message on the form.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from actives.assays.qpcr.analysis import QpcrSettings
from actives.errors import ActivesError
from actives.web.accounts.models import current_user
from actives.web.accounts.scoping import company_for_new_record, get_visible_or_404
from actives.web.assays import services
from actives.web.assays.forms import (
    MIQE_FIELDS,
    DoseResponseUploadForm,
    MiqeForm,
    PotencyLinkForm,
    QpcrSettingsForm,
    QpcrUploadForm,
)
from actives.web.assays.models import DoseResponseRun, PotencyMeasurement, QpcrAssay, QpcrRun
from actives.web.core.pdf import pdf_response
from actives.web.discovery.services import file_slug, table_file_response

DOWNLOADS = ("csv", "xlsx")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Both kinds of runs of the user's company, newest first, and the two upload forms."""
    user = current_user(request)
    return render(
        request,
        "assays/index.html",
        {
            "dose_runs": DoseResponseRun.objects.visible_to(user)[:20],
            "qpcr_runs": QpcrRun.objects.visible_to(user)[:20],
            "dose_form": DoseResponseUploadForm(),
            "qpcr_form": QpcrUploadForm(user=user),
            "qpcr_assays": QpcrAssay.objects.visible_to(user),
        },
    )


def _error_page(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def _pdf(request: HttpRequest, template: str, context: dict[str, Any], name: str) -> HttpResponse:
    """A run's report printed to PDF, shown in the browser."""
    from actives.reports.pdf import korean_font

    context.update(generated=timezone.localtime(), korean_font=korean_font())
    return pdf_response(request, template, context, f"{file_slug(name)}.pdf", disposition="inline")


# --- qPCR ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def qpcr_new(request: HttpRequest) -> HttpResponse:
    """Upload a qPCR file (and layout): read, analyse, store, then show the plate."""
    user = current_user(request)
    form = QpcrUploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        assay = form.cleaned_data.get("assay")
        try:
            with transaction.atomic():
                run = QpcrRun.objects.create(
                    company=company_for_new_record(user),
                    name=form.cleaned_data["name"],
                    source=services.stored_file(form.cleaned_data["file"]),
                    layout=services.store_file(form.cleaned_data.get("layout")),
                    assay=assay,
                    created_by=user,
                )
                chosen = QpcrSettings.from_mapping(assay.settings if assay else None)
                services.save_qpcr_analysis(run, services.analyse_qpcr(run, chosen))
        except ActivesError as exc:  # raised inside the transaction: nothing stays stored
            form.add_error(None, exc.message)
        else:
            return redirect("assays:qpcr_detail", run_id=run.pk)
    return render(
        request, "assays/qpcr_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _qpcr_run(request: HttpRequest, run_id: int) -> QpcrRun:
    run: QpcrRun = get_visible_or_404(QpcrRun.objects.all(), current_user(request), pk=run_id)
    return run


def _choices(run: QpcrRun) -> dict[str, list[str]]:
    """The run's targets and (non-control) samples, for the settings form's menus."""
    wells = (run.result or {}).get("wells", [])
    samples = {w["sample"] for w in wells if w["sample_type"] in ("unkn", "pos") and w["sample"]}
    return {"targets": sorted({w["target"] for w in wells}), "samples": sorted(samples)}


def _settings_form(run: QpcrRun) -> QpcrSettingsForm:
    stored = QpcrSettings.from_mapping(run.settings)
    initial = stored.calls.as_dict() | {
        "cq_method": stored.cq_method,
        "reference_genes": list(stored.reference_genes),
        "calibrator": stored.calibrator,
        "efficiency": stored.efficiency,
    }
    return QpcrSettingsForm(initial=initial, **_choices(run))


def _qpcr_context(run: QpcrRun, *, with_plots: bool = True) -> dict[str, Any]:
    result = run.result or {}
    context: dict[str, Any] = {
        "rdml_runs": [
            {
                "value": f"{e}|{r}",
                "label": f"{e} / {r}",
                "chosen": (e, r) == (run.rdml_experiment, run.rdml_run),
            }
            for e, r in result.get("plate", {}).get("rdml_runs", [])
        ],
        "run": run,
        "result": result,
        "grid": services.plate_grid(result),
        "wells": result.get("wells", []),
        "summary": result.get("summary", {}),
        "settings": result.get("settings", {}),
    }
    context["miqe"] = [
        (label, run.miqe[name]) for name, label, _help in MIQE_FIELDS if run.miqe.get(name)
    ]
    if with_plots:
        try:
            context["plots"] = services.qpcr_plots(run)
        except ActivesError as exc:
            context["plot_error"] = exc.message
    return context


@login_required
def qpcr_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The plate view, curves with Cq markers, and every well's call with its reasons."""
    run = _qpcr_run(request, run_id)
    context = _qpcr_context(run)
    context["settings_form"] = _settings_form(run)
    context["miqe_form"] = MiqeForm(initial=run.miqe)
    return render(request, "assays/qpcr_detail.html", context)


@login_required
@require_POST
def qpcr_source(request: HttpRequest, run_id: int) -> HttpResponse:
    """Read another run of the RDML file; the old answer stays if that run cannot be read."""
    run = _qpcr_run(request, run_id)
    chosen = request.POST.get("rdml_run", "")
    runs = {f"{e}|{r}": (e, r) for e, r in services.rdml_runs(run)}
    if chosen not in runs:
        return _error_page(
            request,
            _("Unknown run"),
            _("Expected one of the runs of the RDML file; choose it from the list."),
            status=400,
        )
    before = (run.rdml_experiment, run.rdml_run)
    run.rdml_experiment, run.rdml_run = runs[chosen]
    try:
        analysis = services.analyse_qpcr(run)
    except ActivesError as exc:
        run.rdml_experiment, run.rdml_run = before
        return _error_page(request, _("This run cannot be analysed"), exc.message, status=400)
    services.save_qpcr_analysis(run, analysis)
    return redirect("assays:qpcr_detail", run_id=run.pk)


@login_required
@require_POST
def qpcr_miqe(request: HttpRequest, run_id: int) -> HttpResponse:
    """Save the MIQE information typed for a run (shown on its page and report)."""
    run = _qpcr_run(request, run_id)
    form = MiqeForm(request.POST)
    if form.is_valid():
        run.miqe = form.values()
        run.save(update_fields=["miqe"])
        return redirect(reverse("assays:qpcr_detail", args=[run.pk]) + "#miqe")
    context = _qpcr_context(run)
    context.update(settings_form=_settings_form(run), miqe_form=form)
    return render(request, "assays/qpcr_detail.html", context, status=400)


@login_required
@require_POST
def qpcr_settings(request: HttpRequest, run_id: int) -> HttpResponse:
    """Analyse the run again with new cut-offs; the old answer stays if the new one fails."""
    run = _qpcr_run(request, run_id)
    form = QpcrSettingsForm(request.POST, **_choices(run))
    if form.is_valid():
        stored = QpcrSettings.from_mapping(run.settings).as_dict()
        stored["calls"] = form.call_settings()
        for key in ("cq_method", "reference_genes", "calibrator", "efficiency"):
            stored[key] = form.cleaned_data[key]
        try:
            analysis = services.analyse_qpcr(run, QpcrSettings.from_mapping(stored))
        except ActivesError as exc:
            form.add_error(None, exc.message)
        else:
            services.save_qpcr_analysis(run, analysis)
            if form.cleaned_data["save_as"]:
                saved = services.save_assay(
                    current_user(request), form.cleaned_data["save_as"], run
                )
                messages.success(
                    request, _("Saved the cut-offs as the assay “%(name)s”.") % {"name": saved}
                )
            return redirect("assays:qpcr_detail", run_id=run.pk)
    context = _qpcr_context(run)
    context.update(settings_form=form, miqe_form=MiqeForm(initial=run.miqe))
    return render(request, "assays/qpcr_detail.html", context, status=400)


@login_required
def qpcr_download(request: HttpRequest, run_id: int, fmt: str) -> HttpResponseBase:
    """Every well's numbers, call and reasons as CSV or Excel."""
    run = _qpcr_run(request, run_id)
    if fmt not in DOWNLOADS:
        return _error_page(
            request, _("Unknown format"), _("Expected wells.csv or wells.xlsx."), status=404
        )
    table = services.wells_table(run.result or {})
    metadata = {"run": run.name, "file": run.source.name, "analysed": str(run.updated_at)}
    return table_file_response(table, metadata, fmt, f"{file_slug(run.name)}-wells.{fmt}")


@login_required
def qpcr_report_pdf(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's report (plate, calls, reasons, standard curves, MIQE fields) as PDF."""
    run = _qpcr_run(request, run_id)
    return _pdf(request, "assays/qpcr_report_pdf.html", _qpcr_context(run), f"{run.name}-qpcr")


# --- dose-response ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dose_new(request: HttpRequest) -> HttpResponse:
    """Upload a dose-response table or plate export: fit every sample, store, show the fits."""
    user = current_user(request)
    form = DoseResponseUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                run = DoseResponseRun.objects.create(
                    company=company_for_new_record(user),
                    name=form.cleaned_data["name"],
                    assay=form.cleaned_data["assay"],
                    source=services.stored_file(form.cleaned_data["file"]),
                    layout=services.store_file(form.cleaned_data.get("layout")),
                    settings={
                        "response": form.cleaned_data["response"],
                        "model": form.cleaned_data["model"],
                    },
                    created_by=user,
                )
                services.analyse_dose_run(run)
        except ActivesError as exc:  # raised inside the transaction: nothing stays stored
            form.add_error(None, exc.message)
        else:
            return redirect("assays:dose_detail", run_id=run.pk)
    return render(
        request, "assays/dose_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _dose_run(request: HttpRequest, run_id: int) -> DoseResponseRun:
    run: DoseResponseRun = get_visible_or_404(
        DoseResponseRun.objects.all(), current_user(request), pk=run_id
    )
    return run


def _dose_context(run: DoseResponseRun) -> dict[str, Any]:
    result = run.result or {}
    potencies = {p.sample: p for p in run.potencies.all()}
    fits = []
    for fit in result.get("fits", []):
        potency = potencies.get(fit.get("sample", ""))
        fits.append(
            {
                "fit": fit,
                "potency": potency,
                "link_form": PotencyLinkForm(
                    initial={
                        "smiles": potency.smiles,
                        "material": potency.material,
                        "use_for_training": potency.use_for_training,
                    }
                )
                if potency
                else None,
            }
        )
    return {"run": run, "result": result, "fits": fits, "plots": services.dose_plots(run)}


@login_required
def dose_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """Each sample's fit: IC50 with 95 % CI, Hill slope, R², flags, plot and its structure."""
    run = _dose_run(request, run_id)
    return render(request, "assays/dose_detail.html", _dose_context(run))


@login_required
@require_POST
def potency(request: HttpRequest, run_id: int, potency_id: int) -> HttpResponse:
    """Link a measured potency to its structure or material, and say whether it may train."""
    run = _dose_run(request, run_id)
    measured = get_object_or_404(PotencyMeasurement, pk=potency_id, run=run)
    form = PotencyLinkForm(request.POST)
    if form.is_valid():
        measured.smiles = form.cleaned_data["smiles"]
        measured.material = form.cleaned_data["material"]
        measured.use_for_training = form.cleaned_data["use_for_training"]
        measured.save()
        return redirect(reverse("assays:dose_detail", args=[run.pk]) + f"#fit-{measured.pk}")
    context = _dose_context(run)
    for row in context["fits"]:
        if row["potency"] is not None and row["potency"].pk == measured.pk:
            row["link_form"] = form
    return render(request, "assays/dose_detail.html", context, status=400)


@login_required
def dose_download(request: HttpRequest, run_id: int, fmt: str) -> HttpResponseBase:
    """The run's fits as CSV or Excel."""
    run = _dose_run(request, run_id)
    if fmt not in DOWNLOADS:
        return _error_page(
            request, _("Unknown format"), _("Expected fits.csv or fits.xlsx."), status=404
        )
    table = pd.DataFrame(services.fits_rows(run.result or {}))
    metadata = {"run": run.name, "assay": run.assay, "file": run.source.name}
    return table_file_response(table, metadata, fmt, f"{file_slug(run.name)}-fits.{fmt}")


@login_required
def training_table(request: HttpRequest) -> HttpResponseBase:
    """The company's measured potencies with structures, as a table `actives models train` reads."""
    user = current_user(request)
    assay = request.GET.get("assay", "").strip()
    table, problems = services.training_rows(
        PotencyMeasurement.objects.visible_to(user), assay or None
    )
    metadata = {
        "assay": assay or "all assays",
        "exported": str(timezone.localtime()),
        "not used": " | ".join(problems) or "none",
    }
    name = f"{file_slug(assay) if assay else 'potencies'}-training.csv"
    return table_file_response(table, metadata, "csv", name)


@login_required
def dose_report_pdf(request: HttpRequest, run_id: int) -> HttpResponse:
    """The dose-response report (fits, plots, flags) as PDF."""
    run = _dose_run(request, run_id)
    return _pdf(request, "assays/dose_report_pdf.html", _dose_context(run), f"{run.name}-ic50")
