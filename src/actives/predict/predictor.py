"""The Predictor facade: structures in, every shipped endpoint out, one row per input.

Batch-safe: a structure that cannot be read or standardised gets status "error" and its message;
the other rows are predicted. Each endpoint adds ``<id>_value``, ``<id>_low``, ``<id>_high``
(conformal interval at the chosen confidence), ``<id>_p_active`` (probability of activity at the
endpoint's threshold, NaN where it has none), ``<id>_in_domain`` and ``<id>_nearest`` (similarity
to the nearest training compound); with a data pack, also ``<id>_measured`` and
``<id>_measured_relation`` where the compound itself was measured.

Every structure is standardised once and featurised once for the whole panel. Large inputs go
through :meth:`Predictor.predict_stream`, which works chunk by chunk (memory stays flat however
long the input) and can spread chunks over local processes.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rdkit import Chem

from actives.chem.batch import process_structures
from actives.chem.files import SDF_SUFFIXES, TABLE_SUFFIXES, StructureInput
from actives.chem.identity import inchikey
from actives.chem.parse import to_mol
from actives.errors import ActivesError, InvalidInputError
from actives.knowledge import DataPack
from actives.predict.artifact import ModelArtifact, prepare
from actives.predict.evidence import Evidence, gather_evidence
from actives.predict.explain import AtomContributions, atom_contributions
from actives.predict.parallel import Helpers, ordered_chunks, split_batch
from actives.predict.registry import Endpoint
from actives.predict.shipped import available, load_shipped
from actives.progress import Progress, silent_progress

IDENTITY_COLUMNS = ["row", "input", "title", "status", "message", "inchikey", "smiles"]
ENDPOINT_COLUMNS = ["value", "low", "high", "p_active", "in_domain", "nearest"]
# Structures per process below which a batch is not worth sharing with helper processes.
PARALLEL_MIN = 100
# Structures per chunk of a stream: 250 keeps a process under about 360 MB at peak (1,000: about
# 460 MB) at the same speed (measured on 8,000 natural products).
CHUNK_SIZE = 250
# Structures below which a file is predicted in one process: a helper takes about a second and a
# half to load, the time to predict some 700 structures.
HELPERS_WORTH_FROM = 2000


@dataclass(frozen=True)
class EndpointReport:
    """One endpoint's answer for one molecule, with the evidence behind it."""

    endpoint: Endpoint
    value: float
    low: float
    high: float
    p_active: float | None
    in_domain: bool
    nearest_similarity: float
    domain_threshold: float
    evidence: Evidence
    contributions: AtomContributions | None
    card: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class MoleculeReport:
    """Every endpoint for one molecule: values, intervals, domain, neighbours, atom parts."""

    input: str
    smiles: str
    inchikey: str
    confidence: float
    endpoints: list[EndpointReport]
    pack_version: str | None


class Predictor:
    """Loads the chosen models once and predicts many structures.

    ``workers`` > 1 starts ``workers`` - 1 helper processes that load the same models (at the same
    time as this one, so construction takes about as long): a large batch or a stream is then
    shared between this process and the helpers. Close the predictor (or use it in a ``with``
    block) to stop them; they also stop when it is garbage-collected.
    """

    def __init__(
        self,
        endpoints: Sequence[str] | None = None,
        confidence: float = 0.9,
        pack: DataPack | None = None,
        workers: int = 1,
    ) -> None:
        if not 0 < confidence < 1:
            raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
        if workers < 1:
            raise InvalidInputError(f"Workers {workers}; expected 1 or more processes.")
        chosen = list(endpoints) if endpoints else available()
        if not chosen:
            raise InvalidInputError(
                "No shipped models are installed; train them with `make models`."
            )
        self.confidence = confidence
        self.pack = pack
        self.workers = workers
        self._helpers: Helpers | None = None
        if workers > 1:
            pack_path = pack.path if pack is not None else None
            self._helpers = Helpers(workers - 1, chosen, confidence, pack_path)
            weakref.finalize(self, self._helpers.close)
        try:
            self.models: dict[str, ModelArtifact] = {e: load_shipped(e) for e in chosen}
            # Morgan counts alone: a parent needs no re-reading (standardize(reread=False): the
            # same counts, SMILES and InChIKey, tested on the raw data).
            self._morgan_only = all(
                set(m.featurizers) <= {"morgan_counts"} for m in self.models.values()
            )
            if self._helpers is not None:
                self._helpers.wait_ready()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the helper processes, if any (the predictor still works, in this process)."""
        if self._helpers is not None:
            self._helpers.close()
            self._helpers = None

    def __enter__(self) -> Predictor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def columns(self) -> list[str]:
        """The columns of every table this predictor returns, in order."""
        columns = list(IDENTITY_COLUMNS)
        for endpoint_id in self.models:
            columns += [f"{endpoint_id}_{c}" for c in ENDPOINT_COLUMNS]
            if self.pack is not None:
                columns += [f"{endpoint_id}_measured", f"{endpoint_id}_measured_relation"]
        return columns

    def predict(
        self, structures: str | Iterable[str] | Iterable[StructureInput] | pd.DataFrame
    ) -> pd.DataFrame:
        """Predict every chosen endpoint for SMILES/InChI/molfile inputs (or a 'smiles' column).

        With helper processes, a batch of at least ``PARALLEL_MIN`` structures per process is
        split between them and this process.
        """
        inputs = list(_as_inputs(structures))
        if self._helpers is not None and len(inputs) >= PARALLEL_MIN * self.workers:
            return split_batch(inputs, self._predict_inputs, self._helpers)
        return self._predict_inputs(inputs)

    def predict_stream(
        self,
        structures: Iterable[str] | Iterable[StructureInput],
        *,
        chunk_size: int = CHUNK_SIZE,
        workers: int = 1,
        progress: Progress = silent_progress,
        total: int | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Predict chunk by chunk, yielding a table per chunk in input order.

        Memory stays bounded by ``chunk_size`` times a few chunks in flight. The chunks are shared
        with the predictor's helper processes, or, for a predictor without them and ``workers``
        > 1, with ``workers`` - 1 helpers started for this stream only when it has more than one
        chunk; this process predicts too, while the helpers load and between their chunks.
        """
        if chunk_size < 1:
            raise InvalidInputError(f"Chunk size {chunk_size}; expected at least 1.")
        chunks = _chunks(_as_inputs(structures), chunk_size)
        done = 0

        def report(table: pd.DataFrame) -> pd.DataFrame:
            nonlocal done
            done += len(table)
            progress(done, total, f"{done:,} structures predicted")
            return table

        if self._helpers is not None:
            for table in ordered_chunks(chunks, self._predict_inputs, self._helpers):
                yield report(table)
            return
        first = next(chunks, None)
        if first is None:
            return
        second = next(chunks, None) if workers > 1 else None
        if second is None:
            for chunk in chain([first], chunks):
                yield report(self._predict_inputs(chunk))
            return
        pack_path = self.pack.path if self.pack is not None else None
        helpers = Helpers(workers - 1, list(self.models), self.confidence, pack_path)
        try:
            stream = chain([first, second], chunks)
            for table in ordered_chunks(stream, self._predict_inputs, helpers):
                yield report(table)
        finally:
            helpers.close()

    def predict_records(self, inputs: Sequence[StructureInput]) -> pd.DataFrame:
        """Predict one chunk of file records (row numbers, titles and read errors kept), in
        order: the unit of work of :meth:`predict_stream`."""
        return self._predict_inputs(list(inputs))

    def predict_parents(
        self, inputs: Sequence[StructureInput]
    ) -> tuple[pd.DataFrame, list[Chem.Mol | None]]:
        """Predict one chunk of file records without writing the rows' identities, for a caller
        that writes them only for the rows it keeps (library screening, with :func:`add_smiles`
        and :func:`add_inchikeys`).

        Returns the table, its ``inchikey`` empty and its ``smiles`` empty where not written
        already, and each row's standardised parent (None for a row in error). A predictor with
        a data pack writes the identities anyway, since measured values are looked up by
        InChIKey.
        """
        return self._predict(list(inputs), identities=self.pack is not None)

    def _predict_inputs(self, inputs: list[StructureInput]) -> pd.DataFrame:
        return self._predict(inputs, identities=True)[0]

    def _predict(
        self, inputs: list[StructureInput], identities: bool
    ) -> tuple[pd.DataFrame, list[Chem.Mol | None]]:
        texts = [i.text for i in inputs]
        rows = list(
            process_structures(
                texts,
                with_descriptors=False,
                keep_mol=True,
                with_inchikey=identities,
                reread=not self._morgan_only,
                with_smiles=identities,
            )
        )
        pairs = list(zip(rows, inputs, strict=True))
        frame = pd.DataFrame(
            {
                "row": [i.index for i in inputs],
                "input": texts,
                "title": [i.title for i in inputs],
                "status": ["error" if i.error else r.status for r, i in pairs],
                "message": [i.error or r.message for r, i in pairs],
                "inchikey": [r.inchikey for r in rows],
                "smiles": [r.smiles for r in rows],
            }
        )
        parents = [None if i.error else r.mol for r, i in pairs]
        ok = frame.index[frame["status"] == "ok"]
        batch = prepare(frame.loc[ok, "smiles"].tolist(), [parents[i] for i in ok])
        for endpoint_id, model in self.models.items():
            predicted = model.predict_prepared(batch, self.confidence)
            predicted.index = ok
            for column in ("value", "low", "high", "p_active"):
                frame[f"{endpoint_id}_{column}"] = predicted[column].reindex(frame.index)
            frame[f"{endpoint_id}_in_domain"] = (
                predicted["in_domain"].reindex(frame.index).astype("boolean")
            )
            frame[f"{endpoint_id}_nearest"] = predicted["nearest_similarity"].reindex(frame.index)
            if self.pack is not None:
                self._add_measured(frame, endpoint_id)
        return frame[self.columns], parents

    def _add_measured(self, frame: pd.DataFrame, endpoint_id: str) -> None:
        assert self.pack is not None
        measured = self.pack.measured(endpoint_id, frame["inchikey"]).set_index("inchikey")
        frame[f"{endpoint_id}_measured"] = frame["inchikey"].map(measured["value"]).astype(float)
        relation = measured["relation"].astype(object)
        frame[f"{endpoint_id}_measured_relation"] = (
            frame["inchikey"].map(relation).astype(object).fillna("").astype(str)
        )

    def explain(self, structure: str, neighbours: int = 5) -> MoleculeReport:
        """Every endpoint for one structure, with neighbours, measured values and atom parts.

        Raises InvalidStructureError for a structure that cannot be read or standardised.
        """
        from actives.chem.batch import process_structure
        from actives.chem.fingerprints import morgan_fingerprint

        key, smiles, _values = process_structure(structure, with_descriptors=False)
        fingerprint = morgan_fingerprint(to_mol(smiles, "smiles"))
        batch = prepare([smiles])
        reports = []
        for model in self.models.values():
            row = model.predict_prepared(batch, self.confidence).iloc[0]
            p_active = float(row["p_active"])
            reports.append(
                EndpointReport(
                    endpoint=model.endpoint,
                    value=float(row["value"]),
                    low=float(row["low"]),
                    high=float(row["high"]),
                    p_active=None if np.isnan(p_active) else p_active,
                    in_domain=bool(row["in_domain"]),
                    nearest_similarity=float(row["nearest_similarity"]),
                    domain_threshold=model.domain_threshold,
                    evidence=gather_evidence(self.pack, model, key, fingerprint, neighbours),
                    contributions=_contributions_or_none(model, smiles),
                    card=model.card,
                )
            )
        return MoleculeReport(
            input=structure,
            smiles=smiles,
            inchikey=key,
            confidence=self.confidence,
            endpoints=reports,
            pack_version=self.pack.version if self.pack is not None else None,
        )


def add_smiles(table: pd.DataFrame, rows: np.ndarray, parents: Sequence[Chem.Mol | None]) -> None:
    """Write the SMILES of the given row positions from their parents, where a prediction
    without identities (:meth:`Predictor.predict_parents`) left it empty: the SMILES a prediction
    with identities writes (tested against a whole-table prediction)."""
    smiles = table["smiles"].to_numpy(dtype=object, copy=True)
    for i in np.flatnonzero(rows).tolist():
        parent = parents[i]
        if not smiles[i] and parent is not None:
            smiles[i] = Chem.MolToSmiles(parent)
    table["smiles"] = smiles


def add_inchikeys(table: pd.DataFrame, rows: np.ndarray) -> None:
    """Fill the empty ``inchikey`` of the given row positions from their standardised SMILES,
    read as a prediction with keys reads it, so the keys are the ones it would have given.

    A structure that InChI refuses becomes an error row, with the reason, as it would have been
    had its key been computed with the prediction.
    """
    keys = table["inchikey"].to_numpy(dtype=object, copy=True)
    status = table["status"].to_numpy(dtype=object, copy=True)
    message = table["message"].to_numpy(dtype=object, copy=True)
    smiles = table["smiles"].to_numpy(dtype=object)
    for i in np.flatnonzero(rows):
        if keys[i] or not smiles[i]:
            continue
        try:
            keys[i] = inchikey(to_mol(str(smiles[i]), "smiles"))
        except ActivesError as exc:
            status[i], message[i] = "error", exc.message
    table["inchikey"] = keys
    table["status"] = status
    table["message"] = message


def resolve_structure(query: str, pack: DataPack | None) -> tuple[str, str]:
    """A structure as given, or a name/CAS/InChIKey looked up in the data pack.

    Returns (structure, name); the name is empty when the query was a structure. An ambiguous or
    unknown name raises InvalidInputError with the candidates or suggestions.
    """
    try:
        to_mol(query)
        return query, ""
    except ActivesError as not_structure:
        parse_error = not_structure.message
        if pack is None:
            raise InvalidInputError(
                f"{parse_error} It is not a structure, and without a data pack it "
                "cannot be looked up as a name (build one with `actives data build`)."
            ) from None
    found = pack.lookup(query)
    if found.compounds.empty:
        hint = f" Did you mean: {', '.join(found.suggestions)}?" if found.suggestions else ""
        raise InvalidInputError(
            f"{query!r} is neither a structure nor a name in data pack {pack.version}.{hint} "
            f"As a structure: {parse_error}"
        )
    compounds = found.compounds
    if compounds["inchikey"].str[:14].nunique() == 1:
        # Stereoisomers of one skeleton: the models do not see stereochemistry (Morgan
        # fingerprints without chirality), so any of them gives the same prediction; take the
        # one with defined stereochemistry, as the pack's entry for the name.
        stereo = compounds[~compounds["inchikey"].str.endswith("UHFFFAOYSA-N")]
        compounds = stereo if not stereo.empty else compounds
        compounds = compounds.head(1)
    if len(compounds) > 1:
        names = ", ".join(
            f"{r['name'] or '?'} ({r['inchikey']})" for r in compounds.head(8).to_dict("records")
        )
        raise InvalidInputError(
            f"{query!r} matches {len(compounds)} compounds: {names}; give a SMILES, an "
            "InChIKey or a more specific name."
        )
    row = compounds.iloc[0]
    return str(row["smiles"]), str(row["name"] or query)


@dataclass(frozen=True)
class FileSummary:
    """What a file prediction wrote: rows, how many were predicted, how many carry an error."""

    rows: int
    predicted: int
    errors: int
    output: Path


def count_records(path: Path) -> int | None:
    """Records in a structure file, counted cheaply for progress (None if it cannot be read)."""
    if path.suffix.lower() in TABLE_SUFFIXES:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except (pa.ArrowException, OSError):
            return None
    try:
        with path.open("rb") as handle:
            if path.suffix.lower() in SDF_SUFFIXES:
                return sum(1 for line in handle if line.startswith(b"$$$$"))
            lines = sum(1 for line in handle if line.strip())
            return max(0, lines - 1) if path.suffix.lower() == ".csv" else lines
    except OSError:
        return None


def predict_file(
    predictor: Predictor,
    source: Path,
    output: Path,
    *,
    chunk_size: int = CHUNK_SIZE,
    workers: int = 1,
    progress: Progress = silent_progress,
) -> FileSummary:
    """Stream a structure file through the predictor into an output file (format by suffix).

    The output appears only when complete (see :class:`~actives.predict.export.TableWriter`).
    """
    from actives.chem.files import iter_structure_inputs
    from actives.predict.export import TableWriter

    metadata = {
        f"model {e}": f"{m.card.get('title', e)}, trained {m.card.get('trained_at', '?')}"
        for e, m in predictor.models.items()
    }
    metadata["confidence"] = f"{predictor.confidence:g}"
    metadata["data pack"] = predictor.pack.version if predictor.pack is not None else "none"
    errors = 0
    with TableWriter(output, metadata) as writer:
        for table in predictor.predict_stream(
            iter_structure_inputs(source),
            chunk_size=chunk_size,
            workers=workers,
            progress=progress,
            total=count_records(source),
        ):
            writer.write(table)
            errors += int((table["status"] != "ok").sum())
    return FileSummary(writer.rows, writer.rows - errors, errors, output)


def _contributions_or_none(model: ModelArtifact, smiles: str) -> AtomContributions | None:
    """Atom contributions where the model's features map onto atoms (Morgan counts)."""
    if "morgan_counts" not in model.featurizers:
        return None
    return atom_contributions(model, smiles)


def _as_inputs(
    structures: str | Iterable[str] | Iterable[StructureInput] | pd.DataFrame,
) -> Iterator[StructureInput]:
    if isinstance(structures, str):
        yield StructureInput(1, "", structures)
        return
    if isinstance(structures, pd.DataFrame):
        if "smiles" not in structures.columns:
            raise InvalidInputError("The table has no 'smiles' column.")
        titles = structures["title"] if "title" in structures.columns else None
        for i, text in enumerate(structures["smiles"].astype(str), start=1):
            title = str(titles.iloc[i - 1]) if titles is not None else ""
            yield StructureInput(i, title, text)
        return
    for i, item in enumerate(structures, start=1):
        yield item if isinstance(item, StructureInput) else StructureInput(i, "", str(item))


def _chunks(items: Iterator[StructureInput], size: int) -> Iterator[list[StructureInput]]:
    chunk: list[StructureInput] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
