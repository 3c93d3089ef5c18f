"""Dose-response data from files: a tidy table, or a plate-reader export with a plate layout.

Both end as :class:`DoseResponseData`: per sample, points of (concentration, % inhibition,
replicate, well). Raw signals (absorbance, fluorescence) are turned into % inhibition from the
controls on the same plate, with the formula used written out; data that are already
% inhibition or % activity are taken as they are. Problems with single rows or wells are
returned in ``problems``; a file with nothing usable raises :class:`InvalidFileError` or
:class:`InvalidInputError`.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from actives.assays.dose_response.units import (
    ACCEPTED_UNITS,
    VALUE_WITH_UNIT,
    canonical_unit,
    harmonise_mass,
    to_common,
)
from actives.errors import InvalidFileError, InvalidInputError
from actives.textfiles import decode_text

ResponseKind = Literal["auto", "inhibition", "activity", "signal"]
RESPONSE_KINDS: tuple[str, ...] = ("auto", "inhibition", "activity", "signal")
ROLES: tuple[str, ...] = ("sample", "negative", "positive", "blank", "sample_blank", "empty")
RESPONSE_LABEL = "% inhibition"
PLATE_SHAPES: dict[int, int] = {3: 2, 4: 3, 6: 4, 8: 6, 12: 8, 24: 16}  # columns -> rows
ROW_LETTERS = "ABCDEFGHIJKLMNOP"
WELL = re.compile(r"^\s*([A-Pa-p])\s*0*(\d{1,2})\s*$")


# ----------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Problem:
    """A row, well or sample that was left out, and why."""

    where: str  # "row 7", "well B3", "sample Arbutin"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class DosePoint:
    """One measured point: a concentration (in the sample's unit) and its % inhibition."""

    concentration: float
    response: float
    replicate: str = ""
    well: str = ""
    plate: str = ""
    signal: float | None = None  # the raw reading before normalisation, if there was one


@dataclass
class SampleSeries:
    """All points of one sample; replicates are separate points at the same concentration."""

    name: str
    unit: str
    points: list[DosePoint]

    def concentrations(self) -> np.ndarray:
        return np.array([p.concentration for p in self.points], dtype=np.float64)

    def responses(self) -> np.ndarray:
        return np.array([p.response for p in self.points], dtype=np.float64)

    def summary(self) -> pd.DataFrame:
        """Mean, SD and n of the response at each concentration (for tables and error bars)."""
        frame = pd.DataFrame({"concentration": self.concentrations(), "r": self.responses()})
        grouped = frame.groupby("concentration")["r"]
        out = pd.DataFrame(
            {"mean": grouped.mean(), "sd": grouped.std(ddof=1), "n": grouped.count()}
        ).reset_index()
        return out.sort_values("concentration", ignore_index=True)


@dataclass(frozen=True)
class PlateControls:
    """Control wells of one plate and the assay window they give (Z' factor)."""

    plate: str
    negative_mean: float
    negative_sd: float
    negative_n: int
    reference_role: str  # "blank" or "positive" (the 100 % inhibition level), "" if none
    reference_mean: float
    reference_sd: float
    reference_n: int
    z_prime: float | None


@dataclass
class DoseResponseData:
    """Dose-response points per sample, with how the response was obtained."""

    samples: list[SampleSeries]
    response_kind: str  # what the input held: "inhibition", "activity" or "signal"
    normalisation: str  # the formula used, in words
    source: str = ""
    source_format: str = "table"  # "table" | "plate"
    response_label: str = RESPONSE_LABEL
    controls: list[PlateControls] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.samples]

    def sample(self, name: str) -> SampleSeries:
        for series in self.samples:
            if series.name == name:
                return series
        raise InvalidInputError(
            f"No sample named {name!r}; expected one of: {', '.join(self.names) or '(none)'}."
        )

    def to_frame(self) -> pd.DataFrame:
        """Every point as a tidy table (sample, concentration, unit, response, ...)."""
        rows = [
            {
                "sample": s.name,
                "concentration": p.concentration,
                "unit": s.unit,
                "response": p.response,
                "replicate": p.replicate,
                "well": p.well,
                "plate": p.plate,
                "signal": p.signal,
            }
            for s in self.samples
            for p in s.points
        ]
        return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# bytes -> grids of text cells


Source = Path | str | bytes


def _load(source: Source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, name or "upload"
    path = Path(source)
    if not path.is_file():
        raise InvalidFileError(f"{path} does not exist or is not a file; expected a CSV or XLSX.")
    return path.read_bytes(), name or path.name


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:60]
    counts = {d: sum(line.count(d) for line in lines) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class _Sheet:
    name: str
    cells: list[list[str]]
    decimal_comma: bool = False


def _sheets(source: Source, name: str | None, sheet: str | int | None) -> tuple[list[_Sheet], str]:
    data, label = _load(source, name)
    if not data.strip():
        raise InvalidFileError(f"{label} is empty; expected a table or a plate-reader export.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidFileError(f"{label} is an old .xls workbook; save it as .xlsx or CSV UTF-8.")
    if data.startswith(b"PK\x03\x04"):
        return _excel_sheets(data, label, sheet), label
    if Path(label).suffix.lower() in {".xlsx", ".xlsm"}:
        raise InvalidFileError(
            f"{label} is not an .xlsx workbook (not a ZIP archive): the file is damaged or was "
            "renamed. Expected an .xlsx saved by Excel, or a CSV."
        )
    if sheet is not None:
        raise InvalidInputError(
            f"A sheet ({sheet!r}) was given but {label} is a text file, not an .xlsx workbook."
        )
    text = decode_text(data, label)
    delimiter = _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InvalidFileError(f"{label} cannot be read as delimited text ({exc}).") from None
    cells = [[c.strip() for c in row] for row in rows]
    return [_Sheet("", cells, decimal_comma=delimiter != ",")], label


def _excel_sheets(data: bytes, label: str, sheet: str | int | None) -> list[_Sheet]:
    try:
        frames = pd.read_excel(
            io.BytesIO(data), sheet_name=None, header=None, dtype=str, engine="openpyxl"
        )
    except Exception as exc:  # openpyxl raises many types on a damaged file; all mean the same
        kind = "BadZipFile" if isinstance(exc, zipfile.BadZipFile) else type(exc).__name__
        raise InvalidFileError(
            f"{label} is not a readable .xlsx workbook ({kind}); expected an .xlsx saved by "
            "Excel, or a CSV."
        ) from None
    sheets = [
        _Sheet(str(key), [["" if pd.isna(v) else str(v).strip() for v in row] for row in f.values])
        for key, f in frames.items()
    ]
    if sheet is None:
        return sheets
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheets):
            return [sheets[sheet]]
    else:
        for candidate in sheets:
            if candidate.name.strip().lower() == sheet.strip().lower():
                return [candidate]
    raise InvalidFileError(
        f"{label} has no sheet {sheet!r}; its sheets are: "
        f"{', '.join(repr(s.name) for s in sheets)}."
    )


# ----------------------------------------------------------------------------------------------
# cell values


def _number(text: str, decimal_comma: bool = False) -> float | None:
    value = text.strip().replace("\u2009", "").replace("\u00a0", "")
    if not value:
        return None
    if decimal_comma and re.fullmatch(r"[-+]?\d*,\d+(?:[eE][-+]?\d+)?", value):
        value = value.replace(",", ".")
    elif re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", value):
        value = value.replace(",", "")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _concentration(text: str, decimal_comma: bool) -> tuple[float, str] | None:
    """``(value, unit written in the cell)`` of ``"100"``, ``"100 uM"``, ``"0.5mg/mL"``."""
    match = VALUE_WITH_UNIT.match(text.strip())
    if match is None:
        return None
    value = _number(match.group(1), decimal_comma)
    if value is None:
        return None
    return value, (match.group(2) or "")


def _key(header: str) -> str:
    return re.sub(r"[\s_\-.:()\[\]]+", " ", header.strip().lower()).strip()


_UNIT_IN_HEADER = re.compile(
    r"^(.*?)[\s_(\[]+(%|(?:[pnuµμm]?m)|(?:[nuµμm]?g\s*/\s*m?l)|ppm)[)\]]?\s*$", re.IGNORECASE
)


def _split_header_unit(header: str) -> tuple[str, str]:
    match = _UNIT_IN_HEADER.match(header.strip())
    if match and match.group(2) != "%":
        return match.group(1), match.group(2)
    return header, ""


SAMPLE_ALIASES = {"sample", "sample name", "samplename", "compound", "name", "sample id",
                  "id", "extract", "material", "substance", "test substance", "시료", "시료명",
                  "샘플", "물질", "화합물"}  # fmt: skip
CONC_ALIASES = {"conc", "concentration", "dose", "c", "x", "final concentration",
                "final conc", "log conc", "농도", "처리 농도"}  # fmt: skip
REPLICATE_ALIASES = {"replicate", "rep", "repeat", "replicate id", "반복"}
UNIT_ALIASES = {"unit", "units", "conc unit", "concentration unit", "단위"}
WELL_ALIASES = {"well", "well id", "wells", "position", "웰"}
ROLE_ALIASES = {"role", "type", "well type", "content", "group", "구분"}
PLATE_ALIASES = {"plate", "plate id", "plate name", "run", "플레이트"}
INHIBITION = re.compile(r"^(%\s*)?(inhibition|inh|% inh|저해율?|억제율?)(\s*%)?$")
ACTIVITY = re.compile(r"^(%\s*)?(activity|residual activity|relative activity|of control|"
                      r"% of control|control|viability|활성|잔존 활성)(\s*%)?$")  # fmt: skip
SIGNAL = re.compile(
    r"^(absorbance|abs|od|signal|fluorescence|rfu|luminescence|rlu|raw|raw data|reading|"
    r"(abs|od|a)\s*\d{3}( nm)?|흡광도)$"
)
GENERIC = re.compile(r"^(response|value|y|result|measurement|data)$")
REPLICATE_SUFFIX = re.compile(r"^(.*?)\s*(?:rep(?:licate)?\s*)?#?\s*(\d{1,2})$")

NEGATIVE_WORDS = {"negative", "neg", "nc", "negative control", "control", "ctrl", "vehicle",
                  "veh", "no inhibitor", "enzyme control", "100% activity", "0% inhibition",
                  "대조군", "음성대조군"}  # fmt: skip
POSITIVE_WORDS = {"positive", "pos", "pc", "positive control", "100% inhibition",
                  "0% activity", "full inhibition", "양성대조군"}  # fmt: skip
BLANK_WORDS = {"blank", "blk", "bl", "bg", "background", "no enzyme", "buffer", "공시험",
               "블랭크"}  # fmt: skip
SAMPLE_BLANK_WORDS = {"sample blank", "sb", "sample_blank", "colour blank", "color blank"}
EMPTY_WORDS = {"", "-", "empty", "none", "unused", "n/a", "na"}
SAMPLE_WORDS = {"sample", "unknown", "unk", "test", "s", "x"}


def _role_of(text: str) -> str | None:
    key = _key(text).replace("_", " ")
    if key in NEGATIVE_WORDS:
        return "negative"
    if key in POSITIVE_WORDS:
        return "positive"
    if key in BLANK_WORDS:
        return "blank"
    if key in SAMPLE_BLANK_WORDS:
        return "sample_blank"
    if key in EMPTY_WORDS:
        return "empty"
    if key in SAMPLE_WORDS:
        return "sample"
    return None


def _response_kind_of_header(header: str) -> str | None:
    key = _key(header).replace("_", " ")
    if INHIBITION.match(key) or "inhibition" in key:
        return "inhibition"
    if ACTIVITY.match(key) or "activity" in key or "of control" in key:
        return "activity"
    if SIGNAL.match(key) or key.startswith(("absorbance", "od ", "fluorescence")):
        return "signal"
    if GENERIC.match(key):
        return "unknown"
    return None


# ----------------------------------------------------------------------------------------------
# observations: one measured well or row, before normalisation


@dataclass
class _Obs:
    where: str
    role: str
    sample: str
    value: float
    concentration: float | None = None
    unit: str = ""
    replicate: str = ""
    well: str = ""
    plate: str = ""
    raw: float | None = None  # the reading before normalisation


def _resolve_kind(requested: str, detected: str, has_controls: bool, warnings: list[str]) -> str:
    if requested not in RESPONSE_KINDS:
        raise InvalidInputError(
            f"Unknown response kind {requested!r}; expected one of {', '.join(RESPONSE_KINDS)}."
        )
    if requested != "auto":
        return requested
    if detected in ("inhibition", "activity", "signal"):
        return detected
    if has_controls:
        return "signal"
    warnings.append(
        "The response column does not say what it holds and there are no control wells/rows: "
        "it was taken as % inhibition (pass response='activity' or 'signal' otherwise)."
    )
    return "inhibition"


def _mean_sd(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=np.float64)
    sd = float(array.std(ddof=1)) if array.size > 1 else float("nan")
    return float(array.mean()), sd


def _normalise(
    observations: list[_Obs], kind: str, warnings: list[str], problems: list[Problem]
) -> tuple[list[_Obs], str, list[PlateControls]]:
    """Sample observations with ``value`` turned into % inhibition, the formula used, and the
    controls of each plate."""
    samples = [o for o in observations if o.role == "sample"]
    if kind == "inhibition":
        return samples, "% inhibition as given in the file", []
    if kind == "activity":
        for obs in samples:
            obs.value = 100.0 - obs.value
        return samples, "% inhibition = 100 − % activity (as given in the file)", []
    by_plate: dict[str, list[_Obs]] = defaultdict(list)
    for obs in observations:
        by_plate[obs.plate].append(obs)
    controls: list[PlateControls] = []
    formulas: set[str] = set()
    kept: list[_Obs] = []
    for plate, items in by_plate.items():
        label = f"plate {plate}" if plate else "the file"
        negative = [o.value for o in items if o.role == "negative"]
        blank = [o.value for o in items if o.role == "blank"]
        positive = [o.value for o in items if o.role == "positive"]
        plate_samples = [o for o in items if o.role == "sample"]
        if not plate_samples:
            continue
        if not negative:
            raise InvalidInputError(
                f"{label.capitalize()} has raw signals but no negative-control wells (0 % "
                "inhibition, e.g. enzyme + vehicle); expected wells or rows with role "
                "'negative' (NC, control, vehicle), or response='inhibition'/'activity' for "
                "data that are already normalised."
            )
        a_mean, a_sd = _mean_sd(negative)
        reference_role = "blank" if blank else ("positive" if positive else "")
        reference = blank or positive
        b_mean, b_sd = _mean_sd(reference) if reference else (0.0, float("nan"))
        if not reference:
            warnings.append(
                f"{label.capitalize()} has no blank or positive-control wells: the 100 % "
                "inhibition level was taken as a signal of 0."
            )
        window = a_mean - b_mean
        z_prime = None
        if len(negative) > 1 and len(reference) > 1 and window != 0:
            z_prime = 1.0 - 3.0 * (a_sd + b_sd) / abs(window)
            if z_prime < 0.5:
                warnings.append(
                    f"Z' factor of {label} is {z_prime:.2f} (< 0.5): the window between the "
                    "controls is small for their scatter; treat the results with care."
                )
        controls.append(
            PlateControls(
                plate,
                a_mean,
                a_sd,
                len(negative),
                reference_role,
                b_mean,
                b_sd,
                len(reference),
                z_prime,
            )  # fmt: skip
        )
        if window == 0:
            raise InvalidInputError(
                f"The negative control and the {reference_role or 'zero'} level of {label} give "
                f"the same signal ({a_mean:g}); expected a window between 0 % and 100 % "
                "inhibition."
            )
        sample_blanks: dict[tuple[str, float | None], list[float]] = defaultdict(list)
        for o in items:
            if o.role == "sample_blank":
                sample_blanks[(o.sample, o.concentration)].append(o.value)
        b_word = {"blank": "blank", "positive": "positive control", "": "0"}[reference_role]
        for obs in plate_samples:
            own_blank = sample_blanks.get((obs.sample, obs.concentration))
            signal = obs.raw = obs.value
            if own_blank:
                d_mean = float(np.mean(own_blank))
                obs.value = 100.0 * (window - (signal - d_mean)) / window
                formulas.add(
                    "% inhibition = 100 × [(A − B) − (C − D)] / (A − B), A = negative control "
                    f"(0 % inhibition), B = {b_word}, C = sample, D = sample blank (same sample "
                    "and concentration without enzyme)"
                )
            else:
                obs.value = 100.0 * (a_mean - signal) / window
                formulas.add(
                    f"% inhibition = 100 × (negative control − sample) / (negative control − "
                    f"{b_word}), from the control wells of each plate"
                )
            kept.append(obs)
    return kept, "; ".join(sorted(formulas)), controls


def _assemble(
    observations: list[_Obs],
    kind: str,
    default_unit: str | None,
    problems: list[Problem],
    warnings: list[str],
) -> list[SampleSeries]:
    """Group sample observations into series with one concentration unit each."""
    by_sample: dict[str, list[_Obs]] = defaultdict(list)
    for obs in observations:
        by_sample[obs.sample].append(obs)
    series: list[SampleSeries] = []
    for name, items in by_sample.items():
        kinds: dict[str, list[tuple[_Obs, float, str]]] = defaultdict(list)
        try:
            for obs in items:
                assert obs.concentration is not None
                unit_text = obs.unit or default_unit or ""
                unit_kind, _ = canonical_unit(unit_text)
                value, unit = to_common(obs.concentration, unit_text) if unit_kind else (
                    obs.concentration, "")  # fmt: skip
                kinds[unit_kind].append((obs, value, unit))
        except InvalidInputError as exc:
            problems.append(Problem(f"sample {name}", exc.message))
            continue
        if "molar" in kinds and "mass" in kinds:
            mass = sorted({u for _, _, u in kinds["mass"]})
            problems.append(
                Problem(
                    f"sample {name}",
                    f"concentrations mix molar (µM) and mass units ({', '.join(mass)}); expected "
                    "one kind per sample (a mass concentration cannot be converted to molar "
                    "without the molecular weight). The sample was left out.",
                )
            )
            continue
        if "" in kinds and len(kinds) > 1:
            problems.append(
                Problem(
                    f"sample {name}",
                    "some concentrations have a unit and some have none; expected one unit for "
                    "the whole series. The sample was left out.",
                )
            )
            continue
        entries = next(iter(kinds.values()))
        values = [v for _, v, _ in entries]
        units = [u for _, _, u in entries]
        if "mass" in kinds:
            values, unit, converted = harmonise_mass(values, units)
            if converted:
                warnings.append(
                    f"Sample {name}: concentrations in {', '.join(sorted(set(units)))} were "
                    "converted to µg/mL."
                )
        else:
            unit = units[0]
        points: list[DosePoint] = []
        zero = 0
        for (obs, _, _), value in zip(entries, values, strict=True):
            if value < 0:
                problems.append(
                    Problem(obs.where, f"concentration {value:g} is negative; expected ≥ 0.")
                )
                continue
            if value == 0:
                zero += 1
                continue
            signal = obs.raw
            points.append(DosePoint(value, obs.value, obs.replicate, obs.well, obs.plate, signal))
        if zero:
            warnings.append(
                f"Sample {name}: {zero} point(s) at concentration 0 were left out (a log-scale "
                "fit cannot use them; zero-dose wells belong with the negative controls)."
            )
        if not points:
            problems.append(
                Problem(f"sample {name}", "no point with a positive concentration; left out.")
            )
            continue
        _number_replicates(points)
        series.append(SampleSeries(name, unit, points))
    return series


def _number_replicates(points: list[DosePoint]) -> None:
    counters: dict[float, int] = defaultdict(int)
    for i, point in enumerate(points):
        if point.replicate:
            continue
        counters[point.concentration] += 1
        points[i] = DosePoint(
            point.concentration, point.response, str(counters[point.concentration]), point.well,
            point.plate, point.signal,
        )  # fmt: skip


def _finish(
    observations: list[_Obs],
    requested: str,
    detected: str,
    unit: str | None,
    label: str,
    source_format: str,
    problems: list[Problem],
    warnings: list[str],
) -> DoseResponseData:
    has_controls = any(o.role in ("negative", "blank", "positive") for o in observations)
    kind = _resolve_kind(requested, detected, has_controls, warnings)
    if kind in ("inhibition", "activity") and has_controls:
        warnings.append(
            f"Control wells/rows were ignored: the response is already % {kind} as declared."
        )
    if unit is not None:
        canonical_unit(unit)  # refuse an unknown unit up front
    normalised, formula, controls = _normalise(observations, kind, warnings, problems)
    if unit is None and all(not o.unit for o in normalised):
        warnings.append(
            f"No concentration unit was given (no unit column, header or cell unit); expected "
            f"one of {ACCEPTED_UNITS}. IC50 values are in the file's units."
        )
    series = _assemble(normalised, kind, unit, problems, warnings)
    if not series:
        shown = "; ".join(str(p) for p in problems[:5]) or "no sample rows or wells"
        raise InvalidInputError(
            f"{label} has no usable dose-response points ({shown}); expected samples with "
            "positive concentrations and numeric responses."
        )
    return DoseResponseData(
        samples=series,
        response_kind=kind,
        normalisation=formula,
        source=label,
        source_format=source_format,
        controls=controls,
        problems=problems,
        warnings=warnings,
    )


# ----------------------------------------------------------------------------------------------
# tidy tables


@dataclass
class _Columns:
    header_row: int
    sample: int | None = None
    concentration: int | None = None
    conc_unit: str = ""
    responses: list[int] = field(default_factory=list)
    response_kind: str = "unknown"
    replicate: int | None = None
    unit: int | None = None
    well: int | None = None
    role: int | None = None
    plate: int | None = None


def _map_columns(header: list[str], row_index: int) -> _Columns | None:
    columns = _Columns(row_index)
    response_kinds: dict[str, list[int]] = defaultdict(list)
    for j, raw in enumerate(header):
        if not raw:
            continue
        base, unit = _split_header_unit(raw)
        key = _key(base)
        if key in SAMPLE_ALIASES and columns.sample is None:
            columns.sample = j
        elif key in CONC_ALIASES and columns.concentration is None:
            columns.concentration = j
            columns.conc_unit = unit
        elif key in REPLICATE_ALIASES and columns.replicate is None:
            columns.replicate = j
        elif key in UNIT_ALIASES and columns.unit is None:
            columns.unit = j
        elif key in WELL_ALIASES and columns.well is None:
            columns.well = j
        elif key in ROLE_ALIASES and columns.role is None:
            columns.role = j
        elif key in PLATE_ALIASES and columns.plate is None:
            columns.plate = j
        else:
            kind = _response_kind_of_header(_key(raw))
            if kind is None:
                match = REPLICATE_SUFFIX.match(_key(raw))
                if match and match.group(1):
                    kind = _response_kind_of_header(match.group(1))
                elif re.fullmatch(r"(rep|replicate|r|n|y)\s*#?\s*\d{1,2}", _key(raw)):
                    kind = "unknown"
            if kind is not None:
                response_kinds[kind].append(j)
    if columns.concentration is None or not response_kinds:
        return None
    order = ("inhibition", "activity", "signal", "unknown")
    columns.response_kind = next(k for k in order if k in response_kinds)
    columns.responses = response_kinds[columns.response_kind]
    return columns


def _find_header(sheet: _Sheet) -> _Columns | None:
    for i, row in enumerate(sheet.cells[:40]):
        if any(_number(c) is not None for c in row):
            continue  # a header names columns; a row with numbers is data
        columns = _map_columns(row, i)
        if columns is not None:
            return columns
    return None


def read_table(
    source: Source,
    *,
    response: ResponseKind = "auto",
    unit: str | None = None,
    sheet: str | int | None = None,
    name: str | None = None,
) -> DoseResponseData:
    """A tidy dose-response table (CSV/TSV/XLSX): one row per measured point, or replicates
    side by side in columns (``inhibition 1``, ``inhibition 2``...).

    Columns are found by their headers (sample/compound, concentration/conc/dose with an
    optional unit such as ``concentration_uM``, a response such as ``% inhibition``,
    ``activity``, ``absorbance``; optional replicate, unit, well, role, plate). Rows of
    controls (role column, or sample names such as ``control``, ``blank``) turn raw signals into
    % inhibition. ``response`` overrides what the response column is taken to hold; ``unit``
    is the concentration unit when the file gives none.
    """
    sheets, label = _sheets(source, name, sheet)
    found = [(s, c) for s in sheets if (c := _find_header(s)) is not None]
    if not found:
        first = next((row for s in sheets for row in s.cells if any(row)), [])
        shown = ", ".join(repr(c) for c in first if c)[:300] or "(nothing)"
        raise InvalidFileError(
            f"{label} has no header row with a concentration column and a response column "
            f"(first row found: {shown}); expected columns such as sample, concentration "
            "(or conc, dose), and % inhibition (or activity, absorbance, response)."
        )
    chosen, columns = found[0]
    problems: list[Problem] = []
    warnings: list[str] = []
    observations: list[_Obs] = []
    header = chosen.cells[columns.header_row]
    default_unit = unit if unit is not None else (columns.conc_unit or None)
    stem = Path(label).stem
    for i, row in enumerate(chosen.cells[columns.header_row + 1 :], columns.header_row + 2):
        if not any(row):
            continue
        where = f"row {i}" + (f" of sheet {chosen.name}" if chosen.name else "")

        def cell(j: int | None, row: list[str] = row) -> str:
            return row[j] if j is not None and j < len(row) else ""

        sample = cell(columns.sample) or (stem if columns.sample is None else "")
        role_text = cell(columns.role)
        role = _role_of(role_text) if role_text else None
        if role_text and role is None:
            role = "sample"
        if role is None:
            role = _role_of(sample) if columns.role is None else "sample"
            if role in (None, "empty", "sample"):
                role = "sample"
        if role == "empty":
            continue
        if not sample and role == "sample":
            problems.append(Problem(where, "no sample name; expected a name in the sample column"))
            continue
        conc_text = cell(columns.concentration)
        concentration: float | None = None
        conc_unit = cell(columns.unit)
        if role in ("sample", "sample_blank"):
            parsed = _concentration(conc_text, chosen.decimal_comma)
            if parsed is None:
                got = repr(conc_text) if conc_text else "an empty cell"
                problems.append(
                    Problem(
                        where, f"concentration is {got}; expected a number (e.g. 100 or 100 uM)"
                    )  # fmt: skip
                )
                continue
            concentration, cell_unit = parsed
            conc_unit = cell_unit or conc_unit
        plate = cell(columns.plate)
        for r, j in enumerate(columns.responses, 1):
            text = cell(j)
            value = _number(text.rstrip("%"), chosen.decimal_comma)
            if value is None:
                if text or len(columns.responses) == 1:
                    got = repr(text) if text else "an empty cell"
                    problems.append(Problem(where, f"{header[j]!r} is {got}; expected a number"))
                continue
            replicate = cell(columns.replicate) or (str(r) if len(columns.responses) > 1 else "")
            observations.append(
                _Obs(
                    where,
                    role,
                    sample,
                    value,
                    concentration,
                    conc_unit,
                    replicate,
                    cell(columns.well),
                    plate,
                )  # fmt: skip
            )
    if not observations:
        shown = "; ".join(str(p) for p in problems[:5]) or "no data rows under the header"
        raise InvalidFileError(f"{label} has no usable rows ({shown}).")
    return _finish(
        observations, response, columns.response_kind, default_unit, label, "table", problems,
        warnings,
    )  # fmt: skip


def read_frame(
    frame: pd.DataFrame, *, response: ResponseKind = "auto", unit: str | None = None,
    name: str = "table",
) -> DoseResponseData:  # fmt: skip
    """A tidy table already in memory (the web form, a notebook): same rules as
    :func:`read_table`."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return read_table(buffer.getvalue().encode("utf-8"), response=response, unit=unit,
                      name=f"{name}.csv")  # fmt: skip


# ----------------------------------------------------------------------------------------------
# plate grids


@dataclass
class _Grid:
    label: str
    values: list[list[str]]  # rows x columns
    top: int

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0]) if self.values else 0


def _int_like(text: str) -> int | None:
    match = re.fullmatch(r"\s*(\d{1,2})(?:\.0+)?\s*", text)
    return int(match.group(1)) if match else None


def _header_run(row: list[str]) -> tuple[int, int] | None:
    """(start column, n) of a run 1, 2, ..., n with n a plate width."""
    for j, text in enumerate(row):
        if _int_like(text) != 1:
            continue
        n = 1
        while j + n < len(row) and _int_like(row[j + n]) == n + 1:
            n += 1
        if n in PLATE_SHAPES and n >= 3:
            return j, n
    return None


def _find_grids(sheet: _Sheet) -> list[_Grid]:
    grids: list[_Grid] = []
    cells = sheet.cells
    i = 0
    while i < len(cells):
        run = _header_run(cells[i])
        if run is None:
            i += 1
            continue
        start, n = run
        expected_rows = PLATE_SHAPES[n]
        values: list[list[str]] = []
        r = i + 1
        while r < len(cells) and len(values) < expected_rows:
            row = cells[r]
            letter = row[start - 1].strip().upper() if start >= 1 and start - 1 < len(row) else ""
            with_letters = letter == ROW_LETTERS[len(values)]
            if not with_letters and letter in ROW_LETTERS[:expected_rows] and letter:
                break
            block = [row[c] if c < len(row) else "" for c in range(start, start + n)]
            if not with_letters and not any(block):
                break
            values.append(block)
            r += 1
        corner = cells[i][start - 1].strip() if start >= 1 else ""
        label = corner if corner and corner not in ("<>", "") else ""
        if not label:
            for back in (i - 1, i - 2):
                if back >= 0 and any(cells[back]):
                    label = next(c for c in cells[back] if c)
                    break
        if len(values) != expected_rows:
            raise InvalidFileError(
                f"The plate grid under row {i + 1}{' of sheet ' + sheet.name if sheet.name else ''}"
                f" has {n} columns but {len(values)} row(s); expected {expected_rows} rows "
                f"(A–{ROW_LETTERS[expected_rows - 1]}) for a {n * expected_rows}-well plate."
            )
        grids.append(_Grid(label, values, i))
        i = r
    return grids


def _well_name(row: int, column: int) -> str:
    return f"{ROW_LETTERS[row]}{column + 1}"


@dataclass
class _WellLayout:
    role: str
    sample: str = ""
    concentration: float | None = None
    unit: str = ""
    replicate: str = ""


_LAYOUT_CELL = re.compile(
    r"^(?P<name>.*?)[\s@:;|,]*(?P<value>[-+]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*"
    r"(?P<unit>(?:[pnuµμm]?m|[nuµμm]?g\s*/\s*m?l|ppm))?$",
    re.IGNORECASE,
)


def _parse_layout_cell(text: str, where: str, problems: list[Problem]) -> _WellLayout:
    """One cell of a single-grid layout: a role code (NC, BLK, PC, empty) or
    ``<sample> <concentration> [unit]``, with ``SB:`` in front for a sample blank."""
    role = _role_of(text)
    if role is not None and role != "sample":
        return _WellLayout(role)
    body = text.strip()
    sample_blank = False
    prefix = re.match(r"^(sb|blank|sample blank)\s*[:/]\s*", body, re.IGNORECASE)
    if prefix:
        sample_blank, body = True, body[prefix.end() :]
    match = _LAYOUT_CELL.match(body)
    if match is None or not match.group("name").strip():
        problems.append(
            Problem(
                where,
                f"layout cell {text!r} is neither a control code (NC, BLK, PC) nor "
                "'<sample> <concentration> [unit]'; the well was left out",
            )  # fmt: skip
        )
        return _WellLayout("empty")
    value = _number(match.group("value"), decimal_comma=True)
    return _WellLayout(
        "sample_blank" if sample_blank else "sample",
        match.group("name").strip(),
        value,
        match.group("unit") or "",
    )


def _grid_field(label: str) -> str | None:
    key = _key(label)
    base, _ = _split_header_unit(label)
    base_key = _key(base)
    for field_name, aliases in (
        ("sample", SAMPLE_ALIASES | {"samples", "compounds"}),
        ("concentration", CONC_ALIASES | {"concentrations"}),
        ("role", ROLE_ALIASES | {"roles", "types"}),
        ("unit", UNIT_ALIASES),
        ("replicate", REPLICATE_ALIASES | {"replicates"}),
    ):
        if key in aliases or base_key in aliases:
            return field_name
    return None


def _layout_from_grids(
    grids: list[_Grid], label: str, problems: list[Problem]
) -> tuple[dict[str, _WellLayout], tuple[int, int]]:
    shape = grids[0].shape
    for grid in grids[1:]:
        if grid.shape != shape:
            raise InvalidFileError(
                f"The grids of layout {label} differ in shape ({shape[0]}×{shape[1]} and "
                f"{grid.shape[0]}×{grid.shape[1]}); expected one plate format."
            )
    fields = {_grid_field(g.label): g for g in grids}
    layout: dict[str, _WellLayout] = {}
    rows, columns = shape
    if len(grids) == 1 or set(fields) <= {None}:
        grid = grids[0]
        for r in range(rows):
            for c in range(columns):
                well = _well_name(r, c)
                layout[well] = _parse_layout_cell(grid.values[r][c], f"well {well}", problems)
        return layout, shape
    if "sample" not in fields and "role" not in fields:
        raise InvalidFileError(
            f"Layout {label} has grids labelled {', '.join(repr(g.label) for g in grids)}; "
            "expected grids labelled sample, concentration (with the unit, e.g. "
            "'Concentration (uM)'), and optionally role/type, unit, replicate."
        )
    conc_grid = fields.get("concentration")
    conc_unit = _split_header_unit(conc_grid.label)[1] if conc_grid else ""
    for r in range(rows):
        for c in range(columns):
            well = _well_name(r, c)

            def at(name: str, r: int = r, c: int = c) -> str:
                grid = fields.get(name)
                return grid.values[r][c].strip() if grid is not None else ""

            sample = at("sample")
            role_text = at("role")
            role = _role_of(role_text) if role_text else None
            if role is None:
                guess = _role_of(sample)
                role = guess if guess not in (None, "sample") else ("sample" if sample else "empty")
            if role in ("sample", "sample_blank"):
                parsed = _concentration(at("concentration"), decimal_comma=True)
                if parsed is None:
                    problems.append(
                        Problem(
                            f"well {well}",
                            f"{role.replace('_', ' ')} {sample!r} has "
                            f"concentration {at('concentration')!r}; expected a number; "
                            "the well was left out",
                        )  # fmt: skip
                    )
                    role = "empty"
                    layout[well] = _WellLayout(role)
                    continue
                layout[well] = _WellLayout(
                    role, sample, parsed[0], parsed[1] or at("unit") or conc_unit,
                    at("replicate"),
                )  # fmt: skip
            else:
                layout[well] = _WellLayout(role, sample)
    return layout, shape


def _layout_from_table(
    sheet: _Sheet, label: str, problems: list[Problem]
) -> dict[str, _WellLayout] | None:
    for i, row in enumerate(sheet.cells[:40]):
        keys = [_key(_split_header_unit(c)[0]) for c in row]
        if not any(k in WELL_ALIASES for k in keys):
            continue
        index = {
            name: next((j for j, k in enumerate(keys) if k in aliases), None)
            for name, aliases in (
                ("well", WELL_ALIASES), ("sample", SAMPLE_ALIASES), ("role", ROLE_ALIASES),
                ("concentration", CONC_ALIASES), ("unit", UNIT_ALIASES),
                ("replicate", REPLICATE_ALIASES),
            )
        }  # fmt: skip
        conc_j = index["concentration"]
        header_unit = _split_header_unit(row[conc_j])[1] if conc_j is not None else ""
        layout: dict[str, _WellLayout] = {}
        for n, values in enumerate(sheet.cells[i + 1 :], i + 2):
            if not any(values):
                continue

            def cell(
                name: str, values: list[str] = values, index: dict[str, int | None] = index
            ) -> str:
                j = index[name]
                return values[j].strip() if j is not None and j < len(values) else ""

            match = WELL.match(cell("well"))
            if match is None:
                problems.append(
                    Problem(
                        f"layout row {n}",
                        f"well {cell('well')!r} is not a well name; expected e.g. A1 or B12",
                    )  # fmt: skip
                )
                continue
            well = f"{match.group(1).upper()}{int(match.group(2))}"
            sample = cell("sample")
            role_text = cell("role")
            role = _role_of(role_text) if role_text else None
            if role is None:
                guess = _role_of(sample)
                role = guess if guess not in (None, "sample") else ("sample" if sample else "empty")
            if role in ("sample", "sample_blank"):
                parsed = _concentration(cell("concentration"), sheet.decimal_comma)
                if parsed is None:
                    problems.append(
                        Problem(
                            f"layout row {n}",
                            f"concentration {cell('concentration')!r} "
                            "is not a number; the well was left out",
                        )  # fmt: skip
                    )
                    continue
                unit = parsed[1] or cell("unit") or header_unit
                layout[well] = _WellLayout(role, sample, parsed[0], unit, cell("replicate"))
            else:
                layout[well] = _WellLayout(role, sample)
        if not layout:
            raise InvalidFileError(f"Layout {label} has a well column but no usable rows.")
        return layout
    return None


def read_layout(
    source: Source, *, sheet: str | int | None = None, name: str | None = None
) -> tuple[dict[str, _WellLayout], tuple[int, int] | None, list[Problem]]:
    """A plate layout: one grid of cell codes, labelled grids (sample, concentration, role,
    unit), or a long table (well, role, sample, concentration, unit). Returns the wells, the
    grid shape (None for a long table) and per-well problems."""
    sheets, label = _sheets(source, name, sheet)
    problems: list[Problem] = []
    for candidate in sheets:
        grids = _find_grids(candidate)
        if grids:
            layout, shape = _layout_from_grids(grids, label, problems)
            return layout, shape, problems
        table = _layout_from_table(candidate, label, problems)
        if table is not None:
            return table, None, problems
    raise InvalidFileError(
        f"Layout {label} has neither a plate grid (a header row 1..12 or 1..24 with rows A–H "
        "or A–P) nor a table with a well column; expected one of those."
    )


def read_plate(
    source: Source,
    layout: Source,
    *,
    response: ResponseKind = "auto",
    unit: str | None = None,
    sheet: str | int | None = None,
    layout_sheet: str | int | None = None,
    read: int | None = None,
    name: str | None = None,
    layout_name: str | None = None,
) -> DoseResponseData:
    """A plate-reader export (96/384-well grid, possibly under header lines, several grids =
    several plates) with its layout, as % inhibition from the controls of each plate.

    ``read`` picks one grid (0-based) when the export holds several reads (wavelengths, time
    points) rather than several plates.
    """
    sheets, label = _sheets(source, name, sheet)
    wells, layout_shape, problems = read_layout(layout, sheet=layout_sheet, name=layout_name)
    grids = [(s, g) for s in sheets for g in _find_grids(s)]
    warnings: list[str] = []
    if not grids:
        raise InvalidFileError(
            f"{label} has no plate grid; expected a header row of column numbers (1..12 for a "
            "96-well plate, 1..24 for 384) with rows A–H (or A–P) under it, as plate readers "
            "export it."
        )
    if read is not None:
        if not 0 <= read < len(grids):
            raise InvalidInputError(
                f"read={read} was asked for but {label} holds {len(grids)} grid(s); expected "
                f"0..{len(grids) - 1}."
            )
        grids = [grids[read]]
    elif len(grids) > 1:
        labels = ", ".join(repr(g.label or f"grid {k + 1}") for k, (_, g) in enumerate(grids))
        warnings.append(
            f"{label} holds {len(grids)} plate grids ({labels}); each was analysed as a plate "
            "with the same layout and its own controls. Pass read=<index> if they are several "
            "reads of one plate instead."
        )
    shape = grids[0][1].shape
    if layout_shape is not None and layout_shape != shape:
        raise InvalidInputError(
            f"The layout is a {layout_shape[0] * layout_shape[1]}-well grid "
            f"({layout_shape[0]}×{layout_shape[1]}) but the plate is "
            f"{shape[0] * shape[1]}-well ({shape[0]}×{shape[1]}); expected the same format."
        )
    outside = [w for w in wells if not _inside(w, shape)]
    if outside:
        raise InvalidInputError(
            f"The layout names wells outside a {shape[0] * shape[1]}-well plate "
            f"({', '.join(outside[:5])}); expected wells "
            f"A1–{_well_name(shape[0] - 1, shape[1] - 1)}."
        )
    observations: list[_Obs] = []
    for k, (sheet_, grid) in enumerate(grids):
        plate = (grid.label or f"plate {k + 1}") if len(grids) > 1 else ""
        rows, columns = grid.shape
        for r in range(rows):
            for c in range(columns):
                well = _well_name(r, c)
                spec = wells.get(well)
                if spec is None or spec.role == "empty":
                    continue
                text = grid.values[r][c]
                value = _number(text, sheet_.decimal_comma)
                where = f"well {well}" + (f" of {plate}" if plate else "")
                if value is None:
                    got = repr(text) if text else "an empty cell"
                    problems.append(
                        Problem(
                            where, f"reading is {got}; expected a number (the well was left out)"
                        )  # fmt: skip
                    )
                    continue
                observations.append(
                    _Obs(
                        where,
                        spec.role,
                        spec.sample,
                        value,
                        spec.concentration,
                        spec.unit,
                        spec.replicate,
                        well,
                        plate,
                    )  # fmt: skip
                )
    if not any(o.role == "sample" for o in observations):
        raise InvalidInputError(
            f"The layout marks no sample wells with a reading in {label}; expected wells with a "
            "sample name and a concentration."
        )
    return _finish(observations, response, "signal", unit, label, "plate", problems, warnings)


def _inside(well: str, shape: tuple[int, int]) -> bool:
    match = WELL.match(well)
    if match is None:
        return False
    row = ROW_LETTERS.index(match.group(1).upper())
    return row < shape[0] and 1 <= int(match.group(2)) <= shape[1]


def read_dose_response(
    source: Source,
    layout: Source | None = None,
    *,
    response: ResponseKind = "auto",
    unit: str | None = None,
    sheet: str | int | None = None,
    layout_sheet: str | int | None = None,
    name: str | None = None,
    layout_name: str | None = None,
) -> DoseResponseData:
    """A plate-reader export with its layout when ``layout`` is given, else a tidy table."""
    if layout is not None:
        return read_plate(
            source, layout, response=response, unit=unit, sheet=sheet, layout_sheet=layout_sheet,
            name=name, layout_name=layout_name,
        )  # fmt: skip
    return read_table(source, response=response, unit=unit, sheet=sheet, name=name)
