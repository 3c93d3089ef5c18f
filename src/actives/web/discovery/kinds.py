"""Job kinds of discovery: long scoring runs on the task worker, with progress.

Each job keeps its upload and its result table in its own folder under
``ACTIVES_HOME/discovery/<token>/``; the job row (company-scoped) holds the summary the job page
shows, and the result pages and downloads read the table from the folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from actives import __version__
from actives.errors import InvalidInputError
from actives.predict.predictor import count_records
from actives.progress import Progress
from actives.web.discovery.services import (
    clean,
    discovery_folder,
    parquet_safe,
    plain_json,
    plant_result,
    require_pack,
)
from actives.web.jobs.registry import register_job_kind

PLANTS_RESULT = "ranking.parquet"
EXTRACT_RESULT = "extract.parquet"
SCREEN_RESULT = "hits.parquet"
MAX_UNMATCHED_SHOWN = 500
SCREEN_CHUNK = 1000


def job_file(params: dict[str, Any], key: str = "filename") -> Path:
    """A file named in a job's parameters, inside the job's folder (never outside it)."""
    token, filename = str(params.get("token", "")), str(params.get(key, ""))
    folder = discovery_folder(token)
    path = folder / filename
    if not token.isalnum() or not filename or "/" in filename or "\\" in filename:
        raise InvalidInputError(f"The job's file {filename!r} is not a stored upload.")
    if not path.is_file():
        raise InvalidInputError(f"The uploaded file {filename!r} of this job is missing.")
    return path


@register_job_kind(
    "discover_plant", _("Plant to actives"), result_template="discovery/_plant_job_result.html"
)
def discover_plant(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Rank a large taxon's constituents (too many to score while a page waits) into the cache."""
    pack = require_pack()
    functions = [str(f) for f in params.get("functions", [])]
    rule = str(params.get("rule", "p_active"))
    name = str(params.get("name", ""))
    progress(0, None, f"scoring the constituents of {name} for {', '.join(functions)}")
    found = plant_result(pack, name, functions, rule, progress)
    progress(1, 1, f"{len(found.table):,} constituents ranked")
    return {
        "name": name,
        "taxon": found.taxon,
        "rank": found.rank,
        "rows": len(found.table),
        "functions": found.functions,
        "rule": found.rule,
        "pack": found.pack_version,
    }


@register_job_kind(
    "discover_plants", _("Function to plants"), result_template="discovery/_plants_job_result.html"
)
def discover_plants(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Rank species or genera for a function (the first run scores every pack compound)."""
    from actives.discovery.plants import plants_for_function, read_species_list
    from actives.web.discovery.services import discovery_home

    pack = require_pack()
    species = read_species_list(job_file(params, "species_file")) if params.get(
        "species_file"
    ) else None  # fmt: skip
    ranking = plants_for_function(
        pack,
        str(params.get("function", "")),
        level=params.get("level", "species"),
        species=species,
        min_constituents=int(params.get("min_constituents", 1)),
        sort_by=str(params.get("sort_by", "expected_actives")),
        home=discovery_home(),
        progress=progress,
    )
    folder = discovery_folder(str(params["token"]))
    parquet_safe(ranking.table).to_parquet(folder / PLANTS_RESULT, index=False)
    top = ranking.table.head(10)
    return {
        "function": ranking.function,
        "signal_kind": ranking.signal.kind,
        "signal": ranking.signal.describe(),
        "level": ranking.level,
        "sort_by": str(params.get("sort_by", "expected_actives")),
        "rows": len(ranking.table),
        "listed": len(species) if species is not None else None,
        "unmatched": ranking.unmatched[:MAX_UNMATCHED_SHOWN],
        "n_unmatched": len(ranking.unmatched),
        "pack": ranking.pack_version,
        "top": [
            plain_json(
                (k, r.get(k))
                for k in (
                    "rank",
                    ranking.level,
                    "family",
                    "n_constituents",
                    "expected_actives",
                    "best",
                )  # fmt: skip
            )
            for r in top.to_dict("records")
        ],
        "metadata": {
            "function": ranking.function,
            "signal": ranking.signal.describe(),
            "level": ranking.level,
            "data pack": ranking.pack_version,
            "species list": str(params.get("original_name") or "none (every plant in the pack)"),
            "actives": __version__,
        },
    }


@register_job_kind(
    "discover_extract",
    _("Extract to actives"),
    result_template="discovery/_extract_job_result.html",
)
def discover_extract(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Each constituent's share of an uploaded extract's activity for one function."""
    from actives.discovery.extracts import extract_actives, read_composition
    from actives.web.catalog.services import pack_or_none

    source = job_file(params)
    composition = read_composition(source)
    pack = pack_or_none()
    function = str(params.get("function", ""))
    progress(0, 1, f"resolving and scoring {len(composition):,} constituents")
    found = extract_actives(composition, function, pack=pack, basis=params.get("basis", "relative"))
    parquet_safe(found.table).to_parquet(source.parent / EXTRACT_RESULT, index=False)
    progress(1, 1, "done")
    f = found.function
    share = f"{f}_activity_share"
    best = (
        found.table.dropna(subset=[share]).head(5) if share in found.table else found.table.head(0)
    )
    ic50_range = found.extract_ic50_range_ug_ml
    return {
        "function": f,
        "signal_kind": found.signal.kind,
        "signal": found.signal.describe(),
        "basis": found.basis,
        "equal_abundance": found.equal_abundance,
        "rows": len(composition),
        "resolved": len(composition) - len(found.unresolved),
        "unresolved": found.unresolved[:MAX_UNMATCHED_SHOWN],
        "n_unresolved": len(found.unresolved),
        "extract_ic50_ug_ml": clean(found.extract_ic50_ug_ml),
        "extract_ic50_range_ug_ml": [clean(v) for v in ic50_range] if ic50_range else None,
        "pack": found.pack_version,
        "filename": str(params.get("original_name", "")),
        "top": [
            {"label": str(r.get("label") or r.get("given") or ""), "share": clean(r.get(share))}
            for r in best.to_dict("records")
        ],
        "metadata": {
            "function": f,
            "signal": found.signal.describe(),
            "abundance basis": found.basis,
            "equal abundances assumed": "yes" if found.equal_abundance else "no",
            "extract IC50 (ug/mL)": ""
            if found.extract_ic50_ug_ml is None
            else f"{found.extract_ic50_ug_ml:.4g}",
            "data pack": found.pack_version or "none",
            "composition": str(params.get("original_name", "")),
            "actives": __version__,
        },
    }


@register_job_kind(
    "discover_screen", _("Library screening"), result_template="discovery/_screen_job_result.html"
)
def discover_screen(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Screen an uploaded library through the installed models; hits into a table."""
    from actives.discovery.screening import screen_file, screen_settings

    source = job_file(params)
    settings = screen_settings(
        params.get("functions") or None,
        min_p_active=params.get("min_p_active"),
        in_domain_only=bool(params.get("in_domain_only")),
        min_logkp=params.get("min_logkp"),
        top=params.get("top"),
        require_all=bool(params.get("require_all")),
        chunk_size=SCREEN_CHUNK,
    )
    # Small libraries run in the worker's own process; larger ones use every core.
    records = count_records(source) or 0
    workers = 1 if records <= 2 * SCREEN_CHUNK else (os.cpu_count() or 1)
    summary = screen_file(
        source, source.parent / SCREEN_RESULT, settings, workers=workers, progress=progress
    )
    return {
        "rows": summary.rows,
        "predicted": summary.predicted,
        "errors": summary.errors,
        "hits": summary.hits,
        "written": summary.written,
        "by_function": summary.by_function,
        "functions": list(settings.functions),
        "settings": settings.describe(),
        "errors_file": summary.errors_file is not None,
        "filename": str(params.get("original_name", "")),
        "metadata": {
            "screen": settings.describe(),
            "library": str(params.get("original_name")),
            "actives": __version__,
        },  # fmt: skip
    }
