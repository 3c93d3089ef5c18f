"""Plant to actives, and function to plants, on the data pack's occurrence records.

:func:`plant_actives` ranks the known constituents of a species, genus or family for one or more
functions, each row with potency (measured or predicted), interval, P(active), domain, skin
permeation, NP-likeness and the occurrence references (DOIs).

:func:`plants_for_function` ranks species (or genera) by their predicted actives for a function:
``expected_actives`` is the sum of P(active) over the taxon's constituents, the expected number
of actives among them, so it grows with both the number and the strength of the actives;
``n_actives`` counts constituents with P(active) >= 0.5 (measured actives count as 1), and
``best`` names the strongest one; ``fraction_actives`` is ``n_actives`` over the known
constituents (``sort_by`` picks the order, see ``SORT_KEYS``). For a function scored by
similarity, a constituent "counts" when its similarity to a reference active is at least 0.5,
and ``expected_actives`` is the sum of similarities (labelled as a similarity signal). Scores
of every compound in the pack are computed once per pack version and set of models, and cached
under ``ACTIVES_HOME/cache``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from actives.discovery.functions import FunctionSignal, function_signal
from actives.discovery.ranking import rank
from actives.discovery.scoring import predictor_for, score_compounds
from actives.errors import InvalidFileError, InvalidInputError
from actives.knowledge import DataPack
from actives.predict.predictor import Predictor
from actives.progress import Progress, silent_progress

Level = Literal["species", "genus"]
# How taxa are ordered: the expected number of actives (favours well-studied plants, which have
# many known constituents), the fraction of constituents predicted active (favours plants whose
# known chemistry is rich in actives, whatever its size), or the single best constituent.
SORT_KEYS = ("expected_actives", "fraction_actives", "best_strength")
ACTIVE_CUTOFF = 0.5


@dataclass(frozen=True)
class PlantActives:
    """A taxon's constituents ranked for the chosen functions, and how they were ranked."""

    query: str
    rank: str  # species, genus or family
    taxon: str
    functions: list[str]
    signals: list[FunctionSignal]
    rule: str
    table: pd.DataFrame
    pack_version: str


def plant_actives(
    pack: DataPack,
    name: str,
    functions: Sequence[str],
    *,
    rule: str = "p_active",
    predictor: Predictor | None = None,
    confidence: float = 0.9,
    progress: Progress = silent_progress,
    chunk_size: int = 500,
) -> PlantActives:
    """Rank a species', genus' or family's known constituents for the functions.

    The table is sorted by the first function's rank; every function has its own score and
    rank columns. Constituents are scored in chunks, reported to ``progress`` (a family can
    hold thousands). Raises NotFoundError (with suggestions) for an unknown plant name.
    """
    taxon_rank, taxon, constituents = pack.constituents(name)
    table, signals = score_compounds(
        constituents, functions, pack=pack, predictor=predictor, confidence=confidence,
        progress=progress, chunk_size=chunk_size,
    )  # fmt: skip
    for signal in signals:
        rank(table, signal.function, rule)
    first = signals[0].function
    table = table.sort_values(f"{first}_rank", kind="stable", na_position="last")
    return PlantActives(
        query=name,
        rank=taxon_rank,
        taxon=taxon,
        functions=[s.function for s in signals],
        signals=signals,
        rule=rule,
        table=table.reset_index(drop=True),
        pack_version=pack.version,
    )


# -- function to plants -----------------------------------------------------------------------


def _cache_path(pack: DataPack, predictor: Predictor, function: str, home: Path) -> Path:
    identity = {
        "pack": pack.version,
        "function": function,
        "confidence": predictor.confidence,
        "models": {e: m.card.get("trained_at", "") for e, m in predictor.models.items()},
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    return home / "cache" / f"discovery-{pack.version}-{function}-{digest}.parquet"


def pack_scores(
    pack: DataPack,
    function: str,
    *,
    home: Path | None = None,
    predictor: Predictor | None = None,
    progress: Progress = silent_progress,
    chunk_size: int = 2000,
) -> pd.DataFrame:
    """Every occurring compound of the pack scored for one function (cached per pack + models)."""
    from actives.config import get_settings

    signal = function_signal(function)
    predictor = predictor or predictor_for([signal], pack)
    home = home or get_settings().home
    cache = _cache_path(pack, predictor, signal.function, home)
    if cache.exists():
        return pd.read_parquet(cache)
    compounds = pack.sql(
        "SELECT c.inchikey, c.name, c.smiles, c.np_score FROM compounds c "
        "WHERE c.inchikey IN (SELECT DISTINCT inchikey FROM occurrences) ORDER BY c.inchikey"
    )
    table, _ = score_compounds(
        compounds, [signal.function], pack=pack, predictor=predictor, progress=progress,
        chunk_size=chunk_size,
    )  # fmt: skip
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".partial")
    table.to_parquet(partial, index=False)
    partial.replace(cache)
    return table


@dataclass(frozen=True)
class PlantRanking:
    """Taxa ranked for a function, and the names of a user's list that matched nothing."""

    function: str
    signal: FunctionSignal
    level: Level
    table: pd.DataFrame
    unmatched: list[str]
    pack_version: str


def read_species_list(path: Path) -> list[str]:
    """Species names from a CSV (a ``species``/``name``/``scientific_name`` column, else the
    first column) or a plain text file with one name per line."""
    if not path.exists():
        raise InvalidFileError(f"Species list {path} does not exist.")
    try:
        if path.suffix.lower() in (".csv", ".tsv"):
            frame = pd.read_csv(
                path,
                sep="\t" if path.suffix.lower() == ".tsv" else ",",
                dtype=str,
                encoding="utf-8-sig",
            )
            columns = {c.strip().lower(): c for c in frame.columns}
            column = next(
                (columns[c] for c in ("species", "scientific_name", "name") if c in columns),
                frame.columns[0],
            )
            names = frame[column].dropna().astype(str).tolist()
        else:
            names = path.read_text(encoding="utf-8-sig").splitlines()
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidFileError(
            f"Cannot read species list {path.name}: {exc}. Expected a UTF-8 CSV with a "
            "'species' column, or one name per line."
        ) from exc
    cleaned = [" ".join(n.split()) for n in names if n.strip()]
    if not cleaned:
        raise InvalidFileError(f"Species list {path.name} has no names.")
    return list(dict.fromkeys(cleaned))


def plants_for_function(
    pack: DataPack,
    function: str,
    *,
    level: Level = "species",
    species: Sequence[str] | None = None,
    min_constituents: int = 1,
    sort_by: str = "expected_actives",
    home: Path | None = None,
    predictor: Predictor | None = None,
    progress: Progress = silent_progress,
) -> PlantRanking:
    """Rank species or genera by their predicted actives for a function (see module docstring).

    ``species`` restricts the ranking to a user's list (a region's flora, a supplier's
    catalogue); a genus name in the list keeps all its species. Names that match nothing in the
    pack are returned in ``unmatched``, never dropped silently.
    """
    if level not in ("species", "genus"):
        raise InvalidInputError(f"Level {level!r}; expected 'species' or 'genus'.")
    if sort_by not in SORT_KEYS:
        raise InvalidInputError(f"Sort key {sort_by!r}; expected one of {', '.join(SORT_KEYS)}.")
    signal = function_signal(function)
    f = signal.function
    scores = pack_scores(pack, f, home=home, predictor=predictor, progress=progress)
    organisms = pack.sql(
        "SELECT o.organism_id, o.name AS species, o.genus, o.family, oc.inchikey, "
        "string_agg(DISTINCT oc.doi, '; ') FILTER (WHERE oc.doi <> '') AS dois "
        "FROM occurrences oc JOIN organisms o USING (organism_id) GROUP BY ALL"
    )
    unmatched: list[str] = []
    if species is not None:
        wanted = {s.lower() for s in species}
        keep = organisms["species"].str.lower().isin(wanted) | organisms["genus"].str.lower().isin(
            wanted
        )
        known = set(organisms["species"].str.lower()) | set(organisms["genus"].str.lower())
        unmatched = [s for s in species if s.lower() not in known]
        organisms = organisms[keep]
    strength_column = f"{f}_p_active" if signal.kind == "model" else f"{f}_similarity"
    scored = scores.loc[scores["status"] == "ok", ["inchikey", "name", strength_column]]
    scored = scored.rename(columns={strength_column: "strength"})
    if signal.kind == "model":
        scored = scored.join(
            scores.set_index("inchikey")[[f"{f}_potency", f"{f}_evidence"]], on="inchikey"
        )
    merged = organisms.merge(scored, on="inchikey", how="inner")
    group = "species" if level == "species" else "genus"
    merged = merged[merged[group].astype(str) != ""]
    if merged.empty:
        table = pd.DataFrame(
            columns=[group, "family", "n_constituents", "n_actives", "expected_actives",
                     "fraction_actives", "best", "best_strength", "top_compounds",
                     "n_references"]
        )  # fmt: skip
        return PlantRanking(f, signal, level, table, unmatched, pack.version)
    per_compound = merged.drop_duplicates([group, "inchikey"])
    per_compound = per_compound.sort_values("strength", ascending=False, kind="stable")
    grouped = per_compound.groupby(group, sort=False)
    table = pd.DataFrame(
        {
            "family": grouped["family"].first(),
            "n_constituents": grouped["inchikey"].nunique(),
            "n_actives": grouped["strength"].apply(lambda s: int((s >= ACTIVE_CUTOFF).sum())),
            "expected_actives": grouped["strength"].sum(),
            "fraction_actives": grouped["strength"].apply(
                lambda s: float((s >= ACTIVE_CUTOFF).mean())
            ),
            "best": grouped["name"].first(),
            "best_inchikey": grouped["inchikey"].first(),
            "best_strength": grouped["strength"].max(),
            "top_compounds": grouped["name"].apply(lambda s: "; ".join(map(str, s.head(3)))),
        }
    )
    references = merged.groupby(group)["dois"].apply(
        lambda d: len({x.strip() for v in d.dropna() for x in str(v).split("; ") if x.strip()})
    )
    table["n_references"] = references.reindex(table.index).fillna(0).astype(int)
    table = table[table["n_constituents"] >= min_constituents]
    keys = [sort_by] + [k for k in SORT_KEYS if k != sort_by] + [group]
    table = table.reset_index().sort_values(
        keys, ascending=[False] * (len(keys) - 1) + [True], kind="stable"
    )
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return PlantRanking(f, signal, level, table.reset_index(drop=True), unmatched, pack.version)
