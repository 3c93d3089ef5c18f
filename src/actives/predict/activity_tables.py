"""A user's table of structures and measured values (CSV or XLSX) as raw rows for curation.

An in-house tyrosinase or elastase assay usually lives in a spreadsheet: one row per compound,
a SMILES column, an IC50 column with the unit in its header ("IC50 (uM)") or in a column of its
own, perhaps "<10" or ">100" for compounds outside the tested range, perhaps Korean headers
(구조, 값, 단위) and a CSV saved by Korean Excel in CP949. :func:`read_activity_table` reads all of
that into the columns :func:`~actives.predict.curation.curate` takes (``smiles``, ``value``,
``units``, ``relation``, ``assay_description``, ``source_id``) plus ``file_row``, the row number
as the user sees it in the file (CSV line or Excel row), and reports every row it could not
read instead of stopping.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from actives.errors import InvalidFileError, InvalidInputError
from actives.predict.curation import MASS_UNITS, MOLAR_UNITS, CurationOptions
from actives.textfiles import decode_text

RAW_COLUMNS = ("smiles", "value", "units", "relation", "assay_description", "source_id")
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
MAX_HEADER_SEARCH = 10  # a spreadsheet may have title rows above the header
MAX_PROBLEMS_SHOWN = 5

# Concentration units, by a spelling with spaces removed, µ/μ as "u" and lower case, to the
# spelling curate() converts.
_UNIT_SYNONYMS: dict[str, str] = {
    **{k: "M" for k in ("m", "mol/l", "molar", "mol.l-1", "moll-1", "mol/dm3")},
    **{k: "mM" for k in ("mm", "mmol/l", "millimolar", "mmol.l-1", "mmoll-1")},
    **{k: "uM" for k in ("um", "umol/l", "micromolar", "umol.l-1", "umoll-1", "mcm")},
    **{k: "nM" for k in ("nm", "nmol/l", "nanomolar", "nmol.l-1", "nmoll-1")},
    **{k: "pM" for k in ("pm", "pmol/l", "picomolar")},
    **{k: "ug/mL" for k in ("ug/ml", "ug.ml-1", "ugml-1", "mcg/ml", "mg/l", "ug/cm3")},
    **{k: "mg/mL" for k in ("mg/ml", "mg.ml-1", "mgml-1", "g/l")},
}
# Every spelling above must be one curate() knows.
assert {v.lower() for v in _UNIT_SYNONYMS.values()} <= {*MOLAR_UNITS, *MASS_UNITS}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_VALUE = re.compile(
    rf"^(?P<relation><=|>=|=<|=>|<|>|=|~|≤|≥|≈)?\s*(?P<number>{_NUMBER})\s*"
    r"(?:(?:±|\+/-|\+-)\s*" + _NUMBER + r")?\s*(?P<unit>[^\d\s].*)?$"
)
_HEADER_UNIT = re.compile(r"^(?P<name>.*?)[\s_,]*[(\[]\s*(?P<unit>[^()\[\]]+?)\s*[)\]]\s*$")
_HEADER_UNIT_WORD = re.compile(r"^(?P<name>.*?)[\s_,]+(?:in\s+)?(?P<unit>[^\s_,]+)$")
_P_VALUE = re.compile(
    r"^(?:p\s?(?:ic|ec|ac|xc|gi)\s?50|pk[id]|pchembl(?:\s?value)?|p\s?value|"
    r"(?:-|minus\s?|negative\s?)log\s?\(?\s?(?:ic|ec)\s?50\)?|log\s?\(?1\s?/\s?(?:ic|ec)\s?50\)?)$"
)
_CONCENTRATION_VALUE = re.compile(r"^(?:(?:ic|ec|ac|xc|gi)\s?50|k[id])(?:\s?value)?$")


def canonical_unit(text: str) -> str | None:
    """The curate() spelling of a concentration unit ('µmol/L' -> 'uM'), or None if unknown."""
    key = re.sub(r"\s+", "", str(text)).lower().replace("µ", "u").replace("μ", "u")
    key = key.replace("mcg", "ug").replace("litre", "l").replace("liter", "l")
    return _UNIT_SYNONYMS.get(key)


def known_units() -> str:
    """The accepted concentration units, for error messages."""
    return "M, mM, uM (µM, µmol/L), nM, pM, ug/mL (mg/L), mg/mL (g/L)"


@dataclass(frozen=True)
class RowProblem:
    """A row that could not be read as given: where, what was there, what was expected."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.value!r}: {self.message}"


@dataclass
class ActivityTable:
    """Raw activity rows read from a user's file, with how each column was found."""

    raw: pd.DataFrame
    source: str
    columns: dict[str, str]
    value_is_p: bool
    units: str | None
    sheet: str | None = None
    problems: list[RowProblem] = field(default_factory=list)
    blank_rows: int = 0

    def curation_options(self, **overrides: Any) -> CurationOptions:
        """Curation options that match the table (values as −log10 or as concentrations)."""
        return CurationOptions(**{"value_is_p": self.value_is_p, **overrides})

    def describe(self) -> dict[str, Any]:
        """JSON-ready provenance for a model card: file, sheet, column mapping, problems."""
        return {
            "file": self.source,
            "sheet": self.sheet,
            "columns": self.columns,
            "value_is_p": self.value_is_p,
            "units": self.units,
            "rows": len(self.raw),
            "blank_rows_skipped": self.blank_rows,
            "problem_rows": len({p.row for p in self.problems}),
            "problems": [str(p) for p in self.problems[:20]],
        }


# ----------------------------------------------------------------------------------------------
# bytes -> a grid of strings


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:50]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in (",", ";", "\t", "|")} if lines else {}
        best = max(counts, key=lambda d: counts[d], default=",")
        return best if counts.get(best) else ","


def _read_text(data: bytes, name: str, encoding: str | None) -> pd.DataFrame:
    text = decode_text(data, name, encoding)
    if not text.strip():
        raise InvalidFileError(f"{name} is empty; expected a header row and one row per compound.")
    sep = _delimiter(text)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str,
                           keep_default_na=False, skip_blank_lines=False)  # fmt: skip
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        shown = {"\t": "tab"}.get(sep, repr(sep))
        raise InvalidFileError(
            f"{name}: cannot read as a table separated by {shown}: {str(exc).strip()}. Expected "
            "one header row and the same number of columns in every row."
        ) from exc


def _read_excel(data: bytes, name: str, sheet: str | None) -> tuple[pd.DataFrame, str]:
    try:
        workbook = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types on a damaged file; all mean the same
        raise InvalidFileError(
            f"{name} is not a readable .xlsx workbook ({type(exc).__name__}: {exc}); the file "
            "may be damaged, password-protected or another format. Re-save it from Excel as "
            ".xlsx or as CSV UTF-8."
        ) from exc
    names = [str(s) for s in workbook.sheet_names]
    if sheet is None:
        chosen = names[0]
    elif sheet in names:
        chosen = sheet
    elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
        chosen = names[int(sheet) - 1]
    else:
        raise InvalidInputError(
            f"{name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}."
        )
    try:
        grid = pd.read_excel(workbook, sheet_name=chosen, header=None, dtype=str)
    except Exception as exc:  # damaged sheet XML
        raise InvalidFileError(f"{name}: sheet {chosen!r} cannot be read ({exc}).") from exc
    return grid.fillna(""), chosen


def _grid(
    data: bytes, name: str, sheet: str | None, encoding: str | None
) -> tuple[pd.DataFrame, str | None]:
    if not data:
        raise InvalidFileError(f"{name} is empty; expected a header row and one row per compound.")
    suffix = Path(name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidFileError(
            f"{name} is an old binary Excel (.xls) file; save it as .xlsx or as CSV UTF-8."
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_excel(data, name, sheet)
    if suffix in EXCEL_SUFFIXES:
        raise InvalidFileError(
            f"{name} is not an .xlsx workbook (an .xlsx file is a ZIP archive; this one is not): "
            "the file is damaged or was renamed. Expected an .xlsx saved by Excel, or a CSV."
        )
    if sheet is not None:
        raise InvalidInputError(f"A sheet ({sheet!r}) was given, but {name} is a text table.")
    return _read_text(data, name, encoding), None


# ----------------------------------------------------------------------------------------------
# headers -> columns


def _norm(header: str) -> str:
    text = str(header).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_]+", " ", text)


def _split_unit(header: str) -> tuple[str, str | None]:
    """'IC50 (uM)' -> ('ic50', 'uM' text); 'IC50_uM' -> ('ic50', 'uM'); 'IC50' -> ('ic50', None)."""
    text = _norm(header)
    match = _HEADER_UNIT.match(text)
    if match and match.group("name"):
        return match.group("name").strip(), match.group("unit")
    match = _HEADER_UNIT_WORD.match(text)
    if match and canonical_unit(match.group("unit")) is not None:
        return match.group("name").strip(), match.group("unit")
    return text, None


Matcher = Callable[[str], bool]


def _names(*names: str) -> Matcher:
    wanted = {_norm(n) for n in names}
    return lambda h: _split_unit(h)[0] in wanted or _norm(h) in wanted


SMILES_TIERS: tuple[Matcher, ...] = (
    _names("smiles", "구조", "구조식", "스마일즈", "구조 smiles", "structure"),
    _names("canonical smiles", "isomeric smiles", "standardized smiles", "parent smiles"),
    lambda h: "smiles" in _norm(h) or "스마일" in _norm(h),
)
VALUE_TIERS: tuple[Matcher, ...] = (
    _names("standard value"),
    _names("value", "값", "측정값", "활성값", "활성", "결과", "결과값", "activity", "result"),
    lambda h: (
        bool(_CONCENTRATION_VALUE.match(_split_unit(h)[0]))
        or _split_unit(h)[0] in {"ic50 값", "ic50값", "저해 ic50"}
    ),
    lambda h: bool(_P_VALUE.match(_split_unit(h)[0])),
)
# ChEMBL exports carry both "Standard Units" and "Units" (as given in the paper): the standard
# columns come first, as "Standard Value" does.
UNITS_TIERS: tuple[Matcher, ...] = (
    _names("standard units"),
    _names("units", "unit", "단위", "value units", "value unit", "농도 단위"),
    lambda h: _norm(h).endswith((" units", " unit", " 단위")),
)
RELATION_TIERS: tuple[Matcher, ...] = (
    _names("standard relation"),
    _names("relation", "qualifier", "operator", "sign", "modifier", "관계", "부등호", "prefix"),
)
ASSAY_TIERS: tuple[Matcher, ...] = (
    _names("assay description", "assay", "assay name", "시험법", "분석법", "시험", "assay type"),
    _names("description", "method", "설명"),
)
ID_TIERS: tuple[Matcher, ...] = (
    _names(
        "id",
        "compound id",
        "molecule chembl id",
        "chembl id",
        "sample id",
        "code",
        "화합물 id",
        "시료 번호",
        "번호",
        "no",
        "no.",
    ),  # fmt: skip
    _names(
        "compound",
        "compound name",
        "name",
        "molecule name",
        "sample",
        "화합물",
        "화합물명",
        "시료",
        "시료명",
        "물질명",
        "이름",
    ),  # fmt: skip
    _names("source", "reference", "doi", "출처", "문헌"),
)


def _detect(
    headers: Sequence[str], tiers: Sequence[Matcher], role: str, taken: set[str]
) -> str | None:
    """The one header matching the first tier that matches any; two in one tier is ambiguous."""
    for tier in tiers:
        found = [h for h in headers if h not in taken and tier(h)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InvalidInputError(
                f"Several columns could be the {role}: {', '.join(map(repr, found))}; name the "
                f"one to use (--{role.replace(' ', '-')}-column)."
            )
    return None


def _explicit(headers: Sequence[str], wanted: str, role: str) -> str:
    for header in headers:
        if header == wanted or _norm(header) == _norm(wanted):
            return header
    raise InvalidInputError(
        f"No column {wanted!r} for the {role}; the columns are: {', '.join(map(repr, headers))}."
    )


def _header_row(grid: pd.DataFrame, smiles_column: str | None) -> int:
    """Index of the header row: the first of the top rows naming a SMILES column."""
    first_filled = None
    for i in range(min(MAX_HEADER_SEARCH, len(grid))):
        cells = [str(c) for c in grid.iloc[i] if str(c).strip()]
        if not cells:
            continue
        if first_filled is None:
            first_filled = i
        if smiles_column is not None:
            if any(_norm(c) == _norm(smiles_column) for c in cells):
                return i
        elif any(tier(c) for tier in SMILES_TIERS for c in cells):
            return i
    return first_filled if first_filled is not None else 0


# ----------------------------------------------------------------------------------------------
# the reader


def read_activity_table(
    source: Path | bytes,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    smiles_column: str | None = None,
    value_column: str | None = None,
    units_column: str | None = None,
    relation_column: str | None = None,
    assay_column: str | None = None,
    id_column: str | None = None,
    units: str | None = None,
    value_is_p: bool | None = None,
    encoding: str | None = None,
) -> ActivityTable:
    """Read a CSV (any delimiter, UTF-8 with or without BOM, CP949) or XLSX table of activities.

    Columns are found by their headers (SMILES, IC50, value, pIC50, Standard Value, units,
    relation, 구조, 값, 단위, ...) unless named. The unit comes from a units column, the value
    header ("IC50 (uM)"), the value itself ("12 uM") or ``units``; values headed pIC50/pKi/
    pChEMBL (or ``value_is_p``) are taken as −log10 molar. A relation may lead the value ("<10").
    Rows without a readable value are kept with a missing value (curation counts them out) and
    listed in ``problems``; a file that cannot be read at all raises InvalidFileError.
    """
    if isinstance(source, Path):
        name = filename or source.name
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise InvalidFileError(f"Cannot read {source}: {exc.strerror or exc}.") from exc
    else:
        data, name = source, filename or "upload"
    grid, sheet_name = _grid(data, name, sheet, encoding)
    where = f"{name}" + (f" (sheet {sheet_name!r})" if sheet_name else "")

    if grid.empty:
        raise InvalidFileError(f"{where} is empty; expected a header row and one row per compound.")
    header_at = _header_row(grid, smiles_column)
    headers = [str(h).replace("\ufeff", "").strip() for h in grid.iloc[header_at]]
    headers = [h or f"column {i + 1}" for i, h in enumerate(headers)]
    body = grid.iloc[header_at + 1 :].copy()
    body.columns = pd.Index(_unique(headers))
    headers = [str(h) for h in body.columns]
    body["file_row"] = np.arange(header_at + 2, header_at + 2 + len(body))  # as in the file
    filled = body[headers].apply(lambda col: col.astype(str).str.strip() != "").any(axis=1)
    blank_rows = int((~filled).sum())
    body = body[filled]
    if body.empty:
        raise InvalidFileError(
            f"{where} has a header row but no data rows; expected one row per compound."
        )

    mapping = _map_columns(
        headers, where, smiles_column, value_column, units_column, relation_column,
        assay_column, id_column,
    )  # fmt: skip
    value_header = mapping["value"]
    name_part, header_unit_text = _split_unit(value_header)
    is_p = value_is_p if value_is_p is not None else bool(_P_VALUE.match(name_part))
    return _rows(body, where, mapping, is_p, units, header_unit_text, sheet_name, name, blank_rows)


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def _map_columns(
    headers: list[str],
    where: str,
    smiles_column: str | None,
    value_column: str | None,
    units_column: str | None,
    relation_column: str | None,
    assay_column: str | None,
    id_column: str | None,
) -> dict[str, str]:
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    roles = [
        ("smiles", "smiles", smiles_column, SMILES_TIERS),
        ("value", "value", value_column, VALUE_TIERS),
        ("units", "units", units_column, UNITS_TIERS),
        ("relation", "relation", relation_column, RELATION_TIERS),
        ("assay_description", "assay", assay_column, ASSAY_TIERS),
        ("source_id", "id", id_column, ID_TIERS),
    ]
    for key, role, explicit, tiers in roles:
        found = (
            _explicit(headers, explicit, role) if explicit else _detect(headers, tiers, role, taken)
        )
        if found is not None:
            mapping[key] = found
            taken.add(found)
    shown = ", ".join(map(repr, headers))
    if "smiles" not in mapping:
        raise InvalidInputError(
            f"No SMILES column in {where}; the columns are: {shown}. Expected a column headed "
            "SMILES (or 구조), or name it (--smiles-column)."
        )
    if "value" not in mapping:
        raise InvalidInputError(
            f"No value column in {where}; the columns are: {shown}. Expected a column headed "
            "IC50, value, pIC50, Standard Value (or 값), or name it (--value-column)."
        )
    return mapping


def _rows(
    body: pd.DataFrame,
    where: str,
    mapping: dict[str, str],
    is_p: bool,
    units: str | None,
    header_unit_text: str | None,
    sheet_name: str | None,
    name: str,
    blank_rows: int,
) -> ActivityTable:
    problems: list[RowProblem] = []
    value_header = mapping["value"]
    default_unit = None
    if not is_p:
        if units is not None:
            default_unit = canonical_unit(units)
            if default_unit is None:
                raise InvalidInputError(
                    f"Unknown concentration unit {units!r}; expected one of: {known_units()}."
                )
        elif header_unit_text is not None:
            default_unit = canonical_unit(header_unit_text)
            if default_unit is None and "units" not in mapping:
                raise InvalidInputError(
                    f"Column {value_header!r} in {where} names the unit {header_unit_text!r}, "
                    f"which is not a concentration unit Actives converts; expected one of: "
                    f"{known_units()} (or pIC50 values, marked as such)."
                )

    smiles_out, values, relations, units_out = [], [], [], []
    relation_col = mapping.get("relation")
    units_col = mapping.get("units")
    for _, record in body.iterrows():
        row = int(record["file_row"])

        def flag(column: str, got: str, expected: str, row: int = row) -> None:
            problems.append(RowProblem(row, column, got, expected))

        smiles = str(record[mapping["smiles"]]).strip()
        text = str(record[value_header]).strip()
        relation = _relation(str(record[relation_col])) if relation_col is not None else "="
        unit = default_unit
        unit_text = str(record[units_col]).strip() if units_col is not None and not is_p else ""
        if unit_text:
            unit = canonical_unit(unit_text)
            if unit is None:
                flag(units_col or "", unit_text, f"unknown unit; expected one of: {known_units()}")
                unit = unit_text  # kept, so that curation counts the row out by its unit
        value = np.nan
        match = _VALUE.match(text.replace(",", ".") if _decimal_comma(text) else text)
        if not smiles:
            flag(mapping["smiles"], "", "no structure")
        if not text:
            flag(value_header, "", "no value")
        elif match is None:
            flag(value_header, text, "expected a number, e.g. 12.5, <10 or >100")
        else:
            value = float(match.group("number"))
            if match.group("relation"):
                embedded = _relation(match.group("relation"))
                if relation != "=" and embedded != relation:
                    flag(value_header, text, f"relation {embedded!r} disagrees with the "
                         f"relation column ({relation!r})")  # fmt: skip
                    value = np.nan
                relation = embedded
            inline = match.group("unit")
            if inline and (is_p or canonical_unit(inline) is None):
                flag(value_header, text, "unexpected text after the number; expected a "
                     "concentration unit such as uM, or nothing")  # fmt: skip
                value = np.nan
            elif inline:
                unit = canonical_unit(inline)
        if not is_p and unit is None and np.isfinite(value):
            flag(value_header, text, "no unit for this value")
        smiles_out.append(smiles)
        values.append(value)
        relations.append(relation)
        units_out.append(unit or "")

    numeric = int(np.isfinite(np.asarray(values, dtype=float)).sum())
    if numeric == 0:
        shown = "; ".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        raise InvalidInputError(
            f"Column {value_header!r} in {where} has no numeric values (e.g. {shown}); expected "
            "numbers such as 12.5, <10 or >100."
        )
    if not is_p and not any(units_out):
        raise InvalidInputError(
            f"No unit for any value in {where}: no units column with units, and the value "
            f"column {value_header!r} names none. Give the unit (--value-units uM), add a "
            "units column, or head the column like 'IC50 (uM)'; for pIC50 values head it "
            "pIC50 (--value-is-p)."
        )
    converted = [u for u in units_out if u and canonical_unit(u)]
    if not is_p and not converted:
        raise InvalidInputError(
            f"None of the units in column {units_col!r} of {where} is a concentration unit; "
            f"expected one of: {known_units()}."
        )
    raw = pd.DataFrame(
        {
            "smiles": smiles_out,
            "value": values,
            "units": units_out if not is_p else "",
            "relation": relations,
            "assay_description": (
                body[mapping["assay_description"]].astype(str).str.strip().tolist()
                if "assay_description" in mapping
                else ""
            ),
            "source_id": (
                body[mapping["source_id"]].astype(str).str.strip().tolist()
                if "source_id" in mapping
                else [f"{name} row {r}" for r in body["file_row"]]
            ),
            "file_row": body["file_row"].astype(int).tolist(),
        }
    )
    if is_p:
        unit_note = None
    elif units is not None:
        unit_note = default_unit
    elif units_col is not None:
        unit_note = f"per row from column {units_col!r}"
    else:
        unit_note = default_unit
    return ActivityTable(raw, name, dict(mapping), is_p, unit_note, sheet_name, problems,
                         blank_rows)  # fmt: skip


def _relation(text: str) -> str:
    value = text.strip().strip("'\"")
    if value.startswith(("<", "≤", "=<")):
        return "<"
    if value.startswith((">", "≥", "=>")):
        return ">"
    return "="


def _decimal_comma(text: str) -> bool:
    """'12,5' (a decimal comma, as written in much of Europe) but not '1,250' (thousands)."""
    return bool(re.fullmatch(r"[<>=~≤≥\s]*\d+,\d{1,2}(?:\s*\D.*)?", text))
