"""What the discovery pages need, shaped for templates and files (no science here).

The science is :mod:`actives.discovery`; this module picks menus from its registries, keeps a
plant's ranked table in a file cache so that sorting, filtering, downloads and the dossier do not
score it again, turns tables into template rows and chart coordinates, and stores uploads for the
background jobs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from actives.config import get_settings
from actives.discovery.functions import (
    FunctionSignal,
    discoverable_functions,
    function_signal,
    reference_actives,
)
from actives.discovery.plants import SORT_KEYS, PlantActives, plant_actives
from actives.discovery.ranking import RANKING_RULES
from actives.errors import ActivesError, DataPackMissingError, InvalidFileError, InvalidInputError
from actives.knowledge import DataPack
from actives.predict.export import FORMATS, MEDIA_TYPES, TableWriter
from actives.predict.shipped import installed_models
from actives.progress import Progress, silent_progress
from actives.web.accounts.models import User
from actives.web.catalog.services import pack_or_none
from actives.web.jobs.models import Job
from actives.web.jobs.runner import submit_job
from actives.web.predictions.services import FUNCTION_LABELS, model_summaries, source_url

PLANT_INLINE_LIMIT = 2500  # constituents scored while the page waits; larger taxa go to a job
PLANT_ROWS_SHOWN = 100  # more on request, up to 1,000; downloads hold every row
DOSSIER_TOP = 5
CONFIDENCE = 0.9
DOWNLOAD_FORMATS = ("csv", "xlsx", "sdf")

# Labels of the library's registries for people, in both languages. A rule or function that is
# not listed here still appears in every menu, under the title the library gives it.
RULE_TEXT: dict[str, tuple[Promise, Promise]] = {
    "p_active": (
        _("Probability of activity"),
        _(
            "P(active) at the endpoint's activity threshold, from the conformal predictive "
            "distribution; a measured activity counts as 1 or 0. Functions without a model are "
            "ordered by similarity to their reference actives."
        ),
    ),
    "potency": (
        _("Potency"),
        _(
            "Measured potency where measured, else predicted (pIC50). Functions without a model "
            "are ordered by similarity to their reference actives."
        ),
    ),
    "potency_permeation": (
        _("Potency weighted by skin permeation"),
        _(
            "pIC50 + log Kp = log10(Kp / IC50): the activity delivered through skin at the same "
            "applied concentration. Functions scored by similarity use the Pareto rule instead."
        ),
    ),
    "pareto": (
        _("Pareto front of potency and permeation"),
        _(
            "Non-dominated sorting on potency (or similarity) and skin log Kp: compounds that "
            "no other compound beats on both come first."
        ),
    ),
}
EVIDENCE_LABELS: dict[str, Promise] = {
    "measured": _("measured"),
    "predicted": _("predicted"),
    "similarity": _("similarity"),
}
RANK_LABELS: dict[str, Promise] = {
    "species": _("species"),
    "genus": _("genus"),
    "family": _("family"),
}
SORT_KEY_LABELS: dict[str, Promise] = {
    "expected_actives": _("Expected number of actives (favours well-studied plants)"),
    "fraction_actives": _("Share of constituents predicted active"),
    "best_strength": _("Strongest single constituent"),
}


def function_label(function: str) -> str:
    """A cosmetic function's name for people, in the active language."""
    return str(FUNCTION_LABELS.get(function, function.replace("_", " ")))


def function_choices() -> list[tuple[str, str]]:
    """Functions that can be discovered now (a model installed, or reference actives shipped)."""
    return [(f.value, function_label(f.value)) for f in discoverable_functions()]


def model_function_choices() -> list[tuple[str, str]]:
    """Functions with an installed model (library screening predicts, it does not compare)."""
    from actives.discovery.functions import NOT_EFFICACY, installed_functions

    properties = {str(f.value) for f in NOT_EFFICACY}
    return [(f, function_label(f)) for f in installed_functions() if f not in properties]


def rule_title(rule_id: str) -> str:
    """A ranking rule's title for people."""
    if rule_id in RULE_TEXT:
        return str(RULE_TEXT[rule_id][0])
    return RANKING_RULES.get(rule_id).title


def rule_description(rule_id: str) -> str:
    """What a ranking rule does, in a sentence or two."""
    if rule_id in RULE_TEXT:
        return str(RULE_TEXT[rule_id][1])
    return RANKING_RULES.get(rule_id).description


def rule_choices() -> list[tuple[str, str]]:
    """The ranking rules of the registry, the default first."""
    rules = sorted(RANKING_RULES, key=lambda r: (r.id != "p_active", r.id))
    return [(r.id, rule_title(r.id)) for r in rules]


def plants_sort_choices() -> list[tuple[str, str]]:
    """Orders of the function-to-plants ranking, from the library's keys."""
    return [(k, str(SORT_KEY_LABELS.get(k, k))) for k in SORT_KEYS]


def signal_info(signal: FunctionSignal) -> dict[str, Any]:
    """A function's signal for templates and the API: models with their cards, or references."""
    summaries = {m["id"]: m for m in model_summaries()}
    primary = signal.primary
    return {
        "function": signal.function,
        "label": function_label(signal.function),
        "kind": signal.kind,
        "describe": signal.describe(),
        "units": primary.short_units if primary else "",
        "threshold": primary.active_threshold if primary else None,
        "endpoint": primary.id if primary else "",
        "models": [
            summaries.get(e.id, {"id": e.id, "title": e.title, "units": e.units})
            for e in signal.endpoints
        ],
        "references": [r for r in reference_actives() if r.function == signal.function]
        if signal.kind == "similarity"
        else [],
    }


def require_pack() -> DataPack:
    """The current data pack; DataPackMissingError says how to build one."""
    pack = pack_or_none()
    if pack is None:
        raise DataPackMissingError(
            "No data pack is built yet, so plants and their constituents are unknown; build one "
            "from the Catalogue page or with `actives data build`."
        )
    return pack


def discovery_home() -> Path:
    """ACTIVES_HOME: the pack-score cache of function to plants and the job folders live here."""
    return get_settings().home


def discovery_folder(token: str) -> Path:
    """The folder of one discovery job: its upload and its result (under ACTIVES_HOME)."""
    return discovery_home() / "discovery" / token


def new_token() -> str:
    """A fresh, unguessable folder name."""
    return uuid.uuid4().hex


def store_upload(upload: UploadedFile[Any], stem: str) -> tuple[str, Path]:
    """Write an upload into a fresh job folder as ``stem`` + its suffix; (token, path)."""
    suffix = Path(upload.name or "").suffix.lower()
    token = new_token()
    folder = discovery_folder(token)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, path


# -- plant to actives: a file cache keyed by pack, taxon, functions, rule and models ----------


def _models_stamp() -> list[tuple[str, str]]:
    return sorted(
        (m.endpoint_id, str((m.folder / "model_card.json").stat().st_mtime))
        for m in installed_models()
    )


def plant_key(pack: DataPack, taxon: str, functions: Sequence[str], rule: str) -> str:
    """The cache key of one ranked plant table (changes with a new pack or retrained model)."""
    identity = {
        "pack": pack.version,
        "taxon": taxon,
        "functions": list(functions),
        "rule": rule,
        "models": _models_stamp(),
        "confidence": CONFIDENCE,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:24]


# The plant cache keeps the most recently used tables: a new pack or model makes old keys stale,
# and without a bound the folder would only grow.
PLANT_CACHE_MAX_ENTRIES = 200
PLANT_CACHE_MAX_BYTES = 512 * 1024 * 1024


def _plant_cache(key: str) -> Path:
    return discovery_home() / "cache" / "web-discovery" / f"plant-{key}.parquet"


def prune_plant_cache(
    folder: Path,
    max_entries: int = PLANT_CACHE_MAX_ENTRIES,
    max_bytes: int = PLANT_CACHE_MAX_BYTES,
) -> int:
    """Remove the least recently used cached plant tables beyond the limits; how many went."""
    entries = []
    for table in folder.glob("plant-*.parquet"):
        try:
            stat = table.stat()
        except FileNotFoundError:  # removed by another worker meanwhile
            continue
        entries.append((stat.st_mtime, stat.st_size, table))
    entries.sort(key=lambda e: e[0], reverse=True)
    kept_bytes, removed = 0, 0
    for i, (_mtime, size, table) in enumerate(entries):
        kept_bytes += size
        if i < max_entries and kept_bytes <= max_bytes:
            continue
        table.unlink(missing_ok=True)
        table.with_suffix(".json").unlink(missing_ok=True)
        removed += 1
    return removed


def cached_plant(
    pack: DataPack, name: str, functions: Sequence[str], rule: str
) -> PlantActives | None:
    """The ranked table of an earlier request with the same inputs, if one is cached."""
    _rank, taxon = pack.resolve_taxon(name)
    path = _plant_cache(plant_key(pack, taxon, functions, rule))
    meta_path = path.with_suffix(".json")
    if not (path.is_file() and meta_path.is_file()):
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    table = pd.read_parquet(path)
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest when the cache is pruned
    return PlantActives(
        query=name,
        rank=meta["rank"],
        taxon=meta["taxon"],
        functions=meta["functions"],
        signals=[function_signal(f) for f in meta["functions"]],
        rule=meta["rule"],
        table=table,
        pack_version=meta["pack_version"],
    )


def plant_result(
    pack: DataPack,
    name: str,
    functions: Sequence[str],
    rule: str,
    progress: Progress = silent_progress,
) -> PlantActives:
    """:func:`~actives.discovery.plants.plant_actives`, read from the cache when it has it."""
    found = cached_plant(pack, name, functions, rule)
    if found is not None:
        return found
    found = plant_actives(
        pack, name, list(functions), rule=rule, confidence=CONFIDENCE, progress=progress
    )
    path = _plant_cache(plant_key(pack, found.taxon, functions, rule))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    parquet_safe(found.table).to_parquet(partial, index=False)
    partial.replace(path)
    meta = {"rank": found.rank, "taxon": found.taxon, "functions": found.functions,
            "rule": found.rule, "pack_version": found.pack_version}  # fmt: skip
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    prune_plant_cache(path.parent)
    return found


def taxon_size(pack: DataPack, name: str) -> tuple[str, str, int]:
    """(rank, matched name, number of constituents) of a plant name; NotFoundError on a miss."""
    rank, taxon, frame = pack.constituents(name)
    return rank, taxon, len(frame)


def parquet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns that mix types (True, False and NaN; text and NaN) made uniform."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        values = out[column].dropna()
        if len(values) and values.map(lambda v: isinstance(v, bool | np.bool_)).all():
            out[column] = out[column].astype("boolean")
        else:
            out[column] = out[column].map(lambda v: None if _missing(v) else str(v))
    return out


# -- filters, sorting and rows -----------------------------------------------------------------


@dataclass(frozen=True)
class TableView:
    """How a plant's table is shown: the function in focus, order and filters."""

    focus: str
    sort: str = ""
    descending: bool = False
    in_domain_only: bool = False
    evidence: str = ""
    min_p: float | None = None

    def sort_column(self, table: pd.DataFrame) -> str:
        """The column sorted on: the chosen one when it exists, else the focus rank."""
        if self.sort and self.sort in table.columns and self.sort in sortable_columns(table):
            return self.sort
        return f"{self.focus}_rank"

    def describe(self) -> dict[str, str]:
        """The filters as metadata for a download."""
        parts = {"focus": self.focus}
        if self.in_domain_only:
            parts["filter"] = "inside the applicability domain"
        if self.evidence:
            parts["evidence"] = self.evidence
        if self.min_p is not None:
            parts["minimum P(active) or similarity"] = f"{self.min_p:g}"
        return parts


def sortable_columns(table: pd.DataFrame) -> set[str]:
    """Columns a person may sort a plant's table by."""
    suffixes = ("_rank", "_potency", "_p_active", "_similarity", "_score")
    return {c for c in table.columns if str(c).endswith(suffixes)} | (
        {"logkp", "np_score", "name"} & set(table.columns)
    )


def view_table(
    table: pd.DataFrame, view: TableView, signals: Sequence[FunctionSignal]
) -> pd.DataFrame:
    """The table filtered on the focus function and sorted as asked (stable, missing last)."""
    signal = next(s for s in signals if s.function == view.focus)
    f = signal.function
    keep = pd.Series(True, index=table.index)
    if view.in_domain_only and signal.kind == "model":
        keep &= table[f"{f}_in_domain"].astype("boolean").fillna(False).astype(bool)
    if view.evidence:
        keep &= table[f"{f}_evidence"].astype(str) == view.evidence
    if view.min_p is not None:
        column = f"{f}_p_active" if signal.kind == "model" else f"{f}_similarity"
        keep &= pd.to_numeric(table[column], errors="coerce").fillna(-1) >= view.min_p
    shown = table[keep]
    column = view.sort_column(table)
    ascending = not view.descending
    if column == "name":
        key = shown["name"].fillna("").astype(str).str.lower()
        order = key.sort_values(ascending=ascending, kind="stable").index
        return shown.loc[order]
    return shown.sort_values(column, ascending=ascending, kind="stable", na_position="last")


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def clean(value: Any) -> Any:
    """A cell for a template: NaN and NA become None, NumPy scalars Python ones."""
    if _missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def dois(text: Any) -> list[tuple[str, str]]:
    """DOIs of a ``;``-separated cell with their links."""
    if _missing(text):
        return []
    found = [d.strip() for d in str(text).split(";") if d.strip() and d.strip() != "nan"]
    return [(d, f"https://doi.org/{d}") for d in dict.fromkeys(found)]


def sources(text: Any) -> list[tuple[str, str | None]]:
    """Measurement source ids (ChEMBL documents, DOIs) with a link where one is known."""
    if _missing(text):
        return []
    found = [s.strip() for s in str(text).replace(";", ",").split(",") if s.strip()]
    return [(s, source_url(s)) for s in dict.fromkeys(found)]


def function_cell(record: dict[str, Any], signal: FunctionSignal) -> dict[str, Any]:
    """One function's evidence for one compound, ready for a table cell."""
    f = signal.function
    cell: dict[str, Any] = {
        "function": f,
        "kind": signal.kind,
        "rank": clean(record.get(f"{f}_rank")),
        "score": clean(record.get(f"{f}_score")),
        "evidence": clean(record.get(f"{f}_evidence")) or "",
    }
    cell["evidence_label"] = str(EVIDENCE_LABELS.get(cell["evidence"], cell["evidence"]))
    if signal.kind == "model":
        relation = clean(record.get(f"{f}_measured_relation")) or ""
        cell.update(
            value=clean(record.get(f"{f}_potency")),
            predicted=clean(record.get(f"{f}_predicted")),
            low=clean(record.get(f"{f}_low")),
            high=clean(record.get(f"{f}_high")),
            p_active=clean(record.get(f"{f}_p_active")),
            in_domain=clean(record.get(f"{f}_in_domain")),
            nearest=clean(record.get(f"{f}_nearest")),
            relation=relation if relation not in ("", "=") else "",
            match=clean(record.get(f"{f}_measured_match")) or "",
            sources=sources(record.get(f"{f}_sources")),
        )
    else:
        cell.update(
            similarity=clean(record.get(f"{f}_similarity")),
            reference=clean(record.get(f"{f}_reference")) or "",
        )
    return cell


def compound_rows(
    table: pd.DataFrame, signals: Sequence[FunctionSignal], limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows for a results table: identity, one cell per function, permeation, NP-likeness."""
    frame = table if limit is None else table.head(limit)
    rows = []
    for record in frame.to_dict("records"):
        status = clean(record.get("status")) or ("error" if clean(record.get("problem")) else "ok")
        smiles = clean(record.get("parent_smiles")) or clean(record.get("smiles")) or ""
        rows.append(
            {
                "ok": status == "ok",
                "message": clean(record.get("message")) or clean(record.get("problem")) or "",
                "inchikey": clean(record.get("inchikey")) or "",
                "name": clean(record.get("name")) or clean(record.get("label")) or "",
                "smiles": smiles,
                "dois": dois(record.get("dois")),
                "cells": [
                    function_cell({str(k): v for k, v in record.items()}, s) for s in signals
                ],
                "logkp": clean(record.get("logkp")),
                "logkp_low": clean(record.get("logkp_low")),
                "logkp_high": clean(record.get("logkp_high")),
                "logkp_evidence": str(EVIDENCE_LABELS.get(str(record.get("logkp_evidence")), "")),
                "np_score": clean(record.get("np_score")),
                "record": {str(k): clean(v) for k, v in record.items()},
            }
        )
    return rows


# -- charts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    """One compound on the potency-permeation chart, in SVG user units."""

    x: float
    y: float
    y_low: float | None
    y_high: float | None
    css: str
    title: str
    anchor: str
    label: str


@dataclass(frozen=True)
class ScatterChart:
    """A potency (or similarity) against skin log Kp scatter, laid out for an SVG template."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    points: list[ChartPoint]
    y_label: str
    threshold_y: float | None
    omitted: int
    intervals: bool = field(default=False)

    @property
    def plot_width(self) -> float:
        """Width of the plotting area."""
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        """Height of the plotting area."""
        return self.bottom - self.top

    @property
    def tick_label_x(self) -> float:
        """Where the y-axis tick labels end."""
        return self.left - 8

    @property
    def tick_label_y(self) -> float:
        """The baseline of the x-axis tick labels."""
        return self.bottom + 18

    @property
    def axis_label_y(self) -> float:
        """The baseline of the x-axis title."""
        return self.height - 10


def _ticks(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step) * step
    values = []
    value = first
    while value <= hi + 1e-9:
        values.append(round(value, 6))
        value += step
    return values


def scatter_chart(
    table: pd.DataFrame, signal: FunctionSignal, labels: int = 5
) -> ScatterChart | None:
    """Potency (or similarity to a reference) against predicted or measured skin log Kp.

    None when the table has no permeation column or no compound with both values. Filled points
    are measured potencies, hollow ones predicted; amber points are outside the domain.
    """
    f = signal.function
    y_column = f"{f}_potency" if signal.kind == "model" else f"{f}_similarity"
    if "logkp" not in table.columns or y_column not in table.columns:
        return None
    x = pd.to_numeric(table["logkp"], errors="coerce")
    y = pd.to_numeric(table[y_column], errors="coerce")
    usable = table[np.isfinite(x) & np.isfinite(y)]
    if usable.empty:
        return None
    width, height, left, right, top, bottom = 720.0, 400.0, 64.0, 700.0, 16.0, 340.0
    xs = pd.to_numeric(usable["logkp"]).to_numpy(dtype=float)
    ys = pd.to_numeric(usable[y_column]).to_numpy(dtype=float)
    intervals = signal.kind == "model" and len(usable) <= 80
    y_values = list(ys)
    if intervals:
        y_values += [v for v in pd.to_numeric(usable[f"{f}_low"]).tolist() if math.isfinite(v)]
        y_values += [v for v in pd.to_numeric(usable[f"{f}_high"]).tolist() if math.isfinite(v)]
    threshold = signal.primary.active_threshold if signal.primary else None
    if threshold is not None:
        y_values.append(threshold)
    if signal.kind == "model":
        y_lo, y_hi, y_step = math.floor(min(y_values)), math.ceil(max(y_values)), 1.0
        y_hi = max(y_hi, y_lo + 1)
    else:
        y_lo, y_hi, y_step = 0.0, 1.0, 0.2
    x_lo, x_hi = math.floor(float(xs.min())), math.ceil(float(xs.max()))
    x_hi = max(x_hi, x_lo + 1)
    x_step = 1.0 if x_hi - x_lo <= 8 else 2.0

    def px(v: float) -> float:
        return left + (right - left) * (v - x_lo) / (x_hi - x_lo)

    def py(v: float) -> float:
        return float(bottom - (bottom - top) * (v - y_lo) / (y_hi - y_lo))

    rank_column = f"{f}_rank"
    labelled = set(
        usable.sort_values(rank_column, kind="stable", na_position="last").index[:labels]
    )
    points = []
    placed: list[tuple[float, float]] = []  # labels already placed, so none overlap
    for index, record in zip(usable.index, usable.to_dict("records"), strict=True):
        name = str(clean(record.get("name")) or clean(record.get("label")) or record["inchikey"])
        yv = float(record[y_column])
        xv = float(record["logkp"])
        evidence = str(record.get(f"{f}_evidence") or "")
        css = "point"
        if signal.kind == "model":
            css += " measured" if evidence == "measured" else " predicted"
            if clean(record.get(f"{f}_in_domain")) is False:
                css += " out"
        else:
            css += " similarity"
        low = clean(record.get(f"{f}_low")) if intervals else None
        high = clean(record.get(f"{f}_high")) if intervals else None
        title = f"{name}: {yv:.2f} · log Kp {xv:.2f}"
        label = ""
        if index in labelled:
            near = any(abs(px(xv) - x0) < 150 and abs(py(yv) - y0) < 14 for x0, y0 in placed)
            if not near:
                label = name[:22] + "…" if len(name) > 23 else name
                placed.append((px(xv), py(yv)))
        points.append(
            ChartPoint(
                x=px(xv),
                y=py(yv),
                y_low=py(low) if low is not None else None,
                y_high=py(high) if high is not None else None,
                css=css,
                title=title,
                anchor=f"c-{record.get('inchikey') or index}",
                label=label,
            )
        )
    y_label = (
        f"{signal.primary.title} ({signal.primary.short_units})"
        if signal.kind == "model" and signal.primary
        else str(_("similarity to the nearest reference active"))
    )
    return ScatterChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_ticks=[(px(t), f"{t:g}") for t in _ticks(x_lo, x_hi, x_step)],
        y_ticks=[(py(t), f"{t:g}") for t in _ticks(y_lo, y_hi, y_step)],
        points=points,
        y_label=y_label,
        threshold_y=py(threshold) if threshold is not None and signal.kind == "model" else None,
        omitted=len(table) - len(usable),
        intervals=intervals,
    )


@dataclass(frozen=True)
class ShareBar:
    """One constituent's share of an extract's activity, as a bar."""

    label: str
    share: float
    width: float
    y: float


def share_bars(table: pd.DataFrame, function: str, top: int = 15) -> tuple[list[ShareBar], float]:
    """The constituents with the largest shares of activity, as bars of a 720-wide SVG."""
    column = f"{function}_activity_share"
    if column not in table.columns:
        return [], 0.0
    shares = table[pd.to_numeric(table[column], errors="coerce").notna()]
    shares = shares.sort_values(column, ascending=False, kind="stable").head(top)
    bars = []
    for i, record in enumerate(shares.to_dict("records")):
        share = float(record[column])
        label = str(clean(record.get("label")) or clean(record.get("given")) or "")
        bars.append(
            ShareBar(
                label=label[:34] + "…" if len(label) > 35 else label,
                share=share,
                width=max(1.0, 400.0 * share),
                y=8.0 + 26.0 * i,
            )
        )
    return bars, 16.0 + 26.0 * len(bars)


# -- files ---------------------------------------------------------------------------------


def table_file_response(
    table: pd.DataFrame, metadata: dict[str, str], fmt: str, filename: str
) -> FileResponse:
    """A table as a CSV, Excel or SD file download (metadata in the "about" sheet and SD
    properties), written through the shared :class:`~actives.predict.export.TableWriter`."""
    handle = tempfile.NamedTemporaryFile(suffix=f".{fmt}", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    try:
        with TableWriter(path, metadata) as writer:
            writer.write(table)
        stream = path.open("rb")
    finally:
        path.unlink(missing_ok=True)  # an open handle keeps the data until the response is sent
    response = FileResponse(stream, content_type=MEDIA_TYPES[FORMATS[f".{fmt}"]])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_table(table: pd.DataFrame) -> pd.DataFrame:
    """A result table for a file: a ``title`` column for SD records, internal columns dropped."""
    out = table.drop(columns=[c for c in ("parent_smiles",) if c in table.columns])
    if "title" not in out.columns:
        names = out["name"] if "name" in out.columns else out.get("label")
        if names is not None:
            out.insert(0, "title", names)
    return out


def file_slug(text: str) -> str:
    """A file-name friendly version of a plant or file name."""
    return "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in text).strip("_") or "table"


def plain_json(values: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Key-value pairs with NumPy scalars and NaN made JSON-safe (for a job's result)."""
    return {k: clean(v) for k, v in values}


# -- starting the background jobs (the pages and the API share these) --------------------------


def _original_name(upload: UploadedFile[Any]) -> str:
    return Path(upload.name or "").name


def _check_suffix(upload: UploadedFile[Any], suffixes: Sequence[str], what: str) -> None:
    name = _original_name(upload)
    if not name.lower().endswith(tuple(suffixes)):
        raise InvalidFileError(
            f"{name or 'The upload'} is not {what}; expected a file ending in "
            f"{', '.join(suffixes)}."
        )


def start_plants(
    user: User,
    function: str,
    *,
    level: str = "species",
    sort_by: str = "expected_actives",
    min_constituents: int = 1,
    species_upload: UploadedFile[Any] | None = None,
    species: Sequence[str] | None = None,
) -> Job:
    """Queue a function-to-plants ranking, restricted to an uploaded or given species list.

    The function, options and list are checked first (InvalidInputError, InvalidFileError), so
    a job that starts has what it needs.
    """
    from actives.discovery.plants import read_species_list

    signal = function_signal(function)
    if level not in ("species", "genus"):
        raise InvalidInputError(f"Level {level!r}; expected 'species' or 'genus'.")
    if sort_by not in SORT_KEYS:
        raise InvalidInputError(f"Order {sort_by!r}; expected one of {', '.join(SORT_KEYS)}.")
    if min_constituents < 1:
        raise InvalidInputError(f"Minimum constituents {min_constituents}; expected at least 1.")
    require_pack()
    if species_upload is not None:
        _check_suffix(species_upload, (".csv", ".tsv", ".txt"), "a species list")
    token = new_token()
    folder = discovery_folder(token)
    folder.mkdir(parents=True, exist_ok=True)
    params: dict[str, Any] = {"token": token, "function": signal.function, "level": level,
                              "sort_by": sort_by, "min_constituents": min_constituents}  # fmt: skip
    original = ""
    if species_upload is not None:
        original = _original_name(species_upload)
        path = folder / f"species{Path(original).suffix.lower()}"
        with path.open("wb") as out:
            for chunk in species_upload.chunks():
                out.write(chunk)
    elif species is not None:
        original = "species list (API)"
        path = folder / "species.txt"
        path.write_text("\n".join(str(s) for s in species), encoding="utf-8")
    if original:
        try:
            names = read_species_list(path)
        except InvalidFileError as exc:
            shutil.rmtree(folder, ignore_errors=True)  # a refused upload is not kept
            raise InvalidFileError(exc.message.replace(path.name, original)) from None
        params.update(species_file=path.name, original_name=original, listed=len(names))
    title = str(_("Plants for %(function)s")) % {"function": function_label(signal.function)}
    if original:
        title += f" · {original}"
    return submit_job("discover_plants", params, user, title=title)


def start_extract(user: User, upload: UploadedFile[Any], function: str, basis: str) -> Job:
    """Store a composition file, check that it can be read, and queue its analysis."""
    from actives.discovery.extracts import read_composition

    signal = function_signal(function)
    if basis not in ("relative", "mass_percent"):
        raise InvalidInputError(f"Basis {basis!r}; expected 'relative' or 'mass_percent'.")
    _check_suffix(upload, (".csv", ".tsv", ".txt", ".xlsx"), "a composition table")
    original = _original_name(upload)
    token, path = store_upload(upload, "composition")
    try:
        composition = read_composition(path)
    except ActivesError as exc:
        shutil.rmtree(path.parent, ignore_errors=True)  # a refused upload is not kept
        raise type(exc)(exc.message.replace(path.name, original), code=exc.code) from None
    params = {"token": token, "filename": path.name, "original_name": original,
              "function": signal.function, "basis": basis,
              "constituents": len(composition)}  # fmt: skip
    title = str(_("%(file)s for %(function)s")) % {
        "file": original,
        "function": function_label(signal.function),
    }
    return submit_job("discover_extract", params, user, title=title)


def start_screen(
    user: User, upload: UploadedFile[Any], functions: Sequence[str], options: dict[str, Any]
) -> Job:
    """Check a screen's settings and library, store the library, and queue the screen.

    ``options`` are :func:`~actives.discovery.screening.screen_settings` keywords (filters,
    top-N); the settings are checked against the installed models before anything is stored.
    """
    from actives.chem.files import LIBRARY_SUFFIXES
    from actives.discovery.screening import screen_settings

    allowed = {"min_p_active", "in_domain_only", "min_logkp", "top", "require_all"}
    unknown = set(options) - allowed
    if unknown:
        raise InvalidInputError(
            f"Unknown screening option(s) {', '.join(sorted(unknown))}; expected "
            f"{', '.join(sorted(allowed))}."
        )
    screen_settings(list(functions) or None, **options)
    _check_suffix(upload, LIBRARY_SUFFIXES, "a structure library")
    original = _original_name(upload)
    token, path = store_upload(upload, "library")
    params = {"token": token, "filename": path.name, "original_name": original,
              "functions": list(functions), **options}  # fmt: skip
    title = str(_("Screening of %(file)s")) % {"file": original}
    return submit_job("discover_screen", params, user, title=title)
