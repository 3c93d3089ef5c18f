"""A names-only data pack built from the hand-typed rows in tests/data/regulation/names_raw."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from actives.knowledge import DataPack, build_pack
from actives.knowledge.sources import SOURCES

DATA = Path(__file__).resolve().parents[2] / "data"
RAW = DATA / "regulation" / "names_raw"
MHLW = DATA / "raw" / "mhlw-jp" / "quasi_drug_fixture.xlsx"  # Japanese names (アルブチン)
_BUILT: dict[str, DataPack] = {}


def names_pack(factory: pytest.TempPathFactory) -> DataPack:
    """Build the pack once per test session (about a second: no structures to standardise)."""
    if "pack" not in _BUILT:
        root = factory.mktemp("names-pack")
        raw = root / "raw"
        shutil.copytree(RAW, raw)
        (raw / "mhlw-jp").mkdir()
        shutil.copy(MHLW, raw / "mhlw-jp" / MHLW.name)
        sources = [s for s in SOURCES if s.kind == "names"]
        _BUILT["pack"] = DataPack(build_pack(raw, root / "packs", workers=1, sources=sources))
    return _BUILT["pack"]
