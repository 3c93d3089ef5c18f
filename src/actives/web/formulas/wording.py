"""Verdicts in the reader's language, from the structured fields of a stored check.

The checker's messages (``regulation.checker``) are English sentences built around the legal
texts they quote. On a page in another language, each verdict is said again from what the stored
payload holds as data: the verdict, the deciding condition (product tags, limit, expressed-as)
and the amount; the checker's sentence stays beside it as the original. Product tags
(``regulation.rules.PRODUCT_TAGS``) get their words here, translated with the other UI strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# Every tag of regulation.rules.PRODUCT_TAGS, as a word before "products" (tested to cover them).
TAG_WORDS: dict[str, Promise] = {
    "rinse_off": gettext_lazy("rinse-off"),
    "leave_on": gettext_lazy("leave-on"),
    "face": gettext_lazy("face"),
    "body": gettext_lazy("body"),
    "hair": gettext_lazy("hair"),
    "lip": gettext_lazy("lip"),
    "eye": gettext_lazy("eye-area"),
    "oral": gettext_lazy("oral-care"),
    "hands": gettext_lazy("hand"),
    "feet": gettext_lazy("foot"),
    "nails": gettext_lazy("nail"),
    "spray": gettext_lazy("spray"),
    "children": gettext_lazy("children's"),
    "professional": gettext_lazy("professional"),
    "hair_dye": gettext_lazy("hair dye"),
    "hair_dye_oxidative": gettext_lazy("oxidative hair dye"),
    "hair_dye_non_oxidative": gettext_lazy("non-oxidative hair dye"),
    "eyelash_dye": gettext_lazy("eyelash and eyebrow dye"),
    "hair_waving": gettext_lazy("hair waving or straightening"),
    "depilatory": gettext_lazy("depilatory"),
    "deodorant": gettext_lazy("deodorant"),
    "shampoo": gettext_lazy("shampoo"),
    "soap": gettext_lazy("soap"),
    "cleansing": gettext_lazy("cleansing"),
    "toothpaste": gettext_lazy("toothpaste"),
    "mouthwash": gettext_lazy("mouthwash"),
    "self_tanning": gettext_lazy("self-tanning"),
    "artificial_nails": gettext_lazy("artificial nail"),
    "powder": gettext_lazy("powder"),
    "sunscreen": gettext_lazy("sunscreen"),
    "shaving": gettext_lazy("shaving"),
    "mask": gettext_lazy("face mask"),
    "anti_dandruff": gettext_lazy("anti-dandruff"),
    "fine_fragrance": gettext_lazy("fine fragrance"),
    "eau_de_toilette": gettext_lazy("eau de toilette"),
    "fragrance_cream": gettext_lazy("fragrance cream"),
    "hydroalcoholic": gettext_lazy("hydroalcoholic"),
}
_LEADING = ("professional", "children", "rinse_off", "leave_on")


def in_english() -> bool:
    """Whether the active language is English (the checker's own)."""
    return (get_language() or "en").startswith("en")


def _percent(value: Any) -> str:
    return f"{float(value):.6g} %"


def _kinds(tags: list[str]) -> str:
    ordered = [t for t in _LEADING if t in tags]
    ordered += sorted(t for t in tags if t not in _LEADING and t != "spray")
    ordered += ["spray"] if "spray" in tags else []
    return " ".join(str(TAG_WORDS.get(t, t.replace("_", " "))) for t in ordered)


def scope_words(condition: Mapping[str, Any]) -> str:
    """Where a stored condition applies: "rinse-off hair products", "other products (not oral)"."""
    tags = [str(t) for t in condition.get("product_scope") or []]
    if condition.get("otherwise"):
        text = (
            _("other %(kinds)s products") % {"kinds": _kinds(tags)} if tags else _("other products")
        )
    else:
        text = _("%(kinds)s products") % {"kinds": _kinds(tags)} if tags else _("all products")
    excluded = [str(t) for t in condition.get("excluded_scope") or []]
    if excluded:
        text += " " + _("(not %(kinds)s)") % {"kinds": ", ".join(_kinds([t]) for t in excluded)}
    return text


def limit_words(condition: Mapping[str, Any]) -> str:
    """A stored condition's limit: "max 0.5 %", "2 to 5 %", "max 0.5 % as salicylic acid"."""
    high, low = condition.get("max_percent"), condition.get("min_percent")
    if high is None:
        text = _("no maximum")
    elif low is not None and low != high:
        text = _("%(low)s to %(high)s") % {"low": _percent(low), "high": _percent(high)}
    else:
        text = _("max %(limit)s") % {"limit": _percent(high)}
    if condition.get("expressed_as"):
        text += " " + _("as %(substance)s") % {"substance": condition["expressed_as"]}
    return text


def condition_words(condition: Mapping[str, Any] | None) -> str:
    """Scope and limit of a stored condition, with the words of the regulation it came from."""
    if not condition:
        return ""
    text = f"{scope_words(condition)}: {limit_words(condition)}"
    original = str(condition.get("text") or "")
    return f"{text} — “{original}”" if original else text


def verdict_sentence(verdict: str, condition: Mapping[str, Any] | None, percent: Any) -> str:
    """One sentence for a verdict, from its deciding condition and the amount in the formula."""
    if verdict == "prohibited":
        if condition and condition.get("max_percent") == 0:
            return _("Not allowed in %(scope)s.") % {"scope": scope_words(condition)}
        if condition:  # a permissive list whose conditions do not cover this product
            return _(
                "Not allowed in this product. A permitted use, for example: %(scope)s "
                "(%(limit)s); the original lists them all."
            ) % {"scope": scope_words(condition), "limit": limit_words(condition)}
        return _("Prohibited in this market.")
    if verdict == "over_limit" and condition:
        return _("%(amount)s is outside what the rule allows: %(limit)s in %(scope)s.") % {
            "amount": _percent(percent),
            "limit": limit_words(condition),
            "scope": scope_words(condition),
        }
    if verdict == "over_limit":
        return _("%(amount)s is outside what the rule allows.") % {"amount": _percent(percent)}
    if verdict == "allowed_with_conditions":
        if condition:
            return _("Allowed in %(scope)s (%(limit)s), with the conditions below.") % {
                "scope": scope_words(condition),
                "limit": limit_words(condition),
            }
        return _("Allowed, with the conditions or label warnings below.")
    if verdict == "allowed":
        if condition:
            return _("Allowed: %(scope)s, %(limit)s.") % {
                "scope": scope_words(condition),
                "limit": limit_words(condition),
            }
        return _("Allowed.")
    if verdict == "not_in_inventory":
        return _(
            "Not in the market's inventory of ingredients: it must be registered or filed as a "
            "new ingredient before sale."
        )
    return _("Could not be decided automatically: a person must review it (see the original).")
