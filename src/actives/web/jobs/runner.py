"""Submitting jobs and running them on the task worker (django.tasks, database backend)."""

from __future__ import annotations

import logging
import time
from typing import Any
from uuid import UUID

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from actives.errors import ActivesError, PermissionDeniedError
from actives.web.accounts.models import User
from actives.web.accounts.scoping import company_for_new_record
from actives.web.jobs.models import Job, JobStatus
from actives.web.jobs.registry import get_job_kind

logger = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL_S = 0.5


class JobProgressReporter:
    """Writes progress to the job row, at most every half second so the database is not flooded."""

    def __init__(self, job_id: UUID) -> None:
        self.job_id = job_id
        self._last_write = 0.0

    def __call__(self, done: float, total: float | None = None, message: str = "") -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last_write < PROGRESS_WRITE_INTERVAL_S:
            return
        self._last_write = now
        Job.objects.filter(pk=self.job_id).update(
            progress_done=done, progress_total=total, progress_message=message[:300]
        )


def submit_job(kind_id: str, params: dict[str, Any], user: User, title: str = "") -> Job:
    """Create a queued job owned by the user's company and enqueue it once the row is committed."""
    kind = get_job_kind(kind_id)
    if kind.staff_only and not user.is_centre_staff:
        raise PermissionDeniedError(f"Only centre staff may start “{kind.label}” jobs.")
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind.id,
            title=title or str(kind.label),
            owner=user,
            company=company_for_new_record(user),
            params=params,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: UUID) -> None:
    result = run_job.enqueue(str(job_id))
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id))


@task()
def run_job(job_id: str) -> None:
    """Run one job: mark it running, call its kind's function, store the result or the error."""
    updated = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not updated:
        logger.warning("job %s is not queued (missing or already started); skipping", job_id)
        return
    job = Job.objects.get(pk=job_id)
    kind = get_job_kind(job.kind)
    try:
        result = kind.function(job.params, JobProgressReporter(job.pk))
    except ActivesError as exc:
        _finish(job_id, JobStatus.FAILED, error_code=exc.code, error_message=exc.message)
    except Exception as exc:  # the worker must record every failure, not die with it
        logger.exception("job %s (%s) failed unexpectedly", job_id, job.kind)
        _finish(
            job_id,
            JobStatus.FAILED,
            error_code="internal_error",
            error_message=f"Unexpected error ({type(exc).__name__}): {exc}",
        )
    else:
        _finish(job_id, JobStatus.DONE, result=result)


def _finish(job_id: str, status: JobStatus, **fields: Any) -> None:
    Job.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), **fields)
