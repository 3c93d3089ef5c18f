"""Ingredient resolution: an INCI, CAS, EC, Korean, Chinese or Japanese name or a synonym to one
substance, with the method, a confidence, suggestions and the pack rows behind the answer.

The pack's ``names`` table (built by ``actives data build`` from CosIng, the MFDS dictionary and
lists, IECIC and the MHLW list) holds one row per (name, kind) of a source entry. A substance is
what the rows say about one thing: the rows of one source entry (a CosIng annex row, an MFDS
dictionary row), and other entries that share its CAS number or its INCI name. Entries that
name several substances at once (an annex row listing several INCI names, a chemical group
with several CAS numbers and no INCI name) are reported as sources but do not pass their other
members on, so methylparaben does not inherit butylparaben's names through a shared annex row;
a CAS number shared by several INCI substances (Ceteth-2 ... Ceteth-30) links nothing.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import pandas as pd
from rapidfuzz import fuzz, process

from actives.errors import InvalidInputError, UnknownIngredientError
from actives.knowledge.identifiers import CAS_PATTERN, EC_PATTERN, cas_is_valid, normalize_name
from actives.regulation.rules import SubstanceKeys, inci_key

ResolutionStatus = Literal["resolved", "ambiguous", "unresolved"]
ResolutionMethod = Literal["cas", "ec", "exact name", "case-insensitive name", "fuzzy"]

# Confidence by how the name was found (our scale, not a published one): an identifier or the
# name exactly as a source spells it is certain; case, width or spacing differences or a name
# found only inside an annex entry that lists several substances are near-certain; a fuzzy
# match is at most 0.8 (0.8 x the rapidfuzz QRatio score / 100) and should be confirmed.
CONFIDENCE = {"cas": 1.0, "ec": 1.0, "exact name": 1.0, "case-insensitive name": 0.95}
CONFIDENCE_LOOSE = 0.9  # spacing ignored, or one name of a multi-substance annex entry
FUZZY_WEIGHT = 0.8
FUZZY_ACCEPT = 90.0  # QRatio score at or above which a unique fuzzy match is accepted
FUZZY_SUGGEST = 75.0  # QRatio score at or above which a name is suggested
DICTIONARY_SOURCES = ("mfds-dictionary", "mfds-dictionary-official")
# Which source's spelling of an INCI name is shown first (mixed case before upper case).
SOURCE_PRIORITY = ("mfds-dictionary-official", "mfds-dictionary", "cosing-inventory")

_CI_NAME = re.compile(r"CI\s?\d{5}", re.IGNORECASE)  # a colour index name ("CI 77891")
_LIST_SPLIT = re.compile(r"\s*;\s*|\s*/\s*|,\s+")
_FOOTNOTE = re.compile(r"\s*\(\d\)\s*$")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


class NamesSource(Protocol):
    """What resolution needs of a data pack: its version and SQL over its ``names`` table."""

    version: str

    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame: ...


@dataclass(frozen=True)
class NameRow:
    """One row of the pack's ``names`` table: a name of a source entry."""

    name: str
    kind: str
    lang: str
    cas: tuple[str, ...]
    ec: tuple[str, ...]
    source: str
    source_ref: str
    inchikey: str = ""

    @property
    def reference(self) -> str:
        """The source entry, e.g. ``"EU Annex V/57"`` or ``"MFDS dictionary #206"``."""
        return self.source_ref or self.source


@dataclass(frozen=True)
class Candidate:
    """One of several substances an ambiguous name may mean."""

    display_name: str | None
    korean_name: str | None
    substance: SubstanceKeys
    sources: tuple[NameRow, ...]


@dataclass
class Resolution:
    """What one ingredient name resolved to, how, and how sure we are."""

    query: str
    status: ResolutionStatus
    substance: SubstanceKeys | None = None
    display_name: str | None = None  # INCI name
    korean_name: str | None = None  # MFDS dictionary name (전성분 표시 name)
    method: ResolutionMethod | None = None
    confidence: float = 0.0
    suggestions: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    sources: list[NameRow] = field(default_factory=list)
    message: str = ""

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    @property
    def label_name(self) -> str:
        """The INCI name when known, else the name as given."""
        return self.display_name or self.query


# -- the index ------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).strip())


def _compact(norm: str) -> str:
    return norm.replace(" ", "")


_PARENTHESIS = re.compile(r"\s*\((?![^)]*nano)[^)]*\)", re.IGNORECASE)


def _bare(name: str) -> str:
    """A name without its parenthesised common name, compacted: INCI names of botanicals carry
    one ("GLYCYRRHIZA GLABRA (LICORICE) ROOT EXTRACT") that users often leave out. A "(nano)"
    is kept: the nano form is another substance in the regulations."""
    return _compact(normalize_name(_PARENTHESIS.sub("", name)))


def split_listed_names(name: str) -> list[str]:
    """The names in an annex cell that lists several (``"BENZOIC ACID; SODIUM BENZOATE"``)."""
    pieces = [_FOOTNOTE.sub("", p).strip() for p in _LIST_SPLIT.split(name)]
    pieces = [p for p in pieces if sum(ch.isalpha() for ch in p) >= 4 or _CI_NAME.fullmatch(p)]
    return pieces if len(pieces) > 1 else []


def _several(name: str) -> bool:
    """Whether an annex cell names several substances; a name with its colour index number
    ("TITANIUM DIOXIDE/CI 77891") is one substance under two names."""
    pieces = split_listed_names(name)
    return sum(not _CI_NAME.fullmatch(p) for p in pieces) > 1


class NameIndex:
    """Dictionaries over a pack's ``names`` table, built once per pack (see :func:`name_index`)."""

    def __init__(self, frame: pd.DataFrame, version: str) -> None:
        self.version = version
        self.rows: list[NameRow] = []
        self.entry_of: list[tuple[str, str]] = []
        self.by_exact: dict[str, list[int]] = defaultdict(list)
        self.by_norm: dict[str, list[int]] = defaultdict(list)
        self.by_compact: dict[str, list[int]] = defaultdict(list)
        self.by_bare: dict[str, list[int]] = defaultdict(list)
        self.part_norm: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.by_entry: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_cas: dict[str, list[int]] = defaultdict(list)
        self.by_ec: dict[str, list[int]] = defaultdict(list)
        self.by_inci: dict[str, list[int]] = defaultdict(list)
        self.by_inci_part: dict[str, list[int]] = defaultdict(list)
        columns = ("name", "kind", "lang", "cas", "ec", "inchikey", "source", "source_ref")
        frame = frame.reindex(columns=list(columns)).fillna("")
        for i, (name, kind, lang, cas, ec, key, source, ref) in enumerate(
            frame.itertuples(index=False, name=None)
        ):
            row = NameRow(
                _clean(str(name)),
                str(kind),
                str(lang),
                tuple(c for c in str(cas).split(";") if c),
                tuple(e for e in str(ec).split(";") if e),
                str(source),
                str(ref),
                str(key),
            )
            self.rows.append(row)
            entry = (row.source, row.source_ref or f"row {i}")
            self.entry_of.append(entry)
            self.by_entry[entry].append(i)
            norm = normalize_name(row.name)
            self.by_exact[row.name].append(i)
            self.by_norm[norm].append(i)
            self.by_compact[_compact(norm)].append(i)
            if "(" in row.name:
                self.by_bare[_bare(row.name)].append(i)
            for number in row.cas:
                self.by_cas[number].append(i)
            for number in row.ec:
                self.by_ec[number].append(i)
            if row.kind == "inci":
                self.by_inci[inci_key(row.name)].append(i)
                for part in (
                    split_listed_names(row.name) if row.source.startswith("cosing-annex") else []
                ):
                    self.by_inci_part[inci_key(part)].append(i)
                    self.part_norm[normalize_name(part)].append((i, part))
        # An entry is about one substance when it has one INCI name (several CAS numbers are
        # then isomers or hydrates of it), or no INCI name and at most one CAS number; an annex
        # row listing several INCI names, or a chemical group with many CAS numbers, is not.
        self.single: dict[tuple[str, str], bool] = {}
        for entry, ids in self.by_entry.items():
            inci = {
                inci_key(self.rows[i].name)
                for i in ids
                if self.rows[i].kind == "inci"
                and not (entry[0].startswith("cosing-annex") and _several(self.rows[i].name))
            }
            listed = any(
                self.rows[i].kind == "inci" and _several(self.rows[i].name) for i in ids
            ) and entry[0].startswith("cosing-annex")
            numbers = {c for i in ids for c in self.rows[i].cas}
            self.single[entry] = not listed and (len(inci) == 1 or (not inci and len(numbers) <= 1))
        # A CAS number links entries only when it names one INCI substance (polymers such as
        # Ceteth-2 ... Ceteth-30 share one CAS number and stay apart).
        self.specific_cas: set[str] = set()
        for number, ids in self.by_cas.items():
            keys = {
                inci_key(self.rows[j].name)
                for i in ids
                if self.single[self.entry_of[i]]
                for j in self.by_entry[self.entry_of[i]]
                if self.rows[j].kind == "inci"
            }
            if len(keys) <= 1:
                self.specific_cas.add(number)
        # Typo matching runs over ingredient names (INCI, Korean, Chinese, Japanese, list
        # names), not over the compound names of the structure sources (kind "common"), which
        # in a full pack are many times more and would slow every unknown name down.
        self.fuzzy_norms = [
            norm
            for norm, ids in self.by_norm.items()
            if any(self.rows[i].kind != "common" for i in ids)
        ]
        self._shown = {norm: self._spelling(ids) for norm, ids in self.by_norm.items()}

    def _spelling(self, ids: list[int]) -> str:
        names = [self.rows[i].name for i in ids]
        return next((n for n in names if not n.isupper()), names[0])

    def shown(self, norm: str) -> str:
        return self._shown.get(norm, norm)


_INDEXES: weakref.WeakKeyDictionary[Any, NameIndex] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def name_index(pack: NamesSource) -> NameIndex:
    """The name index of a pack, built on first use and kept as long as the pack object lives."""
    with _INDEX_LOCK:
        index = _INDEXES.get(pack)
        if index is None or index.version != pack.version:
            frame = pack.sql(
                "SELECT name, kind, lang, cas, ec, inchikey, source, source_ref FROM names"
            )
            index = _INDEXES[pack] = NameIndex(frame, pack.version)
        return index


# -- gathering a substance -------------------------------------------------------------------------


@dataclass
class _Group:
    """The rows about one substance, reached from some hit rows."""

    hits: list[int]
    rows: dict[int, int]  # row id -> distance from the hits (0 = hit)
    entries: set[tuple[str, str]]


def _gather(index: NameIndex, hits: Iterable[int], rounds: int = 4) -> _Group:
    """Rows of the hits' entries, then entries sharing a specific CAS number or an INCI name."""
    hits = list(hits)
    rows: dict[int, int] = {i: 0 for i in hits}
    entries: set[tuple[str, str]] = set()
    frontier = list(hits)
    seen_keys: set[tuple[str, str]] = set()
    for distance in range(1, rounds + 1):
        keys: set[tuple[str, str]] = set()
        for i in frontier:
            entry = index.entry_of[i]
            if not index.single[entry]:
                continue
            if entry not in entries:
                entries.add(entry)
                keys.add(("entry", f"{entry[0]}\x00{entry[1]}"))
            for j in index.by_entry[entry]:
                row = index.rows[j]
                keys.update(("cas", c) for c in row.cas if c in index.specific_cas)
                if row.kind == "inci":
                    keys.add(("inci", inci_key(row.name)))
        keys -= seen_keys
        seen_keys |= keys
        found: list[int] = []
        for kind, value in keys:
            if kind == "entry":
                source, ref = value.split("\x00", 1)
                found.extend(index.by_entry[(source, ref)])
            elif kind == "cas":
                found.extend(index.by_cas[value])
            else:
                found.extend(index.by_inci[value])
                found.extend(index.by_inci_part[value])
        frontier = []
        for j in found:
            if j not in rows:
                rows[j] = distance
                frontier.append(j)
        if not frontier:
            break
    return _Group(hits, rows, entries)


def _keys_of(index: NameIndex, group: _Group, extra_inci: Iterable[str] = ()) -> SubstanceKeys:
    """CAS, EC numbers and normalised names of the group's one-substance entries and hits."""
    cas: set[str] = set()
    ec: set[str] = set()
    names: dict[str, set[str]] = {"inci": {inci_key(n) for n in extra_inci}}
    for kind in ("korean", "chinese", "other"):
        names[kind] = set()
    for i in group.rows:
        row = index.rows[i]
        single = index.single[index.entry_of[i]]
        if not single and (i not in group.hits or row.kind == "inci"):
            continue  # a multi-substance entry: only a hit name that is not a list counts
        if single:
            cas.update(row.cas)
            ec.update(row.ec)
        if row.kind == "inci":
            names["inci"].add(inci_key(row.name))
        elif row.kind == "korean" or row.lang == "ko":
            names["korean"].add(normalize_name(row.name))
        elif row.kind == "chinese":
            names["chinese"].add(normalize_name(row.name))
        else:
            names["other"].add(normalize_name(row.name))
    return SubstanceKeys(
        cas=frozenset(cas),
        ec=frozenset(ec),
        inci=frozenset(names["inci"]),
        korean=frozenset(names["korean"]),
        chinese=frozenset(names["chinese"]),
        other=frozenset(names["other"]),
    )


def _source_rank(source: str) -> int:
    return SOURCE_PRIORITY.index(source) if source in SOURCE_PRIORITY else len(SOURCE_PRIORITY)


def _display_name(index: NameIndex, group: _Group, part: str | None) -> str | None:
    """The INCI name: the hit's own, else its entry's, else the most cited one nearby."""
    single_inci = [
        i for i in group.rows if index.rows[i].kind == "inci" and index.single[index.entry_of[i]]
    ]
    direct = [i for i in group.hits if index.rows[i].kind == "inci"]
    if direct and index.single[index.entry_of[direct[0]]]:
        key = inci_key(index.rows[direct[0]].name)
    elif part is not None:
        key = inci_key(part)
    elif single_inci:
        best = min(group.rows[i] for i in single_inci)
        counts = Counter(inci_key(index.rows[i].name) for i in single_inci if group.rows[i] == best)
        key = max(sorted(counts), key=lambda k: counts[k])
    else:
        return None
    spellings = [
        index.rows[i]
        for i in index.by_inci.get(key, [])
        if not split_listed_names(index.rows[i].name)
    ]
    if not spellings:
        return part if part is not None else key
    if all(r.name.isupper() for r in spellings):
        # the INCI sources spell it in capitals only: a chemical or English name spelt the same
        # in the group gives the mixed case ("Hydroquinone" of EU Annex III/14)
        spellings += [index.rows[i] for i in group.rows if inci_key(index.rows[i].name) == key]
    spellings.sort(key=lambda r: (r.name.isupper(), _source_rank(r.source)))
    return spellings[0].name


def _korean_name(index: NameIndex, group: _Group, display: str | None) -> str | None:
    """The MFDS dictionary's Korean name of the INCI name shown, or of the hit's own entry."""
    hit_korean = [
        index.rows[i]
        for i in group.hits
        if index.rows[i].kind == "korean" and index.rows[i].source in DICTIONARY_SOURCES
    ]
    if hit_korean:
        return hit_korean[0].name
    candidates: list[str] = []
    if display is not None:
        for i in index.by_inci.get(inci_key(display), []):
            entry = index.entry_of[i]
            if entry[0] in DICTIONARY_SOURCES:
                candidates.extend(
                    index.rows[j].name
                    for j in index.by_entry[entry]
                    if index.rows[j].kind == "korean"
                )
    if not candidates:
        names = {
            index.rows[i].name
            for i in group.rows
            if index.rows[i].kind == "korean" and index.rows[i].source in DICTIONARY_SOURCES
        }
        candidates = sorted(names) if len(names) == 1 else []
    return candidates[0] if candidates else None


def _identity(index: NameIndex, group: _Group) -> tuple[set[str], set[str]]:
    """INCI keys and CAS numbers of a group's one-substance entries."""
    inci: set[str] = set()
    cas: set[str] = set()
    for i in group.rows:
        if index.single[index.entry_of[i]]:
            row = index.rows[i]
            cas.update(row.cas)
            if row.kind == "inci":
                inci.add(inci_key(row.name))
    return inci, cas


def _group_hits(index: NameIndex, hits: list[int]) -> list[_Group]:
    """Split the hit rows into groups, one per substance.

    Hits whose entries reach each other (shared entry, specific CAS number or INCI name) are
    one group; groups are then merged unless they contradict each other: both have INCI names
    and none in common, or both have CAS numbers and none in common. So a Korean name in a
    list row without INCI name joins the dictionary entry of the same name, while a Korean
    name used for two INCI substances stays ambiguous.
    """
    seeds = [i for i in hits if index.single[index.entry_of[i]]] or hits
    groups: list[_Group] = []
    for i in seeds:
        group = _gather(index, [i])
        for other in groups:
            if other.entries & group.entries or i in other.rows:
                other.hits.append(i)
                break
        else:
            groups.append(group)
    identities = [_identity(index, g) for g in groups]
    merged = True
    while merged and len(groups) > 1:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                (inci_a, cas_a), (inci_b, cas_b) = identities[a], identities[b]
                if (inci_a and inci_b and not inci_a & inci_b) or (
                    cas_a and cas_b and not cas_a & cas_b
                ):
                    continue
                groups[a] = _gather(index, groups[a].hits + groups[b].hits)
                identities[a] = (inci_a | inci_b, cas_a | cas_b)
                del groups[b], identities[b]
                merged = True
                break
            if merged:
                break
    # rows of multi-substance entries among the hits travel with every group as sources
    for g in groups:
        for i in hits:
            if not index.single[index.entry_of[i]]:
                g.rows.setdefault(i, 0)
    return groups


def _resolution(
    index: NameIndex,
    query: str,
    hits: list[int],
    method: ResolutionMethod,
    confidence: float,
    part: str | None = None,
    note: str = "",
) -> Resolution:
    groups = _group_hits(index, hits)
    direct = [g for g in groups if any(index.rows[i].kind == "inci" for i in g.hits)]
    if len(groups) > 1 and len(direct) == 1:
        groups = direct  # an INCI name names one substance; other uses of the name are set aside
    built = []
    for g in groups:
        display = _display_name(index, g, part)
        extra = [part] if part else []
        built.append(
            Candidate(
                display,
                _korean_name(index, g, display),
                _keys_of(index, g, extra),
                tuple(index.rows[i] for i in sorted(g.rows, key=lambda i: (g.rows[i], i))),
            )
        )
    if len(built) == 1:
        only = built[0]
        refs = ", ".join(dict.fromkeys(r.reference for r in only.sources[:6]))
        return Resolution(
            query,
            "resolved",
            only.substance,
            only.display_name,
            only.korean_name,
            method,
            round(confidence, 3),
            sources=list(only.sources),
            message=note or f"{method} match in {refs}",
        )
    names = [c.display_name or c.sources[0].name for c in built]
    return Resolution(
        query,
        "ambiguous",
        method=method,
        confidence=round(confidence / len(built), 3),
        suggestions=list(dict.fromkeys(names)),
        candidates=built,
        sources=[r for c in built for r in c.sources],
        message=f"{query!r} names {len(built)} different substances in data pack "
        f"{index.version}: {', '.join(dict.fromkeys(names))}; give the INCI name or CAS number.",
    )


# -- public API -----------------------------------------------------------------------------------


def suggest_names(query: str, pack: NamesSource, limit: int = 8) -> list[str]:
    """Pack names closest to ``query`` (rapidfuzz QRatio >= 75), best first."""
    index = name_index(pack)
    return [index.shown(norm) for norm, _s in _fuzzy(index, normalize_name(query), limit)]


def _fuzzy(index: NameIndex, norm: str, limit: int) -> list[tuple[str, float]]:
    found = process.extract(
        norm, index.fuzzy_norms, scorer=fuzz.QRatio, limit=limit, score_cutoff=FUZZY_SUGGEST
    )
    return [(match, float(score)) for match, score, _i in found]


def _resolve(index: NameIndex, query: str) -> Resolution:
    text = _clean(query)
    if not text:
        return Resolution(
            query,
            "unresolved",
            message="Empty ingredient name; expected an INCI name, CAS or EC number, or a "
            "Korean, Chinese or Japanese name.",
        )
    cas_match = CAS_PATTERN.fullmatch(text)
    if cas_match:
        number = f"{int(cas_match.group(1))}-{cas_match.group(2)}-{cas_match.group(3)}"
        if not cas_is_valid(number):
            return Resolution(
                query,
                "unresolved",
                message=f"CAS number {text} has a wrong check digit; expected "
                f"{_cas_check_digit(number)} as the last digit.",
            )
        hits = index.by_cas.get(number, [])
        if hits:
            return _resolution(index, query, hits, "cas", CONFIDENCE["cas"])
        return Resolution(
            query,
            "unresolved",
            substance=SubstanceKeys(cas=frozenset({number})),
            message=f"CAS number {number} is in no list of data pack {index.version}.",
        )
    if EC_PATTERN.fullmatch(text):
        hits = index.by_ec.get(text, [])
        if hits:
            return _resolution(index, query, hits, "ec", CONFIDENCE["ec"])
        wrong = "" if _ec_is_valid(text) else " (and its check digit is wrong)"
        return Resolution(
            query,
            "unresolved",
            substance=SubstanceKeys(ec=frozenset({text})),
            message=f"EC number {text} is in no list of data pack {index.version}{wrong}.",
        )
    norm = normalize_name(text)
    if norm in index.by_norm:
        # annex rows naming it beside another name of the same substance ("TITANIUM
        # DIOXIDE/CI 77891") join the hits, so their CAS and EC numbers come along
        hits = index.by_norm[norm] + [i for i, _p in index.part_norm.get(norm, [])]
        if text in index.by_exact:
            return _resolution(index, query, hits, "exact name", CONFIDENCE["exact name"])
        conf = CONFIDENCE["case-insensitive name"]
        return _resolution(index, query, hits, "case-insensitive name", conf)
    if _compact(norm) in index.by_compact:
        hits = index.by_compact[_compact(norm)]
        return _resolution(
            index, query, hits, "case-insensitive name", CONFIDENCE_LOOSE,
            note=f"matched {index.rows[hits[0]].name!r} ignoring case and spacing",
        )  # fmt: skip
    if norm in index.part_norm:
        pairs = index.part_norm[norm]
        part = pairs[0][1]
        exact = any(p == text for _i, p in pairs)
        refs = ", ".join(dict.fromkeys(index.rows[i].reference for i, _p in pairs))
        return _resolution(
            index, query, [i for i, _p in pairs],
            "exact name" if exact else "case-insensitive name", CONFIDENCE_LOOSE, part=part,
            note=f"named in {refs}, an entry that lists several substances",
        )  # fmt: skip
    bare = _bare(text)
    hits = index.by_bare.get(bare) or index.by_compact.get(bare, [])
    if hits:
        return _resolution(
            index, query, hits, "case-insensitive name", CONFIDENCE_LOOSE,
            note=f"matched {index.rows[hits[0]].name!r} ignoring the name in parentheses",
        )  # fmt: skip
    return _fuzzy_resolution(index, query, norm)


def _fuzzy_resolution(index: NameIndex, query: str, norm: str) -> Resolution:
    found = _fuzzy(index, norm, 8)
    suggestions = [index.shown(n) for n, _s in found]
    if found and len(norm) >= 5:
        best, score = found[0]
        close = [n for n, s in found if s >= score - 3 and n != best]
        same_digits = _DIGITS.findall(best) == _DIGITS.findall(norm)
        if score >= FUZZY_ACCEPT and same_digits:
            resolution = _resolution(
                index, query, index.by_norm[best], "fuzzy", FUZZY_WEIGHT * score / 100,
                note=f"read as {index.shown(best)!r} (fuzzy match, score {score:.0f}/100); "
                "confirm the name",
            )  # fmt: skip
            if resolution.resolved and not _rivals(index, best, close):
                resolution.suggestions = suggestions
                return resolution
    return Resolution(
        query,
        "unresolved",
        suggestions=suggestions,
        message=f"{query!r} is not a name, CAS or EC number in data pack {index.version}"
        + (f"; did you mean {', '.join(suggestions[:5])}?" if suggestions else "."),
    )


def _rivals(index: NameIndex, best: str, close: list[str]) -> list[str]:
    """Names scoring about as well as the best fuzzy match that belong to another substance."""
    mine = _gather(index, index.by_norm[best])
    mine_rows = set(mine.rows)
    return [
        n
        for n in close
        if not (_gather(index, index.by_norm[n]).entries & mine.entries)
        and not mine_rows & set(index.by_norm[n])
    ]


def _cas_check_digit(cas: str) -> int:
    digits = cas.replace("-", "")[:-1][::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10


def _ec_is_valid(ec: str) -> bool:
    """EC check digit: sum of the first six digits weighted 1..6, modulo 11."""
    digits = ec.replace("-", "")
    return sum((i + 1) * int(d) for i, d in enumerate(digits[:6])) % 11 == int(digits[6])


def resolve_ingredient(name: str, pack: NamesSource, *, strict: bool = False) -> Resolution:
    """Resolve one ingredient name, CAS or EC number to a substance.

    An unknown name comes back ``unresolved`` with suggestions; with ``strict=True`` anything
    but ``resolved`` raises (empty name: InvalidInputError; unknown or ambiguous:
    UnknownIngredientError, whose message lists the suggestions).
    """
    if strict and not name.strip():
        raise InvalidInputError(
            "Empty ingredient name; expected an INCI name, CAS or EC number, or a Korean, "
            "Chinese or Japanese name."
        )
    resolution = _resolve(name_index(pack), name)
    if strict and not resolution.resolved:
        raise UnknownIngredientError(resolution.message)
    return resolution


def resolve_ingredients(names: Iterable[str], pack: NamesSource) -> list[Resolution]:
    """Resolve many names; one Resolution per name, in order, never raising for one bad name."""
    index = name_index(pack)
    done: dict[str, Resolution] = {}
    out: list[Resolution] = []
    for name in names:
        text = "" if name is None or (isinstance(name, float) and name != name) else str(name)
        if text not in done:
            done[text] = _resolve(index, text)
        out.append(done[text])
    return out
