"""A trained model saves to plain files, loads without pickle and predicts with intervals and AD."""

from pathlib import Path

import numpy as np
import pytest

from actives.errors import InvalidInputError
from actives.predict.artifact import ModelArtifact, train_artifact
from tests.unit.predict.test_evaluation import toy_set


@pytest.fixture(scope="module")
def artifact() -> ModelArtifact:
    return train_artifact(toy_set(), "dpph", card_extra={"note": "toy"})


def test_round_trip_without_pickle(artifact: ModelArtifact, tmp_path: Path) -> None:
    artifact.save(tmp_path / "dpph")
    names = sorted(p.name for p in (tmp_path / "dpph").iterdir())
    assert names == ["conformal.json", "domain.npy", "model.txt", "model_card.json"]
    loaded = ModelArtifact.load(tmp_path / "dpph")
    smiles = ["OCCCc1ccccc1", "CC12CCC3C(CCC4=CC(=O)CCC34C)C1CCC2O"]
    before = artifact.predict(smiles)
    after = loaded.predict(smiles)
    assert np.allclose(before.value, after.value) and np.allclose(before.low, after.low)
    assert loaded.card["note"] == "toy" and loaded.card["n_train"] > 0


def test_predictions_have_intervals_and_domain(artifact: ModelArtifact) -> None:
    result = artifact.predict(["OCCCc1ccccc1", "CC12CCC3C(CCC4=CC(=O)CCC34C)C1CCC2O", "C1CC"])
    assert (result.low.iloc[:2] < result.value.iloc[:2]).all()
    assert ((result.p_active.iloc[:2] >= 0) & (result.p_active.iloc[:2] <= 1)).all()
    assert (result.value.iloc[:2] < result.high.iloc[:2]).all()
    assert bool(result.in_domain.iloc[0]) and not bool(result.in_domain.iloc[1])
    assert np.isnan(result.value.iloc[2]) and not bool(result.in_domain.iloc[2])
    wide = artifact.predict(["OCCCc1ccccc1"], confidence=0.95)
    narrow = artifact.predict(["OCCCc1ccccc1"], confidence=0.5)
    assert (wide.high - wide.low).iloc[0] > (narrow.high - narrow.low).iloc[0]
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        artifact.predict(["CCO"], confidence=1.5)


def test_refuses_too_little_data_and_foreign_folders(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="at least 20"):
        train_artifact(toy_set().head(10), "dpph")
    from actives.errors import NotFoundError

    with pytest.raises(NotFoundError, match="not a model folder"):
        ModelArtifact.load(tmp_path)


def test_prepared_bits_are_the_morgan_fingerprint() -> None:
    """The domain's bits come from the Morgan counts: the same bits as morgan_fingerprint."""
    from actives.chem import morgan_fingerprint, to_mol
    from actives.chem.fingerprints import packed_bits, packed_matrix
    from actives.predict.artifact import prepare

    smiles = ["OCc1cc(=O)c(O)co1", "CC(=O)Oc1ccccc1C(=O)O", "not a smiles", "C[C@H](N)C(=O)O"]
    batch = prepare(smiles)
    assert batch.mols[2] is None
    expected = [
        packed_bits(morgan_fingerprint(to_mol(s))) if i != 2 else bytes(256)
        for i, s in enumerate(smiles)
    ]
    assert np.array_equal(batch.bits, packed_matrix(expected))
    features, failed = batch.features(("morgan_counts",))
    assert failed == [2] and features.shape == (4, 2048)
