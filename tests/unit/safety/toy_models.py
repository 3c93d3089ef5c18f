"""Tiny models for the safety shells' tests: an LLNA classifier and a skin_logkp value model
trained on the engine's toy compounds (an acyl or chloro end group is 'positive'), never the
shipped ones, so the tests run whether or not the real models are installed."""

from __future__ import annotations

from pathlib import Path

from actives.predict.artifact import train_artifact
from actives.predict.classifier import train_classifier_artifact
from actives.predict.registry import get_endpoint
from tests.unit.predict.test_classifier import hazard_set
from tests.unit.predict.test_evaluation import toy_set

POSITIVE_LIKE = "CC(=O)CCc1ccccc1"  # an acyl end group, like the toy set's positives
TOY_WARNING = "Toy model for tests: not evaluated."
TOY_AUROC = 0.6  # written into the toy card, as a real card records its cluster-split AUROC


def build_toy_models(root: Path) -> Path:
    """Write skin_sens_llna (classification) and skin_logkp (value) model folders to root."""
    endpoint = get_endpoint("skin_sens_llna")
    card = {"trained_at": "2026-01-01T00:00:00+00:00", "warnings": [TOY_WARNING],
            "evaluation": {"cluster": {"overall": {"auroc": TOY_AUROC}}}}  # fmt: skip
    classifier = train_classifier_artifact(hazard_set(), endpoint, card_extra=card)
    classifier.save(root / endpoint.id)
    logkp = toy_set().assign(value=lambda t: -6.0 + 0.3 * t["value"])  # log Kp-like, cm/s
    train_artifact(logkp, "skin_logkp", card_extra={"function": "skin_permeation"}).save(
        root / "skin_logkp"
    )
    return root
