"""Sensitisation QSAR: key-event calls derived from values, labels, weak-model warnings, predict."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.errors import NotFoundError
from actives.predict.classifier import train_classifier_artifact
from actives.predict.registry import get_endpoint
from actives.safety.data import DERIVED_CALLS
from actives.safety.models import (
    FEATURIZERS,
    _labelled,
    _weak_model_warning,
    installed_sensitisation_models,
    predict_sensitisation,
)
from tests.unit.predict.test_classifier import hazard_set


def test_dpra_calls_follow_tg442c_and_leave_borderline_out() -> None:
    merged = pd.DataFrame(
        {
            "dpra_mean_depletion": [30.0, 2.0, 6.0, np.nan, np.nan, np.nan],
            "dpra_cys_depletion": [np.nan, np.nan, np.nan, 25.0, 5.0, 15.0],
            "dpra_lys_depletion": [np.nan] * 6,
        }
    )
    calls = DERIVED_CALLS["dpra"](merged).tolist()
    assert calls[:2] == ["positive", "negative"]
    assert pd.isna(calls[2])  # mean 6.0 % lies in the borderline range [4.95, 8.32]
    assert calls[3:5] == ["positive", "negative"]  # Cys-only model
    assert pd.isna(calls[5])  # Cys-only 15 % lies in [10.56, 18.47]


def test_hclat_and_keratinosens_calls_from_values() -> None:
    merged = pd.DataFrame(
        {
            "hclat_mit": [12.0, 5000.0, np.nan],
            "hclat_mit_relation": ["=", ">", None],
            "keratinosens_imax": [2.0, 1.5, np.nan],
            "keratinosens_ec15": [np.nan, np.nan, 2000.0],
            "keratinosens_ec15_relation": [None, None, ">"],
        }
    )
    assert DERIVED_CALLS["hclat"](merged).tolist()[:2] == ["positive", "negative"]
    ks = DERIVED_CALLS["keratinosens"](merged).tolist()
    assert ks[0] == "positive" and pd.isna(ks[1]) and ks[2] == "negative"  # 1.5 is borderline


def test_binary_labels_become_the_endpoint_classes() -> None:
    frame = pd.DataFrame({"smiles": ["CCO", "C=CC=O"], "label": [0, 1]})
    assert _labelled(frame, "skin_sens_llna")["label"].tolist() == ["negative", "positive"]
    potency = pd.DataFrame({"smiles": ["CCO"], "label": ["1A"]})
    assert _labelled(potency, "skin_sens_potency")["label"].tolist() == ["1A"]


def test_a_weak_model_says_so_on_its_card() -> None:
    card = {"evaluation": {"cluster": {"overall": {"auroc": 0.56}}}, "warnings": ["x"]}
    _weak_model_warning(card)
    assert card["warnings"][0].startswith("Weak model: cluster-split AUROC 0.56")
    strong = {"evaluation": {"cluster": {"overall": {"auroc": 0.8}}}}
    _weak_model_warning(strong)
    assert "warnings" not in strong


def test_predictions_from_installed_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path / "home"))
    assert installed_sensitisation_models() == []
    with pytest.raises(NotFoundError, match="No model for 'skin_sens_llna'"):
        predict_sensitisation(["CCO"], ["skin_sens_llna"])
    artifact = train_classifier_artifact(
        hazard_set(), get_endpoint("skin_sens_llna"), featurizer_ids=FEATURIZERS
    )
    artifact.save(tmp_path / "skin_sens_llna")
    assert installed_sensitisation_models() == ["skin_sens_llna"]
    result = predict_sensitisation(["CC(=O)CCCc1ccccc1", "OCCCc1ccccc1"])
    table = result["skin_sens_llna"]
    assert list(table["predicted"]) == ["positive", "negative"]
    assert ((table["p_active"] >= 0) & (table["p_active"] <= 1)).all()
