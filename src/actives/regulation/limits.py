"""Free-text limits and conditions of the ingredient lists (English and Korean) as Conditions.

The lists state limits in prose: "2.5 % (as free acid)", "Rinse-off products: 0.01 %; Leave-on
products: 0.0015 %", "(a) Hair products 6 % (b) Other products 1 %", "살리실릭애씨드로서 0.5%",
"사용 후 씻어내는 제품에 0.01%", "영유아용 제품류 사용금지". This module turns them into
:class:`~actives.regulation.rules.Condition` objects and never guesses: whatever it does not
understand (a product type outside :data:`~actives.regulation.rules.PRODUCT_TAGS`, a limit in
ppm, an exception naming other substances, several percentages it cannot tell apart) is returned
as a problem, and the rule built from it is marked unparsed with that reason.

Entry points:

- :func:`parse_limit` one limit text (language detected), optionally with a product-type text;
- :func:`parse_columns` the EU/Canada layout: product type, maximum concentration, other
  conditions and warnings, with sub-entries (a), (b), ... matched across the columns;
- :func:`parse_korean` Korea's Annex 2 layout: ``max_concentration`` and ``use_conditions``;
- :func:`parse_scope` a product-type phrase as product tags.

What a parsed condition means is documented on :class:`~actives.regulation.rules.Condition`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from actives.regulation.rules import Condition

# -- text helpers ------------------------------------------------------------------------------

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_NUMBER = r"\d+(?:[.,]\d+)?"
# A percentage: "0.5 %", "0,15%", "2.0 % w/w"; not preceded by a digit group ("0 15%").
PERCENT = re.compile(rf"(?<![\d.,])({_NUMBER})\s*%+(?:\s*w/w)?")
_BROKEN_NUMBER = re.compile(r"\d\s+\d+(?:[.,]\d+)?\s*%")
_PPM = re.compile(r"\d\s*(?:ppm|ppb|mg\s*/\s*kg|µg|ug/g|IU)", re.IGNORECASE)
# A whole limit in parts per million by mass (the same as mg/kg); ppb, µg and IU stay unparsed.
_PER_MILLION_LIMIT = re.compile(
    rf"^[(\[\-–•*]?\s*({_NUMBER})\s*(?:ppm|mg\s*/\s*kg)\s*$", re.IGNORECASE
)
_BULLETS = re.compile(r"[․·ㆍ•∙]")


def clean_text(text: object) -> str:
    """A source cell as text: soft hyphens and odd spaces removed, lines stripped."""
    if text is None:
        return ""
    value = str(text).replace("\xad", "").replace("\r", "\n").replace("～", "~")
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def to_number(text: str) -> float:
    """``"0,15"`` -> 0.15 (decimal comma or point)."""
    return float(text.replace(",", "."))


def is_korean(text: str) -> bool:
    """Whether a text contains Hangul."""
    return bool(_HANGUL.search(text))


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseResult:
    """Conditions parsed from a text and the problems met; parsed when there are none."""

    conditions: tuple[Condition, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def parsed(self) -> bool:
        """True when every part of the text was understood."""
        return not self.problems

    @property
    def reason(self) -> str:
        """The problems as one line (empty when parsed)."""
        return "; ".join(dict.fromkeys(self.problems))


@dataclass(frozen=True)
class Scope:
    """A product-type phrase read as tags: alternatives (OR) of tag sets (AND), exclusions."""

    alternatives: tuple[frozenset[str], ...] = (frozenset(),)
    excluded: frozenset[str] = frozenset()
    otherwise: bool = False
    children_under_years: int | None = None
    note: str = ""  # a purpose of use or a condition tags cannot express, kept as text
    forbidden: tuple[frozenset[str], ...] = ()  # combinations where the substance is not used
    prohibition_only: bool = False  # "Not permitted in ...": no product type where it is used


ALL_PRODUCTS = Scope()

# -- product types -----------------------------------------------------------------------------

# (pattern, tags), longest phrases first; matched on lower-case text.
_EN_PHRASES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (pattern, frozenset(tags))
    for pattern, tags in (
        (r"non-?\s?oxidati\w* hair d(?:ye|ay|ue)s?", {"hair_dye_non_oxidative"}),
        (r"oxidati\w* hair d(?:ye|ay|ue)s?", {"hair_dye_oxidative"}),
        (r"non-?\s?oxidi[sz]ing colou?ring agents? for hair dyeing", {"hair_dye_non_oxidative"}),
        (r"oxidi[sz]ing colou?ring agents? for hair dyeing", {"hair_dye_oxidative"}),
        (r"hair d(?:ye|ay|ue)s?|hair colou?r(?:ing|ants?)", {"hair_dye"}),
        (
            r"(?:colouring|tinting|dyeing) (?:of )?eyelashes(?: and eyebrows)?"
            r"|eyelash(?:es)? (?:and eyebrows? )?(?:colouring|tinting)",
            {"eyelash_dye"},
        ),
        (r"eyelash waving", {"eye", "hair_waving"}),
        (r"hair waving(?: or straightening)?|hair straighten\w*|straightening", {"hair_waving"}),
        (r"depilator(?:y|ies)|hair removal", {"depilatory"}),
        (r"deodorants?|anti-?\s?perspirants?", {"deodorant"}),
        (r"anti-?\s?dandruff", {"anti_dandruff"}),
        (r"shampoos?", {"shampoo"}),
        (r"tooth ?pastes?", {"toothpaste"}),
        (r"mouth ?washe?s?|mouth ?rinses?", {"mouthwash"}),
        (r"oral(?: care| hygiene)?|dental", {"oral"}),
        (r"soaps?", {"soap"}),
        (r"self-?tanning", {"self_tanning"}),
        (r"fine fragrances?", {"fine_fragrance"}),
        (r"eau de toilette", {"eau_de_toilette"}),
        (r"fragrance creams?", {"fragrance_cream"}),
        (r"hydroalcoholic", {"hydroalcoholic"}),
        (r"artificial nail systems?", {"artificial_nails"}),
        (r"nail(?:s)?|cuticles?", {"nails"}),
        (r"rinse-? ?off|wash-?off", {"rinse_off"}),
        (r"leave-? ?on", {"leave_on"}),
        (r"body lotions?", {"body", "leave_on"}),
        (r"face creams?", {"face", "leave_on"}),
        (r"hair lotions?", {"hair", "leave_on"}),
        (r"hair|scalp", {"hair"}),
        (r"face|facial", {"face"}),
        (r"body", {"body"}),
        (r"lipsticks?|lips?", {"lip"}),
        (r"eye ?shadows?|eye ?liners?|mascaras?|eyebrows?|eyelash(?:es)?|eyes?", {"eye"}),
        (r"hands?", {"hands"}),
        (r"foot(?: care)?|feet", {"feet"}),
        # "propellant and pump spray products": one phrase, so that the split on "and" keeps it
        (
            r"(?:propell[ae]nt|pump)(?:\s+(?:and|or)\s+(?:propell[ae]nt|pump))?\s+sprays?",
            {"spray"},
        ),
        (r"aerosols? dispensers?|sprays?|aerosols?", {"spray"}),
        (r"professional(?: use)?", {"professional"}),
        (r"children", {"children"}),
        (r"(?:loose )?powder(?:y|s)?(?: form)?", {"powder"}),
        (r"sunscreens?|sun protection", {"sunscreen"}),
        (r"shaving", {"shaving"}),
        (r"lotions?|creams?", {"leave_on"}),
    )
)
_EN_STOP = frozenset(
    "products product produts cosmetic cosmetics preparations preparation intended intented for "
    "to be used use uses in the of on all only type types form applied ready care with and or a "
    "an any its their other others which substance head permitted".split()
)
_EN_CHILDREN = re.compile(
    r"(?:children|child)\s+under\s+(?:the\s+age\s+of\s+)?(\d+|three|six)\s*(?:years?)?"
    r"(?:\s+of\s+age)?"
)
_WORD_NUMBERS = {"three": 3, "six": 6}
_EN_EXCEPT = re.compile(r",?\s*\b(?:with the exception of|except(?:ing)?|other than|excluding)\b")
_EN_PURPOSE = re.compile(
    r"^(?:as (?:an? )?)?(?P<purpose>(?:hair dye substance|hair dye|solvent|"
    r"stabili[sz]ers? for hydrogen peroxide|ph[- ]?a[dj]+uster|denaturant|rust inhibitor)"
    r"[^,;]*?)\s+(?:in|for)\s+(?P<rest>.+)$"
)
# "In hair dyes as an oxidizing colouring agent": a purpose after the product type.
_EN_AS_PURPOSE = re.compile(
    r"\bas (?:an? )?(?P<purpose>oxidi[sz]ing colou?ring agent|preservative|ph[- ]adjuster|"
    r"conditioning agent|colou?ring agent)\b"
)
# A scope that is only a purpose of use: kept as text, applies to all products.
_EN_PURPOSE_ONLY = re.compile(
    r"^(?:solvent|rust inhibitor|denaturant\b.*|as traces in ingredients|processing aid|"
    r"as (?:an? )?ph[- ]adjuster|"
    r"fragrance(?:/ ?| )aromatic compositions(?:/ ?| )their raw materials|"
    r"fragrance|aromatic compositions|their raw materials)$"
)
# Prohibitions about the user or the use that product tags cannot express; kept as text.
_EN_QUALITATIVE = re.compile(
    r"lungs|inhalation|mucous membrane|nappy area|marketed for exposure|uv light|person under|"
    r"contain(?:s|ing)? (?:amines|nitrosating|secondary amines)|nitrosating|amines or amides|"
    r"broken skin",
    re.IGNORECASE,
)

_KO_PHRASES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (pattern, frozenset(tags))
    for pattern, tags in (
        (r"사용\s*후\s*씻어\s*내지\s*않는", {"leave_on"}),
        (r"사용\s*후\s*씻어\s*내는", {"rinse_off"}),
        (
            r"비듬\s*및\s*가려움을\s*덜어주고\s*씻어\s*내는\s*제품\s*\(\s*샴푸\s*\)",
            {"anti_dandruff", "shampoo"},
        ),
        (r"씻어\s*내는", {"rinse_off"}),
        (r"비산화\s*염모제", {"hair_dye_non_oxidative"}),
        (r"산화\s*염모제", {"hair_dye_oxidative"}),
        (r"두발용?\s*(?:및\s*)?염색용?|염모제", {"hair_dye"}),
        (r"퍼머넌트\s*웨이브용?|헤어\s*스트\s*레이트너", {"hair_waving"}),
        (r"속눈썹\s*및\s*눈썹\s*착색\s*용도의?", {"eyelash_dye"}),
        (r"제모용|제모제", {"depilatory"}),
        (r"손톱\s*경화용?|손발톱용|손톱|발톱", {"nails"}),
        (r"인체\s*세정용", {"cleansing"}),
        (
            r"에어로졸\s*(?:\(\s*(?:스프레이에\s*한함|펌프\s*스프\s*레이\s*포함)\s*\))?|스프레이|분사형",
            {"spray"},
        ),
        (r"영유아용", {"children"}),
        (r"두발용|두발", {"hair"}),
        (r"샴푸", {"shampoo"}),
        (r"헤어\s*로션", {"hair", "leave_on"}),
        (r"바디\s*로션|바디\s*크림", {"body", "leave_on"}),
        (r"바디", {"body"}),
        (r"입술", {"lip"}),
        (r"얼굴", {"face"}),
        (r"손(?!발톱)", {"hands"}),
        (r"데오드?란트|데오도런트", {"deodorant"}),
    )
)
_KO_STOP = re.compile(
    r"제품류|제품|화장품|류|에는|에서|에|및|또는|사용되는|사용하는|의|용|과|와|,|\(|\)|\s"
)
_KO_CHILDREN = re.compile(r"만\s*(\d+)\s*세\s*이하")
_KO_QUALITATIVE = re.compile(
    r"흡입|함유\s*하?\s*고\s*있는|점막|자외선|기능성화장품의\s*유효성분|니트로"
)
_PLACEHOLDER = re.compile(r"§(\d+)§")


def _tokenise(
    text: str, phrases: tuple[tuple[str, frozenset[str]], ...]
) -> tuple[str, list[frozenset[str]]]:
    """Replace each known phrase by a placeholder ``§i§`` (i indexes the returned tag sets), so
    splitting on "and"/"및" afterwards cannot cut a phrase."""
    found: list[frozenset[str]] = []

    def placeholder(tags: frozenset[str]) -> Callable[[re.Match[str]], str]:
        def sub(_match: re.Match[str]) -> str:
            found.append(tags)
            return f" §{len(found) - 1}§ "

        return sub

    for pattern, tags in phrases:
        text = re.sub(pattern, placeholder(tags), text)
    return text, found


def _piece_tags(piece: str, found: list[frozenset[str]]) -> tuple[frozenset[str], str]:
    tags = frozenset().union(*(found[int(i)] for i in _PLACEHOLDER.findall(piece)))
    return tags, _PLACEHOLDER.sub(" ", piece)


def _en_leftover(rest: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z'-]*", rest) if w not in _EN_STOP]


def _en_alternatives(text: str) -> tuple[list[frozenset[str]], list[str]]:
    """Alternatives of an English product-type phrase, as tag sets, and problems."""
    tokens, found = _tokenise(text, _EN_PHRASES)
    alternatives: list[frozenset[str]] = []
    problems: list[str] = []
    for piece in re.split(r";|,|\band\b|\bor\b|/|\n", tokens):
        tags, rest = _piece_tags(piece, found)
        leftover = _en_leftover(rest)
        if leftover:
            problems.append(f"product type not understood: {' '.join(leftover)!r}")
        if tags:
            alternatives.append(tags)
    return alternatives, problems


def _exclusions(
    alternatives: list[frozenset[str]], phrase: str, allow_combinations: bool
) -> tuple[frozenset[str], tuple[frozenset[str], ...], list[str]]:
    """Excluded single tags and, for "not to be used in" lists, forbidden tag combinations."""
    single: set[str] = set()
    combos: list[frozenset[str]] = []
    problems: list[str] = []
    for tags in alternatives:
        if len(tags) == 1:
            single |= tags
        elif allow_combinations:
            combos.append(tags)
        else:
            problems.append(
                "exception naming a combination of product types (only single product types "
                f"can be excepted): {phrase.strip()!r}"
            )
    return frozenset(single), tuple(combos), problems


def _parse_scope_en(text: str) -> tuple[Scope, list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    lines: list[str] = []
    for line in clean_text(text).split("\n"):
        if re.match(r"^\(?\*+\)?", line) and lines:
            notes.append(line)  # a footnote of the product-type column
        else:
            lines.append(line)
    joined = " ".join(lines)
    low = joined.lower()
    noted = re.search(r"\bnote\s*:", low)
    if noted and len(low) == len(joined):
        notes.append(joined[noted.end() :].strip())
        low = low[: noted.start()]
    low = re.sub(r"\(\s*\*+\s*\)|\(\s*\d+\s*\)|\*+", " ", low)
    low = re.sub(r"\bnon-\s+", "non-", low).strip(" .;:")
    prohibition_only = bool(re.match(r"^\s*not (?:to be )?(?:used|permitted)\b", low))
    for found in list(re.finditer(r"not (?:to be )?(?:used|permitted) (?:in|on|for) [^.;]*", low)):
        if _EN_QUALITATIVE.search(found.group(0)):
            notes.append(found.group(0))
            low = low.replace(found.group(0), " ")
    low = re.sub(r"^\s*permitted (?:only )?(?:in|for)\s+|\bonly\s*$", " ", low)
    as_purpose = _EN_AS_PURPOSE.search(low)
    if as_purpose:
        notes.append(f"use: {as_purpose.group('purpose')}")
        low = low.replace(as_purpose.group(0), " ")
    children: int | None = None
    child = _EN_CHILDREN.search(low)
    if child:
        word = child.group(1)
        children = int(word) if word.isdigit() else _WORD_NUMBERS[word]
        low = (low[: child.start()] + " children " + low[child.end() :]).strip()
    excluded: set[str] = set()
    for pattern in (r"not in (?:the )?form of (?:a )?spray", r"non-?spray", r"not (?:a )?spray"):
        if re.search(pattern, low):
            excluded.add("spray")
            low = re.sub(pattern, " ", low)
    if re.search(r"\bgeneral use\b|\bgeneral consumers?\b", low):
        excluded.add("professional")
        low = re.sub(r"\bgeneral use\b|\bfor general consumers?\b|\bgeneral consumers?\b", " ", low)
    otherwise = bool(re.match(r"^\s*(?:all )?others?\b", low))
    if otherwise:
        low = re.sub(r"^\s*(?:all )?others?\b", " ", low)
    low = low.strip(" .;:")
    if _EN_PURPOSE_ONLY.match(low):
        notes.append(f"use: {low}")
        low = ""
    purpose = _EN_PURPOSE.match(low)
    if purpose:
        notes.append(f"use: {purpose.group('purpose')}")
        low = purpose.group("rest")
    including = re.search(r",?\s*\bincluding\b(?P<what>[^;]*)$", low)
    if including and low[: including.start()].strip(" ,"):
        # "Body products, including propellant and pump spray products": the products named
        # after "including" are among those before it, so they neither narrow nor add a scope.
        notes.append(f"including{including.group('what')}")
        low = low[: including.start()]
    shared: frozenset[str] = frozenset()
    following = re.match(r"^(?:the )?following (?P<head>[^:]+):\s*(?P<items>.+)$", low)
    if following:
        # "The following spray products: fine fragrances, hair sprays, ...": the heading's
        # product type belongs to every item.
        heading, trouble = _en_alternatives(following.group("head"))
        if len(heading) == 1 and not trouble:
            shared = heading[0]
            low = following.group("items")
        else:
            problems.append(f"list heading not understood: {following.group('head')!r}")
    forbidden: tuple[frozenset[str], ...] = ()
    parts = _EN_EXCEPT.split(low, maxsplit=1)
    main = parts[0]
    if len(parts) > 1:
        found_alts, trouble = _en_alternatives(parts[1])
        single, _combos, more = _exclusions(found_alts, parts[1], allow_combinations=False)
        problems += trouble + more
        excluded |= single
    not_used = re.search(r"\bnot (?:to be )?(?:used|permitted) (?:in|on|for)\b(.*)$", main)
    if not_used:
        found_alts, trouble = _en_alternatives(not_used.group(1))
        single, forbidden, more = _exclusions(found_alts, not_used.group(1), True)
        problems += trouble + more
        if not found_alts and not trouble:
            problems.append(f"prohibition not understood: {not_used.group(0).strip()!r}")
        excluded |= single
        main = main[: not_used.start()]
    alternatives, trouble = _en_alternatives(main)
    problems += trouble
    if shared:
        alternatives = [a | shared for a in alternatives]
    if children is not None and not not_used:
        alternatives = [a | {"children"} for a in alternatives] or [frozenset({"children"})]
    unique = tuple(dict.fromkeys(alternatives)) or (frozenset(),)
    scope = Scope(
        unique,
        frozenset(excluded),
        otherwise,
        children,
        "; ".join(notes),
        forbidden,
        prohibition_only and not main.strip(" .;:"),
    )
    return scope, problems


def _parse_scope_ko(text: str) -> tuple[Scope, list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    low = _one_line(text)
    inclusion = re.search(r"\(\s*(탈염\s*[ㆍ·․]\s*탈색\s*포함)\s*\)", low)
    if inclusion:
        notes.append(inclusion.group(1))
        low = low.replace(inclusion.group(0), " ")
    qualifier = re.search(r"점막에\s*사용하지\s*않고", low)
    if qualifier:
        notes.append(qualifier.group(0))
        low = low.replace(qualifier.group(0), " ")
    children: int | None = None
    found = _KO_CHILDREN.search(low)
    if found:
        children = int(found.group(1))
    otherwise = bool(re.search(r"기타\s*(?:제품|화장품)", low))
    low = re.sub(r"기타\s*(?:제품류?|화장품)", " ", low)
    excluded: set[str] = set()
    excepted = re.search(r"(.+?)[을를]\s*제외한", low)
    tokens, phrases = _tokenise(low, _KO_PHRASES)
    if excepted:
        head, _sep, tokens = tokens.partition("제외한")
        tags, rest = _piece_tags(head, phrases)
        if _KO_STOP.sub("", re.sub(r"[을를]\s*$", "", rest.strip())) or len(tags) != 1:
            problems.append(f"exception not understood: {excepted.group(1)!r}")
        excluded |= tags
    alternatives: list[frozenset[str]] = []
    for piece in re.split(r",|및|또는", tokens):
        tags, rest = _piece_tags(piece, phrases)
        leftover = _KO_STOP.sub("", rest)
        if leftover:
            problems.append(f"product type not understood: {piece.strip()!r}")
        if tags:
            alternatives.append(tags)
    # 사용 후 씻어내는 두발용 제품류 및 두발 염색용 제품류: the rinse-off qualifier spans the list.
    qualifiers = {"rinse_off", "leave_on"}
    if len(alternatives) > 1 and alternatives[0] & qualifiers:
        head_tags = alternatives[0] & qualifiers
        alternatives = [alternatives[0]] + [
            a if a & qualifiers else a | head_tags for a in alternatives[1:]
        ]
    unique = tuple(dict.fromkeys(alternatives)) or (frozenset(),)
    return Scope(unique, frozenset(excluded), otherwise, children, "; ".join(notes)), problems


def parse_scope(text: str) -> tuple[Scope, tuple[str, ...]]:
    """A product-type phrase (English or Korean) as a :class:`Scope` and any problems.

    ``"Rinse-off hair products"`` -> one alternative {rinse_off, hair}; ``"Face and hand
    products"`` -> {face} or {hands}; ``"All cosmetic products, with the exception of oral
    products"`` -> all, excluding oral; ``"Other products"`` -> otherwise.
    """
    text = clean_text(text)
    if not text:
        return ALL_PRODUCTS, ()
    scope, problems = (_parse_scope_ko if is_korean(text) else _parse_scope_en)(text)
    return scope, tuple(problems)


# -- limits ------------------------------------------------------------------------------------

_EN_SUM = re.compile(r"\b(?:sum|total|combined|combination|mixtures?|mixed)\b", re.IGNORECASE)
_KO_SUM = re.compile(r"혼합|합으로서|합은|합이|병용")
_EN_AS = (
    re.compile(r"\(\s*(?:as|calculated as|expressed as)\s+(?P<as>[^)]+?)\s*\)", re.IGNORECASE),
    re.compile(r"\(\s*(?P<as>acid|base|free base|free acid)\s*\)", re.IGNORECASE),
    re.compile(r"\(\s*of\s+(?P<as>[A-Za-z0-9]+)\s*\)"),
    re.compile(
        r"(?:calculated|expressed)\s+as\s+(?P<as>[A-Za-z0-9][\w\- ]*?)\s*(?:[.;,()\n]|$)",
        re.IGNORECASE,
    ),
    re.compile(
        r"%\s*(?:w/w\s+)?(?:of|as)\s+(?P<as>[A-Za-z0-9](?:[\w\-]|,(?=\d))*(?: base| acid)?)",
        re.IGNORECASE,
    ),
)
_LABEL = re.compile(
    r"(?:must|shall)\s+be\s+indicated.*?exceeds?\s*:?(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
# Specifications of the raw material or of impurities: kept as text, never a product limit.
_SPEC = re.compile(
    r"peroxide value|purity|impurit|raw material|nitrosamine|secondary amine|\bph\b|"
    r"mixing ratio|원료\s*중|니트로사민|불순물",
    re.IGNORECASE,
)
_NEUTRAL_BEFORE = re.compile(
    r"\bmaximum\b|\bmust not exceed\b|\bnot exceed\b|concentration|ready for use|"
    r"finished (?:cosmetic )?product|final product",
    re.IGNORECASE,
)
_AS_FROM = re.compile(r"^\s*as from [^:]+:\s*", re.IGNORECASE)
_EQUIVALENT = re.compile(r"^\s*(?:\([^()]*\))?\s*or\s*$", re.IGNORECASE)


@dataclass
class _Draft:
    """Conditions being assembled for one sub-entry, and the problems met."""

    conditions: list[Condition] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _expressed_as(text: str) -> str | None:
    for pattern in _EN_AS:
        found = pattern.search(text)
        if found:
            value = found.group("as").strip(" .")
            if value and not PERCENT.search(value):
                return value
    return None


def _main_percents(text: str) -> list[re.Match[str]]:
    """Percentages of a line, leaving out equivalents of a first one: in brackets
    ("0.68 % as free base (1.0 % as dihydrochloride)") or joined by "or" ("2,0 % (calculated
    as free base) or 3,6 % (calculated as sulfate salt)")."""
    found = list(PERCENT.finditer(text))
    if len(found) < 2:
        return found
    kept = [found[0]]
    for match in found[1:]:
        between = text[kept[-1].end() : match.start()]
        if ("(" in between and ")" not in between) or _EQUIVALENT.match(between):
            continue
        kept.append(match)
    return kept


def _scope_conditions(scope: Scope, base: Condition) -> list[Condition]:
    """One condition per alternative of a scope, and a zero limit per forbidden combination."""
    other = "; ".join(p for p in (base.other, scope.note) if p)
    out = [
        replace(
            base,
            product_scope=base.product_scope | alternative,
            excluded_scope=base.excluded_scope | scope.excluded,
            otherwise=base.otherwise or scope.otherwise,
            children_under_years=base.children_under_years or scope.children_under_years,
            other=other,
        )
        for alternative in scope.alternatives
    ]
    for combination in scope.forbidden:
        out.append(
            Condition(
                product_scope=combination,
                max_percent=0.0,
                children_under_years=scope.children_under_years,
                other="not to be used in these products",
                text="not to be used in: " + "+".join(sorted(combination)),
            )
        )
    return out


def _label_conditions(text: str, scope: Scope) -> list[Condition] | None:
    """ "Must be indicated ... when its concentration exceeds 0.001 % in leave-on products and
    0.01 % in rinse-off products" as labelling thresholds (None when not that wording)."""
    found = _LABEL.search(text)
    if not found:
        return None
    rest = found.group("rest")
    out: list[Condition] = []
    for match in PERCENT.finditer(rest):
        tail = rest[match.end() : match.end() + 40].lower()
        if re.match(r"\s*in\s+leave-? ?on", tail):
            tags = frozenset({"leave_on"})
        elif re.match(r"\s*in\s+rinse-? ?off", tail):
            tags = frozenset({"rinse_off"})
        else:
            return None
        base = Condition(
            product_scope=tags,
            label_above_percent=to_number(match.group(1)),
            text=_one_line(found.group(0)),
        )
        out.extend(_scope_conditions(scope, base))
    return out or None


def _with_phrase(scope: Scope, phrase: str, draft: _Draft) -> Scope | None:
    """``scope`` narrowed by a product-type phrase found next to a limit (None on a problem)."""
    extra, problems = parse_scope(phrase)
    if problems:
        draft.problems.extend(problems)
        return None
    return _combine(scope, extra)


def _pairs(line: str) -> list[tuple[str, str]] | None:
    """Percentages each tied to a product type in one line, or None when they are not all:
    "leave-on products: 0.1 % ... rinse-off products: 0.2 %" (type first),
    "0,15 % (as phenol) in leave-on and 0,2 % (as phenol) in rinse-off products",
    "2 % (General use) and 4.5 % (Professional use)", "1,4 % for general consumers".
    """
    percents = _main_percents(line)
    before = re.findall(rf"([A-Za-z][^:%\n]*?):\s*({_NUMBER})\s*%", line)
    if len(before) == len(percents):
        return [(re.sub(r"^except\s*:?\s*", "", p.strip()), v) for p, v in before]
    after = re.findall(
        rf"({_NUMBER})\s*%\s*(?:\((?:as|of|calculated as)[^)]*\)\s*)?"
        rf"(?:\((?P<paren>[^)]*)\)|(?:in|for)\s+(?P<phrase>[a-z][a-z\- ]*?))"
        rf"(?=\s*(?:,|;|\.|\band\b|$|\s+cosmetic))",
        line,
        flags=re.IGNORECASE,
    )
    if len(after) == len(percents):
        return [(paren or phrase, value) for value, paren, phrase in after]
    return None


_HARMLESS_TAIL = re.compile(
    r"^(?:(?:of|as|calculated as|expressed as)\b.*|after mixing.*|when used alone.*|"
    r"present or released.*|ready for use.*|for (?:a |the )?(?:single|mixtures?)\b.*|"
    r"corresponding to .*|\(.*\)|\*+|[.;,]|is allowed.*)$",
    re.IGNORECASE | re.DOTALL,
)


def _harmless_tail(after: str) -> bool:
    """Whether the words after a percentage only qualify it (what it is calculated as, after
    mixing, ...) rather than narrow where it applies."""
    tail = re.sub(r"\([^()]*\)", " ", after).strip(" ,;.")
    return not tail or bool(_HARMLESS_TAIL.match(tail))


def _en_limits(text: str, scope: Scope, draft: _Draft) -> None:
    """Limits of one English sub-entry text into conditions (scope from the product column)."""
    lines = [line.strip() for line in re.split(r"\n|;|(?<=[^\d])\.\s+(?=[A-Z])", text)]
    main: list[Condition] = []
    notes: list[str] = []
    for line in (_AS_FROM.sub("", line).strip() for line in lines):
        if not line:
            continue
        if _BROKEN_NUMBER.search(line):
            draft.problems.append(f"malformed number in {_one_line(line)!r}")
            continue
        percents = _main_percents(line)
        if re.fullmatch(rf"{_NUMBER}", line):
            draft.problems.append(
                f"number without a unit: {line!r} (a workbook may store 14 % as 0.14)"
            )
            continue
        if _SPEC.search(line) and not _EN_SUM.search(line):
            notes.append(line)
            continue
        if not percents:
            per_million = _PER_MILLION_LIMIT.match(line)
            if per_million:
                # "100 mg/kg", "5 ppm": parts per million by mass, 1 ppm = 0.0001 % w/w
                base = Condition(max_percent=to_number(per_million.group(1)) / 10_000, text=line)
                main.extend(_scope_conditions(scope, base))
            elif _PPM.search(line):
                draft.problems.append(f"limit not in % ({_one_line(line)!r})")
            else:
                notes.append(line)
            continue
        if _EN_SUM.search(line):
            base = Condition(
                max_percent=to_number(percents[-1].group(1)),
                expressed_as=_expressed_as(line),
                sum_rule=line,
                text=line,
            )
            main.extend(_scope_conditions(scope, base))
            continue
        if len(percents) == 1:
            match = percents[0]
            before, after = line[: match.start()].strip(), line[match.end() :].strip()
            line_scope: Scope | None = scope
            if before.endswith(":") and not _NEUTRAL_BEFORE.search(before):
                line_scope = _with_phrase(scope, before[:-1], draft)
            elif re.match(r"^,?\s*(?:when used )?in\s+\w", after, re.IGNORECASE):
                phrase = re.sub(r"^,?\s*(?:when used )?in\s+", "", after, flags=re.IGNORECASE)
                line_scope = _with_phrase(scope, re.sub(r"\(.*?\)", "", phrase).strip(" ."), draft)
            elif not _harmless_tail(after):
                # "0,0015 % Rinse-off products": a product type after the limit
                tail, trouble = parse_scope(re.sub(r"\(.*?\)", "", after).strip(" .;,"))
                if trouble or tail.alternatives == (frozenset(),) or tail.prohibition_only:
                    draft.problems.append(f"text after the limit not understood: {after!r}")
                    continue
                line_scope = _combine(scope, tail)
            elif (
                before
                and not re.fullmatch(r"[(\[\-–•*]?", before)  # a bracket or a list bullet
                and not _NEUTRAL_BEFORE.search(before)
            ):
                draft.problems.append(f"text before the limit not understood: {before!r}")
                continue
            if line_scope is None:
                continue
            base = Condition(
                max_percent=to_number(match.group(1)),
                expressed_as=_expressed_as(line),
                text=line,
            )
            if re.search(r"\bafter mixing\b|ready for use|when used alone", line, re.IGNORECASE):
                base = replace(base, other=line)
            main.extend(_scope_conditions(line_scope, base))
            continue
        pairs = _pairs(line)
        if pairs is not None:
            if re.match(r"^except\b", line, re.IGNORECASE) and main:
                # "leave-on products: 0.1 % / except: fine fragrance: 2.5 %": the exceptions'
                # types leave the conditions before them.
                excepted, excepted_problems = _en_alternatives(" ; ".join(p for p, _v in pairs))
                if excepted_problems or any(len(t) != 1 for t in excepted):
                    draft.problems.append(f"exception not understood: {_one_line(line)!r}")
                    continue
                tags = frozenset().union(*excepted)
                main = [replace(c, excluded_scope=c.excluded_scope | tags) for c in main]
            for phrase, value in pairs:
                narrowed = _with_phrase(scope, phrase, draft)
                if narrowed is not None:
                    base = Condition(
                        max_percent=to_number(value),
                        expressed_as=_expressed_as(line),
                        text=f"{phrase}: {value} %",
                    )
                    main.extend(_scope_conditions(narrowed, base))
            continue
        ranged = re.search(rf">\s*({_NUMBER})\s*%\s*(?:and\s*)?[≤<]=?\s*({_NUMBER})\s*%", line)
        if ranged and len(percents) == 2:
            base = Condition(
                min_percent=to_number(ranged.group(1)),
                max_percent=to_number(ranged.group(2)),
                expressed_as=_expressed_as(line),
                text=line,
            )
            main.extend(_scope_conditions(scope, base))
            continue
        draft.problems.append(f"several percentages not told apart: {_one_line(line)!r}")
    if notes and main:
        note = " ".join(notes)
        main = [replace(c, other="; ".join(p for p in (c.other, note) if p)) for c in main]
    elif notes:
        # No limit: the sub-entry sets a scope only, with the text as a condition.
        main.extend(_scope_conditions(scope, Condition(other=" ".join(notes), text=text)))
    draft.conditions.extend(main)


def _combine(outer: Scope, inner: Scope) -> Scope:
    """A scope inside another: "(a) leave-on products" within "All products except oral"."""
    alternatives = tuple(a | b for a in outer.alternatives for b in inner.alternatives)
    return Scope(
        alternatives,
        outer.excluded | inner.excluded,
        outer.otherwise or inner.otherwise,
        outer.children_under_years or inner.children_under_years,
        "; ".join(p for p in (outer.note, inner.note) if p),
        outer.forbidden + inner.forbidden,
    )


def parse_limit(text: str, product_type: str = "") -> ParseResult:
    """One limit text (English or Korean) with an optional product-type text.

    >>> parse_limit("2.5 % (as free acid)").conditions[0].max_percent
    2.5
    """
    text = clean_text(text)
    if split_lettered(text)[1] or split_lettered(product_type)[1]:
        return parse_columns(product_type, text)
    if is_korean(text) or is_korean(product_type):
        joined = f"{product_type}에 {text}" if product_type else text
        return parse_korean(joined)
    scope, problems = parse_scope(product_type)
    draft = _Draft(problems=list(problems))
    if text:
        _en_limits(text, scope, draft)
    elif product_type:
        draft.conditions.extend(_scope_conditions(scope, Condition(text=product_type)))
    return ParseResult(tuple(_dedupe(draft.conditions)), tuple(dict.fromkeys(draft.problems)))


# -- lettered sub-entries ((a), (b), ...) ---------------------------------------------------------

_MARKER = re.compile(r"(?:(?<=^)|(?<=[\s;.:]))\(?([a-z])\)", re.MULTILINE)


_LETTER_RANGE = re.compile(r"^\(?([a-z])\)\s*(?:to|-|–)\s*\(?([a-z])\)\s*:?")


def split_lettered(text: str) -> tuple[str, dict[str, str]]:
    """Text before the first sub-entry marker and each sub-entry's text, by letter.

    Markers ``(a)``/``a)`` count only in sequence (a, b, c, ...; a text may open with a later
    letter, "(b) 0,5 %"), so "(i)" inside "(a)" or a later "For (a) and (b):" do not start
    sub-entries. Markers directly following each other ("(a) (b) (c) Avoid contact with
    eyes") share the text that follows, as does a text opening with a range ("(a) to (e): ...")
    and holding no other marker.
    """
    text = clean_text(text)
    whole_range = _LETTER_RANGE.match(text)
    if whole_range and not _MARKER.search(text, whole_range.end()):
        # "(a) to (e): Not to be used in eye products": the text belongs to every letter named
        first, last = whole_range.group(1), whole_range.group(2)
        body = text[whole_range.end() :].strip()
        return "", {chr(c): body for c in range(ord(first), ord(last) + 1)}
    markers: list[tuple[str, int, int]] = []
    expected: str | None = None
    for found in _MARKER.finditer(text):
        letter = found.group(1)
        if expected is None:
            if letter != "a" and found.start() != 0:
                continue
        elif letter != expected:
            continue
        markers.append((letter, found.start(), found.end()))
        expected = chr(ord(letter) + 1)
    if not markers:
        return text, {}
    head = text[: markers[0][1]].strip()
    parts: dict[str, str] = {}
    pending: list[str] = []
    for i, (letter, _start, end) in enumerate(markers):
        stop = markers[i + 1][1] if i + 1 < len(markers) else len(text)
        body = text[end:stop].strip()
        pending.append(letter)
        if body or i + 1 == len(markers):
            for waiting in pending:
                parts[waiting] = body
            pending = []
    return head, parts


_FOR_LETTERS = re.compile(r"\bfor\s+((?:\([a-z]\)(?:\s*,\s*|\s+and\s+)?)+)\s*:\s*", re.IGNORECASE)


def _shared_clauses(parts: dict[str, str]) -> dict[str, str]:
    """Move "For (a) and (b): ..." clauses found inside a sub-entry to the letters named."""
    extra: dict[str, list[str]] = {}
    out = dict(parts)
    for letter, body in parts.items():
        found = _FOR_LETTERS.search(body)
        if not found:
            continue
        clause = body[found.end() :].strip()
        out[letter] = body[: found.start()].strip()
        for named in re.findall(r"\(([a-z])\)", found.group(1)):
            extra.setdefault(named, []).append(clause)
    for letter, clauses in extra.items():
        out[letter] = "\n".join(p for p in (out.get(letter, ""), *clauses) if p)
    return out


@dataclass(frozen=True)
class _Column:
    head: str
    parts: dict[str, str]

    def text_for(self, letter: str | None) -> str:
        """The head and the sub-entry's own text (the head alone when the letter is absent)."""
        part = self.parts.get(letter) if letter is not None else None
        if part is None:
            return self.head
        return "\n".join(p for p in (self.head, part) if p)


_FOR_CLAUSE = re.compile(
    r"\(?\s*\bfor\s+((?:\([a-z]\)(?:\s*,\s*|\s+and\s+)?)+)\s*:\s*"
    r"(?P<clause>.*?)(?=\n\s*\(?[a-z]\)\s|\Z)",
    re.IGNORECASE | re.DOTALL,
)


def _column(text: str) -> _Column:
    """A column split by sub-entry; "For (a) and (b): ..." clauses go to the letters named."""
    text = clean_text(text)
    shared: dict[str, list[str]] = {}
    for found in list(_FOR_CLAUSE.finditer(text)):
        clause = found.group("clause").strip().rstrip(")").strip()
        for named in re.findall(r"\(([a-z])\)", found.group(1)):
            shared.setdefault(named, []).append(clause)
        text = text.replace(found.group(0), "\n")
    head, parts = split_lettered(text)
    parts = _shared_clauses(parts)
    for letter, clauses in shared.items():
        parts[letter] = "\n".join(p for p in (parts.get(letter, ""), *clauses) if p)
    return _Column(head, parts)


_MUST_NOT_EXCEED = re.compile(
    rf"(?:maximum concentration[^%]*?|must not exceed|shall not exceed)\s*(?:{_NUMBER}\s*%)",
    re.IGNORECASE,
)
_PROFESSIONAL = re.compile(r"\bprofessional use\b|\bprofessionals?\b", re.IGNORECASE)
_EN_NOT_USED = re.compile(r"not (?:to be )?(?:used|permitted) (?:in|on|for) [^.\n]*", re.IGNORECASE)


def _other_column(text: str, draft: _Draft) -> Scope:
    """Professional use, exclusions and children's age stated in an "Other" text (as a scope
    to combine with the product type)."""
    tags: set[str] = set()
    if _PROFESSIONAL.search(text) and not re.search(r"general use", text, re.IGNORECASE):
        tags.add("professional")
    excluded: set[str] = set()
    forbidden: list[frozenset[str]] = []
    children: int | None = None
    for found in _EN_NOT_USED.finditer(text):
        phrase = found.group(0)
        if _EN_QUALITATIVE.search(phrase):
            continue  # kept in the condition's text, not encoded
        scope, problems = parse_scope(phrase)
        if problems or scope.alternatives != (frozenset(),):
            draft.problems.append(f"prohibition not understood: {phrase.strip()!r}")
            continue
        excluded |= scope.excluded
        forbidden.extend(scope.forbidden)
        children = children or scope.children_under_years
        if scope.children_under_years is not None and not scope.forbidden:
            excluded.add("children")
    return Scope((frozenset(tags),), frozenset(excluded), False, children, "", tuple(forbidden))


def parse_columns(
    product_type: str = "",
    max_concentration: str = "",
    other: str = "",
    warnings: str = "",
) -> ParseResult:
    """An EU Annex III-VI (or Canada Hotlist) entry: its columns, sub-entries matched by letter.

    The product-type column gives each sub-entry's scope, the maximum-concentration column its
    limit (when empty, a "must not exceed N %" in the Other column), the Other column
    professional use, labelling thresholds and "not to be used in" conditions (kept as text
    too), the warnings column the label warning.
    """
    pt, mx, ot, wa = (_column(t) for t in (product_type, max_concentration, other, warnings))
    letters = sorted({letter for column in (pt, mx, ot) for letter in column.parts})
    draft = _Draft()
    shared_notes: list[str] = []
    sub_entries: list[str | None] = [*letters] or [None]
    for letter in sub_entries:
        scope_text = pt.text_for(letter)
        scope, problems = parse_scope(scope_text)
        draft.problems.extend(problems)
        if scope.prohibition_only:
            # "a) Not permitted in ...": no product type of its own; what it forbids holds for
            # the whole entry.
            shared_notes.append(_one_line(scope_text))
            if scope.note:
                pass  # a condition tags cannot express: kept as text on every condition
            combos = scope.forbidden + tuple(frozenset({tag}) for tag in sorted(scope.excluded))
            if not combos and not scope.note:
                draft.problems.append(f"prohibition not understood: {_one_line(scope_text)!r}")
            for combination in combos:
                draft.conditions.append(
                    Condition(
                        product_scope=combination,
                        max_percent=0.0,
                        other="not to be used in these products",
                        text=_one_line(scope_text),
                    )
                )
            continue
        other_text = ot.text_for(letter)
        scope = _combine(scope, _other_column(other_text, draft))
        limit_text = mx.text_for(letter)
        if (
            letter is not None
            and mx.parts
            and letter not in mx.parts
            and not PERCENT.search(mx.head)
        ):
            limit_text = mx.head  # this sub-entry has no limit of its own
        if not PERCENT.search(limit_text):
            found = _MUST_NOT_EXCEED.search(other_text)
            if found:
                limit_text = "\n".join(p for p in (limit_text, other_text[found.start() :]) if p)
        sub = _Draft()
        labels = _label_conditions(other_text, scope)
        if labels is not None:
            sub.conditions.extend(labels)
            if PERCENT.search(limit_text):
                _en_limits(limit_text, scope, sub)
        elif limit_text:
            _en_limits(limit_text, scope, sub)
        else:
            sub.conditions.extend(_scope_conditions(scope, Condition()))
        warning = _one_line(wa.text_for(letter) if wa.parts else wa.head)
        keep_other = _one_line(other_text)
        for condition in sub.conditions:
            draft.conditions.append(
                replace(
                    condition,
                    label_warning=warning,
                    other="; ".join(p for p in (condition.other, keep_other) if p),
                    text=" | ".join(p for p in (_one_line(scope_text), condition.text) if p),
                )
            )
        draft.problems.extend(sub.problems)
    conditions = draft.conditions
    if shared_notes and all(c.max_percent == 0.0 for c in conditions):
        # Only prohibitions ("Not to be used in eye products"): every other product may use it.
        conditions.append(Condition(otherwise=True, text="; ".join(shared_notes)))
    if shared_notes:
        note = "; ".join(shared_notes)
        conditions = [
            replace(c, other="; ".join(p for p in (c.other, note) if p)) for c in conditions
        ]
    return ParseResult(tuple(_dedupe(conditions)), tuple(dict.fromkeys(draft.problems)))


def _dedupe(conditions: Iterable[Condition]) -> list[Condition]:
    return list(dict.fromkeys(conditions))


# -- Korean ------------------------------------------------------------------------------------

_KO_EXCEPTION = re.compile(r"\(\s*(?:다만|단)\s*,?\s*(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)")
_KO_PROHIBITED = re.compile(
    r"(?P<what>.+?)\s*(?:에는|에|에서)?\s*(?:사용\s*(?:금지|할\s*수\s*없|하지\s*말\s*것))"
)
_KO_BULLET = re.compile(r"(?:^|(?<=\s))[․·ㆍ•∙]")


def _split_outside_brackets(text: str, separator: re.Pattern[str]) -> list[str]:
    """``text`` split at ``separator`` matches that are not inside brackets."""
    pieces: list[str] = []
    depth = 0
    start = 0
    cuts = [(m.start(), m.end()) for m in separator.finditer(text)]
    cut_at = dict(cuts)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and i in cut_at:
            pieces.append(text[start:i])
            start = i = cut_at[i]
            continue
        i += 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _ko_name(text: str) -> str:
    """A Korean name without the spaces the source's line breaks left inside it."""
    text = text.strip(" ,")
    return text.replace(" ", "") if re.fullmatch(r"[\uac00-\ud7a3\d\s\-]+", text) else text


def _ko_clause(clause: str, scope: Scope, draft: _Draft) -> None:
    """One Korean limit clause: "[scope]에 [X로서] N%" (or a range "N ~ M%")."""
    clause = re.sub(r"SO\s*2", "SO2", clause.strip(" ,.;"))
    if not clause:
        return
    if _BROKEN_NUMBER.search(clause):
        draft.problems.append(f"malformed number in {clause!r}")
        return
    sum_rule: str | None = None
    single = re.match(r"^단일\s*성분일\s*경우\s*", clause)
    if single:
        clause = clause[single.end() :]
    mixed = re.match(r"^혼합\s*사용의?\s*경우(?:에는)?\s*", clause)
    if mixed:
        sum_rule = mixed.group(0).strip()
        clause = clause[mixed.end() :]
    percents = _main_percents(clause)
    if not percents:
        if _PPM.search(clause):
            draft.problems.append(f"limit not in % ({clause!r})")
        elif re.search(r"pH", clause):
            # "제모제에서 pH조정 목적으로 사용되는 경우 최종 제품의 pH는 12.7이하"
            where = re.match(r"^(\S+?)(?:에서|에)\s", clause)
            narrowed = _with_phrase(scope, where.group(1), _Draft()) if where else None
            if narrowed is None:
                draft.problems.append(f"condition without a product type: {clause!r}")
            else:
                base = Condition(other=clause, text=clause)
                draft.conditions.extend(_scope_conditions(narrowed, base))
        elif re.search(r"허용$", clause):
            narrowed = _with_phrase(scope, re.sub(r"허용$", "", clause).strip(), draft)
            if narrowed is not None:
                draft.conditions.extend(_scope_conditions(narrowed, Condition(text=clause)))
        else:
            draft.problems.append(f"clause not understood: {clause!r}")
        return
    ranged = re.search(rf"({_NUMBER})\s*%?\s*~\s*({_NUMBER})\s*%", clause)
    match = percents[0]
    if not ranged and len(percents) > 1:
        draft.problems.append(f"several percentages not told apart: {clause!r}")
        return
    start, end = (ranged.start(), ranged.end()) if ranged else (match.start(), match.end())
    before, after = clause[:start].strip(), clause[end:].strip()
    expressed: str | None = None
    inner = re.fullmatch(r"\(\s*(.+?)\s*(?:으로서|로서)\s*\)", after)
    if inner:
        expressed, after = _ko_name(inner.group(1)), ""
    if after and not re.fullmatch(r"이하|에\s*해당하는\s*양", after):
        draft.problems.append(f"text after the limit not understood: {clause!r}")
        return
    scope_text = before
    as_tail = re.search(r"(?:으로서|로서|로)\s*$", before)
    if as_tail:
        # "사용 후 씻어내는 제품에 벤잘 코늄클로라이드로서": the name is the words after the
        # last word ending in a particle (에, 에는, 에서, 은, 는); spaces inside it are line breaks.
        words = before[: as_tail.start()].split()
        cut = len(words)
        while cut > 0 and not re.search(r"(?:에|에는|에서|은|는)$", words[cut - 1]):
            cut -= 1
        scope_text, expressed = " ".join(words[:cut]), _ko_name(" ".join(words[cut:]))
    clause_scope: Scope | None = scope
    if scope_text:
        clause_scope = _with_phrase(scope, scope_text, draft)
    if clause_scope is None:
        return
    if expressed and expressed.replace(" ", "") == "유리SO2":
        expressed = "free SO2"
    base = Condition(
        max_percent=to_number(ranged.group(2) if ranged else match.group(1)),
        min_percent=to_number(ranged.group(1)) if ranged else None,
        expressed_as=expressed or None,
        sum_rule=sum_rule or (clause if _KO_SUM.search(clause) else None),
        text=clause,
    )
    draft.conditions.extend(_scope_conditions(clause_scope, base))


def _ko_use_conditions(text: str, draft: _Draft) -> tuple[Scope, str]:
    """Exclusions (사용금지) in Korean use conditions, as a scope; all the text is kept."""
    excluded: set[str] = set()
    forbidden: list[frozenset[str]] = []
    children: int | None = None
    for clause in _split_outside_brackets(text, _KO_BULLET):
        found = _KO_PROHIBITED.search(clause)
        if not found:
            continue
        what = re.sub(r"\(\s*다만[^)]*\)", "", found.group("what")).strip()
        what = re.sub(r"(?<=에)\s+\S+(?:은|는)\s*$", "", what).strip()  # 분사형 제품에 X는
        if re.fullmatch(r"기타\s*(?:제품|목적)?\s*(?:에는|에)?", what) or _KO_QUALITATIVE.search(
            what
        ):
            continue  # the scope already says so, or a condition tags cannot express
        if "영유아" in what or "어린이" in what:
            years = _KO_CHILDREN.search(what)
            children = int(years.group(1)) if years else children
            excluded.add("children")
            continue
        scope, problems = parse_scope(what)
        tags = [a for a in scope.alternatives if a]
        if problems or not tags:
            draft.problems.append(f"prohibition not understood: {clause!r}")
            continue
        for alternative in tags:
            if len(alternative) == 1:
                excluded |= alternative
            else:
                forbidden.append(alternative)
    scope = Scope((frozenset(),), frozenset(excluded), False, children, "", tuple(forbidden))
    return scope, _one_line(text)


def parse_korean(max_concentration: str, use_conditions: str = "") -> ParseResult:
    """Korea's Annex 2 cells: "살리실릭애씨드로서 0.5%", "사용 후 씻어내는 제품에 0.01%",
    "․ 두발용 제품류에 5% ․ 기타 제품에 1%", and use conditions such as "영유아용 제품류 ...
    사용금지" (children excluded) or "에어로졸 제품에는 사용금지" (spray excluded)."""
    text = clean_text(max_concentration)
    draft = _Draft()
    scope, kept = _ko_use_conditions(clean_text(use_conditions), draft)
    if not text or text == "-":
        # No limit: the use conditions may name where the ingredient is used
        # ("염모제(탈염ㆍ탈색 포함)에서 산화보조제로서 사용").
        where = re.match(r"^(.+?)(?:에서|에)\s.*사용$", kept)
        if where:
            narrowed = _with_phrase(scope, where.group(1), draft)
            if narrowed is not None:
                draft.conditions.extend(
                    _scope_conditions(narrowed, Condition(other=kept, text=kept))
                )
        elif re.search(r"기타\s*제품", kept):
            draft.problems.append(
                f"no product type named for the ingredient, yet the row says: {kept!r}"
            )
        elif kept:
            draft.conditions.extend(_scope_conditions(scope, Condition(other=kept, text=kept)))
        return ParseResult(tuple(_dedupe(draft.conditions)), tuple(dict.fromkeys(draft.problems)))
    group_sum = re.match(r"^\(\s*([^()]*합으로서)\s*\)", text)
    if group_sum:
        text = text[group_sum.end() :].strip()
    exception_bodies = [m.group("body").strip() for m in _KO_EXCEPTION.finditer(text)]
    main_text = _KO_EXCEPTION.sub(" ", text)
    clauses = []
    for bullet in _split_outside_brackets(main_text, _KO_BULLET):
        opening = re.match(
            r"^다만\s*,?\s*", bullet
        )  # "․다만, 데오드란트에 배합할 경우에는 0.0075%"
        if opening:
            exception_bodies.append(bullet[opening.end() :])
            continue
        clauses += _split_outside_brackets(bullet, re.compile(r"(?<=%)\s*,|(?<=%\))\s*,"))
    clause_draft = _Draft()
    for clause in clauses:
        _ko_clause(clause, scope, clause_draft)
    special: list[Condition] = []
    for body in exception_bodies:
        if re.search(r"pH|ppm|병행\s*사용\s*금지|사용금지|함유하여야|초과할\s*수\s*없다", body):
            clause_draft.conditions = [
                replace(c, other="; ".join(p for p in (c.other, f"다만, {body}") if p))
                for c in clause_draft.conditions
            ]
            if re.search(r"병용|병행|합", body) and PERCENT.search(body):
                clause_draft.problems.append(f"group limit in an exception: {body!r}")
            continue
        sub = _Draft()
        for piece in _split_outside_brackets(body, re.compile(r"(?<=%)\s*,")):
            piece = re.sub(r"(?:에\s*)?(?:배합할|배합하는)\s*경우\s*(?:에는|에)?", "에 ", piece)
            _ko_clause(re.sub(r"(?:의|일)?\s*경우\s*(?:에는|에)?", "에", piece), scope, sub)
        if sub.problems or not sub.conditions:
            clause_draft.problems.append(f"exception not understood: {body!r}")
            continue
        special.extend(sub.conditions)
    conditions = clause_draft.conditions
    if special:
        # "2.4% (다만, 얼굴, 손 및 입술에 사용되는 제품에는 5%)": the main limit covers the rest.
        conditions = [replace(c, otherwise=True) if not c.product_scope else c for c in conditions]
        conditions = special + conditions
    if group_sum:
        conditions = [replace(c, sum_rule=group_sum.group(1)) for c in conditions]
    if kept:
        conditions = [
            replace(c, other="; ".join(p for p in (c.other, kept) if p)) for c in conditions
        ]
    draft.conditions.extend(conditions)
    draft.problems.extend(clause_draft.problems)
    return ParseResult(tuple(_dedupe(draft.conditions)), tuple(dict.fromkeys(draft.problems)))


def parse_threshold(text: str) -> float | None:
    """A labelling threshold such as ``"0.01% 초과"`` or ``"> 0.001 %"`` as a number."""
    found = PERCENT.search(clean_text(text))
    return to_number(found.group(1)) if found else None
