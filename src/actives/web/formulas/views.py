"""Formula pages: the list, the editor (a new version on every save), import from CSV/XLSX,
versions and their differences, raw materials, the check (market x ingredient verdict matrix,
label, allergens), its PDF report, and re-checks after a rule-pack update.

Views validate input with the forms, call :mod:`actives.regulation` through :mod:`.services`
and render what comes back. Every record is fetched through the company scope: another
company's formula answers 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from actives.errors import ActivesError
from actives.web.accounts.models import current_user
from actives.web.accounts.scoping import get_visible_or_404
from actives.web.catalog.services import pack_or_none
from actives.web.core.pdf import pdf_response
from actives.web.formulas import services
from actives.web.formulas.forms import (
    FormulaForm,
    ImportForm,
    IngredientFormSet,
    RawMaterialForm,
    VersionNoteForm,
)
from actives.web.formulas.models import CheckResult, Formula, FormulaVersion, RawMaterial
from actives.web.jobs.models import Job
from actives.web.jobs.runner import submit_job
from actives.web.safety.services import file_slug

ADD_ROWS = 3
BLANK_ROWS = 5
ROW_FIELDS = ("name", "percent", "raw_material", "function")


def _formula(request: HttpRequest, formula_id: int) -> Formula:
    found: Formula = get_visible_or_404(Formula.objects.all(), current_user(request), pk=formula_id)
    return found


def _version(formula: Formula, number: int) -> FormulaVersion:
    return get_object_or_404(FormulaVersion, formula=formula, number=number)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The company's formulas (all for centre staff), searchable by name or ingredient."""
    user = current_user(request)
    query = request.GET.get("q", "").strip()
    formulas = Formula.objects.visible_to(user).select_related("company")
    if query:
        formulas = formulas.filter(
            Q(name__icontains=query)
            | Q(versions__ingredients__name__icontains=query)
            | Q(versions__ingredients__raw_material__icontains=query)
        ).distinct()
    rows = []
    for formula in formulas[:200]:
        latest = formula.latest_version()
        check = latest.checks.first() if latest is not None else None
        rows.append(
            {
                "formula": formula,
                "latest": latest,
                "check": check,
                "overall": [
                    {
                        "market": m,
                        "verdict": v,
                        "label": services.verdict_label(v),
                        "sign": services.VERDICT_SIGNS.get(v, "?"),
                    }
                    for m, v in (check.overall.items() if check else [])
                ],
            }
        )
    any_formula = Formula.objects.visible_to(user).exists()
    return render(
        request,
        "formulas/index.html",
        {"rows": rows, "q": query, "any_formula": any_formula},
    )


# -- editor ------------------------------------------------------------------------------------


def _posted_rows(data: QueryDict) -> list[dict[str, str]]:
    """The editor's rows as typed (not validated, blank ones kept), without those ticked for
    removal."""
    try:
        count = int(data.get("form-TOTAL_FORMS", "0"))
    except ValueError:
        count = 0
    rows = []
    for n in range(min(count, 500)):
        if data.get(f"form-{n}-DELETE"):
            continue
        rows.append({f: data.get(f"form-{n}-{f}", "") for f in ROW_FIELDS})
    return rows


def _editor(
    request: HttpRequest,
    formula: Formula | None,
    form: FormulaForm,
    formset: Any,
    note_form: VersionNoteForm,
    status: int = 200,
) -> HttpResponse:
    rows = [f.cleaned_data for f in formset.forms if getattr(f, "cleaned_data", None)]
    valid_rows = [r for r in rows if r.get("percent") is not None and not r.get("DELETE")]
    latest = formula.latest_version() if formula is not None else None
    return render(
        request,
        "formulas/editor.html",
        {
            "formula": formula,
            "latest": latest,
            "form": form,
            "formset": formset,
            "note_form": note_form,
            "totals": services.total_of(valid_rows) if valid_rows else None,
            "tolerance": services.TOLERANCE,
        },
        status=status,
    )


def _unbound(rows: list[dict[str, Any]], blank: int) -> Any:
    return IngredientFormSet(initial=[*rows, *({} for _ in range(blank))])


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, formula_id: int | None = None) -> HttpResponse:
    """Create a formula, or edit one: saving always writes a new version."""
    user = current_user(request)
    formula = _formula(request, formula_id) if formula_id is not None else None
    if request.method != "POST":
        if formula is None:
            form = FormulaForm(initial={"exposure": "leave_on", "markets": ["EU", "KR"]})
            return _editor(request, None, form, _unbound([], BLANK_ROWS), VersionNoteForm())
        latest = formula.latest_version()
        form = FormulaForm(initial=services.formula_fields(formula.__dict__))
        rows = services.rows_of(latest) if latest is not None else []
        return _editor(request, formula, form, _unbound(rows, 2), VersionNoteForm())
    form = FormulaForm(request.POST)
    note_form = VersionNoteForm(request.POST)
    if "add_rows" in request.POST or "remove_rows" in request.POST:
        rows = _posted_rows(request.POST)
        extra = ADD_ROWS if "add_rows" in request.POST else 0
        return _editor(
            request,
            formula,
            FormulaForm(
                initial=request.POST.dict()
                | {
                    "areas": request.POST.getlist("areas"),
                    "markets": request.POST.getlist("markets"),
                }
            ),
            _unbound(rows, extra),
            VersionNoteForm(initial={"note": request.POST.get("note", "")}),
        )
    formset: Any = IngredientFormSet(request.POST)
    valid = form.is_valid() & formset.is_valid() & note_form.is_valid()
    if not valid:
        return _editor(request, formula, form, formset, note_form, status=400)
    if formula is None:
        formula = services.create_formula(form.cleaned_data, user)
    else:
        for key, value in services.formula_fields(form.cleaned_data).items():
            setattr(formula, key, value)
        formula.save()
    version = services.save_version(formula, formset.rows(), user, note_form.cleaned_data["note"])
    messages.success(
        request,
        _("Saved as version %(n)s of “%(name)s”.") % {"n": version.number, "name": formula.name},
    )
    return redirect("formulas:version", formula_id=formula.pk, number=version.number)


# -- formula, versions, diff -------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, formula_id: int) -> HttpResponse:
    """A formula: its newest version (or the editor when it has none)."""
    formula = _formula(request, formula_id)
    latest = formula.latest_version()
    if latest is None:
        return redirect("formulas:edit", formula_id=formula.pk)
    return redirect("formulas:version", formula_id=formula.pk, number=latest.number)


@login_required
def version(request: HttpRequest, formula_id: int, number: int) -> HttpResponse:
    """One version: its ingredients with the total, warnings, checks and the version history."""
    formula = _formula(request, formula_id)
    shown = _version(formula, number)
    ingredients = list(shown.ingredients.all())
    versions = list(formula.versions.all().prefetch_related("checks"))
    previous = next((v for v in versions if v.number < shown.number), None)
    return render(
        request,
        "formulas/version.html",
        {
            "formula": formula,
            "version": shown,
            "ingredients": ingredients,
            "totals": services.total_of({"percent": i.percent} for i in ingredients),
            "warnings": services.version_warnings(shown),
            "versions": versions,
            "previous": previous,
            "checks": list(shown.checks.all()),
            "market_names": [(m, services.market_name(m)) for m in formula.markets],
            "history": formula.history.all()[:10],
        },
    )


@login_required
def diff(request: HttpRequest, formula_id: int) -> HttpResponse:
    """What changed in the ingredients between two versions (``?a=1&b=2``)."""
    formula = _formula(request, formula_id)
    versions = list(formula.versions.all())
    if len(versions) < 2:
        raise Http404(_("This formula has only one version."))
    try:
        a = int(request.GET.get("a") or versions[1].number)
        b = int(request.GET.get("b") or versions[0].number)
    except ValueError:
        raise Http404(_("Versions are numbers.")) from None
    old, new = _version(formula, a), _version(formula, b)
    return render(
        request,
        "formulas/diff.html",
        {
            "formula": formula,
            "old": old,
            "new": new,
            "rows": services.diff_versions(old, new),
            "versions": versions,
        },
    )


# -- checks --------------------------------------------------------------------------------------


def _check_context(
    formula: Formula, shown: FormulaVersion, check: CheckResult | None
) -> dict[str, Any]:
    pack = pack_or_none()
    context: dict[str, Any] = {
        "formula": formula,
        "version": shown,
        "check": check,
        "pack_version": pack.version if pack is not None else "",
        "checks": list(shown.checks.all()),
    }
    if check is not None:
        context["view"] = services.check_view(check)
        context["stale"] = pack is not None and check.rule_pack_version != pack.version
    return context


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, formula_id: int, number: int) -> HttpResponse:
    """GET: the newest check of a version (``?id=`` for an older one). POST: check it now."""
    formula = _formula(request, formula_id)
    shown = _version(formula, number)
    if request.method == "POST":
        try:
            services.run_check(shown, current_user(request), services.current_pack())
        except ActivesError as exc:
            context = _check_context(formula, shown, shown.checks.first())
            context["error"] = exc.message
            return render(request, "formulas/check.html", context, status=409)
        return redirect("formulas:check", formula_id=formula.pk, number=shown.number)
    wanted = request.GET.get("id", "")
    chosen = (
        get_object_or_404(CheckResult, version=shown, pk=int(wanted))
        if wanted.isdigit()
        else shown.checks.first()
    )
    return render(request, "formulas/check.html", _check_context(formula, shown, chosen))


@login_required
def report_pdf(request: HttpRequest, formula_id: int, number: int) -> HttpResponse:
    """The compliance report of a checked version as PDF (newest check, or ``?id=``)."""
    from actives.reports.pdf import korean_font

    formula = _formula(request, formula_id)
    shown = _version(formula, number)
    wanted = request.GET.get("id", "")
    chosen = (
        get_object_or_404(CheckResult, version=shown, pk=int(wanted))
        if wanted.isdigit()
        else shown.checks.first()
    )
    if chosen is None:
        return render(
            request,
            "core/error.html",
            {
                "title": _("Not checked yet"),
                "message": _(
                    "Check this version against its markets first; the report "
                    "prints a stored check."
                ),
            },
            status=409,
        )
    context = _check_context(formula, shown, chosen)
    context.update(
        ingredients=list(shown.ingredients.all()),
        generated=timezone.localtime(),
        korean_font=korean_font(),
        user_name=current_user(request).username,
        market_names=[(m, services.market_name(m)) for m in chosen.markets],
    )
    stem = file_slug(formula.name)
    filename = f"{stem}_v{shown.number}_compliance_{timezone.localdate():%Y%m%d}.pdf"
    return pdf_response(request, "formulas/report_pdf.html", context, filename)


# -- import --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    """A formula from a CSV/XLSX file: rows that cannot be read are listed and nothing is kept."""
    user = current_user(request)
    if request.method != "POST":
        form = ImportForm(initial={"exposure": "leave_on", "markets": ["EU", "KR"]})
        return render(request, "formulas/import.html", {"form": form})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "formulas/import.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    original = Path(upload.name or "").name
    try:
        found = services.read_upload(upload.read(), original)
    except ActivesError as exc:
        form.add_error("file", exc.message)
        return render(request, "formulas/import.html", {"form": form}, status=400)
    if found["errors"] or not found["rows"]:
        if not found["errors"]:
            form.add_error("file", _("%(file)s has no ingredient rows.") % {"file": original})
        return render(
            request,
            "formulas/import.html",
            {"form": form, "row_errors": found["errors"], "filename": original},
            status=400,
        )
    formula = services.import_formula(form.cleaned_data, found["rows"], user, original)
    stored = services.store_raw_materials(found["raw_materials"], user)
    messages.success(
        request,
        _("Imported %(n)s rows from %(file)s as version 1.")
        % {"n": len(found["rows"]), "file": original}
        + (" " + _("%(m)s raw materials stored.") % {"m": stored} if stored else ""),
    )
    return redirect("formulas:version", formula_id=formula.pk, number=1)


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The import template (CSV or XLSX) with invented example rows."""
    if fmt not in services.DOWNLOAD_FORMATS:
        raise Http404(_("Templates are CSV or XLSX."))
    content, media_type = services.template_bytes(fmt)
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''formula_template.{fmt}"
    return response


# -- raw materials --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def raw_materials(request: HttpRequest) -> HttpResponse:
    """The company's raw materials and their compositions; add one."""
    user = current_user(request)
    form = RawMaterialForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.save_raw_material(
                form.cleaned_data["name"],
                form.cleaned_data["supplier"],
                form.cleaned_data["composition"],
                user,
            )
            messages.success(request, _("Raw material saved."))
            return redirect("formulas:raw_materials")
        status = 400
    materials = RawMaterial.objects.visible_to(user).prefetch_related("components")
    return render(
        request,
        "formulas/raw_materials.html",
        {"form": form, "materials": materials},
        status=status,
    )


# -- rule pack updates ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def updates(request: HttpRequest) -> HttpResponse:
    """Stored checks made with another rule pack than the current one; staff re-check them
    (here for a few, as a background job for many) and see which verdicts changed and why."""
    user = current_user(request)
    pack = pack_or_none()
    current = pack.version if pack is not None else ""
    stale = services.stale_checks(user, current) if pack is not None else []
    context: dict[str, Any] = {
        "pack_version": current,
        "stale": stale,
        "limit": services.INLINE_RECHECK_LIMIT,
        "jobs": Job.objects.visible_to(user).filter(kind="formulas_recheck")[:5],
    }
    if request.method == "POST":
        if not user.is_centre_staff:
            messages.error(request, _("Only centre staff may re-check all stored formulas."))
            return redirect("formulas:updates")
        if pack is None or not stale:
            return redirect("formulas:updates")
        if len(stale) > services.INLINE_RECHECK_LIMIT:
            job = submit_job(
                "formulas_recheck",
                {"result_ids": [r.pk for r in stale], "user_id": user.pk},
                user,
                title=_("Re-check %(n)s formula versions against rule pack %(v)s")
                % {"n": len(stale), "v": current},
            )
            return redirect("jobs:detail", job_id=job.pk)
        context["recheck"] = services.recheck(stale, user, pack)
        context["stale"] = services.stale_checks(user, current)
    return render(request, "formulas/updates.html", context)
