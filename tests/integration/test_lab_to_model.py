"""The loop from the laboratory to the models: potencies stored by dose-response runs, linked to
structures, train an endpoint with `actives models train --from-assays`, and what cannot train
is listed, not dropped."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from actives.cli.main import app
from actives.predict.registry import ENDPOINTS
from actives.web.assays.models import AssayFile, DoseResponseRun, PotencyMeasurement

pytestmark = pytest.mark.django_db
INVENTED = Path(__file__).resolve().parents[1] / "data" / "activities"
ROWS = INVENTED / "tyrosinase_inhouse_invented.csv"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("ACTIVES_MODELS_DIR", raising=False)
    monkeypatch.setattr(ENDPOINTS, "_items", dict(ENDPOINTS._items))
    from actives.config import get_settings

    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def stored_run(company: Any) -> DoseResponseRun:
    """A run whose potencies are the invented IC50s (µM), each linked to its structure."""
    empty = AssayFile.objects.create(name="plate.csv", content=b"", size=0, sha256="0" * 64)
    run = DoseResponseRun.objects.create(
        company=company, name="Tyrosinase 2026-11", assay="mushroom tyrosinase, L-DOPA",
        source=empty,
    )  # fmt: skip
    with ROWS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row["IC50 (uM)"].strip()
            relation = ">" if text.startswith(">") else "="
            try:
                value = float(text.lstrip("><"))
            except ValueError:
                continue  # the fixture's deliberately unreadable row
            PotencyMeasurement.objects.create(
                company=company, run=run, sample=row["Compound"], assay=run.assay,
                smiles=row["SMILES"], relation=relation, ic50=value, units="µM",
            )  # fmt: skip
    PotencyMeasurement.objects.create(
        company=company, run=run, sample="green tea extract", assay=run.assay,
        material="Camellia sinensis leaf, 70 % ethanol", ic50=35.0, units="µg/mL",
    )  # fmt: skip
    return run


def test_stored_potencies_train_an_endpoint(home: Path, company_a: Any) -> None:
    stored_run(company_a)
    result = CliRunner().invoke(
        app,
        ["models", "train", "--from-assays", "tyrosinase", "--company", company_a.name,
         "--id", "tyrosinase_lab", "--function", "whitening", "--threshold", "5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "green tea extract: no structure linked" in result.output
    assert "censored" in result.output
    assert (home / "models" / "tyrosinase_lab" / "model_card.json").is_file()


def test_nothing_to_train_says_why(home: Path, company_a: Any) -> None:
    result = CliRunner().invoke(
        app, ["models", "train", "--from-assays", "elastase", "--id", "elastase_lab"]
    )
    assert result.exit_code == 2
    assert "No trainable potencies" in result.output
    unknown = CliRunner().invoke(
        app,
        ["models", "train", "--from-assays", "tyrosinase", "--company", "Nobody Ltd",
         "--id", "x_lab"],
    )  # fmt: skip
    assert unknown.exit_code == 2 and "No company named 'Nobody Ltd'" in unknown.output
