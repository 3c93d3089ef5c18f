"""Job pages: the list, one job's status (polled with HTMX while it runs), starting a check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actives.errors import ActivesError
from actives.web.accounts.models import current_user
from actives.web.accounts.scoping import get_visible_or_404
from actives.web.jobs.models import Job
from actives.web.jobs.registry import KINDS
from actives.web.jobs.runner import submit_job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The jobs the user may see, newest first."""
    jobs = Job.objects.visible_to(current_user(request)).select_related("owner", "company")[:100]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    """One job with its progress; HTMX requests get only the status panel."""
    job = get_visible_or_404(Job.objects.all(), current_user(request), pk=job_id)
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    kind = KINDS.get(job.kind) if job.kind in KINDS else None
    return render(
        request, template, {"job": job, "result_template": kind.result_template if kind else ""}
    )


@login_required
@require_POST
def start_system_check(request: HttpRequest) -> HttpResponse:
    """Queue a system check on the worker (centre staff only)."""
    try:
        job = submit_job("system_check", {}, current_user(request))
    except ActivesError as exc:
        messages.error(request, exc.message)
        return redirect("jobs:list")
    messages.info(request, _("System check queued."))
    return redirect("jobs:detail", job_id=job.pk)
