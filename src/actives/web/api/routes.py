"""API routes of the foundation: health, the current user, companies and jobs."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from actives import __version__
from actives.errors import InvalidInputError
from actives.web.accounts.models import Company
from actives.web.accounts.scoping import get_visible_or_404
from actives.web.api.auth import request_user
from actives.web.api.schemas import (
    CompanyDetailOut,
    CompanyOut,
    ErrorOut,
    HealthOut,
    JobKindOut,
    JobOut,
    JobSubmitIn,
    MemberOut,
    MeOut,
)
from actives.web.jobs.models import Job
from actives.web.jobs.registry import job_kinds
from actives.web.jobs.runner import submit_job

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

public = Router(tags=["platform"])
platform = Router(tags=["platform"])
companies = Router(tags=["companies"])
jobs = Router(tags=["jobs"])


@public.get("/health", response=HealthOut, auth=None, summary="Liveness check (no login needed)")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@platform.get("/me", response={200: MeOut, **ERRORS}, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    user = request_user(request)
    return MeOut(
        username=user.username,
        email=user.email,
        role=user.role,
        is_centre_staff=user.is_centre_staff,
        company=CompanyOut.from_orm(user.company) if user.company else None,
    )


@companies.get("", response={200: list[CompanyOut], **ERRORS}, summary="Companies you may see")
def list_companies(request: HttpRequest) -> list[Company]:
    return list(Company.objects.visible_to(request_user(request)))


@companies.get("/{company_id}", response={200: CompanyDetailOut, **ERRORS}, summary="One company")
def get_company(request: HttpRequest, company_id: int) -> CompanyDetailOut:
    company = get_visible_or_404(Company.objects.all(), request_user(request), pk=company_id)
    return CompanyDetailOut(
        id=company.id,
        name=company.name,
        name_ko=company.name_ko,
        is_active=company.is_active,
        members=[MemberOut(username=m.username, role=m.role) for m in company.members.all()],
    )


def _job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        kind=job.kind,
        title=job.title,
        status=job.status,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        progress_percent=job.percent,
        progress_message=job.progress_message,
        company_id=job.company_id,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error_code=job.error_code,
        error_message=job.error_message,
        result=job.result,
    )


@jobs.get("/kinds", response={200: list[JobKindOut], **ERRORS}, summary="Kinds of job")
def list_job_kinds(request: HttpRequest) -> list[JobKindOut]:
    return [JobKindOut(id=k.id, label=str(k.label), staff_only=k.staff_only) for k in job_kinds()]


@jobs.get("", response={200: list[JobOut], **ERRORS}, summary="Your jobs, newest first")
def list_jobs(request: HttpRequest, limit: int = 50) -> list[JobOut]:
    limit = max(1, min(limit, 500))
    return [_job_out(j) for j in Job.objects.visible_to(request_user(request))[:limit]]


@jobs.get("/{job_id}", response={200: JobOut, **ERRORS}, summary="One job's status and result")
def get_job(request: HttpRequest, job_id: str) -> JobOut:
    try:
        key = UUID(job_id)
    except ValueError:
        raise InvalidInputError(f"{job_id!r} is not a job id; expected a UUID.") from None
    return _job_out(get_visible_or_404(Job.objects.all(), request_user(request), pk=key))


@jobs.post("", response={202: JobOut, **ERRORS, 409: ErrorOut}, summary="Start a job")
def create_job(request: HttpRequest, payload: JobSubmitIn) -> Status[JobOut]:
    job = submit_job(payload.kind, payload.params, request_user(request), payload.title)
    return Status(202, _job_out(job))
