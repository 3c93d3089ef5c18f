"""Library screening: a structure file of any size through the installed models, hits out.

:func:`screen_file` streams a library (``.smi``/``.txt``, ``.csv``, ``.sdf``, ``.parquet``) in
chunks through :class:`~actives.predict.predictor.Predictor` on local worker processes (or an
existing Dask cluster), keeps the rows that pass the filters, and writes them to one table.

Cosmetic functions choose the endpoints (``Endpoint.function`` in the registry, models installed).
Per function, a row's *score* is its best P(active) over the function's endpoints that pass the
filters (the predicted value where no endpoint of the function has an activity threshold); a row
is a *hit* for the function when one of its endpoints passes. Filters: minimum predicted value
and minimum P(active) per function, inside the applicability domain only, minimum skin
permeation (``skin_logkp``), and an NP-likeness range (computed only when asked for).
``top`` keeps the N best hits per function, exactly, with the memory of N rows per function.

Each finished chunk is checkpointed as one Parquet file in ``<output>.parts/`` (written under a
temporary name and renamed), beside a ``manifest.json`` naming the input file (size, SHA-256),
the settings and the models' cards. A run that is stopped resumes from there with the same
settings, and refuses different ones. At the end the parts are merged into the output, always
from the part files (so a resumed run writes the same bytes as an uninterrupted one), rows whose
structure could not be read go to ``<output>.errors.csv``, and the parts folder is removed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from actives import __version__
from actives.chem.files import LIBRARY_SUFFIXES, StructureInput, iter_structure_inputs
from actives.discovery.functions import installed_endpoints, installed_functions
from actives.errors import ConflictError, InvalidFileError, InvalidInputError
from actives.predict import export
from actives.predict.export import TableWriter
from actives.predict.predictor import Predictor, add_inchikeys, add_smiles, count_records
from actives.predict.registry import CosmeticFunction, Endpoint
from actives.progress import Progress, silent_progress

if TYPE_CHECKING:
    from rdkit import Chem

FORMAT = 1
PARTS_SUFFIX = ".parts"
ERRORS_SUFFIX = ".errors.csv"
MANIFEST = "manifest.json"
STATS_KEY = b"actives_screen_chunk"
PERMEATION_ENDPOINT = "skin_logkp"
DASK_CONNECT_TIMEOUT = "20s"
ERROR_COLUMNS = ["row", "title", "input", "message"]
DROPPED_FROM_HITS = ["status", "message"]  # every hit is "ok"; errors have their own file


# ----------------------------------------------------------------------------------------------
# settings


@dataclass(frozen=True)
class ScreenSettings:
    """What a screen predicts and keeps; recorded in the checkpoint manifest.

    Per-function thresholds are (function, value) pairs so that the settings stay hashable and
    read back from JSON unchanged; build them with :func:`screen_settings`.
    """

    functions: tuple[str, ...]
    function_endpoints: tuple[tuple[str, tuple[str, ...]], ...]
    endpoints: tuple[str, ...]  # every endpoint predicted, in output column order
    confidence: float = 0.9
    min_value: tuple[tuple[str, float], ...] = ()
    min_p_active: tuple[tuple[str, float], ...] = ()
    in_domain_only: bool = False
    min_logkp: float | None = None
    np_min: float | None = None
    np_max: float | None = None
    with_np_score: bool = False
    top: int | None = None
    require_all: bool = False
    chunk_size: int = 1000

    @property
    def np_filter(self) -> bool:
        """Whether NP-likeness filters the rows (not only reported)."""
        return self.np_min is not None or self.np_max is not None

    @property
    def np_wanted(self) -> bool:
        """Whether NP-likeness is computed at all (a filter, or asked for)."""
        return self.np_filter or self.with_np_score

    def endpoints_of(self, function: str) -> tuple[str, ...]:
        """The endpoints that speak for one function in this screen."""
        return dict(self.function_endpoints)[function]

    def describe(self) -> str:
        """The filters in one line, for the output's metadata and the CLI summary."""
        parts = [f"functions {', '.join(self.functions)} ({'all' if self.require_all else 'any'})"]
        parts += [f"{f} value >= {v:g}" for f, v in self.min_value]
        parts += [f"{f} P(active) >= {v:g}" for f, v in self.min_p_active]
        if self.in_domain_only:
            parts.append("in applicability domain")
        if self.min_logkp is not None:
            parts.append(f"skin log Kp >= {self.min_logkp:g}")
        if self.np_filter:
            low = "-inf" if self.np_min is None else f"{self.np_min:g}"
            high = "+inf" if self.np_max is None else f"{self.np_max:g}"
            parts.append(f"NP-likeness in [{low}, {high}]")
        if self.top is not None:
            parts.append(f"top {self.top} per function")
        return "; ".join(parts)


def _per_function(
    name: str, given: float | Mapping[str, float] | None, functions: Sequence[str]
) -> dict[str, float]:
    """A threshold for every function (one number) or for some of them (a mapping)."""
    if given is None:
        return {}
    if isinstance(given, Mapping):
        unknown = [f for f in given if f not in functions]
        if unknown:
            raise InvalidInputError(
                f"{name} given for {', '.join(unknown)}, which is not screened; expected one of "
                f"the screened functions: {', '.join(functions)}."
            )
        chosen = {str(f): float(v) for f, v in given.items()}
    else:
        chosen = {f: float(given) for f in functions}
    bad = {f: v for f, v in chosen.items() if not math.isfinite(v)}
    if bad:
        raise InvalidInputError(f"{name} {bad}; expected finite numbers.")
    return chosen


def screen_settings(
    functions: Sequence[str] | None = None,
    *,
    endpoints: Sequence[str] = (),
    confidence: float = 0.9,
    min_value: float | Mapping[str, float] | None = None,
    min_p_active: float | Mapping[str, float] | None = None,
    in_domain_only: bool = False,
    min_logkp: float | None = None,
    np_min: float | None = None,
    np_max: float | None = None,
    with_np_score: bool = False,
    top: int | None = None,
    require_all: bool = False,
    chunk_size: int = 1000,
) -> ScreenSettings:
    """Check a screen's options against the registry and the installed models.

    ``functions`` default to every function with an installed model that has an activity
    threshold (skin permeation, a property rather than an activity, is then a filter only);
    ``endpoints`` are predicted and reported besides. A number for ``min_value`` or
    ``min_p_active`` applies to every function, a mapping to the functions it names.
    """
    known = [f.value for f in CosmeticFunction]
    installed = installed_endpoints()
    by_function = installed_functions()
    if functions is None or len(functions) == 0:
        chosen = [
            f
            for f, ids in by_function.items()
            if any(installed[e].active_threshold is not None for e in ids)
        ]
        if not chosen:
            raise InvalidInputError(
                "No installed model predicts an activity (one with an activity threshold); "
                "installed: " + (", ".join(installed) or "none") + ". Train the shipped models "
                "with `make models` or your own with `actives models train`."
            )
    else:
        chosen = list(dict.fromkeys(str(f).strip() for f in functions))
        for function in chosen:
            if function not in known:
                raise InvalidInputError(
                    f"Unknown function {function!r}; expected one of: {', '.join(known)}."
                )
            if function not in by_function:
                have = ", ".join(by_function) or "none"
                raise InvalidInputError(
                    f"No installed model for function {function!r}; functions with a model: {have}."
                )
    for endpoint_id in endpoints:
        if endpoint_id not in installed:
            raise InvalidInputError(
                f"No installed model for endpoint {endpoint_id!r}; installed: "
                f"{', '.join(installed) or 'none'}."
            )
    if not 0 < confidence < 1:
        raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
    values = _per_function("Minimum value", min_value, chosen)
    probabilities = _per_function("Minimum P(active)", min_p_active, chosen)
    for function, p in probabilities.items():
        if not 0 <= p <= 1:
            raise InvalidInputError(
                f"Minimum P(active) {p:g} for {function}; expected between 0 and 1."
            )
        if all(installed[e].active_threshold is None for e in by_function[function]):
            raise InvalidInputError(
                f"Function {function} has no endpoint with an activity threshold, so no "
                "P(active); filter it by its predicted value instead."
            )
    if min_logkp is not None:
        if PERMEATION_ENDPOINT not in installed:
            raise InvalidInputError(
                f"A skin permeation filter needs the {PERMEATION_ENDPOINT} model; installed: "
                f"{', '.join(installed) or 'none'}."
            )
        if not math.isfinite(min_logkp):
            raise InvalidInputError(f"Minimum log Kp {min_logkp}; expected a finite number.")
    for name, bound in (("Minimum", np_min), ("Maximum", np_max)):
        if bound is not None and not math.isfinite(bound):
            raise InvalidInputError(f"{name} NP-likeness {bound}; expected a finite number.")
    if np_min is not None and np_max is not None and np_min > np_max:
        raise InvalidInputError(
            f"NP-likeness range {np_min:g} to {np_max:g} is empty; expected the minimum at or "
            "below the maximum (scores run from about -5, synthetic, to +5, natural product)."
        )
    if top is not None and top < 1:
        raise InvalidInputError(f"Top {top}; expected at least 1 hit per function.")
    if chunk_size < 1:
        raise InvalidInputError(f"Chunk size {chunk_size}; expected at least 1.")
    mapping = tuple((f, tuple(by_function[f])) for f in chosen)
    predicted = [e for _, ids in mapping for e in ids] + list(endpoints)
    if min_logkp is not None:
        predicted.append(PERMEATION_ENDPOINT)
    return ScreenSettings(
        functions=tuple(chosen),
        function_endpoints=mapping,
        endpoints=tuple(dict.fromkeys(predicted)),
        confidence=float(confidence),
        min_value=tuple(values.items()),
        min_p_active=tuple(probabilities.items()),
        in_domain_only=in_domain_only,
        min_logkp=None if min_logkp is None else float(min_logkp),
        np_min=None if np_min is None else float(np_min),
        np_max=None if np_max is None else float(np_max),
        with_np_score=with_np_score,
        top=top,
        require_all=require_all,
        chunk_size=chunk_size,
    )


# ----------------------------------------------------------------------------------------------
# one chunk: predict, score, filter


@dataclass(frozen=True)
class ChunkStats:
    """What one chunk held: records read, predicted, failed, and hits (before top-N)."""

    rows: int
    predicted: int
    errors: int
    hits: int
    by_function: dict[str, int] = field(default_factory=dict)


@lru_cache(maxsize=4)
def cached_predictor(endpoints: tuple[str, ...], confidence: float) -> Predictor:
    """One Predictor per process and settings: read-only models, loaded by a worker (local or
    Dask) on its first chunk and reused for every later one."""
    return Predictor(list(endpoints), confidence)


def add_np_likeness(table: pd.DataFrame, rows: np.ndarray) -> None:
    """Fill ``np_score`` and ``np_confidence`` (RDKit NP_Score) for the given row positions."""
    from rdkit import Chem

    from actives.chem.descriptors import np_likeness

    scores = table["np_score"].to_numpy(dtype=float, copy=True)
    confidences = table["np_confidence"].to_numpy(dtype=float, copy=True)
    smiles = table["smiles"].to_numpy()
    for i in np.flatnonzero(rows):
        mol = Chem.MolFromSmiles(str(smiles[i]))
        if mol is not None:
            scores[i], confidences[i] = np_likeness(mol)
    table["np_score"] = scores
    table["np_confidence"] = confidences


def _endpoint_score(table: pd.DataFrame, endpoint: Endpoint, use_p: bool) -> np.ndarray:
    if use_p:
        return table[f"{endpoint.id}_p_active"].to_numpy(dtype=float)
    value = table[f"{endpoint.id}_value"].to_numpy(dtype=float)
    return value if endpoint.higher_is_active else -value


def _top_rows(table: pd.DataFrame, mask: np.ndarray, column: str, n: int) -> np.ndarray:
    """Positions of the ``n`` best rows among ``mask`` by ``column`` (ties: lower row first)."""
    candidates = table.loc[mask, [column, "row"]]
    best = candidates.sort_values([column, "row"], ascending=[False, True], kind="stable")
    return table.index.get_indexer(best.index[:n])


def select_hits(
    table: pd.DataFrame,
    settings: ScreenSettings,
    endpoints: Mapping[str, Endpoint],
    parents: Sequence[Chem.Mol | None] | None = None,
) -> tuple[pd.DataFrame, ChunkStats]:
    """Score and filter one predicted chunk: its hits (at most ``top`` per function) and its
    error rows, in input order, with the chunk's counts.

    ``parents`` (from :meth:`Predictor.predict_parents`, one per row) are the standardised
    parents of a table predicted without identities: SMILES and InChIKeys are then written for
    the rows that pass the filters only (together, they cost about as much as the prediction).
    """
    table = table.reset_index(drop=True)
    n = len(table)
    if parents is None:
        parents = [None] * n
    ok = (table["status"] == "ok").to_numpy()
    min_value = dict(settings.min_value)
    min_p = dict(settings.min_p_active)
    hits: dict[str, np.ndarray] = {}
    for function, ids in settings.function_endpoints:
        use_p = any(endpoints[e].active_threshold is not None for e in ids)
        best = np.full(n, -np.inf)
        for endpoint_id in ids:
            endpoint = endpoints[endpoint_id]
            if use_p and endpoint.active_threshold is None:
                continue  # scores are probabilities here; a value cannot be ranked among them
            score = _endpoint_score(table, endpoint, use_p)
            passes = ok & np.isfinite(score)
            if function in min_value:
                value = table[f"{endpoint_id}_value"].to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):
                    potent = (
                        value >= min_value[function]
                        if endpoint.higher_is_active
                        else value <= min_value[function]
                    )
                passes &= potent
            if function in min_p:
                p_active = table[f"{endpoint_id}_p_active"].to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):
                    passes &= p_active >= min_p[function]
            if settings.in_domain_only:
                passes &= table[f"{endpoint_id}_in_domain"].fillna(False).to_numpy(dtype=bool)
            best = np.where(passes & (score > best), score, best)
        hits[function] = np.isfinite(best)
        table[f"{function}_score"] = np.where(hits[function], best, np.nan)
    combine = np.logical_and.reduce if settings.require_all else np.logical_or.reduce
    eligible = combine([hits[f] for f in settings.functions]) & ok
    if settings.min_logkp is not None:
        logkp = table[f"{PERMEATION_ENDPOINT}_value"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            eligible &= logkp >= settings.min_logkp
    add_smiles(table, eligible, parents)  # before NP-likeness, which reads them
    if settings.np_wanted:
        table["np_score"] = np.nan
        table["np_confidence"] = np.nan
    if settings.np_filter:
        add_np_likeness(table, eligible)
        score = table["np_score"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            if settings.np_min is not None:
                eligible &= score >= settings.np_min
            if settings.np_max is not None:
                eligible &= score <= settings.np_max
    # Keys only for the rows that can be kept: the InChIKey costs about as much as parsing.
    add_inchikeys(table, eligible)
    keyless = eligible & (table["status"] != "ok").to_numpy()
    ok = ok & ~keyless
    eligible &= ~keyless
    for function in settings.functions:
        hits[function] &= eligible
        table[f"{function}_hit"] = hits[function]
        table.loc[~hits[function], f"{function}_score"] = np.nan
    keep = eligible.copy()
    if settings.top is not None:
        keep[:] = False
        for function in settings.functions:
            keep[_top_rows(table, hits[function], f"{function}_score", settings.top)] = True
    if settings.with_np_score and not settings.np_filter:
        add_np_likeness(table, keep)
    stats = ChunkStats(
        rows=n,
        predicted=int(ok.sum()),
        errors=int((~ok).sum()),
        hits=int(eligible.sum()),
        by_function={f: int(hits[f].sum()) for f in settings.functions},
    )
    added = [f"{f}_{c}" for f in settings.functions for c in ("score", "hit")]
    added += ["np_score", "np_confidence"] if settings.np_wanted else []
    columns = [c for c in table.columns if c not in added] + added
    return table.loc[keep | ~ok, columns].reset_index(drop=True), stats


@lru_cache(maxsize=4)
def _model_checksums(endpoints: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """This process's model card checksums, read once."""
    return tuple((e, m["card_sha256"]) for e, m in model_identities(endpoints).items())


def screen_chunk(
    settings: ScreenSettings,
    chunk: Sequence[StructureInput],
    models: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, ChunkStats]:
    """Predict, score and filter one chunk; the unit of work of local and Dask workers.

    ``models`` (endpoint id to model card SHA-256, from the manifest) makes a worker whose
    installed models differ refuse the chunk rather than mix two models in one output.
    """
    if models is not None:
        here = dict(_model_checksums(settings.endpoints))
        differ = [e for e in settings.endpoints if here.get(e) != models.get(e)]
        if differ:
            import socket

            raise ConflictError(
                f"A worker on {socket.gethostname()} has other models for {', '.join(differ)} "
                "than the screen's (their model cards differ); expected the same models on "
                "every worker: install them there, or run the screen where they are.",
                code="models_differ",
            )
    predictor = cached_predictor(settings.endpoints, settings.confidence)
    table, parents = predictor.predict_parents(chunk)
    endpoints = {e: model.endpoint for e, model in predictor.models.items()}
    return select_hits(table, settings, endpoints, parents)


def _warm_worker(endpoints: tuple[str, ...], confidence: float) -> None:
    """Load a local worker's models when it starts, not on its first chunk."""
    cached_predictor(endpoints, confidence)


# ----------------------------------------------------------------------------------------------
# running chunks: in process, local processes, a Dask cluster

ChunkResult = tuple[int, pd.DataFrame, ChunkStats]


def _run_in_process(
    settings: ScreenSettings,
    todo: Iterator[tuple[int, list[StructureInput]]],
    models: Mapping[str, str],
) -> Iterator[ChunkResult]:
    for k, chunk in todo:
        table, stats = screen_chunk(settings, chunk, models)
        yield k, table, stats


def _run_local(
    settings: ScreenSettings,
    todo: Iterator[tuple[int, list[StructureInput]]],
    models: Mapping[str, str],
    workers: int,
) -> Iterator[ChunkResult]:
    """Chunks over spawned local processes, at most two per worker in flight."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    # "spawn": a forked child would inherit LightGBM's OpenMP state and can deadlock.
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_warm_worker,
        initargs=(settings.endpoints, settings.confidence),
    )
    pending: dict[Future[tuple[pd.DataFrame, ChunkStats]], int] = {}
    try:
        for k, chunk in todo:
            pending[pool.submit(screen_chunk, settings, chunk, models)] = k
            while len(pending) >= 2 * workers:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield pending.pop(future), *future.result()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield pending.pop(future), *future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(
    settings: ScreenSettings,
    todo: Iterator[tuple[int, list[StructureInput]]],
    models: Mapping[str, str],
    address: str,
) -> Iterator[ChunkResult]:
    """Chunks on an existing Dask cluster, at most two per worker thread in flight; each Dask
    worker process loads the models once (:func:`cached_predictor`).

    Each chunk's structures are scattered to a worker and the task refers to them, rather than
    travelling inside the task: Dask keeps its last thousand messages to each worker for
    debugging, and a chunk inside them kept its structures alive in the scheduler (about 300 kB
    per chunk of 1,000, so memory grew with the input up to 600 MB for two workers). Each
    chunk's data is released once its result is in.
    """
    import distributed

    dask: Any = distributed  # its API is only partly typed
    try:
        client = dask.Client(address, set_as_default=False, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidInputError(
            f"Cannot connect to a Dask scheduler at {address!r} ({exc}); expected the address "
            "of a running scheduler, such as tcp://10.0.0.5:8786."
        ) from None
    try:
        limit = 2 * max(1, sum(client.nthreads().values()))
        chunk_of: dict[Any, tuple[int, Any]] = {}  # task key: chunk number, its data's future
        running = dask.as_completed(loop=client.loop)

        def finished(done: Any) -> ChunkResult:
            k, _data = chunk_of.pop(done.key)  # the data's last reference: released
            return k, *done.result()

        for k, chunk in todo:
            [data] = client.scatter([chunk], hash=False)  # one object: the whole chunk
            future = client.submit(screen_chunk, settings, data, models, pure=False)
            chunk_of[future.key] = (k, data)
            running.add(future)
            while running.count() >= limit:
                yield finished(next(running))
        for done in running:
            yield finished(done)
    finally:
        client.close()


# ----------------------------------------------------------------------------------------------
# checkpoints


def parts_dir(output: Path) -> Path:
    """The checkpoint folder of a screen writing ``output``."""
    return output.with_name(output.name + PARTS_SUFFIX)


def errors_path(output: Path) -> Path:
    """Where the rows whose structure could not be read go."""
    return output.with_name(output.name + ERRORS_SUFFIX)


def _part_path(parts: Path, k: int) -> Path:
    return parts / f"chunk-{k:07d}.parquet"


def file_identity(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of a file: what makes a checkpoint belong to it."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def model_identities(endpoint_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Each model's card checksum and training date, read without loading the model."""
    from actives.predict.shipped import find_model

    identities = {}
    for endpoint_id in endpoint_ids:
        card_file = find_model(endpoint_id).folder / "model_card.json"
        data = card_file.read_bytes()
        card = json.loads(data)
        identities[endpoint_id] = {
            "card_sha256": hashlib.sha256(data).hexdigest(),
            "trained_at": str(card.get("trained_at", "")),
            "title": str(card.get("title", endpoint_id)),
        }
    return identities


def _manifest(source: Path, settings: ScreenSettings) -> dict[str, Any]:
    manifest = {
        "format": FORMAT,
        "input": file_identity(source),
        "settings": asdict(settings),
        "models": model_identities(settings.endpoints),
    }
    plain: dict[str, Any] = json.loads(json.dumps(manifest))  # tuples -> lists, as read back
    return plain


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    found = []
    if old.get("format") != new["format"]:
        found.append(f"checkpoint format {old.get('format')} (now {new['format']})")
    old_input, new_input = old.get("input", {}), new["input"]
    if (old_input.get("bytes"), old_input.get("sha256")) != (
        new_input["bytes"],
        new_input["sha256"],
    ):
        found.append(
            f"the input file changed ({old_input.get('name')}, {old_input.get('bytes')} bytes, "
            f"sha256 {str(old_input.get('sha256'))[:12]}…; now {new_input['name']}, "
            f"{new_input['bytes']} bytes, sha256 {new_input['sha256'][:12]}…)"
        )
    old_settings = old.get("settings", {})
    for key, value in new["settings"].items():
        if old_settings.get(key) != value:
            found.append(f"{key} {old_settings.get(key)!r} (now {value!r})")
    old_models = old.get("models", {})
    for endpoint_id, identity in new["models"].items():
        before = old_models.get(endpoint_id, {})
        if before.get("card_sha256") != identity["card_sha256"]:
            found.append(
                f"model {endpoint_id} (trained {before.get('trained_at') or '?'}; now "
                f"{identity['trained_at'] or '?'})"
            )
    return found


def open_checkpoint(parts: Path, manifest: dict[str, Any], restart: bool) -> dict[int, Path]:
    """Create the checkpoint folder, or check that an existing one belongs to this very screen
    (same input, settings and models) and return its finished parts by chunk number.

    A checkpoint made differently is refused (ConflictError naming each difference) unless
    ``restart`` discards it.
    """
    manifest_file = parts / MANIFEST
    if parts.exists() and restart:
        shutil.rmtree(parts)
    if parts.exists():
        try:
            old = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        started = any(parts.glob("chunk-*.parquet"))
        differences = _differences(old, manifest) if old else ["no readable manifest.json"]
        if differences and (old or started):
            finished = len(list(parts.glob("chunk-*.parquet")))
            raise ConflictError(
                f"The checkpoint folder {parts} ({finished} finished chunks) belongs to a "
                f"different screen: {'; '.join(differences)}. Expected the same input, settings "
                "and models to resume; rerun with them, or with --restart to discard the "
                "checkpoint and start again.",
                code="checkpoint_mismatch",
            )
    parts.mkdir(parents=True, exist_ok=True)
    if not manifest_file.exists():
        _atomic_write(manifest_file, json.dumps(manifest, indent=2).encode("utf-8"))
    for stale in parts.glob(".*.tmp"):  # a part a killed run was still writing
        stale.unlink(missing_ok=True)
    return {int(p.stem.split("-")[1]): p for p in sorted(parts.glob("chunk-*.parquet"))}


def write_part(parts: Path, k: int, table: pd.DataFrame, stats: ChunkStats) -> Path:
    """One finished chunk as Parquet, its counts in the schema metadata, renamed into place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = {**(arrow.schema.metadata or {}), STATS_KEY: json.dumps(asdict(stats)).encode()}
    path = _part_path(parts, k)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(arrow.replace_schema_metadata(metadata), temporary)
    os.replace(temporary, path)
    return path


def read_part_stats(path: Path) -> ChunkStats:
    """A finished chunk's counts, from its schema alone."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    return ChunkStats(**json.loads(metadata[STATS_KEY]))


# ----------------------------------------------------------------------------------------------
# merging the parts


@dataclass(frozen=True)
class ScreenSummary:
    """What a screen read and wrote."""

    output: Path
    rows: int
    predicted: int
    errors: int
    hits: int  # rows that passed every filter (before top-N)
    written: int  # rows in the output
    by_function: dict[str, int]  # hits per function (before top-N)
    chunks: int
    resumed_chunks: int
    errors_file: Path | None
    settings: ScreenSettings


def _keep_best(
    current: pd.DataFrame | None, more: pd.DataFrame, score: str, n: int
) -> pd.DataFrame:
    """The ``n`` best rows of two tables by ``score`` (ties: lower row first)."""
    both = more if current is None or current.empty else pd.concat([current, more])
    return both.sort_values([score, "row"], ascending=[False, True], kind="stable").head(n)


def _ranked(best: dict[str, pd.DataFrame], settings: ScreenSettings) -> pd.DataFrame:
    """The union of every function's top rows, with a rank per function, best first."""
    frames = [t for t in best.values() if len(t)]
    if not frames:
        table = next(iter(best.values()))
        for function in settings.functions:
            table = table.assign(**{f"{function}_rank": pd.array([], dtype="Int64")})
        return table
    union = pd.concat(frames, ignore_index=True).drop_duplicates("row")
    union = union.sort_values("row", kind="stable").reset_index(drop=True)
    for function in settings.functions:
        ranks = pd.Series(range(1, len(best[function]) + 1), index=best[function]["row"].values)
        union[f"{function}_rank"] = union["row"].map(ranks).astype("Int64")
    rank_columns = [f"{f}_rank" for f in settings.functions]
    first = union[rank_columns].min(axis=1)
    order = np.lexsort((union["row"].to_numpy(), first.to_numpy(dtype=float)))
    return union.iloc[order].reset_index(drop=True)


def merge_parts(
    parts: Mapping[int, Path],
    output: Path,
    settings: ScreenSettings,
    metadata: dict[str, str],
) -> tuple[int, Path | None]:
    """Write the hits of every part, in chunk order, to ``output``, and the error rows to the
    errors file (only when there are some); returns (rows written, errors file or None)."""
    import pyarrow.parquet as pq

    errors_file = errors_path(output)
    errors_file.unlink(missing_ok=True)  # an older run's, replaced by this one's or by none
    best: dict[str, pd.DataFrame] = {}
    written = 0
    with ExitStack() as stack:
        writer = None if settings.top is not None else stack.enter_context(
            TableWriter(output, metadata)
        )  # fmt: skip
        error_writer: TableWriter | None = None
        empty: pd.DataFrame | None = None
        for k in sorted(parts):
            table = pq.read_table(parts[k]).to_pandas()
            ok = table["status"] == "ok"
            errors = table.loc[~ok, ERROR_COLUMNS]
            if len(errors):
                if error_writer is None:
                    error_writer = stack.enter_context(TableWriter(errors_file))
                error_writer.write(errors)
            hits = table.loc[ok].drop(columns=DROPPED_FROM_HITS)
            empty = hits.head(0) if empty is None else empty
            if writer is not None:
                if len(hits):
                    writer.write(hits)
                    written += len(hits)
                continue
            assert settings.top is not None
            for function in settings.functions:
                chosen = hits[hits[f"{function}_hit"]]
                if len(chosen) or function not in best:
                    score = f"{function}_score"
                    best[function] = _keep_best(best.get(function), chosen, score, settings.top)
        if writer is not None and writer.rows == 0 and empty is not None:
            writer.write(empty)
        if settings.top is not None:
            ranked = _ranked(best, settings) if best else pd.DataFrame()
            with TableWriter(output, metadata) as top_writer:
                top_writer.write(ranked)
            written = len(ranked)
    return written, errors_file if error_writer is not None else None


# ----------------------------------------------------------------------------------------------
# the whole screen


def check_output(output: Path, overwrite: bool) -> None:
    """An output name we can write (format by suffix) that does not hold a result already."""
    for path in (output, errors_path(output)):  # the error file is a .csv: a format we write
        export.check_output(path, overwrite)


def check_library(source: Path) -> None:
    """A library file that exists and has a suffix we read."""
    if not source.name.lower().endswith(LIBRARY_SUFFIXES):
        raise InvalidFileError(
            f"{source.name}: expected a structure library ending in {', '.join(LIBRARY_SUFFIXES)}."
        )
    if not source.is_file():
        raise InvalidFileError(
            f"No file {source}; expected a structure library ({', '.join(LIBRARY_SUFFIXES)})."
        )


def screen_file(
    source: Path,
    output: Path,
    settings: ScreenSettings,
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    restart: bool = False,
    overwrite: bool = False,
    progress: Progress = silent_progress,
) -> ScreenSummary:
    """Screen a structure library into ``output`` (format by suffix), resuming a checkpoint.

    ``workers``: local processes (default: every CPU; 1 runs in this process). ``dask_address``:
    run the chunks on the Dask cluster whose scheduler is there instead.
    """
    check_library(source)
    check_output(output, overwrite)
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise InvalidInputError(f"Workers {workers}; expected at least 1.")
    manifest = _manifest(source, settings)
    parts = parts_dir(output)
    with _exclusive(output):
        return _screen_locked(source, output, settings, manifest, parts, workers, dask_address,
                              restart, progress)  # fmt: skip


@contextmanager
def _exclusive(output: Path) -> Iterator[None]:
    """One screen at a time per output: a lock file beside it, held (flock) while it runs."""
    import fcntl

    lock = output.with_name(f".{output.name}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ConflictError(
                f"Another screen is writing {output} (it holds {lock}); expected one screen per "
                "output: wait for it, or choose another output name.",
                code="screen_running",
            ) from None
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)


def _screen_locked(
    source: Path,
    output: Path,
    settings: ScreenSettings,
    manifest: dict[str, Any],
    parts: Path,
    workers: int,
    dask_address: str | None,
    restart: bool,
    progress: Progress,
) -> ScreenSummary:
    """:func:`screen_file` once it holds the output's lock."""
    finished = open_checkpoint(parts, manifest, restart)
    resumed = len(finished)
    done = sum(read_part_stats(p).rows for p in finished.values())
    hits = sum(read_part_stats(p).hits for p in finished.values())
    total = count_records(source)
    progress(done, total, f"{done:,} screened, {hits:,} hits")

    def todo() -> Iterator[tuple[int, list[StructureInput]]]:
        chunks = itertools.batched(iter_structure_inputs(source), settings.chunk_size)
        for k, chunk in enumerate(chunks):
            if k not in finished:
                yield k, list(chunk)

    models = {e: m["card_sha256"] for e, m in manifest["models"].items()}
    if dask_address:
        results = _run_dask(settings, todo(), models, dask_address)
    elif workers == 1:
        results = _run_in_process(settings, todo(), models)
    else:
        results = _run_local(settings, todo(), models, workers)
    for k, table, stats in results:
        finished[k] = write_part(parts, k, table, stats)
        done += stats.rows
        hits += stats.hits
        progress(done, total, f"{done:,} screened, {hits:,} hits")
    counts = [read_part_stats(finished[k]) for k in sorted(finished)]
    if sum(c.rows for c in counts) == 0:
        shutil.rmtree(parts, ignore_errors=True)
        raise InvalidFileError(
            f"{source.name} holds no structure records; expected one structure per line "
            "(SMILES), per row (CSV, Parquet) or per record (SD file)."
        )
    models = manifest["models"]
    metadata = {f"model {e}": f"{m['title']}, trained {m['trained_at'] or '?'}"
                for e, m in models.items()}  # fmt: skip
    metadata.update(
        {
            "confidence": f"{settings.confidence:g}",
            "screen": settings.describe(),
            "input": f"{source.name} ({manifest['input']['bytes']:,} bytes, sha256 "
            f"{manifest['input']['sha256']})",
            "actives": __version__,
        }
    )
    written, errors_file = merge_parts(finished, output, settings, metadata)
    shutil.rmtree(parts, ignore_errors=True)
    by_function = {f: sum(c.by_function.get(f, 0) for c in counts) for f in settings.functions}
    return ScreenSummary(
        output=output,
        rows=sum(c.rows for c in counts),
        predicted=sum(c.predicted for c in counts),
        errors=sum(c.errors for c in counts),
        hits=sum(c.hits for c in counts),
        written=written,
        by_function=by_function,
        chunks=len(counts),
        resumed_chunks=resumed,
        errors_file=errors_file,
        settings=settings,
    )
