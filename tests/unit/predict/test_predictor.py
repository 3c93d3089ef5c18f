"""The Predictor facade and the CLI over a models folder trained on a toy set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actives.errors import InvalidInputError, NotFoundError


def test_predictor_is_batch_safe(use_models: Path) -> None:
    from actives.predict.predictor import Predictor

    table = Predictor().predict(["OCCCc1ccccc1", "C1CC", "[Na+].[Cl-]"])
    assert list(table.status) == ["ok", "error", "error"]
    assert "unclosed ring" in table.message.iloc[1]
    assert table.dpph_low.iloc[0] < table.dpph_value.iloc[0] < table.dpph_high.iloc[0]
    assert bool(table.dpph_in_domain.iloc[0])


def test_records_without_identities_get_them_later_as_with_them(use_models: Path) -> None:
    import numpy as np

    from actives.chem.files import StructureInput
    from actives.predict.predictor import Predictor, add_inchikeys, add_smiles

    # ZINC-style charged input, a salt, a normalised nitro group, a protonated bridgehead N
    # (its configuration kept once the proton is gone), a broken ring, plain ethanol
    bridgehead = "CC[C@@]12CCC[N@H+]3CC[C@]4(c5ccc(OC)c(O)c5N(C(C)=O)[C@@H]4CC1)[C@H]32"
    texts = ["OCCCc1ccccc1", "[O-]C(=O)CC.[Na+]", "C[NH+](C)CCC(=O)[O-]", "O=N(=O)c1ccccc1",
             bridgehead, "C1CC", "CCO"]  # fmt: skip
    records = [StructureInput(i, "", text) for i, text in enumerate(texts, 1)]
    predictor = Predictor()
    with_identities = predictor.predict_records(records)
    assert "[N@@]" in with_identities.smiles.iloc[4]
    bare, parents = predictor.predict_parents(records)
    assert bare.inchikey.tolist() == [""] * 7
    assert [p is None for p in parents] == [False] * 5 + [True, False]
    assert bare.drop(columns=["inchikey", "smiles"]).equals(
        with_identities.drop(columns=["inchikey", "smiles"])
    )
    kept = np.array([True] * 5 + [False, False])
    add_smiles(bare, kept, parents)
    add_inchikeys(bare, kept)
    assert bare.smiles.tolist()[:5] == with_identities.smiles.tolist()[:5]
    assert bare.inchikey.tolist()[:5] == with_identities.inchikey.tolist()[:5]
    assert bare.smiles.tolist()[5:] == bare.inchikey.tolist()[5:] == ["", ""]  # never written
    # a row whose key cannot be computed becomes an error with the reason, not a blank key
    broken = bare.head(1).assign(inchikey="", smiles="C1CC")
    add_inchikeys(broken, np.array([True]))
    assert broken.status.iloc[0] == "error" and "unclosed ring" in broken.message.iloc[0]


def test_predictor_errors(use_models: Path) -> None:
    from actives.predict.predictor import Predictor

    with pytest.raises(NotFoundError, match="make models"):
        Predictor(["cox2"])
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        Predictor(confidence=2)


def _cli(models: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACTIVES_MODELS_DIR": str(models), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "actives", *args], capture_output=True,
                          text=True, env=env, timeout=120)  # fmt: skip


def test_cli_predict_and_models(models_dir: Path, tmp_path: Path) -> None:
    shown = _cli(models_dir, "predict", "OCc1cc(=O)c(O)co1")
    assert shown.returncode == 0, shown.stderr
    assert "DPPH radical scavenging" in shown.stdout and "90% interval" in shown.stdout
    assert "P(active)" in shown.stdout and "(≥ 4)" in shown.stdout
    assert "nearest" in shown.stdout
    rows = json.loads(_cli(models_dir, "predict", "CCCCO", "--json").stdout)
    assert rows[0]["status"] == "ok" and "dpph_value" in rows[0]
    out = tmp_path / "p.csv"
    assert _cli(models_dir, "predict", "CCO", "-o", str(out)).returncode == 0
    assert out.read_text().startswith("row,input,title,status,message,inchikey,smiles,dpph_value")
    assert _cli(models_dir, "predict", "CCO", "-o", str(out)).returncode == 2  # no overwrite
    bad = _cli(models_dir, "predict", "C1CC")
    assert bad.returncode == 2 and "unclosed ring" in bad.stdout
    card = _cli(models_dir, "models", "show", "dpph")
    assert card.returncode == 0 and "Model card: DPPH radical scavenging" in card.stdout
    assert "| input rows | 120 | 120 |" in card.stdout
    assert _cli(models_dir, "models", "show", "cox2").returncode == 2
    assert "dpph" in _cli(models_dir, "models", "list").stdout


def test_cli_streams_a_file_into_parquet(models_dir: Path, tmp_path: Path) -> None:
    import pandas as pd

    source = tmp_path / "library.smi"
    source.write_text("SMILES name\nOCCCc1ccccc1 propylphenol\nC1CC broken\nOc1ccccc1 phenol\n")
    out = tmp_path / "hits.parquet"
    result = _cli(models_dir, "predict", str(source), "-o", str(out), "--chunk-size", "2")
    assert result.returncode == 0, result.stderr
    assert "Wrote 3 rows" in result.stdout and "1 with an error message" in result.stdout
    table = pd.read_parquet(out)
    assert list(table.title) == ["propylphenol", "broken", "phenol"]
    assert list(table.status) == ["ok", "error", "ok"] and list(table.row) == [2, 3, 4]
    refused = _cli(models_dir, "predict", str(source), "-o", str(tmp_path / "x.doc"))
    assert refused.returncode == 2 and "expected a file ending in" in refused.stdout
    # one process or two (the default on this machine), the same table
    one = tmp_path / "one.parquet"
    assert _cli(models_dir, "predict", str(source), "-o", str(one), "--chunk-size", "1",
                "--workers", "1").returncode == 0  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_parquet(one), table)
    negative = _cli(models_dir, "predict", str(source), "--workers", "-1")
    assert negative.returncode == 2 and "expected 0 (every core) or more" in negative.stdout
    zero_chunk = _cli(models_dir, "predict", str(source), "--chunk-size", "0")
    assert zero_chunk.returncode == 2 and "expected at least 1" in zero_chunk.stdout
