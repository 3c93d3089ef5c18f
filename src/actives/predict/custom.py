"""A user's own endpoint: an in-house assay (a CSV/XLSX table) or a ChEMBL target, trained.

:func:`define_endpoint` checks the definition (id, title, cosmetic function, target, assay,
units, activity threshold); :func:`train_custom_endpoint` curates the raw rows, cross-validates
on scaffold and cluster splits, trains and saves the model with its card under
``ACTIVES_HOME/models/<id>/`` through the same :func:`~actives.predict.shipped.build_model` the
shipped models use. The card carries the endpoint definition, so the model is registered when it
is loaded and ``actives predict``, the API and the UI offer it next to the shipped ones.
:func:`evaluate_custom` runs only the cross-validation, saving nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from actives.errors import ConflictError, InvalidInputError
from actives.predict.activity_tables import ActivityTable
from actives.predict.curation import CuratedSet, CurationOptions, curate
from actives.predict.evaluation import Evaluation, SplitKind
from actives.predict.registry import (
    ENDPOINTS,
    P_UNITS,
    CosmeticFunction,
    Endpoint,
    get_endpoint,
    register_endpoint,
)
from actives.predict.shipped import (
    FEATURIZERS,
    N_FOLDS,
    SHIPPED,
    SPLITS,
    USER_SOURCE,
    TrainedModel,
    build_model,
    check_enough_data,
    evaluate_curated,
    is_user_endpoint,
    user_models_dir,
)
from actives.progress import Progress, silent_progress

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
MIN_CALIBRATION = 10  # fewer calibration compounds leave a 90 % conformal interval unbounded


@dataclass
class TrainingData:
    """Raw rows from one source, the curation options that suit it, and its provenance."""

    raw: pd.DataFrame
    options: CurationOptions
    source: dict[str, Any]
    problems: list[str]
    label: str
    target: str = ""
    assay: str = ""

    def with_options(
        self,
        *,
        assay_include: str | None = None,
        assay_exclude: str | None = None,
        max_replicate_range: float | None = None,
    ) -> CurationOptions:
        """The source's options with a user's assay patterns and replicate limit added."""
        exclude = "|".join(p for p in (self.options.assay_exclude, assay_exclude) if p) or None
        return replace(
            self.options,
            assay_include=assay_include or self.options.assay_include,
            assay_exclude=exclude,
            max_replicate_range=max_replicate_range,
        )


def table_data(table: ActivityTable, path: Path | None = None) -> TrainingData:
    """Training data from a user's activity table (file size and checksum when on disk)."""
    source: dict[str, Any] = {"path": table.source, **table.describe()}
    if path is not None and path.is_file():
        from actives.knowledge.build import sha256_of

        source.update(bytes=path.stat().st_size, sha256=sha256_of(path))
    mapping = ", ".join(f"{ours} = {theirs!r}" for ours, theirs in table.columns.items())
    source["description"] = f"{len(table.raw)} rows; columns {mapping}" + (
        f"; units {table.units}" if table.units else "; values already −log10 molar"
    )
    label = table.source + (f" (sheet {table.sheet})" if table.sheet else "")
    return TrainingData(
        table.raw,
        table.curation_options(),
        source,
        [str(p) for p in table.problems],
        label,
        assay=f"in-house assay, {label}",
    )


def chembl_data(
    target_chembl_id: str,
    *,
    sqlite_path: Path | None = None,
    version: str | int | None = None,
    activity_types: tuple[str, ...] | None = None,
) -> TrainingData:
    """Training data from a ChEMBL target; rows ChEMBL flags are removed in curation."""
    from actives.predict.chembl import (
        DEFAULT_TYPES,
        FLAGGED_PATTERN,
        chembl_activities,
        chembl_target,
    )

    types = activity_types or DEFAULT_TYPES
    target = chembl_target(target_chembl_id, sqlite_path=sqlite_path, version=version)
    raw = chembl_activities(target.chembl_id, sqlite_path=target.database, activity_types=types)
    described = target.describe()
    source = {
        "path": f"ChEMBL {target.chembl_id}",
        "description": f"{target.pref_name} ({target.organism or 'organism unknown'}), "
        f"{'/'.join(types)}, {target.release or 'release unknown'}, {len(raw)} activities",
        **described,
        "activity_types": list(types),
    }
    return TrainingData(
        raw,
        CurationOptions(assay_exclude=FLAGGED_PATTERN),
        source,
        [],
        f"ChEMBL {target.chembl_id} ({target.pref_name})",
        target=f"{target.pref_name} ({target.organism or 'organism unknown'}; ChEMBL "
        f"{target.chembl_id})",
        assay=f"{'/'.join(types)} from ChEMBL ({target.release or 'release unknown'})",
    )


def define_endpoint(
    endpoint_id: str,
    title: str,
    function: CosmeticFunction | str,
    *,
    target: str = "",
    assay: str = "",
    units: str = P_UNITS,
    active_threshold: float | None = None,
    higher_is_active: bool = True,
) -> Endpoint:
    """A user's endpoint definition, checked; the id may not be a shipped endpoint's."""
    if not ID_PATTERN.match(endpoint_id):
        raise InvalidInputError(
            f"Endpoint id {endpoint_id!r}; expected 2-48 lower-case letters, digits or '_', "
            "starting with a letter (e.g. tyrosinase_inhouse)."
        )
    if endpoint_id in SHIPPED or (
        endpoint_id in ENDPOINTS and not is_user_endpoint(get_endpoint(endpoint_id))
    ):
        builtin = get_endpoint(endpoint_id).title if endpoint_id in ENDPOINTS else endpoint_id
        raise ConflictError(
            f"Endpoint id {endpoint_id!r} is a shipped endpoint ({builtin}); choose another id "
            f"for your own model, e.g. {endpoint_id}_inhouse.",
            code="endpoint_id_taken",
        )
    if not title.strip():
        raise InvalidInputError("Endpoint title is empty; expected a name such as 'Tyrosinase'.")
    try:
        cosmetic = CosmeticFunction(function)
    except ValueError:
        known = ", ".join(f.value for f in CosmeticFunction)
        raise InvalidInputError(
            f"Cosmetic function {function!r}; expected one of: {known}."
        ) from None
    if active_threshold is not None and not math.isfinite(active_threshold):
        raise InvalidInputError(f"Activity threshold {active_threshold}; expected a number.")
    symbol: dict[str, Any] = {}
    if units.strip() in ("", P_UNITS) and "unit_symbol" in {f.name for f in fields(Endpoint)}:
        symbol["unit_symbol"] = "pIC50"
    return Endpoint(
        id=endpoint_id,
        title=title.strip(),
        function=cosmetic,
        target=target.strip(),
        assay=assay.strip(),
        units=units.strip() or P_UNITS,
        task="regression" if active_threshold is None else "regression+classification",
        active_threshold=active_threshold,
        higher_is_active=higher_is_active,
        sources=(USER_SOURCE,),
        **symbol,
    )


def model_folder(endpoint_id: str, *, out_dir: Path | None = None, overwrite: bool = False) -> Path:
    """Where a user's model of this id goes; ConflictError if one is there (unless replaced)."""
    folder = (out_dir if out_dir is not None else user_models_dir()) / endpoint_id
    if (folder / "model_card.json").exists() and not overwrite:
        raise ConflictError(
            f"A model {endpoint_id!r} already exists in {folder}; choose another id or replace "
            "it (overwrite, --overwrite).",
            code="model_exists",
        )
    return folder


def _register(endpoint: Endpoint) -> None:
    """Register a user endpoint for this process; a different one under its id is a conflict."""
    if endpoint.id not in ENDPOINTS:
        register_endpoint(endpoint)
        return
    if get_endpoint(endpoint.id) != endpoint:
        raise ConflictError(
            f"Endpoint {endpoint.id!r} is already defined differently in this running process "
            f"(as {get_endpoint(endpoint.id).title!r}); retrain it from a fresh process (a new "
            "`actives` command, or after restarting the server), or choose a new id.",
            code="endpoint_id_taken",
        )


def train_custom_endpoint(
    raw: pd.DataFrame,
    endpoint: Endpoint,
    *,
    options: CurationOptions | None = None,
    out_dir: Path | None = None,
    featurizer_ids: tuple[str, ...] = FEATURIZERS,
    data_source: dict[str, Any] | None = None,
    input_problems: list[str] | None = None,
    overwrite: bool = False,
    progress: Progress = silent_progress,
) -> TrainedModel:
    """Curate, cross-validate (scaffold and cluster 5-fold), train and save a user's endpoint.

    ``raw`` has the columns curate() takes (see :mod:`actives.predict.activity_tables` and
    :mod:`actives.predict.chembl`). The model goes to ``out_dir/<id>`` (default
    ``ACTIVES_HOME/models``); an existing model of that id is replaced only with ``overwrite``.
    Too few exactly measured compounds (< 30) raise InvalidInputError with the curation counts.
    """
    if not is_user_endpoint(endpoint):
        endpoint = define_endpoint(
            endpoint.id, endpoint.title, endpoint.function, target=endpoint.target,
            assay=endpoint.assay, units=endpoint.units,
            active_threshold=endpoint.active_threshold,
            higher_is_active=endpoint.higher_is_active,
        )  # fmt: skip
    folder = model_folder(endpoint.id, out_dir=out_dir, overwrite=overwrite)
    _register(endpoint)
    return build_model(
        raw,
        endpoint,
        folder,
        options=options,
        featurizer_ids=featurizer_ids,
        card_extra={
            "origin": "user",
            "data_sources": [data_source] if data_source else [],
            "curation_options": _options_dict(options),
        },
        amend_card=lambda card, curated: card.update(
            warnings=_warnings(card, curated, endpoint, input_problems or [])
        ),
        what=f"The data for {endpoint.id}",
        progress=progress,
    )


def _warnings(
    card: dict[str, Any], curated: CuratedSet, endpoint: Endpoint, input_problems: list[str]
) -> list[str]:
    """What a reader of this user model's card should know before trusting it."""
    notes = []
    if input_problems:
        notes.append(
            f"{len(input_problems)} input rows could not be read (e.g. {input_problems[0]}); "
            "they are counted out at the first curation step."
        )
    if card["n_calibration"] < MIN_CALIBRATION:
        notes.append(
            f"Only {card['n_calibration']} compounds calibrate the conformal intervals; at 90 % "
            f"confidence fewer than {MIN_CALIBRATION} leave the interval unbounded. Add data."
        )
    scaffold = card["evaluation"].get("scaffold", {}).get("overall", {})
    if scaffold.get("r2") is not None and scaffold["r2"] < 0:
        notes.append(
            "The scaffold-split R² is below 0: on new scaffolds the model predicts worse than "
            "the mean of the data. Treat its values as a ranking at best."
        )
    if endpoint.active_threshold is not None:
        exact = curated.data[curated.data["relation"] == "="]["value"]
        active = sum(endpoint.is_active(float(v)) for v in exact)
        if active in (0, len(exact)):
            low, high = float(exact.min()), float(exact.max())
            notes.append(
                f"{'No' if active == 0 else 'Every'} measured compound is active at the "
                f"threshold {endpoint.active_threshold:g} (values run from {low:.2f} to "
                f"{high:.2f} {endpoint.units}); the threshold is in the model's units, so an "
                "IC50 of 1 uM is 6 in pIC50."
            )
    return notes


def _options_dict(options: CurationOptions | None) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(options or CurationOptions())


@dataclass
class CustomEvaluation:
    """Cross-validation of a user's data without training: curation and metrics by split."""

    curated: CuratedSet
    evaluations: dict[str, Evaluation]


def evaluate_custom(
    raw: pd.DataFrame,
    *,
    options: CurationOptions | None = None,
    splits: tuple[SplitKind, ...] = SPLITS,
    n_folds: int = N_FOLDS,
    learner: str = "lightgbm",
    featurizer_ids: tuple[str, ...] = FEATURIZERS,
    confidence: float = 0.9,
    active_threshold: float | None = None,
    higher_is_active: bool = True,
    progress: Progress = silent_progress,
) -> CustomEvaluation:
    """Curate and cross-validate (grouped k-fold per split); nothing is saved."""
    if not 0 < confidence < 1:
        raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
    steps = 1 + len(splits)
    progress(0, steps, "curating")
    curated = curate(raw, options)
    check_enough_data(curated, "The data")
    done = 1

    def report(message: str) -> None:
        nonlocal done
        progress(done, steps, message)
        done += 1

    evaluations = evaluate_curated(
        curated,
        splits=splits,
        n_folds=n_folds,
        learner=learner,
        featurizer_ids=featurizer_ids,
        confidence=confidence,
        active_threshold=active_threshold,
        higher_is_active=higher_is_active,
        progress=report,
    )
    progress(steps, steps, "evaluated")
    return CustomEvaluation(curated, evaluations)
