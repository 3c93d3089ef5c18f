"""What the prediction pages need, shaped for templates and files (no science here)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from actives.config import get_settings
from actives.predict.predictor import MoleculeReport, Predictor
from actives.predict.registry import CosmeticFunction
from actives.predict.shipped import installed_models
from actives.web.catalog.services import pack_or_none

CONFIDENCES = (0.8, 0.9, 0.95)
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
