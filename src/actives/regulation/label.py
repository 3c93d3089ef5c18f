"""The ingredient list of the label (INCI and Korean 전성분), and the allergens to declare.

Order: ingredients at 1 % w/w or more in descending order of concentration, then those under
1 % (also descending, which the rules allow: they may be listed "in any order"), then the
colorants "in any order" (we keep them descending too). Sources:

- EU: Regulation (EC) No 1223/2009, Article 19(1)(g): descending order of weight; ingredients
  under 1 % in any order after those over 1 %; colorants other than those intended to colour
  the hair in any order after the other ingredients (for hair dyes the colorants stay in place).
- Korea: 화장품법 시행규칙 별표 4 제3호 and the MFDS 화장품 전성분 표시지침 제6조: descending
  order of content; mixed raw materials listed as their individual ingredients; ingredients at
  1 % or less, fragrances and colorants in any order. Names are those of the 화장품 성분사전
  (the MFDS/KCIA dictionary in the data pack).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from actives.knowledge.identifiers import normalize_name
from actives.regulation.formula import FormulaSubstance, ProductType
from actives.regulation.resolve import NamesSource, name_index, split_listed_names
from actives.regulation.rules import Rule, SubstanceKeys, inci_key

LABEL_ORDER_SOURCES = (
    "EU: Regulation (EC) No 1223/2009, Article 19(1)(g)",
    "KR: 화장품법 시행규칙 별표 4 제3호; 화장품 전성분 표시지침 제6조",
)
DESCENDING_FROM = 1.0  # % w/w: at or above, the descending block (EU Art. 19(1)(g))
NO_KOREAN_NAME = "no Korean name found"
CI_NUMBER = re.compile(r"^\s*C\.?\s?I\.?\s*\d{5}\b", re.IGNORECASE)
KOREAN_COLOUR = re.compile(r"(적색|황색|녹색|청색|등색|자색|흑색|갈색)\s*(제\s*)?\d+\s*호")
COLORANT_SOURCES = ("cosing-annex-iv",)  # EU Annex IV, the list of allowed colorants

Block = Literal["descending", "under 1 %", "colorant"]


@dataclass(frozen=True)
class AllergenThreshold:
    """A declaration threshold (% w/w, declared when exceeded) and where it comes from."""

    leave_on: float
    rinse_off: float
    citation: str


# Fallbacks when the allergen rules carry no threshold of their own (Condition.label_above_percent).
ALLERGEN_THRESHOLDS: dict[str, AllergenThreshold] = {
    # Wording of Annex III, column "Other", of every fragrance-allergen entry (e.g. 45 benzyl
    # alcohol, 67-92, and those added by Regulation (EU) 2023/1545), read in the CosIng export.
    "EU": AllergenThreshold(
        0.001,
        0.01,
        "Regulation (EC) No 1223/2009, Annex III (fragrance allergens, column 'Other'): "
        "indicated in the list of ingredients (Art. 19(1)(g)) when the concentration exceeds "
        "0.001 % in leave-on and 0.01 % in rinse-off products",
    ),
    # MFDS's 25 fragrance allergens: thresholds as given in the staged MFDS allergen list
    # (fields rinse_off_threshold "0.01% 초과", leave_on_threshold "0.001% 초과").
    "KR": AllergenThreshold(
        0.001,
        0.01,
        "MFDS 화장품 향료 중 알레르기 유발물질 표시 지침 (v2, 2019-12-30), 별표 2: 사용 후 "
        "씻어내는 제품 0.01 % 초과, 씻어내지 않는 제품 0.001 % 초과",
    ),
}


@dataclass(frozen=True)
class AllergenDeclaration:
    """An allergen in the product and whether it must be declared on the label."""

    name: str
    korean_name: str | None
    percent: float
    market: str
    threshold: float
    declare: bool
    threshold_source: Literal["rule", "constant"]
    citation: str
    rule_id: str = ""


@dataclass(frozen=True)
class LabelRow:
    """One ingredient of the label, in label order."""

    position: int
    name: str
    korean_name: str  # the MFDS dictionary name, or the English name when none was found
    percent: float
    block: Block
    flags: tuple[str, ...]
    substance: FormulaSubstance


@dataclass(frozen=True)
class Label:
    """The label's ingredient list: rows, the comma-separated texts and the allergens."""

    rows: tuple[LabelRow, ...]
    text: str
    korean_text: str
    allergens: tuple[AllergenDeclaration, ...]
    notes: tuple[str, ...]

    @property
    def missing_korean_names(self) -> list[str]:
        return [r.name for r in self.rows if NO_KOREAN_NAME in r.flags]


COLOUR_FUNCTIONS = ("colo", "색", "착색", "pigment")


def _colorant(substance: FormulaSubstance, pack: NamesSource | None) -> bool:
    """Whether the substance is a colorant on this label: a CI name, or an Annex IV substance used
    to colour. A declared function decides for Annex IV substances with other uses (zinc oxide as
    a UV filter, titanium dioxide as an opacifier), so they stay in their concentration block."""
    names = [substance.name, *(c.name for c in substance.contributions)]
    if any(CI_NUMBER.match(n) or KOREAN_COLOUR.search(n) for n in names):
        return True
    functions = [f.lower() for f in substance.functions]
    if functions and not any(word in f for f in functions for word in COLOUR_FUNCTIONS):
        return False
    if any(row.source in COLORANT_SOURCES for row in substance.resolution.sources):
        return True
    if pack is not None and not substance.resolution.sources:
        index = name_index(pack)
        rows = index.by_norm.get(normalize_name(substance.name), [])
        return any(index.rows[i].source in COLORANT_SOURCES for i in rows)
    return False


def _flags(substance: FormulaSubstance) -> list[str]:
    flags: list[str] = []
    status = substance.resolution.status
    if status == "unresolved":
        flags.append("unresolved name: shown as written")
    elif status == "ambiguous":
        flags.append("ambiguous name: shown as written")
    elif substance.resolution.method == "fuzzy":
        flags.append("name read by fuzzy match: confirm")
    if not substance.korean_name:
        flags.append(NO_KOREAN_NAME)
    return flags


def inci_label(
    substances: Sequence[FormulaSubstance],
    product_type: ProductType,
    pack: NamesSource | None = None,
    *,
    allergen_rules: Iterable[Rule] = (),
) -> Label:
    """The label's ingredient list from an expanded formula (:func:`formula.expand`).

    ``pack`` is used to recognise colorants (EU Annex IV) among names the resolution did not
    trace to a source; ``allergen_rules`` (rules of kind "allergen", or any rule whose
    conditions carry a label threshold) give :attr:`Label.allergens`.
    """
    hair_dye = bool(product_type.categories & {"hair_dye", "hair_dye_oxidative",
                                               "hair_dye_non_oxidative"})  # fmt: skip
    allergens = allergens_to_declare(substances, product_type, allergen_rules)
    declared = {a.name for a in allergens if a.declare}
    entries: list[tuple[Block, FormulaSubstance, list[str]]] = []
    for substance in substances:
        flags = _flags(substance)
        if substance.name in declared:
            flags.append("allergen to declare")
        if not hair_dye and _colorant(substance, pack):
            block: Block = "colorant"
        elif round(substance.percent, 6) >= DESCENDING_FROM:
            block = "descending"
        else:
            block = "under 1 %"
        entries.append((block, substance, flags))
    rank = {"descending": 0, "under 1 %": 1, "colorant": 2}
    entries.sort(key=lambda e: (rank[e[0]], -e[1].percent))  # stable: ties keep formula order
    rows = tuple(
        LabelRow(n, s.name, s.korean_name or s.name, s.percent, block, tuple(flags), s)
        for n, (block, s, flags) in enumerate(entries, start=1)
    )
    notes = list(LABEL_ORDER_SOURCES)
    if hair_dye:
        notes.append(
            "Hair dye: colorants intended to colour the hair stay in descending order "
            "(EU Art. 19(1)(g) lets only other colorants move to the end)."
        )
    missing = [r.name for r in rows if NO_KOREAN_NAME in r.flags]
    if missing:
        notes.append(
            f"{len(missing)} ingredient(s) without a Korean dictionary name in the data pack "
            f"(shown in English on the Korean list): {', '.join(missing)}."
        )
    return Label(
        rows,
        ", ".join(r.name for r in rows),
        ", ".join(r.korean_name for r in rows),
        tuple(allergens),
        tuple(notes),
    )


def _name_keys(keys: SubstanceKeys) -> set[str]:
    return {normalize_name(n) for n in (*keys.inci, *keys.korean, *keys.chinese, *keys.other)}


def rule_matches(rule: Rule, keys: SubstanceKeys | None) -> bool:
    """Whether a rule names the substance: a CAS or EC number, an INCI name (also one of an
    annex cell that lists several), or another name in common."""
    if keys is None:
        return False
    if set(rule.cas) & keys.cas or set(rule.ec) & keys.ec:
        return True
    inci = {inci_key(n) for n in rule.inci}
    inci |= {inci_key(p) for n in rule.inci for p in split_listed_names(n)}
    if inci & keys.inci:
        return True
    return bool({normalize_name(n) for n in rule.names} & _name_keys(keys))


def _is_allergen_rule(rule: Rule) -> bool:
    return rule.kind == "allergen" or any(
        c.label_above_percent is not None for c in rule.conditions
    )


def allergens_to_declare(
    substances: Sequence[FormulaSubstance],
    product_type: ProductType,
    allergen_rules: Iterable[Rule],
    *,
    include_below: bool = False,
) -> list[AllergenDeclaration]:
    """Allergens present above the declaration threshold (per market), by descending %.

    The threshold is the rule's own (a condition with ``label_above_percent`` that applies to
    the product type) when it has one, else the market's constant in
    :data:`ALLERGEN_THRESHOLDS` (EU and KR: 0.001 % leave-on, 0.01 % rinse-off), cited. A
    substance is declared when its concentration *exceeds* the threshold. With
    ``include_below`` the allergens under their threshold come back too (``declare`` False).
    """
    rules = [r for r in allergen_rules if _is_allergen_rule(r)]
    out: list[AllergenDeclaration] = []
    tags = product_type.tags
    for substance in substances:
        keys = substance.resolution.substance if substance.resolution.resolved else None
        seen_markets: set[str] = set()
        for rule in rules:
            if rule.market in seen_markets or not rule_matches(rule, keys):
                continue
            thresholds = [
                c.label_above_percent
                for c in rule.applicable_conditions(tags)
                if c.label_above_percent is not None
            ]
            source: Literal["rule", "constant"]
            if thresholds:
                threshold, source, citation = min(thresholds), "rule", rule.citation.text()
            elif rule.market in ALLERGEN_THRESHOLDS:
                constant = ALLERGEN_THRESHOLDS[rule.market]
                threshold = constant.rinse_off if product_type.rinse_off else constant.leave_on
                source, citation = "constant", f"{rule.citation.text()}; {constant.citation}"
            else:
                continue  # no threshold known for this market: nothing to compare with
            declare = round(substance.percent, 9) > threshold
            if declare or include_below:
                out.append(
                    AllergenDeclaration(
                        substance.name, substance.korean_name, substance.percent, rule.market,
                        threshold, declare, source, citation, rule.rule_id,
                    )
                )  # fmt: skip
            seen_markets.add(rule.market)
    out.sort(key=lambda a: (-a.percent, a.market))
    return out
