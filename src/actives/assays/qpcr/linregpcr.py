"""LinRegPCR analysis of an RDML run through rdmlpython (the RDML-Tools implementation).

LinRegPCR (Ruijter et al. 2009, 2021) sets a baseline per curve, finds the window of linearity
on the log scale per target, and gives each well its own PCR efficiency plus the target's mean
efficiency, Cq and starting concentration N0. We call rdmlpython's ``Run.linRegPCR`` with the
RDML-Tools defaults and reshape its result table into one tidy row per well and target.

Speed: about 1.2-2 s per 96 reactions on one core (rdmlpython is pure Python); run it in a
background task for 384-well plates.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from actives.assays.qpcr.rdml_compat import rdml
from actives.assays.qpcr.readers import _load, _open_rdml, _select_run, detect_format
from actives.errors import InvalidFileError, InvalidInputError

#: How rdmlpython names the result columns for each (exclude_no_plateau, exclude_efficiency).
_SUFFIX = {
    (False, "include"): "",
    (True, "include"): " - no plateau",
    (False, "mean"): " - mean efficiency",
    (True, "mean"): " - no plateau - mean efficiency",
    (False, "outlier"): " - stat efficiency",
    (True, "outlier"): " - no plateau - stat efficiency",
}

#: Columns of the returned table, in order.
COLUMNS = (
    "well",
    "sample",
    "sample_type",
    "target",
    "excluded",
    "note",
    "baseline",
    "n_in_log_phase",
    "n_included",
    "last_log_cycle",
    "indiv_pcr_eff",
    "r2",
    "mean_pcr_eff",
    "mean_pcr_eff_se",
    "cq",
    "n0",
    "amplification",
    "plateau",
    "baseline_error",
    "instable_baseline",
    "noisy_sample",
    "efficiency_outlier",
    "short_log_phase",
    "threshold",
)


def linregpcr_results(
    source: Path | str | bytes,
    experiment: str | None = None,
    run: str | None = None,
    *,
    filename: str | None = None,
    exclude_no_plateau: bool = True,
    exclude_efficiency: str = "outlier",
    pcr_efficiency_range: float = 0.05,
) -> pd.DataFrame:
    """LinRegPCR results of one RDML run, one row per well and target (see :data:`COLUMNS`).

    Defaults are those of RDML-Tools: wells without a plateau and efficiency outliers are left
    out of each target's mean efficiency. ``cq`` and ``n0`` use that mean efficiency (the
    values LinRegPCR reports); ``indiv_pcr_eff`` is each well's own efficiency (1.0-2.0).
    Missing numbers are NaN. ``frame.attrs`` holds ``experiment``, ``run`` and ``warnings``
    (e.g. rdmlpython shifting curves with negative, baseline-corrected values). About 1.2-2 s
    per 96 reactions.
    """
    if exclude_efficiency not in ("outlier", "mean", "include"):
        raise InvalidInputError(
            f"exclude_efficiency is {exclude_efficiency!r}; expected outlier, mean or include."
        )
    data, name = _load(source, filename)
    if detect_format(data, name) != "rdml":
        raise InvalidFileError(
            f"{name} is not an RDML file; LinRegPCR through rdmlpython needs RDML (convert an "
            "instrument export with RDML-Tools or read it with read_plate)."
        )
    document = _open_rdml(data, name, [])
    exp, chosen = _select_run(document, name, experiment, run)
    rd = rdml()
    try:
        result = chosen.linRegPCR(
            pcrEfficiencyExl=pcr_efficiency_range,
            updateRDML=False,
            excludeNoPlateau=exclude_no_plateau,
            excludeEfficiency=exclude_efficiency,
            saveResultsList=True,
        )
    except rd.RdmlError as exc:
        raise InvalidFileError(f"{name}: LinRegPCR failed: {exc}") from exc
    warnings = []
    if "noRawData" in result:
        # rdmlpython goes on after shifting curves with negative values up; say so.
        warnings.append(f"{name}: run {chosen['id']!r}: {result['noRawData']}")
    table = result.get("resultsList") or []
    if len(table) < 2:
        raise InvalidFileError(
            f"{name}: run {chosen['id']!r} gave no LinRegPCR results"
            + (f" ({warnings[0]})" if warnings else "")
            + "; expected reactions with amplification data."
        )
    suffix = _SUFFIX[(exclude_no_plateau, exclude_efficiency)]
    frame = _tidy(table[0], table[1:], suffix, exclude_efficiency, exclude_no_plateau)
    frame.attrs["warnings"] = warnings
    frame.attrs["experiment"] = str(exp["id"])
    frame.attrs["run"] = str(chosen["id"])
    return frame


def _tidy(
    header: list[str],
    rows: list[list[Any]],
    suffix: str,
    exclude_efficiency: str,
    exclude_no_plateau: bool,
) -> pd.DataFrame:
    at = {name: i for i, name in enumerate(header)}
    mean_at = at["mean PCR eff" + suffix]  # then SE, N0 and Cq follow in rdmlpython's table
    outlier_column = {
        "outlier": "PCR efficiency outlier",
        "mean": "PCR efficiency outside mean rage",
    }.get(exclude_efficiency)
    if outlier_column and exclude_no_plateau:
        outlier_column += " - no plateau"
    records = []
    for row in rows:
        records.append(
            {
                "well": str(row[at["well"]]),
                "sample": str(row[at["sample"]]),
                "sample_type": str(row[at["sample type"]]),
                "target": str(row[at["target"]]),
                "excluded": str(row[at["excluded"]] or ""),
                "note": str(row[at["note"]] or ""),
                "baseline": _num(row[at["baseline"]]),
                "n_in_log_phase": _num(row[at["n in log phase"]]),
                "n_included": _num(row[at["n included"]]),
                "last_log_cycle": _num(row[at["last log cycle"]]),
                "indiv_pcr_eff": _num(row[at["indiv PCR eff"]]),
                "r2": _num(row[at["R2"]]),
                "mean_pcr_eff": _num(row[mean_at]),
                "mean_pcr_eff_se": _num(row[mean_at + 1]),
                "n0": _num(row[mean_at + 2]),
                "cq": _cq(row[mean_at + 3]),
                "amplification": bool(row[at["amplification"]]),
                "plateau": bool(row[at["plateau"]]),
                "baseline_error": bool(row[at["baseline error"]]),
                "instable_baseline": bool(row[at["instable baseline"]]),
                "noisy_sample": bool(row[at["noisy sample"]]),
                "efficiency_outlier": bool(row[at[outlier_column]]) if outlier_column else False,
                "short_log_phase": bool(row[at["short log lin phase"]]),
                "threshold": _num(row[at["common threshold"]]),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _num(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _cq(value: Any) -> float:
    number = _num(value)
    return number if number > 0 else math.nan
