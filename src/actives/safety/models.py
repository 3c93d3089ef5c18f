"""Sensitisation QSAR models: trained through the engine's classifier recipe, used by safety.

Six classification endpoints (see :mod:`actives.predict.registry`): LLNA hazard, human (HMT/HRIPT)
hazard, GHS potency sub-category from the LLNA EC3, and the DPRA, KeratinoSens and h-CLAT calls.
Each is trained on its own label origin only: human and LLNA labels disagree for a third of the
chemicals both have, and their base rates differ (human 5 % positive, LLNA 79 %), so a model
trained on pooled labels would learn the source, not the chemistry.

The LLNA hazard model can fill the in silico slot of the OECD 497 ITS, but only labelled as what it
is: a QSAR of our own, not one of the in silico tools (Derek Nexus, OECD QSAR Toolbox) evaluated
under the guideline.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from actives.errors import InvalidFileError
from actives.predict.artifact import prepare
from actives.predict.classifier import ClassifierArtifact
from actives.predict.registry import get_endpoint
from actives.predict.shipped import (
    SHIPPED_CLASSIFIERS,
    build_classifier_model,
    find_model,
    installed_models,
)
from actives.progress import Progress, silent_progress

# endpoint id -> the training target of actives.safety.data.hazard_training_set
TRAINING_TARGETS = {
    "skin_sens_llna": "llna",
    "skin_sens_human": "human",
    "skin_sens_potency": "potency",
    "ke_dpra": "dpra",
    "ke_keratinosens": "keratinosens",
    "ke_hclat": "hclat",
}
LABEL_DEFINITIONS = {
    "llna": "LLNA positive (an EC3 was derived or the call is positive) vs negative; ICE first, "
    "SkinSensDB filling gaps; the ECHA/CAAT labels are not mixed in.",
    "human": "Human HMT/HRIPT call, majority of the records; chemicals whose records tie are "
    "left out.",
    "potency": "UN GHS / CLP sub-category from the LLNA EC3: 1A when EC3 <= 2 %, 1B when "
    "EC3 > 2 %, NC when the LLNA is negative.",
    "dpra": "DPRA call as reported (ICE), else the OECD TG 442C prediction model applied to the "
    "reported Cys/Lys depletion (SkinSensDB); borderline depletions left out.",
    "keratinosens": "KeratinoSens call as reported (ICE), else the OECD TG 442D prediction model "
    "on the reported Imax or EC1.5 (SkinSensDB); borderline Imax left out.",
    "hclat": "h-CLAT call as reported (ICE), else from the MIT: reached (EC150 of CD86 or EC200 "
    "of CD54) positive, not reached negative (OECD TG 442E).",
}
FEATURIZERS = ("sensitisation_alerts", "rdkit2d")
WEAK_AUROC = 0.65  # below this cluster-split AUROC a model card says the model is weak
QSAR_TOOL = "Actives QSAR skin_sens_llna"  # the DA result adds "not evaluated under GL497"
SOURCE_FILES = (
    ("ice-skinsens/RAW_ICE_skin_sensitization__Data_invitro.csv", "NIEHS ICE in vitro"),
    ("ice-skinsens/RAW_ICE_skin_sensitization__Data_invivo.csv", "NIEHS ICE in vivo"),
    ("skinsensdb/RAW_SKINSENS_DB_complete__Sheet2.csv", "SkinSensDB (Wang et al. 2017)"),
)


def _labelled(frame: pd.DataFrame, endpoint_id: str) -> pd.DataFrame:
    """A training set with labels named as the endpoint's classes (0/1 -> negative/positive)."""
    classes = get_endpoint(endpoint_id).classes
    labels = frame["label"]
    if classes == ("negative", "positive"):
        labels = labels.map(lambda v: "positive" if str(v) in ("1", "True") else
                            "negative" if str(v) in ("0", "False") else str(v))  # fmt: skip
    return pd.DataFrame({"smiles": frame["smiles"].astype(str), "label": labels.astype(str)})


def sensitisation_training_sets(
    raw_root: Path, progress: Progress = silent_progress
) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    """Training set per endpoint from the raw sensitisation files, and the curation steps."""
    from actives.safety.data import (
        hazard_training_set,
        merge_sensitisation,
        read_sensitisation_records,
    )

    records, steps = read_sensitisation_records(raw_root, progress=progress)
    merged = merge_sensitisation(records)
    sets = {
        endpoint_id: _labelled(hazard_training_set(merged, target), endpoint_id)
        for endpoint_id, target in TRAINING_TARGETS.items()
    }
    curation = [
        step if isinstance(step, dict) else {
            "name": step.name, "rows_in": step.rows_in, "rows_out": step.rows_out
        }
        for step in steps
    ]  # fmt: skip
    return sets, curation


def source_files(raw_root: Path) -> list[dict[str, Any]]:
    """The raw files behind the models, with size and SHA-256 (for the model cards)."""
    from actives.knowledge.build import sha256_of

    found = []
    for relative, description in SOURCE_FILES:
        path = raw_root / relative
        if not path.is_file():
            raise InvalidFileError(f"Sensitisation data not found at {path}.")
        found.append({"path": relative, "bytes": path.stat().st_size,
                      "sha256": sha256_of(path), "description": description})  # fmt: skip
    return found


def _majority_baseline(data: pd.DataFrame, evaluations: dict[str, Any]) -> dict[str, Any]:
    """The always-the-majority-class predictor, for scale (AUROC 0.5, balanced accuracy 0.5)."""
    share = data["label"].value_counts(normalize=True)
    return {
        f"always {share.index[0]} ({share.iloc[0]:.0%} of the compounds)": {
            "n": len(data), "auroc": 0.5, "balanced_accuracy": 0.5
        }
    }  # fmt: skip


def train_sensitisation_models(
    raw_root: Path,
    out_dir: Path,
    endpoint_ids: Sequence[str] = SHIPPED_CLASSIFIERS,
    progress: Progress = silent_progress,
) -> list[Path]:
    """Evaluate (scaffold and cluster 5-fold) and train the sensitisation models into out_dir."""
    sets, curation = sensitisation_training_sets(raw_root)
    sources = source_files(raw_root)
    written = []
    for i, endpoint_id in enumerate(endpoint_ids):
        endpoint = get_endpoint(endpoint_id)

        def step(done: float, total: float | None = None, message: str = "", i: int = i) -> None:
            progress(i + done / (total or 1), len(endpoint_ids), message)

        target = TRAINING_TARGETS[endpoint_id]
        build_classifier_model(
            sets[endpoint_id],
            endpoint,
            out_dir / endpoint_id,
            featurizer_ids=FEATURIZERS,
            amend_card=_weak_model_warning,
            card_extra={
                "origin": "shipped",
                "data_sources": sources,
                "curation": curation,
                "label_definition": LABEL_DEFINITIONS[target],
                "warnings": [
                    "Human and LLNA labels disagree for many chemicals: of the 132 with both "
                    "calls in the staged data, 89 are LLNA-positive and human-negative; read "
                    "each model against its own label origin.",
                    "About 180 chemicals were removed from the staged data for independent "
                    "evaluation; they are in neither training nor evaluation here.",
                ],
            },
            baselines=_majority_baseline,
            progress=step,
        )
        written.append(out_dir / endpoint_id)
    progress(len(endpoint_ids), len(endpoint_ids), "sensitisation models trained")
    return written


def _weak_model_warning(card: dict[str, Any]) -> None:
    """Add a warning to the card when the cluster-split AUROC shows little skill."""
    auroc = card["evaluation"]["cluster"]["overall"].get("auroc")
    if auroc is not None and auroc < WEAK_AUROC:
        card.setdefault("warnings", []).insert(
            0,
            f"Weak model: cluster-split AUROC {auroc:.2f} (below {WEAK_AUROC}). Its call is "
            "little better than chance for new chemistry; measure the assay instead of relying "
            "on the prediction.",
        )


def installed_sensitisation_models() -> list[str]:
    """Endpoint ids of the sensitisation classifiers installed here, in a fixed order."""
    have = {m.endpoint_id for m in installed_models("classification")}
    return [e for e in SHIPPED_CLASSIFIERS if e in have]


def _loaded(endpoint_id: str) -> ClassifierArtifact:
    """An installed classifier, loaded once per model folder and card date: a request or a
    batch row does not re-read the model files, and a retrained model is picked up."""
    folder = find_model(endpoint_id, "classification").folder
    return _load_cached(folder, (folder / "model_card.json").stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load_cached(folder: Path, stamp: int) -> ClassifierArtifact:
    """The model of one folder at one card date (never mutated after loading)."""
    return ClassifierArtifact.load(folder)


def predict_sensitisation(
    smiles: Sequence[str], endpoint_ids: Sequence[str] | None = None, confidence: float = 0.9
) -> dict[str, pd.DataFrame]:
    """Each installed sensitisation model's predictions for standardised SMILES, by endpoint."""
    chosen = list(endpoint_ids) if endpoint_ids else installed_sensitisation_models()
    models: dict[str, ClassifierArtifact] = {e: _loaded(e) for e in chosen}
    batch = prepare(list(smiles))
    return {e: model.predict_prepared(batch, confidence) for e, model in models.items()}
