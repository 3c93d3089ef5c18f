"""Check a formula against the markets' rule packs: a verdict per market and ingredient, with the
rule behind it, an overall verdict per market, allergens to declare and the label.

How a substance is judged in one market (every step names the rule it used):

- **Prohibited lists** (EU Annex II, Korea 별표 1, IECIC remarks, ASEAN Annex II, Canada's
  prohibited list): a match is ``prohibited``, unless a permissive rule of the same market
  (restricted, preservative, colorant, UV filter) has a condition that applies to the product:
  the more specific permission then governs within its scope (hydroquinone: EU Annex II entry
  1339 prohibits it "with the exception of entry 14 in Annex III", which allows it in artificial
  nail systems for professional use). A prohibited rule the PDF extraction split (no entry
  number) counts when it matched by CAS or EC number, and asks for review when only by name.
- **Permissive lists** (EU Annexes III-VI, Korea 별표 2, Canada's restricted list): the substance
  may be used only where a condition applies (:attr:`Rule.scoped`). No applicable condition, or
  one with ``max_percent`` 0, is ``prohibited`` in this product; above the applicable maximum
  (the strictest when several apply) is ``over_limit``; otherwise ``allowed_with_conditions``
  with the condition, its label warnings and other conditions. A maximum "expressed as" another
  substance (a salt limited "as acid") is compared as it stands only when the substance is the
  one named; otherwise exceeding it asks for review, since converting by molecular weight is not
  done. Group limits (``sum_rule``) are checked on the sum of the formula's substances that the
  same rule names; substances its wording names from other entries are not summed (said so).
- When a substance is in permissive lists of several kinds (salicylic acid: EU Annex III for
  purposes other than preserving, Annex V as a preservative) the ingredient's declared function
  picks the list; without one, the lists must agree, else the verdict is ``unknown``.
- **Rules whose text was not fully parsed** (:attr:`Rule.parsed` False) are never taken as
  permission: the verdict is ``unknown`` ("needs review"), the message quotes the original text
  and says what the parsed part reads. We chose ``unknown`` over ``allowed_with_conditions``
  because the part not understood may be the one that limits this product (Korea's benzoic acid
  entry: 0.5 % "except" 2.5 % in some rinse-off products).
- **Allergens** (EU Annex III labelling entries, Korea's 25): above the declaration threshold the
  substance is ``allowed_with_conditions`` (declare it), via :func:`label.allergens_to_declare`.
- **Inventories** (China's IECIC): a listed substance is ``allowed``, with the historical maximum
  use as information only; an unlisted one is ``not_in_inventory`` (new-ingredient registration or
  filing with NMPA). IECIC entries remarked "按照《化妆品安全技术规范》要求使用" are restricted by
  the STSC, whose tables are not in the raw data: ``unknown`` (review).
- **Information only**: Korea's notified functional-cosmetic ingredients and Japan's quasi-drug
  actives give notes (ranges for a claim or an approval), never limits.
- **Coverage**: in a market whose restriction lists are not in the data pack (ASEAN: Annex II
  only; Japan: the quasi-drug list only) or whose registered list has no rules in this pack, a
  substance that no prohibited rule names is ``unknown``, never ``allowed``. Unresolved and
  ambiguous names are ``unknown`` with suggestions (rules that name the raw text or its CAS
  number still count, so a refusal is not lost).

A market's overall verdict is the worst of its rows (:class:`Verdict` is ordered worst first).
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actives.errors import InvalidInputError
from actives.knowledge.identifiers import normalize_name
from actives.regulation.formula import (
    Formula,
    FormulaSubstance,
    ProductType,
    RawMaterial,
    expand,
    formula_warnings,
)
from actives.regulation.label import (
    ALLERGEN_THRESHOLDS,
    CI_NUMBER,
    KOREAN_COLOUR,
    AllergenDeclaration,
    Label,
    allergens_to_declare,
    inci_label,
)
from actives.regulation.markets import MARKETS, Market, market, market_ids
from actives.regulation.resolve import NamesSource, Resolution, name_index
from actives.regulation.rulepack import RuleMatch, RulePack
from actives.regulation.rules import (
    SCOPED_KINDS,
    Citation,
    Condition,
    Rule,
    SubstanceKeys,
    inci_key,
)

if TYPE_CHECKING:
    from actives.knowledge.pack import DataPack


class Verdict(StrEnum):
    """What a market's rules say about an ingredient; members are ordered worst first."""

    PROHIBITED = "prohibited"
    OVER_LIMIT = "over_limit"
    NOT_IN_INVENTORY = "not_in_inventory"
    UNKNOWN = "unknown"
    ALLOWED_WITH_CONDITIONS = "allowed_with_conditions"
    ALLOWED = "allowed"

    @property
    def rank(self) -> int:
        """0 for the worst (prohibited) to 5 for the best (allowed)."""
        return _ORDER.index(self)

    @property
    def display(self) -> str:
        """English words for people."""
        return _TITLES[self][0]

    @property
    def display_ko(self) -> str:
        """Korean words for people."""
        return _TITLES[self][1]

    @property
    def refused(self) -> bool:
        """Whether the product cannot be sold as it is (prohibited, over the limit, unlisted)."""
        return self.rank <= Verdict.NOT_IN_INVENTORY.rank


_ORDER: tuple[Verdict, ...] = tuple(Verdict)
_TITLES: dict[Verdict, tuple[str, str]] = {
    Verdict.PROHIBITED: ("Prohibited", "사용 금지"),
    Verdict.OVER_LIMIT: ("Over the limit", "한도 초과"),
    Verdict.NOT_IN_INVENTORY: ("Not in the inventory", "원료 목록에 없음"),
    Verdict.UNKNOWN: ("Unknown: needs review", "판정 불가 (검토 필요)"),
    Verdict.ALLOWED_WITH_CONDITIONS: ("Allowed with conditions", "조건부 허용"),
    Verdict.ALLOWED: ("Allowed", "허용"),
}


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The worst of some verdicts; ``allowed`` when there are none."""
    return min(verdicts, key=lambda v: v.rank, default=Verdict.ALLOWED)


# Markets whose raw data lacks the restriction lists: not being prohibited is not being allowed.
PARTIAL_COVERAGE: dict[str, str] = {
    "ASEAN": "only Annex II (prohibited) is in the data pack; Annexes III-VI (restrictions, "
    "colorants, preservatives, UV filters) are not, so limits were not checked",
    "JP": "only the quasi-drug active list is in the data pack; the Standards for Cosmetics "
    "(化粧品基準) negative and positive lists are not, so Japan's limits were not checked",
}
PARTIAL_COVERAGE_KO: dict[str, str] = {
    "ASEAN": "데이터 팩에는 Annex II(사용 금지)만 있고 Annex III–VI(제한, 색소, 보존제, 자외선 "
    "차단제)는 없어 한도를 확인하지 않았습니다",
    "JP": "데이터 팩에는 의약부외품 유효성분 목록만 있고 화장품기준(化粧品基準)의 "
    "네거티브·포지티브 리스트는 없어 일본의 한도를 확인하지 않았습니다",
}
# Positive lists: a preservative, UV filter or colorant must be one the list names.
POSITIVE_LISTS: dict[str, dict[str, str]] = {
    "EU": {
        "preservative": "Regulation (EC) No 1223/2009, Article 14(1)(d): only the preservatives "
        "of Annex V may be used as preservatives",
        "uv_filter": "Regulation (EC) No 1223/2009, Article 14(1)(e): only the UV filters of "
        "Annex VI may be used as UV filters",
        "colorant": "Regulation (EC) No 1223/2009, Article 14(1)(c): only the colorants of "
        "Annex IV may be used as colorants",
    },
    "KR": {
        "preservative": "화장품법 제8조 제2항: 사용기준이 지정·고시된 원료 외의 보존제는 사용할 수 "
        "없다 (별표 2)",
        "uv_filter": "화장품법 제8조 제2항: 사용기준이 지정·고시된 원료 외의 자외선차단제는 사용할 "
        "수 없다 (별표 2)",
        "colorant": "화장품법 제8조 제2항 (색소): Korea's colorant list (「화장품의 색소 종류와 "
        "기준 및 시험방법」) is not in the data pack, so colorants were not checked",
    },
}
# Words of an ingredient's declared function, English and Korean, to the list that governs it.
FUNCTION_WORDS: dict[str, tuple[str, ...]] = {
    "preservative": ("preservative", "보존", "방부"),
    "uv_filter": ("uv filter", "uv-filter", "uv absorber", "sunscreen agent", "자외선"),
    "colorant": ("colorant", "colourant", "pigment", "착색", "색소"),
}
IECIC_STSC_USE = "按照《化妆品安全技术规范》要求使用"
IECIC_PLANNED_BAN = "拟调整为《化妆品安全技术规范》禁用成分"
IECIC_FORMER_NAME = "曾用名"
NEW_INGREDIENT = "needs new-ingredient registration or filing with NMPA (China)"

_TAG_WORDS = {
    "rinse_off": "rinse-off", "leave_on": "leave-on", "children": "children's",
    "artificial_nails": "artificial nail", "hair_dye": "hair dye",
    "hair_dye_oxidative": "oxidative hair dye", "hair_dye_non_oxidative": "non-oxidative hair dye",
    "eyelash_dye": "eyelash dye", "hair_waving": "hair waving", "self_tanning": "self-tanning",
    "fine_fragrance": "fine fragrance", "eau_de_toilette": "eau de toilette",
    "fragrance_cream": "fragrance cream", "anti_dandruff": "anti-dandruff", "lip": "lip",
    "eye": "eye", "oral": "oral", "hands": "hand", "feet": "foot", "nails": "nail",
}  # fmt: skip
_LEADING = ("children", "rinse_off", "leave_on")
_PURPOSE_KINDS = frozenset({"preservative", "uv_filter", "colorant"})
_ACID = re.compile(r"\bacid\b", re.IGNORECASE)
# Words that make a prohibited-list entry conditional on the material or the use (a threshold or
# an exception the formula cannot show). "With the exception of entry 14 in Annex III" is not
# among them: permissive lists are reconciled with prohibitions explicitly.
_QUALIFIED = re.compile(
    r"초과하는|초과하여|이하인 경우|이하일 경우|넘지 않는 경우|경우[는에]*\s*제외"
    r"|\bexceed(?:s|ing)?\b|\bexcept (?:if|as|when)\b|\bwhen used as\b|peroxide value",
    re.IGNORECASE,
)


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngredientVerdict:
    """One ingredient in one market: verdict, the rule (citation, condition) and plain words.

    ``rules`` are every rule of the market that names the substance; ``citation`` and
    ``condition`` belong to the rule that decided. ``review`` quotes what a person must read
    (original texts of rules not fully parsed); ``notes`` are information (historical use,
    functional-cosmetic ranges, rules that did not decide).
    """

    name: str
    inci: str | None
    percent: float
    verdict: Verdict
    message: str
    citation: Citation | None
    condition: Condition | None
    rules: tuple[Rule, ...]
    label_warnings: tuple[str, ...]
    korean_name: str | None = None
    notes: tuple[str, ...] = ()
    review: tuple[str, ...] = ()

    @property
    def needs_review(self) -> bool:
        return bool(self.review) or self.verdict == Verdict.UNKNOWN


@dataclass(frozen=True)
class MarketCheck:
    """A market's verdicts: the overall one, a row per substance, allergens, notes."""

    market: str
    overall: Verdict
    rows: tuple[IngredientVerdict, ...]
    allergens: tuple[AllergenDeclaration, ...]
    notes: tuple[str, ...]
    summary: str = ""
    notes_ko: tuple[str, ...] = ()  # the notes in Korean, in the same order

    @property
    def info(self) -> Market:
        return market(self.market)


@dataclass(frozen=True)
class FormulaCheck:
    """A formula checked against markets with one rule pack."""

    formula_name: str
    product_type: ProductType
    rule_pack_version: str
    markets: dict[str, MarketCheck]
    substances: tuple[FormulaSubstance, ...]
    label: Label
    unresolved: tuple[Resolution, ...]
    warnings: tuple[str, ...]
    formula_version: int = 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready payload (stored with the formula version and the rule-pack version, and
        compared by :func:`compare_checks`)."""
        return {
            "formula_name": self.formula_name,
            "formula_version": self.formula_version,
            "product_type": self.product_type.describe(),
            "product_tags": sorted(self.product_type.tags),
            "rule_pack_version": self.rule_pack_version,
            "markets": {k: _market_dict(v) for k, v in self.markets.items()},
            "substances": [_substance_dict(s) for s in self.substances],
            "label": _label_dict(self.label),
            "unresolved": [
                {
                    "query": r.query,
                    "status": r.status,
                    "message": r.message,
                    "suggestions": list(r.suggestions),
                }
                for r in self.unresolved
            ],
            "warnings": list(self.warnings),
        }


# -- the check -------------------------------------------------------------------------------


@dataclass
class _Outcome:
    """What one rule (or the lack of one) says about a substance in a market."""

    verdict: Verdict
    message: str
    rule: Rule | None = None
    condition: Condition | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    permits: bool = False  # a condition of a permissive rule applies to this product


def _pct(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return f"{text or '0'} %"


def _exceeds(percent: float, limit: float) -> bool:
    return round(percent, 9) > round(limit, 9)


def _words(tags: Iterable[str]) -> str:
    tags = set(tags)
    lead = [_TAG_WORDS.get(t, t) for t in _LEADING if t in tags]
    rest = sorted(tags - set(_LEADING) - {"professional", "spray"})
    words = [*lead, *(_TAG_WORDS.get(t, t.replace("_", " ")) for t in rest)]
    if "spray" in tags:
        words.append("spray")
    text = " ".join(words + ["products"])
    return text + (" for professional use" if "professional" in tags else "")


def scope_text(condition: Condition) -> str:
    """A condition's product scope in words: ``rinse-off hair products``, ``other products``."""
    text = _words(condition.product_scope) if condition.product_scope else "all products"
    if condition.otherwise:
        text = "other " + (text if condition.product_scope else "products")
    if condition.excluded_scope:
        text += " (not " + ", ".join(_words([t]) for t in sorted(condition.excluded_scope)) + ")"
    return text


def limit_text(condition: Condition) -> str:
    """``max 0.5 % as salicylic acid``, ``2-5 %``, or ``no maximum``."""
    if condition.max_percent is None:
        text = "no maximum"
    elif condition.min_percent is not None and condition.min_percent != condition.max_percent:
        text = f"{_pct(condition.min_percent)[:-2]}-{_pct(condition.max_percent)}"
    else:
        text = f"max {_pct(condition.max_percent)}"
    return text + (f" as {condition.expressed_as}" if condition.expressed_as else "")


def product_text(product_type: ProductType) -> str:
    """``a leave-on face product``: the product in the words of a message."""
    tags = set(product_type.tags) - {"professional"}
    text = _words(tags)[: -len(" products")] + " product"
    if product_type.professional:
        text += " for professional use"
    return ("an " if text[0] in "aeio" else "a ") + text


def short_citation(rule: Rule) -> str:
    """``EU Annex V entry 57``, ``KR 별표 2 (table 1, row 11)``."""
    c = rule.citation
    entry = c.entry
    if not entry:
        return f"{rule.market} {c.list_name}"
    if entry[0].isdigit() or re.fullmatch(r"[A-Z]?\d+[a-z]?", entry):
        return f"{rule.market} {c.list_name} entry {entry}"
    return f"{rule.market} {c.list_name} ({entry})"


def _quote(text: str, limit: int = 300) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _function_kinds(substance: FormulaSubstance) -> set[str]:
    kinds: set[str] = set()
    for function in substance.functions:
        text = function.casefold()
        for kind, words in FUNCTION_WORDS.items():
            if any(w in text for w in words):
                kinds.add(kind)
    names = [substance.name, *(c.name for c in substance.contributions)]
    if any(CI_NUMBER.match(n) or KOREAN_COLOUR.search(n) for n in names):
        kinds.add("colorant")
    return kinds


def _names_substance(expressed_as: str, substance: FormulaSubstance) -> bool:
    """Whether a limit "as X" is a limit on the substance itself (so no conversion is needed)."""
    wanted = normalize_name(expressed_as)
    keys = substance.resolution.substance
    own = {normalize_name(substance.name)}
    if keys is not None:
        own |= keys.name_keys()
    if wanted in own:
        return True
    # "(acid)", "as free acid": the acid itself is meant, not its salts or esters
    return bool(_ACID.search(expressed_as)) and substance.name.strip().upper().endswith("ACID")


def _unparsed(rule: Rule, substance: FormulaSubstance, tags: frozenset[str]) -> _Outcome:
    applicable = rule.applicable_conditions(tags)
    parsed_part = (
        "; ".join(f"{scope_text(c)}: {limit_text(c)}" for c in applicable)
        if applicable
        else "no condition for this product"
    )
    message = (
        f"{substance.name} {_pct(substance.percent)}: {short_citation(rule)} needs review; its "
        f"text was not fully parsed ({rule.unparsed_reason or 'reason not recorded'}). The parsed "
        f"part reads: {parsed_part}."
    )
    return _Outcome(
        Verdict.UNKNOWN,
        message,
        rule,
        applicable[0] if applicable else None,
        review=[f"{short_citation(rule)}: {_quote(rule.original_text) or '(no text)'}"],
    )


def _permissive(rule: Rule, substance: FormulaSubstance, product: ProductType) -> _Outcome:
    """A restricted/preservative/colorant/UV-filter rule on this product."""
    tags = product.tags
    if not rule.parsed:
        return _unparsed(rule, substance, tags)
    cite = short_citation(rule)
    head = f"{substance.name} {_pct(substance.percent)} in {product_text(product)}"
    if not rule.conditions:
        return _Outcome(
            Verdict.ALLOWED,
            f"{head}: listed in {cite} without conditions",
            rule,
            permits=True,
        )
    applicable = rule.applicable_conditions(tags)
    if not applicable:
        allowed = [c for c in rule.conditions if c.max_percent != 0]
        where = "; ".join(f"{scope_text(c)} ({limit_text(c)})" for c in allowed)
        text = f"allows it only in {where}" if allowed else "allows it in no product"
        return _Outcome(Verdict.PROHIBITED, f"{head}: {cite} {text}", rule, rule.conditions[0])
    banned = [c for c in applicable if c.max_percent == 0]
    if banned:
        return _Outcome(
            Verdict.PROHIBITED,
            f"{head}: {cite} does not allow it in {scope_text(banned[0])}"
            + (f" ('{_quote(banned[0].text, 160)}')" if banned[0].text else ""),
            rule,
            banned[0],
        )
    limits = [c for c in applicable if c.max_percent is not None]
    decisive = min(limits, key=lambda c: c.max_percent or 0.0) if limits else applicable[0]
    warnings = [c.label_warning for c in applicable if c.label_warning]
    others = [c.other for c in applicable if c.other]
    notes = [f"{cite}: {o}" for o in others]
    for c in applicable:
        if c.label_above_percent is not None and _exceeds(substance.percent, c.label_above_percent):
            warnings.append(
                f"Declare {substance.name} in the ingredient list (above "
                f"{_pct(c.label_above_percent)}, {cite})"
            )
        if c.sum_rule:
            notes.append(f"{cite}: group limit: {_quote(c.sum_rule, 200)}")
    if decisive.max_percent is not None and _exceeds(substance.percent, decisive.max_percent):
        limit = f"at most {_pct(decisive.max_percent)}"
        if decisive.expressed_as and not _names_substance(decisive.expressed_as, substance):
            return _Outcome(
                Verdict.UNKNOWN,
                f"{head}: {cite} allows {limit} as {decisive.expressed_as} in "
                f"{scope_text(decisive)}; {_pct(substance.percent)} of {substance.name} may be "
                f"less as {decisive.expressed_as}: convert it (the checker does not convert by "
                "molecular weight)",
                rule,
                decisive,
                warnings,
                notes,
                review=[f"{cite}: convert to {decisive.expressed_as} and compare"],
                permits=True,
            )
        as_what = f" as {decisive.expressed_as}" if decisive.expressed_as else ""
        return _Outcome(
            Verdict.OVER_LIMIT,
            f"{head}: {cite} allows {limit}{as_what} in {scope_text(decisive)}",
            rule,
            decisive,
            warnings,
            notes,
            permits=True,
        )
    if not any(map(_substantive, applicable)):
        return _Outcome(
            Verdict.ALLOWED,
            f"{head}: listed in {cite} ({scope_text(decisive)}, no limit or condition)",
            rule,
            decisive,
            permits=True,
        )
    within = f"within {limit_text(decisive)}" if decisive.max_percent is not None else "no maximum"
    return _Outcome(
        Verdict.ALLOWED_WITH_CONDITIONS,
        f"{head}: {cite} allows it in {scope_text(decisive)} ({within})"
        + (f"; label: {'; '.join(warnings)}" if warnings else "")
        + (f"; {'; '.join(others)}" if others else ""),
        rule,
        decisive,
        warnings,
        notes,
        permits=True,
    )


def _substantive(condition: Condition) -> bool:
    """Whether a condition says anything (a limit, a scope, a warning, other text)."""
    c = condition
    return bool(
        c.product_scope or c.excluded_scope or c.label_warning or c.other or c.sum_rule
    ) or any(v is not None for v in (c.max_percent, c.min_percent, c.label_above_percent))


def _prohibited(match: RuleMatch, substance: FormulaSubstance) -> _Outcome:
    rule = match.rule
    cite = short_citation(rule)
    text = f" ('{_quote(rule.original_text, 200)}')" if rule.original_text else ""
    if not rule.parsed and match.by == "name":
        return _Outcome(
            Verdict.UNKNOWN,
            f"{substance.name}: {cite} may prohibit it; the entry matched by name only and its "
            f"text was not fully parsed ({rule.unparsed_reason}): needs review{text}",
            rule,
            review=[f"{cite}: {_quote(rule.original_text) or '(no text)'}"],
        )
    qualified = next(
        (t for t in (*rule.names, rule.original_text) if t and _QUALIFIED.search(t)), None
    )
    if qualified:
        text = f" ('{_quote(qualified, 200)}')"
        # "d-limonene with a peroxide value above 20 mmol/L", "... except when naturally
        # contained": the entry prohibits the substance only as qualified, which the formula
        # cannot show.
        return _Outcome(
            Verdict.UNKNOWN,
            f"{substance.name}: {cite} prohibits it only as qualified{text}: check whether the "
            "material or use falls under it (needs review)",
            rule,
            review=[f"{cite}: {_quote(' / '.join(rule.names) or rule.original_text)}"],
        )
    outcome = _Outcome(Verdict.PROHIBITED, f"{substance.name}: prohibited by {cite}{text}", rule)
    if not rule.parsed:
        outcome.notes.append(f"{cite}: {rule.unparsed_reason}; matched by {match.by.upper()}")
    return outcome


def _allergen(rule: Rule, substance: FormulaSubstance, product: ProductType) -> _Outcome | None:
    thresholds = [
        c for c in rule.applicable_conditions(product.tags) if c.label_above_percent is not None
    ]
    if thresholds:
        condition: Condition | None = min(thresholds, key=lambda c: c.label_above_percent or 0.0)
        assert condition is not None and condition.label_above_percent is not None
        threshold, source = condition.label_above_percent, short_citation(rule)
    elif rule.market in ALLERGEN_THRESHOLDS:
        constant = ALLERGEN_THRESHOLDS[rule.market]
        threshold = constant.rinse_off if product.rinse_off else constant.leave_on
        condition, source = None, constant.citation
    else:
        return None
    if _exceeds(substance.percent, threshold):
        warning = (
            f"Declare {substance.name} in the ingredient list: {_pct(substance.percent)} is above "
            f"{_pct(threshold)} ({source})"
        )
        return _Outcome(
            Verdict.ALLOWED_WITH_CONDITIONS, warning, rule, condition, [warning], permits=True
        )
    return _Outcome(
        Verdict.ALLOWED,
        f"{substance.name}: allergen of {short_citation(rule)}, {_pct(substance.percent)} is not "
        f"above the declaration threshold {_pct(threshold)}",
        rule,
        condition,
    )


def _inventory(
    rules: list[Rule], substance: FormulaSubstance, product: ProductType, m: Market
) -> _Outcome:
    listed = [r for r in rules if r.kind == "inventory"]
    if not listed:
        list_name = next((x.list_name for x in m.lists if x.kind == "inventory"), "inventory")
        return _Outcome(
            Verdict.NOT_IN_INVENTORY,
            f"{substance.name}: not in {m.id} {list_name}; {NEW_INGREDIENT}",
        )
    rule = listed[0]
    cite = short_citation(rule)
    outcome = _Outcome(Verdict.ALLOWED, f"{substance.name}: listed in {cite}", rule, permits=True)
    history = rule.original_text.split("; 备注")[0].strip()
    if history and not history.startswith("备注"):
        outcome.notes.append(f"{cite}: {history} (informative, not a limit)")
        kind = "淋洗类" if product.rinse_off else "驻留类"
        found = re.search(rf"{kind}最高历史使用量\s*([\d.]+)", history)
        if found and _exceeds(substance.percent, float(found.group(1))):
            outcome.notes.append(
                f"{_pct(substance.percent)} is above the highest historical use listed "
                f"({found.group(1)} %); the safety assessment cannot rest on that use history"
            )
    remarks = {c.other for r in listed for c in r.conditions if c.other}
    if IECIC_STSC_USE in remarks:
        outcome = _Outcome(
            Verdict.UNKNOWN,
            f"{substance.name}: {cite} says '{IECIC_STSC_USE}' (use as China's STSC "
            "化妆品安全技术规范 requires); the STSC tables are not in the data pack: check the "
            "STSC limits",
            rule,
            notes=outcome.notes,
            review=[f"{cite}: {IECIC_STSC_USE}"],
            permits=True,
        )
    elif IECIC_PLANNED_BAN in remarks:
        warning = f"{cite}: {IECIC_PLANNED_BAN} (to be prohibited by the STSC)"
        outcome.verdict = Verdict.ALLOWED_WITH_CONDITIONS
        outcome.message += f"; {IECIC_PLANNED_BAN}: planned to be prohibited by the STSC"
        outcome.notes.append(warning)
    else:
        outcome.notes += [f"{cite}: 备注 {r}" for r in sorted(remarks) if r != IECIC_FORMER_NAME]
    return outcome


def _information(rule: Rule, substance: FormulaSubstance) -> str | None:
    """Notes from Korea's functional-ingredient list and Japan's quasi-drug list."""
    cite = rule.citation.text()
    if rule.kind == "functional_active":
        if rule.rule_id.split("/")[-1].startswith("uv-"):
            return None  # the 별표 2 UV-filter row itself decides; this copy adds nothing
        bits = []
        for c in rule.conditions:
            if c.min_percent is not None or c.max_percent is not None:
                low = c.min_percent if c.min_percent is not None else c.max_percent
                high = c.max_percent if c.max_percent is not None else c.min_percent
                assert low is not None and high is not None
                inside = low - 1e-9 <= substance.percent <= high + 1e-9
                bits.append(
                    f"notified at {limit_text(c).removeprefix('max ')} "
                    f"({'within' if inside else 'outside'} it at {_pct(substance.percent)})"
                )
            elif c.other:
                bits.append(c.other)
        return (
            f"KR functional cosmetics: {substance.name} is a notified ingredient "
            f"({'; '.join(bits) or rule.original_text}) — for a functional claim, not a limit "
            f"[{cite}]"
        )
    if rule.kind == "quasi_drug_active":
        ranges = "; ".join(f"{scope_text(c)} {limit_text(c)}" for c in rule.conditions)
        return (
            f"JP: {substance.name} is a quasi-drug active ({ranges or _quote(rule.original_text)})"
            f" — an approval precedent for medicated cosmetics, not a limit [{cite}]"
        )
    return None


_SLASH = re.compile(r"\s*/\s*")
_SPACED_SLASH = re.compile(r"\s/|/\s")
_SPLIT_INDEXES: weakref.WeakKeyDictionary[RulePack, dict[tuple[str, str], list[Rule]]] = (
    weakref.WeakKeyDictionary()
)
_SPLIT_LOCK = threading.Lock()


def _listed_parts(name: str, known_inci: Collection[str]) -> list[str]:
    """The names in an INCI cell joined by "/" that are several substances: a CI number and its
    name ("TITANIUM DIOXIDE/CI 77891"), a slash with spaces ("CI 42051 /ACID BLUE 3"), or
    known INCI names that are not polymers ("BUTYLPARABEN/PROPYLPARABEN"). Copolymers and
    botanicals ("STYRENE/ACRYLATES COPOLYMER", "PINUS NIGRA BUD/NEEDLE EXTRACT") stay whole."""
    parts = [p for p in _SLASH.split(name) if sum(ch.isalpha() for ch in p) >= 2]
    if len(parts) < 2:
        return []
    if any(CI_NUMBER.match(p) for p in parts) or _SPACED_SLASH.search(name):
        return parts
    if any("POLYMER" in p.upper() for p in parts):
        return []
    return parts if all(inci_key(p) in known_inci for p in parts) else []


def _split_index(rule_pack: RulePack, pack: NamesSource) -> dict[tuple[str, str], list[Rule]]:
    """Rules by the names inside INCI cells the rule pack keeps whole (built once per pack)."""
    with _SPLIT_LOCK:
        found = _SPLIT_INDEXES.get(rule_pack)
        if found is not None:
            return found
        known = name_index(pack).by_inci.keys()
        index: dict[tuple[str, str], list[Rule]] = {}
        for rule in rule_pack:
            own = {normalize_name(n) for n in rule.names}
            for name in rule.inci:
                if "/" not in name:
                    continue
                for part in _listed_parts(name, known):
                    key = normalize_name(part)
                    if key not in own:
                        index.setdefault((rule.market, key), []).append(rule)
        _SPLIT_INDEXES[rule_pack] = index
        return index


def _matches(
    rule_pack: RulePack,
    market_id: str,
    keys: SubstanceKeys,
    split: Mapping[tuple[str, str], list[Rule]],
) -> list[RuleMatch]:
    """The rule pack's matches, plus rules naming the substance inside a "/"-joined INCI cell."""
    found = rule_pack.matches(market_id, keys)
    seen = {m.rule.rule_id for m in found}
    for name in sorted(keys.name_keys()):
        for rule in split.get((market_id, name), ()):
            if rule.rule_id not in seen:
                seen.add(rule.rule_id)
                found.append(RuleMatch(rule, "name"))
    return found


def _keys_for(substance: FormulaSubstance) -> SubstanceKeys:
    """What rules can match: the resolved substance, else the raw names and any CAS number."""
    resolution = substance.resolution
    if resolution.resolved and resolution.substance is not None:
        return resolution.substance
    names = [substance.name, *(c.name for c in substance.contributions)]
    keys = SubstanceKeys.of(inci=names, cas=names, ec=names, other=names)
    if resolution.substance is not None:
        keys = SubstanceKeys(
            cas=keys.cas | resolution.substance.cas,
            ec=keys.ec | resolution.substance.ec,
            inci=keys.inci,
            other=keys.other,
        )
    return keys


def _combine_permissive(
    outcomes: list[_Outcome], functions: set[str], substance: FormulaSubstance
) -> _Outcome | None:
    """One outcome from the permissive rules: by the declared function's list, else agreed."""
    if not outcomes:
        return None
    by_kind: dict[str, list[_Outcome]] = {}
    for o in outcomes:
        assert o.rule is not None
        by_kind.setdefault(o.rule.kind, []).append(o)
    chosen = {k: v for k, v in by_kind.items() if k in functions}
    if not chosen and substance.functions:
        # A declared purpose that is not preserving, filtering UV or colouring: the lists of
        # those purposes do not govern it (EU Art. 2(1) defines them by intended purpose).
        chosen = {k: v for k, v in by_kind.items() if k not in _PURPOSE_KINDS}
        if not chosen:
            first = by_kind[sorted(by_kind)[0]][0]
            assert first.rule is not None
            lists = ", ".join(
                f"{short_citation(o.rule)} ({o.rule.kind.replace('_', ' ')})"
                for group in by_kind.values()
                for o in group
                if o.rule is not None
            )
            return _Outcome(
                Verdict.ALLOWED_WITH_CONDITIONS,
                f"{substance.name}: named by {lists}, whose conditions govern that purpose; its "
                f"declared function is {', '.join(substance.functions)}: allowed on condition it "
                "is not used for that purpose",
                first.rule,
                notes=[o.message for group in by_kind.values() for o in group],
                permits=False,
            )
    chosen = chosen or by_kind
    best: list[_Outcome] = []
    for group in chosen.values():
        parsed = [o for o in group if o.rule is not None and o.rule.parsed]
        unparsed = [o for o in group if o.rule is not None and not o.rule.parsed]
        # Within one list, permission by any entry counts; an entry not understood needs review.
        # ties go to the entry naming fewest substances (MIT's own entry V/57 before V/39,
        # the MCI/MI mixture)
        pick = (
            max(parsed, key=lambda o: (o.verdict.rank, -_breadth(o.rule)))
            if parsed
            else unparsed[0]
        )
        if parsed and unparsed:
            pick.review += [r for u in unparsed for r in u.review]
            pick.notes += [u.message for u in unparsed]
            if pick.verdict.rank > Verdict.UNKNOWN.rank:
                pick = _with_verdict(pick, Verdict.UNKNOWN, unparsed[0].message)
        best.append(pick)
    if len(best) == 1:
        return best[0]
    permitted = [o for o in best if o.verdict.rank > Verdict.UNKNOWN.rank]
    refused = [o for o in best if o.verdict.rank < Verdict.UNKNOWN.rank]
    ordered = sorted(best, key=lambda o: o.verdict.rank)
    # One list permitting the use is enough: with none permitting, the nearest to a permission
    # (over a limit rather than outside every scope) speaks; with all permitting, the strictest.
    head = ordered[0] if permitted else ordered[-1]
    for other in ordered:
        if other is head:
            continue
        head.notes.append(other.message)
        head.warnings += [w for w in other.warnings if w not in head.warnings]
        head.review += other.review
    if permitted and refused:
        kinds = " / ".join(sorted(k.replace("_", " ") for k in chosen))
        return _with_verdict(
            head,
            Verdict.UNKNOWN,
            f"{substance.name}: the verdict depends on its purpose ({kinds}): "
            + "; ".join(o.message for o in ordered)
            + ". Give the ingredient's function to decide.",
        )
    return head


def _breadth(rule: Rule | None) -> int:
    """How many substances an entry names (its CAS numbers and INCI names): fewer is more
    specific."""
    return 0 if rule is None else len(rule.cas) + len(rule.inci)


def _with_verdict(outcome: _Outcome, verdict: Verdict, message: str) -> _Outcome:
    return _Outcome(
        verdict,
        message,
        outcome.rule,
        outcome.condition,
        list(outcome.warnings),
        [*outcome.notes, outcome.message] if outcome.message != message else list(outcome.notes),
        list(outcome.review),
        outcome.permits,
    )


@dataclass
class _Row:
    substance: FormulaSubstance
    outcomes: list[_Outcome]
    rules: list[Rule]
    notes: list[str]


def _judge(
    substance: FormulaSubstance,
    m: Market,
    rule_pack: RulePack,
    product: ProductType,
    missing_lists: Sequence[str],
    split: Mapping[tuple[str, str], list[Rule]],
) -> _Row:
    """Every outcome the market's rules give for one substance."""
    keys = _keys_for(substance)
    matches = _matches(rule_pack, m.id, keys, split) if keys else []
    rules = [x.rule for x in matches]
    outcomes: list[_Outcome] = []
    notes: list[str] = []
    resolution = substance.resolution
    if not resolution.resolved:
        suggestions = (
            f"; did you mean {', '.join(resolution.suggestions[:5])}?"
            if resolution.suggestions
            else ""
        )
        outcomes.append(
            _Outcome(
                Verdict.UNKNOWN,
                f"{substance.name}: name {resolution.status} ({resolution.message.rstrip('.')})"
                + ("" if "did you mean" in resolution.message else suggestions),
            )
        )
    elif resolution.method == "fuzzy":
        notes.append(f"{substance.name}: name {resolution.message}")
    functions = _function_kinds(substance)
    prohibited = [x for x in matches if x.rule.kind == "prohibited"]
    permissive = [
        _permissive(x.rule, substance, product) for x in matches if x.rule.kind in SCOPED_KINDS
    ]
    combined = _combine_permissive(permissive, functions, substance)
    if prohibited:
        bans = sorted(
            (_prohibited(x, substance) for x in prohibited),
            key=lambda o: (o.verdict.rank, _breadth(o.rule)),
        )
        if combined is not None and combined.permits:
            # The more specific permission governs within its scope (Annex II vs Annex III).
            for ban in bans:
                combined.notes.append(
                    f"{ban.message}; {short_citation(combined.rule) if combined.rule else ''} "
                    "permits it in this product, which governs within its scope"
                )
            outcomes.append(combined)
        else:
            if combined is not None:
                for ban in bans:
                    if ban.verdict == Verdict.PROHIBITED:
                        ban.message += f"; {combined.message.split(': ', 1)[-1]}"
                outcomes.extend(bans)
                if combined.verdict == Verdict.UNKNOWN:
                    outcomes.append(combined)
            else:
                outcomes.extend(bans)
    elif combined is not None:
        outcomes.append(combined)
    for x in matches:
        if x.rule.kind == "allergen":
            found = _allergen(x.rule, substance, product)
            if found is not None:
                outcomes.append(found)
        elif x.rule.kind in ("functional_active", "quasi_drug_active"):
            note = _information(x.rule, substance)
            if note and note not in notes:
                notes.append(note)
    if m.inventory:
        listed = _inventory(rules, substance, product, m)
        if listed.verdict == Verdict.NOT_IN_INVENTORY and not resolution.resolved:
            listed = _Outcome(
                Verdict.UNKNOWN,
                f"{substance.name}: the name is not resolved, so whether "
                f"{listed.message.split(' not in ', 1)[-1].split(';')[0]} lists it is not known; "
                f"if it is listed under no other name, it {NEW_INGREDIENT}",
            )
        outcomes.append(listed)
    # Positive lists: a declared preservative, UV filter or colorant must be in its list.
    for kind in sorted(functions):
        rule_text = POSITIVE_LISTS.get(m.id, {}).get(kind)
        if rule_text is None or any(r.kind == kind for r in rules):
            continue
        what = kind.replace("_", " ")
        outcomes.append(
            _Outcome(
                Verdict.UNKNOWN,
                f"{substance.name} is declared or named as a {what} but no {m.id} list of "
                f"{what}s names it ({rule_text}): check its purpose",
                review=[rule_text],
            )
        )
    decided = any(
        o.rule is not None and o.rule.kind != "allergen" and o.verdict != Verdict.UNKNOWN
        for o in outcomes
    )
    if not decided and resolution.resolved:
        gap = PARTIAL_COVERAGE.get(m.id)
        if gap is None and missing_lists:
            gap = f"list(s) {', '.join(missing_lists)} have no rules in the data pack"
        if gap is not None and not any(o.verdict == Verdict.UNKNOWN for o in outcomes):
            outcomes.append(
                _Outcome(
                    Verdict.UNKNOWN,
                    f"{substance.name}: not prohibited by the {m.id} lists of the data pack, "
                    f"but {gap}",
                )
            )
        elif gap is None and not outcomes:
            lists = ", ".join(x.list_name for x in m.lists if x.kind not in _INFO_KINDS)
            outcomes.append(
                _Outcome(
                    Verdict.ALLOWED, f"{substance.name}: in none of the {m.id} lists ({lists})"
                )
            )
    return _Row(substance, outcomes, rules, notes)


_INFO_KINDS = frozenset({"functional_active", "quasi_drug_active", "allergen"})


def _sum_key(rule: Rule, condition: Condition) -> tuple[str, str]:
    """Conditions with the same group-limit wording in one list are one group (EU Annex III's
    fluorine compounds: "total F concentration must not exceed 0,15 %" in each entry)."""
    wording = re.sub(r"[\s,.]", "", (condition.sum_rule or "").casefold())
    return rule.list_id, wording


def _sum_rules(rows: list[_Row], product: ProductType) -> None:
    """Group limits: the formula's substances that one rule (or entries of one list with the
    same group wording) names, summed against the maximum."""
    groups: dict[tuple[str, str], list[tuple[_Row, Rule, Condition]]] = {}
    for row in rows:
        for rule in row.rules:
            if not rule.parsed or rule.kind not in SCOPED_KINDS:
                continue
            for c in rule.applicable_conditions(product.tags):
                if c.sum_rule and c.max_percent is not None:
                    groups.setdefault(_sum_key(rule, c), []).append((row, rule, c))
    for members in groups.values():
        seen: dict[int, tuple[_Row, Rule, Condition]] = {}
        for row, rule, c in members:
            seen.setdefault(id(row), (row, rule, c))
        group = list(seen.values())
        total = math.fsum(row.substance.percent for row, _r, _c in group)
        names = ", ".join(row.substance.name for row, _r, _c in group)
        limit = min(c.max_percent or 0.0 for _row, _r, c in group)
        for row, rule, c in group:
            cite = short_citation(rule)
            wording = f"{cite}: group limit '{_quote(c.sum_rule or '', 160)}'"
            if len(group) > 1 and _exceeds(total, limit):
                converted = c.expressed_as and not _names_substance(c.expressed_as, row.substance)
                verdict = Verdict.UNKNOWN if converted else Verdict.OVER_LIMIT
                message = (
                    f"{row.substance.name}: {wording} ({_pct(limit)}"
                    + (f" as {c.expressed_as}" if c.expressed_as else "")
                    + f" in {scope_text(c)}); {names} add up to {_pct(total)}"
                    + (
                        f": convert to {c.expressed_as} and compare (not done by the checker)"
                        if converted
                        else ""
                    )
                )
                review = [f"{cite}: sum of {names} as {c.expressed_as}"] if converted else []
                row.outcomes.append(_Outcome(verdict, message, rule, c, review=review))
            else:
                row.notes.append(
                    f"{wording}: the formula's substances it groups ({names}) add up to "
                    f"{_pct(total)}; substances its wording names that no entry of the list "
                    "with this wording names were not summed"
                )


def _verdict_row(row: _Row) -> IngredientVerdict:
    s = row.substance
    outcomes = sorted(row.outcomes, key=lambda o: o.verdict.rank)
    if not outcomes:  # nothing applied (an unresolved name with no rule, covered elsewhere)
        outcomes = [_Outcome(Verdict.UNKNOWN, f"{s.name}: could not be decided")]
    head = outcomes[0]
    notes = [*head.notes]
    warnings: list[str] = []
    review: list[str] = []
    for o in outcomes:
        warnings += [w for w in o.warnings if w not in warnings]
        review += [r for r in o.review if r not in review]
        if o is not head:
            notes += [o.message, *o.notes]
    notes += row.notes
    return IngredientVerdict(
        name=s.name,
        inci=s.resolution.display_name,
        percent=s.percent,
        verdict=head.verdict,
        message=head.message,
        citation=head.rule.citation if head.rule is not None else None,
        condition=head.condition,
        rules=tuple(row.rules),
        label_warnings=tuple(warnings),
        korean_name=s.korean_name,
        notes=tuple(dict.fromkeys(n for n in notes if n)),
        review=tuple(review),
    )


def _summary(m: Market, overall: Verdict, rows: Sequence[IngredientVerdict]) -> str:
    counts = {v: [r.name for r in rows if r.verdict == v] for v in Verdict}
    bits = [
        f"{len(names)} {v.display.lower()} "
        f"({', '.join(names[:4])}{', …' if len(names) > 4 else ''})"
        for v, names in counts.items()
        if names and v != Verdict.ALLOWED
    ]
    return f"{m.id}: {overall.display}" + (f" — {'; '.join(bits)}" if bits else "")


_MISSING_KO = (
    "목록 {lists}은(는) 데이터 팩 {version}에 규칙이 없어, 그 목록이 정하는 바는 확인하지 "
    "못했습니다."
)
# Positive lists the data pack lacks, in Korean (market, kind); others fall back to English.
_NOT_CHECKED_KO = {
    ("KR", "colorant"): "화장품법 제8조 제2항 (색소): 「화장품의 색소 종류와 기준 및 시험방법」 "
    "목록이 데이터 팩에 없어 색소는 확인하지 않았습니다",
}


def _market_notes(
    m: Market, rule_pack: RulePack, missing: Sequence[str]
) -> tuple[list[str], list[str]]:
    """A market's notes in English and the same notes in Korean (pages in Korean show those)."""
    notes: list[str] = []
    korean: list[str] = []
    if m.id in PARTIAL_COVERAGE:
        notes.append(f"{m.id}: {PARTIAL_COVERAGE[m.id]}.")
        korean.append(f"{m.id}: {PARTIAL_COVERAGE_KO[m.id]}.")
    if missing:
        notes.append(
            f"{m.id}: list(s) {', '.join(missing)} have no rules in data pack {rule_pack.version}; "
            "what they would say was not checked."
        )
        korean.append(
            f"{m.id}: " + _MISSING_KO.format(lists=", ".join(missing), version=rule_pack.version)
        )
    notes += [f"{m.id}: {n}" for n in m.notes]
    korean += [f"{m.id}: {n}" for n in (m.notes_ko or m.notes)]
    for kind, text in POSITIVE_LISTS.get(m.id, {}).items():
        if "not in the data pack" in text:
            notes.append(f"{m.id}: {text}.")
            korean.append(f"{m.id}: {_NOT_CHECKED_KO.get((m.id, kind), text)}.")
    return notes, korean


def check_formula(
    formula: Formula,
    markets: Sequence[str] = (),
    pack: DataPack | None = None,
    *,
    rules: RulePack | None = None,
    raw_materials: Iterable[RawMaterial] | None = None,
) -> FormulaCheck:
    """Check a formula in each market: a verdict per substance with the rule behind it.

    ``markets`` empty means the formula's own, or every registered market. ``rules`` defaults
    to the pack's rule pack (:meth:`RulePack.from_pack`); ``raw_materials`` None means the
    formula's own compositions. Unresolved names are kept (verdict ``unknown``), never dropped.
    """
    if pack is None:
        raise InvalidInputError(
            "check_formula needs a data pack (for ingredient names and rules); build one with "
            "`actives data build`."
        )
    chosen = [market(x).id for x in (markets or formula.markets or market_ids())]
    chosen = list(dict.fromkeys(chosen))
    rule_pack = rules if rules is not None else RulePack.from_pack(pack)
    substances = expand(formula, raw_materials, pack)
    product = formula.product_type
    present = _lists_present(rule_pack)
    split = _split_index(rule_pack, pack)
    results: dict[str, MarketCheck] = {}
    allergen_rules: list[Rule] = []
    for market_id in chosen:
        m = MARKETS.get(market_id)
        missing = [x.id for x in m.lists if x.id not in present]
        rows = [_judge(s, m, rule_pack, product, missing, split) for s in substances]
        _sum_rules(rows, product)
        verdicts = tuple(_verdict_row(r) for r in rows)
        market_rules = [r for row in rows for r in row.rules]
        allergen_rules += market_rules
        declared = allergens_to_declare(substances, product, market_rules)
        overall = worst(v.verdict for v in verdicts)
        notes, notes_ko = _market_notes(m, rule_pack, missing)
        results[market_id] = MarketCheck(
            market_id,
            overall,
            verdicts,
            tuple(declared),
            tuple(notes),
            _summary(m, overall, verdicts),
            tuple(notes_ko),
        )
    label = inci_label(substances, product, pack, allergen_rules=_unique(allergen_rules))
    warnings = formula_warnings(formula, raw_materials)
    unresolved = tuple(s.resolution for s in substances if not s.resolution.resolved)
    for r in unresolved:
        warnings.append(f"{r.query!r}: {r.message}")
    return FormulaCheck(
        formula.name,
        product,
        rule_pack.version,
        results,
        tuple(substances),
        label,
        unresolved,
        tuple(warnings),
        formula.version,
    )


_PRESENT: weakref.WeakKeyDictionary[RulePack, frozenset[str]] = weakref.WeakKeyDictionary()


def _lists_present(rule_pack: RulePack) -> frozenset[str]:
    """The ids of the lists that have rules in the pack (computed once per rule pack)."""
    found = _PRESENT.get(rule_pack)
    if found is None:
        found = _PRESENT[rule_pack] = frozenset(r.list_id for r in rule_pack)
    return found


def _unique(rules: Iterable[Rule]) -> list[Rule]:
    return list({r.rule_id: r for r in rules}.values())


# -- payloads --------------------------------------------------------------------------------


def citation_dict(citation: Citation | None) -> dict[str, str] | None:
    if citation is None:
        return None
    return {
        "regulation": citation.regulation,
        "list_name": citation.list_name,
        "entry": citation.entry,
        "notice": citation.notice,
        "date": citation.date,
        "source_file": citation.source_file,
        "text": citation.text(),
    }


def condition_dict(condition: Condition | None) -> dict[str, Any] | None:
    if condition is None:
        return None
    return {
        "product_scope": sorted(condition.product_scope),
        "excluded_scope": sorted(condition.excluded_scope),
        "otherwise": condition.otherwise,
        "max_percent": condition.max_percent,
        "min_percent": condition.min_percent,
        "expressed_as": condition.expressed_as,
        "sum_rule": condition.sum_rule,
        "label_above_percent": condition.label_above_percent,
        "label_warning": condition.label_warning,
        "other": condition.other,
        "text": condition.text,
        "describe": f"{scope_text(condition)}: {limit_text(condition)}",
    }


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "rule_id": rule.rule_id,
        "market": rule.market,
        "list_id": rule.list_id,
        "kind": rule.kind,
        "name": rule.name,
        "citation": citation_dict(rule.citation),
        "short_citation": short_citation(rule),
        "parsed": rule.parsed,
        "unparsed_reason": rule.unparsed_reason,
        "original_text": rule.original_text,
        "conditions": [condition_dict(c) for c in rule.conditions],
    }


def _row_dict(row: IngredientVerdict) -> dict[str, Any]:
    return {
        "name": row.name,
        "inci": row.inci,
        "korean_name": row.korean_name,
        "percent": row.percent,
        "verdict": row.verdict.value,
        "verdict_title": row.verdict.display,
        "message": row.message,
        "citation": citation_dict(row.citation),
        "condition": condition_dict(row.condition),
        "rules": [rule_dict(r) for r in row.rules],
        "label_warnings": list(row.label_warnings),
        "notes": list(row.notes),
        "review": list(row.review),
        "needs_review": row.needs_review,
    }


def _allergen_dict(a: AllergenDeclaration) -> dict[str, Any]:
    return {
        "name": a.name,
        "korean_name": a.korean_name,
        "percent": a.percent,
        "market": a.market,
        "threshold": a.threshold,
        "declare": a.declare,
        "threshold_source": a.threshold_source,
        "citation": a.citation,
        "rule_id": a.rule_id,
    }


def _market_dict(check: MarketCheck) -> dict[str, Any]:
    info = check.info
    return {
        "market": check.market,
        "name_en": info.name_en,
        "name_ko": info.name_ko,
        "regulation": info.regulation,
        "overall": check.overall.value,
        "overall_title": check.overall.display,
        "summary": check.summary,
        "rows": [_row_dict(r) for r in check.rows],
        "allergens": [_allergen_dict(a) for a in check.allergens],
        "notes": list(check.notes),
        "notes_ko": list(check.notes_ko),
    }


def _substance_dict(s: FormulaSubstance) -> dict[str, Any]:
    r = s.resolution
    return {
        "name": s.name,
        "inci": r.display_name,
        "korean_name": s.korean_name,
        "percent": s.percent,
        "status": r.status,
        "method": r.method,
        "confidence": r.confidence,
        "message": r.message,
        "suggestions": list(r.suggestions),
        "functions": list(s.functions),
        "contributions": [
            {
                "name": c.name,
                "percent": c.percent,
                "raw_material": c.raw_material,
                "fraction": c.fraction,
                "row": c.row,
            }
            for c in s.contributions
        ],
    }


def _label_dict(label: Label) -> dict[str, Any]:
    return {
        "text": label.text,
        "korean_text": label.korean_text,
        "rows": [
            {
                "position": r.position,
                "name": r.name,
                "korean_name": r.korean_name,
                "percent": r.percent,
                "block": r.block,
                "flags": list(r.flags),
            }
            for r in label.rows
        ],
        "allergens": [_allergen_dict(a) for a in label.allergens],
        "notes": list(label.notes),
    }


# -- rule-pack updates -----------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    """A verdict that changed between two checks of a formula, and why."""

    formula_name: str
    market: str
    ingredient: str | None  # None: the market's overall verdict
    old: str | None
    new: str | None
    reason: str
    old_citation: str = ""
    new_citation: str = ""
    old_rule_pack_version: str = ""
    new_rule_pack_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _row_key(row: Mapping[str, Any]) -> str:
    return normalize_name(str(row.get("inci") or row.get("name") or ""))


def _cite(row: Mapping[str, Any] | None) -> str:
    citation = (row or {}).get("citation") or {}
    return str(citation.get("text") or "")


def _why(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> str:
    if old is None:
        return "not in the earlier check (ingredient added, renamed or newly resolved)"
    if new is None:
        return "not in the new check (ingredient removed or renamed)"
    bits = []
    old_rules = {r["rule_id"]: r for r in old.get("rules", [])}
    new_rules = {r["rule_id"]: r for r in new.get("rules", [])}
    added = [new_rules[k]["short_citation"] for k in new_rules if k not in old_rules]
    removed = [old_rules[k]["short_citation"] for k in old_rules if k not in new_rules]
    if added:
        bits.append(f"rule(s) now naming it: {', '.join(added)}")
    if removed:
        bits.append(f"rule(s) no longer naming it: {', '.join(removed)}")
    for k in sorted(set(old_rules) & set(new_rules)):
        a, b = old_rules[k], new_rules[k]
        if a.get("citation") != b.get("citation"):
            bits.append(f"{b['short_citation']} amended: {_cite(a)} -> {_cite(b)}")
        old_conditions = [c["describe"] for c in a.get("conditions", [])]
        new_conditions = [c["describe"] for c in b.get("conditions", [])]
        if old_conditions != new_conditions:
            bits.append(
                f"{b['short_citation']} conditions changed: {'; '.join(old_conditions) or 'none'}"
                f" -> {'; '.join(new_conditions) or 'none'}"
            )
        if a.get("parsed") != b.get("parsed") or a.get("original_text") != b.get("original_text"):
            if a.get("original_text") != b.get("original_text"):
                bits.append(f"{b['short_citation']} text changed")
            else:
                bits.append(f"{b['short_citation']} parsed: {a.get('parsed')} -> {b.get('parsed')}")
    if not bits and old.get("percent") != new.get("percent"):
        bits.append(f"percent {old.get('percent')} -> {new.get('percent')}")
    if not bits:
        bits.append("same rules; the checker's reading changed")
    return "; ".join(bits) + f". Now: {new.get('message', '')}"


def compare_checks(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[StatusChange]:
    """Which verdicts changed between two :meth:`FormulaCheck.to_dict` payloads (e.g. the same
    formula checked with an older and a newer rule pack), per market and ingredient, and why:
    the rule or citation that appeared, went, or changed its conditions."""
    for name, payload in (("old", old), ("new", new)):
        if not isinstance(payload, Mapping) or "markets" not in payload:
            raise InvalidInputError(
                f"The {name} check is not a FormulaCheck.to_dict() payload; expected an object "
                "with 'markets'."
            )
    formula = str(new.get("formula_name") or old.get("formula_name") or "")
    versions = (str(old.get("rule_pack_version", "")), str(new.get("rule_pack_version", "")))
    changes: list[StatusChange] = []
    for market_id in list(dict.fromkeys([*old["markets"], *new["markets"]])):
        a = old["markets"].get(market_id)
        b = new["markets"].get(market_id)
        if a is None or b is None:
            changes.append(
                StatusChange(
                    formula, market_id, None,
                    a and a["overall"], b and b["overall"],
                    "market not checked in the " + ("earlier" if a is None else "new") + " check",
                    "", "", *versions,
                )
            )  # fmt: skip
            continue
        old_rows = {_row_key(r): r for r in a["rows"]}
        new_rows = {_row_key(r): r for r in b["rows"]}
        row_changes = []
        for key in list(dict.fromkeys([*old_rows, *new_rows])):
            x, y = old_rows.get(key), new_rows.get(key)
            if x is not None and y is not None and x["verdict"] == y["verdict"]:
                continue
            name = str((y or x or {}).get("name", key))
            row_changes.append(
                StatusChange(
                    formula, market_id, name,
                    x and x["verdict"], y and y["verdict"], _why(x, y), _cite(x), _cite(y),
                    *versions,
                )
            )  # fmt: skip
        if a["overall"] != b["overall"]:
            which = ", ".join(
                f"{c.ingredient} ({c.old} -> {c.new})" for c in row_changes if c.ingredient
            )
            changes.append(
                StatusChange(
                    formula, market_id, None, a["overall"], b["overall"],
                    f"overall {a['overall']} -> {b['overall']}"
                    + (f": {which}" if which else ""),
                    "", "", *versions,
                )
            )  # fmt: skip
        changes += row_changes
    return changes


# -- report tables ---------------------------------------------------------------------------

REPORT_SUFFIXES = (".xlsx", ".csv")


def report_tables(check: FormulaCheck) -> dict[str, Any]:
    """The check as tables (pandas DataFrames): ``matrix`` (ingredient x market verdicts),
    ``verdicts`` (one row per market and ingredient with message and citation), ``label``,
    ``allergens``, ``notes``."""
    import pandas as pd

    names = [s.name for s in check.substances]
    matrix = pd.DataFrame(
        {
            "ingredient": names,
            "percent": [s.percent for s in check.substances],
            **{m: [r.verdict.value for r in mc.rows] for m, mc in check.markets.items()},
        }
    )
    overall = {"ingredient": "OVERALL", "percent": None}
    overall.update({m: mc.overall.value for m, mc in check.markets.items()})
    matrix = pd.concat([matrix, pd.DataFrame([overall])], ignore_index=True)
    verdicts = pd.DataFrame(
        [
            {
                "market": m,
                "ingredient": r.name,
                "inci": r.inci,
                "korean_name": r.korean_name,
                "percent": r.percent,
                "verdict": r.verdict.value,
                "message": r.message,
                "citation": r.citation.text() if r.citation else "",
                "condition": (
                    f"{scope_text(r.condition)}: {limit_text(r.condition)}" if r.condition else ""
                ),
                "label_warnings": " | ".join(r.label_warnings),
                "review": " | ".join(r.review),
                "notes": " | ".join(r.notes),
            }
            for m, mc in check.markets.items()
            for r in mc.rows
        ]
    )
    label = pd.DataFrame(
        [
            {
                "position": r.position,
                "inci": r.name,
                "korean": r.korean_name,
                "percent": r.percent,
                "block": r.block,
                "flags": "; ".join(r.flags),
            }
            for r in check.label.rows
        ]  # fmt: skip
    )
    allergens = pd.DataFrame(
        [_allergen_dict(a) for mc in check.markets.values() for a in mc.allergens],
        columns=[
            "name",
            "korean_name",
            "percent",
            "market",
            "threshold",
            "declare",
            "threshold_source",
            "citation",
            "rule_id",
        ],  # fmt: skip
    )
    notes = pd.DataFrame(
        [{"what": "formula", "note": f"{check.formula_name} v{check.formula_version}, "
          f"{check.product_type.describe()}"},
         {"what": "rule pack", "note": check.rule_pack_version},
         {"what": "label (INCI)", "note": check.label.text},
         {"what": "label (Korean)", "note": check.label.korean_text},
         *({"what": "warning", "note": w} for w in check.warnings),
         *({"what": "market note", "note": n} for mc in check.markets.values() for n in mc.notes)]
    )  # fmt: skip
    return {
        "matrix": matrix,
        "verdicts": verdicts,
        "label": label,
        "allergens": allergens,
        "notes": notes,
    }


def write_report(check: FormulaCheck, path: Path, *, overwrite: bool = False) -> Path:
    """Write the check to ``.xlsx`` (one sheet per table) or ``.csv`` (the verdict rows); an
    existing file is replaced only with ``overwrite``."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise InvalidInputError(
            f"Cannot write {path.name}; expected a file ending in {', '.join(REPORT_SUFFIXES)}."
        )
    if path.exists() and not overwrite:
        raise InvalidInputError(f"{path} exists; expected a new file name, or --overwrite.")
    tables = report_tables(check)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if suffix == ".csv":
            tables["verdicts"].to_csv(partial, index=False, encoding="utf-8-sig")
        else:
            with pd.ExcelWriter(partial, engine="openpyxl") as writer:
                for name, table in tables.items():
                    table.to_excel(writer, sheet_name=name, index=False)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


# -- looking rules up ------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLookup:
    """The rules of a market found for a query: by the substance it resolves to, or by text."""

    query: str
    market: str
    method: str  # "substance" (resolved name), "text" (words of rule names), "all" (no query)
    resolution: Resolution | None
    matches: tuple[RuleMatch, ...]
    total: int  # matches before ``limit``

    def to_dict(self) -> dict[str, Any]:
        r = self.resolution
        return {
            "query": self.query,
            "market": self.market,
            "method": self.method,
            "resolution": None
            if r is None
            else {
                "status": r.status,
                "inci": r.display_name,
                "korean_name": r.korean_name,
                "message": r.message,
                "suggestions": list(r.suggestions),
            },
            "total": self.total,
            "rules": [{**rule_dict(m.rule), "matched_by": m.by} for m in self.matches],
        }


def find_rules(
    query: str,
    market_id: str,
    pack: DataPack,
    *,
    rules: RulePack | None = None,
    limit: int = 50,
) -> RuleLookup:
    """A market's rules for an ingredient name, CAS or EC number (resolved to its substance,
    so every name and number of it counts); a name that does not resolve is looked for as
    words in the rules' names. An empty query lists the market's rules."""
    from actives.regulation.resolve import resolve_ingredient

    if limit < 1:
        raise InvalidInputError(f"limit {limit}; expected 1 or more.")
    m = market(market_id)
    rule_pack = rules if rules is not None else RulePack.from_pack(pack)
    text = (query or "").strip()
    if not text:
        every = rule_pack.rules(m.id)
        found = tuple(RuleMatch(r, "name") for r in every[:limit])
        return RuleLookup("", m.id, "all", None, found, len(every))
    resolution = resolve_ingredient(text, pack)
    split = _split_index(rule_pack, pack)
    if resolution.resolved and resolution.substance is not None:
        matches = _matches(rule_pack, m.id, resolution.substance, split)
        return RuleLookup(text, m.id, "substance", resolution, tuple(matches[:limit]), len(matches))
    keys = SubstanceKeys.of(inci=[text], cas=[text], ec=[text], other=[text])
    matches = _matches(rule_pack, m.id, keys, split) if keys else []
    if not matches:
        words = normalize_name(text)
        matches = [
            RuleMatch(r, "name")
            for r in rule_pack.rules(m.id)
            if any(words in normalize_name(n) for n in r.names)
        ]
    return RuleLookup(text, m.id, "text", resolution, tuple(matches[:limit]), len(matches))


def market_overview(rule_pack: RulePack | None = None) -> list[dict[str, Any]]:
    """Every registered market with its lists, how many rules each has in the rule pack (parsed
    and not), what is missing, and the market's notes."""
    out = []
    for m in MARKETS:
        lists = []
        for x in m.lists:
            members = rule_pack.rules(m.id, x.id) if rule_pack is not None else []
            lists.append(
                {
                    "id": x.id,
                    "kind": x.kind,
                    "title": x.title,
                    "regulation": x.regulation,
                    "list_name": x.list_name,
                    "rules": len(members),
                    "unparsed": sum(1 for r in members if not r.parsed),
                }
            )
        out.append(
            {
                "id": m.id,
                "name_en": m.name_en,
                "name_ko": m.name_ko,
                "regulation": m.regulation,
                "inventory": m.inventory,
                "coverage": PARTIAL_COVERAGE.get(m.id, "complete for the lists above"),
                "lists": lists,
                "notes": list(m.notes),
                "rule_pack_version": rule_pack.version if rule_pack is not None else None,
            }
        )
    return out
