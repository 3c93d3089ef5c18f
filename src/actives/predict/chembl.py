"""Measured activities of one ChEMBL target, read from a ChEMBL SQLite dump.

With a local ``chembl_XX.db`` the file is queried directly; otherwise ``chembl_downloader``
locates the dump in its cache (downloading and extracting it once, several gigabytes, the first
time). The rows come out as the raw columns :func:`~actives.predict.curation.curate` takes; the
assay's ChEMBL id, type (B binding, F functional, ...), BAO format, confidence score and any
data-validity comment are written into ``assay_description`` so that curation can filter on
them by pattern and count what it removed (flagged rows carry ``VALIDITY:``).
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from actives.errors import InvalidFileError, InvalidInputError, NotFoundError

DEFAULT_TYPES = ("IC50",)
CONCENTRATION_TYPES = ("IC50", "EC50", "AC50", "XC50", "Ki", "Kd", "GI50")
# Curation pattern that drops rows ChEMBL flags (outside typical range, unit error, ...).
FLAGGED_PATTERN = "VALIDITY:"
# ChEMBL leaves this comment on rows a curator checked and kept: they are not flagged.
VALIDATED = "Manually validated"

REQUIRED: dict[str, tuple[str, ...]] = {
    "activities": (
        "assay_id",
        "molregno",
        "standard_type",
        "standard_relation",
        "standard_value",
        "standard_units",
    ),  # fmt: skip
    "assays": ("assay_id", "tid", "description", "chembl_id"),
    "target_dictionary": ("tid", "chembl_id", "pref_name"),
    "molecule_dictionary": ("molregno", "chembl_id"),
    "compound_structures": ("molregno", "canonical_smiles"),
}
# Read where the release has them (older dumps lack some).
OPTIONAL: dict[str, tuple[str, ...]] = {
    "activities": (
        "activity_id",
        "pchembl_value",
        "data_validity_comment",
        "activity_comment",
        "potential_duplicate",
    ),  # fmt: skip
    "assays": ("assay_type", "confidence_score", "bao_format"),
    "target_dictionary": ("organism", "target_type"),
}
_ID = re.compile(r"^CHEMBL\d+$")


@dataclass(frozen=True)
class ChemblTarget:
    """A ChEMBL target as found in one release's database file."""

    chembl_id: str
    pref_name: str
    organism: str | None
    target_type: str | None
    release: str | None
    database: Path

    def describe(self) -> dict[str, str | None]:
        """JSON-ready provenance for a model card."""
        return {
            "chembl_target": self.chembl_id,
            "pref_name": self.pref_name,
            "organism": self.organism,
            "target_type": self.target_type,
            "chembl_release": self.release,
            "database": self.database.name,
        }


def chembl_sqlite(version: str | int | None = None) -> Path:
    """The ChEMBL SQLite dump of a release (latest by default), via chembl_downloader.

    The first call for a release downloads and extracts it (several GB; needs internet); later
    calls find it in chembl_downloader's cache (``~/.data/chembl``, or ``PYSTOW_HOME``).
    """
    import chembl_downloader

    try:
        return chembl_downloader.download_extract_sqlite(version=version, return_version=False)
    except Exception as exc:  # network, disk, archive: all end in "no database"
        raise NotFoundError(
            f"Could not locate or download the ChEMBL {version or 'latest'} SQLite dump with "
            f"chembl_downloader ({type(exc).__name__}: {exc}). It needs internet and several GB "
            "of disk the first time; offline, give a local chembl_XX.db file (--chembl-sqlite).",
            code="chembl_unavailable",
        ) from exc


def _database(sqlite_path: Path | None, version: str | int | None) -> Path:
    if sqlite_path is None:
        return chembl_sqlite(version)
    if not sqlite_path.is_file():
        raise NotFoundError(f"No ChEMBL database file at {sqlite_path}.")
    return sqlite_path


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise InvalidFileError(f"{path.name} is not an SQLite database ({exc}).") from exc
    return connection


def _columns(connection: sqlite3.Connection, path: Path) -> dict[str, set[str]]:
    """Columns of the tables used, after checking the file has the ChEMBL schema."""
    found = {
        table: {str(row[1]).lower() for row in connection.execute(f"PRAGMA table_info({table})")}
        for table in (*REQUIRED, "bioassay_ontology", "version")
    }
    missing = [
        f"{table}.{column}" if found[table] else table
        for table, columns in REQUIRED.items()
        for column in (columns if found[table] else columns[:1])
        if column not in found[table]
    ]
    if missing:
        raise InvalidFileError(
            f"{path.name} does not have the ChEMBL schema: missing {', '.join(missing)}; "
            "expected a ChEMBL SQLite dump (chembl_XX.db)."
        )
    return found


def _release(connection: sqlite3.Connection, columns: dict[str, set[str]]) -> str | None:
    if "name" not in columns["version"]:
        return None
    row = connection.execute("SELECT name FROM version ORDER BY name DESC LIMIT 1").fetchone()
    return str(row[0]) if row else None


def _normalise_id(target_chembl_id: str) -> str:
    chembl_id = target_chembl_id.strip().upper()
    if not _ID.match(chembl_id):
        raise InvalidInputError(
            f"ChEMBL target id {target_chembl_id!r}; expected CHEMBL followed by digits, "
            "e.g. CHEMBL1973 (human tyrosinase)."
        )
    return chembl_id


def _target(
    connection: sqlite3.Connection, columns: dict[str, set[str]], chembl_id: str, path: Path
) -> ChemblTarget:
    extra = [c for c in OPTIONAL["target_dictionary"] if c in columns["target_dictionary"]]
    select = ", ".join(["chembl_id", "pref_name", *extra])
    row = connection.execute(
        f"SELECT {select} FROM target_dictionary WHERE chembl_id = ?", (chembl_id,)
    ).fetchone()
    release = _release(connection, columns)
    if row is None:
        kind = _what_else(connection, chembl_id)
        hint = f" {chembl_id} is {kind}, not a target." if kind else ""
        raise NotFoundError(
            f"No target {chembl_id} in {path.name} ({release or 'release unknown'}).{hint} "
            "Check that the id is a target id (from the target's ChEMBL page, e.g. CHEMBL1973 "
            "for human tyrosinase), not a compound, assay or document id, and that the target "
            "exists in this ChEMBL release.",
            code="unknown_chembl_target",
        )
    values = dict(zip(["chembl_id", "pref_name", *extra], row, strict=True))
    return ChemblTarget(
        chembl_id,
        str(values["pref_name"]),
        values.get("organism"),
        values.get("target_type"),
        release,
        path,
    )


def _what_else(connection: sqlite3.Connection, chembl_id: str) -> str | None:
    for table, kind in (("molecule_dictionary", "a compound"), ("assays", "an assay")):
        query = f"SELECT 1 FROM {table} WHERE chembl_id = ? LIMIT 1"
        if connection.execute(query, (chembl_id,)).fetchone():
            return kind
    return None


def chembl_target(
    target_chembl_id: str, *, sqlite_path: Path | None = None, version: str | int | None = None
) -> ChemblTarget:
    """Name, organism and release of a ChEMBL target; NotFoundError says what to check."""
    chembl_id = _normalise_id(target_chembl_id)
    path = _database(sqlite_path, version)
    with closing(_connect(path)) as connection:
        return _target(connection, _columns(connection, path), chembl_id, path)


def chembl_activities(
    target_chembl_id: str,
    *,
    sqlite_path: Path | None = None,
    version: str | int | None = None,
    activity_types: tuple[str, ...] = DEFAULT_TYPES,
) -> pd.DataFrame:
    """Activities of a ChEMBL target as the raw columns curate() takes.

    ``smiles``, ``value`` (standard value), ``units`` (standard units), ``relation`` (standard
    relation), ``assay_description`` (type, assay id, assay type, BAO format, confidence,
    description and ``VALIDITY: <comment>`` for flagged rows), ``source_id`` (the molecule's
    ChEMBL id), and the ChEMBL columns themselves (``standard_type``, ``pchembl_value``,
    ``assay_chembl_id``, ``assay_type``, ``confidence_score``, ``bao_format``,
    ``data_validity_comment``, ``activity_id``). Rows without a value or structure are kept, so
    that curation counts them out.
    """
    chembl_id = _normalise_id(target_chembl_id)
    if not activity_types:
        raise InvalidInputError(f"No activity types; expected some of {CONCENTRATION_TYPES}.")
    path = _database(sqlite_path, version)
    with closing(_connect(path)) as connection:
        columns = _columns(connection, path)
        target = _target(connection, columns, chembl_id, path)
        frame = _query(connection, columns, chembl_id, activity_types)
        if frame.empty:
            present = connection.execute(
                "SELECT act.standard_type, COUNT(*) FROM activities act "
                "JOIN assays a ON a.assay_id = act.assay_id "
                "JOIN target_dictionary td ON td.tid = a.tid WHERE td.chembl_id = ? "
                "GROUP BY act.standard_type ORDER BY COUNT(*) DESC LIMIT 10",
                (chembl_id,),
            ).fetchall()
            found = ", ".join(f"{t} ({n})" for t, n in present) or "none at all"
            raise NotFoundError(
                f"Target {chembl_id} ({target.pref_name}) has no {'/'.join(activity_types)} "
                f"activities in {path.name}; its activity types are: {found}.",
                code="no_chembl_activities",
            )
    return _raw(frame)


def _query(
    connection: sqlite3.Connection,
    columns: dict[str, set[str]],
    chembl_id: str,
    activity_types: tuple[str, ...],
) -> pd.DataFrame:
    select = [
        "cs.canonical_smiles AS canonical_smiles",
        "md.chembl_id AS molecule_chembl_id",
        "a.chembl_id AS assay_chembl_id",
        "a.description AS assay_text",
        *[f"act.{c} AS {c}" for c in REQUIRED["activities"][2:]],
    ]
    joins = [
        "FROM target_dictionary td",
        "JOIN assays a ON a.tid = td.tid",
        "JOIN activities act ON act.assay_id = a.assay_id",
        "JOIN molecule_dictionary md ON md.molregno = act.molregno",
        "LEFT JOIN compound_structures cs ON cs.molregno = act.molregno",
    ]
    for table, alias in (("activities", "act"), ("assays", "a")):
        for column in OPTIONAL[table]:
            value = f"{alias}.{column}" if column in columns[table] else "NULL"
            select.append(f"{value} AS {column}")
    if {"bao_id", "label"} <= columns["bioassay_ontology"] and "bao_format" in columns["assays"]:
        select.append("bao.label AS bao_label")
        joins.append("LEFT JOIN bioassay_ontology bao ON bao.bao_id = a.bao_format")
    else:
        select.append("NULL AS bao_label")
    marks = ", ".join("?" for _ in activity_types)
    order = "act.activity_id" if "activity_id" in columns["activities"] else "act.rowid"
    sql = (
        f"SELECT {', '.join(select)} {' '.join(joins)} "
        f"WHERE td.chembl_id = ? AND act.standard_type IN ({marks}) ORDER BY {order}"
    )
    return pd.read_sql_query(sql, connection, params=(chembl_id, *activity_types))


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _confidence(value: object) -> str:
    text = _text(value)
    return f"confidence {text.removesuffix('.0')}" if text else ""


def _raw(frame: pd.DataFrame) -> pd.DataFrame:
    descriptions = []
    for record in frame.itertuples(index=False):
        parts = [
            _text(record.standard_type),
            _text(record.assay_chembl_id),
            f"assay type {_text(record.assay_type)}" if _text(record.assay_type) else "",
            _text(record.bao_label),
            _confidence(record.confidence_score),
            _text(record.assay_text),
        ]
        comment = _text(record.data_validity_comment)
        if comment and comment != VALIDATED:
            parts.append(f"{FLAGGED_PATTERN} {comment}")
        descriptions.append(" | ".join(p for p in parts if p))
    return pd.DataFrame(
        {
            "smiles": frame["canonical_smiles"].map(_text),
            "value": pd.to_numeric(frame["standard_value"], errors="coerce"),
            "units": frame["standard_units"].map(_text),
            "relation": frame["standard_relation"].map(_text).replace("", "="),
            "assay_description": descriptions,
            "source_id": frame["molecule_chembl_id"].map(_text),
            "standard_type": frame["standard_type"],
            "pchembl_value": pd.to_numeric(frame["pchembl_value"], errors="coerce"),
            "assay_chembl_id": frame["assay_chembl_id"],
            "assay_type": frame["assay_type"],
            "confidence_score": frame["confidence_score"],
            "bao_format": frame["bao_label"],
            "data_validity_comment": frame["data_validity_comment"],
            "activity_id": frame["activity_id"],
        }
    )
