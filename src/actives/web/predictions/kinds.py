"""Job kind: predict every installed endpoint for an uploaded structure file, on the worker."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from actives.errors import InvalidInputError
from actives.predict.predictor import predict_file
from actives.progress import Progress
from actives.web.jobs.registry import register_job_kind
from actives.web.predictions.services import batch_folder, get_predictor

RESULT_NAME = "predictions.parquet"


@register_job_kind(
    "predict_batch", _("Batch prediction"), result_template="predictions/_batch_result.html"
)
def predict_batch(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Stream the uploaded file through the predictor into a Parquet result beside it."""
    token, filename = str(params.get("token", "")), str(params.get("filename", ""))
    folder = batch_folder(token)
    source = folder / filename
    if not token.isalnum() or "/" in filename or not source.is_file():
        raise InvalidInputError(f"The uploaded file {filename!r} of this batch is missing.")
    predictor = get_predictor(float(params.get("confidence", 0.9)))
    summary = predict_file(predictor, source, folder / RESULT_NAME, progress=progress)
    return {
        "rows": summary.rows,
        "predicted": summary.predicted,
        "errors": summary.errors,
        "endpoints": list(predictor.models),
        "confidence": predictor.confidence,
        "pack": predictor.pack.version if predictor.pack is not None else None,
        "filename": filename,
    }
