"""A trained endpoint model as files that load without unpickling anything.

Layout of a model folder: ``model.txt`` (LightGBM's own text format), ``conformal.json``
(calibration residuals), ``domain.npy`` (packed Morgan bits of the training compounds, loaded with
``allow_pickle=False``) and ``model_card.json``. Everything a user could upload is data, never code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rdkit import Chem
from scipy import sparse

from actives import __version__
from actives.chem import morgan_fingerprint, to_mol
from actives.chem._rdlog import captured_rdkit_log
from actives.chem.fingerprints import (
    bit_columns,
    nearest_tanimoto,
    packed_bits,
    packed_matrix,
    row_popcounts,
    sparse_bit_matrix,
)
from actives.errors import InvalidInputError, NotFoundError
from actives.predict.conformal import CALIBRATION_FOLDS, DomainConformal, cross_conformal
from actives.predict.domain import ApplicabilityDomain
from actives.predict.evaluation import exact_features
from actives.predict.featurizers import combined_mols, get_featurizer
from actives.predict.registry import Endpoint, get_endpoint
from actives.predict.splits import scaffold_folds

FORMAT = 1


@dataclass
class PreparedBatch:
    """Standardised structures read once and shared by every model of a panel.

    Features are computed once per featurizer combination and the Morgan bits once for the
    applicability domain, however many endpoints are predicted.
    """

    smiles: list[str]
    mols: list[Chem.Mol | None]
    bits: np.ndarray
    _features: dict[tuple[str, ...], tuple[np.ndarray, list[int]]] = field(default_factory=dict)

    @cached_property
    def query_bits(self) -> sparse.csr_matrix:
        """The Morgan bits as a sparse 0/1 matrix, made once for every model's domain."""
        return sparse_bit_matrix(self.bits)

    def domain_queries(self, rows: np.ndarray) -> sparse.csr_matrix:
        """:attr:`query_bits` of these row positions (all of them: no copy)."""
        if len(rows) == len(self.smiles):
            return self.query_bits
        return self.query_bits[rows]

    def features(self, featurizer_ids: tuple[str, ...]) -> tuple[np.ndarray, list[int]]:
        """The feature matrix for these featurizers and the rows that failed."""
        if featurizer_ids not in self._features:
            matrix, _names, failed = combined_mols(featurizer_ids, self.mols)
            self._features[featurizer_ids] = (matrix, failed)
        return self._features[featurizer_ids]


def prepare(smiles: list[str], mols: list[Chem.Mol | None] | None = None) -> PreparedBatch:
    """Parse standardised SMILES once (or take their molecules, already parsed) and compute
    their Morgan features (unreadable rows stay None).

    The Morgan counts (the models' features) are computed once; the applicability domain's bits
    are the counts above zero, the same bits as :func:`morgan_fingerprint` (same generator:
    radius 2, 2048 bits).
    """
    if mols is None:
        mols = []
        for text in smiles:
            with captured_rdkit_log():
                mols.append(Chem.MolFromSmiles(text))
    counts, failed = get_featurizer("morgan_counts").transform_mols(mols)
    bits = np.packbits(counts > 0, axis=1)  # NaN rows (unreadable) have no bits
    batch = PreparedBatch(list(smiles), mols, packed_matrix(bits))
    batch._features[("morgan_counts",)] = (counts, failed)
    return batch


@dataclass
class ModelArtifact:
    """A fitted endpoint model with its conformal calibration, domain and card."""

    endpoint: Endpoint
    booster: Any
    conformal: DomainConformal
    domain_bits: np.ndarray  # the training compounds' packed Morgan bits
    domain_threshold: float
    card: dict[str, Any]
    # Models of the split-conformal era were fitted on the first n_proper rows of domain_bits and
    # calibrated on the rest; 0: fitted on all of them (cross-conformal).
    n_proper: int = 0

    @cached_property
    def _domain_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """Training compounds' Morgan bits as a packed matrix and their popcounts."""
        matrix = packed_matrix(self.domain_bits)
        return matrix, row_popcounts(matrix)

    @cached_property
    def _domain_columns(self) -> np.ndarray:
        """The training bits as dense columns, for many queries at once (built on first use)."""
        return bit_columns(self._domain_matrix[0])

    def nearest_training(
        self, bits: np.ndarray | sparse.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray]:
        """For query rows (packed, or as a sparse bit matrix): similarity to the nearest
        training compound (for the applicability domain) and to the nearest compound the model
        was fitted on (for the conformal category; the same, except in split-conformal models)."""
        matrix, counts = self._domain_matrix
        if not self.n_proper or self.n_proper >= len(matrix):
            nearest = nearest_tanimoto(self._domain_columns, counts, bits)[:, 0]
            return nearest, nearest
        both = nearest_tanimoto(self._domain_columns, counts, bits, prefixes=[self.n_proper])
        return both[:, 0], both[:, 1]

    @property
    def featurizers(self) -> tuple[str, ...]:
        """Featurizer ids the model was trained on."""
        return tuple(self.card["featurizers"])

    def save(self, folder: Path) -> None:
        """Write the model folder (created if needed)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        calibration = {**self.conformal.to_json(), "n_proper": self.n_proper}
        (folder / "conformal.json").write_text(json.dumps(calibration))
        np.save(folder / "domain.npy", self.domain_bits, allow_pickle=False)
        (folder / "model_card.json").write_text(json.dumps(self.card, indent=2, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> ModelArtifact:
        """Read a model folder written by :meth:`save`; nothing in it is unpickled.

        A user's own model carries its endpoint definition in the card (``endpoint_definition``
        with source "user"): the artefact uses that definition, and it is registered when its id
        is not, so that menus and ``actives predict`` know it. Shipped models use the registry.
        """
        import lightgbm

        from actives.errors import InvalidFileError
        from actives.predict.registry import ENDPOINTS, register_endpoint
        from actives.predict.shipped import endpoint_from_definition, is_user_endpoint

        card_path = folder / "model_card.json"
        if not card_path.is_file():
            raise NotFoundError(f"No model card in {folder}; not a model folder.")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidFileError(f"{card_path} is not a JSON model card ({exc}).") from exc
        if not isinstance(card, dict) or card.get("format") != FORMAT:
            got = card.get("format") if isinstance(card, dict) else type(card).__name__
            raise InvalidInputError(f"Model format {got} in {folder}; expected {FORMAT}.")
        missing = [n for n in ("model.txt", "conformal.json", "domain.npy")
                   if not (folder / n).is_file()]  # fmt: skip
        if missing:
            raise InvalidFileError(
                f"Model folder {folder} lacks {', '.join(missing)}; expected model.txt, "
                "conformal.json, domain.npy and model_card.json (retrain the model)."
            )
        definition = card.get("endpoint_definition")
        defined = endpoint_from_definition(definition) if definition is not None else None
        if defined is not None and is_user_endpoint(defined):
            endpoint = defined
            if endpoint.id not in ENDPOINTS:
                register_endpoint(endpoint)
        else:
            endpoint = get_endpoint(card["endpoint"])
        try:
            booster = lightgbm.Booster(model_file=str(folder / "model.txt"))
            calibration = json.loads((folder / "conformal.json").read_text())
            conformal = DomainConformal.from_json(calibration)
            bits = np.load(folder / "domain.npy", allow_pickle=False)
        except (lightgbm.basic.LightGBMError, ValueError, KeyError, OSError) as exc:
            raise InvalidFileError(f"Model folder {folder} is damaged: {exc}.") from exc
        threshold = float(card["applicability_domain"]["threshold"])
        n_proper = int(calibration.get("n_proper", 0))
        return cls(endpoint, booster, conformal, bits, threshold, card, n_proper)

    def predict(self, smiles: list[str], confidence: float = 0.9) -> pd.DataFrame:
        """Value, conformal interval and domain for standardised SMILES (one row each)."""
        return self.predict_prepared(prepare(smiles), confidence)

    def predict_prepared(self, batch: PreparedBatch, confidence: float = 0.9) -> pd.DataFrame:
        """:meth:`predict` on a batch prepared once for several models."""
        if not 0 < confidence < 1:
            raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
        n = len(batch.smiles)
        features, failed = batch.features(self.featurizers)
        ok = np.setdiff1d(np.arange(n), failed)
        values = np.full(n, np.nan)
        intervals = np.full((n, 2), np.nan)
        p_active = np.full(n, np.nan)
        nearest = np.full(n, np.nan)
        if len(ok):
            values[ok] = self.booster.predict(features[ok])
            nearest[ok], nearest_proper = self.nearest_training(batch.domain_queries(ok))
            intervals[ok] = self.conformal.interval(values[ok], nearest_proper, confidence)
            threshold = self.endpoint.active_threshold
            if threshold is not None:
                above = self.conformal.probability_above(values[ok], nearest_proper, threshold)
                p_active[ok] = above if self.endpoint.higher_is_active else 1.0 - above
        return pd.DataFrame(
            {
                "smiles": batch.smiles,
                "value": values,
                "p_active": p_active,
                "low": intervals[:, 0],
                "high": intervals[:, 1],
                "nearest_similarity": nearest,
                "in_domain": nearest >= self.domain_threshold,
            }
        )


def train_artifact(
    data: pd.DataFrame,
    endpoint_id: str,
    *,
    featurizer_ids: tuple[str, ...] = ("morgan_counts",),
    seed: int = 0,
    card_extra: dict[str, Any] | None = None,
) -> ModelArtifact:
    """Fit the shipped model: LightGBM on every compound, its conformal calibration from the
    out-of-fold residuals of five scaffold-grouped folds (cross-conformal)."""
    from actives.predict.learners import get_learner

    endpoint = get_endpoint(endpoint_id)
    _exact, smiles, y, features = exact_features(data, featurizer_ids, 20, "to train a model")
    folds = scaffold_folds(smiles, CALIBRATION_FOLDS, seed)
    fps = [morgan_fingerprint(to_mol(s)) for s in smiles]
    domain = ApplicabilityDomain(fps)
    make = get_learner("lightgbm").factory
    model, conformal = cross_conformal(
        features, y, fps, folds, lambda x, t: make(seed).fit(x, t), domain.threshold
    )
    bits = np.vstack([np.frombuffer(packed_bits(fp), dtype=np.uint8) for fp in fps])
    card = {
        "format": FORMAT,
        "endpoint": endpoint.id,
        "title": endpoint.title,
        "units": endpoint.units,
        "learner": "lightgbm",
        "featurizers": list(featurizer_ids),
        "n_train": len(y),
        "n_calibration": len(y),
        "conformal": {
            "method": "Mondrian by applicability domain" if conformal.mondrian else "pooled",
            "calibration": "cross-conformal",
            "folds": CALIBRATION_FOLDS,
            "category_threshold": conformal.threshold,
            "calibration_in_domain": int(conformal.bins.sum()),
            "calibration_out_of_domain": int(len(conformal.bins) - conformal.bins.sum()),
        },
        "applicability_domain": {
            "method": "nearest-neighbour Tanimoto, Morgan r=2 2048 bits",
            "threshold": domain.threshold,
        },
        "actives_version": __version__,
        **(card_extra or {}),
    }
    return ModelArtifact(endpoint, model.booster_, conformal, bits, domain.threshold, card)
