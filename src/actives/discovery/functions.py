"""What speaks for a cosmetic function: trained models where installed, else reference actives.

A function with an installed model (shipped or a user's own, e.g. an in-house tyrosinase assay)
is scored by the model's predicted potency. A function without one (whitening, until tyrosinase
data is supplied) is scored by Tanimoto similarity to the function's reference actives: the
MFDS-notified functional ingredients and well-documented literature actives, each with its
citation (``resources/reference/reference_actives.csv``). That is a similarity signal, not a
potency prediction, and is labelled so everywhere; a trained model replaces it as soon as one is
installed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np

from actives.chem.fingerprints import (
    morgan_fingerprint,
    packed_bits,
    packed_matrix,
    packed_tanimoto,
    row_popcounts,
)
from actives.chem.parse import to_mol
from actives.errors import InvalidInputError
from actives.predict.registry import CosmeticFunction, Endpoint

SignalKind = Literal["model", "similarity"]
# Properties, not efficacy: never a function to discover actives for.
NOT_EFFICACY = {CosmeticFunction.SKIN_PERMEATION, CosmeticFunction.SENSITISATION}
PERMEATION_ENDPOINT = "skin_logkp"


@dataclass(frozen=True)
class ReferenceActive:
    """A documented active of a function, with where that is written down."""

    function: str
    name: str
    name_ko: str
    smiles: str
    basis: str
    citation: str
    note: str


@dataclass(frozen=True)
class FunctionSignal:
    """How one function is scored: its model endpoints, or its reference actives."""

    function: str
    kind: SignalKind
    endpoints: tuple[Endpoint, ...]
    references: tuple[ReferenceActive, ...]

    @property
    def primary(self) -> Endpoint | None:
        """The endpoint whose potency is shown (the first with an activity threshold)."""
        with_threshold = [e for e in self.endpoints if e.active_threshold is not None]
        candidates = with_threshold or list(self.endpoints)
        return candidates[0] if candidates else None

    def describe(self) -> str:
        """One line for tables and reports: which models, or which similarity."""
        if self.kind == "model":
            return "model: " + ", ".join(f"{e.title} ({e.id})" for e in self.endpoints)
        return (
            f"similarity to {len(self.references)} reference actives (Morgan/Tanimoto); "
            "not a potency prediction"
        )


def installed_endpoints() -> dict[str, Endpoint]:
    """Every endpoint with an installed model (shipped or a user's own), by id, read from the
    registry or, for a user's model not loaded yet, from its card (no model is loaded)."""
    from actives.predict.registry import ENDPOINTS, get_endpoint
    from actives.predict.shipped import endpoint_from_definition, installed_models

    found: dict[str, Endpoint] = {}
    for model in installed_models():
        if model.endpoint_id in ENDPOINTS:
            found[model.endpoint_id] = get_endpoint(model.endpoint_id)
        else:
            definition = model.card().get("endpoint_definition") or {}
            found[model.endpoint_id] = endpoint_from_definition(definition)
    return found


def installed_functions() -> dict[str, list[str]]:
    """Installed endpoint ids by cosmetic function, in the registry's function order."""
    by_function: dict[str, list[str]] = {}
    endpoints = installed_endpoints()
    for function in CosmeticFunction:
        ids = [e.id for e in endpoints.values() if e.function == function]
        if ids:
            by_function[function.value] = ids
    return by_function


@cache
def reference_actives() -> tuple[ReferenceActive, ...]:
    """Every shipped reference active (a small table we curated, each row with its citation)."""
    text = (
        resources.files("actives.resources")
        .joinpath("reference/reference_actives.csv")
        .read_text(encoding="utf-8")
    )
    return tuple(ReferenceActive(**row) for row in csv.DictReader(text.splitlines()))


def parse_function(name: str) -> CosmeticFunction:
    """A function by its id (``anti-wrinkle`` and ``Anti wrinkle`` read as ``anti_wrinkle``)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        function = CosmeticFunction(key)
    except ValueError:
        known = ", ".join(f.value for f in discoverable_functions())
        raise InvalidInputError(
            f"Unknown cosmetic function {name!r}; expected one of {known}."
        ) from None
    if function in NOT_EFFICACY:
        known = ", ".join(f.value for f in discoverable_functions())
        raise InvalidInputError(
            f"{function.value} is a property, not an efficacy function; expected one of {known}."
        )
    return function


def discoverable_functions() -> list[CosmeticFunction]:
    """Efficacy functions with a model installed or reference actives shipped."""
    modelled = set(installed_functions())
    referenced = {r.function for r in reference_actives()}
    return [
        f
        for f in CosmeticFunction
        if f not in NOT_EFFICACY and (f.value in modelled or f.value in referenced)
    ]


def function_signal(function: str | CosmeticFunction) -> FunctionSignal:
    """The signal for a function: installed models first, reference similarity otherwise."""
    text = function.value if isinstance(function, CosmeticFunction) else function
    chosen = parse_function(text)
    endpoints = tuple(e for e in installed_endpoints().values() if e.function == chosen)
    references = tuple(r for r in reference_actives() if r.function == chosen.value)
    if endpoints:
        return FunctionSignal(chosen.value, "model", endpoints, references)
    if references:
        return FunctionSignal(chosen.value, "similarity", (), references)
    raise InvalidInputError(
        f"No model is installed and no reference actives are known for {chosen.value}; train "
        "one with `actives models train` (see docs/guide/en/predictions.md)."
    )


@dataclass(frozen=True)
class ReferenceSimilarity:
    """For each query: the highest similarity to a reference active, and which one."""

    similarity: np.ndarray
    nearest: list[str]


@cache
def _reference_index(function: str) -> tuple[tuple[str, ...], np.ndarray]:
    refs = [r for r in reference_actives() if r.function == function]
    bits = [packed_bits(morgan_fingerprint(to_mol(r.smiles, "smiles"))) for r in refs]
    return tuple(r.name for r in refs), packed_matrix(bits)


def reference_similarity(function: str, query_bits: np.ndarray) -> ReferenceSimilarity:
    """Similarity of packed Morgan query rows to a function's reference actives: the highest,
    and which reference gives it (a handful of references, so one popcount pass each)."""
    names, matrix = _reference_index(function)
    if not names:
        raise InvalidInputError(f"No reference actives for {function}.")
    queries = np.ascontiguousarray(query_bits).reshape(len(query_bits), matrix.shape[1])
    counts = row_popcounts(queries)
    per_reference = np.column_stack([packed_tanimoto(queries, counts, ref) for ref in matrix])
    return ReferenceSimilarity(
        similarity=per_reference.max(axis=1, initial=0.0),
        nearest=[names[i] for i in per_reference.argmax(axis=1)] if len(queries) else [],
    )
