"""actives doctor's data-pack line: what the pack holds, and when to rebuild it."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from actives.config import get_settings
from actives.web.core.health import check_data_pack


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are cached per process; these tests point ACTIVES_HOME elsewhere."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _pack(home: Path, tables: dict[str, int]) -> None:
    folder = home / "packs" / "v1"
    folder.mkdir(parents=True)
    manifest = {"version": "v1", "missing_sources": [],
                "tables": {t: {"rows": n} for t, n in tables.items()}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (home / "packs" / "current").write_text("v1")


BASE = {"compounds": 10, "organisms": 2, "names": 30}


def test_a_current_pack_names_its_rules_and_sensitisation_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path))
    _pack(tmp_path, {**BASE, "rules": 16296, "sensitisation": 2235})
    check = check_data_pack()
    assert check.ok and "16,296 regulatory rules" in check.detail
    assert "2,235 chemicals with sensitisation data" in check.detail
    assert "rebuild" not in check.detail


def test_an_older_pack_is_told_to_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path))
    _pack(tmp_path, BASE)
    check = check_data_pack()
    assert check.ok and "rebuild it for the regulation and safety data" in check.detail
