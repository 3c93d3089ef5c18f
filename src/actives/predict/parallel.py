"""Helper processes for the Predictor: each loads the models once, and the calling process works
beside them, so a machine's cores share one batch or one stream.

Helpers are spawned, never forked: a forked child would inherit LightGBM's OpenMP state and can
deadlock. Chunks keep their input order whoever predicts them.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from actives.chem.files import StructureInput
from actives.errors import ActivesError

if TYPE_CHECKING:
    from actives.predict.predictor import Predictor

Chunk = list[StructureInput]
Predict = Callable[[Chunk], pd.DataFrame]


class Helpers:
    """``count`` helper processes, each holding a Predictor for the same endpoints."""

    def __init__(
        self, count: int, endpoints: list[str], confidence: float, pack_path: Path | None
    ) -> None:
        self.count = count
        self.pool = ProcessPoolExecutor(
            count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_helper,
            initargs=(endpoints, confidence, pack_path),
        )
        # A task per helper starts the processes now; each is done once a helper has loaded.
        self._started = [self.pool.submit(_loaded) for _ in range(count)]

    def ready(self) -> bool:
        """Whether the helpers have loaded their models (without waiting)."""
        return all(future.done() for future in self._started)

    def wait_ready(self) -> None:
        """Wait until the helpers have loaded their models; raise what a helper raised."""
        for future in self._started:
            _result(future)

    def submit(self, chunk: Chunk) -> Future[pd.DataFrame]:
        """Predict a chunk in a helper."""
        try:
            return self.pool.submit(_helper_predict, chunk)
        except BrokenProcessPool as exc:
            raise _helper_failed(exc) from exc

    def close(self) -> None:
        """Stop the helpers (work not started is cancelled)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def split_batch(inputs: Chunk, local: Predict, helpers: Helpers) -> pd.DataFrame:
    """One batch in equal parts: this process predicts the first, each helper one other."""
    parts = [list(part) for part in np.array_split(np.arange(len(inputs)), helpers.count + 1)]
    futures = [helpers.submit([inputs[i] for i in part]) for part in parts[1:]]
    tables = [local([inputs[i] for i in parts[0]])] + [_result(future) for future in futures]
    return pd.concat(tables, ignore_index=True)


def ordered_chunks(
    chunks: Iterator[Chunk], local: Predict, helpers: Helpers
) -> Iterator[pd.DataFrame]:
    """Predict a stream of chunks with the helpers and this process, yielding tables in order.

    Once the helpers are ready, a chunk goes to a helper whenever one is free, and this process
    predicts the next one meanwhile (all of them until the helpers have loaded); with processes
    of equal speed the chunks alternate. At most a few chunks per process are held, however
    long the stream.
    """
    window = 4 * (helpers.count + 1)
    pending: deque[Future[pd.DataFrame] | pd.DataFrame] = deque()
    for chunk in chunks:
        in_flight = sum(isinstance(item, Future) and not item.done() for item in pending)
        if helpers.ready() and in_flight < helpers.count:
            pending.append(helpers.submit(chunk))
        else:
            pending.append(local(chunk))
        while pending and (_done(pending[0]) or len(pending) > window):
            yield _table(pending.popleft())
    while pending:
        yield _table(pending.popleft())


def _done(item: Future[pd.DataFrame] | pd.DataFrame) -> bool:
    return not isinstance(item, Future) or item.done()


def _table(item: Future[pd.DataFrame] | pd.DataFrame) -> pd.DataFrame:
    return _result(item) if isinstance(item, Future) else item


def _result[T](future: Future[T]) -> T:
    """A helper's result; a helper that died (killed, out of memory) is said plainly."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise _helper_failed(exc) from exc


def _helper_failed(exc: BrokenProcessPool) -> ActivesError:
    return ActivesError(
        f"A helper process stopped before finishing ({exc}); the machine may be short of "
        "memory. Run again with one process (workers=1, or `--workers 1`).",
        code="helper_process_failed",
    )


# In a helper process: its Predictor, loaded once when the process starts.
_helper_predictor: Predictor | None = None


def _start_helper(endpoints: list[str], confidence: float, pack_path: Path | None) -> None:
    global _helper_predictor
    from actives.knowledge import DataPack
    from actives.predict.predictor import Predictor

    pack = DataPack(pack_path) if pack_path is not None else None
    _helper_predictor = Predictor(endpoints, confidence, pack)


def _loaded() -> bool:
    return _helper_predictor is not None


def _helper_predict(chunk: Chunk) -> pd.DataFrame:
    assert _helper_predictor is not None, "helper started without its predictor"
    return _helper_predictor.predict_records(chunk)
