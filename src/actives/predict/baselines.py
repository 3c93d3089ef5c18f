"""Reference equations that the trained models must beat, computed on the same compounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rdkit.Chem import Crippen, Descriptors

from actives.chem.parse import to_mol
from actives.predict.datasets import LOG10_SECONDS_PER_HOUR
from actives.predict.evaluation import Metrics


def potts_guy_logkp(smiles: str) -> float:
    """Potts & Guy (1992): log Kp (cm/h) = −2.7 + 0.71 log Kow − 0.0061 MW, returned in cm/s.

    log Kow is estimated with Crippen's cLogP (the equation was fitted on measured log Kow).
    """
    mol = to_mol(smiles)
    log_kow = Crippen.MolLogP(mol)  # type: ignore[attr-defined]
    weight = Descriptors.MolWt(mol)  # type: ignore[attr-defined]
    return -2.7 + 0.71 * log_kow - 0.0061 * weight - LOG10_SECONDS_PER_HOUR


def potts_guy_metrics(data: pd.DataFrame) -> Metrics:
    """Potts-Guy on every exactly measured compound (no training, so no fold is needed)."""
    exact = data[data.get("relation", "=") == "="]
    y = exact["value"].to_numpy(dtype=float)
    pred = np.array([potts_guy_logkp(s) for s in exact["smiles"]])
    metrics = Metrics.of(y, pred, pred, pred)
    metrics.coverage = None  # an equation gives no interval
    return metrics
