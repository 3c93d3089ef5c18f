"""A tiny progress protocol shared by long library calls, the CLI and background jobs.

Library functions accept ``progress: Progress | None``; the CLI passes a rich progress bar and the
web passes a reporter that writes to the job record, so the science never knows who is watching.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called with work done so far, the total (``None`` when unknown) and a short message."""

    def __call__(self, done: float, total: float | None = None, message: str = "") -> None: ...


def silent_progress(done: float, total: float | None = None, message: str = "") -> None:
    """A progress reporter that does nothing, for callers that do not watch."""
