"""`actives safety` through Typer's CliRunner: defined approaches, QSAR, MoS, QRA, products,
the batch file round trip and refused inputs; tiny models stand in for the shipped ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from actives.cli.main import app
from actives.safety.models import QSAR_TOOL
from tests.unit.safety.toy_models import POSITIVE_LIKE, TOY_AUROC, TOY_WARNING, build_toy_models

# Values of a clear sensitiser in all three assays (invented for the test, not a study's):
# DPRA mean depletion (88 + 45) / 2 = 66.5 % (> 6.38 %), KeratinoSens positive with Imax 8,
# h-CLAT CD86 RFI 350 (>= 150) and CD54 RFI 420 (>= 200) with an MIT of 12 ug/mL.
SENSITISER = ["--dpra-cys", "88", "--dpra-lys", "45", "--keratinosens", "positive",
              "--keratinosens-imax", "8", "--hclat-cd86-rfi", "350", "--hclat-cd54-rfi", "420",
              "--hclat-mit", "12"]  # fmt: skip
runner = CliRunner()


@pytest.fixture(scope="module")
def toy_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_toy_models(tmp_path_factory.mktemp("safety-models"))


@pytest.fixture
def with_models(toy_models: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(toy_models))
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path / "home"))  # no user models here
    return toy_models


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["safety", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def invoke_json(*args: str) -> Any:
    code, out = invoke(*args, "--json")
    assert code == 0, out
    return json.loads(out)


# -- defined approaches -------------------------------------------------------------------------


def test_known_sensitiser_by_2o3_names_the_rule_that_fired() -> None:
    code, out = invoke("sensitisation", *SENSITISER, "--approach", "2o3")
    assert code == 0, out
    assert "Call: sensitiser" in out and "UN GHS category 1" in out
    assert "DPRA and KeratinoSens both positive -> sensitiser" in out
    assert "Not needed: h-CLAT" in out
    assert "DPRA result (TG 442C)" in out and "measured" in out
    (result,) = invoke_json("sensitisation", *SENSITISER, "--approach", "2o3")["results"]
    assert result["call"] == "sensitiser" and result["category"] == "1"
    assert result["rule_fired"] == "DPRA and KeratinoSens both positive -> sensitiser (UN GHS " \
        "Category 1)"  # fmt: skip
    assert [s["outcome"] for s in result["steps"][:3]] == ["positive"] * 3
    assert all(s["source"] for s in result["steps"])
    cys = next(q for q in result["inputs"] if q["name"] == "DPRA Cys depletion")
    assert cys == {"name": "DPRA Cys depletion", "value": 88.0, "unit": "%",
                   "origin": "measured", "source": "command line"}  # fmt: skip
    assert result["guideline_conformant"] is True


def test_its_scores_the_assays_and_all_runs_both_approaches() -> None:
    body = invoke_json("sensitisation", *SENSITISER)
    assert [r["approach"] for r in body["results"]] == ["2o3", "ITS"]
    its = body["results"][1]
    # DPRA mean 66.5 % >= 42.47 -> 3; MIT 12 ug/mL (> 10, <= 150) -> 2; no in silico: the
    # DPRA + h-CLAT column of the GL497 table, total 5 -> 1* (sensitiser, potency inconclusive)
    assert its["scores"] == {"DPRA": 3, "h-CLAT": 2, "in silico": None}
    assert its["score"] == 5 and its["category"] == "1*" and its["call"] == "sensitiser"


def test_discordant_2o3_is_inconclusive_with_the_reason() -> None:
    code, out = invoke("sensitisation", "--dpra-cys", "90", "--dpra-lys", "60",
                       "--keratinosens", "negative", "--approach", "2o3")  # fmt: skip
    assert code == 0, out
    assert "Call: inconclusive" in out
    assert "Inconclusive: DPRA (positive) and KeratinoSens (negative) are discordant" in out


def test_in_silico_of_a_named_tool_and_out_of_domain() -> None:
    body = invoke_json("sensitisation", "--dpra-cys", "88", "--dpra-lys", "45", "--hclat-mit",
                       "12", "--in-silico", "positive", "--in-silico-tool", "Derek Nexus 6.2",
                       "--approach", "its")  # fmt: skip
    (its,) = body["results"]
    assert its["variant"] == "ITSv1" and its["score"] == 6 and its["category"] == "1A"
    out_of_domain = invoke_json("sensitisation", "--dpra-cys", "88", "--dpra-lys", "45",
                                "--hclat-mit", "12", "--in-silico", "positive",
                                "--in-silico-tool", "Derek Nexus", "--out-of-domain",
                                "--approach", "its")["results"][0]  # fmt: skip
    assert out_of_domain["scores"]["in silico"] is None and out_of_domain["category"] == "1*"


def test_qsar_fills_the_in_silico_slot_labelled_as_not_gl497(with_models: Path) -> None:
    body = invoke_json("sensitisation", "--dpra-cys", "88", "--dpra-lys", "45", "--hclat-mit",
                       "12", "--qsar", POSITIVE_LIKE, "--approach", "its")  # fmt: skip
    qsar = body["qsar"]
    assert qsar["tool"] == QSAR_TOOL and qsar["endpoint"] == "skin_sens_llna"
    assert qsar["call"] in ("positive", "negative") and 0 <= qsar["p_positive"] <= 1
    (its,) = body["results"]
    assert "not evaluated under GL497" in its["variant"] and its["guideline_conformant"] is False
    assert "in silico" in its["predicted_inputs"]
    expected_score = (1 if qsar["call"] == "positive" else 0) if qsar["in_domain"] else None
    assert its["scores"]["in silico"] == expected_score
    # DPRA 3 + h-CLAT 2 (+ in silico 0 or 1): 5 -> 1B, 6 -> 1A; out of domain: 5 -> 1*
    expected = {None: "1*", 0: "1B", 1: "1A"}[expected_score]
    assert its["category"] == expected
    code, out = invoke("sensitisation", "--dpra-cys", "88", "--qsar", POSITIVE_LIKE)
    assert code == 0 and "In silico slot: Actives QSAR skin_sens_llna" in out
    assert f"skin_sens_llna: {TOY_WARNING}" in out
    assert qsar["trained_at"] == "2026-01-01" and qsar["warnings"] == [TOY_WARNING]


def test_missing_qsar_model_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path / "home"))
    code, out = invoke("sensitisation", "--dpra-cys", "88", "--qsar", POSITIVE_LIKE)
    assert code == 2
    flat = " ".join(out.split())
    assert "'skin_sens_llna' is not installed" in flat
    assert "make models" in flat and "ACTIVES_MODELS_DIR" in flat


# -- QSAR predictions ---------------------------------------------------------------------------


class FakePack:
    """A data pack that knows one chemical's merged LLNA data (invented values)."""

    version = "test-pack"

    def __init__(self, inchikey: str) -> None:
        self.inchikey = inchikey

    def sensitisation(self, inchikeys: list[str]) -> pd.DataFrame:
        row = {"inchikey": self.inchikey, "llna_call": "positive", "llna_call_n": 2,
               "llna_call_n_positive": 2, "llna_call_conflict": False,
               "llna_call_source": "ice_invivo", "llna_ec3": 3.5, "llna_ec3_relation": "=",
               "llna_ec3_n": 2, "llna_ec3_conflict": False,
               "llna_ec3_source": "ice_invivo"}  # fmt: skip
        return pd.DataFrame([row] if self.inchikey in inchikeys else [], columns=list(row))

    def lookup(self, query: str) -> SimpleNamespace:
        """No names: every name lookup misses."""
        return SimpleNamespace(compounds=pd.DataFrame(columns=["inchikey"]), suggestions=[])


def test_predict_gives_probabilities_sets_domain_and_measured_data(
    with_models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actives.chem.batch import process_structure

    key, _smiles, _ = process_structure(POSITIVE_LIKE, with_descriptors=False)
    monkeypatch.setattr("actives.cli.safety._pack_or_none", lambda: FakePack(key))
    body = invoke_json("predict", POSITIVE_LIKE, "C1CC", "--confidence", "0.8")
    ok, bad = body
    assert ok["status"] == "ok" and ok["inchikey"] == key and ok["confidence"] == 0.8
    (llna,) = ok["models"]
    assert llna["endpoint"] == "skin_sens_llna" and llna["classes"] == ["negative", "positive"]
    assert sum(llna["probabilities"].values()) == pytest.approx(1.0)
    assert llna["p_active"] == pytest.approx(llna["probabilities"]["positive"])
    assert set(llna["prediction_set"]) <= {"negative", "positive"}
    assert isinstance(llna["in_domain"], bool) and 0 <= llna["nearest_similarity"] <= 1
    assert llna["cluster_auroc"] == TOY_AUROC and llna["warnings"] == [TOY_WARNING]
    measured = {m["endpoint"]: m for m in ok["measured"]}
    assert measured["llna_ec3"]["value"] == 3.5 and measured["llna_ec3"]["unit"] == "%"
    assert measured["llna_call"]["value"] == "positive" and measured["llna_call"]["n"] == 2
    assert "test-pack" in ok["measured_note"]
    assert bad["status"] == "error" and "unclosed ring" in bad["message"]
    code, out = invoke("predict", POSITIVE_LIKE)
    assert code == 0, out
    assert "Skin sensitisation hazard (mouse LLNA)" in out and "80% prediction set" not in out
    assert "LLNA EC3" in out and "in silico tool evaluated under OECD GL497" in out
    assert f"skin_sens_llna: {TOY_WARNING}" in out
    code, out = invoke("predict", "C1CC")
    assert code == 2 and "unclosed ring" in out


RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="module")
def sensitisation_pack(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A data pack built from the sensitisation fixtures (and one compound source)."""
    from actives.knowledge import DataPack, build_pack

    raw = tmp_path_factory.mktemp("raw")
    for folder in ("ice-skinsens", "skinsensdb", "echa-skinsens-caat", "lotus"):
        shutil.copytree(RAW / folder, raw / folder)
    return DataPack(build_pack(raw, tmp_path_factory.mktemp("packs"), workers=1))


def test_predict_shows_the_packs_measured_data(
    with_models: Path, sensitisation_pack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("actives.cli.safety._pack_or_none", lambda: sensitisation_pack)
    (found,) = invoke_json("predict", "O=C/C=C/c1ccccc1")  # cinnamaldehyde in the fixtures
    measured = {m["endpoint"]: m for m in found["measured"]}
    # the fixture's two LLNA EC3 records, 1.5 % and 3.0 %, merge to their geometric mean
    assert measured["llna_ec3"]["value"] == pytest.approx((1.5 * 3.0) ** 0.5)
    assert measured["llna_ec3"]["n"] == 2 and measured["llna_ghs"]["value"] == "1B"
    assert measured["hclat_mit"]["unit"] == "ug/mL"
    assert sensitisation_pack.version in found["measured_note"]
    (missing,) = invoke_json("predict", "CCCCCCCCCCO")
    assert missing["measured"] == [] and "Not in the sensitisation data" in missing["measured_note"]


def test_predict_without_models_says_how_to_get_them(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path / "home"))
    code, out = invoke("predict", "CCO")
    assert code == 2 and "make models" in " ".join(out.split())


def test_models_list_shows_classification_models(with_models: Path) -> None:
    result = runner.invoke(app, ["models", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    llna = next(x for x in lines if "skin_sens_llna" in x)
    assert "classification" in llna and "shipped" in llna
    assert "value" in next(x for x in lines if "skin_logkp" in x)


# -- margin of safety and QRA ---------------------------------------------------------------


def test_face_cream_margin_of_safety_by_hand() -> None:
    # SCCS: SED = A x C/100 x DAp/100 with A(face cream) = 24.14 mg/kg bw/day (Table 3A), C = 1 %,
    # DAp = 50 % (default); PoD_sys = oral NOAEL 100 x 50 % oral absorption; MoS = PoD_sys / SED
    sed = 24.14 * 1 / 100 * 50 / 100
    pod_sys = 100 * 50 / 100
    mos = pod_sys / sed
    body = invoke_json("mos", "--product", "face_cream", "--concentration", "1", "--pod", "100",
                       "--pod-type", "NOAEL", "--pod-route", "oral")  # fmt: skip
    assert body["sed_mg_kg_day"] == pytest.approx(sed) and sed == pytest.approx(0.1207)
    assert body["pod_systemic_mg_kg_day"] == pytest.approx(pod_sys)
    assert body["mos"] == pytest.approx(mos) and round(mos, 1) == 414.3
    assert body["acceptable"] is True
    sources = {q["name"]: q for q in body["inputs"]}
    assert "Table 3A" in sources["relative daily exposure A"]["source"]
    assert sources["dermal absorption"]["origin"] == "default"
    code, out = invoke("mos", "--product", "face_cream", "--concentration", "1", "--pod", "100")
    assert code == 0, out
    assert f"MoS = {mos:.1f}" in out and "acceptable" in out and "SED" in out
    assert "Systemic point of departure" in out


def test_measured_dermal_absorption_is_used_with_its_reference() -> None:
    body = invoke_json("mos", "--product", "body_lotion", "--concentration", "5", "--pod", "10",
                       "--pod-route", "dermal", "--dermal-absorption", "20",
                       "--dermal-reference", "TG 428 study 2024")  # fmt: skip
    sed = 123.20 * 5 / 100 * 20 / 100  # A(body lotion) x C x DAp
    assert body["sed_mg_kg_day"] == pytest.approx(sed)
    assert body["mos"] == pytest.approx(10 / sed) and body["acceptable"] is False
    absorption = next(q for q in body["inputs"] if q["name"] == "dermal absorption")
    assert absorption["origin"] == "measured" and absorption["source"] == "TG 428 study 2024"


def test_absorbed_amount_form_uses_body_weight_and_frequency() -> None:
    body = invoke_json("mos", "--product", "face_cream", "--pod", "100", "--pod-route",
                       "systemic", "--dermal-amount", "2", "--frequency", "2",
                       "--body-weight", "50", "--dermal-reference", "study X")  # fmt: skip
    sed = 2 * 1e-3 * 565 * 2 / 50  # DAa x 1e-3 x SSA(face) x F / bw
    assert body["sed_mg_kg_day"] == pytest.approx(sed) and body["mos"] == pytest.approx(100 / sed)
    amount = next(q for q in body["inputs"] if q["name"] == "absorbed amount DAa")
    assert amount["source"] == "study X"


def test_dermal_absorption_predicted_from_a_structure(with_models: Path) -> None:
    body = invoke_json("mos", "--product", "face_cream", "--concentration", "1", "--pod", "100",
                       "--predict-from", "OCCCc1ccccc1")  # fmt: skip
    inputs = {q["name"]: q for q in body["inputs"]}
    log_kp = inputs["log Kp"]["value"]
    assert inputs["log Kp"]["origin"] == "predicted"
    assert "skin_logkp" in inputs["log Kp"]["source"]
    # Fick flux over 24 h against the face cream's daily amount per area (1.54 g x 1000 / 565)
    absorbed = 10**log_kp * 3600 * (1 / 100 * 1e6) * 24
    applied = 1.54 * 1000 / 565 * 1 / 100 * 1000
    dap = min(100.0, absorbed / applied * 100)
    assert body["sed_mg_kg_day"] == pytest.approx(24.14 * 1 / 100 * dap / 100)
    steps = {s["title"]: s for s in body["steps"]}
    assert steps["Dermal absorption"]["outcome"] == f"{dap:.3g} %"
    assert "applicability domain" in steps["Predicted skin permeability"]["detail"]
    assert "Absorbed amount per area (Fick flux)" in steps


def test_qra_from_an_ec3() -> None:
    body = invoke_json("qra", "--ec3", "3", "--product", "face_cream", "--concentration", "0.5",
                       "--matrix", "3", "--use", "3", "--rationale", "leave-on cream")  # fmt: skip
    nesil = 3 * 250  # EC3 (%) x 250 ug/cm2 per % (Api et al. 2008)
    saf = 10 * 3 * 3
    per_area = 1.54 * 1.0 * 1000 / 565  # face cream: g/day x RF x 1000 / cm2 (mg/cm2/day)
    cel = per_area * 0.5 * 10
    assert body["nesil_ug_cm2"] == pytest.approx(nesil) and body["saf_total"] == saf
    assert body["ael_ug_cm2"] == pytest.approx(nesil / saf)
    assert body["cel_ug_cm2_day"] == pytest.approx(cel)
    assert body["ael_cel_ratio"] == pytest.approx(nesil / saf / cel)
    assert body["max_concentration_percent"] == pytest.approx(nesil / saf / (per_area * 10))
    assert body["acceptable"] is False
    code, out = invoke("qra", "--human-noel", "5000", "--amount", "1", "--concentration", "1",
                       "--matrix", "1", "--use", "1")  # fmt: skip
    assert code == 0, out
    assert "NESIL = 5000 ug/cm2" in out and "acceptable" in out


def test_products_table_lists_the_sccs_values_with_sources() -> None:
    code, out = invoke("products")
    assert code == 0, out
    face = next(x for x in out.splitlines() if "face_cream" in x)
    assert "24.14" in face and "565" in face and "Table 3A" in face
    assert "SCCS/1647/22" in out
    rows = invoke_json("products")
    face_row = next(r for r in rows if r["id"] == "face_cream")
    assert face_row["amount_per_area_mg_cm2_day"] == pytest.approx(1.54 * 1000 / 565)


# -- batch file ---------------------------------------------------------------------------------

BATCH = (
    "name,dpra_cys,dpra_lys,keratinosens_call,hclat_call,hclat_mit\n"
    "clear sensitiser,88,45,positive,positive,12\n"
    "clear non-sensitiser,1,0,negative,negative,\n"
    "unreadable call,88,45,maybe,positive,12\n"
)


def test_batch_file_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "inputs.csv"
    source.write_text(BATCH)
    out = tmp_path / "results.xlsx"
    code, text = invoke("sensitisation", "--file", str(source), "--output", str(out))
    assert code == 0, text
    assert "3 chemicals, 1 with an error" in text and f"Wrote 3 rows to {out}" in text
    table = pd.read_excel(out, sheet_name="predictions")
    assert list(table["status"]) == ["ok", "ok", "error"]
    assert list(table["da_2o3_call"].iloc[:2]) == ["sensitiser", "non-sensitiser"]
    assert table["da_its_category"].iloc[0] == "1*"  # DPRA 3 + h-CLAT 2, no in silico
    assert "keratinosens_call 'maybe' in row 4" in table["message"].iloc[2]
    about = pd.read_excel(out, sheet_name="about", header=None)
    assert "inputs.csv" in about[1].tolist()
    code, text = invoke("sensitisation", "--file", str(source), "--output", str(out))
    assert code == 2 and "--overwrite" in text
    code, text = invoke("sensitisation", "--file", str(source), "--output", str(out),
                        "--overwrite")  # fmt: skip
    assert code == 0, text
    rows = invoke_json("sensitisation", "--file", str(source))
    assert [r["row"] for r in rows] == [2, 3, 4]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mos", "--product", "face_creme", "--concentration", "1", "--pod", "100"],
         "Unknown product type 'face_creme'"),
        (["mos", "--product", "face_cream", "--concentration", "-1", "--pod", "100"],
         "concentration -1.0; expected a number in [0, 100] %"),
        (["mos", "--product", "face_cream", "--concentration", "1", "--pod", "100",
          "--dermal-absorption", "20", "--predict-from", "CCO"], "expected one"),
        (["mos", "--product", "face_cream", "--concentration", "1", "--pod", "100",
          "--pod-type", "LD50"], "expected one of: NOAEL"),
        (["qra", "--ec3", "3", "--human-noel", "10", "--product", "face_cream",
          "--concentration", "1", "--matrix", "3", "--use", "3"], "got both"),
        (["qra", "--ec3", "3", "--product", "face_cream", "--concentration", "-2",
          "--matrix", "3", "--use", "3"], "concentration -2.0"),
        (["sensitisation", "--dpra-call", "maybe"], "DPRA call 'maybe' cannot be read"),
        (["sensitisation", "--in-silico", "positive"], "without its tool"),
        (["sensitisation", "--approach", "kdpra", "--dpra-cys", "50"],
         "expected one of: 2o3, its, all"),
        (["sensitisation"], "No information source was given"),
        (["sensitisation", "--dpra-cys", "50", "--output", "x.csv"], "expected --file too"),
    ],
)  # fmt: skip
def test_broken_inputs_exit_2_with_the_message(args: list[str], message: str) -> None:
    code, out = invoke(*args)
    assert code == 2
    assert message in " ".join(out.split())


def test_broken_files_exit_2_with_the_message(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("compound,colour\nA,red\n")
    code, out = invoke("sensitisation", "--file", str(wrong))
    assert code == 2 and "none of the expected assay columns" in " ".join(out.split())
    good = tmp_path / "good.csv"
    good.write_text(BATCH)
    code, out = invoke("sensitisation", "--file", str(good), "--dpra-cys", "3")
    assert code == 2 and "--file was given with --dpra-cys" in out
    code, out = invoke("sensitisation", "--file", str(good), "--output", str(tmp_path / "r.doc"))
    assert code == 2 and "expected a file ending in" in out
