"""Build a versioned data pack (Parquet tables + manifest.json) from the raw sources.

The pack is written into a temporary folder and renamed into place only when complete, then the
``current`` pointer is switched atomically: a failed or interrupted build never leaves a
half-written pack, and the previous pack keeps serving.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import rdkit

from actives import __version__
from actives.chem.batch import process_structure_safely
from actives.chem.identity import connectivity
from actives.errors import ActivesError, InvalidInputError
from actives.knowledge.activities import build_activities
from actives.knowledge.identifiers import find_cas_numbers, normalize_name
from actives.knowledge.sources import SOURCES, Source
from actives.progress import Progress, silent_progress

PACK_FORMAT = 3  # 2: pattern fingerprints in RDKit's binary form; 3: measured activities
TABLES = ("compounds", "compound_aliases", "organisms", "occurrences", "names", "rejected",
          "activities", "sensitisation", "sensitisation_records", "rules",
          "rule_conditions")  # fmt: skip
# Tables added after format 3 was defined: a format-3 pack built before them lacks their files
# and still opens (DataPack says to rebuild when one of them is asked for).
OPTIONAL_TABLES = ("sensitisation", "sensitisation_records", "rules", "rule_conditions")
# Sources that feed their own tables, not the compound catalogue.
SIDE_KINDS = ("sensitisation", "regulation")
DESCRIPTOR_COLUMNS = [
    "mw",
    "clogp",
    "tpsa",
    "hbd",
    "hba",
    "rotatable_bonds",
    "rings",
    "aromatic_rings",
    "fraction_csp3",
    "heavy_atoms",
    "np_score",
    "np_confidence",
]


@dataclass
class SourceReport:
    """What the build found and used of one source, for the manifest."""

    id: str
    title: str
    kind: str
    licence: str
    caveats: list[str]
    official_format: bool
    status: str = "missing"
    files: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0
    message: str = ""


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_sources(
    raw_root: Path, sources: Iterable[Source], progress: Progress
) -> tuple[dict[str, pd.DataFrame], list[SourceReport]]:
    frames: dict[str, pd.DataFrame] = {}
    reports: list[SourceReport] = []
    sources = list(sources)
    for i, source in enumerate(sources):
        progress(i, len(sources), f"reading {source.id}")
        report = SourceReport(
            source.id,
            source.title,
            source.kind,
            source.licence,
            list(source.caveats),
            source.official_format,
        )
        files = source.files(raw_root)
        if not files:
            report.message = f"no file matching {source.pattern} under {raw_root}"
            reports.append(report)
            continue
        parts = []
        try:
            for path in files:
                report.files.append(
                    {
                        "path": str(path.relative_to(raw_root)),
                        "bytes": path.stat().st_size,
                        "sha256": sha256_of(path),
                    }
                )
                parts.append(source.loader(path))
        except ActivesError as exc:
            report.status = "failed"
            report.message = exc.message
            reports.append(report)
            continue
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        frame["source"] = source.id
        report.status = "loaded"
        report.rows_read = len(frame)
        frames[source.id] = frame
        reports.append(report)
    progress(len(sources), len(sources), "sources read")
    return frames, reports


def standardize_all(
    smiles: list[str], workers: int, progress: Progress, chunk: int = 256
) -> dict[str, tuple[str, str, str, dict[str, Any]]]:
    """Standardise every distinct SMILES (in parallel); returns SMILES -> worker result."""
    results: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
    total = len(smiles)
    if workers <= 1:
        for i, s in enumerate(smiles):
            results[s] = process_structure_safely(s)
            if i % 500 == 0:
                progress(i, total, "standardising structures")
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, (s, result) in enumerate(
                zip(
                    smiles, pool.map(process_structure_safely, smiles, chunksize=chunk), strict=True
                )
            ):
                results[s] = result
                if i % 500 == 0:
                    progress(i, total, "standardising structures")
    progress(total, total, "structures standardised")
    return results


def _structure_records(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every structure mention: source, source key, SMILES, name, given InChIKey, CAS, ids."""
    parts = []
    for frame in frames.values():
        if "organism_id" in frame.columns:  # occurrences
            parts.append(
                pd.DataFrame(
                    {
                        "source": frame["source"],
                        "source_key": frame["source_inchikey"].where(
                            frame["source_inchikey"] != "", frame["smiles"]
                        ),
                        "smiles_in": frame["smiles"],
                        "name": frame["compound_name"],
                        "source_inchikey": frame["source_inchikey"],
                        "cas": frame["cas"],
                        "chembl_id": frame["chembl_id"],
                        "wikidata_id": frame["structure_id"],
                    }
                ).drop_duplicates(subset=["source", "source_key", "smiles_in"])
            )
        elif "smiles" in frame.columns:  # structure libraries
            parts.append(
                pd.DataFrame(
                    {
                        "source": frame["source"],
                        "source_key": frame["source_id"],
                        "smiles_in": frame["smiles"],
                        "name": frame["name"],
                        "source_inchikey": "",
                        "cas": "",
                        "chembl_id": "",
                        "wikidata_id": "",
                    }
                )
            )
    if not parts:
        return pd.DataFrame(
            columns=[
                "source",
                "source_key",
                "smiles_in",
                "name",
                "source_inchikey",
                "cas",
                "chembl_id",
                "wikidata_id",
            ]
        )
    return pd.concat(parts, ignore_index=True)


def _identity(source_key: str, computed: str) -> str:
    """Keep the source's InChIKey (it may carry stereo the SMILES lacks) if the skeleton agrees."""
    looks_like_key = len(source_key) == 27 and source_key.count("-") == 2
    if looks_like_key and connectivity(source_key) == connectivity(computed):
        return source_key
    return computed


def _first_nonempty(values: pd.Series) -> str:
    for v in values:
        if isinstance(v, str) and v:
            return v
    return ""


def assemble(
    frames: dict[str, pd.DataFrame],
    standardized: dict[str, tuple[str, str, str, dict[str, Any]]],
) -> dict[str, pd.DataFrame]:
    """Turn loaded sources and standardised structures into the pack's tables."""
    records = _structure_records(frames)
    status = records["smiles_in"].map(lambda s: standardized[s][0])
    ok = records[status == "ok"].copy()
    rejected = records[status != "ok"].copy()
    rejected["message"] = rejected["smiles_in"].map(lambda s: standardized[s][1])
    rejected = rejected[["source", "source_key", "smiles_in", "message"]].rename(
        columns={"smiles_in": "input"}
    )
    ok["computed_key"] = ok["smiles_in"].map(lambda s: standardized[s][2])
    ok["inchikey"] = [
        _identity(sk, ck) for sk, ck in zip(ok["source_inchikey"], ok["computed_key"], strict=True)
    ]
    ok["cas"] = ok["cas"].map(lambda c: ";".join(find_cas_numbers(c)))
    # Prefer a structure whose own key is the identity (it carries the stereo), else any.
    ok["exact"] = ok["computed_key"] == ok["inchikey"]
    ok = ok.sort_values("exact", ascending=False, kind="stable")

    grouped = ok.groupby("inchikey", sort=True)
    compounds = pd.DataFrame(
        {
            "inchikey": list(grouped.groups),
            "name": grouped["name"].agg(_first_nonempty).to_numpy(),
            "cas": grouped["cas"].agg(_first_nonempty).to_numpy(),
            "chembl_id": grouped["chembl_id"].agg(_first_nonempty).to_numpy(),
            "wikidata_id": grouped["wikidata_id"].agg(_first_nonempty).to_numpy(),
            "sources": grouped["source"].agg(lambda s: ";".join(sorted(set(s)))).to_numpy(),
            "smiles_in": grouped["smiles_in"].first().to_numpy(),
        }
    )
    values = compounds["smiles_in"].map(lambda s: standardized[s][3])
    compounds["smiles"] = values.map(lambda v: v["smiles"])
    compounds["connectivity"] = compounds["inchikey"].map(connectivity)
    for column in DESCRIPTOR_COLUMNS:
        compounds[column] = values.map(lambda v, c=column: v[c])
    compounds["morgan"] = values.map(lambda v: v["morgan_bits"])
    compounds["pattern"] = values.map(lambda v: v["pattern_fp"])
    compounds = compounds.drop(columns=["smiles_in"])

    aliases = ok.loc[
        (ok["source_inchikey"] != "") & (ok["source_inchikey"] != ok["inchikey"]),
        ["source_inchikey", "inchikey", "source"],
    ].drop_duplicates()
    aliases = aliases.rename(columns={"source_inchikey": "alias"})
    library_ids = ok.loc[ok["source_inchikey"] == "", ["source_key", "inchikey", "source"]]
    aliases = pd.concat(
        [aliases, library_ids.rename(columns={"source_key": "alias"})], ignore_index=True
    ).drop_duplicates()

    occurrence_frames = [f for f in frames.values() if "organism_id" in f.columns]
    if occurrence_frames:
        occ = pd.concat(occurrence_frames, ignore_index=True)
    else:
        occ = pd.DataFrame(
            columns=["organism_id", "organism_name", "family", "genus", "kingdom", "ipni_id",
                     "source_inchikey", "smiles", "doi", "source"]
        )  # fmt: skip
    occ["source_key"] = occ["source_inchikey"].where(occ["source_inchikey"] != "", occ["smiles"])
    key_map = ok.drop_duplicates(["source", "source_key", "smiles_in"]).set_index(
        ["source", "source_key", "smiles_in"]
    )["inchikey"]
    index = pd.MultiIndex.from_arrays([occ["source"], occ["source_key"], occ["smiles"]])
    occ["inchikey"] = key_map.reindex(index).to_numpy()
    occ = occ[occ["inchikey"].notna()]
    organisms = (
        occ.groupby("organism_id", sort=True)
        .agg(
            name=("organism_name", "first"),
            genus=("genus", "first"),
            family=("family", "first"),
            kingdom=("kingdom", "first"),
            ipni_id=("ipni_id", _first_nonempty),
            n_compounds=("inchikey", "nunique"),
        )
        .reset_index()
    )
    occurrences = (
        occ[["organism_id", "inchikey", "doi", "source"]]
        .drop_duplicates()
        .sort_values(["organism_id", "inchikey"])
        .reset_index(drop=True)
    )
    names_table = _names_table(frames, compounds, ok)
    return {
        "compounds": compounds,
        "compound_aliases": aliases.reset_index(drop=True),
        "organisms": organisms,
        "occurrences": occurrences,
        "names": names_table,
        "rejected": rejected.drop_duplicates().reset_index(drop=True),
    }


def _names_table(
    frames: dict[str, pd.DataFrame], compounds: pd.DataFrame, ok: pd.DataFrame
) -> pd.DataFrame:
    """All ingredient and compound names, linked to a compound by CAS or by exact name."""
    name_frames = [f for f in frames.values() if "kind" in f.columns and "name" in f.columns]
    common = ok.loc[ok["name"] != "", ["name", "inchikey", "source", "cas"]].drop_duplicates(
        ["name", "inchikey"]
    )
    common = common.assign(kind="common", lang="en", ec="", source_ref="")
    names = pd.concat([*name_frames, common], ignore_index=True)
    for column in ("cas", "ec", "source_ref", "inchikey"):
        if column not in names.columns:
            names[column] = ""
    names[["cas", "ec", "source_ref"]] = names[["cas", "ec", "source_ref"]].fillna("")
    names["inchikey"] = names["inchikey"].astype(object).fillna("")
    names["name_norm"] = names["name"].map(normalize_name)

    cas_to_key: dict[str, str] = {}
    for key, cas in zip(compounds["inchikey"], compounds["cas"], strict=True):
        for number in str(cas).split(";"):
            if number:
                cas_to_key.setdefault(number, key)
    name_to_key = (
        names.loc[names["inchikey"] != ""].drop_duplicates("name_norm").set_index("name_norm")
    )["inchikey"].to_dict()

    def link(row: pd.Series) -> tuple[str, str]:
        if row["inchikey"]:
            return row["inchikey"], "structure"
        for number in str(row["cas"]).split(";"):
            if number in cas_to_key:
                return cas_to_key[number], "cas"
        key = name_to_key.get(row["name_norm"], "")
        return key, "name" if key else ""

    linked = names.apply(link, axis=1, result_type="expand")
    names["inchikey"], names["match"] = linked[0], linked[1]
    # A name row that shares a source row with a linked name inherits its compound (e.g. the
    # Korean name of an MFDS entry whose INCI name matched a compound).
    by_ref = (
        names.loc[(names["inchikey"] != "") & (names["source_ref"] != "")]
        .drop_duplicates(["source", "source_ref"])
        .set_index(["source", "source_ref"])["inchikey"]
    )
    missing = (names["inchikey"] == "") & (names["source_ref"] != "")
    inherited = by_ref.reindex(
        pd.MultiIndex.from_arrays([names.loc[missing, "source"], names.loc[missing, "source_ref"]])
    ).to_numpy()
    names.loc[missing, "inchikey"] = pd.Series(inherited, index=names.index[missing]).fillna("")
    names.loc[missing & (names["inchikey"] != ""), "match"] = "same entry"
    columns = ["name", "name_norm", "kind", "lang", "cas", "ec", "inchikey", "match", "source",
               "source_ref"]  # fmt: skip
    return names[columns].drop_duplicates().reset_index(drop=True)


def build_pack(
    raw_root: Path,
    packs_dir: Path,
    *,
    workers: int | None = None,
    sources: Iterable[Source] = SOURCES,
    progress: Progress = silent_progress,
) -> Path:
    """Build a pack from ``raw_root`` into ``packs_dir/<version>`` and make it current."""
    if not raw_root.is_dir():
        raise InvalidInputError(
            f"Raw data folder {raw_root} does not exist; set ACTIVES_RAW_DATA to the folder that "
            "holds the public data sets (default ../shared/data)."
        )
    started = time.perf_counter()
    built_at = datetime.now(UTC)
    version = built_at.strftime("%Y%m%d-%H%M%S")
    frames, reports = _load_sources(raw_root, sources, progress)
    # The catalogue needs compounds, plants or names; sensitisation data or rule lists alone
    # are no pack.
    if not any(r.status == "loaded" and r.kind not in SIDE_KINDS for r in reports):
        raise InvalidInputError(
            f"None of the known sources of compounds, plants or names was found under "
            f"{raw_root}; expected for example {SOURCES[0].pattern}."
        )
    sensitisation_ids = {r.id for r in reports if r.kind == "sensitisation"}
    sensitisation_frames = {k: frames.pop(k) for k in list(frames) if k in sensitisation_ids}
    regulation_ids = {r.id for r in reports if r.kind == "regulation"}
    regulation_frames = {k: frames.pop(k) for k in list(frames) if k in regulation_ids}
    records = _structure_records(frames)
    distinct = sorted(set(records["smiles_in"]))
    standardized = standardize_all(distinct, workers or os.cpu_count() or 1, progress)
    tables = assemble(frames, standardized)
    tables["activities"], activity_reports = build_activities(raw_root, progress)
    # Reference data of the safety module, built at build time only (no import cycle).
    from actives.safety.data import build_sensitisation_tables

    sensitisation, sensitisation_records, sensitisation_report = build_sensitisation_tables(
        sensitisation_frames, progress
    )
    tables["sensitisation"] = sensitisation
    tables["sensitisation_records"] = sensitisation_records
    # The markets' rule packs (actives.regulation), built at build time only (no import cycle).
    from actives.regulation.rulepack import build_rule_tables

    rules, rule_conditions, regulation_report = build_rule_tables(regulation_frames, progress)
    tables["rules"] = rules
    tables["rule_conditions"] = rule_conditions

    packs_dir.mkdir(parents=True, exist_ok=True)
    staging = packs_dir / f".building-{version}-{os.getpid()}"
    final = packs_dir / version
    try:
        staging.mkdir()
        table_info = {}
        for name in TABLES:
            path = staging / f"{name}.parquet"
            tables[name].to_parquet(path, index=False, compression="zstd")
            table_info[name] = {
                "rows": len(tables[name]),
                "bytes": path.stat().st_size,
                "sha256": sha256_of(path),
            }
        manifest = {
            "format": PACK_FORMAT,
            "version": version,
            "built_at": built_at.isoformat(),
            "build_seconds": round(time.perf_counter() - started, 1),
            "actives_version": __version__,
            "rdkit_version": rdkit.__version__,
            "raw_data": str(raw_root),
            "standardisation": "ChEMBL structure pipeline standardize_mol + get_parent_mol, "
            "largest organic fragment, neutralised",
            "fingerprints": {"morgan": "radius 2, 2048 bits", "pattern": "RDKit pattern, 2048"},
            "sources": [r.__dict__ for r in reports],
            "missing_sources": [r.id for r in reports if r.status == "missing"],
            "failed_sources": [r.id for r in reports if r.status == "failed"],
            "structures": {
                "distinct_inputs": len(distinct),
                "rejected": int(sum(1 for v in standardized.values() if v[0] != "ok")),
            },
            "activities": activity_reports,
            "sensitisation": sensitisation_report,
            "regulation": regulation_report,
            "tables": table_info,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    set_current(packs_dir, version)
    progress(1, 1, f"pack {version} built")
    return final


def set_current(packs_dir: Path, version: str) -> None:
    """Point ``packs_dir/current`` at a version, atomically."""
    pointer = packs_dir / "current"
    tmp = packs_dir / f".current-{os.getpid()}"
    tmp.write_text(version + "\n")
    os.replace(tmp, pointer)
