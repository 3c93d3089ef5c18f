"""Splits that do not leak: scaffold k-fold and fingerprint-cluster k-fold (never random only).

Both put whole groups (a Bemis-Murcko scaffold, or a Butina cluster) into one fold, assigning the
largest groups first to the currently smallest fold, so folds are balanced and reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rdkit import DataStructs
from rdkit.Chem.Scaffolds import MurckoScaffold
from rdkit.ML.Cluster import Butina

from actives.chem.fingerprints import morgan_fingerprint
from actives.chem.parse import to_mol
from actives.errors import InvalidInputError


def murcko_scaffold(smiles: str) -> str:
    """Bemis-Murcko scaffold SMILES; acyclic molecules have the empty scaffold ''."""
    return str(MurckoScaffold.MurckoScaffoldSmiles(mol=to_mol(smiles), includeChirality=False))


def _check(n_items: int, n_folds: int) -> None:
    if n_folds < 2:
        raise InvalidInputError(f"{n_folds} folds; expected at least 2.")
    if n_items < n_folds:
        raise InvalidInputError(f"{n_items} compounds cannot fill {n_folds} folds.")


def _assign(groups: Sequence[str | int], n_folds: int, seed: int) -> np.ndarray:
    """Whole groups to folds, largest first, each to the smallest fold (ties by a seeded order)."""
    labels, inverse, sizes = np.unique(
        np.asarray([str(g) for g in groups]), return_inverse=True, return_counts=True
    )
    rng = np.random.default_rng(seed)
    tiebreak = rng.permutation(len(labels))
    order = sorted(range(len(labels)), key=lambda g: (-sizes[g], tiebreak[g]))
    fold_sizes = np.zeros(n_folds, dtype=int)
    group_fold = np.empty(len(labels), dtype=int)
    for g in order:
        fold = int(np.argmin(fold_sizes))
        group_fold[g] = fold
        fold_sizes[fold] += sizes[g]
    return group_fold[inverse]


def scaffold_folds(smiles: Sequence[str], n_folds: int = 5, seed: int = 0) -> np.ndarray:
    """Fold number (0..n_folds-1) per molecule; one scaffold never spans two folds.

    Acyclic molecules each form their own group (an empty scaffold would lump them all together).
    """
    _check(len(smiles), n_folds)
    groups = []
    for i, s in enumerate(smiles):
        scaffold = murcko_scaffold(s)
        groups.append(scaffold if scaffold else f"acyclic-{i}")
    return _assign(groups, n_folds, seed)


def butina_clusters(smiles: Sequence[str], similarity: float = 0.65) -> np.ndarray:
    """Butina clusters on Morgan fingerprints: members lie within the Tanimoto ``similarity``."""
    if not 0 < similarity < 1:
        raise InvalidInputError(f"Cluster similarity {similarity}; expected between 0 and 1.")
    fps = [morgan_fingerprint(to_mol(s)) for s in smiles]
    distances: list[float] = []
    for i in range(1, len(fps)):
        sims = DataStructs.BulkTanimotoSimilarity(fps[i], fps[:i])
        distances.extend(1.0 - x for x in sims)
    clusters = Butina.ClusterData(distances, len(fps), 1.0 - similarity, isDistData=True)
    labels = np.empty(len(fps), dtype=int)
    for number, members in enumerate(clusters):
        labels[list(members)] = number
    return labels


def cluster_folds(
    smiles: Sequence[str], n_folds: int = 5, similarity: float = 0.65, seed: int = 0
) -> np.ndarray:
    """Fold number per molecule; one Butina cluster never spans two folds."""
    _check(len(smiles), n_folds)
    return _assign(list(butina_clusters(smiles, similarity)), n_folds, seed)
