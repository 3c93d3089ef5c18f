"""Scaffold and cluster folds never split a group; the applicability domain flags outsiders."""

import numpy as np
import pytest

from actives.chem import morgan_fingerprint, to_mol
from actives.errors import InvalidInputError
from actives.predict.domain import ApplicabilityDomain
from actives.predict.splits import butina_clusters, cluster_folds, murcko_scaffold, scaffold_folds

# Three scaffolds (benzene, naphthalene, indole) with substituent variations, plus acyclics.
SERIES = {
    "c1ccccc1": ["Oc1ccccc1", "Nc1ccccc1", "Cc1ccccc1", "OC(=O)c1ccccc1", "Clc1ccccc1"],
    "c1ccc2ccccc2c1": ["Oc1ccc2ccccc2c1", "Nc1ccc2ccccc2c1", "Cc1ccc2ccccc2c1"],
    "c1ccc2[nH]ccc2c1": ["Cc1c[nH]c2ccccc12", "Oc1ccc2[nH]ccc2c1"],
}
ACYCLIC = ["CCO", "CCCCO", "CC(=O)O", "CCN"]
ALL = [s for group in SERIES.values() for s in group] + ACYCLIC


def test_murcko_scaffolds() -> None:
    assert murcko_scaffold("Oc1ccc2ccccc2c1") == "c1ccc2ccccc2c1"
    assert murcko_scaffold("CCO") == ""


def test_scaffold_folds_keep_each_scaffold_together() -> None:
    folds = scaffold_folds(ALL, n_folds=3, seed=1)
    assert set(folds) == {0, 1, 2}
    for scaffold, members in SERIES.items():
        assert len({folds[ALL.index(m)] for m in members}) == 1, scaffold
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 2  # balanced
    assert list(scaffold_folds(ALL, 3, seed=1)) == list(folds)  # reproducible


def test_cluster_folds_keep_each_cluster_together() -> None:
    labels = butina_clusters(ALL, similarity=0.3)
    folds = cluster_folds(ALL, n_folds=2, similarity=0.3)
    for label in set(labels):
        members = np.flatnonzero(labels == label)
        assert len(set(folds[members])) == 1


@pytest.mark.parametrize(("n_folds", "message"), [(1, "at least 2"), (100, "cannot fill")])
def test_bad_fold_counts(n_folds: int, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        scaffold_folds(ALL, n_folds=n_folds)


def test_bad_cluster_similarity() -> None:
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        butina_clusters(ALL, similarity=1.5)


def test_applicability_domain() -> None:
    train = [morgan_fingerprint(to_mol(s)) for s in SERIES["c1ccccc1"] + SERIES["c1ccc2ccccc2c1"]]
    domain = ApplicabilityDomain(train)
    assert 0 < domain.threshold < 1
    inside = domain.query(morgan_fingerprint(to_mol("Oc1ccccc1")), k=3)
    assert inside.in_domain and inside.nearest_similarity == 1.0
    assert inside.neighbours[0].index == 0 and len(inside.neighbours) == 3
    steroid = "CC12CCC3C(CCC4=CC(=O)CCC34C)C1CCC2O"
    outside = domain.query(morgan_fingerprint(to_mol(steroid)))
    assert not outside.in_domain and outside.nearest_similarity < domain.threshold
    fixed = ApplicabilityDomain(train, threshold=0.9)
    assert fixed.threshold == 0.9
    with pytest.raises(InvalidInputError, match="at least 2"):
        ApplicabilityDomain(train[:1])
