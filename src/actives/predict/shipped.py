"""Train models (the shipped ones with ``make models``, a user's own) and load them back.

Each shipped endpoint folder under ``actives/resources/models/`` holds the model artefact and its
card: data source files with checksums, curation counts, scaffold- and cluster-split metrics,
conformal coverage, the applicability-domain threshold and the date. Nothing there is raw data.
A user's own models (:mod:`actives.predict.custom`) live under ``ACTIVES_HOME/models/<id>/`` in
the same layout, their card carrying the endpoint definition, so that loading registers them.
Shipped and user models are trained by one function, :func:`build_model`.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, Protocol, cast, get_args

import pandas as pd

from actives.errors import InvalidFileError, InvalidInputError, NotFoundError
from actives.predict.artifact import ModelArtifact, train_artifact
from actives.predict.classifier import ClassifierArtifact
from actives.predict.curation import CuratedSet, CurationOptions, curate
from actives.predict.datasets import ENDPOINT_DATA, endpoint_source_files
from actives.predict.evaluation import Evaluation, SplitKind, cross_validate
from actives.predict.registry import CosmeticFunction, Endpoint, Task, get_endpoint
from actives.predict.splits import butina_clusters, murcko_scaffold
from actives.progress import Progress, silent_progress

SHIPPED = ("cox2", "mmp1", "dpph", "skin_logkp")
# classification models, trained from the sensitisation data by actives.safety.models
SHIPPED_CLASSIFIERS = (
    "skin_sens_llna",
    "skin_sens_human",
    "skin_sens_potency",
    "ke_dpra",
    "ke_keratinosens",
    "ke_hclat",
)
FEATURIZERS = ("morgan_counts",)
SPLITS: tuple[SplitKind, ...] = ("scaffold", "cluster")
N_FOLDS = 5
MIN_EXACT = 30  # exactly measured compounds needed to evaluate and train a model
USER_SOURCE = "user"  # Endpoint.sources of a user's own endpoint
Origin = Literal["shipped", "user"]


def shipped_models_dir() -> Path:
    """The folder of shipped models in use: ACTIVES_MODELS_DIR, or the package's own."""
    from actives.config import Settings

    override = Settings().models_dir
    return override if override is not None else Path(str(files("actives.resources.models")))


def user_models_dir() -> Path:
    """The folder of a user's own models: ``ACTIVES_HOME/models``."""
    from actives.config import Settings

    return Settings().home / "models"


# ----------------------------------------------------------------------------------------------
# endpoint definitions in model cards


def endpoint_definition(endpoint: Endpoint) -> dict[str, Any]:
    """An endpoint as JSON for its model card (read back by :func:`endpoint_from_definition`)."""
    return {
        "id": endpoint.id,
        "title": endpoint.title,
        "function": str(endpoint.function),
        "target": endpoint.target,
        "assay": endpoint.assay,
        "units": endpoint.units,
        "task": endpoint.task,
        "active_threshold": endpoint.active_threshold,
        "higher_is_active": endpoint.higher_is_active,
        "sources": list(endpoint.sources),
        **({"unit_symbol": symbol} if (symbol := getattr(endpoint, "unit_symbol", "")) else {}),
        **({"classes": list(endpoint.classes)} if endpoint.classes else {}),
    }


def endpoint_from_definition(definition: dict[str, Any]) -> Endpoint:
    """The Endpoint a model card defines; InvalidInputError says which field is wrong."""
    if not isinstance(definition, dict):
        raise InvalidInputError(
            f"Endpoint definition {definition!r}; expected an object with id, title, function."
        )
    missing = [k for k in ("id", "title", "function", "units") if not definition.get(k)]
    if missing:
        raise InvalidInputError(
            f"Endpoint definition lacks {', '.join(missing)}; expected id, title, function, "
            "units (and target, assay, active_threshold, higher_is_active)."
        )
    try:
        function = CosmeticFunction(definition["function"])
    except ValueError:
        known = ", ".join(f.value for f in CosmeticFunction)
        raise InvalidInputError(
            f"Endpoint function {definition['function']!r}; expected one of: {known}."
        ) from None
    threshold = definition.get("active_threshold")
    if threshold is not None and not (
        isinstance(threshold, int | float) and math.isfinite(threshold)
    ):
        raise InvalidInputError(f"Activity threshold {threshold!r}; expected a number or null.")
    task = definition.get("task") or (
        "regression" if threshold is None else "regression+classification"
    )
    if task not in get_args(Task):
        raise InvalidInputError(
            f"Endpoint task {task!r}; expected regression or regression+classification."
        )
    optional: dict[str, Any] = {}
    if definition.get("unit_symbol") and "unit_symbol" in {f.name for f in fields(Endpoint)}:
        optional["unit_symbol"] = str(definition["unit_symbol"])
    return Endpoint(
        id=str(definition["id"]),
        title=str(definition["title"]),
        function=function,
        target=str(definition.get("target") or ""),
        assay=str(definition.get("assay") or ""),
        units=str(definition["units"]),
        task=cast(Task, task),
        active_threshold=None if threshold is None else float(threshold),
        higher_is_active=bool(definition.get("higher_is_active", True)),
        sources=tuple(str(s) for s in definition.get("sources") or ()),
        **optional,
    )


def is_user_endpoint(endpoint: Endpoint) -> bool:
    """Whether an endpoint was defined by a user (not shipped with Actives)."""
    return USER_SOURCE in endpoint.sources


# ----------------------------------------------------------------------------------------------
# curate -> evaluate -> train -> save, for shipped and user models alike


@dataclass
class TrainedModel:
    """A trained and saved model: where it is, the artefact, and the curated data behind it."""

    endpoint: Endpoint
    folder: Path
    artifact: ModelArtifact
    curated: CuratedSet

    @property
    def card(self) -> dict[str, Any]:
        """The model card (as saved in ``model_card.json``)."""
        return self.artifact.card


def check_enough_data(curated: CuratedSet, what: str, minimum: int = MIN_EXACT) -> None:
    """InvalidInputError, with the curation counts, when too few compounds are exact values."""
    data = curated.data
    n_exact = int((data["relation"] == "=").sum()) if len(data) else 0
    if n_exact >= minimum:
        return
    removed = [
        f"{s.rows_in - s.rows_out} at '{s.name}'" for s in curated.steps if s.rows_in > s.rows_out
    ]
    detail = f"; rows removed in curation: {', '.join(removed)}" if removed else ""
    raise InvalidInputError(
        f"{what} has {n_exact} exactly measured compounds after curation "
        f"({len(data) - n_exact} more only as a bound such as >100 uM){detail}. Expected at "
        f"least {minimum} to evaluate and train a model: add measurements."
    )


def _groups(smiles: list[str], split: SplitKind) -> tuple[pd.Series, str]:
    if split == "scaffold":
        groups = pd.Series([murcko_scaffold(s) or f"acyclic-{i}" for i, s in enumerate(smiles)])
        return groups, "Bemis-Murcko scaffold(s)"
    return pd.Series(butina_clusters(smiles)), "Butina cluster(s) (Tanimoto 0.65)"


def _group_note(smiles: list[str], split: SplitKind) -> str:
    groups, name = _groups(smiles, split)
    counts = groups.value_counts()
    return (
        f"the {len(smiles)} compounds form {len(counts)} {name}, the largest holding "
        f"{int(counts.iloc[0])}"
    )


def evaluate_curated(
    curated: CuratedSet,
    *,
    splits: tuple[SplitKind, ...] = SPLITS,
    n_folds: int = N_FOLDS,
    learner: str = "lightgbm",
    featurizer_ids: tuple[str, ...] = FEATURIZERS,
    confidence: float = 0.9,
    active_threshold: float | None = None,
    higher_is_active: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Evaluation]:
    """Grouped k-fold cross-validation on each split (Evaluation objects by split)."""
    import warnings

    import crepes  # noqa: F401  # imported first: importing it resets the warning filters

    evaluations: dict[str, Evaluation] = {}
    exact = curated.data[curated.data["relation"] == "="]["smiles"].astype(str).tolist()
    advice = "Add structurally different compounds or use fewer folds."
    for split in splits:
        progress(f"{split} {n_folds}-fold evaluation")
        if split == "scaffold":  # cheap to check first (clusters cost a similarity matrix)
            groups, name = _groups(exact, split)
            if groups.nunique() < n_folds:
                raise InvalidInputError(
                    f"The {len(exact)} exactly measured compounds form only {groups.nunique()} "
                    f"{name}; a scaffold {n_folds}-fold evaluation needs at least {n_folds}, "
                    f"since a scaffold never spans two folds. {advice}"
                )
        try:
            with warnings.catch_warnings():
                # crepes warns when a calibration fold is too small for the confidence; the
                # interval is then unbounded, which the metrics (coverage) show.
                warnings.filterwarnings("ignore", message="the no. of calibration examples")
                evaluations[split] = cross_validate(
                    curated.data,
                    split=split,
                    n_folds=n_folds,
                    learner=learner,
                    featurizer_ids=featurizer_ids,
                    confidence=confidence,
                    active_threshold=active_threshold,
                    higher_is_active=higher_is_active,
                )
        except InvalidInputError as exc:
            raise InvalidInputError(
                f"The {split} {n_folds}-fold evaluation cannot run: {exc.message.rstrip('.')} "
                f"({_group_note(exact, split)}). {advice}",
                code=exc.code,
            ) from exc
    return evaluations


def build_model(
    raw: pd.DataFrame,
    endpoint: Endpoint,
    folder: Path,
    *,
    options: CurationOptions | None = None,
    featurizer_ids: tuple[str, ...] = FEATURIZERS,
    card_extra: dict[str, Any] | None = None,
    baselines: Callable[[pd.DataFrame], dict[str, Any]] | None = None,
    amend_card: Callable[[dict[str, Any], CuratedSet], None] | None = None,
    what: str = "The data",
    progress: Progress = silent_progress,
) -> TrainedModel:
    """Curate raw rows, cross-validate (scaffold and cluster 5-fold), train, save with a card.

    ``amend_card`` may add to the card (warnings, say) once everything in it is known, before
    it is saved.

    The folder is written whole or not at all (a temporary sibling renamed into place), so a
    failed run never leaves half a model, and a model being replaced stays usable until then.
    """
    steps = 2 + len(SPLITS) + 1
    progress(0, steps, f"{endpoint.id}: curating")
    curated = curate(raw, options)
    check_enough_data(curated, what)
    done = 1

    def report(message: str) -> None:
        nonlocal done
        progress(done, steps, f"{endpoint.id}: {message}")
        done += 1

    evaluations = evaluate_curated(
        curated,
        featurizer_ids=featurizer_ids,
        active_threshold=endpoint.active_threshold,
        higher_is_active=endpoint.higher_is_active,
        progress=report,
    )
    report("training")
    artifact = train_artifact(
        curated.data,
        endpoint.id,
        featurizer_ids=featurizer_ids,
        card_extra={
            "endpoint_definition": endpoint_definition(endpoint),
            "function": str(endpoint.function),
            "target": endpoint.target,
            "assay": endpoint.assay,
            "active_threshold": endpoint.active_threshold,
            "higher_is_active": endpoint.higher_is_active,
            "curation": curated.counts(),
            "n_compounds": len(curated.data),
            "n_censored": int((curated.data["relation"] != "=").sum()),
            "evaluation": {split: ev.summary() for split, ev in evaluations.items()},
            "baselines": baselines(curated.data) if baselines is not None else {},
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **(card_extra or {}),
        },
    )
    artifact.endpoint = endpoint
    if amend_card is not None:
        amend_card(artifact.card, curated)
    report("saving")
    _save_whole(artifact, folder)
    progress(steps, steps, f"{endpoint.id}: saved to {folder}")
    return TrainedModel(endpoint, folder, artifact, curated)


class SavableModel(Protocol):
    """What :func:`save_whole` needs of a model: its card and a way to write its files."""

    card: dict[str, Any]

    def save(self, folder: Path) -> None: ...


def _save_whole(
    artifact: SavableModel, folder: Path, render: Callable[[dict[str, Any]], str] | None = None
) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a model folder is read by the web server too
    try:
        artifact.save(staging)
        text = (render or render_card)(artifact.card)
        (staging / "MODEL_CARD.md").write_text(text, encoding="utf-8")
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
        staging.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def train_shipped(
    raw_root: Path,
    out_dir: Path,
    endpoint_ids: tuple[str, ...] = SHIPPED,
    progress: Progress = silent_progress,
) -> list[Path]:
    """Curate, evaluate (scaffold and cluster 5-fold) and train every shipped endpoint."""
    written = []
    for i, endpoint_id in enumerate(endpoint_ids):
        endpoint = get_endpoint(endpoint_id)
        spec = ENDPOINT_DATA[endpoint_id]
        path = raw_root / spec.path
        if not path.exists():
            raise InvalidFileError(f"Training data for {endpoint_id} not found at {path}.")

        def step(done: float, total: float | None = None, message: str = "", i: int = i) -> None:
            progress(i + done / (total or 1), len(endpoint_ids), message)

        baselines = None
        if endpoint_id == "skin_logkp":
            baselines = _potts_guy_baseline
        trained = build_model(
            spec.reader(path),
            endpoint,
            out_dir / endpoint_id,
            options=spec.options,
            card_extra={
                "origin": "shipped",
                "data_sources": endpoint_source_files(endpoint_id, raw_root),
            },
            baselines=baselines,
            what=f"{endpoint_id} ({spec.path})",
            progress=step,
        )
        written.append(trained.folder)
    progress(len(endpoint_ids), len(endpoint_ids), "models trained")
    return written


def _potts_guy_baseline(data: pd.DataFrame) -> dict[str, Any]:
    from dataclasses import asdict

    from actives.predict.baselines import potts_guy_metrics

    return {"Potts-Guy equation (cLogP for log Kow)": asdict(potts_guy_metrics(data))}


def training_summary(card: dict[str, Any]) -> str:
    """How many compounds trained the model and calibrated its intervals, in one sentence."""
    conformal = card.get("conformal") or {}
    if conformal.get("calibration") == "cross-conformal":
        return (
            f"{card['n_train']} training compounds; the conformal intervals are calibrated on "
            f"their out-of-fold residuals over {conformal['folds']} scaffold-grouped folds "
            "(cross-conformal)"
        )
    return (
        f"{card['n_train']} training and {card['n_calibration']} calibration compounds "
        "(scaffold-grouped)"
    )


def _conformal_lines(card: dict[str, Any]) -> list[str]:
    conformal = card.get("conformal")
    if not conformal:
        return []
    return [
        f"- Conformal intervals: {conformal['method']} (calibration compounds inside / outside "
        f"similarity {conformal['category_threshold']:.3f} to the compounds their model was "
        f"fitted on: {conformal['calibration_in_domain']} / "
        f"{conformal['calibration_out_of_domain']}; below 30 in either, one pooled distribution)."
    ]


def render_card(card: dict[str, Any]) -> str:
    """The model card as Markdown, for people reading the repository."""
    domain_threshold = card["applicability_domain"]["threshold"]
    lines = [
        f"# Model card: {card['title']} (`{card['endpoint']}`)",
        "",
        *(
            [
                f"- A user's own model (`{card.get('origin_note', 'actives models train')}`), not "
                "shipped with Actives."
            ]
            if card.get("origin") == "user"
            else []
        ),  # fmt: skip
        f"- Function: {card.get('function', '')}; target: {card.get('target', '')}",
        f"- Units: {card['units']}; learner: {card['learner']} on {', '.join(card['featurizers'])}",
        f"- Trained {card.get('trained_at', '')} with Actives {card['actives_version']}: "
        f"{training_summary(card)}; {card.get('n_censored', 0)} censored compounds not used as "
        "targets.",
        f"- Applicability domain: {card['applicability_domain']['method']}; in domain when the "
        f"nearest training compound has similarity >= {domain_threshold:.3f}.",
        *_conformal_lines(card),
        "",
        "## Data",
        "",
        *[_source_line(s) for s in card.get("data_sources", [])],
        "",
        "| curation step | rows in | rows out |",
        "|---|---:|---:|",
        *[
            f"| {s['name']} | {s['rows_in']:,} | {s['rows_out']:,} |"
            for s in card.get("curation", [])
        ],
        "",
        "## Evaluation (5-fold, out-of-fold, 90 % conformal intervals)",
        "",
        "| split | subset | n | RMSE | MAE | R² | Spearman | coverage |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for split, ev in card.get("evaluation", {}).items():  # split: "scaffold" or "cluster"
        for subset in ("overall", "in_domain", "out_of_domain", "natural_product_like"):
            m = ev[subset]
            cells = [m.get(k) for k in ("rmse", "mae", "r2", "spearman", "coverage")]
            shown = " | ".join("—" if c is None else f"{c:.3f}" for c in cells)
            lines.append(f"| {split} | {subset.replace('_', ' ')} | {m['n']} | {shown} |")
    for name, m in card.get("baselines", {}).items():
        cells = [m.get(k) for k in ("rmse", "mae", "r2", "spearman", "coverage")]
        shown = " | ".join("—" if c is None else f"{c:.3f}" for c in cells)
        lines.append(f"| baseline: {name} | all compounds | {m['n']} | {shown} |")
    threshold = card.get("active_threshold")
    if threshold is not None:
        side = ">=" if card.get("higher_is_active", True) else "<="
        lines += [
            "",
            f"## Probability of activity (value {side} {threshold}), from the conformal "
            "predictive distribution",
            "",
            "| split | n | actives | AUROC | Brier | balanced accuracy |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for split, ev in card.get("evaluation", {}).items():
            c = ev.get("classification") or {}
            cells = [c.get(k) for k in ("auroc", "brier", "balanced_accuracy")]
            shown = " | ".join("—" if v is None else f"{v:.3f}" for v in cells)
            lines.append(f"| {split} | {c.get('n', 0)} | {c.get('n_active', 0)} | {shown} |")
    if card.get("warnings"):
        lines += ["", "## Warnings", "", *[f"- {w}" for w in card["warnings"]]]
    return "\n".join(lines) + "\n"


def _source_line(source: dict[str, Any]) -> str:
    """One data source: a file with its size and checksum, or a described source (ChEMBL)."""
    text = f"- `{source.get('path', '?')}`"
    details = []
    if "bytes" in source:
        details.append(f"{source['bytes']:,} bytes")
    if "sha256" in source:
        details.append(f"sha256 `{str(source['sha256'])[:16]}…`")
    if source.get("description"):
        details.append(str(source["description"]))
    return text + (f" ({', '.join(details)})" if details else "")


# ----------------------------------------------------------------------------------------------
# finding and loading models


ModelTask = Literal["value", "classification", "any"]


@dataclass(frozen=True)
class InstalledModel:
    """A model folder in use: shipped with Actives (or ACTIVES_MODELS_DIR) or a user's own."""

    endpoint_id: str
    origin: Origin
    folder: Path

    def card(self) -> dict[str, Any]:
        """The model card, read from ``model_card.json``."""
        result: dict[str, Any] = json.loads(
            (self.folder / "model_card.json").read_text(encoding="utf-8")
        )
        return result

    @property
    def task(self) -> Literal["value", "classification"]:
        """ "classification" for a class model (a hazard call), "value" for a value model."""
        try:
            card = self.card()
        except (OSError, ValueError):
            return "value"
        return "classification" if card.get("task") == "classification" else "value"


def _model_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if not p.name.startswith(".") and (p / "model_card.json").is_file()
    )


def installed_models(task: ModelTask = "value") -> list[InstalledModel]:
    """Models in use, sorted by id; a shipped model hides a user folder of the same id.

    By default the value models (potency, permeation) that the Predictor, discovery and the
    prediction pages use; ``task="classification"`` gives the class models (sensitisation
    hazard and potency, key-event calls), ``"any"`` both.
    """
    found: dict[str, InstalledModel] = {}
    roots: tuple[tuple[Origin, Path], ...] = (
        ("user", user_models_dir()),
        ("shipped", shipped_models_dir()),
    )
    for origin, root in roots:
        for folder in _model_folders(root):
            found[folder.name] = InstalledModel(folder.name, origin, folder)
    models = [found[k] for k in sorted(found)]
    return [m for m in models if task == "any" or m.task == task]


def find_model(endpoint_id: str, task: ModelTask = "value") -> InstalledModel:
    """The installed model of an endpoint; NotFoundError says how to get one."""
    for model in installed_models(task):
        if model.endpoint_id == endpoint_id:
            return model
    known = ", ".join(m.endpoint_id for m in installed_models(task)) or "none"
    if endpoint_id in SHIPPED or endpoint_id in SHIPPED_CLASSIFIERS:
        how = "train the shipped models with `make models`"
    else:
        how = f"train one with `actives models train` (it goes to {user_models_dir()})"
    raise NotFoundError(
        f"No model for {endpoint_id!r} in this installation; installed: {known}. To add it, {how}.",
        code="model_missing",
    )


def load_shipped(endpoint_id: str) -> ModelArtifact:
    """An installed model (shipped, or a user's own) by endpoint id; never unpickles."""
    model = find_model(endpoint_id)
    artifact = ModelArtifact.load(model.folder)
    if artifact.endpoint.id != endpoint_id:
        raise InvalidInputError(
            f"The model folder {model.folder} holds endpoint {artifact.endpoint.id!r}; expected "
            f"{endpoint_id!r} (the folder name). Rename the folder back to the endpoint id."
        )
    return artifact


def available(origin: Origin | None = None) -> list[str]:
    """Endpoint ids with an installed model (shipped and user models, or one origin), sorted."""
    return [m.endpoint_id for m in installed_models() if origin is None or m.origin == origin]


def model_origin(endpoint_id: str) -> Origin:
    """Whether an installed model is shipped with Actives or a user's own."""
    return find_model(endpoint_id).origin


def load_classifier(endpoint_id: str) -> ClassifierArtifact:
    """An installed classification model by endpoint id; never unpickles."""
    from actives.predict.classifier import ClassifierArtifact

    return ClassifierArtifact.load(find_model(endpoint_id, "classification").folder)


def build_classifier_model(
    data: pd.DataFrame,
    endpoint: Endpoint,
    folder: Path,
    *,
    featurizer_ids: tuple[str, ...] = FEATURIZERS,
    card_extra: dict[str, Any] | None = None,
    baselines: Callable[[pd.DataFrame, dict[str, Any]], dict[str, Any]] | None = None,
    amend_card: Callable[[dict[str, Any]], None] | None = None,
    confidence: float = 0.9,
    progress: Progress = silent_progress,
) -> ClassifierArtifact:
    """Evaluate (scaffold and cluster 5-fold), train and save a classification model whole.

    ``data`` has columns smiles and label (one of the endpoint's classes); ``baselines`` may add
    reference metrics computed on the same out-of-fold split (it gets the data and the
    evaluations).
    """
    from actives.predict.classifier import (
        cross_validate_classifier,
        render_classifier_card,
        train_classifier_artifact,
    )

    steps = len(SPLITS) + 2
    evaluations: dict[str, Any] = {}
    for i, split in enumerate(SPLITS):
        progress(i, steps, f"{endpoint.id}: {split} {N_FOLDS}-fold evaluation")
        evaluations[split] = cross_validate_classifier(
            data,
            endpoint.classes,
            split=split,
            n_folds=N_FOLDS,
            featurizer_ids=featurizer_ids,
            confidence=confidence,
        )
    progress(len(SPLITS), steps, f"{endpoint.id}: training")
    artifact = train_classifier_artifact(
        data,
        endpoint,
        featurizer_ids=featurizer_ids,
        card_extra={
            "endpoint_definition": endpoint_definition(endpoint),
            "function": str(endpoint.function),
            "target": endpoint.target,
            "assay": endpoint.assay,
            "confidence": confidence,
            "n_compounds": len(data),
            "evaluation": {split: ev.summary() for split, ev in evaluations.items()},
            "baselines": baselines(data, evaluations) if baselines is not None else {},
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **(card_extra or {}),
        },
    )
    if amend_card is not None:
        amend_card(artifact.card)
    progress(len(SPLITS) + 1, steps, f"{endpoint.id}: saving")
    _save_whole(artifact, folder, render_classifier_card)
    progress(steps, steps, f"{endpoint.id}: saved to {folder}")
    return artifact
