"""Morgan fingerprints, compact byte storage for the data pack, and bulk Tanimoto similarity."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator
from rdkit.DataStructs import ExplicitBitVect

MORGAN_RADIUS = 2
MORGAN_BITS = 2048


@lru_cache(maxsize=8)
def _generator(radius: int, n_bits: int) -> Any:
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


def morgan_fingerprint(
    mol: Chem.Mol, radius: int = MORGAN_RADIUS, n_bits: int = MORGAN_BITS
) -> ExplicitBitVect:
    """Morgan (ECFP-like) bit fingerprint; radius 2 and 2048 bits unless said otherwise."""
    return _generator(radius, n_bits).GetFingerprint(mol)


def fingerprint_to_bytes(fp: ExplicitBitVect) -> bytes:
    """RDKit's compact binary form, for a Parquet column."""
    return bytes(fp.ToBinary())


def fingerprint_from_bytes(data: bytes) -> ExplicitBitVect:
    """Inverse of :func:`fingerprint_to_bytes`."""
    return ExplicitBitVect(data)  # type: ignore[call-overload]  # stub gap: bytes pickle


def bulk_tanimoto(query: ExplicitBitVect, fingerprints: Sequence[ExplicitBitVect]) -> list[float]:
    """Tanimoto similarity of ``query`` to each fingerprint (RDKit's C++ loop)."""
    return list(DataStructs.BulkTanimotoSimilarity(query, list(fingerprints)))


PATTERN_BITS = 2048


def pattern_fingerprint(mol: Chem.Mol, n_bits: int = PATTERN_BITS) -> ExplicitBitVect:
    """RDKit pattern fingerprint for substructure screening (a query's bits are a subset)."""
    return Chem.PatternFingerprint(mol, fpSize=n_bits)


def packed_bits(fp: ExplicitBitVect) -> bytes:
    """The fingerprint as packed bits (n_bits/8 bytes, most significant bit first).

    Fixed width, so a column of them loads straight into a NumPy matrix for vectorised search.
    """
    import numpy as np

    bits = np.zeros(fp.GetNumBits(), dtype=np.uint8)
    on = list(fp.GetOnBits())
    if on:
        bits[on] = 1
    return np.packbits(bits).tobytes()
