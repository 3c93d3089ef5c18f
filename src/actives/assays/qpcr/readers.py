"""Read qPCR runs into a :class:`Plate`: RDML (through rdmlpython) and instrument exports.

Formats, detected from the file name and content unless ``fmt`` is given:

- ``rdml``: RDML 1.0-1.4, zipped or plain XML, read with rdmlpython (RDML-Tools);
- ``cfx``: Bio-Rad CFX "Quantification Amplification Results" (CSV, or XLSX with one sheet per
  dye): a blank first column, ``Cycle``, then one column per well;
- ``quantstudio``: Applied Biosystems QuantStudio / StepOne "Amplification Data" (CSV/TXT with
  ``*`` header lines, or the XLSX sheet): Well, Well Position, Cycle, Target Name, Rn, Delta Rn;
- ``lightcycler``: Roche LightCycler 480/96 text export (tab-separated SamplePos, SampleName,
  Prog, Seg, Cycle, Time, Temp and one column per channel such as 465-510);
- ``table``: any wide table with a cycle column (Cycle, Cycles, cyc, index, X) and one column
  per curve, as in the qpcR and chipPCR data sets.

A layout file (well, sample, sample_type, target, quantity, dye) can be laid over any format.
Everything a reader notices but can live with (a guessed NTC, a dropped empty column, a well in
the layout and not in the data) goes to ``Plate.warnings``; anything it cannot read raises
:class:`~actives.errors.InvalidFileError` saying what it got and what it expected.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings as warnings_module
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from actives.assays.qpcr.plate import (
    MAX_COLUMNS,
    MAX_TABLE_CURVES,
    SAMPLE_TYPES,
    FloatArray,
    Plate,
    Reaction,
    normalise_well,
    plate_format_for,
    plate_shape_for_wells,
    well_name,
    well_position,
)
from actives.assays.qpcr.rdml_compat import rdml
from actives.errors import InvalidFileError, InvalidInputError, NotFoundError

FORMATS = ("rdml", "cfx", "quantstudio", "lightcycler", "table")

#: Cycle-column names of plain tables, best first (compared lower-case, without spaces).
CYCLE_COLUMNS = ("cycle", "cycles", "cyc", "cycleno", "cyclenumber", "index", "x")

_MISSING = {"", "na", "nan", "n/a", "-", "null", "none", "undetermined"}

#: Words accepted for each sample type in layout files (lower-case, spaces collapsed).
SAMPLE_TYPE_WORDS: dict[str, str] = {
    **{t: t for t in SAMPLE_TYPES},
    "unknown": "unkn",
    "unk": "unkn",
    "sample": "unkn",
    "test": "unkn",
    "standard": "std",
    "stnd": "std",
    "std curve": "std",
    "ntc": "ntc",
    "no template": "ntc",
    "no template control": "ntc",
    "no-template control": "ntc",
    "water": "ntc",
    "blank": "ntc",
    "no amplification control": "nac",
    "no enzyme": "nac",
    "neg": "ntp",
    "negative": "ntp",
    "negative control": "ntp",
    "neg ctrl": "ntp",
    "no target present": "ntp",
    "minus rt": "nrt",
    "-rt": "nrt",
    "no rt": "nrt",
    "rt-": "nrt",
    "no reverse transcription": "nrt",
    "pos": "pos",
    "positive": "pos",
    "positive control": "pos",
    "pos ctrl": "pos",
    "ptc": "pos",
    "optical calibrator": "opt",
}

_NTC_NAME_RE = re.compile(r"(^|[^a-z0-9])(ntc|h2o|water|blank|no template)([^a-z0-9]|$)", re.I)


# --------------------------------------------------------------------------------------------
# Loading bytes and text
# --------------------------------------------------------------------------------------------


def _load(source: Path | str | bytes, filename: str | None) -> tuple[bytes, str]:
    """Bytes of ``source`` and a display name (the file name when known)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), filename or "upload"
    path = Path(source)
    if not path.is_file():
        raise NotFoundError(f"qPCR file {str(path)!r} does not exist or is not a file.")
    return path.read_bytes(), filename or path.name


def _decode(data: bytes, name: str, warnings: list[str]) -> str:
    """Text of ``data``: UTF-8 (with or without BOM), UTF-16 (BOM or not), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidFileError(
                f"{name}: starts with a UTF-16 byte-order mark but is not valid UTF-16 ({exc})."
            ) from exc
    head = data[:4000]
    if head.count(b"\x00") > len(head) * 0.3:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        even_zeros = head[0::2].count(b"\x00")
        odd_zeros = head[1::2].count(b"\x00")
        codec = "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InvalidFileError(
                f"{name}: looks binary (many zero bytes) and is not UTF-16 text; expected a "
                "text or spreadsheet export."
            ) from exc
        warnings.append(f"{name}: read as {codec.upper()} text without a byte-order mark.")
    elif b"\x00" in head:
        raise InvalidFileError(
            f"{name}: contains zero bytes and is not UTF-8 or UTF-16 text (a binary file?); "
            "expected a text or spreadsheet export."
        )
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            warnings.append(f"{name}: not UTF-8; read as Windows-1252 text.")
            text = data.decode("cp1252", errors="replace")
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if controls > max(2, len(sample) // 100):
        raise InvalidFileError(
            f"{name}: {controls} control characters in the first {len(sample)} characters; "
            "expected a text export (a binary file?)."
        )
    return text


def _sniff_separator(lines: Sequence[str]) -> str:
    """The most plausible field separator (tab, comma or semicolon) of these lines."""
    sample = [line for line in lines if line.strip() and not line.startswith("*")][:20]
    best, best_score = ",", -1
    for sep in ("\t", ",", ";"):
        counts = [line.count(sep) for line in sample]
        if not counts or max(counts) == 0:
            continue
        score = min(counts) * 10 + sum(counts) // len(counts)
        if score > best_score:
            best, best_score = sep, score
    return best


def _grid_from_text(text: str) -> tuple[list[list[str]], str]:
    """Rows of cells of a delimited text, and the separator used."""
    lines = text.splitlines()
    sep = _sniff_separator(lines)
    rows = [row for row in csv.reader(lines, delimiter=sep)]
    return [[cell.strip() for cell in row] for row in rows], sep


def _xlsx_sheets(data: bytes, name: str) -> dict[str, list[list[str]]]:
    """Every sheet of an XLSX workbook as rows of text cells."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InvalidFileError(
            f"{name}: cannot open as an Excel workbook ({type(exc).__name__}: {exc}); expected "
            "an .xlsx export."
        ) from exc
    sheets: dict[str, list[list[str]]] = {}
    try:
        for sheet in book.worksheets:
            rows: list[list[str]] = []
            for values in sheet.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in values])
            sheets[sheet.title] = rows
    finally:
        book.close()
    return sheets


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _number(text: str, *, decimal_comma: bool = False) -> float | None:
    """Float of a cell, None when the cell is a missing-value marker; raises ValueError."""
    value = text.strip()
    if value.lower() in _MISSING:
        return None
    if decimal_comma:
        value = value.replace(",", ".")
    return float(value)


def _key(text: str) -> str:
    return re.sub(r"[\s_.\-]+", "", text.strip().lower())


# --------------------------------------------------------------------------------------------
# Intermediate curves, shared by every format
# --------------------------------------------------------------------------------------------


@dataclass
class _Curve:
    well: str
    target: str
    values: dict[float, float]
    sample: str = ""
    sample_type: str = "unkn"
    dye: str = ""
    quantity: float | None = None
    cq: float | None = None
    excluded: str = ""


@dataclass
class _Parsed:
    curves: list[_Curve]
    source_format: str
    name: str
    rows: int | None = None
    columns: int | None = None
    instrument: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    shared_cycles: FloatArray | None = None


def _build_plate(parsed: _Parsed) -> Plate:
    """Align every curve on the union of cycles and check wells, duplicates and plate size."""
    if not parsed.curves:
        raise InvalidFileError(
            f"{parsed.name}: no amplification curves found; expected at least one well with "
            "fluorescence per cycle."
        )
    if parsed.shared_cycles is not None:
        cycles = parsed.shared_cycles
    else:
        cycles = np.array(sorted({c for curve in parsed.curves for c in curve.values}), float)
    if cycles.size == 0:
        raise InvalidFileError(f"{parsed.name}: the curves have no cycles.")
    index = {float(c): i for i, c in enumerate(cycles)}
    if parsed.source_format != "table":
        if parsed.rows is None or parsed.columns is None:
            try:
                parsed.rows, parsed.columns = plate_shape_for_wells(c.well for c in parsed.curves)
            except InvalidInputError as exc:
                raise InvalidFileError(f"{parsed.name}: {exc.message}") from exc
    rows, columns = parsed.rows or 8, parsed.columns or 12
    seen: dict[tuple[str, str], int] = {}
    reactions: list[Reaction] = []
    incomplete = 0
    for curve in parsed.curves:
        key = (curve.well, curve.target)
        if key in seen:
            raise InvalidFileError(
                f"{parsed.name}: well {curve.well} appears twice"
                + (f" for target {curve.target!r}" if curve.target else "")
                + "; expected one curve per well and target."
            )
        seen[key] = 1
        if parsed.source_format != "table":
            row, column = well_position(curve.well, columns=columns)
            if row >= rows or column >= columns:
                raise InvalidFileError(
                    f"{parsed.name}: well {curve.well} is outside the {rows} x {columns} plate "
                    "format of the run."
                )
        fluorescence = np.full(cycles.size, np.nan)
        for cycle, value in curve.values.items():
            fluorescence[index[float(cycle)]] = value
        if np.isnan(fluorescence).any():
            incomplete += 1
        if not np.isfinite(fluorescence).any():
            parsed.warnings.append(f"Well {curve.well} ({curve.target}) has no fluorescence.")
        reactions.append(
            Reaction(
                well=curve.well,
                sample=curve.sample,
                sample_type=curve.sample_type,
                target=curve.target,
                fluorescence=fluorescence,
                dye=curve.dye,
                quantity=curve.quantity,
                instrument_cq=curve.cq,
                excluded=curve.excluded,
            )
        )
    if incomplete:
        parsed.warnings.append(
            f"{incomplete} curve(s) lack fluorescence at some cycles; missing values are NaN."
        )
    plate = Plate(
        name=parsed.name,
        cycles=cycles.astype(np.float64),
        reactions=reactions,
        rows=rows,
        columns=columns,
        source_format=parsed.source_format,
        instrument=parsed.instrument,
        metadata=parsed.metadata,
        warnings=parsed.warnings,
    )
    try:
        plate.validate()
    except InvalidInputError as exc:
        raise InvalidFileError(f"{parsed.name}: {exc.message}") from exc
    return plate


def _check_cycles(cycles: Sequence[float], name: str, where: str) -> None:
    for i in range(1, len(cycles)):
        if not cycles[i] > cycles[i - 1]:
            raise InvalidFileError(
                f"{name}: cycle numbers must increase{where}; got {cycles[i]:g} after "
                f"{cycles[i - 1]:g} (data rows {i} and {i + 1})."
            )


def _guess_ntc(sample: str) -> bool:
    return bool(sample) and bool(_NTC_NAME_RE.search(sample))


# --------------------------------------------------------------------------------------------
# Format detection
# --------------------------------------------------------------------------------------------


def detect_format(data: bytes, filename: str = "") -> str:
    """Which reader fits ``data``: one of :data:`FORMATS` (file name, then content)."""
    suffix = Path(filename).suffix.lower()
    if not data.strip():
        raise InvalidFileError(
            f"{filename or 'The file'} is empty; expected an RDML file or an instrument export."
        )
    if data[:2] == b"PK":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise InvalidFileError(
                f"{filename or 'The file'} starts like a zip archive but cannot be opened "
                f"({exc}); expected a complete .rdml or .xlsx file."
            ) from exc
        if any(n.startswith("xl/") for n in names):
            return _detect_xlsx(data, filename)
        return "rdml"
    if suffix in (".rdml", ".rdm", ".xml"):
        return "rdml"
    warnings: list[str] = []
    text = _decode(data[:200_000], filename, warnings).lstrip("\ufeff")
    head = text.lstrip()[:2000]
    if head.startswith("<"):
        return "rdml"
    lowered = head.lower()
    if "samplepos" in lowered and "cycle" in lowered:
        return "lightcycler"
    if head.startswith("*") or ("well position" in lowered and "rn" in lowered):
        return "quantstudio"
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = [c.strip().strip('"').lower() for c in re.split(r"[\t,;]", first)]
    if len(cells) >= 3 and cells[0] == "" and cells[1] == "cycle":
        return "cfx"
    return "table"


def _detect_xlsx(data: bytes, filename: str) -> str:
    sheets = _xlsx_sheet_names(data, filename)
    if any(s.strip().lower() == "amplification data" for s in sheets):
        return "quantstudio"
    return "cfx"


def _xlsx_sheet_names(data: bytes, filename: str) -> list[str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception as exc:
        raise InvalidFileError(
            f"{filename or 'The file'}: cannot open as an Excel workbook ({exc}); expected an "
            ".xlsx export."
        ) from exc
    names = list(book.sheetnames)
    book.close()
    return names


# --------------------------------------------------------------------------------------------
# RDML
# --------------------------------------------------------------------------------------------


def _open_rdml(data: bytes, name: str, warnings: list[str]) -> Any:
    """An ``rdmlpython.rdml.Rdml`` object for RDML bytes (zip or XML); versions 1.0-1.4."""
    rd = rdml()
    if not data.strip():
        raise InvalidFileError(f"{name} is empty; expected an RDML file (zip or XML).")
    if data[:2] == b"PK":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = archive.namelist()
            if "rdml_data.xml" in names:
                member = "rdml_data.xml"
            else:
                xml_members = [n for n in names if n.lower().endswith(".xml")]
                if len(xml_members) != 1:
                    raise InvalidFileError(
                        f"{name}: the zip archive has no rdml_data.xml (it holds "
                        f"{', '.join(names[:10]) or 'nothing'}); expected an RDML file."
                    )
                member = xml_members[0]
                warnings.append(f"{name}: RDML data read from {member} (no rdml_data.xml).")
            raw = archive.read(member)
        except zipfile.BadZipFile as exc:
            raise InvalidFileError(
                f"{name}: broken zip archive ({exc}); expected a complete RDML file."
            ) from exc
        except (EOFError, zipfile.LargeZipFile, OSError) as exc:
            raise InvalidFileError(f"{name}: cannot read the zip archive ({exc}).") from exc
        text = _decode(raw, name, warnings)
    else:
        text = _decode(data, name, warnings)
    text = text.lstrip("\ufeff")
    if not text.lstrip().startswith("<"):
        raise InvalidFileError(
            f"{name}: neither a zip archive nor XML (starts with {text.strip()[:20]!r}); "
            "expected an RDML file."
        )
    match = re.search(r"<rdml\b[^>]*\bversion=[\"']([0-9.]+)[\"']", text[:5000])
    if match and match.group(1) == "1.4":
        # rdmlpython 1.7.2 knows RDML up to 1.3; 1.4 only adds optional elements (reaction
        # volume, Ncopy, dye concentration, double-strandedness) that 1.3 readers ignore.
        text = text[: match.start(1)] + "1.3" + text[match.end(1) :]
        warnings.append(
            f"{name}: RDML 1.4 read as 1.3 (rdmlpython 1.7.2); elements new in 1.4 are ignored."
        )
    with warnings_module.catch_warnings():
        # rdmlpython stamps a new document with datetime.utcnow(), deprecated in Python 3.12.
        warnings_module.simplefilter("ignore", DeprecationWarning)
        document = rd.Rdml()
    try:
        document.loadXMLString(text)
    except rd.RdmlError as exc:
        raise InvalidFileError(f"{name}: {exc}; expected RDML 1.0-1.4 XML.") from exc
    if document.version() == "1.0":
        document.migrate_version_1_0_to_1_1()
        warnings.append(f"{name}: RDML 1.0 migrated to 1.1 by rdmlpython.")
    return document


def list_rdml_runs(
    source: Path | str | bytes, *, filename: str | None = None
) -> list[tuple[str, str]]:
    """(experiment id, run id) of every run in an RDML file, in file order."""
    data, name = _load(source, filename)
    document = _open_rdml(data, name, [])
    return [(exp["id"], run["id"]) for exp in document.experiments() for run in exp.runs()]


def _select_run(document: Any, name: str, experiment: str | None, run: str | None) -> Any:
    experiments = document.experiments()
    available = [(e["id"], r["id"]) for e in experiments for r in e.runs()]
    if not available:
        raise InvalidFileError(f"{name}: the RDML file has no experiment with a run.")
    listing = "; ".join(f"{e} / {r}" for e, r in available[:30])
    candidates = [e for e in experiments if experiment is None or e["id"] == experiment]
    if not candidates:
        raise NotFoundError(
            f"{name}: no experiment {experiment!r}; the file has (experiment / run): {listing}."
        )
    for exp in candidates:
        for candidate in exp.runs():
            if run is None or candidate["id"] == run:
                return exp, candidate
    raise NotFoundError(
        f"{name}: no run {run!r}"
        + (f" in experiment {experiment!r}" if experiment else "")
        + f"; the file has (experiment / run): {listing}."
    )


def _rdml_float(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _read_rdml(data: bytes, name: str, experiment: str | None, run: str | None) -> _Parsed:
    warnings: list[str] = []
    document = _open_rdml(data, name, warnings)
    exp, chosen = _select_run(document, name, experiment, run)
    runs_in_file = sum(len(e.runs()) for e in document.experiments())
    if runs_in_file > 1 and (experiment is None or run is None):
        warnings.append(
            f"{name}: {runs_in_file} runs in the file; read experiment {exp['id']!r}, run "
            f"{chosen['id']!r} (name another with experiment= and run=)."
        )

    targets = {t["id"]: t for t in document.targets()}
    dyes = {d["id"]: d for d in document.dyes()}
    sample_info: dict[str, tuple[dict[str, str], dict[str, float]]] = {}
    for sample in document.samples():
        types: dict[str, str] = {}
        for entry in sample.types():
            types[entry.get("targetId", "")] = (entry.get("type") or "unkn").strip()
        quantities: dict[str, float] = {}
        for entry in sample.quantitys():
            value = _rdml_float(entry.get("value"))
            if value is not None:
                quantities[entry.get("targetId", "")] = value
        sample_info[sample["id"]] = (types, quantities)

    rows = _int_or_none(chosen["pcrFormat_rows"])
    columns = _int_or_none(chosen["pcrFormat_columns"])
    if rows is not None and columns is not None and (rows < 1 or columns < 1):
        warnings.append(
            f"{name}: pcrFormat {rows} x {columns} (a rotor or tube strip); wells are laid out "
            "on the smallest plate that holds them."
        )
    react_data = chosen.getreactjson()["reacts"]
    per_row = columns if columns and columns > 0 else 12
    curves: list[_Curve] = []
    no_curve = 0
    for react in react_data:
        react_id = str(react["id"])
        try:
            well = normalise_well(react_id, columns=per_row)
        except InvalidInputError as exc:
            raise InvalidFileError(f"{name}: reaction id {react_id!r}: {exc.message}") from exc
        sample_id = react.get("sample", "")
        types, quantities = sample_info.get(sample_id, ({}, {}))
        for datum in react["datas"]:
            target_id = datum.get("tar", "")
            adps = datum.get("adps", [])
            if not adps:
                no_curve += 1
                continue
            values: dict[float, float] = {}
            for cyc, fluor, _tmp in adps:
                cycle = _rdml_float(cyc)
                value = _rdml_float(fluor)
                if cycle is None:
                    raise InvalidFileError(
                        f"{name}: well {well} ({target_id}) has cycle {cyc!r}; expected a number."
                    )
                if cycle in values:
                    raise InvalidFileError(
                        f"{name}: well {well} ({target_id}) has cycle {cycle:g} twice; expected "
                        "one fluorescence value per cycle."
                    )
                values[cycle] = value if value is not None else math.nan
            sample_type = types.get(target_id, types.get("", "unkn"))
            if sample_type not in SAMPLE_TYPES:
                warnings.append(
                    f"{name}: sample {sample_id!r} has type {sample_type!r}; read as unkn."
                )
                sample_type = "unkn"
            quantity = quantities.get(target_id, quantities.get(""))
            cq = _rdml_float(datum.get("cq"))
            target = targets.get(target_id)
            curves.append(
                _Curve(
                    well=well,
                    target=target_id,
                    values=values,
                    sample=sample_id,
                    sample_type=sample_type,
                    dye=(target["dyeId"] or "") if target is not None else "",
                    quantity=quantity,
                    cq=cq if cq is not None and cq >= 0 else None,
                    excluded=str(datum.get("excl", "") or ""),
                )
            )
    if no_curve:
        warnings.append(
            f"{name}: {no_curve} reaction(s) of run {chosen['id']!r} have no amplification "
            "data (digital PCR or melt only) and were skipped."
        )
    if not curves:
        raise InvalidFileError(
            f"{name}: run {chosen['id']!r} has no amplification curves (reactions "
            f"{len(react_data)}); expected cycle-by-cycle fluorescence (adp elements)."
        )
    if rows is None or columns is None or rows < 1 or columns < 1:
        rows, columns = plate_shape_for_wells(c.well for c in curves)
    elif rows > 16 or columns > MAX_COLUMNS:
        raise InvalidFileError(
            f"{name}: pcrFormat {rows} x {columns} is larger than a 384-well plate; expected at "
            "most 16 rows x 24 columns."
        )

    metadata = _rdml_metadata(document, exp, chosen, targets, dyes, {c.target for c in curves})
    stem = Path(name).stem
    title = stem if runs_in_file == 1 else f"{stem}: {exp['id']} / {chosen['id']}"
    return _Parsed(
        curves=curves,
        source_format="rdml",
        name=title,
        rows=rows,
        columns=columns,
        instrument=chosen["instrument"] or "",
        metadata=metadata,
        warnings=warnings,
    )


def _int_or_none(text: Any) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def _rdml_metadata(
    document: Any, exp: Any, run: Any, targets: dict[str, Any], dyes: dict[str, Any], used: set[str]
) -> dict[str, str]:
    """MIQE-relevant fields the RDML file gives for this run (only those present)."""
    meta: dict[str, str] = {
        "rdml_version": str(document.version()),
        "experiment": str(exp["id"]),
        "run": str(run["id"]),
    }

    def put(key: str, value: Any) -> None:
        if value not in (None, ""):
            meta[key] = str(value)

    put("experiment_description", exp["description"])
    put("run_description", run["description"])
    put("instrument", run["instrument"])
    software = " ".join(
        v for v in (run["dataCollectionSoftware_name"], run["dataCollectionSoftware_version"]) if v
    )
    put("data_collection_software", software)
    put("run_date", run["runDate"])
    put("file_date_made", document["dateMade"])
    put("baseline_method", run["backgroundDeterminationMethod"])
    put("cq_method", run["cqDetectionMethod"])
    if run["pcrFormat_rows"]:
        put("pcr_format", f"{run['pcrFormat_rows']} x {run['pcrFormat_columns']}")
    experimenters = []
    for person in document.experimenters():
        info = person.tojson()
        full = " ".join(p for p in (info.get("firstName"), info.get("lastName")) if p)
        label = full or info.get("id", "")
        if info.get("labName"):
            label += f" ({info['labName']})"
        experimenters.append(label)
    put("experimenters", "; ".join(experimenters))
    cycling_id = run["thermalCyclingConditions"]
    put("thermal_cycling", cycling_id)
    if cycling_id:
        for conditions in document.therm_cyc_cons():
            if conditions["id"] == cycling_id:
                put("thermal_cycling_steps", _steps_text(conditions.tojson().get("steps", [])))
    used_dyes: set[str] = set()
    refs: list[str] = []
    for target_id in sorted(used):
        target = targets.get(target_id)
        if target is None:
            continue
        prefix = f"target:{target_id}:"
        put(prefix + "type", target["type"])
        if target["type"] == "ref":
            refs.append(target_id)
        put(prefix + "dye", target["dyeId"])
        if target["dyeId"]:
            used_dyes.add(target["dyeId"])
        put(prefix + "efficiency", target["amplificationEfficiency"])
        put(prefix + "efficiency_method", target["amplificationEfficiencyMethod"])
        put(prefix + "forward_primer", target["sequences_forwardPrimer_sequence"])
        put(prefix + "reverse_primer", target["sequences_reversePrimer_sequence"])
        put(prefix + "probe", target["sequences_probe1_sequence"])
        amplicon = target["sequences_amplicon_sequence"]
        put(prefix + "amplicon_sequence", amplicon)
        if amplicon:
            put(prefix + "amplicon_length", len(amplicon.strip()))
        put(prefix + "commercial_assay", target["commercialAssay_company"])
        put(prefix + "melting_temperature", target["meltingTemperature"])
    put("reference_targets", ", ".join(refs))
    chemistry = []
    for dye_id in sorted(used_dyes):
        info = dyes[dye_id].tojson() if dye_id in dyes else {}
        chem = info.get("dyeChemistry")
        chemistry.append(f"{dye_id} ({chem})" if chem else dye_id)
    put("dyes", "; ".join(chemistry))
    return meta


def _steps_text(steps: list[dict[str, Any]]) -> str:
    parts = []
    for step in steps:
        if "temperature" in step:
            t = step["temperature"]
            text = f"{t.get('temperature')} °C {t.get('duration')} s"
            if t.get("measure"):
                text += f" ({t['measure']})"
            parts.append(text)
        elif "gradient" in step:
            g = step["gradient"]
            parts.append(
                f"gradient {g.get('lowTemperature')}-{g.get('highTemperature')} °C "
                f"{g.get('duration')} s"
            )
        elif "loop" in step:
            loop = step["loop"]
            parts.append(f"go to step {loop.get('goto')} x{loop.get('repeat')}")
        elif "pause" in step:
            parts.append(f"pause {step['pause'].get('temperature')} °C")
        elif "lidOpen" in step:
            parts.append("lid open")
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------
# Wide tables: CFX and plain tables
# --------------------------------------------------------------------------------------------


def _trim(grid: list[list[str]]) -> list[list[str]]:
    """Drop blank rows; pad rows to the same width."""
    rows = [row for row in grid if any(cell.strip() for cell in row)]
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def _find_cycle_column(header: list[str], body: list[list[str]] | None = None) -> int | None:
    """Index of the cycle column: exact names first, then any name with "cycle", then
    index / X; a column with no values at all is never the cycle column."""
    keys = [_key(h) for h in header]

    def filled(i: int) -> bool:
        return body is None or any(i < len(row) and row[i].strip() for row in body)

    exact = [w for w in CYCLE_COLUMNS if w not in ("index", "x")]
    for wanted in exact:
        for i, key in enumerate(keys):
            if key == wanted and filled(i):
                return i
    for i, key in enumerate(keys):
        if "cycle" in key and filled(i):
            return i
    for wanted in ("index", "x"):
        for i, key in enumerate(keys):
            if key == wanted and filled(i):
                return i
    return None


def _wide_columns(
    grid: list[list[str]],
    name: str,
    warnings: list[str],
    *,
    decimal_comma: bool,
    fmt: str,
) -> tuple[FloatArray, list[tuple[str, FloatArray]]]:
    """Cycles and (header, values) per curve column of a table with a cycle column."""
    grid = _trim(grid)
    if len(grid) < 2:
        raise InvalidFileError(
            f"{name}: {len(grid)} non-empty row(s); expected a header row and one row per cycle."
        )
    header = grid[0]
    cycle_at = _find_cycle_column(header, grid[1:])
    if cycle_at is None:
        raise InvalidFileError(
            f"{name}: no cycle column in the header ({', '.join(repr(h) for h in header[:8])}"
            f"{'...' if len(header) > 8 else ''}); expected a column named "
            "Cycle, Cycles, cyc, index or X, then one column per curve."
        )
    body = grid[1:]
    cycles: list[float] = []
    for r, row in enumerate(body, start=2):
        try:
            value = _number(row[cycle_at], decimal_comma=decimal_comma)
        except ValueError:
            raise InvalidFileError(
                f"{name}: row {r} has cycle {row[cycle_at]!r} in column {header[cycle_at]!r}; "
                "expected a number."
            ) from None
        if value is None:
            raise InvalidFileError(
                f"{name}: row {r} has no cycle number in column {header[cycle_at]!r}; expected "
                "a number on every row."
            )
        cycles.append(value)
    _check_cycles(cycles, name, "")
    cycle_key = _key(header[cycle_at])
    if (
        cycle_key in ("index", "x")
        and cycles[0] == 0
        and all(cycles[i] == i for i in range(len(cycles)))
    ):
        cycles = [c + 1 for c in cycles]
        warnings.append(
            f"{name}: column {header[cycle_at]!r} counts from 0; read as cycles 1-{len(cycles)}."
        )
    curve_columns: list[tuple[str, FloatArray]] = []
    other_cycle_keys = {"index", "x"} if cycle_key not in ("index", "x") else set()
    for c, title in enumerate(header):
        if c == cycle_at:
            continue
        column_cells = [row[c] for row in body]
        if not title.strip() and not any(cell.strip() for cell in column_cells):
            if fmt != "cfx":
                warnings.append(f"{name}: empty column {c + 1} skipped.")
            continue
        if _key(title) in other_cycle_keys and c < cycle_at:
            warnings.append(f"{name}: column {title!r} (a row index) skipped.")
            continue
        values = np.empty(len(body))
        for r, cell in enumerate(column_cells):
            try:
                number = _number(cell, decimal_comma=decimal_comma)
            except ValueError:
                raise InvalidFileError(
                    f"{name}: column {title!r}, row {r + 2} has {cell!r}; expected a "
                    "fluorescence number (or an empty cell)."
                ) from None
            values[r] = np.nan if number is None else number
        if not title.strip():
            raise InvalidFileError(
                f"{name}: column {c + 1} has values but no header; expected a well or curve "
                "name above every column."
            )
        curve_columns.append((title.strip(), values))
    if not curve_columns:
        raise InvalidFileError(
            f"{name}: no fluorescence columns next to the cycle column; expected one column per "
            "curve."
        )
    return np.asarray(cycles, dtype=np.float64), curve_columns


def _wells_from_headers(titles: list[str], name: str) -> list[str] | None:
    """Canonical wells when every header is a well of a 384-well plate (A1, A01, P24); None
    otherwise (curve names such as EG12 or F1.1)."""
    wells = []
    for title in titles:
        match = re.fullmatch(r"\s*([A-Pa-p])\s*0*(\d{1,2})\s*", title)
        if not match or not 1 <= int(match.group(2)) <= MAX_COLUMNS:
            return None
        wells.append(f"{match.group(1).upper()}{int(match.group(2))}")
    duplicated = sorted({w for w in wells if wells.count(w) > 1}, key=well_position)
    if duplicated:
        raise InvalidFileError(
            f"{name}: well(s) {', '.join(duplicated)} appear in more than one column; expected "
            "one column per well."
        )
    return wells


def _dye_from_name(name: str) -> str:
    match = re.search(r"[_\s-]([A-Za-z0-9]+)\.(csv|txt|tsv)$", name, re.I)
    return match.group(1) if match else ""


def _read_cfx(data: bytes, name: str) -> _Parsed:
    warnings: list[str] = []
    sheets: list[tuple[str, list[list[str]]]] = []
    metadata: dict[str, str] = {}
    decimal_comma = False
    if data[:2] == b"PK":
        for title, grid in _xlsx_sheets(data, name).items():
            trimmed = _trim(grid)
            if title.strip().lower() == "run information":
                for row in trimmed:
                    if len(row) >= 2 and row[0] and row[1]:
                        metadata[f"cfx:{row[0]}"] = row[1]
                continue
            if trimmed and _find_cycle_column(trimmed[0]) is not None:
                sheets.append((title.strip(), grid))
        if not sheets:
            raise InvalidFileError(
                f"{name}: no sheet with a Cycle column; expected the CFX Quantification "
                "Amplification Results workbook (one sheet per dye, e.g. SYBR)."
            )
    else:
        text = _decode(data, name, warnings)
        grid, sep = _grid_from_text(text)
        decimal_comma = sep == ";"
        sheets.append((_dye_from_name(name), grid))
    curves: list[_Curve] = []
    cycles_ref: FloatArray | None = None
    for dye, grid in sheets:
        cycles, columns = _wide_columns(
            grid,
            f"{name}{' [' + dye + ']' if dye else ''}",
            warnings,
            decimal_comma=decimal_comma,
            fmt="cfx",
        )
        wells = _wells_from_headers([t for t, _ in columns], name)
        if wells is None:
            bad = [t for t, _ in columns if not re.fullmatch(r"[A-Za-z]{1,2}\d{1,3}", t)]
            raise InvalidFileError(
                f"{name}: column(s) {', '.join(bad[:5])} are not well names; expected wells "
                "A1..P24 after the Cycle column of a CFX export."
            )
        if cycles_ref is not None and not np.array_equal(cycles_ref, cycles):
            raise InvalidFileError(
                f"{name}: sheet {dye!r} has different cycles from the first sheet; expected the "
                "same cycles for every dye."
            )
        cycles_ref = cycles
        target = dye or "CFX"
        for well, (_title, values) in zip(wells, columns, strict=True):
            curves.append(
                _Curve(
                    well=well,
                    target=target,
                    dye=dye,
                    values={float(c): float(v) for c, v in zip(cycles, values, strict=True)},
                )
            )
    warnings.append(
        f"{name}: the amplification export has no sample names or types; targets are named "
        "after the dye. Give a layout file to name samples, targets and controls."
    )
    return _Parsed(
        curves=curves,
        source_format="cfx",
        name=Path(name).stem,
        instrument="Bio-Rad CFX",
        metadata=metadata,
        warnings=warnings,
        shared_cycles=cycles_ref,
    )


_KBQ_RE = re.compile(
    r"^([A-Pa-p]\d{1,2})_(.+?)_(" + "|".join(SAMPLE_TYPES) + r")_(.+)$",
)


def _read_table(data: bytes, name: str) -> _Parsed:
    warnings: list[str] = []
    decimal_comma = False
    if data[:2] == b"PK":
        sheets = _xlsx_sheets(data, name)
        usable = [
            (t, g)
            for t, g in sheets.items()
            if _trim(g) and _find_cycle_column(_trim(g)[0]) is not None
        ]
        if not usable:
            raise InvalidFileError(
                f"{name}: no sheet has a cycle column; expected a column named Cycle, Cycles, "
                "cyc, index or X, then one column per curve."
            )
        grid = usable[0][1]
        if len(usable) > 1:
            warnings.append(f"{name}: read sheet {usable[0][0]!r}, the first with a cycle column.")
    else:
        text = _decode(data, name, warnings)
        grid, sep = _grid_from_text(text)
        decimal_comma = sep == ";"
    cycles, columns = _wide_columns(grid, name, warnings, decimal_comma=decimal_comma, fmt="table")
    if len(columns) > MAX_TABLE_CURVES:
        raise InvalidFileError(
            f"{name}: {len(columns)} curves; expected at most {MAX_TABLE_CURVES} in one table."
        )
    titles = [t for t, _ in columns]
    curves: list[_Curve] = []
    wells = _wells_from_headers(titles, name)
    rows: int | None = None
    columns_n: int | None = None
    coded = [_KBQ_RE.match(t) for t in titles]
    if wells is not None:
        rows, columns_n = plate_shape_for_wells(wells)
        for well, (_t, values) in zip(wells, columns, strict=True):
            curves.append(_Curve(well=well, target="", values=_as_dict(cycles, values)))
    elif all(coded):
        for match, (_t, values) in zip(coded, columns, strict=True):
            assert match is not None
            curves.append(
                _Curve(
                    well=normalise_well(match.group(1)),
                    target=match.group(4),
                    sample=match.group(2),
                    sample_type=match.group(3),
                    values=_as_dict(cycles, values),
                )
            )
        rows, columns_n = plate_shape_for_wells(c.well for c in curves)
        warnings.append(
            f"{name}: well, sample, type and target read from column names (well_sample_type_"
            "target)."
        )
    else:
        n = len(columns)
        if n <= 384:
            rows, columns_n = plate_format_for(n)
        else:
            columns_n = MAX_COLUMNS
            rows = -(-n // MAX_COLUMNS)
            warnings.append(
                f"{name}: {n} curves is more than a 384-well plate; wells are positions on a "
                f"virtual plate of {rows} rows x {MAX_COLUMNS} columns."
            )
        guessed = []
        for i, (title, values) in enumerate(columns):
            sample_type = "unkn"
            if _guess_ntc(title):
                sample_type = "ntc"
                guessed.append(title)
            curves.append(
                _Curve(
                    well=well_name(i // columns_n, i % columns_n),
                    target="",
                    sample=title,
                    sample_type=sample_type,
                    values=_as_dict(cycles, values),
                )
            )
        warnings.append(
            f"{name}: column names are not wells; each curve is named as its sample and placed "
            "on the plate in column order."
        )
        if guessed:
            warnings.append(
                f"{name}: {', '.join(guessed[:10])} taken as NTC from the name (no sample type "
                "given)."
            )
    return _Parsed(
        curves=curves,
        source_format="table",
        name=Path(name).stem,
        rows=rows,
        columns=columns_n,
        warnings=warnings,
        shared_cycles=cycles,
    )


def _as_dict(cycles: FloatArray, values: FloatArray) -> dict[float, float]:
    return {float(c): float(v) for c, v in zip(cycles, values, strict=True)}


# --------------------------------------------------------------------------------------------
# Long tables: QuantStudio and LightCycler
# --------------------------------------------------------------------------------------------


def _header_index(grid: list[list[str]], required: Sequence[str]) -> int | None:
    for i, row in enumerate(grid):
        keys = {_key(c) for c in row}
        if all(_key(r) in keys for r in required):
            return i
    return None


def _column(header: list[str], *names: str) -> int | None:
    keys = [_key(h) for h in header]
    for wanted in names:
        if _key(wanted) in keys:
            return keys.index(_key(wanted))
    return None


_QS_META = {
    "instrumenttype": "instrument",
    "instrumentname": "instrument_name",
    "instrumentserialnumber": "instrument_serial",
    "blocktype": "block_type",
    "chemistry": "chemistry",
    "passivereference": "passive_reference",
    "experimentrunendtime": "run_date",
    "experimentusername": "experimenter",
    "experimentname": "experiment",
    "experimenttype": "experiment_type",
    "quantificationcyclemethod": "cq_method",
    "analysistype": "analysis_type",
    "experimentbarcode": "barcode",
    "signalsmoothingon": "signal_smoothing",
}


def _read_quantstudio(data: bytes, name: str) -> _Parsed:
    warnings: list[str] = []
    meta_rows: list[list[str]] = []
    decimal_comma = False
    results: list[list[str]] | None = None
    if data[:2] == b"PK":
        sheets = {t.strip().lower(): g for t, g in _xlsx_sheets(data, name).items()}
        if "amplification data" not in sheets:
            raise InvalidFileError(
                f"{name}: no 'Amplification Data' sheet (sheets: {', '.join(sheets)}); "
                "expected a QuantStudio export workbook."
            )
        grid = _trim(sheets["amplification data"])
        results = sheets.get("results")
        if results is None:
            results = sheets.get("sample setup")
    else:
        text = _decode(data, name, warnings)
        grid, sep = _grid_from_text(text)
        decimal_comma = sep == ";"
        grid = _trim(grid)
    at = _header_index(grid, ("Cycle",))
    if at is None or _column(grid[at], "Well Position", "Well") is None:
        raise InvalidFileError(
            f"{name}: no header row with Well / Well Position and Cycle columns; expected a "
            "QuantStudio Amplification Data export (Well, Well Position, Cycle, Target Name, "
            "Rn, Delta Rn)."
        )
    meta_rows = grid[:at]
    metadata = _qs_metadata(meta_rows)
    header = grid[at]
    body = [row for row in grid[at + 1 :] if any(row) and not row[0].startswith("[")]
    rows_cols = None
    block = metadata.get("block_type", "")
    size_match = re.search(r"(48|96|384)", block)
    if size_match:
        rows_cols = plate_format_for(int(size_match.group(1)))
    per_row = rows_cols[1] if rows_cols else 12
    c_pos = _column(header, "Well Position")
    c_well = _column(header, "Well")
    c_cycle = _column(header, "Cycle")
    c_target = _column(header, "Target Name", "Target", "Detector", "Reporter")
    c_rn = _column(header, "Rn")
    if c_rn is None:
        c_rn = _column(header, "Delta Rn", "dRn")
        if c_rn is not None:
            warnings.append(
                f"{name}: no Rn column; used Delta Rn (baseline-corrected by the instrument)."
            )
    if c_rn is None or c_cycle is None:
        raise InvalidFileError(
            f"{name}: header {', '.join(header)} has no Rn or Delta Rn column; expected the "
            "normalised reporter fluorescence per cycle."
        )
    table: dict[tuple[str, str], dict[float, float]] = {}
    for r, row in enumerate(body, start=at + 2):
        raw_well = row[c_pos] if c_pos is not None and row[c_pos] else row[c_well or 0]
        try:
            well = normalise_well(raw_well, columns=per_row)
            cycle = _number(row[c_cycle], decimal_comma=decimal_comma)
            value = _number(row[c_rn], decimal_comma=decimal_comma)
        except (InvalidInputError, ValueError):
            raise InvalidFileError(
                f"{name}: row {r} ({', '.join(row[:6])}) is not a well, a cycle number and a "
                "fluorescence number; expected e.g. 'A1, 1, 0.95'."
            ) from None
        if cycle is None:
            raise InvalidFileError(f"{name}: row {r} has no cycle number.")
        target = row[c_target] if c_target is not None else ""
        values = table.setdefault((well, target), {})
        if cycle in values:
            raise InvalidFileError(
                f"{name}: well {well} ({target}) has cycle {cycle:g} twice (row {r}); expected "
                "one row per well, target and cycle."
            )
        values[cycle] = math.nan if value is None else value
    for (well, _target), values in table.items():
        _check_order_free(values, name, well)
    setup = _qs_results(results, per_row) if results is not None else {}
    curves = []
    for (well, target), values in table.items():
        info = setup.get((well, target), setup.get((well, ""), {}))
        curves.append(
            _Curve(
                well=well,
                target=target,
                values=values,
                sample=str(info.get("sample", "")),
                sample_type=str(info.get("sample_type", "unkn")),
                dye=str(info.get("dye", "")),
                quantity=_float_or_none(info.get("quantity")),
                cq=_float_or_none(info.get("cq")),
            )
        )
    if not setup:
        warnings.append(
            f"{name}: the amplification data has no sample names or types; give a layout file "
            "to name samples and controls."
        )
    rows, columns = rows_cols if rows_cols else (None, None)
    return _Parsed(
        curves=curves,
        source_format="quantstudio",
        name=Path(name).stem,
        rows=rows,
        columns=columns,
        instrument=metadata.get("instrument", "Applied Biosystems QuantStudio"),
        metadata=metadata,
        warnings=warnings,
    )


def _check_order_free(values: dict[float, float], name: str, well: str) -> None:
    """Long formats list cycles in any order; only finite cycle numbers are required."""
    for cycle in values:
        if not math.isfinite(cycle):
            raise InvalidFileError(f"{name}: well {well} has a non-finite cycle number.")


def _float_or_none(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _qs_metadata(rows: list[list[str]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in rows:
        cells = [c for c in row if c]
        if not cells:
            continue
        if len(cells) == 1 and "=" in cells[0]:
            key, _, value = cells[0].lstrip("*").partition("=")
        elif len(cells) >= 2:
            key, value = cells[0].lstrip("*"), cells[1]
        else:
            continue
        normal = _key(key)
        if normal and value.strip():
            meta[_QS_META.get(normal, "quantstudio:" + key.strip())] = value.strip()
    return meta


def _qs_results(grid: list[list[str]], per_row: int) -> dict[tuple[str, str], dict[str, Any]]:
    """Sample, task, quantity, reporter and CT per (well, target) from a Results sheet."""
    grid = _trim(grid)
    at = _header_index(grid, ("Well Position", "Sample Name"))
    if at is None:
        return {}
    header = grid[at]
    c_well = _column(header, "Well Position")
    c_sample = _column(header, "Sample Name")
    c_target = _column(header, "Target Name")
    c_task = _column(header, "Task")
    c_quantity = _column(header, "Quantity")
    c_reporter = _column(header, "Reporter")
    c_ct = _column(header, "CT", "Cq", "Ct")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in grid[at + 1 :]:
        if c_well is None or not row[c_well]:
            continue
        try:
            well = normalise_well(row[c_well], columns=per_row)
        except InvalidInputError:
            continue
        task = row[c_task] if c_task is not None else ""
        info: dict[str, Any] = {
            "sample": row[c_sample] if c_sample is not None else "",
            "sample_type": SAMPLE_TYPE_WORDS.get(_words(task), "unkn"),
            "dye": row[c_reporter] if c_reporter is not None else "",
            "quantity": row[c_quantity] if c_quantity is not None else None,
            "cq": row[c_ct] if c_ct is not None else None,
        }
        out[(well, row[c_target] if c_target is not None else "")] = info
    return out


def _read_lightcycler(data: bytes, name: str) -> _Parsed:
    warnings: list[str] = []
    text = _decode(data, name, warnings)
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "samplepos" in line.lower()), None)
    if start is None:
        raise InvalidFileError(
            f"{name}: no header with SamplePos; expected a LightCycler text export (SamplePos, "
            "SampleName, Prog, Seg, Cycle, Time, Temp, then one column per channel)."
        )
    metadata: dict[str, str] = {}
    for line in lines[:start]:
        if line.strip():
            metadata.setdefault("lightcycler_header", line.strip())
    rows = [[c.strip() for c in row] for row in csv.reader(lines[start:], delimiter="\t")]
    rows = _trim(rows)
    header = rows[0]
    c_pos = _column(header, "SamplePos")
    c_name = _column(header, "SampleName")
    c_prog = _column(header, "Prog")
    c_seg = _column(header, "Seg")
    c_cycle = _column(header, "Cycle")
    if c_pos is None or c_cycle is None:
        raise InvalidFileError(
            f"{name}: header {', '.join(header)} lacks SamplePos or Cycle; expected a "
            "LightCycler export."
        )
    fixed = {_key(h) for h in ("SamplePos", "SampleName", "Prog", "Seg", "Cycle", "Time", "Temp")}
    channels = [i for i, h in enumerate(header) if h and _key(h) not in fixed]
    if not channels:
        raise InvalidFileError(
            f"{name}: no channel column after Temp; expected fluorescence columns such as 465-510."
        )
    body = rows[1:]
    # The amplification program is the one with the most distinct cycles (melt programs read
    # many times within one cycle).
    by_prog: dict[tuple[str, str], set[str]] = {}
    for row in body:
        key = (row[c_prog] if c_prog is not None else "", row[c_seg] if c_seg is not None else "")
        by_prog.setdefault(key, set()).add(row[c_cycle])
    chosen = max(by_prog, key=lambda k: len(by_prog[k]))
    if len(by_prog) > 1:
        others = [f"{p}/{s}" for p, s in by_prog if (p, s) != chosen]
        warnings.append(
            f"{name}: read program {chosen[0]} segment {chosen[1]} (the most cycles); "
            f"skipped program/segment {', '.join(others)}."
        )
    table: dict[tuple[str, str], dict[float, float]] = {}
    samples: dict[str, str] = {}
    for r, row in enumerate(body, start=start + 2):
        key = (row[c_prog] if c_prog is not None else "", row[c_seg] if c_seg is not None else "")
        if key != chosen:
            continue
        try:
            well = normalise_well(row[c_pos])
            cycle = _number(row[c_cycle])
        except (InvalidInputError, ValueError):
            raise InvalidFileError(
                f"{name}: line {r} has position {row[c_pos]!r} and cycle {row[c_cycle]!r}; "
                "expected a well (A1) and a cycle number."
            ) from None
        if cycle is None:
            raise InvalidFileError(f"{name}: line {r} has no cycle number.")
        if c_name is not None:
            samples[well] = row[c_name]
        for c in channels:
            try:
                value = _number(row[c], decimal_comma="," in row[c] and "." not in row[c])
            except ValueError:
                raise InvalidFileError(
                    f"{name}: line {r}, channel {header[c]} has {row[c]!r}; expected a "
                    "fluorescence number."
                ) from None
            values = table.setdefault((well, header[c]), {})
            if cycle in values:
                raise InvalidFileError(
                    f"{name}: well {well} has cycle {cycle:g} twice in channel {header[c]} "
                    f"(line {r}); expected one reading per cycle."
                )
            values[cycle] = math.nan if value is None else value
    curves = []
    guessed = []
    for (well, channel), values in table.items():
        sample = samples.get(well, "")
        sample_type = "unkn"
        if _guess_ntc(sample):
            sample_type = "ntc"
            guessed.append(well)
        curves.append(
            _Curve(
                well=well,
                target=channel,
                dye=channel,
                values=values,
                sample=sample,
                sample_type=sample_type,
            )
        )
    if guessed:
        warnings.append(
            f"{name}: wells {', '.join(sorted(set(guessed))[:12])} taken as NTC from the sample "
            "name (no sample type given)."
        )
    warnings.append(f"{name}: targets are named after the channel; a layout can name them.")
    return _Parsed(
        curves=curves,
        source_format="lightcycler",
        name=Path(name).stem,
        instrument="Roche LightCycler",
        metadata=metadata,
        warnings=warnings,
    )


# --------------------------------------------------------------------------------------------
# Layout files
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayoutEntry:
    """One row of a plate layout: what a well (and optionally one of its dyes) holds."""

    well: str
    sample: str = ""
    sample_type: str = ""
    target: str = ""
    quantity: float | None = None
    dye: str = ""


_LAYOUT_COLUMNS = {
    "well": ("well", "wellposition", "position", "pos", "samplepos"),
    "sample": ("sample", "samplename", "name", "sampleid"),
    "sample_type": ("sampletype", "type", "task", "content", "role"),
    "target": ("target", "targetname", "gene", "assay", "detector"),
    "quantity": ("quantity", "qty", "copies", "startingquantity", "sq", "concentration"),
    "dye": ("dye", "reporter", "fluor", "fluorophore", "channel"),
}


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("_", " "))


def parse_sample_type(text: str) -> str:
    """RDML sample type for a layout word (Unknown, Std-01, NTC, no template, neg, pos ...)."""
    word = _words(text)
    if word in SAMPLE_TYPE_WORDS:
        return SAMPLE_TYPE_WORDS[word]
    stripped = re.sub(r"[\s-]*\d+$", "", word)  # CFX "Unkn-01", "Std-03"
    if stripped in SAMPLE_TYPE_WORDS:
        return SAMPLE_TYPE_WORDS[stripped]
    raise InvalidFileError(
        f"Sample type {text!r} is not recognised; expected one of unknown/unkn/sample, "
        "standard/std, ntc/no template, nac, ntp/neg/negative, nrt/minus rt, pos/positive, opt."
    )


def read_layout(source: Path | str | bytes, *, filename: str | None = None) -> list[LayoutEntry]:
    """Entries of a layout file (CSV/TSV/XLSX with a well column and any of sample,
    sample_type, target, quantity, dye)."""
    data, name = _load(source, filename)
    if not data.strip():
        raise InvalidFileError(
            f"Layout {name} is empty; expected a header row and one row per well."
        )
    warnings: list[str] = []
    if data[:2] == b"PK":
        sheets = _xlsx_sheets(data, name)
        grid = next((g for g in sheets.values() if _trim(g)), [])
    else:
        grid, _sep = _grid_from_text(_decode(data, name, warnings))
    grid = _trim(grid)
    at = None
    for i, row in enumerate(grid[:20]):
        if any(_key(c) in _LAYOUT_COLUMNS["well"] for c in row):
            at = i
            break
    if at is None:
        raise InvalidFileError(
            f"Layout {name}: no 'well' column in the first rows; expected columns well, sample, "
            "sample_type, target, quantity (any order; only well is required)."
        )
    header = [_key(c) for c in grid[at]]
    where: dict[str, int] = {}
    for field_name, names in _LAYOUT_COLUMNS.items():
        for i, key in enumerate(header):
            if key in names:
                where[field_name] = i
                break
    entries: list[LayoutEntry] = []
    seen: set[tuple[str, str, str]] = set()
    for r, row in enumerate(grid[at + 1 :], start=at + 2):

        def cell(field_name: str, row: list[str] = row) -> str:
            i = where.get(field_name)
            return row[i].strip() if i is not None and i < len(row) else ""

        raw_well = cell("well")
        if not raw_well:
            continue
        try:
            well = normalise_well(raw_well)
            plate_shape_for_wells([well])
        except InvalidInputError as exc:
            raise InvalidFileError(f"Layout {name}, row {r}: {exc.message}") from exc
        type_text = cell("sample_type")
        try:
            sample_type = parse_sample_type(type_text) if type_text else ""
        except InvalidFileError as exc:
            raise InvalidFileError(f"Layout {name}, row {r}: {exc.message}") from exc
        quantity_text = cell("quantity")
        try:
            quantity = _number(quantity_text) if quantity_text else None
        except ValueError:
            raise InvalidFileError(
                f"Layout {name}, row {r}: quantity {quantity_text!r} is not a number; expected "
                "e.g. 15000 or 1.5e4 (or an empty cell)."
            ) from None
        entry = LayoutEntry(
            well=well,
            sample=cell("sample"),
            sample_type=sample_type,
            target=cell("target"),
            quantity=quantity,
            dye=cell("dye"),
        )
        entry_key = (well, entry.target, entry.dye)
        if entry_key in seen:
            raise InvalidFileError(
                f"Layout {name}, row {r}: well {well}"
                + (f" target {entry.target!r}" if entry.target else "")
                + " appears twice; expected one row per well (and target or dye)."
            )
        seen.add(entry_key)
        entries.append(entry)
    if not entries:
        raise InvalidFileError(f"Layout {name}: no rows with a well; expected one row per well.")
    wells = {e.well for e in entries}
    if len(wells) > 384:
        raise InvalidFileError(f"Layout {name}: {len(wells)} wells; expected at most 384.")
    return entries


def apply_layout(plate: Plate, entries: Sequence[LayoutEntry], *, name: str = "layout") -> Plate:
    """A copy of ``plate`` with samples, types, targets and quantities from the layout."""
    by_well: dict[str, list[LayoutEntry]] = {}
    for layout_entry in entries:
        by_well.setdefault(layout_entry.well, []).append(layout_entry)
    warnings = list(plate.warnings)
    plate_wells = set(plate.wells())
    missing_in_layout = sorted(plate_wells - set(by_well), key=well_position)
    missing_in_data = sorted(set(by_well) - plate_wells, key=well_position)
    if missing_in_layout:
        warnings.append(
            f"{name}: {len(missing_in_layout)} well(s) with data are not in the layout: "
            f"{', '.join(missing_in_layout[:24])}{'...' if len(missing_in_layout) > 24 else ''}."
        )
    if missing_in_data:
        warnings.append(
            f"{name}: {len(missing_in_data)} layout well(s) have no data: "
            f"{', '.join(missing_in_data[:24])}{'...' if len(missing_in_data) > 24 else ''}."
        )
    per_well_count: dict[str, int] = {}
    for reaction in plate.reactions:
        per_well_count[reaction.well] = per_well_count.get(reaction.well, 0) + 1
    guessed: list[str] = []
    std_without_quantity: list[str] = []
    reactions = []
    for reaction in plate.reactions:
        options = by_well.get(reaction.well, [])
        entry = _match_entry(reaction, options, per_well_count[reaction.well], name)
        if entry is None:
            reactions.append(reaction)
            continue
        sample = entry.sample or reaction.sample
        sample_type = entry.sample_type
        if not sample_type:
            if _guess_ntc(sample):
                sample_type = "ntc"
                guessed.append(reaction.well)
            else:
                sample_type = reaction.sample_type if not entry.sample else "unkn"
        target = reaction.target
        if entry.target:
            target = entry.target
        quantity = entry.quantity if entry.quantity is not None else reaction.quantity
        if sample_type == "std" and quantity is None:
            std_without_quantity.append(reaction.well)
        reactions.append(
            replace(
                reaction, sample=sample, sample_type=sample_type, target=target, quantity=quantity
            )
        )
    if guessed:
        warnings.append(
            f"{name}: well(s) {', '.join(sorted(set(guessed), key=well_position)[:24])} taken as "
            "NTC from the sample name (no sample type given)."
        )
    if std_without_quantity:
        warnings.append(
            f"{name}: standard well(s) {', '.join(std_without_quantity[:24])} have no quantity; "
            "they cannot be used for a standard curve."
        )
    result = replace(plate, reactions=reactions, warnings=warnings, metadata=dict(plate.metadata))
    try:
        result.validate()
    except InvalidInputError as exc:
        raise InvalidFileError(f"{name}: {exc.message}") from exc
    return result


def _match_entry(
    reaction: Reaction, options: list[LayoutEntry], in_well: int, name: str
) -> LayoutEntry | None:
    if not options:
        return None
    if len(options) == 1 and (in_well == 1 or not (options[0].dye or options[0].target)):
        return options[0]
    by_dye = [
        o for o in options if o.dye and reaction.dye and o.dye.lower() == reaction.dye.lower()
    ]
    if len(by_dye) == 1:
        return by_dye[0]
    by_target = [o for o in options if o.target and o.target == reaction.target]
    if len(by_target) == 1:
        return by_target[0]
    general = [o for o in options if not o.dye and not o.target]
    if len(general) == 1:
        return general[0]
    if len(options) == 1:
        return options[0]
    raise InvalidFileError(
        f"{name}: well {reaction.well} has {len(options)} layout rows and {in_well} curves; "
        f"cannot tell which row is curve {reaction.target or reaction.dye!r}. Expected a dye "
        "column (or the data's target names) to match rows to curves."
    )


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------

_READERS = {
    "cfx": _read_cfx,
    "quantstudio": _read_quantstudio,
    "lightcycler": _read_lightcycler,
    "table": _read_table,
}


def read_plate(
    source: Path | str | bytes,
    *,
    filename: str | None = None,
    fmt: str | None = None,
    layout: Path | str | bytes | None = None,
    layout_filename: str | None = None,
    experiment: str | None = None,
    run: str | None = None,
) -> Plate:
    """Read one run of a qPCR file as a :class:`Plate`, with an optional layout laid over it.

    ``fmt`` is one of :data:`FORMATS` (detected when None). For RDML, ``experiment`` and ``run``
    name the run (the first one otherwise; :func:`list_rdml_runs` lists them).
    """
    data, name = _load(source, filename)
    if fmt is None:
        fmt = detect_format(data, name)
    if fmt not in FORMATS:
        raise InvalidInputError(
            f"Format {fmt!r} is not known; expected one of {', '.join(FORMATS)}."
        )
    if not data.strip():
        raise InvalidFileError(f"{name} is empty; expected an RDML file or an instrument export.")
    if fmt == "rdml":
        parsed = _read_rdml(data, name, experiment, run)
    else:
        if experiment is not None or run is not None:
            raise InvalidInputError(
                f"experiment/run only apply to RDML files; {name} was read as {fmt}."
            )
        parsed = _READERS[fmt](data, name)
    plate = _build_plate(parsed)
    if layout is not None:
        layout_data, layout_name = _load(layout, layout_filename)
        plate = apply_layout(
            plate, read_layout(layout_data, filename=layout_name), name=layout_name
        )
    return plate
