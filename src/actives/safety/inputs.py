"""Defined-approach inputs from a CSV or XLSX table, one chemical per row, and a batch run.

Columns (headers are matched case-insensitively, ignoring spaces, dashes, underscores and
symbols; common variants and Korean headers are accepted): name, smiles, dpra_cys, dpra_lys,
dpra_call, keratinosens_call, keratinosens_imax, hclat_call, hclat_cd86_rfi, hclat_cd54_rfi,
hclat_mit, in_silico_call, in_silico_in_domain, in_silico_tool, log_kow.

Rows are numbered as in a spreadsheet (the header is row 1). A row with an unreadable value gets
status ``error`` and a message saying what was wrong and what was expected; the other rows still
run. Assay values from the file are taken as measured; in silico calls as predicted by the tool
named in ``in_silico_tool``.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from actives.errors import InvalidFileError, InvalidInputError
from actives.safety.defined_approaches import (
    DEREK_NEXUS,
    NEGATIVE,
    DPRAResult,
    HCLATResult,
    InSilicoResult,
    KeratinoSensResult,
    integrated_testing_strategy,
    parse_call,
    two_out_of_three,
)
from actives.safety.reasoning import Serialisable

COLUMNS = (
    "name",
    "smiles",
    "dpra_cys",
    "dpra_lys",
    "dpra_call",
    "keratinosens_call",
    "keratinosens_imax",
    "hclat_call",
    "hclat_cd86_rfi",
    "hclat_cd54_rfi",
    "hclat_mit",
    "in_silico_call",
    "in_silico_in_domain",
    "in_silico_tool",
    "log_kow",
)

# Header variants per column (normalised with _norm before matching).
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "chemical",
        "chemical name",
        "substance",
        "compound",
        "ingredient",
        "이름",
        "물질명",
        "성분명",
        "화학물질명",
        "시험물질",
    ),
    "smiles": ("smiles", "canonical smiles", "스마일즈"),
    "dpra_cys": (
        "dpra_cys",
        "dpra cys",
        "dpra cysteine",
        "cys depletion",
        "cysteine depletion",
        "dpra %c",
        "dpra_pc",
        "dpra c",
        "%c depletion",
        "dpra cys depletion",
        "dpra 시스테인",
        "시스테인 고갈률",
        "시스테인 감소율",
    ),
    "dpra_lys": (
        "dpra_lys",
        "dpra lys",
        "dpra lysine",
        "lys depletion",
        "lysine depletion",
        "dpra %k",
        "dpra_pk",
        "dpra k",
        "%k depletion",
        "dpra lys depletion",
        "dpra 라이신",
        "라이신 고갈률",
        "리신 고갈률",
        "라이신 감소율",
    ),
    "dpra_call": ("dpra_call", "dpra", "dpra result", "dpra hazard", "dpra 판정", "dpra 결과"),
    "keratinosens_call": (
        "keratinosens_call",
        "keratinosens",
        "ks call",
        "ks_call",
        "ks",
        "keratinosens result",
        "keratinosens 판정",
        "keratinosens 결과",
    ),
    "keratinosens_imax": (
        "keratinosens_imax",
        "ks imax",
        "ks_imax",
        "imax",
        "keratinosens imax",
        "최대 유도배수",
    ),
    "hclat_call": (
        "hclat_call",
        "hclat",
        "h-clat",
        "hclat result",
        "h-clat call",
        "h-clat 판정",
        "h-clat 결과",
    ),
    "hclat_cd86_rfi": ("hclat_cd86_rfi", "cd86 rfi", "cd86", "hclat cd86", "rfi cd86"),
    "hclat_cd54_rfi": ("hclat_cd54_rfi", "cd54 rfi", "cd54", "hclat cd54", "rfi cd54"),
    "hclat_mit": (
        "hclat_mit",
        "mit",
        "h-clat mit",
        "hclat mit",
        "minimum induction threshold",
        "최소유도농도",
    ),
    "in_silico_call": (
        "in_silico_call",
        "in silico",
        "insilico",
        "in silico call",
        "insilico_call",
        "qsar",
        "qsar call",
        "derek",
        "derek call",
        "toolbox call",
        "in silico 판정",
        "인실리코 판정",
        "인실리코",
    ),
    "in_silico_in_domain": (
        "in_silico_in_domain",
        "in domain",
        "applicability domain",
        "ad",
        "in_silico_ad",
        "insilico_ad",
        "in silico ad",
        "적용범위",
        "적용 범위",
    ),
    "in_silico_tool": (
        "in_silico_tool",
        "tool",
        "in silico tool",
        "qsar tool",
        "insilico tool",
        "인실리코 도구",
        "예측 도구",
    ),
    "log_kow": (
        "log_kow",
        "logkow",
        "log kow",
        "log p",
        "logp",
        "log pow",
        "logpow",
        "kow",
        "분배계수",
        "옥탄올-물 분배계수",
    ),
}
_MISSING = {"", "na", "n/a", "nan", "none", "null", "missing", "n.a."}
_MISSING_VALUE = _MISSING | {"-"}  # "-" means "not tested" in a value column, negative in a call
_DOMAIN_WORDS = {
    True: {"in", "yes", "y", "true", "1", "inside", "in domain", "예", "적용", "내"},
    False: {"out", "no", "n", "false", "0", "outside", "out of domain", "아니오", "미적용", "외"},
}


def _norm(header: object) -> str:
    return re.sub(r"[^0-9a-z가-힣%]+", "", str(header).strip().lower())


_HEADER_LOOKUP = {_norm(alias): col for col, aliases in _ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class DAInputRow(Serialisable):
    """One chemical of a DA input file: its parsed assay results and a status."""

    row: int
    name: str
    smiles: str | None
    dpra: DPRAResult | None
    keratinosens: KeratinoSensResult | None
    hclat: HCLATResult | None
    in_silico: InSilicoResult | None
    log_kow: float | None
    status: str
    message: str


def read_da_inputs(path: str | Path) -> list[DAInputRow]:
    """Read DA inputs from a CSV/TSV/TXT or XLSX file; each row gets status ok or error."""
    path = Path(path)
    table = _read_table(path)
    mapping = _map_headers(table.columns)
    assay_columns = [col for col in COLUMNS if col not in ("name", "smiles")]
    if not any(col in mapping.values() for col in assay_columns):
        found = ", ".join(str(c) for c in table.columns) or "none"
        raise InvalidFileError(
            f"{path.name} has none of the expected assay columns (found: {found}); expected some "
            f"of: {', '.join(assay_columns)} (and optionally name, smiles)."
        )
    if table.empty:
        raise InvalidFileError(
            f"{path.name} has a header but no data rows; expected one row per chemical."
        )
    renamed = table.rename(columns={src: col for src, col in mapping.items()})
    return [
        _parse_row(index + 2, {str(k): v for k, v in record.items()}, path.name)
        for index, record in enumerate(renamed.to_dict("records"))
    ]


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InvalidFileError(f"{path} does not exist or is not a file; expected a CSV or XLSX.")
    if suffix not in (".xlsx", ".xlsm", ".csv", ".tsv", ".txt"):
        raise InvalidFileError(
            f"{path.name} has suffix {suffix or '(none)'!r}; expected .csv, .tsv, .txt or .xlsx."
        )
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip() and path.stat().st_size <= len(head):
        raise InvalidFileError(
            f"{path.name} is empty; expected a table with a header row and one row per chemical."
        )
    try:
        if suffix in (".xlsx", ".xlsm"):
            table = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            table = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                sep="\t" if suffix == ".tsv" else _delimiter(head),
                encoding="utf-8-sig",
            )
    except pd.errors.EmptyDataError:
        raise InvalidFileError(
            f"{path.name} is empty; expected a table with a header row and one row per chemical."
        ) from None
    except (
        pd.errors.ParserError,
        csv.Error,
        UnicodeDecodeError,
        zipfile.BadZipFile,
        ValueError,
        KeyError,
        OSError,
    ) as exc:
        raise InvalidFileError(
            f"{path.name} could not be read as a table ({type(exc).__name__}); expected a CSV "
            "(UTF-8) or XLSX file with a header row."
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _delimiter(head: bytes) -> str:
    """The delimiter of a delimited text (comma, semicolon, tab or bar); comma if unclear."""
    text = head.decode("utf-8-sig", errors="replace")
    try:
        return csv.Sniffer().sniff(text.splitlines()[0] if text else "", ",;\t|").delimiter
    except csv.Error:
        return ","


def _map_headers(headers: Iterable[object]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for header in headers:
        col = _HEADER_LOOKUP.get(_norm(header))
        if col is not None and col not in mapping.values():
            mapping[str(header)] = col
    return mapping


class _RowParser:
    """Collects the readable values of one row and a message per unreadable one."""

    def __init__(self, row: int, record: dict[str, Any]) -> None:
        self.row = row
        self.record = record
        self.errors: list[str] = []

    def raw(self, col: str, missing: set[str] = _MISSING_VALUE) -> str | None:
        value = self.record.get(col)
        if value is None:
            return None
        text = str(value).strip()
        return None if text.lower() in missing else text

    def _fail(self, col: str, text: str, expected: str) -> None:
        self.errors.append(f"{col} {text!r} in row {self.row}; expected {expected}")

    def number(
        self, col: str, expected: str, check: Callable[[float], bool] = lambda v: True
    ) -> float | None:
        text = self.raw(col)
        if text is None:
            return None
        try:
            value = float(text.rstrip("%").strip())
        except ValueError:
            self._fail(col, text, expected)
            return None
        if value != value or not check(value):
            self._fail(col, text, expected)
            return None
        return value

    def call(self, col: str) -> str | None:
        text = self.raw(col, _MISSING)
        if text is None:
            return None
        try:
            return parse_call(text, col)
        except InvalidInputError:
            self._fail(
                col,
                text,
                "positive/negative (pos/neg, +/-, 1/0, active/inactive, "
                "sensitiser/non-sensitiser), inconclusive or not applicable",
            )
            return None

    def domain(self, col: str) -> bool | None:
        text = self.raw(col)
        if text is None:
            return None
        for verdict, words in _DOMAIN_WORDS.items():
            if text.lower() in words:
                return verdict
        self._fail(col, text, "in/out (yes/no, 1/0, true/false)")
        return None


def _percent(v: float) -> bool:
    return -100.0 <= v <= 100.0


def _parse_row(row: int, record: dict[str, Any], file_name: str) -> DAInputRow:
    p = _RowParser(row, record)
    source = f"{file_name}, row {row}"
    name = p.raw("name") or f"row {row}"
    smiles = p.raw("smiles")
    cys = p.number("dpra_cys", "a percentage 0-100 (negative depletion is read as 0)", _percent)
    lys = p.number("dpra_lys", "a percentage 0-100 (negative depletion is read as 0)", _percent)
    dpra_call = p.call("dpra_call")
    ks_call = p.call("keratinosens_call")
    imax = p.number("keratinosens_imax", "a fold induction >= 0", lambda v: v >= 0)
    hclat_call = p.call("hclat_call")
    cd86 = p.number("hclat_cd86_rfi", "an RFI (%) >= 0", lambda v: v >= 0)
    cd54 = p.number("hclat_cd54_rfi", "an RFI (%) >= 0", lambda v: v >= 0)
    mit_text = p.raw("hclat_mit")
    mit: float | None = None
    if mit_text is not None and mit_text.lower() in ("neg", "negative", "inf", "n"):
        # DASS App convention: a negative h-CLAT has no MIT ("negative" or "Inf").
        hclat_call = hclat_call or NEGATIVE
    else:
        mit = p.number("hclat_mit", "an MIT in ug/mL, > 0 and <= 5000", lambda v: 0 < v <= 5000)
    ins_call = p.call("in_silico_call")
    in_domain = p.domain("in_silico_in_domain")
    tool = p.raw("in_silico_tool")
    if ins_call is not None and tool is None:
        p.errors.append(
            f"in_silico_tool missing in row {row}; expected the tool that made the prediction "
            f"({DEREK_NEXUS}, OECD QSAR Toolbox, or another QSAR)"
        )
    log_kow = p.number("log_kow", "a number (log Kow, e.g. 2.5)", lambda v: -10 <= v <= 20)

    assays: dict[str, Any] = {"dpra": None, "keratinosens": None, "hclat": None, "in_silico": None}
    builders: list[tuple[str, bool, Callable[[], Any]]] = [
        (
            "dpra",
            cys is not None or lys is not None or dpra_call is not None,
            lambda: DPRAResult(cys, lys, dpra_call, "measured", source),
        ),
        (
            "keratinosens",
            ks_call is not None or imax is not None,
            lambda: KeratinoSensResult(ks_call, imax, None, "measured", source),
        ),
        (
            "hclat",
            any(v is not None for v in (hclat_call, cd86, cd54, mit)),
            lambda: HCLATResult(hclat_call, cd86, cd54, mit, "measured", source),
        ),
        (
            "in_silico",
            ins_call is not None,
            lambda: InSilicoResult(
                ins_call,
                tool or "",
                in_domain=in_domain if in_domain is not None else True,
                source=f"{tool} ({source})",
            ),
        ),
    ]
    if not p.errors:
        for key, present, build in builders:
            if present:
                try:
                    assays[key] = build()
                except InvalidInputError as exc:
                    p.errors.append(f"row {row}: {exc.message}")
    if in_domain is not None and ins_call is None and not p.errors:
        p.errors.append(
            f"in_silico_in_domain given without in_silico_call in row {row}; expected the in "
            "silico prediction too"
        )
    status = "error" if p.errors else "ok"
    return DAInputRow(
        row=row,
        name=name,
        smiles=smiles,
        dpra=assays["dpra"],
        keratinosens=assays["keratinosens"],
        hclat=assays["hclat"],
        in_silico=assays["in_silico"],
        log_kow=log_kow,
        status=status,
        message="; ".join(p.errors),
    )


def run_defined_approaches(rows: Iterable[DAInputRow]) -> pd.DataFrame:
    """Both GL497 DAs (2o3 and ITS) per row; a row that cannot run keeps status error."""
    records: list[dict[str, Any]] = []
    for r in rows:
        record: dict[str, Any] = {
            "row": r.row,
            "name": r.name,
            "smiles": r.smiles,
            "status": r.status,
            "message": r.message,
        }
        if r.status == "ok":
            try:
                kow_source = f"input file, row {r.row}"
                two = two_out_of_three(r.dpra, r.keratinosens, r.hclat, r.log_kow, kow_source)
                its = integrated_testing_strategy(
                    r.dpra, r.hclat, r.in_silico, r.log_kow, kow_source
                )
            except InvalidInputError as exc:
                record.update(status="error", message=f"row {r.row}: {exc.message}")
            else:
                record.update(
                    da_2o3_call=two.call,
                    da_2o3_category=two.category,
                    da_2o3_rule=two.rule_fired,
                    da_2o3_not_needed=", ".join(two.not_needed),
                    da_2o3_reason=two.inconclusive_reason,
                    da_its_variant=its.variant,
                    da_its_call=its.call,
                    da_its_category=its.category,
                    da_its_score=its.score,
                    da_its_rule=its.rule_fired,
                    da_its_reason=its.inconclusive_reason,
                    guideline_conformant=two.guideline_conformant and its.guideline_conformant,
                )
        records.append(record)
    columns = [
        "row",
        "name",
        "smiles",
        "status",
        "message",
        "da_2o3_call",
        "da_2o3_category",
        "da_2o3_rule",
        "da_2o3_not_needed",
        "da_2o3_reason",
        "da_its_variant",
        "da_its_call",
        "da_its_category",
        "da_its_score",
        "da_its_rule",
        "da_its_reason",
        "guideline_conformant",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["da_its_score"] = frame["da_its_score"].astype("Int64")
    return frame
