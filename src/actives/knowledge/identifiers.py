"""Identifiers in free text: CAS numbers (with check digit), EC numbers, normalised names."""

from __future__ import annotations

import re
import unicodedata

CAS_PATTERN = re.compile(r"\b(\d{2,7})-(\d{2})-(\d)\b")
EC_PATTERN = re.compile(r"\b(\d{3})-(\d{3})-(\d)\b")


def cas_is_valid(cas: str) -> bool:
    """Whether a CAS number's check digit is right (e.g. 50-00-0 yes, 50-00-1 no)."""
    match = CAS_PATTERN.fullmatch(cas.strip())
    if not match:
        return False
    digits = (match.group(1) + match.group(2))[::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(match.group(3))


def find_cas_numbers(text: str | None) -> list[str]:
    """Every valid CAS number in a cell such as ``"328-39-2(DL-) ,61-90-5(L-)"``, in order."""
    if not text:
        return []
    found: list[str] = []
    for match in CAS_PATTERN.finditer(str(text)):
        cas = f"{int(match.group(1))}-{match.group(2)}-{match.group(3)}"
        if cas_is_valid(cas) and cas not in found:
            found.append(cas)
    return found


def find_ec_numbers(text: str | None) -> list[str]:
    """EC numbers (``200-001-8``) in a cell."""
    if not text:
        return []
    return list(dict.fromkeys(m.group(0) for m in EC_PATTERN.finditer(str(text))))


_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Case-, width- and space-insensitive key for name lookup (Korean and Chinese kept as is)."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    return _SPACES.sub(" ", text)
