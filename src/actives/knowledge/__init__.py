"""Data packs of reference knowledge: compounds, organisms, occurrences, ingredient names.

``build_pack`` turns the raw public sources into a versioned pack; ``current_pack`` opens the one
in use (cached per process and re-opened when a new pack becomes current).
"""

from __future__ import annotations

import threading
from pathlib import Path

from actives.errors import DataPackMissingError
from actives.knowledge.build import build_pack
from actives.knowledge.pack import DataPack, LookupResult, current_pack_path

__all__ = ["DataPack", "LookupResult", "build_pack", "current_pack", "packs_dir"]

_lock = threading.Lock()
_open: dict[Path, DataPack] = {}


def packs_dir(home: Path) -> Path:
    """Where packs live under the data directory."""
    return home / "packs"


def current_pack(home: Path) -> DataPack:
    """The current pack under ``home``; DataPackMissingError says how to build one."""
    path = current_pack_path(packs_dir(home))
    if path is None:
        raise DataPackMissingError(
            f"No data pack has been built under {packs_dir(home)} yet. Build one with "
            "`actives data build` (reads ACTIVES_RAW_DATA, default ../shared/data)."
        )
    with _lock:
        pack = _open.get(path)
        if pack is None:
            _open.clear()  # a new pack became current: drop the old one
            pack = _open[path] = DataPack(path)
        return pack
