"""Featurizer registry: structures to feature matrices (Morgan counts, RDKit 2D descriptors).

Featurizers take standardised SMILES and return a float32 matrix, one row per input; a row that
cannot be featurised is all NaN and reported by index, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rdkit import Chem
from rdkit.Chem import Descriptors, rdFingerprintGenerator

from actives.chem._rdlog import captured_rdkit_log
from actives.chem.alerts import ALERTS, alert_counts
from actives.registry import Registry


@dataclass(frozen=True)
class Featurizer:
    """A named way to turn molecules into numbers, with the column names it produces."""

    id: str
    description: str
    columns: tuple[str, ...]
    function: Callable[[Chem.Mol], np.ndarray]

    def transform(self, smiles: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """Feature matrix for the SMILES and the indices of rows that failed."""
        mols = []
        for text in smiles:
            with captured_rdkit_log():
                mols.append(Chem.MolFromSmiles(text))
        return self.transform_mols(mols)

    def transform_mols(self, mols: Sequence[Chem.Mol | None]) -> tuple[np.ndarray, list[int]]:
        """Feature matrix for parsed molecules (None rows fail) and the failed row indices."""
        matrix = np.full((len(mols), len(self.columns)), np.nan, dtype=np.float32)
        failed: list[int] = []
        for i, mol in enumerate(mols):
            if mol is None:
                failed.append(i)
                continue
            matrix[i] = self.function(mol)
        return matrix, failed


FEATURIZERS: Registry[Featurizer] = Registry("featurizer", "unknown_featurizer")


def register_featurizer(featurizer: Featurizer) -> Featurizer:
    """Add a featurizer to the registry."""
    return FEATURIZERS.add(featurizer.id, featurizer)


def get_featurizer(featurizer_id: str) -> Featurizer:
    """The featurizer with this id; NotFoundError lists the known ones."""
    return FEATURIZERS.get(featurizer_id)


def featurizers() -> list[Featurizer]:
    """All registered featurizers."""
    return list(FEATURIZERS)


MORGAN_COUNT_BITS = 2048


@lru_cache(maxsize=1)
def _count_generator() -> rdFingerprintGenerator.FingeprintGenerator64:  # type: ignore[name-defined]
    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=MORGAN_COUNT_BITS)


def _morgan_counts(mol: Chem.Mol) -> np.ndarray:
    return np.asarray(_count_generator().GetCountFingerprintAsNumPy(mol), dtype=np.float32)


def count_bit_environments(mol: Chem.Mol) -> dict[int, tuple[tuple[int, int], ...]]:
    """For each Morgan count bin set in the molecule: the (centre atom, radius) environments."""
    output = rdFingerprintGenerator.AdditionalOutput()
    output.AllocateBitInfoMap()
    _count_generator().GetCountFingerprintAsNumPy(mol, additionalOutput=output)
    return {int(bit): tuple(envs) for bit, envs in output.GetBitInfoMap().items()}


_DESCRIPTORS = tuple(
    (name, fn) for name, fn in Descriptors.descList if not name.startswith("Ipc")
)  # Ipc overflows float32 for large molecules


def _rdkit_2d(mol: Chem.Mol) -> np.ndarray:
    values = []
    for _name, fn in _DESCRIPTORS:
        try:
            values.append(float(fn(mol)))
        except (ValueError, ZeroDivisionError, OverflowError):
            values.append(np.nan)
    out = np.asarray(values, dtype=np.float64)
    out[~np.isfinite(out) | (np.abs(out) > 1e30)] = np.nan
    return out.astype(np.float32)


register_featurizer(
    Featurizer(
        "morgan_counts",
        "Morgan (ECFP4-like) count fingerprint, radius 2, 2048 bins",
        tuple(f"morgan_{i}" for i in range(MORGAN_COUNT_BITS)),
        _morgan_counts,
    )
)
register_featurizer(
    Featurizer(
        "rdkit2d",
        f"RDKit 2D descriptors ({len(_DESCRIPTORS)}, Ipc excluded)",
        tuple(name for name, _ in _DESCRIPTORS),
        _rdkit_2d,
    )
)


def combined(ids: Sequence[str], smiles: Sequence[str]) -> tuple[np.ndarray, list[str], list[int]]:
    """Several featurizers side by side: matrix, column names, failed row indices."""
    mols = []
    for text in smiles:
        with captured_rdkit_log():
            mols.append(Chem.MolFromSmiles(text))
    return combined_mols(ids, mols)


def combined_mols(
    ids: Sequence[str], mols: Sequence[Chem.Mol | None]
) -> tuple[np.ndarray, list[str], list[int]]:
    """:func:`combined` for molecules already parsed (each is read once for every featurizer)."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    failed: set[int] = set()
    for featurizer_id in ids:
        featurizer = get_featurizer(featurizer_id)
        matrix, bad = featurizer.transform_mols(mols)
        blocks.append(matrix)
        names.extend(featurizer.columns)
        failed.update(bad)
    return np.hstack(blocks), names, sorted(failed)


register_featurizer(
    Featurizer(
        "sensitisation_alerts",
        f"Counts of {len(ALERTS)} skin-sensitisation structural alerts (reaction mechanistic "
        "domains, Aptula & Roberts 2006; Enoch et al. 2008)",
        tuple(f"alert_{a.id}" for a in ALERTS),
        lambda mol: np.asarray(alert_counts(mol), dtype=np.float32),
    )
)
