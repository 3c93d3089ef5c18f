"""Job kind of the formula pages: re-check stored formulas after the rule pack changed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from actives.errors import InvalidInputError
from actives.progress import Progress
from actives.web.jobs.registry import register_job_kind

CHUNK = 10


@register_job_kind(
    "formulas_recheck",
    _("Re-check formulas against the current rule pack"),
    staff_only=True,
    result_template="formulas/_recheck_job_result.html",
)
def formulas_recheck(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Re-check the versions of the given stored checks and list what changed, and why."""
    from actives.web.accounts.models import User
    from actives.web.formulas import services
    from actives.web.formulas.models import CheckResult

    ids = [int(i) for i in params.get("result_ids") or []]
    if not ids:
        raise InvalidInputError("No stored checks to re-check; expected a list of check ids.")
    user = User.objects.filter(pk=int(params.get("user_id") or 0)).first()
    pack = services.current_pack()
    results = list(
        CheckResult.objects.filter(pk__in=ids).select_related("version", "version__formula")
    )
    total = len(results)
    progress(0, total, f"re-checking {total} formula versions")
    summary: dict[str, Any] = {"checked": 0, "changed": 0, "errors": 0, "formulas": []}
    for start in range(0, total, CHUNK):
        part = services.recheck(results[start : start + CHUNK], user, pack)
        for key in ("checked", "changed", "errors"):
            summary[key] += part[key]
        summary["formulas"].extend(part["formulas"])
        done = min(start + CHUNK, total)
        progress(done, total, f"{done} of {total} formula versions")
    summary["rule_pack_version"] = pack.version
    return summary
