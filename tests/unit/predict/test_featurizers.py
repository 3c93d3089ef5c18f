"""Featurizers: shapes, golden counts, failed rows reported."""

import numpy as np
import pytest

from actives.errors import NotFoundError
from actives.predict.featurizers import combined, featurizers, get_featurizer


def test_registry() -> None:
    assert [f.id for f in featurizers()] == ["morgan_counts", "rdkit2d", "sensitisation_alerts"]
    with pytest.raises(NotFoundError, match="known: morgan_counts, rdkit2d, sensitisation_alerts"):
        get_featurizer("ecfp6")


def test_morgan_counts_golden() -> None:
    matrix, failed = get_featurizer("morgan_counts").transform(["CC(=O)Oc1ccccc1C(=O)O"])
    assert failed == [] and matrix.shape == (1, 2048)
    assert matrix.sum() == 35 and np.count_nonzero(matrix) == 24  # golden (RDKit), frozen


def test_rdkit2d_values() -> None:
    featurizer = get_featurizer("rdkit2d")
    matrix, _ = featurizer.transform(["CC(=O)Oc1ccccc1C(=O)O"])
    row = dict(zip(featurizer.columns, matrix[0], strict=True))
    assert row["MolWt"] == pytest.approx(180.159, abs=1e-3)
    assert row["TPSA"] == pytest.approx(63.6, abs=1e-2)
    assert not any(name.startswith("Ipc") for name in featurizer.columns)


def test_bad_rows_are_nan_and_reported() -> None:
    matrix, names, failed = combined(["morgan_counts", "rdkit2d"], ["CCO", "C1CC", "c1ccccc1O"])
    assert failed == [1] and len(names) == matrix.shape[1]
    assert np.isnan(matrix[1]).all() and not np.isnan(matrix[0, :2048]).any()
