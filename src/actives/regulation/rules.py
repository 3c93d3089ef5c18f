"""The rule model: citations, conditions and rules of the markets' ingredient lists.

A :class:`Rule` says what one market's list says about one substance (or group of substances):
its kind (prohibited, restricted, preservative, ...), the :class:`Condition` objects parsed from
the list's free text, the original text, whether parsing succeeded, and the :class:`Citation`.

Conditions and product types meet through *product tags* (:data:`PRODUCT_TAGS`). A condition's
``product_scope`` is a conjunction: it applies to a product that carries every tag in it (after
:func:`expand_tags`), and none of its ``excluded_scope``. Alternatives ("face and hand products")
are several conditions. A condition marked ``otherwise`` ("other products", "기타 제품") applies
only when no other condition of the same rule does (:meth:`Rule.applicable_conditions`).

For the permissive lists (restricted, preservative, colorant, UV filter: EU Annexes III-VI,
Korea's Annex 2, Canada's restricted list) a substance is permitted only where one of the rule's
conditions applies (:attr:`Rule.scoped`); a rule without conditions sets no scope.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from actives.errors import InvalidInputError
from actives.knowledge.identifiers import find_cas_numbers, find_ec_numbers, normalize_name

_SPACES = re.compile(r"\s+")


def inci_key(name: str) -> str:
    """An INCI name as a matching key: NFKC, upper-case, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).strip()).upper()


RuleKind = Literal[
    "prohibited",
    "restricted",
    "preservative",
    "colorant",
    "uv_filter",
    "inventory",
    "allergen",
    "functional_active",
    "quasi_drug_active",
]
RULE_KINDS: tuple[str, ...] = get_args(RuleKind)
# Kinds whose conditions are the only product types the substance may be used in.
SCOPED_KINDS = frozenset({"restricted", "preservative", "colorant", "uv_filter"})

# The vocabulary shared by the limit parser (actives.regulation.limits), product types and the
# checker. Areas and flags first, then product categories that some entries name.
PRODUCT_TAGS: dict[str, str] = {
    "rinse_off": "rinse-off product (사용 후 씻어내는 제품)",
    "leave_on": "leave-on product (사용 후 씻어내지 않는 제품)",
    "face": "applied to the face",
    "body": "applied to the body",
    "hair": "applied to the hair or scalp",
    "lip": "applied to the lips",
    "eye": "applied around the eyes",
    "oral": "oral product (toothpaste, mouthwash)",
    "hands": "applied to the hands",
    "feet": "applied to the feet",
    "nails": "nail product",
    "spray": "spray or aerosol",
    "children": "product for children (EU: under 3 years; Korea: infants and children up to 13)",
    "professional": "for professional use only",
    "hair_dye": "hair colouring product",
    "hair_dye_oxidative": "oxidative hair dye product",
    "hair_dye_non_oxidative": "non-oxidative hair dye product",
    "eyelash_dye": "product for colouring eyelashes or eyebrows",
    "hair_waving": "hair waving or straightening product",
    "depilatory": "depilatory",
    "deodorant": "deodorant or antiperspirant",
    "shampoo": "shampoo",
    "soap": "soap",
    "cleansing": "cleansing product (인체세정용)",
    "toothpaste": "toothpaste",
    "mouthwash": "mouthwash",
    "self_tanning": "self-tanning product",
    "artificial_nails": "artificial nail system",
    "powder": "powder product",
    "sunscreen": "sunscreen",
    "shaving": "shaving product",
    "mask": "face mask",
    "anti_dandruff": "anti-dandruff product",
    "fine_fragrance": "fine fragrance (perfume)",
    "eau_de_toilette": "eau de toilette",
    "fragrance_cream": "fragrance cream",
    "hydroalcoholic": "hydroalcoholic product",
}
AREA_TAGS = frozenset({"face", "body", "hair", "lip", "eye", "oral", "hands", "feet", "nails"})
# A category carries the tags it implies (an oxidative hair dye is a hair dye is a hair product).
TAG_IMPLIES: dict[str, frozenset[str]] = {
    "hair_dye": frozenset({"hair"}),
    "hair_dye_oxidative": frozenset({"hair_dye", "hair"}),
    "hair_dye_non_oxidative": frozenset({"hair_dye", "hair"}),
    "eyelash_dye": frozenset({"eye"}),
    "hair_waving": frozenset({"hair"}),
    "shampoo": frozenset({"hair", "rinse_off"}),
    "soap": frozenset({"rinse_off"}),
    "cleansing": frozenset({"rinse_off"}),
    "toothpaste": frozenset({"oral"}),
    "mouthwash": frozenset({"oral"}),
    "artificial_nails": frozenset({"nails"}),
    "sunscreen": frozenset({"leave_on"}),
    "fine_fragrance": frozenset({"leave_on"}),
    "eau_de_toilette": frozenset({"leave_on"}),
    "fragrance_cream": frozenset({"leave_on"}),
}


def expand_tags(tags: Iterable[str]) -> frozenset[str]:
    """Tags with everything they imply; an unknown tag raises InvalidInputError."""
    out: set[str] = set()
    for tag in tags:
        if tag not in PRODUCT_TAGS:
            raise InvalidInputError(
                f"Unknown product tag {tag!r}; expected one of {', '.join(PRODUCT_TAGS)}."
            )
        out.add(tag)
        out |= TAG_IMPLIES.get(tag, frozenset())
    return frozenset(out)


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: regulation, list (annex/table), entry, notice, date, file."""

    regulation: str
    list_name: str
    entry: str = ""
    notice: str = ""  # e.g. the amending regulation "(EU) 2024/996" or "MFDS notice 2026-19"
    date: str = ""
    source_file: str = ""

    def text(self) -> str:
        """One line for reports: ``Regulation (EC) No 1223/2009, Annex V, entry 39 (...)``."""
        parts = [self.regulation, self.list_name]
        if self.entry:
            parts.append(f"entry {self.entry}")
        line = ", ".join(p for p in parts if p)
        extra = ", ".join(p for p in (self.notice, self.date) if p)
        return f"{line} ({extra})" if extra else line


@dataclass(frozen=True)
class Condition:
    """One condition of use parsed from a list's free text; ``text`` is the fragment it came from.

    ``max_percent``/``min_percent`` are % w/w in the finished product, ``expressed_as`` the
    substance they are calculated as (e.g. "salicylic acid"). ``sum_rule`` holds the wording of
    a group limit ("sum of ... must not exceed"): ``max_percent`` then applies to the sum of the
    group, so checking one substance against it is necessary, not sufficient.
    ``label_above_percent``: the substance must be declared above this concentration.
    ``children_under_years`` repeats, for the record, the age behind a "children" exclusion.
    """

    product_scope: frozenset[str] = frozenset()
    excluded_scope: frozenset[str] = frozenset()
    otherwise: bool = False
    max_percent: float | None = None
    min_percent: float | None = None
    expressed_as: str | None = None
    sum_rule: str | None = None
    label_above_percent: float | None = None
    children_under_years: int | None = None
    label_warning: str = ""
    other: str = ""
    text: str = ""

    @property
    def body_areas(self) -> frozenset[str]:
        """The body areas among the scope's tags."""
        return self.product_scope & AREA_TAGS

    def matches(self, product_tags: Collection[str]) -> bool:
        """Whether the scope fits a product with these tags (``otherwise`` not considered)."""
        tags = expand_tags(product_tags)
        return self.product_scope <= tags and not (self.excluded_scope & tags)

    def describe(self) -> str:
        """A short English rendering, e.g. ``rinse_off: max 0.5 % (as salicylic acid)``."""
        scope = "+".join(sorted(self.product_scope))
        if self.otherwise:
            scope = f"other {scope} products" if scope else "other products"
        bits = [scope or "all products"]
        if self.excluded_scope:
            bits.append("not " + "/".join(sorted(self.excluded_scope)))
        if self.min_percent is not None and self.max_percent is not None:
            bits.append(f"{self.min_percent:g}-{self.max_percent:g} %")
        elif self.max_percent is not None:
            bits.append(f"max {self.max_percent:g} %")
        if self.expressed_as:
            bits.append(f"as {self.expressed_as}")
        if self.sum_rule:
            bits.append("sum of the group")
        if self.label_above_percent is not None:
            bits.append(f"declare above {self.label_above_percent:g} %")
        return ", ".join(bits)


@dataclass(frozen=True)
class Rule:
    """What one market's list says about one substance or group, with its citation.

    ``parsed`` is False when some of the list's limit text could not be turned into conditions;
    ``unparsed_reason`` says why, and ``original_text`` keeps what the source says in full.
    """

    rule_id: str
    market: str
    kind: RuleKind
    list_id: str
    citation: Citation
    inci: tuple[str, ...] = ()
    chemical: tuple[str, ...] = ()
    korean: tuple[str, ...] = ()
    chinese: tuple[str, ...] = ()
    japanese: tuple[str, ...] = ()
    cas: tuple[str, ...] = ()
    ec: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    original_text: str = ""
    parsed: bool = True
    unparsed_reason: str = ""

    @property
    def name(self) -> str:
        """The name to show: INCI, else chemical, Korean, Chinese or Japanese name."""
        for names in (self.inci, self.chemical, self.korean, self.chinese, self.japanese):
            if names:
                return names[0]
        return ", ".join(self.cas) or self.rule_id

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the rule, in the order INCI, chemical, Korean, Chinese, Japanese."""
        return (*self.inci, *self.chemical, *self.korean, *self.chinese, *self.japanese)

    @property
    def scoped(self) -> bool:
        """Whether the substance is permitted only where one of the conditions applies."""
        return self.kind in SCOPED_KINDS and bool(self.conditions)

    def applicable_conditions(self, product_tags: Collection[str]) -> tuple[Condition, ...]:
        """The conditions that apply to a product: the matching ones, else the ``otherwise``."""
        specific = tuple(c for c in self.conditions if not c.otherwise and c.matches(product_tags))
        if specific:
            return specific
        return tuple(c for c in self.conditions if c.otherwise and c.matches(product_tags))


# shared with rulepack: resolve.py fills it, rulepack.py matches rules against it.
@dataclass(frozen=True)
class SubstanceKeys:
    """Every number and name known for one substance, normalised, so a rule matches by any.

    ``inci`` holds upper-case INCI names (:func:`inci_key`); ``korean``, ``chinese`` and
    ``other`` (chemical names, INN, Japanese names, synonyms) hold
    :func:`actives.knowledge.identifiers.normalize_name` keys.
    """

    cas: frozenset[str] = frozenset()
    ec: frozenset[str] = frozenset()
    inci: frozenset[str] = frozenset()
    korean: frozenset[str] = frozenset()
    chinese: frozenset[str] = frozenset()
    other: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        inci: Iterable[str] = (),
        cas: Iterable[str] = (),
        ec: Iterable[str] = (),
        korean: Iterable[str] = (),
        chinese: Iterable[str] = (),
        other: Iterable[str] = (),
    ) -> SubstanceKeys:
        """Keys from raw names and numbers, normalised (CAS numbers failing the check digit
        are dropped)."""

        def norm(values: Iterable[str]) -> frozenset[str]:
            return frozenset(normalize_name(v) for v in values if v and v.strip())

        return cls(
            cas=frozenset(n for text in cas for n in find_cas_numbers(text)),
            ec=frozenset(n for text in ec for n in find_ec_numbers(text)),
            inci=frozenset(inci_key(v) for v in inci if v and v.strip()),
            korean=norm(korean),
            chinese=norm(chinese),
            other=norm(other),
        )

    def name_keys(self) -> frozenset[str]:
        """Every name as a :func:`normalize_name` key (the rule index's key)."""
        return frozenset(
            normalize_name(n)
            for group in (self.inci, self.korean, self.chinese, self.other)
            for n in group
        )

    def __bool__(self) -> bool:
        return bool(self.cas or self.ec or self.inci or self.korean or self.chinese or self.other)
