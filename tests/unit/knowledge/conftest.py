"""A data pack built once per test session from the raw-data fixtures in tests/data/raw."""

from pathlib import Path

import pytest

from actives.knowledge import DataPack, build_pack

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="session")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pack(RAW, tmp_path_factory.mktemp("packs"), workers=1)


@pytest.fixture(scope="session")
def pack(pack_dir: Path) -> DataPack:
    return DataPack(pack_dir)
