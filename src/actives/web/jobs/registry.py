"""The job-kind registry: each long operation registers a function that the worker runs.

A job function takes the job's parameters and a :class:`~actives.progress.Progress` reporter and
returns a JSON-serialisable result; it raises :class:`~actives.errors.ActivesError` subclasses for
failures the user should read. Pages, API enums and the worker all read this one registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from actives.errors import InvalidInputError
from actives.progress import Progress
from actives.registry import Registry

JobFunction = Callable[[dict[str, Any], Progress], Any]


@dataclass(frozen=True)
class JobKind:
    """A registered kind of job: its id, a label for people, the function and who may start it."""

    id: str
    label: str | Promise
    function: JobFunction
    staff_only: bool = False
    result_template: str = ""  # shows a finished job's result on its page


KINDS: Registry[JobKind] = Registry("job kind", "unknown_job_kind", InvalidInputError)


def register_job_kind(
    kind_id: str, label: str | Promise, *, staff_only: bool = False, result_template: str = ""
) -> Callable[[JobFunction], JobFunction]:
    """Decorator that registers ``function`` as the job kind ``kind_id``."""

    def decorate(function: JobFunction) -> JobFunction:
        KINDS.add(kind_id, JobKind(kind_id, label, function, staff_only, result_template))
        return function

    return decorate


def get_job_kind(kind_id: str) -> JobKind:
    """The registered kind, or InvalidInputError listing the known kinds."""
    return KINDS.get(kind_id)


def job_kinds() -> list[JobKind]:
    """All registered kinds, sorted by id."""
    return list(KINDS)
