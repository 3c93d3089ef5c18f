"""Measured activities in the data pack: the curated training data of every endpoint.

The pack's ``activities`` table holds one row per (endpoint, compound): the curated value, its
relation (``=``, ``>``, ``<``), replicate count and source ids, plus Morgan bits for similarity
search. It is built with exactly the curation the shipped models were trained with
(:mod:`actives.predict.datasets`), so the neighbours and measured values shown next to a
prediction are the model's own evidence. Raw files are read from ``ACTIVES_RAW_DATA`` at build
time; nothing of them ships with the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from actives.chem import morgan_fingerprint, to_mol
from actives.chem.fingerprints import packed_bits
from actives.errors import ActivesError
from actives.progress import Progress

ACTIVITY_COLUMNS = ["endpoint", "inchikey", "smiles", "value", "relation", "n", "n_exact",
                    "range", "source_ids", "morgan"]  # fmt: skip


def build_activities(
    raw_root: Path, progress: Progress
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Curate every endpoint's raw data found under ``raw_root``: the table and a report each.

    An endpoint whose file is missing or unreadable is reported (status ``missing``/``failed``),
    never fatal: the rest of the pack still builds.
    """
    # The curation rules belong to the prediction engine; imported here, at build time only.
    from actives.predict.datasets import ENDPOINT_DATA, curate_endpoint, endpoint_source_files

    parts: list[pd.DataFrame] = []
    reports: list[dict[str, Any]] = []
    for i, (endpoint_id, spec) in enumerate(sorted(ENDPOINT_DATA.items())):
        progress(i, len(ENDPOINT_DATA), f"curating measured activities: {endpoint_id}")
        path = raw_root / spec.path
        report: dict[str, Any] = {"endpoint": endpoint_id, "path": spec.path, "status": "missing"}
        if not path.exists():
            reports.append(report)
            continue
        try:
            curated = curate_endpoint(endpoint_id, raw_root)
            report["files"] = endpoint_source_files(endpoint_id, raw_root)
        except ActivesError as exc:
            reports.append({**report, "status": "failed", "message": exc.message})
            continue
        data = curated.data.copy()
        data.insert(0, "endpoint", endpoint_id)
        data["morgan"] = [packed_bits(morgan_fingerprint(to_mol(s))) for s in data["smiles"]]
        parts.append(data[ACTIVITY_COLUMNS])
        reports.append({**report, "status": "loaded", "compounds": len(data),
                        "curation": curated.counts()})  # fmt: skip
    progress(len(ENDPOINT_DATA), len(ENDPOINT_DATA), "measured activities curated")
    if not parts:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ACTIVITY_COLUMNS})
        return empty, reports
    return pd.concat(parts, ignore_index=True), reports
