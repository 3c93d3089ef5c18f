"""Issue 8's must-shows, end to end: an RDML file from the raw data opens as a plate with a call
and a reason for every well (library, CLI and web page), and a tyrosinase-style dose-response
table gives an IC50 with its confidence interval and a plot."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.test import Client
from typer.testing import CliRunner

from actives.assays.dose_response import fit_all, plot_fit, read_dose_response
from actives.assays.qpcr.analysis import analyse_plate
from actives.assays.qpcr.calls import CALLS
from actives.assays.qpcr.readers import read_plate
from actives.cli.main import app
from actives.config import get_settings

TIDY = Path(__file__).resolve().parents[1] / "data" / "assays" / "dose_response"


def raw_rdml() -> Path:
    path = get_settings().raw_data / "qpcr-pcredux" / "RAS002.rdml"
    if not path.is_file():
        pytest.skip(f"{path} is missing (set ACTIVES_RAW_DATA to the raw-data folder)")
    return path


def test_a_raw_rdml_plate_has_a_call_and_a_reason_for_every_well() -> None:
    plate = read_plate(raw_rdml())
    analysis = analyse_plate(plate)
    assert len(analysis.wells) == len(plate.reactions) == 192
    assert {w.reaction.well for w in analysis.wells} == {
        f"{row}{column}" for row in "ABCDEFGH" for column in range(1, 13)
    }
    for well in analysis.wells:
        assert well.call.call in CALLS and well.call.reason, well.reaction.well
    assert analysis.quality_model is not None  # the shipped classifier scored every curve
    assert all(w.quality is not None for w in analysis.wells)
    counts = analysis.summary
    assert counts["positive"] > 0 and counts["negative"] > 0


def test_the_cli_prints_every_well(tmp_path: Path) -> None:
    out = tmp_path / "wells.csv"
    result = CliRunner().invoke(app, ["assays", "qpcr", str(raw_rdml()), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "positive" in result.output and "negative" in result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 193 and "reason" in lines[0]
    again = CliRunner().invoke(app, ["assays", "qpcr", str(raw_rdml()), "--out", str(out)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    as_json = CliRunner().invoke(app, ["assays", "qpcr", str(raw_rdml()), "--json"])
    assert len(json.loads(as_json.output)["wells"]) == 192


@pytest.mark.django_db
def test_the_web_plate_view_of_a_raw_rdml(client_a: Client) -> None:
    handle = io.BytesIO(raw_rdml().read_bytes())
    handle.name = "RAS002.rdml"
    response = client_a.post("/assays/qpcr/new/", {"name": "RAS002", "file": handle})
    assert response.status_code == 302
    page = client_a.get(response["Location"]).content.decode()
    assert page.count('id="well-') == 192  # one row per reaction, each with its reason
    assert page.count('class="well well-') == 96 and "well-empty" not in page


def test_a_tyrosinase_table_gives_ic50_with_ci_and_a_plot() -> None:
    data = read_dose_response(TIDY / "tyrosinase_plate.txt", TIDY / "tyrosinase_layout.csv")
    fits = {o.sample: o.fit for o in fit_all(data)}
    kojic = fits["Kojic acid"]
    assert kojic is not None and kojic.ic50 is not None
    low, high = kojic.ic50_ci
    assert low is not None and high is not None and low < kojic.ic50 < high
    assert kojic.unit == "µM" and "95 % CI" in kojic.ic50_text
    svg = plot_fit(kojic)
    assert "<svg" in svg and "Kojic acid" in svg


def test_rdmlpythons_own_linregpcr_from_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "linreg.csv"
    result = CliRunner().invoke(app, ["assays", "linregpcr", str(raw_rdml()), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "LinRegPCR (rdmlpython), 192 reactions" in result.output
    assert "indiv_pcr_eff" in out.read_text().splitlines()[0]


def test_the_cli_reads_the_named_run_of_an_rdml_file() -> None:
    rdml = TIDY.parent / "qpcr" / "synthetic.rdml"
    second = CliRunner().invoke(
        app, ["assays", "qpcr", str(rdml), "--experiment", "exp1", "--run", "run2", "--json"]
    )
    assert second.exit_code == 0, second.output
    assert json.loads(second.output)["plate"]["metadata"]["run"] == "run2"
    missing = CliRunner().invoke(app, ["assays", "qpcr", str(rdml), "--run", "run9"])
    assert missing.exit_code == 2 and "run1" in missing.output and "run2" in missing.output
