"""Capture RDKit's log messages so that errors can quote what RDKit said, not print it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rdkit import RDLogger, rdBase

_lock = threading.Lock()
_configured = False


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip()
        if text:
            self.messages.append(text)


def _configure() -> None:
    global _configured
    with _lock:
        if not _configured:
            rdBase.LogToPythonLogger()
            rdkit_logger = logging.getLogger("rdkit")
            rdkit_logger.handlers.clear()  # RDKit adds a stderr handler; we report, not print
            rdkit_logger.addHandler(logging.NullHandler())
            rdkit_logger.propagate = False
            RDLogger.DisableLog("rdApp.info")  # type: ignore[attr-defined]  # stub gap
            _configured = True


@contextmanager
def captured_rdkit_log() -> Iterator[list[str]]:
    """Collect RDKit warnings and errors raised inside the block into a list of strings."""
    _configure()
    handler = _ListHandler()
    logger = logging.getLogger("rdkit")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def last_error(messages: list[str]) -> str:
    """The most informative RDKit message, without RDKit's timestamp prefix."""
    for text in reversed(messages):
        cleaned = text.split("] ", 1)[-1].strip()
        if cleaned and not cleaned.startswith("SMILES Parse Error: check for mistakes around"):
            return cleaned
    return messages[-1].split("] ", 1)[-1].strip() if messages else ""
