"""API routes of regulation: a formula checked against the export markets (JSON body or a
CSV/XLSX file), the markets and their rule lists, and the rules a substance meets.

Each route parses its body and calls :mod:`actives.regulation.checker`; every verdict carries the
rule behind it (citation, condition, original text) and the rule-pack version.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from actives.errors import DataPackMissingError, InvalidFileError, InvalidInputError
from actives.knowledge.pack import DataPack
from actives.regulation import checker
from actives.regulation.formula import (
    Formula,
    FormulaIngredient,
    RawMaterial,
    as_product_type,
    read_formula,
)
from actives.regulation.markets import market, market_ids
from actives.regulation.rulepack import RulePack
from actives.web.api.schemas import ErrorOut
from actives.web.catalog.services import pack_or_none

router = Router(tags=["regulation"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          413: ErrorOut, 422: ErrorOut, 503: ErrorOut}  # fmt: skip
MAX_INGREDIENTS = 500
FORMULA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
MARKETS_TEXT = ", ".join(market_ids())
PRODUCT_HELP = (
    'Product type in words, English or Korean: "leave-on face cream", "rinse-off hair", '
    '"shampoo", "어린이용 바디로션"; it must say (or imply) rinse-off or leave-on'
)


def _pack() -> DataPack:
    pack = pack_or_none()
    if pack is None:
        raise DataPackMissingError(
            "No reference data pack is installed, so formulas cannot be checked; expected one "
            "built with `actives data build`."
        )
    return pack


def _markets(values: list[str]) -> list[str]:
    return [market(v).id for v in values if v.strip()] or list(market_ids())


class IngredientIn(Schema):
    """One formula row: an ingredient (INCI, CAS, Korean, Chinese or Japanese name) or a raw
    material at a percentage of the product."""

    name: str = Field("", description="INCI name, CAS or EC number, or a Korean/Chinese name")
    percent: float = Field(..., gt=0, le=100, description="% w/w of the product")
    raw_material: str | None = Field(
        None, description="Raw material it comes from; expanded when its composition is given"
    )
    function: str | None = Field(
        None, description="Purpose (preservative, UV filter, colorant, ...): picks the list"
    )


class CompositionIn(Schema):
    ingredient: str
    percent: float = Field(..., gt=0, le=100, description="% of the raw material")


class RawMaterialIn(Schema):
    name: str
    composition: list[CompositionIn] = Field(..., min_length=1)


class CheckIn(Schema):
    """A formula to check."""

    name: str = Field("formula", description="Formula name")
    product_type: str = Field(..., description=PRODUCT_HELP)
    markets: list[str] = Field(
        default_factory=list, description=f"Market ids ({MARKETS_TEXT}); empty: all"
    )
    ingredients: list[IngredientIn] = Field(..., min_length=1)
    raw_materials: list[RawMaterialIn] = Field(default_factory=list)


class MarketListOut(Schema):
    id: str
    kind: str
    title: str
    regulation: str
    list_name: str
    rules: int = Field(description="Rules of this list in the data pack")
    unparsed: int = Field(description="Rules whose text was not fully parsed (checked as review)")


class MarketOut(Schema):
    id: str = Field(description="Use in `markets`")
    name_en: str
    name_ko: str
    regulation: str
    inventory: bool = Field(description="An ingredient must be listed (China's IECIC)")
    coverage: str
    lists: list[MarketListOut]
    notes: list[str]
    rule_pack_version: str | None


def _check(formula: Formula, markets: list[str], pack: DataPack) -> dict[str, Any]:
    if len(formula.ingredients) > MAX_INGREDIENTS:
        raise InvalidInputError(
            f"{len(formula.ingredients)} ingredients; expected at most {MAX_INGREDIENTS} per "
            "formula."
        )
    return checker.check_formula(formula, markets, pack).to_dict()


@router.get(
    "/markets", response={200: list[MarketOut], **ERRORS}, summary="Markets and their rule lists"
)
def markets(request: HttpRequest) -> list[dict[str, Any]]:
    """Every market the checker knows, its lists with rule counts in the installed data pack,
    and what is missing (``coverage``, ``notes``)."""
    pack = pack_or_none()
    rules = RulePack.from_pack(pack) if pack is not None else None
    return checker.market_overview(rules)


@router.get("/rules", response={200: dict[str, Any], **ERRORS}, summary="A market's rules")
def rules(request: HttpRequest, market: str, q: str = "", limit: int = 50) -> dict[str, Any]:
    """The rules of ``market`` for ``q`` (an ingredient name, CAS or EC number, resolved to its
    substance; words of rule names when it does not resolve); all rules when ``q`` is empty.
    Each rule has its citation, conditions, original text and whether it was fully parsed."""
    if not 1 <= limit <= 1000:
        raise InvalidInputError(f"limit {limit}; expected 1 to 1000.")
    return checker.find_rules(q, market, _pack(), limit=limit).to_dict()


@router.post(
    "/check",
    response={200: dict[str, Any], **ERRORS},
    summary="Check a formula against markets",
)
def check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    """Per market and ingredient a verdict (prohibited, over_limit, not_in_inventory, unknown,
    allowed_with_conditions, allowed) with the citation, the condition applied and a message;
    the overall verdict per market; allergens; the label (INCI and Korean); unresolved names.
    A market refusing the formula is an answer (200), not an error."""
    formula = Formula(
        payload.name or "formula",
        as_product_type(payload.product_type),
        tuple(
            FormulaIngredient(i.name, i.percent, i.raw_material or None, i.function or None)
            for i in payload.ingredients
        ),
        tuple(payload.markets),
        raw_materials=tuple(
            RawMaterial(m.name, tuple((c.ingredient, c.percent) for c in m.composition))
            for m in payload.raw_materials
        ),
    )
    chosen = _markets(payload.markets)
    return _check(formula, chosen, _pack())


def _read(upload: UploadedFile, what: str) -> tuple[bytes, str]:
    name = (upload.name or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(FORMULA_SUFFIXES):
        raise InvalidFileError(
            f"{name or 'The upload'} is not a {what}; expected a file ending in "
            f"{', '.join(FORMULA_SUFFIXES)}."
        )
    return b"".join(upload.chunks()), name


@router.post(
    "/check/file",
    response={200: dict[str, Any], **ERRORS},
    summary="Check a formula file (CSV or XLSX)",
)
def check_file(
    request: HttpRequest,
    file: File[UploadedFile],
    product_type: Form[str],
    markets: Form[str] = "",
    name: Form[str] = "",
    raw_materials: File[UploadedFile | None] = None,
) -> dict[str, Any]:
    """A formula file: ingredient/INCI (성분명) and percent (함량) columns, optional raw material
    (원료명) and function (배합목적); compositions in a "raw materials" sheet or a second file.
    ``markets`` is comma-separated (empty: all). A row that cannot be read is reported with its
    number, what was there and what was expected (400)."""
    data, filename = _read(file, "formula table")
    extra = _read(raw_materials, "raw-material table")[0] if raw_materials is not None else None
    chosen = _markets(markets.split(","))
    formula = read_formula(
        data,
        product_type,
        name=name or filename.rsplit(".", 1)[0],
        markets=chosen,
        filename=filename,
        raw_materials=extra,
    )
    return _check(formula, chosen, _pack())
