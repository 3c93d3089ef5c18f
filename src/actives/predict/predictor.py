"""The Predictor facade: structures in, every shipped endpoint out, one row per input.

Batch-safe: a structure that cannot be read or standardised gets status "error" and its message;
the other rows are predicted. Each endpoint adds ``<id>_value``, ``<id>_low``, ``<id>_high``
(conformal interval at the chosen confidence), ``<id>_p_active`` (probability of activity at the
endpoint's threshold, NaN where it has none), ``<id>_in_domain`` and ``<id>_nearest``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from actives.chem.batch import process_structures
from actives.errors import InvalidInputError
from actives.predict.artifact import ModelArtifact
from actives.predict.shipped import available, load_shipped


class Predictor:
    """Loads the shipped models once and predicts many structures."""

    def __init__(self, endpoints: Sequence[str] | None = None, confidence: float = 0.9) -> None:
        if not 0 < confidence < 1:
            raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
        chosen = list(endpoints) if endpoints else available()
        if not chosen:
            raise InvalidInputError(
                "No shipped models are installed; train them with `make models`."
            )
        self.confidence = confidence
        self.models: dict[str, ModelArtifact] = {e: load_shipped(e) for e in chosen}

    def predict(self, structures: str | Iterable[str] | pd.DataFrame) -> pd.DataFrame:
        """Predict every chosen endpoint for SMILES/InChI/molfile inputs (or a 'smiles' column)."""
        if isinstance(structures, str):
            inputs = [structures]
        elif isinstance(structures, pd.DataFrame):
            if "smiles" not in structures.columns:
                raise InvalidInputError("The table has no 'smiles' column.")
            inputs = structures["smiles"].astype(str).tolist()
        else:
            inputs = [str(s) for s in structures]
        rows = list(process_structures(inputs))
        frame = pd.DataFrame(
            {
                "input": [r.input for r in rows],
                "status": [r.status for r in rows],
                "message": [r.message for r in rows],
                "inchikey": [r.inchikey for r in rows],
                "smiles": [r.smiles for r in rows],
            }
        )
        ok = frame.index[frame["status"] == "ok"]
        for endpoint_id, model in self.models.items():
            predicted = model.predict(frame.loc[ok, "smiles"].tolist(), self.confidence)
            predicted.index = ok
            for column in ("value", "low", "high", "p_active", "in_domain"):
                frame[f"{endpoint_id}_{column}"] = predicted[column]
            frame[f"{endpoint_id}_nearest"] = predicted["nearest_similarity"]
        return frame
