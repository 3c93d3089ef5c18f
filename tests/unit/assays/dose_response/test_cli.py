"""The dose-response command through Typer's CliRunner on a local app (main.py registers it)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from typer.testing import CliRunner

from actives.cli.dose_response import dose_response

DATA = Path(__file__).parents[3] / "data" / "assays" / "dose_response"
PLATE = str(DATA / "tyrosinase_plate.txt")
LAYOUT = str(DATA / "tyrosinase_layout.csv")
app = typer.Typer()
app.command("dose-response")(dose_response)


@app.callback()
def _root() -> None:
    """Keeps dose-response a named sub-command, as in the real app."""


runner = CliRunner()


def test_table_of_fits_with_flags() -> None:
    result = runner.invoke(app, ["dose-response", PLATE, "--layout", LAYOUT])
    assert result.exit_code == 0, result.output
    for text in ("Kojic acid", "Arbutin", "Extract X", "95 % CI", "µM", "inactive up to",
                 "Z' factor", "well H8"):  # fmt: skip
        assert text in result.output


def test_json_output_and_files(tmp_path: Path) -> None:
    out = tmp_path / "fits.xlsx"
    plots = tmp_path / "plots"
    result = runner.invoke(
        app,
        [
            "dose-response",
            PLATE,
            "--layout",
            LAYOUT,
            "--json",
            "--out",
            str(out),
            "--plot-dir",
            str(plots),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    fits = {f["sample"]: f for f in payload["fits"]}
    assert fits["Kojic acid"]["ic50_ci"][0] < fits["Kojic acid"]["ic50"]
    assert "inactive" in [f["code"] for f in fits["Extract X"]["flags"]]
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"fits", "points"}
    assert list(sheets["fits"]["sample"]) == ["Kojic acid", "Arbutin", "Extract X"]
    svgs = sorted(p.name for p in plots.iterdir())
    assert svgs == ["Arbutin.svg", "Extract_X.svg", "Kojic_acid.svg", "overlay.svg"]
    assert "Arbutin" in (plots / "Arbutin.svg").read_text("utf-8")


def test_refuses_existing_output_and_bad_options(tmp_path: Path) -> None:
    out = tmp_path / "fits.csv"
    out.write_text("keep me")
    result = runner.invoke(app, ["dose-response", PLATE, "--layout", LAYOUT, "-o", str(out)])
    assert result.exit_code == 2 and "exists" in result.output
    assert out.read_text() == "keep me"
    result = runner.invoke(app, ["dose-response", PLATE, "--layout", LAYOUT, "--model", "5pl"])
    assert result.exit_code == 2 and "Unknown --model '5pl'" in result.output
    result = runner.invoke(app, ["dose-response", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output
