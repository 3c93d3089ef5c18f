"""Readers for the public skin-sensitisation data sets: NIEHS ICE, SkinSensDB and ECHA/CAAT.

Each reader turns one raw file into the same long shape (:data:`RAW_RECORD_COLUMNS`): one row
per (chemical, endpoint, source measurement), with the endpoint named in the fixed vocabulary of
:mod:`actives.safety.data`. Nothing is standardised here. A cell that says something but cannot
be used (SkinSensDB's ambiguous LLNA EC3 "0", 'IDR', a range) still becomes a row, with an empty
value and call and the reason in ``problem``, so the curation log can count it; empty cells
('', 'ND', 'NAN', '-') are not data and make no row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping
from pathlib import Path

import pandas as pd

from actives.errors import InvalidFileError
from actives.knowledge.identifiers import find_cas_numbers
from actives.knowledge.loaders import clean, require_columns

RAW_RECORD_COLUMNS = [
    "source",  # ice_invitro, ice_invivo, skinsensdb, echa_caat
    "record_id",  # the source's test record (ICE Record_ID groups the rows of one test)
    "smiles_in",  # structure as given (ECHA's cleaned of mojibake)
    "name",
    "cas",  # valid CAS numbers only (check digit), ';'-separated
    "mixture",  # the source marks the row as a mixture / formulation
    "endpoint",  # fixed vocabulary, actives.safety.data.ENDPOINTS
    "value",  # float or NaN
    "relation",  # '=', '>', '<'
    "unit",
    "call",  # 'positive', 'negative' or None
    "category",  # GHS category or SENS-IS potency class, else None
    "reference",
    "raw",  # the cell as the source wrote it
    "problem",  # why the row carries no usable value ('' when it does)
]

POSITIVE, NEGATIVE = "positive", "negative"

# ICE (Assay, Endpoint) -> our endpoint. Pairs not listed (EPA classification, reliability
# scores, incidences, mMUSST, LLNA max SI, ...) become rows with problem "not used".
ICE_ENDPOINTS: dict[tuple[str, str], str] = {
    ("DPRA", "Call"): "dpra_call",
    ("DPRA", "Depletion Cys"): "dpra_cys_depletion",
    ("DPRA", "Depletion Lys"): "dpra_lys_depletion",
    # ICE's "Lys + Cys" is the mean of the two depletions with negatives set to 0 (checked on
    # the file: it equals (max(Cys,0) + max(Lys,0)) / 2 for the records that have all three).
    ("DPRA", "Depletion Lys + Cys"): "dpra_mean_depletion",
    ("KeratinoSens", "Call"): "keratinosens_call",
    ("KeratinoSens", "EC1.5"): "keratinosens_ec15",
    ("KeratinoSens", "Imax"): "keratinosens_imax",
    ("KeratinoSens", "IC50"): "keratinosens_ic50",
    ("LuSens", "Call"): "lusens_call",
    ("LuSens", "EC1.5"): "lusens_ec15",
    ("h-CLAT", "Call"): "hclat_call",
    ("h-CLAT", "CD86, Call"): "hclat_cd86_call",
    ("h-CLAT", "CD54, Call"): "hclat_cd54_call",
    ("h-CLAT", "CD86, EC150"): "hclat_cd86_ec150",
    ("h-CLAT", "CD54, EC200"): "hclat_cd54_ec200",
    ("h-CLAT", "CV75"): "hclat_cv75",
    ("U-SENS", "Call"): "usens_call",
    ("U-SENS", "CD86, EC150"): "usens_cd86_ec150",
    ("U-SENS", "CV70"): "usens_cv70",
    ("SENS-IS", "Potency"): "sensis_potency",
    ("LLNA", "Call"): "llna_call",
    ("LLNA", "EC3"): "llna_ec3",
    ("LLNA", "GHS Classification"): "ghs_category",
    ("Guinea Pig Maximization/Buehler", "Call"): "gpmt_call",
    ("Guinea Pig Maximization/Buehler", "GHS Classification"): "ghs_category",
    ("Other In Vivo Skin Sensitization", "GHS Classification"): "ghs_category",
    ("Human Maximization Test", "Call"): "human_call",
    ("Human Repeat Insult Patch Test", "Call"): "human_call",
    (
        "Human Maximization Test",
        "Induction dose per skin area, 5% incidence of positive responses",
    ): "human_dsa05",
    (
        "Human Repeat Insult Patch Test",
        "Induction dose per skin area, 5% incidence of positive responses",
    ): "human_dsa05",
}
ICE_COLUMNS = ["Record_ID", "Assay", "Endpoint", "Response_Modifier", "Response",
               "Response_Unit", "SMILES", "CASRN", "Chemical_Name", "Mixture", "Reference",
               "Internal_Data_Source"]  # fmt: skip

# Call words of ICE and SkinSensDB.
CALL_WORDS = {
    "active": POSITIVE,
    "inactive": NEGATIVE,
    "sensitizer": POSITIVE,
    "non-sensitizer": NEGATIVE,
    "positive": POSITIVE,
    "negative": NEGATIVE,
    "p": POSITIVE,
    "n": NEGATIVE,
}
# SENS-IS potency classes (ICE wording) and their hazard call.
SENSIS_CLASSES = {
    "extreme": POSITIVE,
    "strong": POSITIVE,
    "moderate": POSITIVE,
    "weak": POSITIVE,
    "non-sensitizer": NEGATIVE,
}
# GHS wording in ICE: "1" (not sub-categorised), "1A", "1B", "Not classified".
GHS_WORDS = {"1": "1", "1a": "1A", "1b": "1B", "not classified": "NC", "nc": "NC"}

SKINSENSDB_COLUMNS = ["Chemical_Name", "CASRN", "DPRA_Cys", "DPRA_Lys",
                      "KeratinoSens_LuSens_EC15", "h-CLAT_U-SENS_EC150", "h-CLAT_EC200",
                      "h-CLAT_CV75", "U-SENS_CV70", "LLNA_EC3", "Human_Data",
                      "Canonical SMILES"]  # fmt: skip
# SkinSensDB column -> (endpoint, unit). Units as in ICE for the same readouts (Wang et al.
# 2017 report EC1.5 in uM, EC150/EC200/CV in ug/mL, EC3 in %).
SKINSENSDB_VALUES = {
    "DPRA_Cys": ("dpra_cys_depletion", "%"),
    "DPRA_Lys": ("dpra_lys_depletion", "%"),
    # One column for KeratinoSens and LuSens: read as KeratinoSens (see the source caveats).
    "KeratinoSens_LuSens_EC15": ("keratinosens_ec15", "uM"),
    "h-CLAT_EC200": ("hclat_cd54_ec200", "ug/mL"),
    "h-CLAT_CV75": ("hclat_cv75", "ug/mL"),
    "U-SENS_CV70": ("usens_cv70", "ug/mL"),
    "LLNA_EC3": ("llna_ec3", "%"),
}
# Cells that mean "no data" in SkinSensDB.
EMPTY_CELLS = {"", "nan", "nd", "-", "na", "n/a", "none", "null"}

ECHA_COLUMNS = ["InChIKey", "DATATYPE", "VALUE", "H317", "smiles"]
# Mojibake seen in the ECHA/CAAT SMILES: a UTF-8 no-break space decoded twice as cp1252
# ("Ã‚Â\xa0"), plus ordinary padding. SMILES are ASCII, so these characters are removed; any
# other non-ASCII character is left for the parser to refuse (and the row is counted).
_MOJIBAKE = re.compile("[\\s\u00a0\u00c2\u00c3\u201a]+")

_NUMBER = re.compile(
    r"^(?P<rel><<|<=|>=|<|>|≤|≥)?\s*(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*%?$"
)
_RANGE = re.compile(r"^[-+]?\d*\.?\d+\s*(?:-|to)\s*\d*\.?\d+$")


def read_table(path: Path, what: str) -> pd.DataFrame:
    """A CSV as strings; an unreadable or empty file is an InvalidFileError naming it."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding_errors="replace")
    except pd.errors.EmptyDataError as exc:
        raise InvalidFileError(f"{what} {path}: the file is empty; expected a CSV table.") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InvalidFileError(f"{what} {path} cannot be read as CSV: {exc}") from exc


def parse_number(text: str) -> tuple[float, str] | None:
    """'12.5', '>2000', '> 2000', '<=0.98', '<<1', '5%' -> (value, relation); else None."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    value = float(match.group("num"))
    if not math.isfinite(value):
        return None
    rel = match.group("rel") or "="
    return value, ">" if rel in {">", ">=", "≥"} else "<" if rel.startswith(("<", "≤")) else "="


def clean_echa_smiles(text: str) -> str:
    """An ECHA/CAAT SMILES without padding and the double-encoded no-break spaces."""
    return _MOJIBAKE.sub("", text)


def _row(
    source: str,
    record_id: str,
    smiles: str,
    name: str,
    cas: str,
    mixture: bool,
    endpoint: str,
    raw: str,
    reference: str,
    *,
    value: float = math.nan,
    relation: str = "=",
    unit: str = "",
    call: str | None = None,
    category: str | None = None,
    problem: str = "",
) -> dict[str, object]:
    return {
        "source": source,
        "record_id": record_id,
        "smiles_in": smiles,
        "name": name,
        "cas": cas,
        "mixture": mixture,
        "endpoint": endpoint,
        "value": value,
        "relation": relation,
        "unit": unit,
        "call": call,
        "category": category,
        "reference": reference,
        "raw": raw,
        "problem": problem,
    }


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=RAW_RECORD_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame["mixture"] = frame["mixture"].astype(bool)
    return frame


def _cas(text: str) -> str:
    return ";".join(find_cas_numbers(text))


def load_ice(path: Path, source: str) -> pd.DataFrame:
    """An ICE skin-sensitisation sheet (in vitro or in vivo) in long format.

    Reads the harmonised ``Response`` with ``Response_Modifier`` and ``Response_Unit``. A
    'range' modifier ("59.82 - 119.64") is not a point value: its row keeps the text in ``raw``
    and is counted, not used.
    """
    frame = read_table(path, "ICE sheet")
    require_columns(frame, ICE_COLUMNS, f"ICE sheet {path.name}")
    rows = []
    for rec in frame[ICE_COLUMNS].itertuples(index=False, name=None):
        record_id, assay, endpoint_text, modifier, response, unit, smiles = rec[:7]
        cas_text, name, mixture_text, reference, data_source = rec[7:]
        endpoint = ICE_ENDPOINTS.get((assay.strip(), endpoint_text.strip()))
        common = (
            source,
            clean(record_id),
            clean(smiles),
            clean(name),
            _cas(cas_text),
            clean(mixture_text).lower() == "mixture",
        )
        ref = "; ".join(t for t in (clean(reference), clean(data_source)) if t)
        text = clean(response)
        if endpoint is None:
            rows.append(
                _row(
                    *common,
                    f"{assay}: {endpoint_text}",
                    text,
                    ref,
                    problem=f"not used: {assay} / {endpoint_text}",
                )
            )
            continue
        if not text:
            continue
        if endpoint == "sensis_potency":
            call = SENSIS_CLASSES.get(text.lower())
            problem = "" if call else f"unknown SENS-IS class {text!r}"
            rows.append(
                _row(
                    *common,
                    endpoint,
                    text,
                    ref,
                    call=call,
                    category=text.capitalize() if call else None,
                    problem=problem,
                )
            )
        elif endpoint == "ghs_category":
            category = GHS_WORDS.get(text.lower())
            call = None if category is None else NEGATIVE if category == "NC" else POSITIVE
            problem = "" if category else f"unknown GHS category {text!r}"
            rows.append(
                _row(*common, endpoint, text, ref, call=call, category=category, problem=problem)
            )
        elif endpoint.endswith("_call"):
            call = CALL_WORDS.get(text.lower())
            problem = "" if call else f"unknown call {text!r}"
            rows.append(_row(*common, endpoint, text, ref, call=call, problem=problem))
        else:
            mod = clean(modifier).lower()
            parsed = parse_number(text)
            if mod == "range" or _RANGE.match(text):
                rows.append(
                    _row(
                        *common,
                        endpoint,
                        text,
                        ref,
                        unit=clean(unit),
                        problem="a range, not a value",
                    )
                )
            elif parsed is None:
                rows.append(
                    _row(
                        *common,
                        endpoint,
                        text,
                        ref,
                        unit=clean(unit),
                        problem=f"not a number: {text!r}",
                    )
                )
            else:
                value, relation = parsed
                if mod in {">", "<"}:
                    relation = mod
                rows.append(
                    _row(
                        *common,
                        endpoint,
                        text,
                        ref,
                        value=value,
                        relation=relation,
                        unit=clean(unit),
                    )
                )
    return _frame(rows)


def load_ice_invitro(path: Path) -> pd.DataFrame:
    """ICE in vitro sheet (DPRA, KeratinoSens, LuSens, h-CLAT, U-SENS, SENS-IS)."""
    return load_ice(path, "ice_invitro")


def load_ice_invivo(path: Path) -> pd.DataFrame:
    """ICE in vivo sheet (LLNA, guinea pig, human HMT and HRIPT)."""
    return load_ice(path, "ice_invivo")


def _skinsensdb_ec150(row: Mapping[Hashable, str]) -> str | None:
    """Which assay SkinSensDB's shared 'h-CLAT_U-SENS_EC150' column holds on this row.

    h-CLAT when the row has h-CLAT readouts (EC200, CV75) and no U-SENS CV70; U-SENS when it has
    a U-SENS CV70 and no h-CLAT readout; otherwise it cannot be told (None).
    """
    hclat = any(clean(row[c]).lower() not in EMPTY_CELLS for c in ("h-CLAT_EC200", "h-CLAT_CV75"))
    usens = clean(row["U-SENS_CV70"]).lower() not in EMPTY_CELLS
    if hclat and not usens:
        return "hclat_cd86_ec150"
    if usens and not hclat:
        return "usens_cd86_ec150"
    return None


def load_skinsensdb(path: Path) -> pd.DataFrame:
    """SkinSensDB (Wang et al. 2017), one row per chemical, wide: values per assay column.

    Caveats handled (SOURCES-safety-reg-qpcr.md): ``LLNA_EC3`` "0" stands for non-sensitisers
    *and* for strong sensitisers, so it is never read as a number; 'IDR' and other words are
    not numbers; 'NC' in ``LLNA_EC3`` is read as an LLNA-negative call ("not classified");
    malformed CAS numbers (dates) fail the check digit and are dropped.
    """
    source = "skinsensdb"
    frame = read_table(path, "SkinSensDB table")
    require_columns(frame, SKINSENSDB_COLUMNS, f"SkinSensDB table {path.name}")
    reference = "SkinSensDB (Wang et al., J Cheminform 2017)"
    rows: list[dict[str, object]] = []
    for number, row in enumerate(frame[SKINSENSDB_COLUMNS].to_dict("records"), start=1):
        common = (
            source,
            f"{source}:{number}",
            clean(row["Canonical SMILES"]),
            clean(row["Chemical_Name"]),
            _cas(row["CASRN"]),
            False,
        )
        cells: list[tuple[str, str, str]] = [
            (column, endpoint, unit) for column, (endpoint, unit) in SKINSENSDB_VALUES.items()
        ]
        ec150 = _skinsensdb_ec150(row)
        cells.append(("h-CLAT_U-SENS_EC150", ec150 or "hclat_or_usens_ec150", "ug/mL"))
        for column, endpoint, unit in cells:
            text = clean(row[column])
            if text.lower() in EMPTY_CELLS:
                continue
            if column == "h-CLAT_U-SENS_EC150" and ec150 is None:
                rows.append(
                    _row(
                        *common,
                        endpoint,
                        text,
                        reference,
                        unit=unit,
                        problem="EC150 of h-CLAT or U-SENS: cannot tell which",
                    )
                )
                continue
            if column == "LLNA_EC3":
                word = text.lower()
                if word in {"nc", "positive"}:
                    call = NEGATIVE if word == "nc" else POSITIVE
                    rows.append(_row(*common, "llna_call", text, reference, call=call))
                    continue
                if text == "0":
                    rows.append(
                        _row(
                            *common,
                            endpoint,
                            text,
                            reference,
                            unit=unit,
                            problem="LLNA_EC3 '0' (non- or strong sensitiser)",
                        )
                    )
                    continue
            parsed = parse_number(text)
            if _RANGE.match(text):
                problem = "a range, not a value"
            elif parsed is None:
                problem = f"not a number: {text!r}"
            elif column in {"LLNA_EC3"} and parsed[0] <= 0:
                problem = f"not a positive EC3: {text!r}"
            else:
                problem = ""
            if problem or parsed is None:
                rows.append(_row(*common, endpoint, text, reference, unit=unit, problem=problem))
            else:
                rows.append(
                    _row(
                        *common,
                        endpoint,
                        text,
                        reference,
                        value=parsed[0],
                        relation=parsed[1],
                        unit=unit,
                    )
                )
        human = clean(row["Human_Data"])
        if human.lower() not in EMPTY_CELLS:
            human_call = CALL_WORDS.get(human.lower())
            rows.append(
                _row(
                    *common,
                    "human_call",
                    human,
                    reference,
                    call=human_call,
                    problem="" if human_call else f"unknown call {human!r}",
                )
            )
    return _frame(rows)


def load_echa_caat(path: Path) -> pd.DataFrame:
    """ECHA/CAAT 'Total Data' (Ukaegbu et al.): binary label VALUE and the CLP H317 flag.

    SMILES are cleaned of padding and mojibake and the structure is re-keyed later; the padded
    InChIKey column is not used as the identity. ``DATATYPE`` (in vivo, in vitro, ...) goes into
    the reference.
    """
    source = "echa_caat"
    frame = read_table(path, "ECHA/CAAT table")
    require_columns(frame, ECHA_COLUMNS, f"ECHA/CAAT table {path.name}")
    names = frame["IUPAC NAME"] if "IUPAC NAME" in frame.columns else pd.Series("", frame.index)
    ids = frame["Unnamed: 0"] if "Unnamed: 0" in frame.columns else None
    rows: list[dict[str, object]] = []
    for number, (smiles, value, h317, datatype, name) in enumerate(
        zip(frame["smiles"], frame["VALUE"], frame["H317"], frame["DATATYPE"], names, strict=True),
        start=1,
    ):
        record = f"{source}:{clean(ids.iloc[number - 1]) if ids is not None else number}"
        common = (source, record, clean_echa_smiles(smiles), clean(name), "", False)
        kind = clean(datatype).lower()
        reference = f"ECHA dossiers via CAAT (Ukaegbu et al.); data type {kind or 'not given'}"
        for endpoint, text in (("echa_call", clean(value)), ("echa_h317", clean(h317))):
            if text == "":
                continue
            call = {"1": POSITIVE, "0": NEGATIVE}.get(text)
            rows.append(
                _row(
                    *common,
                    endpoint,
                    text,
                    reference,
                    call=call,
                    problem="" if call else f"unknown label {text!r}",
                )
            )
    return _frame(rows)
