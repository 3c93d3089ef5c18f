"""API routes of the catalogue: lookup, compounds, plants, similarity and substructure search."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.http import HttpRequest
from ninja import Query, Router, Schema

from actives.config import get_settings
from actives.knowledge import DataPack, current_pack
from actives.web.api.schemas import ErrorOut

router = Router(tags=["catalogue"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _pack() -> DataPack:
    return current_pack(get_settings().home)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", force_ascii=False))
    return records


class CompoundOut(Schema):
    inchikey: str
    name: str
    smiles: str
    cas: str
    mw: float
    clogp: float
    tpsa: float
    hbd: int
    hba: int
    np_score: float
    similarity: float | None = None


class LookupOut(Schema):
    pack: str
    query: str
    read_as: str
    compounds: list[CompoundOut]
    names: list[dict[str, Any]]
    suggestions: list[str]


class PlantOut(Schema):
    pack: str
    rank: str
    name: str
    constituents: list[dict[str, Any]]


class CompoundDetailOut(Schema):
    pack: str
    compound: dict[str, Any]
    plants: list[dict[str, Any]]


class SimilarityQuery(Schema):
    smiles: str
    threshold: float = 0.5
    limit: int = 50


@router.get("/pack", response={200: dict[str, Any], **ERRORS}, summary="The data pack manifest")
def pack_info(request: HttpRequest) -> dict[str, Any]:
    return _pack().info()


@router.get("/lookup", response={200: LookupOut, **ERRORS}, summary="Resolve a name, CAS, ...")
def lookup(request: HttpRequest, q: str) -> dict[str, Any]:
    pack = _pack()
    result = pack.lookup(q)
    return {
        "pack": pack.version,
        "query": q,
        "read_as": result.read_as,
        "compounds": _records(result.compounds),
        "names": _records(result.names) if not result.names.empty else [],
        "suggestions": result.suggestions,
    }


@router.get(
    "/compounds/{inchikey}", response={200: CompoundDetailOut, **ERRORS}, summary="One compound"
)
def compound(request: HttpRequest, inchikey: str) -> dict[str, Any]:
    pack = _pack()
    record = pack.compound(inchikey)
    return {
        "pack": pack.version,
        "compound": json.loads(json.dumps(record, default=str)),
        "plants": _records(pack.plants_of(record["inchikey"])),
    }


@router.get("/plants/{name}", response={200: PlantOut, **ERRORS}, summary="Plant constituents")
def plant(request: HttpRequest, name: str) -> dict[str, Any]:
    pack = _pack()
    rank, matched, frame = pack.constituents(name)
    return {"pack": pack.version, "rank": rank, "name": matched, "constituents": _records(frame)}


@router.get("/similar", response={200: list[CompoundOut], **ERRORS}, summary="Similar compounds")
def similar(request: HttpRequest, params: Query[SimilarityQuery]) -> list[dict[str, Any]]:
    limit = max(1, min(params.limit, 500))
    return _records(_pack().similar(params.smiles, params.threshold, limit))


@router.get(
    "/substructure", response={200: list[CompoundOut], **ERRORS}, summary="Substructure search"
)
def substructure(request: HttpRequest, query: str, limit: int = 200) -> list[dict[str, Any]]:
    return _records(_pack().substructure(query, max(1, min(limit, 1000))))
