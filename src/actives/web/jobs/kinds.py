"""Built-in job kinds. Feature apps register theirs in their own ``kinds`` modules."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from actives.progress import Progress
from actives.web.jobs.registry import register_job_kind


@register_job_kind(
    "system_check",
    _("System check"),
    staff_only=True,
    result_template="jobs/_system_check_result.html",
)
def system_check(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Run the health checks from the worker, proving that the worker runs and sees the database."""
    from actives.web.core.health import collect_health

    checks = collect_health(progress=progress)
    return {
        "healthy": all(c.ok or not c.required for c in checks),
        "checks": [c.as_dict() for c in checks],
    }
