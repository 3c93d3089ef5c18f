"""A finished job's result file, for the pages that show or download it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from django.http import Http404

from actives.errors import InvalidInputError
from actives.web.accounts.models import User
from actives.web.accounts.scoping import get_visible_or_404
from actives.web.jobs.models import Job, JobStatus


def finished_job_file(
    user: User,
    job_id: str | UUID,
    kind: str,
    result_path: Callable[[Job], Path],
    *,
    wrong_kind: str,
    not_ready: str,
) -> tuple[Job, Path]:
    """A done job of ``kind`` that ``user`` may see, and its result file.

    A malformed id is refused (400); another company's job, a job of another kind, and a job
    whose file is not written yet all answer 404 with the caller's (translated) message.
    """
    try:
        key = UUID(str(job_id))
    except ValueError:
        raise InvalidInputError(f"{job_id!r} is not a job id; expected a UUID.") from None
    job = get_visible_or_404(Job.objects.all(), user, pk=key)
    if job.kind != kind:
        raise Http404(wrong_kind)
    path = result_path(job)
    if job.status != JobStatus.DONE or not path.is_file():
        raise Http404(not_ready)
    return job, path
