"""PCRedux's human-labelled amplification curves, matched to their raw fluorescence.

PCRedux (Burdukiewicz et al.) ships ``decision_res_<dataset>.csv``: one row per curve, one column
per rater (``y`` amplified, ``a`` ambiguous, ``n`` not amplified) and a ``conformity`` flag. The
raw curves live in other packages, so each data set is looked up in turn as a wide CSV (qpcR,
chipPCR, PCRedux: one column per curve, named as the label file's first column) or an RDML file
(RAS002/RAS003 in PCRedux, lc96_bACTXY/stepone_std in the RDML package), whose curves are named
the way the R RDML package names them (``well_sample_type_target`` after R's ``make.names``, or
``well~sample~type~target~run``).

The first column of the CSVs is a cycle number, a row index, or a fractional "cycle" (chipPCR's
iQ5 and CFX exports), so the cycles of a CSV curve are its row positions 1..n; RDML curves keep
their ``cyc`` values. A data set that cannot be read is reported and skipped, never fatal.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from actives.errors import InvalidFileError, NotFoundError

LABEL_VALUES = ("y", "a", "n")
POSITIVE, NEGATIVE, AMBIGUOUS = "positive", "negative", "ambiguous"
DECISION_PREFIX = "decision_res_"
# Folders under the raw-data root searched, in order, for a data set's raw curves.
CSV_FOLDERS = ("qpcr-qpcR", "qpcr-chipPCR", "qpcr-pcredux")
RDML_FOLDERS = ("qpcr-pcredux", "qpcr-rdml-pkg")
LABEL_FOLDER = "qpcr-pcredux"
MIN_CYCLES = 10  # a shorter curve cannot show baseline, rise and plateau
CURVE_COLUMNS = [
    "dataset",
    "curve_id",
    "raw_file",
    "cycles",  # float64 array
    "fluorescence",  # float64 array, same length as cycles
    "ratings",  # the raters' labels, e.g. "yyn" (missing ratings left out)
    "n_y",
    "n_a",
    "n_n",
    "consensus",  # positive | negative | ambiguous
    "conformity",  # the file's flag: all raters agree
]
REPORT_COLUMNS = ["dataset", "raw_file", "labels", "matched", "unmatched", "status", "message"]


@dataclass(frozen=True)
class PcreduxCurves:
    """Labelled curves (one row each, :data:`CURVE_COLUMNS`) and a per-data-set load report."""

    curves: pd.DataFrame
    report: pd.DataFrame


def consensus(ratings: str) -> str:
    """The raters' verdict: a strict majority of ``y`` or ``n``; an ``a`` majority, no
    majority at all, or no rating is ambiguous."""
    counts = Counter(ratings)
    total = sum(counts[v] for v in LABEL_VALUES)
    if total and counts["y"] * 2 > total:
        return POSITIVE
    if total and counts["n"] * 2 > total:
        return NEGATIVE
    return AMBIGUOUS


def read_decisions(path: Path) -> pd.DataFrame:
    """One label file as ``curve_id, ratings, conformity``.

    InvalidFileError for an empty file, a file without rater columns or with a rating other than
    y/a/n (a blank rating is missing, not wrong).
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InvalidFileError(f"{path.name} is empty; expected a PCRedux label table.") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InvalidFileError(f"{path.name} is not a readable CSV ({exc}).") from exc
    raters = [c for c in frame.columns[1:] if c.lower().startswith("test.result")]
    if frame.empty or not raters:
        raise InvalidFileError(
            f"{path.name}: columns {', '.join(map(str, frame.columns))} with {len(frame)} rows; "
            "expected a curve id column, test.result.* rater columns and conformity."
        )
    cells = frame[raters].apply(lambda s: s.str.strip().str.lower())
    cells = cells.replace({"na": "", "nan": ""})
    bad = sorted(set(cells.to_numpy().ravel()) - {*LABEL_VALUES, ""})
    if bad:
        raise InvalidFileError(
            f"{path.name}: rating(s) {', '.join(map(repr, bad[:5]))}; expected y, a or n."
        )
    ratings = cells.apply(lambda row: "".join(row), axis=1)
    conformity: pd.Series[Any]
    if "conformity" in frame.columns:
        flag = frame["conformity"].str.strip().str.upper()
        conformity = flag.map({"TRUE": True, "FALSE": False})
    else:
        conformity = pd.Series([None] * len(frame))
    return pd.DataFrame(
        {
            "curve_id": frame.iloc[:, 0].str.strip(),
            "ratings": ratings,
            "conformity": conformity,
        }
    )


def read_wide_curves(path: Path) -> dict[str, np.ndarray]:
    """Every numeric column of a wide curve table (one column per curve, one row per cycle).

    Trailing empty cells are cut (a shorter run in a table of longer ones: CD74, the ALU assay
    of vermeulen1/2); a column with a non-numeric or empty cell before its end, or with fewer
    than :data:`MIN_CYCLES` values, is left out. The cycle column comes through like any other
    and is simply never asked for by a label.
    """
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InvalidFileError(f"{path.name} is empty; expected one column per curve.") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InvalidFileError(f"{path.name} is not a readable CSV ({exc}).") from exc
    curves: dict[str, np.ndarray] = {}
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        finite = np.flatnonzero(np.isfinite(values))
        if len(finite) < MIN_CYCLES:
            continue
        values = values[: finite[-1] + 1]
        if np.isfinite(values).all():
            curves[str(column)] = values
    return curves


def r_make_names(text: str) -> str:
    """R's ``make.names``: characters other than letters, digits, '.' and '_' become '.', and a
    name that does not start with a letter or a dot followed by a letter gets an 'X' prefix."""
    name = re.sub(r"[^0-9A-Za-z._]", ".", text)
    if not re.match(r"^([A-Za-z]|\.(?![0-9]))", name):
        name = "X" + name
    return name


def _well_name(react_id: str, columns: int) -> str:
    """``A01`` from an RDML react id, which is a 1-based position ("13") or a well ("B1")."""
    if react_id.isdigit():
        row, column = divmod(int(react_id) - 1, columns)
        return f"{chr(ord('A') + row)}{column + 1:02d}"
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", react_id)
    return f"{match.group(1).upper()}{int(match.group(2)):02d}" if match else react_id


def read_rdml_curves(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every amplification curve of an RDML file, under each name PCRedux may use for it.

    Names: ``well_sample_type_target`` through :func:`r_make_names`, with the sample's id or
    description and the target's id or the part after '@' (Roche LC96 ids are ``dye@name``), and
    ``well~sample~type~target~run`` as written.
    """
    from actives.assays.qpcr.rdml_compat import rdml

    rd = rdml()
    try:
        document = rd.Rdml(str(path))
    except Exception as exc:  # rdmlpython raises bare Exceptions and zip/XML errors
        raise InvalidFileError(f"{path.name} is not a readable RDML file ({exc}).") from exc
    samples: dict[str, tuple[list[str], str]] = {}
    for sample in document.samples():
        info = sample.tojson()
        names = [info["id"]] + ([info["description"]] if info.get("description") else [])
        kinds = info.get("types") or [{"type": "unkn"}]
        samples[info["id"]] = (names, str(kinds[0].get("type", "unkn")))
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for experiment in document.experiments():
        for run in experiment.runs():
            columns = int(run["pcrFormat_columns"] or 12)
            for react in run.getreactjson()["reacts"]:
                well = _well_name(str(react["id"]), columns)
                names, kind = samples.get(react.get("sample", ""), ([react.get("sample", "")], ""))
                for data in react["datas"]:
                    points = [(p[0], p[1]) for p in data.get("adps", []) if p[0] != ""]
                    if not points:
                        continue
                    try:
                        cycles = np.array([float(c) for c, _ in points])
                        fluor = np.array([float(f) for _, f in points])
                    except ValueError:
                        continue
                    target = str(data["tar"])
                    targets = {target, target.split("@", 1)[-1]}
                    curve = (cycles, fluor)
                    for name in names:
                        curves[f"{well}~{name}~{kind}~{target}~{run['id']}"] = curve
                        for tar in targets:
                            key = f"{well}_{r_make_names(name)}_{kind}_{r_make_names(tar)}"
                            curves.setdefault(key, curve)
    return curves


def find_raw_file(raw_data: Path, dataset: str) -> Path | None:
    """The raw curves of a data set: the first of the known CSV then RDML locations."""
    for folder in CSV_FOLDERS:
        path = raw_data / folder / f"{dataset}.csv"
        if path.is_file():
            return path
    for folder in RDML_FOLDERS:
        path = raw_data / folder / f"{dataset}.rdml"
        if path.is_file():
            return path
    return None


def load_dataset(decisions: Path, raw_file: Path) -> tuple[pd.DataFrame, list[str], dict[str, int]]:
    """The labelled curves of one data set, the ids without a raw curve, and counts."""
    dataset = decisions.stem.removeprefix(DECISION_PREFIX)
    labels = read_decisions(decisions)
    if raw_file.suffix.lower() == ".rdml":
        raw = read_rdml_curves(raw_file)
    else:
        wide = read_wide_curves(raw_file)
        raw = {k: (np.arange(1.0, len(v) + 1), v) for k, v in wide.items()}
    rows, unmatched = [], []
    for label in labels.itertuples(index=False):
        curve = raw.get(str(label.curve_id))
        if curve is None:
            unmatched.append(str(label.curve_id))
            continue
        counts = Counter(str(label.ratings))
        rows.append(
            {
                "dataset": dataset,
                "curve_id": str(label.curve_id),
                "raw_file": f"{raw_file.parent.name}/{raw_file.name}",
                "cycles": curve[0],
                "fluorescence": curve[1],
                "ratings": str(label.ratings),
                "n_y": counts["y"],
                "n_a": counts["a"],
                "n_n": counts["n"],
                "consensus": consensus(str(label.ratings)),
                "conformity": label.conformity,
            }
        )
    return pd.DataFrame(rows, columns=CURVE_COLUMNS), unmatched, {"labels": len(labels)}


def load_pcredux(raw_data: Path) -> PcreduxCurves:
    """Every labelled PCRedux curve under ``raw_data`` (the ACTIVES_RAW_DATA folder).

    Keeps going past a data set whose raw file is missing or unreadable; the report says per
    data set how many labels were matched to a raw curve and why the others were not.
    """
    folder = raw_data / LABEL_FOLDER
    files = sorted(folder.glob(f"{DECISION_PREFIX}*.csv")) if folder.is_dir() else []
    if not files:
        raise NotFoundError(
            f"No {DECISION_PREFIX}*.csv under {folder}; expected the PCRedux label files "
            "(set ACTIVES_RAW_DATA to the raw-data folder)."
        )
    parts, report = [], []
    for decisions in files:
        dataset = decisions.stem.removeprefix(DECISION_PREFIX)
        raw_file = find_raw_file(raw_data, dataset)
        entry: dict[str, Any] = {"dataset": dataset, "raw_file": "", "labels": 0, "matched": 0}
        if raw_file is None:
            places = ", ".join(dict.fromkeys([*CSV_FOLDERS, *RDML_FOLDERS]))
            entry |= {
                "status": "missing raw file",
                "message": f"no {dataset}.csv/.rdml in {places}",
            }
            try:
                entry["labels"] = len(read_decisions(decisions))
            except InvalidFileError as exc:
                entry["message"] += f"; {exc}"
            entry["unmatched"] = entry["labels"]
            report.append(entry)
            continue
        entry["raw_file"] = f"{raw_file.parent.name}/{raw_file.name}"
        try:
            curves, unmatched, counts = load_dataset(decisions, raw_file)
        except InvalidFileError as exc:
            report.append(entry | {"unmatched": 0, "status": "unreadable", "message": str(exc)})
            continue
        parts.append(curves)
        message = ""
        if unmatched:
            shown = ", ".join(unmatched[:5]) + (" ..." if len(unmatched) > 5 else "")
            message = f"no complete numeric raw curve named {shown}"
        report.append(
            entry
            | {
                "labels": counts["labels"],
                "matched": len(curves),
                "unmatched": len(unmatched),
                "status": "ok" if not unmatched else "partly matched",
                "message": message,
            }
        )
    curves = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CURVE_COLUMNS)
    return PcreduxCurves(curves, pd.DataFrame(report, columns=REPORT_COLUMNS))
