"""Open a built data pack and answer questions about it (DuckDB over Parquet, fingerprints in RAM).

Every answer can name the pack version it came from (``DataPack.version``).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from actives.chem.fingerprints import (
    PATTERN_BITS,
    morgan_fingerprint,
    packed_matrix,
    packed_query,
    packed_tanimoto,
    row_popcounts,
)
from actives.chem.identity import inchikey as key_of
from actives.chem.parse import to_mol
from actives.chem.standardize import standardize
from actives.errors import DataPackMissingError, InvalidInputError, NotFoundError
from actives.knowledge.activities import ACTIVITY_COLUMNS
from actives.knowledge.build import OPTIONAL_TABLES, PACK_FORMAT, TABLES
from actives.knowledge.identifiers import CAS_PATTERN, find_cas_numbers, normalize_name

INCHIKEY_PATTERN = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")
TaxonRank = Literal["species", "genus", "family"]


def current_pack_path(packs_dir: Path) -> Path | None:
    """The folder of the current pack under ``packs_dir``, or None if none was built."""
    pointer = packs_dir / "current"
    if not pointer.is_file():
        return None
    path = packs_dir / pointer.read_text().strip()
    return path if (path / "manifest.json").is_file() else None


@dataclass
class LookupResult:
    """What a free-text query resolved to: how it was read, the compounds, and suggestions."""

    query: str
    read_as: str
    compounds: pd.DataFrame
    names: pd.DataFrame = field(default_factory=pd.DataFrame)
    suggestions: list[str] = field(default_factory=list)


class DataPack:
    """A read-only view of one built pack."""

    def __init__(self, path: Path) -> None:
        manifest = path / "manifest.json"
        if not manifest.is_file():
            raise DataPackMissingError(f"{path} is not a data pack (no manifest.json).")
        self.path = path
        self.manifest: dict[str, Any] = json.loads(manifest.read_text())
        if self.manifest.get("format") != PACK_FORMAT:
            raise DataPackMissingError(
                f"Data pack {path.name} has format {self.manifest.get('format')}; this version "
                f"of Actives reads format {PACK_FORMAT}. Rebuild it with `actives data build`."
            )
        self.version: str = self.manifest["version"]
        self._db = duckdb.connect(":memory:")
        self.tables: set[str] = set()
        for table in TABLES:
            if table in OPTIONAL_TABLES and not (path / f"{table}.parquet").is_file():
                continue
            file = (path / f"{table}.parquet").as_posix().replace("'", "''")
            self._db.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{file}')")
            self.tables.add(table)
        self._lock = threading.Lock()
        self._activity_cache: dict[str, tuple[pd.DataFrame, np.ndarray, np.ndarray]] = {}

    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a read-only SQL query on the pack (a cursor per call, safe across threads)."""
        cursor = self._db.cursor()
        try:
            return cursor.execute(query, params or []).df()
        finally:
            cursor.close()

    # -- compounds -----------------------------------------------------------------------------

    COMPOUND_COLUMNS = (
        "inchikey, name, smiles, cas, chembl_id, wikidata_id, sources, mw, clogp, tpsa, hbd, "
        "hba, rotatable_bonds, rings, aromatic_rings, fraction_csp3, heavy_atoms, np_score, "
        "np_confidence"
    )

    def compound(self, inchikey: str) -> dict[str, Any]:
        """One compound by InChIKey (or an alias key), with its names; NotFoundError if absent."""
        key = self.canonical_key(inchikey)
        rows = self.sql(f"SELECT {self.COMPOUND_COLUMNS} FROM compounds WHERE inchikey = ?", [key])
        if rows.empty:
            raise NotFoundError(
                f"No compound with InChIKey {inchikey} in data pack {self.version}."
            )
        record: dict[str, Any] = {str(k): v for k, v in rows.iloc[0].to_dict().items()}
        names = self.sql(
            "SELECT DISTINCT name, kind, lang, source, source_ref FROM names WHERE inchikey = ? "
            "ORDER BY kind, name",
            [key],
        )
        record["names"] = names.to_dict("records")
        return record

    def canonical_key(self, inchikey: str) -> str:
        """Map a source's InChIKey or library id to the pack's compound key."""
        hit = self.sql("SELECT inchikey FROM compound_aliases WHERE alias = ? LIMIT 1", [inchikey])
        return str(hit.iloc[0, 0]) if not hit.empty else inchikey

    def plants_of(self, inchikey: str) -> pd.DataFrame:
        """Organisms reported to contain the compound, with the reference DOIs."""
        key = self.canonical_key(inchikey)
        return self.sql(
            "SELECT o.organism_id, o.name AS organism, o.genus, o.family, "
            "string_agg(DISTINCT oc.doi, '; ') FILTER (WHERE oc.doi <> '') AS dois, "
            "string_agg(DISTINCT oc.source, '; ') AS sources "
            "FROM occurrences oc JOIN organisms o USING (organism_id) WHERE oc.inchikey = ? "
            "GROUP BY ALL ORDER BY o.family, o.name",
            [key],
        )

    # -- plants --------------------------------------------------------------------------------

    def resolve_taxon(self, name: str) -> tuple[TaxonRank, str]:
        """Read a name as species, genus or family (case-insensitive); suggest on a miss."""
        text = " ".join(name.split())
        if not text:
            raise InvalidInputError("Empty plant name; expected a species, genus or family.")
        for rank, column in (("species", "name"), ("genus", "genus"), ("family", "family")):
            hit = self.sql(
                f"SELECT {column} FROM organisms WHERE lower({column}) = lower(?) LIMIT 1", [text]
            )
            if not hit.empty:
                return rank, str(hit.iloc[0, 0])  # type: ignore[return-value]
        suggestions = self.suggest_taxa(text)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise NotFoundError(
            f"No plant species, genus or family called {text!r} in data pack {self.version}.{hint}"
        )

    @cached_property
    def _taxon_names(self) -> list[str]:
        frame = self.sql(
            "SELECT DISTINCT name AS t FROM organisms UNION SELECT DISTINCT genus FROM organisms "
            "WHERE genus <> '' UNION SELECT DISTINCT family FROM organisms WHERE family <> ''"
        )
        return [str(t) for t in frame["t"]]

    def suggest_taxa(self, text: str, limit: int = 5) -> list[str]:
        """Closest species, genus or family names (typo-tolerant)."""
        found = process.extract(text, self._taxon_names, scorer=fuzz.QRatio, limit=limit,
                                score_cutoff=80)  # fmt: skip
        return [match for match, _score, _index in found]

    def constituents(self, name: str) -> tuple[TaxonRank, str, pd.DataFrame]:
        """Compounds reported in a species, genus or family, with structures and DOIs."""
        rank, matched = self.resolve_taxon(name)
        column = {"species": "o.name", "genus": "o.genus", "family": "o.family"}[rank]
        frame = self.sql(
            f"SELECT c.inchikey, c.name, c.smiles, c.mw, c.clogp, c.tpsa, c.np_score, "
            f"count(DISTINCT o.organism_id) AS n_organisms, "
            f"string_agg(DISTINCT oc.doi, '; ') FILTER (WHERE oc.doi <> '') AS dois "
            f"FROM occurrences oc JOIN organisms o USING (organism_id) "
            f"JOIN compounds c USING (inchikey) WHERE {column} = ? "
            f"GROUP BY ALL ORDER BY n_organisms DESC, c.name",
            [matched],
        )
        return rank, matched, frame

    # -- lookup --------------------------------------------------------------------------------

    @cached_property
    def _name_index(self) -> tuple[list[str], list[str]]:
        """Distinct normalised names and, for each, one spelling to show (mixed case preferred)."""
        frame = self.sql("SELECT DISTINCT name_norm, name FROM names ORDER BY name_norm, name")
        shown: dict[str, str] = {}
        for norm, name in zip(frame["name_norm"], frame["name"], strict=True):
            current = shown.get(norm)
            if current is None or (current.isupper() and not str(name).isupper()):
                shown[str(norm)] = str(name)
        return list(shown), list(shown.values())

    def lookup(self, query: str, limit: int = 20) -> LookupResult:
        """Resolve an InChIKey, CAS number, name (INCI, Korean, Chinese, Japanese, synonym) or
        SMILES to compounds; suggest close names when nothing matches exactly."""
        text = query.strip()
        if not text:
            raise InvalidInputError(
                "Empty query; expected a name, CAS number, InChIKey, INCI or SMILES."
            )
        if INCHIKEY_PATTERN.match(text):
            key = self.canonical_key(text)
            compounds = self._compounds_where("inchikey = ?", [key])
            if compounds.empty:  # same skeleton, other stereo
                compounds = self._compounds_where("connectivity = ?", [text.split("-")[0]])
            return LookupResult(query, "InChIKey", compounds)
        if CAS_PATTERN.fullmatch(text):
            numbers = find_cas_numbers(text)
            if not numbers:
                raise InvalidInputError(
                    f"{text!r} looks like a CAS number but its check digit is wrong."
                )
            names = self.sql(
                "SELECT DISTINCT name, kind, lang, inchikey, source, source_ref FROM names "
                "WHERE list_contains(string_split(cas, ';'), ?)",
                [numbers[0]],
            )
            keys = set(names.loc[names.inchikey != "", "inchikey"])
            compounds = self._compounds_where(
                "list_contains(string_split(cas, ';'), ?) OR inchikey IN "
                "(SELECT unnest(?::VARCHAR[]))",
                [numbers[0], sorted(keys)],
            )
            return LookupResult(query, "CAS number", compounds, names)
        norm = normalize_name(text)
        names = self.sql(
            "SELECT DISTINCT name, kind, lang, cas, inchikey, match, source, source_ref "
            "FROM names WHERE name_norm = ? ORDER BY kind",
            [norm],
        )
        if not names.empty:
            linked = sorted(set(names.loc[names.inchikey != "", "inchikey"]))
            compounds = self._compounds_where("inchikey IN (SELECT unnest(?::VARCHAR[]))", [linked])
            return LookupResult(query, "name", compounds, names)
        if _looks_like_smiles(text):
            try:
                key = key_of(standardize(to_mol(text)).mol)
            except InvalidInputError:
                pass
            else:
                compounds = self._compounds_where("inchikey = ?", [key])
                if compounds.empty:
                    compounds = self._compounds_where("connectivity = ?", [key.split("-")[0]])
                return LookupResult(query, "SMILES", compounds)
        norms, originals = self._name_index
        found = process.extract(norm, norms, scorer=fuzz.QRatio, limit=limit, score_cutoff=75)
        suggestions = [originals[i] for _match, _score, i in found][:8]
        return LookupResult(
            query, "name", self._compounds_where("false", []), suggestions=suggestions
        )

    def _compounds_where(self, condition: str, params: list[Any]) -> pd.DataFrame:
        return self.sql(
            f"SELECT {self.COMPOUND_COLUMNS} FROM compounds WHERE {condition} ORDER BY name",
            params,
        )

    # -- structure search ----------------------------------------------------------------------

    @cached_property
    def _fingerprints(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Compound keys, Morgan bits as a uint64 matrix and each row's popcount."""
        with self._lock:
            frame = self.sql("SELECT inchikey, morgan FROM compounds ORDER BY inchikey")
            morgan = packed_matrix(list(frame["morgan"]))
            return [str(k) for k in frame["inchikey"]], morgan, row_popcounts(morgan)

    @cached_property
    def _substructure_library(self) -> tuple[list[str], Any]:
        """RDKit SubstructLibrary over all compounds: trusted SMILES + stored pattern bits."""
        from rdkit.Chem import rdSubstructLibrary
        from rdkit.DataStructs import ExplicitBitVect

        with self._lock:
            frame = self.sql("SELECT inchikey, smiles, pattern FROM compounds ORDER BY inchikey")
            molecules = rdSubstructLibrary.CachedTrustedSmilesMolHolder()
            patterns = rdSubstructLibrary.PatternHolder(PATTERN_BITS)
            for smiles, blob in zip(frame["smiles"], frame["pattern"], strict=True):
                molecules.AddSmiles(str(smiles))
                patterns.AddFingerprint(ExplicitBitVect(bytes(blob)))  # type: ignore[call-overload]
            library = rdSubstructLibrary.SubstructLibrary(molecules, patterns)
            return [str(k) for k in frame["inchikey"]], library

    @cached_property
    def _compound_rows(self) -> pd.DataFrame:
        """The compound table without fingerprints, in memory and indexed by InChIKey."""
        with self._lock:
            return self.sql(f"SELECT {self.COMPOUND_COLUMNS} FROM compounds").set_index(
                "inchikey", drop=False
            )

    def _rows_for(self, keys: list[str]) -> pd.DataFrame:
        return self._compound_rows.loc[keys].reset_index(drop=True)

    def similar(self, smiles: str, threshold: float = 0.5, limit: int = 50) -> pd.DataFrame:
        """Compounds by Morgan (r=2, 2048 bits) Tanimoto similarity to a query structure."""
        if not 0 <= threshold <= 1:
            raise InvalidInputError(f"Similarity threshold {threshold}; expected 0 to 1.")
        query = packed_query(morgan_fingerprint(standardize(to_mol(smiles)).mol))
        keys, matrix, counts = self._fingerprints
        scores = packed_tanimoto(matrix, counts, query)
        selected = np.flatnonzero(scores >= threshold)
        order = selected[np.argsort(-scores[selected], kind="stable")][:limit]
        hits = self._rows_for([keys[i] for i in order])
        hits.insert(1, "similarity", scores[order])
        return hits

    def substructure(self, query: str, limit: int = 200) -> pd.DataFrame:
        """Compounds containing a substructure (SMARTS, or SMILES), at most ``limit``.

        RDKit's SubstructLibrary screens with pattern fingerprints, then matches on all cores.
        """
        from rdkit import Chem

        pattern = Chem.MolFromSmarts(query) if query.strip() else None
        if pattern is None:
            pattern = to_mol(query)
        keys, library = self._substructure_library
        threads = min(4, os.cpu_count() or 1)
        hits = library.GetMatches(pattern, useChirality=False, numThreads=threads, maxResults=limit)
        return self._rows_for(sorted(keys[i] for i in hits)).sort_values("name", kind="stable")

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these InChIKeys are compounds of the pack."""
        wanted = sorted(set(keys))
        if not wanted:
            return set()
        found = self.sql(
            "SELECT inchikey FROM compounds WHERE inchikey IN (SELECT unnest(?::VARCHAR[]))",
            [wanted],
        )
        return {str(k) for k in found["inchikey"]}

    # -- measured activities (the endpoints' curated training data) ------------------------------

    ACTIVITY_COLUMNS = ", ".join(c for c in ACTIVITY_COLUMNS if c != "morgan")

    def activity_report(self, endpoint_id: str) -> dict[str, Any] | None:
        """How the endpoint's measured data entered the pack (files, checksums, counts)."""
        return next(
            (r for r in self.manifest.get("activities", []) if r["endpoint"] == endpoint_id), None
        )

    def measured(self, endpoint_id: str, inchikeys: Iterable[str]) -> pd.DataFrame:
        """Measured values of these compounds for an endpoint (absent compounds have no row)."""
        wanted = sorted({k for k in inchikeys if k})
        if not wanted:
            return pd.DataFrame(columns=self.ACTIVITY_COLUMNS.split(", "))
        return self.sql(
            f"SELECT {self.ACTIVITY_COLUMNS} FROM activities WHERE endpoint = ? "
            "AND inchikey IN (SELECT unnest(?::VARCHAR[]))",
            [endpoint_id, wanted],
        )

    def _activity_index(self, endpoint_id: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """An endpoint's activity rows with their Morgan bits as a matrix, cached per endpoint."""
        with self._lock:
            cached = self._activity_cache.get(endpoint_id)
            if cached is None:
                frame = self.sql(
                    f"SELECT {self.ACTIVITY_COLUMNS}, morgan FROM activities WHERE endpoint = ? "
                    "ORDER BY inchikey",
                    [endpoint_id],
                )
                matrix = packed_matrix(list(frame.pop("morgan")))
                cached = self._activity_cache[endpoint_id] = (frame, matrix, row_popcounts(matrix))
            return cached

    def activity_neighbours(self, endpoint_id: str, fingerprint: Any, k: int = 5) -> pd.DataFrame:
        """The ``k`` measured compounds of an endpoint most similar to a Morgan fingerprint."""
        frame, matrix, counts = self._activity_index(endpoint_id)
        if frame.empty:
            return frame.assign(similarity=pd.Series(dtype=float))
        scores = packed_tanimoto(matrix, counts, packed_query(fingerprint))
        top = np.argsort(-scores, kind="stable")[:k]
        hits = frame.iloc[top].reset_index(drop=True)
        hits.insert(0, "similarity", scores[top])
        return hits

    # -- skin sensitisation reference data (actives.safety.data) ---------------------------------

    def _require_table(self, table: str) -> None:
        if table not in self.tables:
            raise DataPackMissingError(
                f"Data pack {self.version} was built before the {table} table existed; rebuild "
                "it with `actives data build`."
            )

    def sensitisation(self, inchikeys: Iterable[str]) -> pd.DataFrame:
        """Measured skin-sensitisation data of these compounds, one row per compound found.

        Columns as :func:`actives.safety.data.merge_sensitisation` writes them (per endpoint
        the merged value, record count, conflict flag and sources); absent compounds have no
        row. The rules are in the pack manifest under ``sensitisation``.
        """
        self._require_table("sensitisation")
        wanted = sorted({k for k in inchikeys if k})
        return self.sql(
            "SELECT * FROM sensitisation WHERE inchikey IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY inchikey",
            [wanted],
        )

    def sensitisation_records(self, inchikeys: Iterable[str]) -> pd.DataFrame:
        """The source records (one per measurement) behind :meth:`sensitisation`."""
        self._require_table("sensitisation_records")
        wanted = sorted({k for k in inchikeys if k})
        return self.sql(
            "SELECT * FROM sensitisation_records WHERE inchikey IN "
            "(SELECT unnest(?::VARCHAR[])) ORDER BY inchikey, endpoint, source, record_id",
            [wanted],
        )

    # -- regulation rule packs (actives.regulation.rulepack) --------------------------------------

    def rule_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ``rules`` and ``rule_conditions`` tables, whole (read once by
        :class:`actives.regulation.rulepack.RulePack`, which indexes them). The parse counts
        per list are in the manifest under ``regulation``."""
        self._require_table("rules")
        self._require_table("rule_conditions")
        return (
            self.sql("SELECT * FROM rules ORDER BY rule_id"),
            self.sql("SELECT * FROM rule_conditions ORDER BY rule_id, position"),
        )

    def info(self) -> dict[str, Any]:
        """The manifest, for `actives data info` and the web."""
        return self.manifest


def _looks_like_smiles(text: str) -> bool:
    return (
        " " not in text
        and bool(re.search(r"[=#()\[\]@]|^[BCNOSPFIcnosp]", text))
        and not any("\uac00" <= ch <= "\ud7a3" for ch in text)
    )
