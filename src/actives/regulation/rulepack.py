"""Rule packs: the markets' ingredient lists as rules, built into the data pack and read back.

Build side: one loader per raw list (registered as sources of kind ``regulation`` in
:mod:`actives.knowledge.sources`) returns :class:`~actives.regulation.rules.Rule` objects;
:func:`build_rule_tables` turns them into the pack's ``rules`` and ``rule_conditions`` tables and
a report (rules, parsed and unparsed per list, the commonest reasons) for the manifest. Korea's
functional-cosmetic ingredients come from the curated table shipped in
``actives/resources/regulation/kr_functional_ingredients.csv``.

Read side: :class:`RulePack` loads the tables of a :class:`~actives.knowledge.pack.DataPack` once
and indexes the rules by CAS, EC and normalised name, so :meth:`RulePack.rules_for` is a few
dictionary look-ups.
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import pyarrow as pa

from actives.errors import InvalidFileError, NotFoundError
from actives.knowledge.identifiers import find_cas_numbers, find_ec_numbers, normalize_name
from actives.knowledge.loaders import clean
from actives.knowledge.loaders.names import _read_cosing_export, _read_records
from actives.progress import Progress, silent_progress
from actives.regulation.limits import (
    ParseResult,
    clean_text,
    parse_columns,
    parse_korean,
    parse_threshold,
    to_number,
)
from actives.regulation.markets import (
    ASEAN_DIRECTIVE,
    CA_HOTLIST,
    CN_IECIC,
    EU_REGULATION,
    JP_QUASI_DRUG,
    KR_ALLERGEN_GUIDE,
    KR_FUNCTIONAL,
    KR_SAFETY_STANDARD,
    MARKETS,
    Market,
    market,
    rule_list,
)
from actives.regulation.rules import Citation, Condition, Rule, RuleKind, SubstanceKeys

if TYPE_CHECKING:
    from actives.knowledge.pack import DataPack

REBUILD = "rebuild it with `actives data build`"
RULE_COLUMNS = [
    "rule_id", "market", "kind", "list_id", "inci", "chemical", "korean", "chinese", "japanese",
    "cas", "ec", "original_text", "parsed", "unparsed_reason", "regulation", "list_name",
    "entry", "notice", "date", "source_file",
]  # fmt: skip
CONDITION_COLUMNS = [
    "rule_id", "position", "product_scope", "excluded_scope", "otherwise", "max_percent",
    "min_percent", "expressed_as", "sum_rule", "label_above_percent", "children_under_years",
    "label_warning", "other", "text",
]  # fmt: skip
FUNCTIONAL_TABLE = "regulation/kr_functional_ingredients.csv"


def _frame(rules: Iterable[Rule], skipped: Iterable[str] = ()) -> pd.DataFrame:
    """A loader's output: one row per rule (``rule``) or skipped source row (``skipped``)."""
    rows: list[dict[str, Any]] = [{"rule": r, "skipped": ""} for r in rules]
    rows += [{"rule": None, "skipped": reason} for reason in skipped]
    return pd.DataFrame(rows, columns=["rule", "skipped"])


def _source_file(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _rule(
    rule_id: str,
    list_id: str,
    citation: Citation,
    parsed: ParseResult | None = None,
    *,
    kind: RuleKind | None = None,
    original_text: str = "",
    names: Mapping[str, tuple[str, ...]] | None = None,
    **more_names: tuple[str, ...],
) -> Rule:
    """A rule of a registered list; names by kind (inci, chemical, korean, chinese, japanese)
    and numbers (cas, ec) come as ``names`` and/or keywords."""
    listed = rule_list(list_id)
    found = {**(names or {}), **more_names}
    unknown = set(found) - {"inci", "chemical", "korean", "chinese", "japanese", "cas", "ec"}
    if unknown:
        raise ValueError(f"unknown name kind(s) {sorted(unknown)}")
    return Rule(
        rule_id=rule_id,
        market=listed.market,
        kind=kind or listed.kind,
        list_id=list_id,
        citation=citation,
        inci=found.get("inci", ()),
        chemical=found.get("chemical", ()),
        korean=found.get("korean", ()),
        chinese=found.get("chinese", ()),
        japanese=found.get("japanese", ()),
        cas=found.get("cas", ()),
        ec=found.get("ec", ()),
        conditions=parsed.conditions if parsed else (),
        original_text=original_text,
        parsed=parsed.parsed if parsed else True,
        unparsed_reason=parsed.reason if parsed else "",
    )


def _names(*values: str, split: str | None = None) -> tuple[str, ...]:
    """Distinct non-empty names, each on one line; ``split`` is a separator regex."""
    out: list[str] = []
    for value in values:
        text = clean(value)
        parts = re.split(split, text) if split and text else [text]
        for part in parts:
            name = " ".join(part.split()).strip(" ;,")
            if name and name not in out:
                out.append(name)
    return tuple(out)


# -- EU: CosIng exports of Annexes II-VI -------------------------------------------------------

_ANNEX = re.compile(r"Annex_(VI|V|IV|III|II)(?![IVX])", re.IGNORECASE)
_INCI_SPLIT = r"\s+/\s+|;|,(?!\d)"


_CONDITION_COLUMNS = (
    "Product Type, body parts",
    "Maximum concentration in ready for use preparation",
    "Other",
    "Wording of conditions of use and warnings",
)
_CONDITION_LABELS = (
    "Product type, body parts",
    "Maximum concentration in ready for use preparation",
    "Other",
    "Wording of conditions of use and warnings",
)


def _shifted_annex_iv(frame: pd.DataFrame) -> bool:
    """Whether an Annex IV export has its condition cells one column right of their headers:
    no product type anywhere, and no percentage under "Maximum concentration"."""
    if not set(_CONDITION_COLUMNS) <= set(frame.columns):
        return False
    product = frame[_CONDITION_COLUMNS[0]].map(clean)
    maximum = frame[_CONDITION_COLUMNS[1]].map(clean)
    return bool((product == "").all() and not maximum.str.contains("%").any())


def load_eu_annex(path: Path) -> pd.DataFrame:
    """Rules of one EU Annex (II-VI) from its CosIng export."""
    found = _ANNEX.search(path.name)
    if not found:
        raise InvalidFileError(f"{path.name}: expected COSING_Annex_<II..VI> in the file name.")
    annex = found.group(1).upper()
    list_id = f"EU-{annex}"
    frame = _read_cosing_export(path)
    chemical_col = next((c for c in frame.columns if c.startswith("Chemical name")), None)
    if chemical_col is None or "Reference Number" not in frame.columns:
        raise InvalidFileError(
            f"{path.name}: expected 'Reference Number' and 'Chemical name' columns; found "
            f"{', '.join(map(str, frame.columns))}."
        )
    glossary = next((c for c in frame.columns if "Common Ingredients Glossary" in c), None)
    identified = next((c for c in frame.columns if c.startswith("Identified INGREDIENTS")), None)
    rules: list[Rule] = []
    skipped: list[str] = []
    shifted = annex == "IV" and _shifted_annex_iv(frame)
    for _, row in frame.iterrows():
        ref = clean(row["Reference Number"]).replace(" ", "")
        chemical = clean(row[chemical_col])
        if not ref or chemical.lower().startswith(("moved or deleted", "deleted")):
            skipped.append(f"{list_id}/{ref or '?'}: moved or deleted entry")
            continue
        regulation = clean(row.get("Regulation", ""))
        citation = Citation(
            EU_REGULATION,
            f"Annex {annex}",
            ref,
            "" if regulation in {"", "(EC) 2009/1223"} else f"as amended by {regulation}",
            clean(row.get("Update Date", "")),
            _source_file(path),
        )
        names: dict[str, tuple[str, ...]] = {
            "chemical": _names(chemical),
            "inci": _names(
                clean(row[glossary]) if glossary else "",
                clean(row[identified]) if identified else "",
                split=_INCI_SPLIT,
            ),
            "cas": tuple(find_cas_numbers(clean(row.get("CAS Number", "")))),
            "ec": tuple(find_ec_numbers(clean(row.get("EC Number", "")))),
        }
        if annex == "II":
            rules.append(
                _rule(
                    f"{list_id}/{ref}",
                    list_id,
                    citation,
                    original_text=" ".join(chemical.split()),
                    names=names,
                )
            )
            continue
        cells = [clean(row.get(c, "")) for c in _CONDITION_COLUMNS]
        if shifted:
            # The Annex IV export puts each condition one column to the right of its header
            # (field of application under "Maximum concentration", the maximum under "Other",
            # other conditions under "Wording ..."; "Product type" is empty in every row).
            cells = [cells[1], cells[2], cells[3], ""]
        columns = dict(zip(_CONDITION_LABELS, cells, strict=True))
        parsed = parse_columns(*columns.values())
        kind: RuleKind | None = None
        if parsed.conditions and all(
            c.label_above_percent is not None and c.max_percent is None for c in parsed.conditions
        ):
            kind = "allergen"
        original = "\n".join(f"{k}: {v}" for k, v in columns.items() if v)
        rules.append(
            _rule(
                f"{list_id}/{ref}",
                list_id,
                citation,
                parsed,
                kind=kind,
                original_text=original,
                names=names,
            )
        )
    return _frame(rules, skipped)


# -- Korea: MFDS 화장품 안전기준 별표 1 and 2, allergens -------------------------------------------

_KR_KINDS: dict[str, RuleKind] = {
    "preservative": "preservative",
    "uv_filter": "uv_filter",
    "hair_dye": "restricted",
    "restricted_other": "restricted",
}


def _kr_citation(record: Mapping[str, Any], list_name: str, path: Path) -> Citation:
    notice = clean(record.get("notice_number"))
    table = clean(record.get("source_table"))
    row = f"row {clean(record.get('source_row'))}"
    return Citation(
        KR_SAFETY_STANDARD,
        list_name,
        f"table {table}, {row}" if table else row,
        f"MFDS notice {notice}" if notice else "",
        clean(record.get("notice_date")),
        _source_file(path),
    )


def load_kr_prohibited(path: Path) -> pd.DataFrame:
    """Korea's 별표 1 (ingredients that may not be used): Korean names and CAS numbers."""
    rules = []
    for number, record in enumerate(_read_records(path), start=1):
        korean = _names(
            clean(record.get("ingredient_kor_name")), clean(record.get("chemical_name"))
        )
        rules.append(
            _rule(
                f"KR-1/{number}",
                "KR-1",
                _kr_citation(record, "별표 1", path),
                original_text=clean(record.get("use_conditions")) or "화장품에 사용할 수 없음",
                korean=korean,
                inci=_names(clean(record.get("ingredient_eng_name"))),
                cas=tuple(find_cas_numbers(clean(record.get("cas_no")))),
            )
        )
    return _frame(rules)


def load_kr_restricted(path: Path) -> pd.DataFrame:
    """Korea's 별표 2 (restricted: preservatives, UV filters, hair dyes, others) with parsed
    limits and use conditions."""
    rules = []
    for number, record in enumerate(_read_records(path), start=1):
        category = clean(record.get("category"))
        kind = _KR_KINDS.get(category)
        if kind is None:
            raise InvalidFileError(
                f"{path.name} line {number}: category {category!r}; expected one of "
                f"{', '.join(_KR_KINDS)}."
            )
        limit = clean(record.get("max_concentration"))
        conditions = clean(record.get("use_conditions"))
        parsed = parse_korean(limit, conditions)
        if not limit and not conditions:
            parsed = ParseResult(problems=("no limit or condition in the source row",))
        original = "\n".join(
            f"{k}: {v}" for k, v in (("사용한도", limit), ("사용조건", conditions)) if v
        )
        warning = clean(record.get("warning_text"))
        if warning:
            original += f"\n주의: {warning}"
        rules.append(
            _rule(
                f"KR-2/{number}",
                "KR-2",
                _kr_citation(record, "별표 2", path),
                parsed,
                kind=kind,
                original_text=original,
                korean=_names(
                    clean(record.get("ingredient_kor_name")), clean(record.get("chemical_name"))
                ),
                inci=_names(clean(record.get("ingredient_eng_name"))),
                cas=tuple(find_cas_numbers(clean(record.get("cas_no")))),
            )
        )
    return _frame(rules)


def load_kr_allergens(path: Path) -> pd.DataFrame:
    """Korea's 25 fragrance allergens: declare above 0.001 % (leave-on), 0.01 % (rinse-off)."""
    rules = []
    for number, record in enumerate(_read_records(path), start=1):
        conditions = []
        problems = []
        for field_name, tag in (
            ("leave_on_threshold", "leave_on"),
            ("rinse_off_threshold", "rinse_off"),
        ):
            text = clean(record.get(field_name))
            value = parse_threshold(text)
            if value is None:
                problems.append(f"{field_name} {text!r} has no percentage")
                continue
            conditions.append(
                Condition(product_scope=frozenset({tag}), label_above_percent=value, text=text)
            )
        cas_values = record.get("cas_numbers") or []
        citation = Citation(
            KR_ALLERGEN_GUIDE,
            clean(record.get("source_section")) or "별표 2",
            f"row {clean(record.get('source_row')) or number}",
            clean(record.get("source_document_version")),
            clean(record.get("source_document_date")),
            _source_file(path),
        )
        rules.append(
            _rule(
                f"KR-allergens/{number}",
                "KR-allergens",
                citation,
                ParseResult(tuple(conditions), tuple(problems)),
                original_text=(
                    f"사용 후 씻어내지 않는 제품: {clean(record.get('leave_on_threshold'))}; "
                    f"사용 후 씻어내는 제품: {clean(record.get('rinse_off_threshold'))}"
                ),
                korean=_names(
                    clean(record.get("ingredient_kor_name")), *map(str, record.get("aliases") or [])
                ),
                inci=_names(
                    clean(record.get("inci_name")), clean(record.get("ingredient_eng_name"))
                ),
                cas=tuple(n for v in cas_values for n in find_cas_numbers(str(v))),
            )
        )
    return _frame(rules)


def _functional_rows() -> tuple[pd.DataFrame, str]:
    resource = resources.files("actives.resources").joinpath(FUNCTIONAL_TABLE)
    data = resource.read_bytes()
    frame = pd.read_csv(resource.open("r", encoding="utf-8"), dtype=str, keep_default_na=False)
    return frame, hashlib.sha256(data).hexdigest()


def kr_functional_rules(uv_filters: Iterable[Rule] = ()) -> list[Rule]:
    """Korea's notified functional-cosmetic ingredients: the curated whitening and
    anti-wrinkle table, plus the UV filters of 별표 2 (``uv_filters``) with their maxima."""
    frame, _digest = _functional_rows()
    rules: list[Rule] = []
    for number, row in enumerate(frame.to_dict("records"), start=1):
        low, high, amount = clean(row["min_percent"]), clean(row["max_percent"]), row["amount_text"]
        condition = Condition(
            min_percent=to_number(low) if low else None,
            max_percent=to_number(high) if high else None,
            other="; ".join(p for p in (clean(amount), f"function: {row['function']}") if p),
            text=f"{row['name_ko']} {amount or (f'{low}~{high}%' if low != high else f'{high}%')}",
        )
        verified = "" if clean(row["verified"]).lower() == "yes" else "not verified offline"
        citation = Citation(
            clean(row["regulation"]) or KR_FUNCTIONAL,
            clean(row["list_name"]),
            f"{row['function']}: {row['name_ko']}",
            verified,
            "",
            f"resources/{FUNCTIONAL_TABLE}",
        )
        rules.append(
            _rule(
                f"KR-functional/{number}",
                "KR-functional",
                citation,
                ParseResult((condition,)),
                original_text=f"{row['name_ko']} {condition.text}; {row['note']}".strip("; "),
                inci=_names(row["inci"]),
                korean=_names(row["name_ko"]),
                cas=tuple(find_cas_numbers(row["cas"])),
            )
        )
    for uv in uv_filters:
        rules.append(
            Rule(
                rule_id=f"KR-functional/uv-{uv.rule_id.split('/')[-1]}",
                market="KR",
                kind="functional_active",
                list_id="KR-functional",
                citation=Citation(
                    uv.citation.regulation,
                    f"{uv.citation.list_name} (자외선 차단성분)",
                    uv.citation.entry,
                    "UV filters of functional cosmetics: the maxima of 별표 2 (the functional "
                    "notice's own UV table not verified offline)",
                    uv.citation.date,
                    uv.citation.source_file,
                ),
                inci=uv.inci,
                korean=uv.korean,
                cas=uv.cas,
                conditions=tuple(
                    Condition(
                        **{
                            **c.__dict__,
                            "other": "; ".join(p for p in (c.other, "function: uv") if p),
                        }
                    )
                    for c in uv.conditions
                ),
                original_text=uv.original_text,
                parsed=uv.parsed,
                unparsed_reason=uv.unparsed_reason,
            )
        )
    return rules


# -- China: IECIC 2021 ---------------------------------------------------------------------------

_STSC_PROHIBITED = "《化妆品安全技术规范》禁用组分"


def load_cn_iecic(path: Path) -> pd.DataFrame:
    """China's IECIC 2021: one inventory rule per entry (Chinese and INCI names); entries the
    IECIC remarks as prohibited by the STSC also give a prohibited rule."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InvalidFileError(f"IECIC {path.name} cannot be read: {exc}") from exc
    if len(frame.columns) < 6:
        raise InvalidFileError(
            f"IECIC {path.name}: expected 6 columns (序号, 中文名称, INCI名称/英文名称, rinse-off, "
            f"leave-on, 备注); found {len(frame.columns)}."
        )
    number_col, chinese_col, inci_col, rinse_col, leave_col, remark_col = frame.columns[:6]
    rules: list[Rule] = []
    for row in frame.to_dict("records"):
        number = clean(row[number_col])
        remark = clean(row[remark_col])
        history = [
            f"{label} {clean(row[col])} %"
            for label, col in (
                ("淋洗类最高历史使用量", rinse_col),
                ("驻留类最高历史使用量", leave_col),
            )
            if clean(row[col]) and clean(row[col]) != "/"
        ]
        original = "; ".join([*history, *([f"备注: {remark}"] if remark else [])])
        conditions: tuple[Condition, ...] = ()
        if remark:
            conditions = (Condition(other=remark, text=remark),)
        names = {"chinese": _names(row[chinese_col]), "inci": _names(row[inci_col])}
        citation = Citation(CN_IECIC, "IECIC 2021", number, "", "", _source_file(path))
        rules.append(
            _rule(
                f"CN-IECIC/{number}",
                "CN-IECIC",
                citation,
                ParseResult(conditions),
                original_text=original,
                names=names,
            )
        )
        if remark == _STSC_PROHIBITED:
            rules.append(
                _rule(
                    f"CN-IECIC-prohibited/{number}",
                    "CN-IECIC-prohibited",
                    Citation(CN_IECIC, "IECIC 2021 remark", number, remark, "", _source_file(path)),
                    original_text=remark,
                    names=names,
                )
            )
    return _frame(rules)


# -- ASEAN: Annex II ---------------------------------------------------------------------------


def load_asean_annex_ii(path: Path) -> pd.DataFrame:
    """ASEAN Cosmetic Directive Annex II (prohibited), as machine-parsed from the PDF."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidFileError(f"ASEAN {path.name} cannot be read as JSON: {exc}") from exc
    clauses = data.get("clauses") if isinstance(data, dict) else None
    if not isinstance(clauses, list):
        raise InvalidFileError(f"ASEAN {path.name}: expected an object with a 'clauses' list.")
    version, published = clean(data.get("version")), clean(data.get("published_at"))
    rules: list[Rule] = []
    skipped: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for number, clause in enumerate(clauses, start=1):
        if clean(clause.get("annex")) != "II":
            skipped.append(f"clause {number}: annex {clause.get('annex')!r} is not Annex II")
            continue
        name = clean(clause.get("inci")) or clean(clause.get("substance_name"))
        cas_text = clean(clause.get("cas"))
        entry = re.sub(r"^.*Entry\s*", "", clean(clause.get("source_ref"))).strip()
        key = (name, cas_text, entry)
        if key in seen:
            skipped.append(f"clause {number}: duplicate of an earlier clause")
            continue
        seen.add(key)
        parsed = ParseResult()
        if not entry:
            parsed = ParseResult(
                problems=(
                    "no entry number in the PDF extraction: the name may be a fragment "
                    "of a longer entry",
                )
            )
        citation = Citation(
            ASEAN_DIRECTIVE,
            "Annex II",
            entry,
            f"release {version}" if version else "",
            published,
            _source_file(path),
        )
        rules.append(
            _rule(
                f"ASEAN-II/{entry or f'clause-{number}'}",
                "ASEAN-II",
                citation,
                parsed,
                original_text=name,
                chemical=_names(name),
                cas=tuple(find_cas_numbers(cas_text)),
            )
        )
    return _frame(rules, skipped)


# -- Japan: quasi-drug actives ---------------------------------------------------------------------

# Words of the product-type cell (Japanese, Chinese or English) -> tags of the quasi-drug
# product category: shampoo, hair conditioner, toner, lotion/cream/oil, shaving products,
# sunscreen, mask (rinse-off masks included), medicated soap and facial cleanser.
_JP_TYPES: tuple[tuple[str, frozenset[str]], ...] = (
    ("shampoo|洗髮|シャンプー", frozenset({"shampoo"})),
    ("hair conditioner|護髮|リンス", frozenset({"hair"})),
    ("toner|化妝水|化粧水", frozenset({"leave_on"})),
    ("lotion|cream|乳液", frozenset({"leave_on"})),
    ("shaving|刮鬍|ひげそり", frozenset({"shaving"})),
    ("suncream|防曬|日やけ止め", frozenset({"sunscreen"})),
    ("mask|面膜|パック", frozenset({"mask"})),
    ("soap|facial cleanser|藥皂|薬用石けん|洗顔", frozenset({"cleansing"})),
)
_JP_VALUE = re.compile(r"^(\d+(?:\.\d+)?)(?:\s*~\s*(\d+(?:\.\d+)?))?\s*%?$")


def _jp_range(text: str, scope: frozenset[str], code: str) -> tuple[list[Condition], list[str]]:
    lines = clean_text(text).split("\n")
    conditions: list[Condition] = []
    problems: list[str] = []
    for i, line in enumerate(lines):
        value = line.strip().strip("()（）").replace("~", "~")
        lip = i > 0 and line.strip().startswith(("(", "（"))
        if "*" in value:
            problems.append(f"footnote (*) on {line!r} not parsed (see 備考)")
            continue
        found = _JP_VALUE.match(value.replace(" ", ""))
        if not found:
            problems.append(f"range {line!r} not in %")
            continue
        low, high = found.group(1), found.group(2) or found.group(1)
        conditions.append(
            Condition(
                product_scope=scope | ({"lip"} if lip else set()),
                min_percent=float(low),
                max_percent=float(high),
                other=f"規格コード {code}" + ("; lip-only products" if lip else ""),
                text=line,
            )
        )
    return conditions, problems


def load_jp_quasi_drug(path: Path) -> pd.DataFrame:
    """Japan's list of active ingredients of quasi-drug cosmetics with concentration ranges."""
    try:
        raw = pd.read_excel(path, header=None, dtype=str).fillna("")
    except (OSError, ValueError) as exc:
        raise InvalidFileError(f"MHLW list {path.name} cannot be read: {exc}") from exc
    header_row = next(
        (i for i in range(min(10, len(raw))) if "INCI NAME" in [c.strip() for c in raw.iloc[i]]),
        None,
    )
    if header_row is None or header_row + 1 >= len(raw):
        raise InvalidFileError(f"{path.name}: no 'INCI NAME' header in the first 10 rows.")
    header = [c.strip() for c in raw.iloc[header_row]]
    type_col = header.index("薬用化粧品の種類")
    ja, zh, inci = header.index("日文成分名"), header.index("中文成分名"), header.index("INCI NAME")
    note_col = header.index("備考") if "備考" in header else None
    code_col = header.index("規格コード") if "規格コード" in header else None
    below = [clean(c) for c in raw.iloc[header_row + 1]] if header_row + 1 < len(raw) else []
    has_code_row = not any(below[k] for k in (ja, zh, inci)) and any(c.isdigit() for c in below)
    if has_code_row:  # the specification codes (01, 24, 51) sit in the row under the header
        codes = {j: below[j] for j in range(len(header)) if below[j].isdigit()}
    elif code_col is not None:  # a merged 規格コード header over the value columns
        end = note_col if note_col is not None and note_col > code_col else len(header)
        codes = {j: "?" for j in range(code_col, end)}
    else:
        raise InvalidFileError(f"{path.name}: no '規格コード' column.")
    rules: list[Rule] = []
    skipped: list[str] = []
    product_type = ""
    for i in range(header_row + (2 if has_code_row else 1), len(raw)):
        row = raw.iloc[i]
        if clean(row.iloc[type_col]):
            product_type = clean_text(row.iloc[type_col])
        names = {
            "japanese": _names(row.iloc[ja], split=r"\n|（|）"),
            "chinese": _names(row.iloc[zh]),
            "inci": _names(row.iloc[inci]),
        }
        if not any(names.values()):
            if any(clean(c) for c in row):
                skipped.append(f"row {i + 1}: notes, not an ingredient")
            continue
        words = product_type.lower()
        scope = next((tags for key, tags in _JP_TYPES if re.search(key, words)), None)
        conditions: list[Condition] = []
        problems: list[str] = []
        if scope is None:
            problems.append(f"product type {product_type!r} not mapped to product tags")
            scope = frozenset()
        values = []
        for j, code in codes.items():
            text = clean(row.iloc[j])
            if text:
                values.append(f"{code}: {_one(text)}")
                found, trouble = _jp_range(text, scope, code.zfill(2) if code != "?" else code)
                conditions.extend(found)
                problems.extend(trouble)
        if not values:
            problems.append("no concentration given")
        note = clean(row.iloc[note_col]) if note_col is not None else ""
        if note:
            conditions = [replace_other(c, note) for c in conditions]
        original = f"{_one(product_type)}; 規格コード/分量 " + ", ".join(values)
        if note:
            original += f"; 備考 {note}"
        citation = Citation(
            JP_QUASI_DRUG, "有効成分リスト", f"row {i + 1}", "", "", _source_file(path)
        )
        rules.append(
            _rule(
                f"JP-quasi-drug/{i + 1}",
                "JP-quasi-drug",
                citation,
                ParseResult(tuple(conditions), tuple(problems)),
                original_text=original,
                names=names,
            )
        )
    return _frame(rules, skipped)


def _one(text: str) -> str:
    return " ".join(str(text).split())


def replace_other(condition: Condition, note: str) -> Condition:
    """The condition with ``note`` appended to its ``other`` text."""
    other = "; ".join(p for p in (condition.other, note) if p)
    return Condition(**{**condition.__dict__, "other": other})


# -- Canada: Cosmetic Ingredient Hotlist -----------------------------------------------------------


def _hotlist_entries(frame: pd.DataFrame, first: int) -> list[list[str]]:
    """Rows grouped into entries: a row with an ingredient starts one, blank ones continue it."""
    entries: list[list[list[str]]] = []
    for i in range(first, len(frame)):
        cells = [clean(c) for c in frame.iloc[i]]
        if not any(cells):
            continue
        if cells[0] or not entries:
            entries.append([[c] for c in cells])
        else:
            for column, cell in zip(entries[-1], cells, strict=True):
                if cell:
                    column.append(cell)
    return [["\n".join(c for c in column if c) for column in entry] for entry in entries]


def load_ca_hotlist(path: Path) -> pd.DataFrame:
    """Health Canada's Hotlist workbook: the Prohibited and Restricted sheets."""
    try:
        sheets = pd.read_excel(path, header=None, dtype=str, sheet_name=None)
    except (OSError, ValueError) as exc:
        raise InvalidFileError(f"Hotlist {path.name} cannot be read: {exc}") from exc
    prohibited = next((f for name, f in sheets.items() if "Pr" in name.split()[-1]), None)
    restricted = next((f for name, f in sheets.items() if "Re" in name.split()[-1]), None)
    if prohibited is None or restricted is None:
        raise InvalidFileError(
            f"Hotlist {path.name}: expected a prohibited and a restricted sheet; found "
            f"{', '.join(sheets)}."
        )
    rules: list[Rule] = []
    for number, cells in enumerate(_hotlist_entries(prohibited.fillna(""), 1), start=1):
        name, cas_text, synonyms = (cells + ["", "", ""])[:3]
        rules.append(
            _rule(
                f"CA-prohibited/{number}",
                "CA-prohibited",
                Citation(CA_HOTLIST, "Prohibited", _one(name), "", "", _source_file(path)),
                original_text=_one(name),
                chemical=_names(name, synonyms, split=r";|\n"),
                cas=tuple(find_cas_numbers(cas_text)),
            )
        )
    for number, cells in enumerate(_hotlist_entries(restricted.fillna(""), 2), start=1):
        name, cas_text, synonyms, uses, maximum, warnings = (cells + [""] * 6)[:6]
        parsed = parse_columns(uses, maximum, "", warnings)
        original = "\n".join(
            f"{k}: {v}"
            for k, v in (
                ("Conditions of use", uses),
                ("Maximum concentration", maximum),
                ("Warnings", warnings),
            )
            if v
        )
        rules.append(
            _rule(
                f"CA-restricted/{number}",
                "CA-restricted",
                Citation(CA_HOTLIST, "Restricted", _one(name), "", "", _source_file(path)),
                parsed,
                original_text=original,
                chemical=_names(name, synonyms, split=r";|\n"),
                cas=tuple(find_cas_numbers(cas_text)),
            )
        )
    return _frame(rules)


# -- loaders by source id --------------------------------------------------------------------------

RULE_LOADERS = {
    "rules-eu-annex-ii": load_eu_annex,
    "rules-eu-annex-iii": load_eu_annex,
    "rules-eu-annex-iv": load_eu_annex,
    "rules-eu-annex-v": load_eu_annex,
    "rules-eu-annex-vi": load_eu_annex,
    "rules-kr-prohibited": load_kr_prohibited,
    "rules-kr-restricted": load_kr_restricted,
    "rules-kr-allergens": load_kr_allergens,
    "rules-cn-iecic": load_cn_iecic,
    "rules-asean-annex-ii": load_asean_annex_ii,
    "rules-jp-quasi-drug": load_jp_quasi_drug,
    "rules-ca-hotlist": load_ca_hotlist,
}


def load_rule_source(source_id: str, path: Path) -> pd.DataFrame:
    """The loader of a regulation source (used by :mod:`actives.knowledge.sources`)."""
    return RULE_LOADERS[source_id](path)


# -- tables ------------------------------------------------------------------------------------


def rules_to_tables(rules: Iterable[Rule]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``rules`` and ``rule_conditions`` tables (list columns for names and numbers)."""
    rule_rows: list[dict[str, Any]] = []
    condition_rows: list[dict[str, Any]] = []
    for rule in rules:
        c = rule.citation
        rule_rows.append(
            {
                "rule_id": rule.rule_id,
                "market": rule.market,
                "kind": rule.kind,
                "list_id": rule.list_id,
                "inci": list(rule.inci),
                "chemical": list(rule.chemical),
                "korean": list(rule.korean),
                "chinese": list(rule.chinese),
                "japanese": list(rule.japanese),
                "cas": list(rule.cas),
                "ec": list(rule.ec),
                "original_text": rule.original_text,
                "parsed": rule.parsed,
                "unparsed_reason": rule.unparsed_reason,
                "regulation": c.regulation,
                "list_name": c.list_name,
                "entry": c.entry,
                "notice": c.notice,
                "date": c.date,
                "source_file": c.source_file,
            }  # fmt: skip
        )
        for position, cond in enumerate(rule.conditions):
            condition_rows.append(
                {
                    "rule_id": rule.rule_id,
                    "position": position,
                    "product_scope": sorted(cond.product_scope),
                    "excluded_scope": sorted(cond.excluded_scope),
                    "otherwise": cond.otherwise,
                    "max_percent": cond.max_percent,
                    "min_percent": cond.min_percent,
                    "expressed_as": cond.expressed_as,
                    "sum_rule": cond.sum_rule,
                    "label_above_percent": cond.label_above_percent,
                    "children_under_years": cond.children_under_years,
                    "label_warning": cond.label_warning,
                    "other": cond.other,
                    "text": cond.text,
                }  # fmt: skip
            )
    # Explicit Arrow types, so an empty or all-null column keeps its type in Parquet.
    strings = pd.ArrowDtype(pa.list_(pa.string()))
    text = pd.ArrowDtype(pa.string())
    list_columns = {"inci", "chemical", "korean", "chinese", "japanese", "cas", "ec",
                    "product_scope", "excluded_scope"}  # fmt: skip
    optional_text = {"expressed_as", "sum_rule"}
    numbers = {"max_percent", "min_percent", "label_above_percent"}

    def column(rows: list[dict[str, Any]], name: str) -> pd.Series:
        values = [row[name] for row in rows]
        if name in list_columns:
            return pd.Series(values, dtype=strings)
        if name in optional_text:
            return pd.Series(values, dtype=text)
        if name in numbers:
            return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
        if name == "children_under_years":
            return pd.Series(values, dtype="Int64")
        return pd.Series(values, dtype=object if values else "object")

    rules_frame = pd.DataFrame({c: column(rule_rows, c) for c in RULE_COLUMNS})
    conditions = pd.DataFrame({c: column(condition_rows, c) for c in CONDITION_COLUMNS})
    rules_frame["parsed"] = rules_frame["parsed"].astype(bool)
    conditions["otherwise"] = conditions["otherwise"].astype(bool)
    conditions["position"] = conditions["position"].astype("int64")
    return rules_frame, conditions


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    return tuple(str(v) for v in value)


def _optional(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def tables_to_rules(rules: pd.DataFrame, conditions: pd.DataFrame) -> list[Rule]:
    """Rules back from the two tables (the inverse of :func:`rules_to_tables`)."""
    by_rule: dict[str, list[Condition]] = {}
    ordered = conditions.sort_values(["rule_id", "position"], kind="stable")
    for row in ordered.to_dict("records"):
        years = _optional(row["children_under_years"])
        by_rule.setdefault(str(row["rule_id"]), []).append(
            Condition(
                product_scope=frozenset(_tuple(row["product_scope"])),
                excluded_scope=frozenset(_tuple(row["excluded_scope"])),
                otherwise=bool(row["otherwise"]),
                max_percent=_optional(row["max_percent"]),
                min_percent=_optional(row["min_percent"]),
                expressed_as=_optional(row["expressed_as"]),
                sum_rule=_optional(row["sum_rule"]),
                label_above_percent=_optional(row["label_above_percent"]),
                children_under_years=None if years is None or years is pd.NA else int(years),
                label_warning=str(row["label_warning"] or ""),
                other=str(row["other"] or ""),
                text=str(row["text"] or ""),
            )
        )
    out = []
    for row in rules.to_dict("records"):
        rule_id = str(row["rule_id"])
        out.append(
            Rule(
                rule_id=rule_id,
                market=str(row["market"]),
                kind=row["kind"],
                list_id=str(row["list_id"]),
                citation=Citation(
                    str(row["regulation"]),
                    str(row["list_name"]),
                    str(row["entry"]),
                    str(row["notice"]),
                    str(row["date"]),
                    str(row["source_file"]),
                ),
                inci=_tuple(row["inci"]),
                chemical=_tuple(row["chemical"]),
                korean=_tuple(row["korean"]),
                chinese=_tuple(row["chinese"]),
                japanese=_tuple(row["japanese"]),
                cas=_tuple(row["cas"]),
                ec=_tuple(row["ec"]),
                conditions=tuple(by_rule.get(rule_id, ())),
                original_text=str(row["original_text"] or ""),
                parsed=bool(row["parsed"]),
                unparsed_reason=str(row["unparsed_reason"] or ""),
            )
        )
    return out


def _unique_ids(rules: list[Rule]) -> list[Rule]:
    """Rule ids made unique (CosIng repeats reference numbers): ``EU-III/9``, ``EU-III/9#2``."""
    seen: Counter[str] = Counter()
    out = []
    for rule in rules:
        seen[rule.rule_id] += 1
        if seen[rule.rule_id] > 1:
            rule = Rule(**{**rule.__dict__, "rule_id": f"{rule.rule_id}#{seen[rule.rule_id]}"})
        out.append(rule)
    return out


def read_rule_sources(raw_root: Path) -> dict[str, pd.DataFrame]:
    """Load every regulation source present under ``raw_root`` (source id -> loader frame)."""
    from actives.knowledge.sources import regulation_sources

    frames: dict[str, pd.DataFrame] = {}
    for source in regulation_sources():
        parts = [source.loader(path) for path in source.files(raw_root)]
        if parts:
            frames[source.id] = pd.concat(parts, ignore_index=True)
    return frames


def build_rule_tables(
    sources: Path | Mapping[str, pd.DataFrame], progress: Progress = silent_progress
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The pack's ``rules`` and ``rule_conditions`` tables and the manifest's report.

    ``sources`` is the raw-data folder, or the frames the pack build already loaded (source id
    -> loader output). The report counts rules, parsed and unparsed per list with the commonest
    reasons, and the source rows skipped (deleted entries, duplicates) with why.
    """
    frames = read_rule_sources(sources) if isinstance(sources, Path) else dict(sources)
    progress(0, 1, "building rule packs")
    rules: list[Rule] = []
    skipped: dict[str, list[str]] = {}
    for source_id, frame in sorted(frames.items()):
        for rule, reason in zip(frame["rule"], frame["skipped"], strict=True):
            if isinstance(rule, Rule):
                rules.append(rule)
            elif reason:
                skipped.setdefault(source_id, []).append(str(reason))
    uv_filters = [r for r in rules if r.list_id == "KR-2" and r.kind == "uv_filter"]
    rules.extend(kr_functional_rules(uv_filters))
    rules = _unique_ids(rules)
    rules_frame, conditions = rules_to_tables(rules)
    _, digest = _functional_rows()
    report: dict[str, Any] = {
        "lists": _list_report(rules),
        "sources": sorted(frames),
        "skipped": {k: {"rows": len(v), "examples": v[:5]} for k, v in sorted(skipped.items())},
        "functional_table": {"path": f"actives/resources/{FUNCTIONAL_TABLE}", "sha256": digest},
        "markets": {m.id: list(m.notes) for m in MARKETS},
        "rules": "actives.regulation.rules (module docstring); docs/guide/en/regulation.md",
    }
    progress(1, 1, f"{len(rules)} rules built")
    return rules_frame, conditions, report


def _list_report(rules: list[Rule]) -> list[dict[str, Any]]:
    by_list: dict[str, list[Rule]] = {}
    for rule in rules:
        by_list.setdefault(rule.list_id, []).append(rule)
    out = []
    for m in MARKETS:
        for listed in m.lists:
            members = by_list.get(listed.id, [])
            reasons: Counter[str] = Counter()
            for rule in members:
                if not rule.parsed:
                    for reason in rule.unparsed_reason.split("; "):
                        reasons[_reason_kind(reason)] += 1
            kinds = Counter(r.kind for r in members)
            out.append(
                {
                    "list": listed.id,
                    "market": m.id,
                    "title": listed.title,
                    "rules": len(members),
                    "parsed": sum(1 for r in members if r.parsed),
                    "unparsed": sum(1 for r in members if not r.parsed),
                    "kinds": dict(sorted(kinds.items())),
                    "unparsed_reasons": dict(reasons.most_common(8)),
                }
            )
    return out


def _reason_kind(reason: str) -> str:
    """A reason without its quoted text, for counting (``product type not understood``)."""
    return reason.split(":")[0].split(" (")[0].split(" '")[0].strip()


# -- reading -----------------------------------------------------------------------------------

MatchedBy = Literal["cas", "ec", "name"]


@dataclass(frozen=True)
class RuleMatch:
    """A rule found for a substance and what matched it."""

    rule: Rule
    by: MatchedBy


_cache_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[DataPack, RulePack] = weakref.WeakKeyDictionary()


class RulePack:
    """The rules of a data pack, indexed by market and by CAS, EC and normalised name."""

    def __init__(
        self, rules: Iterable[Rule], version: str, report: Mapping[str, Any] | None = None
    ):
        self.version = version
        self.report: dict[str, Any] = dict(report or {})
        self._rules = list(rules)
        self._by_market: dict[str, list[Rule]] = {}
        self._cas: dict[tuple[str, str], list[int]] = {}
        self._ec: dict[tuple[str, str], list[int]] = {}
        self._names: dict[tuple[str, str], list[int]] = {}
        for i, rule in enumerate(self._rules):
            self._by_market.setdefault(rule.market, []).append(rule)
            for number in rule.cas:
                self._cas.setdefault((rule.market, number), []).append(i)
            for number in rule.ec:
                self._ec.setdefault((rule.market, number), []).append(i)
            for name in {normalize_name(n) for n in rule.names}:
                self._names.setdefault((rule.market, name), []).append(i)

    @classmethod
    def from_pack(cls, pack: DataPack) -> RulePack:
        """The pack's rules (read once per pack and cached); NotFoundError for a pack built
        before the rule tables existed."""
        with _cache_lock:
            cached = _cache.get(pack)
        if cached is not None:
            return cached
        if "rules" not in pack.tables or "rule_conditions" not in pack.tables:
            raise NotFoundError(
                f"Data pack {pack.version} has no rule tables (it was built before the "
                f"regulation rule packs existed); {REBUILD}.",
                code="rule_pack_missing",
            )
        rules = tables_to_rules(*pack.rule_tables())
        built = cls(rules, pack.version, pack.manifest.get("regulation"))
        with _cache_lock:
            _cache[pack] = built
        return built

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def markets(self) -> tuple[Market, ...]:
        """The registered markets that have rules in this pack."""
        return tuple(m for m in MARKETS if m.id in self._by_market)

    def rules(self, market_id: str | None = None, list_id: str | None = None) -> list[Rule]:
        """All rules, or those of a market and/or list."""
        pool = self._rules if market_id is None else self._by_market.get(market(market_id).id, [])
        return [r for r in pool if list_id is None or r.list_id == list_id]

    def matches(self, market_id: str, keys: SubstanceKeys) -> list[RuleMatch]:
        """The market's rules for a substance: by CAS first, then EC, then exact normalised
        name; each rule once, with what matched it."""
        market_id = market(market_id).id
        found: dict[int, MatchedBy] = {}
        for number in sorted(keys.cas):
            for i in self._cas.get((market_id, number), ()):
                found.setdefault(i, "cas")
        for number in sorted(keys.ec):
            for i in self._ec.get((market_id, number), ()):
                found.setdefault(i, "ec")
        for name in sorted(keys.name_keys()):
            for i in self._names.get((market_id, name), ()):
                found.setdefault(i, "name")
        order = {"cas": 0, "ec": 1, "name": 2}
        ranked = sorted(found.items(), key=lambda item: (order[item[1]], item[0]))
        return [RuleMatch(self._rules[i], by) for i, by in ranked]

    def rules_for(self, market_id: str, keys: SubstanceKeys) -> list[Rule]:
        """The market's rules that name this substance (CAS matches first, then names)."""
        return [m.rule for m in self.matches(market_id, keys)]

    def inventory_has(self, market_id: str, keys: SubstanceKeys) -> Rule | None:
        """The inventory entry (China's IECIC) listing the substance, or None."""
        for match in self.matches(market_id, keys):
            if match.rule.kind == "inventory":
                return match.rule
        return None

    def unparsed(self, market_id: str | None = None) -> list[Rule]:
        """Rules whose limit text could not be parsed (their reason in ``unparsed_reason``)."""
        return [r for r in self.rules(market_id) if not r.parsed]
