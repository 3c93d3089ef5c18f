"""`actives screen` from a shell: a run killed half-way resumes to the same file; bad input."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from tests.unit.discovery.conftest import DATA

RINGS = ["c1ccccc1", "C1CCCCC1", "c1ccncc1", "c1ccoc1", "C1CCOC1", "c1ccc2ccccc2c1"]
ENDS = ["O", "N", "Cl", "CC(=O)O", "COC", "N#C"]


def _library(path: Path) -> Path:
    """864 small molecules (ring x chain x end group x substituent), two broken lines."""
    lines = ["smiles,id"]
    for ring in RINGS:
        for n in range(1, 13):
            for end in ENDS:
                for sub in ("", "F"):
                    lines.append(f"{end}{'C' * n}{ring}{sub},m{len(lines)}")
    lines[100] = "C1CC,broken-100"
    lines[700] = "not a smiles,broken-700"
    path.write_text("\n".join(lines) + "\n")
    return path


def _env(models: Path) -> dict[str, str]:
    return {**os.environ, "ACTIVES_MODELS_DIR": str(models), "COLUMNS": "200",
            "ACTIVES_HOME": str(models.parent / "home")}  # fmt: skip


def _cli(models: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh interpreter."""
    command = [sys.executable, "-m", "actives", "screen", *args]
    return subprocess.run(command, capture_output=True, text=True, env=_env(models), timeout=180)


def test_screen_killed_half_way_resumes_to_the_same_output(
    screen_models: Path, screen_models_dir: Path, tmp_path: Path
) -> None:
    library = _library(tmp_path / "library.csv")
    out = tmp_path / "hits.parquet"
    parts = tmp_path / "hits.parquet.parts"
    args = [str(library), "-o", str(out), "--chunk-size", "16", "--workers", "2",
            "--min-p-active", "antioxidant=0.4", "--top", "25", "--np-score"]  # fmt: skip
    run = subprocess.Popen([sys.executable, "-m", "actives", "screen", *args],
                           env=_env(screen_models_dir), start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while len(list(parts.glob("chunk-*.parquet"))) < 3 and run.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint part appeared"
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGKILL)  # the main process and its workers, mid-run
    run.wait()
    finished = len(list(parts.glob("chunk-*.parquet")))
    assert not out.exists() and 3 <= finished < 54, finished  # really stopped half-way

    # resumed with one worker: the worker count is not part of a screen's settings
    resumed = _cli(screen_models_dir, *args[:6], "1", *args[7:])
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Resuming from the checkpoint" in resumed.stdout
    assert "chunks from the checkpoint" in resumed.stdout
    assert "2 could not be read" in resumed.stdout and "hits.parquet.errors.csv" in resumed.stdout
    assert not parts.exists()

    # the same screen uninterrupted, in this process (one worker writes what two write)
    from actives.discovery.screening import screen_file, screen_settings

    settings = screen_settings(chunk_size=16, min_p_active={"antioxidant": 0.4}, top=25,
                               with_np_score=True)  # fmt: skip
    screen_file(library, tmp_path / "whole.parquet", settings, workers=1)
    assert out.read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    table = pd.read_parquet(out)
    assert table.antioxidant_rank.max() == 25 and table.np_score.notna().all()
    errors = pd.read_csv(tmp_path / "hits.parquet.errors.csv")
    assert errors.title.tolist() == ["broken-100", "broken-700"]


def test_screen_bad_input_says_what_was_expected(screen_models: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from actives.cli.main import app

    library = str(DATA / "library.smi")
    out = str(tmp_path / "hits.csv")
    cases = [
        ([library, "-o", out, "--functions", "tanning"], "Unknown function 'tanning'; expected"),
        ([library, "-o", out, "--functions", "whitening"], "No installed model for function"),
        ([str(tmp_path / "none.smi"), "-o", out], "No file"),
        ([library, "-o", out, "--np-min", "3", "--np-max", "1"], "range 3 to 1 is empty"),
        ([library, "-o", out, "--min-p-active", "high"], "--min-p-active 'high'; expected a"),
        ([library, "-o", str(tmp_path / "hits.doc")], "expected a file ending in"),
        ([library, "-o", out, "--workers", "-1"], "Workers -1; expected 0 (every CPU) or more"),
    ]
    runner = CliRunner(env={"COLUMNS": "200"})
    for args, message in cases:
        result = runner.invoke(app, ["screen", *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    done = runner.invoke(app, ["screen", library, "-o", out, "--workers", "1",
                               "--min-p-active", "0.5"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Read 64 structures (61 predicted, 3 could not be read)" in done.output
    again = runner.invoke(app, ["screen", library, "-o", out, "--workers", "1"])
    assert again.exit_code == 2 and "hits.csv exists; expected a new file name" in again.output
