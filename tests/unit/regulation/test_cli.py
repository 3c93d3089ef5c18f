"""`actives check-formula` and `actives regulation markets|rules|unparsed` through Typer's
CliRunner, on the hand-typed names + rules pack (tests/data/regulation/checker_raw)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from actives.cli.main import app
from actives.errors import DataPackMissingError
from actives.knowledge import DataPack
from tests.unit.regulation.checker_pack import FORMULAS, build_checker_pack

runner = CliRunner()
CREAM = str(FORMULAS / "formula_cream.csv")
RAW_MATERIALS = str(FORMULAS / "formula_raw_materials.csv")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return build_checker_pack(tmp_path_factory.mktemp("cli-pack"))


@pytest.fixture
def pack(built: DataPack, monkeypatch: pytest.MonkeyPatch) -> DataPack:
    monkeypatch.setattr("actives.cli.regulation._pack", lambda: built)
    # wide enough that no message wraps inside its table cell
    monkeypatch.setattr("actives.cli.regulation.console", Console(width=1000))
    return built


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "220"})
    return result.exit_code, result.output


def check_json(*args: str) -> Any:
    code, out = invoke("check-formula", CREAM, "--raw-materials", RAW_MATERIALS, *args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_check_formula_prints_the_matrix_citations_label_and_allergens(pack: DataPack) -> None:
    code, out = invoke(
        "check-formula", CREAM, "--raw-materials", RAW_MATERIALS,
        "--markets", "EU,KR,CN", "--product", "leave-on face cream",
    )  # fmt: skip
    assert code == 0, out  # a market refusing the formula is an answer, not an error
    assert "Verdicts (market × ingredient)" in out
    assert "EU European Union: Prohibited" in out and "CN China: Not in the inventory" in out
    assert "EU Annex V entry 57 allows it only in rinse-off products (max 0.0015 %)" in out
    assert "Regulation (EC) No 1223/2009, Annex V, entry 57" in out
    assert "needs new-ingredient registration or filing with NMPA" in out
    assert (
        "Label (INCI): Water, Glycerin, Ceteth-20, Butylene Glycol, Niacinamide, "
        "Methylisothiazolinone, Unobtainium Flower Extract, Linalool, CI 77891"
    ) in out
    assert "전성분 (Korean): 정제수, 글리세린, 세테스-20" in out
    assert "EU: Linalool 0.002 % > 0.001 %" in out
    assert "Unresolved names" in out and "Unobtainium Flower Extract (unresolved)" in out
    matrix = out.split("Verdicts (market × ingredient)")[1].split("EU European Union")[0]
    overall = next(line for line in matrix.splitlines() if "overall" in line)
    cells = [c.strip() for c in overall.split("│") if c.strip()]
    assert cells == ["overall", "prohibited", "prohibited", "not listed"]


def test_check_formula_json_and_default_markets(pack: DataPack) -> None:
    payload = check_json("--product", "leave-on face cream")
    assert list(payload["markets"]) == ["ASEAN", "CA", "CN", "EU", "JP", "KR"]
    mit = next(r for r in payload["markets"]["EU"]["rows"] if r["name"] == "Methylisothiazolinone")
    assert mit["verdict"] == "prohibited" and mit["citation"]["entry"] == "57"
    assert payload["rule_pack_version"] == pack.version
    assert payload["formula_name"] == "formula_cream"


def test_check_formula_writes_a_report_and_never_overwrites(pack: DataPack, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    args = ["check-formula", CREAM, "--raw-materials", RAW_MATERIALS, "--markets", "EU,CN",
            "--product", "leave-on face cream", "--output", str(target)]  # fmt: skip
    code, out = invoke(*args)
    assert code == 0, out and "Report written" in out
    matrix = pd.read_excel(target, sheet_name="matrix").set_index("ingredient")
    assert list(matrix.columns) == ["percent", "EU", "CN"]
    assert matrix.loc["OVERALL", "EU"] == "prohibited"
    code, out = invoke(*args)
    assert code == 2 and "exists; expected a new file name, or --overwrite" in out
    code, out = invoke(*args, "--overwrite")
    assert code == 0, out
    code, out = invoke(*args[:-1], str(tmp_path / "report.pdf"))
    assert code == 2 and "expected a file ending in .xlsx, .csv" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--markets", "EU,XX", "--product", "leave-on cream"], "Unknown market 'XX'"),
        (["--product", "something for the face"], "does not say whether the product is rinsed off"),
    ],
)
def test_check_formula_bad_input_exits_2(pack: DataPack, args: list[str], message: str) -> None:
    code, out = invoke("check-formula", CREAM, *args)
    assert code == 2 and message in " ".join(out.split())


def test_check_formula_bad_file_exits_2(pack: DataPack) -> None:
    code, out = invoke("check-formula", str(FORMULAS / "formula_broken.csv"), "--product", "cream")
    assert code == 2 and "could not be read" in out
    code, out = invoke("check-formula", "no-such.csv", "--product", "leave-on cream")
    assert code == 2 and "does not exist" in out


def test_check_formula_without_a_data_pack_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> DataPack:
        raise DataPackMissingError("No data pack has been built yet.")

    monkeypatch.setattr("actives.cli.regulation._pack", missing)
    code, out = invoke("check-formula", CREAM, "--product", "leave-on face cream")
    assert code == 2 and "No data pack has been built yet." in out


def test_regulation_markets(pack: DataPack) -> None:
    code, out = invoke("regulation", "markets", "--json")
    assert code == 0, out
    markets = {m["id"]: m for m in json.loads(out)}
    assert set(markets) == {"ASEAN", "CA", "CN", "EU", "JP", "KR"}
    eu = {x["id"]: x for x in markets["EU"]["lists"]}
    assert (eu["EU-V"]["rules"], eu["EU-V"]["unparsed"]) == (3, 0)
    assert markets["ASEAN"]["coverage"].startswith("only Annex II")
    code, out = invoke("regulation", "markets")
    assert code == 0 and f"rule pack {pack.version}" in out


def test_regulation_rules_and_unparsed(pack: DataPack) -> None:
    code, out = invoke("regulation", "rules", "EU", "Hydroquinone", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found["method"] == "substance"
    assert [r["rule_id"] for r in found["rules"]] == ["EU-II/1339", "EU-III/14"]
    code, out = invoke("regulation", "rules", "KR", "123-31-9")
    assert code == 0 and "KR-1/1" in out and "별표 1" in out
    code, out = invoke("regulation", "rules", "EU", "Glycerin")
    assert code == 0 and "No EU rule names Glycerin." in out
    code, out = invoke("regulation", "unparsed", "KR", "--json")
    assert code == 0, out
    (benzoic,) = json.loads(out)
    assert (
        benzoic["rule_id"] == "KR-2/5" and "exception not understood" in benzoic["unparsed_reason"]
    )
    code, out = invoke("regulation", "unparsed", "KR", "--list", "KR-9")
    assert code == 2 and "has no rule list 'KR-9'" in out
