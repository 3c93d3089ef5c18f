"""The formula model: product type, ingredients (by INCI or by raw material), expansion of raw
materials into substances, the totals check, and reading a formula from CSV/XLSX.

A formula row is either an ingredient (``name`` at ``percent`` % w/w of the product) or a raw
material: a row whose ``raw_material`` has a known composition and whose ``name`` is empty or
the raw material's own name is expanded into the raw material's ingredients at ``percent`` x
fraction / 100. A row naming both an ingredient and a raw material whose composition is not
given is the ingredient, with the raw material kept as where it came from (the usual
"원료명 / 성분명 / 함량" sheet of Korean manufacturers). The same substance from several rows or
raw materials is summed, with every contribution listed.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from actives.errors import InvalidFileError, InvalidInputError
from actives.knowledge.identifiers import normalize_name
from actives.regulation.resolve import NamesSource, Resolution, resolve_ingredients
from actives.regulation.rules import PRODUCT_TAGS, inci_key
from actives.textfiles import decode_text

Exposure = Literal["rinse_off", "leave_on"]
AREAS = ("face", "body", "hair", "lip", "eye", "oral", "hands", "feet", "nails", "scalp")
# Scalp products are hair products in the rule vocabulary (actives.regulation.rules.PRODUCT_TAGS:
# "applied to the hair or scalp").
AREA_TAG = {"scalp": "hair"}
TOTAL_TOLERANCE = 0.5  # percentage points around 100 % w/w before the total is reported
PERCENT_COLUMN_HELP = "a number above 0 and at most 100 (% w/w)"


# -- product type ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductType:
    """What the product is, in the terms rule conditions use (rinse-off/leave-on, areas, flags).

    ``categories`` holds rule-vocabulary categories such as ``shampoo``, ``toothpaste``,
    ``sunscreen`` or ``hair_dye_oxidative`` (see ``actives.regulation.rules.PRODUCT_TAGS``).
    """

    exposure: Exposure
    areas: frozenset[str] = frozenset()
    children: bool = False
    spray: bool = False
    professional: bool = False
    categories: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.exposure not in ("rinse_off", "leave_on"):
            raise InvalidInputError(
                f"Product exposure {self.exposure!r}; expected 'rinse_off' or 'leave_on'."
            )
        unknown = sorted(set(self.areas) - set(AREAS))
        if unknown:
            raise InvalidInputError(
                f"Unknown body area(s) {', '.join(unknown)}; expected some of {', '.join(AREAS)}."
            )
        unknown = sorted(set(self.categories) - set(PRODUCT_TAGS))
        if unknown:
            raise InvalidInputError(
                f"Unknown product categor(ies) {', '.join(unknown)}; expected tags of "
                f"actives.regulation.rules.PRODUCT_TAGS such as shampoo, toothpaste, sunscreen."
            )

    @property
    def tags(self) -> frozenset[str]:
        """The scope tags rule conditions are matched against."""
        tags = {self.exposure, *(AREA_TAG.get(a, a) for a in self.areas), *self.categories}
        for flag in ("children", "spray", "professional"):
            if getattr(self, flag):
                tags.add(flag)
        return frozenset(tags)

    @property
    def rinse_off(self) -> bool:
        return self.exposure == "rinse_off"

    def describe(self) -> str:
        """e.g. ``leave-on, face, children, spray``."""
        bits = [self.exposure.replace("_", "-"), *sorted(self.areas), *sorted(self.categories)]
        bits += [f for f in ("children", "spray", "professional") if getattr(self, f)]
        return ", ".join(bits)


# Words of a product description, English and Korean, to what they say. Korean is matched as a
# substring (no word boundaries in 붙여쓰기), English as whole words.
_LEAVE_ON = ("leave-on", "leave on", "씻어내지 않는", "씻어내지않는", "비세정")
_RINSE_OFF = ("rinse-off", "rinse off", "wash-off", "wash off", "씻어내는", "세정용")
_WORDS: dict[str, tuple[str, ...]] = {
    "face": ("face", "facial", "얼굴", "페이스", "안면"),
    "body": ("body", "바디", "몸", "신체"),
    "hair": ("hair", "헤어", "모발", "머리"),
    "scalp": ("scalp", "두피"),
    "lip": ("lip", "lips", "lipstick", "립", "입술"),
    "eye": ("eye", "eyes", "eyelid", "mascara", "eyeliner", "아이", "눈"),
    "oral": ("oral", "mouth", "구강"),
    "hands": ("hand", "hands", "핸드", "손"),
    # not "발" alone: it is part of 발효 (fermented), 개발 (development), 손발톱 (nails)
    "feet": ("foot", "feet", "풋크림", "풋 크림", "풋케어", "풋 케어", "발크림", "발 크림"),
    "nails": ("nail", "nails", "네일", "손발톱", "매니큐어"),
    "children": ("child", "children", "kids", "baby", "infant", "어린이", "유아", "아기", "베이비"),
    "spray": ("spray", "aerosol", "mist", "스프레이", "에어로졸", "미스트"),
    "professional": ("professional", "salon", "전문가용", "업소용"),
}
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "shampoo": ("shampoo", "샴푸"),
    "toothpaste": ("toothpaste", "치약"),
    "mouthwash": ("mouthwash", "가글", "구강청결"),
    "sunscreen": ("sunscreen", "sunblock", "sun cream", "선크림", "자외선차단", "선블록"),
    "soap": ("soap", "비누"),
    "cleansing": ("cleanser", "cleansing", "body wash", "클렌저", "클렌징", "세안", "바디워시"),
    "hair_dye": ("hair dye", "hair colour", "hair color", "염모", "염색"),
    "deodorant": ("deodorant", "antiperspirant", "데오도란트"),
    "mask": ("mask", "마스크", "팩"),
}
_RINSE_OFF_CATEGORIES = {"shampoo", "toothpaste", "mouthwash", "soap", "cleansing"}
_LEAVE_ON_WORDS = ("cream", "lotion", "serum", "essence", "toner", "크림", "로션", "세럼", "에센스")
_CATEGORY_AREAS = {"shampoo": "hair", "toothpaste": "oral", "mouthwash": "oral", "hair_dye": "hair"}


def _says(text: str, words: Iterable[str]) -> bool:
    for word in words:
        if re.search(r"[가-힣]", word):
            if word in text:
                return True
        elif re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
            return True
    return False


def parse_product_type(text: str) -> ProductType:
    """Read a description such as "leave-on face cream", "rinse-off hair", "어린이용 바디로션".

    Rinse-off or leave-on must be said or follow from the words (a shampoo is rinsed off, a
    cream is left on); otherwise InvalidInputError asks for it.
    """
    raw = unicodedata.normalize("NFKC", text or "").casefold().strip()
    if not raw:
        raise InvalidInputError(
            "Empty product type; expected e.g. 'leave-on face cream' or 'rinse-off hair'."
        )
    raw = raw.replace("_", "-")
    categories = {c for c, words in _CATEGORY_WORDS.items() if _says(raw, words)}
    flags = {k for k, words in _WORDS.items() if _says(raw, words)}
    exposure: Exposure | None = None
    if _says(raw, _LEAVE_ON):
        exposure = "leave_on"
    elif _says(raw, _RINSE_OFF) or categories & _RINSE_OFF_CATEGORIES:
        exposure = "rinse_off"
    elif _says(raw, _LEAVE_ON_WORDS) or "sunscreen" in categories:
        exposure = "leave_on"
    if exposure is None:
        raise InvalidInputError(
            f"Product type {text!r} does not say whether the product is rinsed off or left on; "
            "expected e.g. 'leave-on face cream', 'rinse-off hair' or '씻어내는 바디 제품'."
        )
    areas = {a for a in AREAS if a in flags}
    areas |= {_CATEGORY_AREAS[c] for c in categories if c in _CATEGORY_AREAS}
    return ProductType(
        exposure,
        frozenset(areas),
        children="children" in flags,
        spray="spray" in flags,
        professional="professional" in flags,
        categories=frozenset(categories),
    )


def as_product_type(value: ProductType | str) -> ProductType:
    """A ProductType as given, or parsed from text."""
    return value if isinstance(value, ProductType) else parse_product_type(value)


# -- formula --------------------------------------------------------------------------------------


def _check_percent(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} {value!r}; expected {PERCENT_COLUMN_HELP}.") from None
    if not math.isfinite(number) or not 0 < number <= 100:
        raise InvalidInputError(f"{what} {value!r}; expected {PERCENT_COLUMN_HELP}.")
    return number


@dataclass(frozen=True)
class FormulaIngredient:
    """One formula row: an ingredient or a raw material at ``percent`` % w/w of the product."""

    name: str
    percent: float
    raw_material: str | None = None
    function: str | None = None

    def __post_init__(self) -> None:
        if not (self.name or "").strip() and not (self.raw_material or "").strip():
            raise InvalidInputError(
                "A formula ingredient without a name or raw material; expected an INCI name, a "
                "CAS number or a raw material name."
            )
        object.__setattr__(self, "percent", _check_percent(self.percent, "Percent"))


@dataclass(frozen=True)
class RawMaterial:
    """A trade raw material and its composition: (ingredient, % of the raw material) pairs."""

    name: str
    composition: tuple[tuple[str, float], ...]

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInputError("A raw material without a name; expected its trade name.")
        if not self.composition:
            raise InvalidInputError(
                f"Raw material {self.name!r} has no composition; expected at least one "
                "(ingredient, % of the raw material) pair."
            )
        checked = tuple(
            (str(n), _check_percent(f, f"Fraction of {n!r} in raw material {self.name!r}"))
            for n, f in self.composition
        )
        object.__setattr__(self, "composition", checked)

    @property
    def total(self) -> float:
        return sum(f for _n, f in self.composition)


@dataclass(frozen=True)
class Formula:
    """A product formula: ingredients in % w/w, product type, target markets, version."""

    name: str
    product_type: ProductType
    ingredients: tuple[FormulaIngredient, ...]
    markets: tuple[str, ...] = ()
    version: int = 1
    raw_materials: tuple[RawMaterial, ...] = ()

    def __post_init__(self) -> None:
        if not self.ingredients:
            raise InvalidInputError(f"Formula {self.name!r} has no ingredients.")
        object.__setattr__(self, "ingredients", tuple(self.ingredients))
        object.__setattr__(self, "markets", tuple(m.strip().upper() for m in self.markets))
        object.__setattr__(self, "raw_materials", tuple(self.raw_materials))

    @property
    def total_percent(self) -> float:
        """Sum of the rows' % w/w (raw materials at their own percent)."""
        return math.fsum(i.percent for i in self.ingredients)


@dataclass(frozen=True)
class Contribution:
    """Where part of a substance's concentration comes from."""

    name: str  # as written in the formula or the raw material's composition
    percent: float  # % w/w in the product
    raw_material: str | None = None
    fraction: float | None = None  # % of the raw material, when expanded from a composition
    row: int | None = None  # formula row (1-based position in Formula.ingredients)


@dataclass(frozen=True)
class FormulaSubstance:
    """One substance of the expanded formula: its resolution, summed % w/w and contributions."""

    name: str  # INCI name when resolved, else the name as written
    percent: float
    resolution: Resolution
    contributions: tuple[Contribution, ...]
    functions: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return self.resolution.status

    @property
    def korean_name(self) -> str | None:
        return self.resolution.korean_name


def _raw_material_index(raw_materials: Iterable[RawMaterial]) -> dict[str, RawMaterial]:
    return {normalize_name(m.name): m for m in raw_materials}


def _expanded_rows(
    formula: Formula, materials: dict[str, RawMaterial]
) -> list[tuple[str, Contribution, str | None]]:
    """(ingredient name, contribution, function) for every ingredient, raw materials opened."""
    out: list[tuple[str, Contribution, str | None]] = []
    for number, item in enumerate(formula.ingredients, start=1):
        material = materials.get(normalize_name(item.raw_material or ""))
        opens = material is not None and (
            not item.name.strip() or normalize_name(item.name) == normalize_name(material.name)
        )
        if material is not None and opens:
            for name, fraction in material.composition:
                share = item.percent * fraction / 100
                out.append(
                    (
                        name,
                        Contribution(name, share, material.name, fraction, number),
                        item.function,
                    )
                )
        else:
            name = item.name.strip() or (item.raw_material or "").strip()
            out.append(
                (
                    name,
                    Contribution(name, item.percent, item.raw_material, None, number),
                    item.function,
                )
            )
    return out


def _substance_key(resolution: Resolution) -> tuple[str, ...]:
    if resolution.resolved and resolution.display_name:
        return ("inci", inci_key(resolution.display_name))
    if resolution.resolved and resolution.substance is not None and resolution.substance.cas:
        return ("cas", *sorted(resolution.substance.cas))
    return ("name", normalize_name(resolution.query))


def expand(
    formula: Formula,
    raw_materials: Iterable[RawMaterial] | None,
    pack: NamesSource,
) -> list[FormulaSubstance]:
    """Resolve every ingredient, open raw materials and sum the same substance.

    ``raw_materials`` None means the formula's own. Unresolved and ambiguous names are kept
    (never dropped) with their suggestions. Substances come in descending % w/w.
    """
    materials = _raw_material_index(
        formula.raw_materials if raw_materials is None else raw_materials
    )
    rows = _expanded_rows(formula, materials)
    resolutions = resolve_ingredients([name for name, _c, _f in rows], pack)
    grouped: dict[tuple[str, ...], list[tuple[Resolution, Contribution, str | None]]] = {}
    for (_name, contribution, function), resolution in zip(rows, resolutions, strict=True):
        grouped.setdefault(_substance_key(resolution), []).append(
            (resolution, contribution, function)
        )
    substances = []
    for parts in grouped.values():
        resolution = parts[0][0]
        functions = tuple(dict.fromkeys(f for _r, _c, f in parts if f))
        typed = parts[0][1].name
        name = resolution.display_name if resolution.resolved and resolution.display_name else typed
        if inci_key(typed) == inci_key(name):
            name = typed  # the user's spelling of the same INCI name ("Water", not "WATER")
        substances.append(
            FormulaSubstance(
                name,
                math.fsum(c.percent for _r, c, _f in parts),
                resolution,
                tuple(c for _r, c, _f in parts),
                functions,
            )
        )  # fmt: skip
    substances.sort(key=lambda s: -s.percent)
    return substances


def formula_warnings(
    formula: Formula,
    raw_materials: Iterable[RawMaterial] | None = None,
    tolerance: float = TOTAL_TOLERANCE,
) -> list[str]:
    """What is odd about a formula without being an error: the total off 100 % w/w (by more
    than ``tolerance`` percentage points), raw-material compositions that do not add up, rows
    naming a raw material whose composition is unknown, the same name on several rows."""
    warnings: list[str] = []
    total = formula.total_percent
    if abs(total - 100) > tolerance:
        warnings.append(
            f"The formula's percentages add up to {total:.3g} % w/w; expected 100 % "
            f"± {tolerance:g}."
        )
    materials = list(formula.raw_materials if raw_materials is None else raw_materials)
    for material in materials:
        if abs(material.total - 100) > tolerance:
            warnings.append(
                f"Raw material {material.name!r}: its composition adds up to "
                f"{material.total:.3g} %; expected 100 % ± {tolerance:g}."
            )
    known = _raw_material_index(materials)
    for number, item in enumerate(formula.ingredients, start=1):
        if item.raw_material and not item.name.strip():
            if normalize_name(item.raw_material) not in known:
                warnings.append(
                    f"Row {number}: raw material {item.raw_material!r} has no composition; it "
                    "is checked as an ingredient name. Give its composition to expand it."
                )
    seen: dict[str, int] = {}
    for number, item in enumerate(formula.ingredients, start=1):
        key = normalize_name(item.name) if item.name.strip() else ""
        if key and item.raw_material is None:
            if key in seen:
                warnings.append(
                    f"Row {number}: {item.name!r} is also on row {seen[key]}; the two are summed."
                )
            seen.setdefault(key, number)
    return warnings


# -- reading a formula file -----------------------------------------------------------------------

# Column headers, with case, width, spaces, punctuation and parenthesised units ignored.
INGREDIENT_HEADERS = ("ingredient", "ingredients", "inci", "inci name", "ingredient name", "name",
                      "성분명", "성분", "inci명", "전성분", "전성분명", "성분 이름")  # fmt: skip
PERCENT_HEADERS = ("percent", "%", "% w/w", "w/w", "w/w %", "wt%", "concentration", "content",
                   "amount", "함량", "배합량", "배합비", "배합비율", "농도", "함량 %")  # fmt: skip
RAW_MATERIAL_HEADERS = ("raw material", "raw material name", "trade name", "material",
                        "원료명", "원료", "원료 이름", "상품명")  # fmt: skip
FUNCTION_HEADERS = ("function", "purpose", "role", "배합목적", "배합 목적", "기능", "목적",
                    "사용목적")  # fmt: skip
FRACTION_HEADERS = ("fraction", "percent", "%", "% w/w", "w/w", "content", "composition",
                    "% in raw material", "함량", "조성", "조성비", "비율", "구성비")  # fmt: skip
RAW_MATERIAL_SHEETS = ("raw materials", "raw material", "composition", "compositions", "원료",
                       "원료조성", "원료 조성", "조성")  # fmt: skip
_SKIP_NAMES = {"total", "sum", "합계", "총계", "계", "총합"}


def _header_key(header: object) -> str:
    text = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "").casefold().strip()
    text = text.replace("%", " % ")
    text = re.sub(r"\((?!\s*%\s*\))[^)]*\)", " ", text)  # "(w/w)" units dropped, "(%)" kept
    text = re.sub(r"[()\[\]]", " ", text)
    text = re.sub(r"[\s_\-.:]+", " ", text).strip()
    return text


def _header_set(names: Iterable[str]) -> set[str]:
    return {_header_key(n) for n in names} | {_header_key(n).replace(" ", "") for n in names}


_HEADER_SETS = {
    "ingredient": _header_set(INGREDIENT_HEADERS),
    "percent": _header_set(PERCENT_HEADERS),
    "raw_material": _header_set(RAW_MATERIAL_HEADERS),
    "function": _header_set(FUNCTION_HEADERS),
    "fraction": _header_set(FRACTION_HEADERS),
}


def _column_for(headers: Sequence[str], field_name: str) -> str | None:
    wanted = _HEADER_SETS[field_name]
    for header in headers:
        key = _header_key(header)
        if key in wanted or key.replace(" ", "") in wanted:
            return header
        # "percent (% w/w)", "함량(%)", "Concentration %": the unit follows a known word
        stripped = re.sub(r"\s*%.*$", "", key).strip()
        if stripped and (stripped in wanted or stripped.replace(" ", "") in wanted):
            return header
    return None


@dataclass(frozen=True)
class RowError:
    """A row that could not be read: where, what was there, what was expected."""

    row: int  # as the user sees it: the header is row 1 (CSV line / Excel row)
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return self.message


class FormulaFileError(InvalidFileError):
    """A formula file with rows that could not be read; ``row_errors`` lists each."""

    code = "invalid_formula_file"

    def __init__(self, filename: str, row_errors: Sequence[RowError]) -> None:
        shown = "; ".join(str(e) for e in row_errors[:10])
        more = f" (and {len(row_errors) - 10} more)" if len(row_errors) > 10 else ""
        super().__init__(f"{filename}: {len(row_errors)} row(s) could not be read: {shown}{more}.")
        self.row_errors = list(row_errors)


@dataclass
class FormulaTable:
    """What a formula file holds: the rows that could be read, raw materials, and problems."""

    source: str
    ingredients: list[FormulaIngredient]
    raw_materials: list[RawMaterial]
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    skipped_rows: list[int] = field(default_factory=list)  # blank or total rows


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _parse_percent(text: str) -> float | None:
    value = text.replace("%", "").replace("\u2009", "").strip()
    if re.fullmatch(r"\d+,\d+", value):  # decimal comma
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and 0 < number <= 100 else None


def _text_table(data: bytes, name: str) -> pd.DataFrame:
    text = decode_text(data, name)
    if not text.strip():
        raise InvalidFileError(
            f"{name} is empty; expected a header row (ingredient, percent, ...) and one row "
            "per ingredient."
        )
    first = next(line for line in text.splitlines() if line.strip())
    try:
        sep = csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise InvalidFileError(
            f"{name} cannot be read as a table ({str(exc).strip()}); expected one header row "
            "and the same number of columns in every row."
        ) from exc


def _excel_tables(data: bytes, name: str) -> list[tuple[str, pd.DataFrame]]:
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise InvalidFileError(
            f"{name} is not a readable .xlsx workbook ({type(exc).__name__}); expected an "
            ".xlsx saved by Excel, or a CSV."
        ) from exc
    except Exception as exc:  # openpyxl raises many types on a damaged file; all mean the same
        raise InvalidFileError(
            f"{name} is not a readable .xlsx workbook ({type(exc).__name__}); expected an "
            ".xlsx saved by Excel, or a CSV."
        ) from exc
    return [(str(k), v.fillna("")) for k, v in sheets.items()]


def _tables(data: bytes, name: str) -> list[tuple[str, pd.DataFrame]]:
    if not data or not data.strip():
        raise InvalidFileError(
            f"{name} is empty; expected a header row (ingredient, percent, ...) and one row "
            "per ingredient."
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidFileError(f"{name} is an old .xls workbook; save it as .xlsx or CSV UTF-8.")
    if data.startswith(b"PK\x03\x04"):
        return _excel_tables(data, name)
    if Path(name).suffix.lower() in {".xlsx", ".xlsm"}:
        raise InvalidFileError(
            f"{name} is not an .xlsx workbook (not a ZIP archive): the file is damaged or was "
            "renamed. Expected an .xlsx saved by Excel, or a CSV."
        )
    return [("", _text_table(data, name))]


def _formula_rows(frame: pd.DataFrame, name: str) -> FormulaTable:
    headers = [str(c) for c in frame.columns]
    columns = {
        f: c
        for f in ("ingredient", "percent", "raw_material", "function")
        if (c := _column_for(headers, f)) is not None
    }
    if "percent" not in columns or not ({"ingredient", "raw_material"} & set(columns)):
        raise InvalidFileError(
            f"{name}: missing column(s) "
            + ", ".join(
                w
                for w, ok in (
                    ("ingredient (or raw material)", {"ingredient", "raw_material"} & set(columns)),
                    ("percent", "percent" in columns),
                )
                if not ok
            )
            + f"; found {', '.join(headers) or 'none'}. Expected headers such as "
            "ingredient/INCI (성분명), percent/% w/w (함량), raw material (원료명), "
            "function (배합목적)."
        )
    if frame.empty:
        raise InvalidFileError(f"{name} has a header but no rows; expected one row per ingredient.")
    table = FormulaTable(name, [], [], columns=columns)
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2
        values = {f: _cell(record.get(c)) for f, c in columns.items()}
        ingredient = values.get("ingredient", "")
        material = values.get("raw_material", "")
        percent_text = values.get("percent", "")
        if not any(_cell(v) for v in record.values()):
            table.skipped_rows.append(row)
            continue
        if normalize_name(ingredient or material) in _SKIP_NAMES:
            table.skipped_rows.append(row)
            continue
        if not ingredient and not material:
            table.errors.append(
                RowError(
                    row, columns.get("ingredient", columns.get("raw_material", "")), "",
                    f"no ingredient name in row {row}; expected an INCI name, CAS number or "
                    "raw material name",
                )
            )  # fmt: skip
            continue
        percent = _parse_percent(percent_text)
        if percent is None:
            what = f"percent {percent_text!r}" if percent_text else "no percent"
            table.errors.append(
                RowError(
                    row, columns["percent"], percent_text,
                    f"{what} in row {row} ({ingredient or material}); expected "
                    f"{PERCENT_COLUMN_HELP}",
                )
            )  # fmt: skip
            continue
        table.ingredients.append(
            FormulaIngredient(ingredient, percent, material or None, values.get("function") or None)
        )
    return table


def _raw_material_rows(frame: pd.DataFrame, name: str) -> tuple[list[RawMaterial], list[RowError]]:
    headers = [str(c) for c in frame.columns]
    material_col = _column_for(headers, "raw_material")
    ingredient_col = _column_for([h for h in headers if h != material_col], "ingredient")
    fraction_col = _column_for(
        [h for h in headers if h not in (material_col, ingredient_col)], "fraction"
    )
    missing = [
        w
        for w, c in (("raw material", material_col), ("ingredient", ingredient_col),
                     ("fraction (% of the raw material)", fraction_col))
        if c is None
    ]  # fmt: skip
    if missing:
        raise InvalidFileError(
            f"{name}: raw-material table lacks column(s) {', '.join(missing)}; found "
            f"{', '.join(headers) or 'none'}. Expected raw material (원료명), ingredient (성분명) "
            "and fraction in % of the raw material (함량)."
        )
    assert material_col and ingredient_col and fraction_col
    compositions: dict[str, list[tuple[str, float]]] = {}
    names: dict[str, str] = {}
    errors: list[RowError] = []
    current = ""
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2
        material = _cell(record.get(material_col)) or current  # merged cells repeat the last
        ingredient = _cell(record.get(ingredient_col))
        fraction_text = _cell(record.get(fraction_col))
        if not (material or ingredient or fraction_text) or not (ingredient or fraction_text):
            continue
        current = material
        if not material or not ingredient:
            errors.append(
                RowError(
                    row, material_col if not material else ingredient_col, "",
                    f"raw-material row {row} lacks a {'ingredient' if material else 'raw material'}"
                    " name; expected raw material, ingredient and % of the raw material",
                )
            )  # fmt: skip
            continue
        fraction = _parse_percent(fraction_text)
        if fraction is None:
            errors.append(
                RowError(
                    row, fraction_col, fraction_text,
                    f"fraction {fraction_text!r} of {ingredient!r} in raw material {material!r} "
                    f"(raw-material row {row}); expected a number above 0 and at most 100 "
                    "(% of the raw material)",
                )
            )  # fmt: skip
            continue
        key = normalize_name(material)
        names.setdefault(key, material)
        compositions.setdefault(key, []).append((ingredient, fraction))
    materials = [RawMaterial(names[k], tuple(v)) for k, v in compositions.items()]
    return materials, errors


def read_formula_table(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    raw_materials: str | Path | bytes | None = None,
    raw_materials_filename: str | None = None,
) -> FormulaTable:
    """Read a formula file (CSV or XLSX) row by row, keeping going past bad rows.

    Columns (English or Korean headers): ingredient/INCI (성분명), percent % w/w (함량),
    raw material (원료명), function (배합목적). In an XLSX, a sheet named like "raw materials"
    or "원료" (or the second sheet, when it has raw material, ingredient and fraction columns)
    gives the compositions; a separate file may be given as ``raw_materials``. Raises
    InvalidFileError for an empty file, missing columns or a file that is not a table.
    """
    data, name = _bytes_of(source, filename)
    tables = _tables(data, name)
    table = _formula_rows(tables[0][1], name if not tables[0][0] else f"{name} [{tables[0][0]}]")
    for sheet, frame in tables[1:]:
        headers = [str(c) for c in frame.columns]
        named = _header_key(sheet) in {_header_key(s) for s in RAW_MATERIAL_SHEETS}
        looks = _column_for(headers, "raw_material") and _column_for(headers, "fraction")
        if named or looks:
            materials, errors = _raw_material_rows(frame, f"{name} [{sheet}]")
            table.raw_materials.extend(materials)
            table.errors.extend(errors)
            break
    if raw_materials is not None:
        extra, extra_name = _bytes_of(raw_materials, raw_materials_filename)
        materials, errors = _raw_material_rows(_tables(extra, extra_name)[0][1], extra_name)
        table.raw_materials.extend(materials)
        table.errors.extend(errors)
    return table


def _bytes_of(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, filename or "uploaded file"
    path = Path(source)
    if not path.is_file():
        raise InvalidFileError(f"{path} does not exist or is not a file; expected a CSV or XLSX.")
    return path.read_bytes(), filename or path.name


def read_formula(
    source: str | Path | bytes,
    product_type: ProductType | str,
    *,
    name: str | None = None,
    markets: Iterable[str] = (),
    version: int = 1,
    filename: str | None = None,
    raw_materials: str | Path | bytes | None = None,
) -> Formula:
    """A Formula from a CSV/XLSX file; FormulaFileError (an InvalidFileError) lists every row
    that could not be read, each saying what was wrong and what was expected."""
    table = read_formula_table(source, filename=filename, raw_materials=raw_materials)
    if table.errors:
        raise FormulaFileError(table.source, table.errors)
    if not table.ingredients:
        raise InvalidFileError(
            f"{table.source} has no ingredient rows; expected one row per ingredient."
        )
    return Formula(
        name or Path(table.source).stem,
        as_product_type(product_type),
        tuple(table.ingredients),
        tuple(markets),
        version,
        tuple(table.raw_materials),
    )
