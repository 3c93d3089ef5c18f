"""The evidence behind a prediction: the compound's own measurement and its nearest measured
neighbours, with values and sources, from the data pack's activities table.

The pack's activities are curated with the same code as the model's training data. Whether they
come from the very same raw files is checked by checksum against the model card, and said.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdkit.DataStructs import ExplicitBitVect

from actives.knowledge import DataPack
from actives.predict.artifact import ModelArtifact


@dataclass(frozen=True)
class Measurement:
    """A curated measured value: relation (=, >, <), replicate count and source ids."""

    inchikey: str
    smiles: str
    value: float
    relation: str
    n: int
    source_ids: tuple[str, ...]
    similarity: float = 1.0


@dataclass(frozen=True)
class Evidence:
    """What the data pack knows near a query for one endpoint, and how it relates to the model."""

    endpoint_id: str
    measured: Measurement | None
    neighbours: list[Measurement] = field(default_factory=list)
    pack_version: str | None = None
    same_data_as_model: bool | None = None
    note: str = ""


def _measurement(row: Mapping[Hashable, Any], similarity: float = 1.0) -> Measurement:
    sources = tuple(s for s in str(row.get("source_ids") or "").split(";") if s)
    return Measurement(
        inchikey=str(row["inchikey"]),
        smiles=str(row["smiles"]),
        value=float(row["value"]),
        relation=str(row["relation"]),
        n=int(row["n"]),
        source_ids=sources,
        similarity=similarity,
    )


def same_data(pack: DataPack, model: ModelArtifact) -> bool | None:
    """Whether the pack's activities come from the files the model was trained on (checksums)."""
    report = pack.activity_report(model.endpoint.id)
    trained_on = {s.get("sha256") for s in model.card.get("data_sources", [])}
    if report is None or report.get("status") != "loaded" or not trained_on:
        return None
    return {f["sha256"] for f in report.get("files", [])} == trained_on


def gather_evidence(
    pack: DataPack | None,
    model: ModelArtifact,
    inchikey: str,
    fingerprint: ExplicitBitVect,
    k: int = 5,
) -> Evidence:
    """The compound's own measurement (if any) and its ``k`` nearest measured compounds."""
    endpoint_id = model.endpoint.id
    if pack is None:
        return Evidence(
            endpoint_id,
            None,
            note="No data pack is built, so measured values and neighbours cannot be shown; "
            "build one with `actives data build`.",
        )
    report = pack.activity_report(endpoint_id)
    if report is None or report.get("status") != "loaded":
        return Evidence(
            endpoint_id,
            None,
            pack_version=pack.version,
            note=f"Data pack {pack.version} holds no measured data for {endpoint_id} "
            f"({(report or {}).get('status', 'not curated')}).",
        )
    own = pack.measured(endpoint_id, [inchikey]).to_dict("records")
    hits = pack.activity_neighbours(endpoint_id, fingerprint, k + 1).to_dict("records")
    neighbours = [
        _measurement(h, float(h["similarity"])) for h in hits if h["inchikey"] != inchikey
    ]
    matches = same_data(pack, model)
    note = (
        "Measured values are the model's own curated training data."
        if matches
        else "The data pack was built from other files than this model's training data; values "
        "are curated the same way but may differ."
        if matches is False
        else ""
    )
    return Evidence(
        endpoint_id,
        _measurement(own[0]) if own else None,
        neighbours[:k],
        pack.version,
        matches,
        note,
    )
