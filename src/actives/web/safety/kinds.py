"""Job kinds of the safety pages: a batch of defined-approach inputs run on the task worker.

Each job keeps its upload and its result table in its own folder under
``ACTIVES_HOME/safety/<token>/``; the job row (company-scoped) holds the summary its page shows.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils.translation import gettext_lazy as _

from actives import __version__
from actives.errors import InvalidInputError
from actives.progress import Progress
from actives.web.discovery.services import parquet_safe
from actives.web.jobs.registry import register_job_kind
from actives.web.safety.services import BATCH_RESULT, batch_folder

CHUNK = 50  # rows per progress report


def job_file(params: dict[str, Any]) -> Path:
    """The uploaded table of a batch job, inside the job's folder (never outside it)."""
    token, filename = str(params.get("token", "")), str(params.get("filename", ""))
    if not token.isalnum() or not filename or "/" in filename or "\\" in filename:
        raise InvalidInputError(f"The job's file {filename!r} is not a stored upload.")
    path = batch_folder(token) / filename
    if not path.is_file():
        raise InvalidInputError(f"The uploaded file {filename!r} of this job is missing.")
    return path


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in Counter(series.dropna().astype(str)).most_common()}


@register_job_kind(
    "safety_da_batch",
    _("Defined approaches (batch)"),
    result_template="safety/_da_batch_job_result.html",
)
def safety_da_batch(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Both GL497 defined approaches (2o3 and ITS) for every row of an uploaded table."""
    from actives.safety.inputs import read_da_inputs, run_defined_approaches

    source = job_file(params)
    rows = read_da_inputs(source)
    total = len(rows)
    progress(0, total, f"running the defined approaches for {total:,} chemicals")
    parts = []
    for start in range(0, total, CHUNK):
        parts.append(run_defined_approaches(rows[start : start + CHUNK]))
        done = min(start + CHUNK, total)
        progress(done, total, f"{done:,} of {total:,} chemicals")
    table = pd.concat(parts, ignore_index=True)
    parquet_safe(table).to_parquet(source.parent / BATCH_RESULT, index=False)
    ok = table[table["status"] == "ok"]
    return {
        "rows": total,
        "ok": len(ok),
        "errors": total - len(ok),
        "calls_2o3": _counts(ok["da_2o3_call"]),
        "categories_its": _counts(ok["da_its_category"].fillna("inconclusive")),
        "filename": str(params.get("original_name", "")),
        "first_errors": [
            {"row": int(r["row"]), "name": str(r["name"]), "message": str(r["message"])}
            for r in table[table["status"] != "ok"].head(5).to_dict("records")
        ],
        "metadata": {
            "input file": str(params.get("original_name", "")),
            "defined approaches": "OECD GL497 2 out of 3 and ITS (actives.safety)",
            "assay values": "read as measured; in silico calls as predicted by the named tool",
            "actives": __version__,
        },
    }
