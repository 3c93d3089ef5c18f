"""The `actives` command line on a fresh data directory, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actives import __version__


def run_cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ACTIVES_HOME": str(home),
        "ACTIVES_ENV": "development",
        "DATABASE_URL": "",
        "COLUMNS": "200",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "actives", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_version(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"actives {__version__}"


def test_fresh_home_init_then_doctor_is_healthy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    before = run_cli(home, "doctor", "--json")
    assert before.returncode == 1
    report = json.loads(before.stdout)
    migrations = next(c for c in report["checks"] if c["name"] == "migrations")
    assert not migrations["ok"] and migrations["fix"] == "actives init"

    init = run_cli(home, "init")
    assert init.returncode == 0, init.stderr
    assert "First administrator created" in init.stdout and "password" in init.stdout
    again = run_cli(home, "init")
    assert "First administrator created" not in again.stdout  # printed once only

    after = run_cli(home, "doctor", "--json")
    assert after.returncode == 0, after.stdout
    report = json.loads(after.stdout)
    assert report["healthy"] is True
    assert {c["name"] for c in report["checks"]} >= {"database", "migrations", "administrator"}
    text = run_cli(home, "doctor")
    assert "healthy" in text.stdout and "✓" in text.stdout


def test_admin_from_environment_variables(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path, "init", ACTIVES_ADMIN_USERNAME="chief", ACTIVES_ADMIN_PASSWORD="Long-pass-1234"
    )
    assert result.returncode == 0, result.stderr
    assert "chief" in result.stdout and "Long-pass-1234" not in result.stdout


def test_users_and_tokens(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init", "--no-create-admin").returncode == 0
    assert run_cli(tmp_path, "users", "add-company", "Jeju Botanicals").returncode == 0
    ok = run_cli(
        tmp_path,
        "users",
        "add",
        "minji",
        "--company",
        "Jeju Botanicals",
        "--password",
        "Green-tea-leaf-42",
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    token = run_cli(tmp_path, "users", "token", "minji")
    assert token.returncode == 0 and token.stdout.strip().startswith("act_")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "x", "--role", "boss", "--password", "Whatever-123"], "expected one of"),
        (["users", "add", "x", "--company", "Nope", "--password", "Whatever-123"], "no company"),
        (["users", "add", "x", "--password", "Whatever-123"], "must belong to a company"),
        (["users", "add", "x", "--role", "analyst", "--password", "123"], "too short"),
        (["users", "token", "ghost"], "No user named"),
    ],
)
def test_bad_user_input_is_explained(tmp_path: Path, args: list[str], message: str) -> None:
    assert run_cli(tmp_path, "init", "--no-create-admin").returncode == 0
    result = run_cli(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stdout + result.stderr


def test_production_without_secret_key_fails_clearly(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "doctor", ACTIVES_ENV="production", ACTIVES_SECRET_KEY="")
    assert result.returncode == 2
    assert "ACTIVES_SECRET_KEY is not set" in result.stderr


RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def test_data_build_info_plant_and_compound(tmp_path: Path) -> None:
    missing = run_cli(tmp_path, "plant", "Morus alba")
    assert missing.returncode == 2 and "actives data build" in missing.stdout

    built = run_cli(tmp_path, "data", "build", "--raw", str(RAW), "--workers", "1")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Data pack built" in built.stdout and "missing" in built.stdout

    info = json.loads(run_cli(tmp_path, "data", "info", "--json").stdout)
    assert info["tables"]["organisms"]["rows"] == 3

    plant = run_cli(tmp_path, "plant", "Morus alba")
    assert plant.returncode == 0
    assert "oxyresveratrol" in plant.stdout and "10.1000/morus.alba.1" in plant.stdout
    assert "Oc1cc(O)cc(/C=C/c2ccc(O)cc2O)c1" in plant.stdout

    korean = run_cli(tmp_path, "compound", "알부틴")
    assert korean.returncode == 0 and "BJRNKVDFDLYUGJ-RMPHRYRLSA-N" in korean.stdout
    assert "Arctostaphylos uva-ursi" in korean.stdout
    cas = json.loads(run_cli(tmp_path, "compound", "501-36-0", "--json").stdout)
    assert cas["read_as"] == "CAS number"
    assert [p["organism"] for p in cas["compounds"][0]["plants"]] == ["Morus alba", "Morus nigra"]

    typo = run_cli(tmp_path, "compound", "resveratrl")
    assert typo.returncode == 1 and "Did you mean: Resveratrol" in typo.stdout
    bad_plant = run_cli(tmp_path, "plant", "Morus albus")
    assert bad_plant.returncode == 2 and "Did you mean" in bad_plant.stdout


def test_data_build_without_raw_data(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "data", "build", "--raw", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "ACTIVES_RAW_DATA" in result.stdout
