"""Regulatory rules and the keys that identify a substance for rule matching."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")


def inci_key(name: str) -> str:
    """An INCI name as a matching key: NFKC, upper-case, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).strip()).upper()


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

    def __bool__(self) -> bool:
        return bool(self.cas or self.ec or self.inci or self.korean or self.chinese or self.other)
