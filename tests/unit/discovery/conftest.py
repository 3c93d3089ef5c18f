"""Three toy models (antioxidant, anti-inflammatory, skin permeation) for the screening tests."""

from pathlib import Path

import pytest

from actives.predict.artifact import train_artifact
from tests.unit.predict.test_evaluation import toy_set

DATA = Path(__file__).resolve().parents[2] / "data" / "screening"


@pytest.fixture(scope="session")
def screen_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dpph and cox2 learn a shifted logP (so some compounds are active at their thresholds),
    skin_logkp a negated one; about a second each."""
    root = tmp_path_factory.mktemp("screen-models")
    base = toy_set()
    for endpoint_id, transform in (
        ("dpph", lambda v: v + 1.5),
        ("cox2", lambda v: v + 3.5),
        ("skin_logkp", lambda v: -v - 4.0),
    ):
        data = base.assign(value=transform(base["value"]))
        card = {"trained_at": "2026-11-23T00:00:00+00:00", "function": endpoint_id}
        train_artifact(data, endpoint_id, card_extra=card).save(root / endpoint_id)
    return root


@pytest.fixture
def screen_models(screen_models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(screen_models_dir))
    monkeypatch.setenv("ACTIVES_HOME", str(screen_models_dir.parent / "home"))
    return screen_models_dir
