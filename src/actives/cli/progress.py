"""A rich progress bar that speaks the library's Progress protocol."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import (
    Progress as RichProgress,
)

from actives.progress import Progress


@contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    """Yield a Progress callback drawing one bar; the message replaces the description."""
    with RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def report(done: float, total: float | None = None, message: str = "") -> None:
            bar.update(task, completed=done, total=total, description=message or description)

        yield report
