"""The Korean catalogue is complete and its compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

import actives.web

LOCALE = Path(actives.web.__file__).parent / "locale" / "ko" / "LC_MESSAGES"


def _po_entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            raise AssertionError(f"fuzzy entry left in the catalogue:\n{block}")
        mid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        mstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if not mid or not mstr:
            continue
        join = lambda s: "".join(re.findall(r'"(.*)"', s))  # noqa: E731
        if join(mid.group(1)):
            entries[join(mid.group(1))] = join(mstr.group(1))
    return entries


def test_every_message_has_a_korean_translation() -> None:
    entries = _po_entries()
    assert len(entries) > 100
    untranslated = [k for k, v in entries.items() if not v]
    assert untranslated == []


def test_compiled_catalogue_matches_source() -> None:
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    entries = _po_entries()
    for msgid, msgstr in entries.items():
        expected = msgstr.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        original = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        assert compiled.gettext(original) == expected, f"stale .mo for {msgid!r}: run make messages"
