"""actives doctor's assays line: RDML reading and the curve-quality classifier."""

from pathlib import Path

import pytest

from actives.web.core.health import check_assays


def test_the_shipped_classifier_and_the_rdml_reader_are_reported() -> None:
    check = check_assays()
    assert check.ok and "RDML reader ready" in check.detail
    assert "curve-quality classifier" in check.detail


def test_a_missing_classifier_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "actives.assays.qpcr.quality.shipped_model_folder", lambda: tmp_path / "none"
    )
    check = check_assays()
    assert not check.ok and not check.required
    assert "classifier missing" in check.detail and check.fix == "make models"
