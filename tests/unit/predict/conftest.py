"""A models folder trained on a toy set, shared by the predictor, evidence and export tests."""

from pathlib import Path

import pytest

from actives.predict.artifact import train_artifact
from actives.predict.shipped import render_card
from tests.unit.predict.test_evaluation import toy_set


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    artifact = train_artifact(
        toy_set(),
        "dpph",
        card_extra={"function": "antioxidant", "n_compounds": 120, "n_censored": 0,
                    "curation": [{"name": "input rows", "rows_in": 120, "rows_out": 120}],
                    "evaluation": {"scaffold": {s: {"n": 120, "rmse": 0.5, "mae": 0.4, "r2": 0.5,
                                   "spearman": 0.7, "coverage": 0.9}
                                   for s in ("overall", "in_domain", "out_of_domain",
                                             "natural_product_like")}}},
    )  # fmt: skip
    artifact.save(root / "dpph")
    (root / "dpph" / "MODEL_CARD.md").write_text(render_card(artifact.card))
    return root


@pytest.fixture
def use_models(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(models_dir))
    return models_dir
