"""Capture RDKit's log messages so that errors can quote what RDKit said, not print it."""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager

from rdkit import RDLogger, rdBase

_lock = threading.Lock()
_configured = False


_local = threading.local()  # this thread's open captures, innermost last


def _open_captures() -> list[list[str]]:
    captures: list[list[str]] | None = getattr(_local, "captures", None)
    if captures is None:
        captures = _local.captures = []
    return captures


class _CaptureHandler(logging.Handler):
    """The one handler on RDKit's logger: each message goes to every capture open in its thread."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip()
        if text:
            for messages in _open_captures():
                messages.append(text)


def _configure() -> None:
    global _configured
    with _lock:
        if not _configured:
            rdBase.LogToPythonLogger()
            rdkit_logger = logging.getLogger("rdkit")
            rdkit_logger.handlers.clear()  # RDKit adds a stderr handler; we report, not print
            rdkit_logger.addHandler(_CaptureHandler())
            rdkit_logger.propagate = False
            RDLogger.DisableLog("rdApp.info")  # type: ignore[attr-defined]  # stub gap
            _configured = True


class _Capture:
    """Collects the messages of one ``with`` block (cheap: nothing is added to the logger)."""

    def __enter__(self) -> list[str]:
        if not _configured:
            _configure()
        self.messages: list[str] = []
        _open_captures().append(self.messages)
        return self.messages

    def __exit__(self, *exc: object) -> None:
        captures = _open_captures()
        for i in range(len(captures) - 1, -1, -1):
            if captures[i] is self.messages:
                del captures[i]
                break


def captured_rdkit_log() -> AbstractContextManager[list[str]]:
    """Collect RDKit warnings and errors raised inside the block into a list of strings."""
    return _Capture()


def last_error(messages: list[str]) -> str:
    """The most informative RDKit message, without RDKit's timestamp prefix."""
    for text in reversed(messages):
        cleaned = text.split("] ", 1)[-1].strip()
        if cleaned and not cleaned.startswith("SMILES Parse Error: check for mistakes around"):
            return cleaned
    return messages[-1].split("] ", 1)[-1].strip() if messages else ""
