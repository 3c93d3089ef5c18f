"""Ingredient names: EU CosIng (annexes and inventory), Korea MFDS, China IECIC, Japan MHLW.

Every loader returns the ``names`` shape: one row per (name, kind), with the CAS and EC numbers
the source gives for that ingredient and a reference back to the source row.
Kinds: inci, chemical, inn, korean, chinese, japanese, synonym.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from actives.errors import InvalidFileError
from actives.knowledge.identifiers import find_cas_numbers, find_ec_numbers
from actives.knowledge.loaders import NAME_COLUMNS, clean, require_columns


def _rows_to_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=NAME_COLUMNS)
    frame = frame[frame["name"].astype(str).str.strip() != ""]
    return frame.drop_duplicates().reset_index(drop=True)


def _name_rows(
    names: dict[str, str], cas_text: str, ec_text: str, ref: str
) -> Iterable[dict[str, Any]]:
    cas = ";".join(find_cas_numbers(cas_text))
    ec = ";".join(find_ec_numbers(ec_text))
    langs = {"korean": "ko", "chinese": "zh", "japanese": "ja"}
    for kind, name in names.items():
        for part in [name] if kind != "synonym" else name.split(","):
            text = clean(part)
            if text:
                yield {
                    "name": text,
                    "kind": kind,
                    "lang": langs.get(kind, "en"),
                    "cas": cas,
                    "ec": ec,
                    "source_ref": ref,
                }


def _read_cosing_export(path: Path) -> pd.DataFrame:
    """CosIng CSV exports start with a few preamble lines; find the header and read from it."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise InvalidFileError(f"Cannot read CosIng export {path}: {exc.strerror}.") from exc
    lines = text.splitlines(keepends=True)
    header = next(
        (
            i
            for i, line in enumerate(lines[:30])
            if line.lstrip('"').startswith(("Reference Number", "COSING Ref No"))
        ),
        None,
    )
    if header is None:
        raise InvalidFileError(
            f"{path.name} is not a CosIng export: no 'Reference Number' or 'COSING Ref No' header "
            "in its first 30 lines."
        )
    from io import StringIO

    try:
        return pd.read_csv(
            StringIO("".join(lines[header:])), dtype=str, keep_default_na=False, sep=","
        )
    except pd.errors.ParserError as exc:
        raise InvalidFileError(f"CosIng export {path.name} is malformed: {exc}") from exc


def load_cosing_annex(path: Path, annex: str) -> pd.DataFrame:
    """An EU Annex (II-VI) export: chemical name/INN, glossary (INCI) name, CAS, EC."""
    frame = _read_cosing_export(path)
    chemical = next((c for c in frame.columns if c.startswith("Chemical name")), None)
    if chemical is None:
        raise InvalidFileError(f"{path.name}: no 'Chemical name' column.")
    require_columns(frame, ["Reference Number", "CAS Number", "EC Number"], path.name)
    glossary = next((c for c in frame.columns if "Common Ingredients Glossary" in c), None)
    rows: list[dict[str, Any]] = []
    for _, r in frame.iterrows():
        ref = f"EU Annex {annex}/{clean(r['Reference Number'])}"
        names = {"chemical": clean(r[chemical]).replace("\n", " ")}
        if glossary:
            names["inci"] = clean(r[glossary]).replace("\n", " ")
        rows.extend(_name_rows(names, r["CAS Number"], r["EC Number"], ref))
    return _rows_to_frame(rows)


def load_cosing_inventory(path: Path) -> pd.DataFrame:
    """The full CosIng ingredient inventory export (COSING_Ingredients-Fragrance Inventory)."""
    frame = _read_cosing_export(path)
    require_columns(frame, ["COSING Ref No", "INCI name", "CAS No", "EC No"], path.name)
    rows: list[dict[str, Any]] = []
    for _, r in frame.iterrows():
        names = {"inci": clean(r["INCI name"])}
        if "INN name" in frame.columns:
            names["inn"] = clean(r["INN name"])
        ref = f"CosIng {clean(r['COSING Ref No'])}"
        rows.extend(_name_rows(names, r["CAS No"], r["EC No"], ref))
    return _rows_to_frame(rows)


MFDS_DICTIONARY_HEADERS = {
    # official dictionary export (Korean headers) -> our field
    "성분명": "ingredient_kor_name",
    "영문명": "ingredient_eng_name",
    "CAS No": "cas_no",
    "CAS": "cas_no",
    "구명칭": "synonym",
    "이명": "synonym",
}


def _read_records(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            records = []
            with path.open(encoding="utf-8") as fh:
                for number, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise InvalidFileError(
                            f"{path.name} line {number} is not valid JSON: {exc.msg}."
                        ) from exc
            return records
        if suffix in {".xlsx", ".xls"}:
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except OSError as exc:
        raise InvalidFileError(f"Cannot read {path}: {exc.strerror}.") from exc
    frame = frame.rename(columns=MFDS_DICTIONARY_HEADERS)
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def load_mfds_dictionary(path: Path) -> pd.DataFrame:
    """The MFDS/KCIA ingredient dictionary: Korean name, English (INCI) name, CAS, synonyms.

    Reads the staged JSON-lines extract or the official export (CSV/XLSX with Korean headers).
    """
    records = _read_records(path)
    if records and "ingredient_kor_name" not in records[0]:
        raise InvalidFileError(
            f"{path.name}: expected a Korean-name column ('성분명' or 'ingredient_kor_name'); "
            f"found {', '.join(map(str, records[0]))}."
        )
    rows: list[dict[str, Any]] = []
    for number, rec in enumerate(records, start=1):
        names = {
            "korean": clean(rec.get("ingredient_kor_name")),
            "inci": clean(rec.get("ingredient_eng_name")),
            "synonym": clean(rec.get("synonym")),
        }
        rows.extend(_name_rows(names, clean(rec.get("cas_no")), "", f"MFDS dictionary #{number}"))
    frame = _rows_to_frame(rows)
    # MFDS synonyms are Korean names
    frame.loc[frame.kind == "synonym", "lang"] = "ko"
    return frame


def load_mfds_regulated(path: Path) -> pd.DataFrame:
    """Korean names and CAS numbers from the MFDS prohibited/restricted lists (names only here)."""
    rows: list[dict[str, Any]] = []
    for number, rec in enumerate(_read_records(path), start=1):
        names = {"korean": clean(rec.get("ingredient_kor_name"))}
        if clean(rec.get("ingredient_eng_name")):
            names["inci"] = clean(rec.get("ingredient_eng_name"))
        label = clean(rec.get("regulation_type")) or "list"
        rows.extend(_name_rows(names, clean(rec.get("cas_no")), "", f"MFDS {label} #{number}"))
    return _rows_to_frame(rows)


def load_iecic(path: Path) -> pd.DataFrame:
    """China's IECIC 2021 inventory: Chinese name and INCI/English name (no CAS in the source)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InvalidFileError(f"IECIC {path.name} cannot be read: {exc}") from exc
    if len(frame.columns) < 3:
        raise InvalidFileError(
            f"IECIC {path.name}: expected columns 序号, Chinese name, INCI/English name."
        )
    number_col, chinese_col, inci_col = frame.columns[:3]
    rows: list[dict[str, Any]] = []
    for _, r in frame.iterrows():
        names = {"chinese": clean(r[chinese_col]), "inci": clean(r[inci_col])}
        rows.extend(_name_rows(names, "", "", f"IECIC 2021 #{clean(r[number_col])}"))
    return _rows_to_frame(rows)


def load_mhlw_quasi_drug(path: Path) -> pd.DataFrame:
    """Japan's quasi-drug active ingredient list: Japanese, Chinese and INCI names."""
    try:
        raw = pd.read_excel(path, header=None, dtype=str).fillna("")
    except (OSError, ValueError) as exc:
        raise InvalidFileError(f"MHLW list {path.name} cannot be read: {exc}") from exc
    header_row = next(
        (i for i in range(min(10, len(raw))) if "INCI NAME" in [c.strip() for c in raw.iloc[i]]),
        None,
    )
    if header_row is None:
        raise InvalidFileError(f"{path.name}: no 'INCI NAME' header in the first 10 rows.")
    header = [c.strip() for c in raw.iloc[header_row]]
    ja, zh, inci = header.index("日文成分名"), header.index("中文成分名"), header.index("INCI NAME")
    rows: list[dict[str, Any]] = []
    for i in range(header_row + 1, len(raw)):
        r = raw.iloc[i]
        names = {
            "japanese": clean(r.iloc[ja]),
            "chinese": clean(r.iloc[zh]),
            "inci": clean(r.iloc[inci]),
        }
        rows.extend(_name_rows(names, "", "", f"MHLW quasi-drug list row {i + 1}"))
    return _rows_to_frame(rows)
