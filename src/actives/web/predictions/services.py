"""What the prediction pages need, shaped for templates and files (no science here)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from actives.chem.files import STRUCTURE_SUFFIXES
from actives.config import get_settings
from actives.errors import InvalidInputError
from actives.predict.predictor import MoleculeReport, Predictor
from actives.predict.registry import CosmeticFunction
from actives.predict.shipped import installed_models
from actives.web.accounts.models import User
from actives.web.catalog.services import pack_or_none
from actives.web.jobs.models import Job
from actives.web.jobs.runner import submit_job

CONFIDENCES = (0.8, 0.9, 0.95)
NOT_A_STRUCTURE_FILE = "not_a_structure_file"
FUNCTION_LABELS: dict[str, str | Promise] = {
    CosmeticFunction.WHITENING: _("whitening"),
    CosmeticFunction.ANTI_WRINKLE: _("anti-wrinkle"),
    CosmeticFunction.ANTIOXIDANT: _("antioxidant"),
    CosmeticFunction.ANTI_INFLAMMATORY: _("anti-inflammatory"),
    CosmeticFunction.SKIN_PERMEATION: _("skin permeation"),
    CosmeticFunction.SENSITISATION: _("skin sensitisation"),
}


def _models_stamp() -> tuple[tuple[str, float], ...]:
    """Each installed model with its card's modification time, so a retrained model reloads."""
    return tuple(
        (m.endpoint_id, (m.folder / "model_card.json").stat().st_mtime) for m in installed_models()
    )


@lru_cache(maxsize=8)
def _cached_predictor(
    confidence: float, pack_version: str | None, stamp: tuple[tuple[str, float], ...]
) -> Predictor:
    return Predictor(None, confidence, pack_or_none())


def get_predictor(confidence: float = 0.9) -> Predictor:
    """A predictor over every installed model and the current pack, loaded once per process.

    It is never changed after loading; a new pack or a retrained model gives a new one.
    """
    pack = pack_or_none()
    return _cached_predictor(confidence, pack.version if pack else None, _models_stamp())


@dataclass(frozen=True)
class ChartRow:
    """One endpoint's row of the profile chart, in SVG user units."""

    label: str
    units: str
    y: float
    x_low: float
    x_high: float
    band_width: float
    x_value: float
    x_threshold: float | None
    x_measured: float | None
    ticks: list[tuple[float, str]]
    in_domain: bool


CHART_LEFT, CHART_RIGHT, ROW_HEIGHT = 230.0, 690.0, 58.0


def profile_chart(report: MoleculeReport) -> tuple[list[ChartRow], float]:
    """Rows of the function-profile chart (interval band, value, threshold, measured value)
    and the chart's height; each row has its own axis in its endpoint's units."""
    rows = []
    for i, item in enumerate(report.endpoints):
        measured = item.evidence.measured.value if item.evidence.measured else None
        threshold = item.endpoint.active_threshold
        points = [item.low, item.high, item.value]
        points += [v for v in (threshold, measured) if v is not None]
        lo, hi = math.floor(min(points) - 0.5), math.ceil(max(points) + 0.5)
        span = max(hi - lo, 1)

        def x(v: float, lo: int = lo, span: int = span) -> float:
            return CHART_LEFT + (CHART_RIGHT - CHART_LEFT) * (v - lo) / span

        step = 1 if span <= 8 else 2
        rows.append(
            ChartRow(
                label=item.endpoint.title,
                units=item.endpoint.short_units,
                y=16 + i * ROW_HEIGHT,
                x_low=x(item.low),
                x_high=x(item.high),
                band_width=max(1.0, x(item.high) - x(item.low)),
                x_value=x(item.value),
                x_threshold=x(threshold) if threshold is not None else None,
                x_measured=x(measured) if measured is not None else None,
                ticks=[(x(t), str(t)) for t in range(lo, hi + 1, step)],
                in_domain=item.in_domain,
            )
        )
    return rows, 24 + len(rows) * ROW_HEIGHT


def model_summaries() -> list[dict[str, Any]]:
    """Every installed model with its headline card facts (the page and the API list these)."""
    rows = []
    for model in installed_models():
        card = model.card()
        scaffold = card.get("evaluation", {}).get("scaffold", {}).get("overall", {})
        rows.append(
            {
                "id": model.endpoint_id,
                "title": card.get("title", model.endpoint_id),
                "function": card.get("function", ""),
                "units": card.get("units", ""),
                "origin": model.origin,
                "n_compounds": card.get("n_compounds"),
                "active_threshold": card.get("active_threshold"),
                "scaffold_rmse": scaffold.get("rmse"),
                "scaffold_coverage": scaffold.get("coverage"),
                "trained_at": card.get("trained_at", ""),
            }
        )
    return rows


def start_batch(upload: UploadedFile[Any], user: User, confidence: float, title: str) -> Job:
    """Store an uploaded structure file in a fresh batch folder and queue its prediction job.

    InvalidInputError with code ``not_a_structure_file`` when the name is not a structure file
    (nothing is stored then).
    """
    filename = Path(upload.name or "").name
    suffix = Path(filename).suffix.lower()
    if suffix not in STRUCTURE_SUFFIXES:
        raise InvalidInputError(
            f"{filename or 'The upload'} is not a structure file; expected one of "
            f"{', '.join(sorted(STRUCTURE_SUFFIXES))}.",
            code=NOT_A_STRUCTURE_FILE,
        )
    if not 0 < confidence < 1:
        raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
    token = new_batch_token()
    folder = batch_folder(token)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"input{suffix}").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    params = {"token": token, "filename": f"input{suffix}", "original_name": filename,
              "confidence": confidence}  # fmt: skip
    return submit_job("predict_batch", params, user, title=title)


def batch_folder(token: str) -> Path:
    """The folder of one batch: the uploaded file and the result (under ACTIVES_HOME)."""
    return get_settings().home / "predictions" / token


def new_batch_token() -> str:
    """A fresh, unguessable batch folder name."""
    return uuid.uuid4().hex


def source_url(source_id: str) -> str | None:
    """A link for a measurement's source id: ChEMBL compound, or a DOI."""
    text = source_id.strip()
    if text.startswith("CHEMBL"):
        return f"https://www.ebi.ac.uk/chembl/compound_report_card/{text}/"
    doi = text[text.find("10.") :] if "10." in text else ""
    if doi.startswith("10.") and "/" in doi:
        return f"https://doi.org/{doi.split()[0]}"
    return None
