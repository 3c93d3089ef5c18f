"""Job kind: build the data pack on the task worker (first start, or on a manager's request)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from actives.config import get_settings
from actives.knowledge import build_pack, packs_dir
from actives.progress import Progress
from actives.web.jobs.registry import register_job_kind


@register_job_kind("build_data_pack", _("Build the data pack"), staff_only=True)
def build_data_pack(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Build a pack from ACTIVES_RAW_DATA and make it current; returns its version and counts."""
    config = get_settings()
    path = build_pack(config.raw_data, packs_dir(config.home), progress=progress)
    import json

    manifest = json.loads((path / "manifest.json").read_text())
    return {
        "version": manifest["version"],
        "tables": {k: v["rows"] for k, v in manifest["tables"].items()},
        "missing_sources": manifest["missing_sources"],
    }
