"""Score compounds for cosmetic functions: potency, interval, P(active), domain, measured values.

:func:`score_compounds` takes a table of structures (a plant's constituents, an extract, a
library chunk) and adds, for each function, the columns every discovery answer shows:

``{f}_signal``
    "model" or "similarity" (see :mod:`actives.discovery.functions`).
``{f}_potency``, ``{f}_evidence``
    the measured value where the compound is in the endpoint's curated data (evidence
    "measured", with ``{f}_measured_relation``, ``{f}_measured_match`` and ``{f}_sources``),
    else the predicted value
    (evidence "predicted"); units are the endpoint's.
``{f}_low``, ``{f}_high``, ``{f}_p_active``, ``{f}_in_domain``, ``{f}_nearest``
    the model's conformal interval, probability of activity, applicability domain and
    similarity to the nearest training compound. A measured activity decides ``{f}_p_active``
    (1 or 0) when its relation settles the threshold; a censored value that does not settle it
    leaves the model's probability.
``{f}_similarity``, ``{f}_reference``
    for a similarity signal: the highest Tanimoto similarity to a reference active and its name.

Besides: ``logkp`` (measured or predicted human skin log Kp, cm/s, with ``logkp_low``,
``logkp_high``, ``logkp_evidence``) where the permeation model is installed, and ``np_score``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from actives.chem.descriptors import np_likeness
from actives.chem.parse import to_mol
from actives.discovery.functions import (
    PERMEATION_ENDPOINT,
    FunctionSignal,
    function_signal,
    installed_endpoints,
    reference_similarity,
)
from actives.knowledge import DataPack
from actives.predict.artifact import prepare
from actives.predict.predictor import Predictor
from actives.predict.registry import Endpoint
from actives.progress import Progress, silent_progress


def predictor_for(
    signals: Sequence[FunctionSignal], pack: DataPack | None, confidence: float = 0.9
) -> Predictor:
    """A predictor with the functions' model endpoints and, if installed, skin permeation."""
    ids = [e.id for s in signals for e in s.endpoints]
    if PERMEATION_ENDPOINT in installed_endpoints() and PERMEATION_ENDPOINT not in ids:
        ids.append(PERMEATION_ENDPOINT)
    return Predictor(ids or [PERMEATION_ENDPOINT], confidence, pack)


def score_compounds(
    compounds: pd.DataFrame,
    functions: Sequence[str],
    *,
    pack: DataPack | None = None,
    predictor: Predictor | None = None,
    confidence: float = 0.9,
    progress: Progress = silent_progress,
    chunk_size: int = 1000,
) -> tuple[pd.DataFrame, list[FunctionSignal]]:
    """Add every function's columns (see the module docstring) to a table with ``smiles``.

    Rows keep their order and their other columns. A structure that cannot be read gets status
    "error" and its message, and no scores. Structures are predicted ``chunk_size`` at a time,
    each chunk reported to ``progress`` (a plant family or the whole pack holds thousands).
    """
    if not functions:
        from actives.errors import InvalidInputError

        raise InvalidInputError("No cosmetic function given; expected at least one.")
    signals = [function_signal(f) for f in dict.fromkeys(functions)]
    predictor = predictor or predictor_for(signals, pack, confidence)
    table = compounds.reset_index(drop=True).copy()
    smiles = table["smiles"].astype(str).tolist()
    chunks = list(
        predictor.predict_stream(
            smiles, chunk_size=chunk_size, progress=progress, total=len(smiles)
        )
    )
    predicted = (
        pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=predictor.columns)
    )
    table["status"] = predicted["status"].to_numpy()
    table["message"] = predicted["message"].to_numpy()
    table["parent_smiles"] = predicted["smiles"].to_numpy()
    if "inchikey" not in table.columns:
        table["inchikey"] = predicted["inchikey"].to_numpy()
    ok = table["status"] == "ok"
    for signal in signals:
        if signal.kind == "model":
            _model_columns(table, predicted, signal, pack)
        else:
            _similarity_columns(table, signal, ok)
    if PERMEATION_ENDPOINT in predictor.models:
        _permeation_columns(table, predicted, pack)
    if "np_score" not in table.columns:
        table["np_score"] = [
            np_likeness(to_mol(s, "smiles"))[0] if good else np.nan
            for s, good in zip(table["parent_smiles"], ok, strict=True)
        ]
    return table, signals


def _sources(pack: DataPack | None, endpoint_id: str, keys: pd.Series) -> pd.Series:
    if pack is None:
        return pd.Series("", index=keys.index)
    measured = pack.measured(endpoint_id, keys).set_index("inchikey")
    return keys.map(measured["source_ids"].astype(str)).astype(object).fillna("").astype(str)


def measured_activity(endpoint: Endpoint, value: float, relation: str) -> float:
    """1.0 active, 0.0 inactive where a measured value settles the threshold, NaN otherwise.

    Values are on the endpoint's scale (pIC50): "<" means below the value, ">" above it.
    """
    threshold = endpoint.active_threshold
    if threshold is None or not np.isfinite(value):
        return np.nan
    above = endpoint.higher_is_active
    if relation in ("", "="):
        return float(value >= threshold if above else value <= threshold)
    if relation == ">" and value >= threshold:
        return 1.0 if above else 0.0
    if relation == "<" and value <= threshold:
        return 0.0 if above else 1.0
    return np.nan


def _model_columns(
    table: pd.DataFrame, predicted: pd.DataFrame, signal: FunctionSignal, pack: DataPack | None
) -> None:
    f = signal.function
    endpoint = signal.primary
    assert endpoint is not None
    e = endpoint.id
    value = predicted[f"{e}_value"].to_numpy(dtype=float)
    measured = (
        predicted[f"{e}_measured"].to_numpy(dtype=float)
        if f"{e}_measured" in predicted
        else np.full(len(predicted), np.nan)
    )
    relation = (
        predicted[f"{e}_measured_relation"].astype(str).to_numpy()
        if f"{e}_measured_relation" in predicted
        else np.full(len(predicted), "", dtype=object)
    )
    has_measured = np.isfinite(measured)
    table[f"{f}_signal"] = "model"
    table[f"{f}_endpoint"] = e
    table[f"{f}_potency"] = np.where(has_measured, measured, value)
    table[f"{f}_evidence"] = np.where(
        has_measured, "measured", np.where(np.isfinite(value), "predicted", "")
    )
    table[f"{f}_measured_relation"] = np.where(has_measured, relation, "")
    # The measured value belongs to the standardised structure; where the row's own key differs
    # (a stereoisomer recorded without its stereochemistry), say so.
    same_key = (table["inchikey"].astype(str) == predicted["inchikey"].astype(str)).to_numpy()
    table[f"{f}_measured_match"] = np.where(
        has_measured, np.where(same_key, "exact", "same skeleton, stereo not distinguished"), ""
    )
    # Sources of the measured value, found by the standardised key the value was matched on.
    standardised_keys = pd.Series(predicted["inchikey"].to_numpy(), index=table.index)
    table[f"{f}_sources"] = _sources(pack, e, standardised_keys).where(has_measured, "")
    table[f"{f}_predicted"] = value
    table[f"{f}_low"] = predicted[f"{e}_low"].to_numpy(dtype=float)
    table[f"{f}_high"] = predicted[f"{e}_high"].to_numpy(dtype=float)
    # Several endpoints for one function (a user's tyrosinase model beside another, say): the
    # probability of activity is the best over them; the potency shown is the primary's.
    p_active = np.nanmax(
        np.column_stack(
            [predicted[f"{other.id}_p_active"].to_numpy(dtype=float) for other in signal.endpoints]
        ),
        axis=1,
        initial=-np.inf,
    )
    p_active[~np.isfinite(p_active)] = np.nan
    settled = np.array(
        [measured_activity(endpoint, v, str(r)) for v, r in zip(measured, relation, strict=True)]
    )
    table[f"{f}_p_active"] = np.where(np.isfinite(settled), settled, p_active)
    table[f"{f}_in_domain"] = predicted[f"{e}_in_domain"].to_numpy()
    table[f"{f}_nearest"] = predicted[f"{e}_nearest"].to_numpy(dtype=float)


def _similarity_columns(table: pd.DataFrame, signal: FunctionSignal, ok: pd.Series) -> None:
    f = signal.function
    similarity = np.full(len(table), np.nan)
    nearest = np.full(len(table), "", dtype=object)
    rows = np.flatnonzero(ok.to_numpy())
    if len(rows):
        batch = prepare(table.loc[rows, "parent_smiles"].tolist())
        found = reference_similarity(f, batch.bits)
        similarity[rows] = found.similarity
        nearest[rows] = found.nearest
    table[f"{f}_signal"] = "similarity"
    table[f"{f}_similarity"] = similarity
    table[f"{f}_reference"] = nearest
    table[f"{f}_evidence"] = np.where(np.isfinite(similarity), "similarity", "")


def _permeation_columns(
    table: pd.DataFrame, predicted: pd.DataFrame, pack: DataPack | None
) -> None:
    e = PERMEATION_ENDPOINT
    value = predicted[f"{e}_value"].to_numpy(dtype=float)
    measured = (
        predicted[f"{e}_measured"].to_numpy(dtype=float)
        if f"{e}_measured" in predicted
        else np.full(len(predicted), np.nan)
    )
    has_measured = np.isfinite(measured)
    table["logkp"] = np.where(has_measured, measured, value)
    table["logkp_low"] = predicted[f"{e}_low"].to_numpy(dtype=float)
    table["logkp_high"] = predicted[f"{e}_high"].to_numpy(dtype=float)
    table["logkp_evidence"] = np.where(
        has_measured, "measured", np.where(np.isfinite(value), "predicted", "")
    )
    table["logkp_in_domain"] = predicted[f"{e}_in_domain"].to_numpy()
