"""Applicability domain: how close a query is to the training compounds, with a clear in/out flag.

The flag compares the query's nearest-neighbour Tanimoto similarity (Morgan r=2, 2048 bits) with a
threshold learnt from the training set itself: the 5th percentile of each training compound's
similarity to its nearest *other* training compound. A query less similar to the training set
than 95% of training compounds are to each other is out of domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rdkit import DataStructs
from rdkit.DataStructs import ExplicitBitVect

from actives.errors import InvalidInputError


@dataclass(frozen=True)
class Neighbour:
    """A training compound near the query: its position in the training set and similarity."""

    index: int
    similarity: float


@dataclass(frozen=True)
class DomainResult:
    """Nearest-neighbour similarity, the in/out flag and the k nearest training compounds."""

    nearest_similarity: float
    in_domain: bool
    neighbours: tuple[Neighbour, ...]


class ApplicabilityDomain:
    """Nearest-neighbour domain over a set of training fingerprints."""

    def __init__(
        self,
        fingerprints: Sequence[ExplicitBitVect],
        percentile: float = 5.0,
        threshold: float | None = None,
    ) -> None:
        if len(fingerprints) < 2:
            raise InvalidInputError("An applicability domain needs at least 2 training compounds.")
        self.fingerprints = list(fingerprints)
        if threshold is None:
            nearest = [
                max(
                    DataStructs.BulkTanimotoSimilarity(fp, self.fingerprints[:i])
                    + DataStructs.BulkTanimotoSimilarity(fp, self.fingerprints[i + 1 :])
                )
                for i, fp in enumerate(self.fingerprints)
            ]
            threshold = float(np.percentile(nearest, percentile))
        self.threshold = threshold

    def query(self, fingerprint: ExplicitBitVect, k: int = 5) -> DomainResult:
        """Where one query falls: nearest similarity, in/out, and its k nearest neighbours."""
        sims = np.asarray(DataStructs.BulkTanimotoSimilarity(fingerprint, self.fingerprints))
        top = np.argsort(-sims, kind="stable")[:k]
        nearest = float(sims[top[0]])
        return DomainResult(
            nearest,
            nearest >= self.threshold,
            tuple(Neighbour(int(i), float(sims[i])) for i in top),
        )
