"""/api/safety through the Django test client: the DA registry, one chemical and a file, QSAR
predictions, product types, margin of safety, QRA and refused bodies (tiny models stand in for
the shipped sensitisation and skin_logkp models)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from actives.safety.models import QSAR_TOOL
from tests.unit.safety.toy_models import POSITIVE_LIKE, build_toy_models
from tests.web.api_client import ok, post

pytestmark = pytest.mark.django_db

# A clear sensitiser in all three assays (invented values, not a study's).
SENSITISER = {"dpra_cys": 88, "dpra_lys": 45, "keratinosens_call": "positive",
              "keratinosens_imax": 8, "hclat_cd86_rfi": 350, "hclat_cd54_rfi": 420,
              "hclat_mit": 12}  # fmt: skip
FACE_CREAM = {"product": "face_cream", "concentration_percent": 1, "pod_mg_kg_day": 100,
              "pod_type": "NOAEL", "pod_route": "oral"}  # fmt: skip


@pytest.fixture(scope="module")
def toy_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_toy_models(tmp_path_factory.mktemp("safety-api-models"))


@pytest.fixture
def with_models(toy_models: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(toy_models))
    monkeypatch.setattr("actives.web.api.safety.pack_or_none", lambda: None)
    return toy_models


def test_safety_routes_need_a_login() -> None:
    response = Client().get("/api/safety/products")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_defined_approaches_come_from_the_registry(headers: dict[str, str]) -> None:
    found = ok(Client().get("/api/safety/defined-approaches", headers=headers))
    assert [a["id"] for a in found] == ["2o3", "its"]
    assert found[0]["information_sources"] == ["DPRA", "KeratinoSens", "h-CLAT"]
    assert "Guideline No. 497" in found[1]["guideline"]


def test_2o3_shows_call_rule_steps_and_sourced_inputs(headers: dict[str, str]) -> None:
    body = ok(post("/api/safety/sensitisation", {**SENSITISER, "approach": "2o3"}, headers))
    (result,) = body["results"]
    assert body["qsar"] is None
    assert result["call"] == "sensitiser" and result["category"] == "1"
    assert result["rule_fired"].startswith("DPRA and KeratinoSens both positive -> sensitiser")
    assert result["not_needed"] == ["h-CLAT"] and result["inconclusive_reason"] is None
    assert [s["title"] for s in result["steps"]] == [
        "DPRA result (TG 442C)", "KeratinoSens result (TG 442D)", "h-CLAT result (TG 442E)",
        "2 out of 3 decision", "Potency"]  # fmt: skip
    assert all(s["rule"] is not None and s["source"] for s in result["steps"])
    assert {q["origin"] for q in result["inputs"]} == {"measured"}
    assert {q["source"] for q in result["inputs"]} == {"API request"}
    assert result["measured_inputs"] == ["DPRA", "KeratinoSens", "h-CLAT"]
    inconclusive = ok(post("/api/safety/sensitisation", {"dpra_cys": 90, "dpra_lys": 60,
                                                         "keratinosens_call": "neg",
                                                         "approach": "2o3"}, headers))  # fmt: skip
    (result,) = inconclusive["results"]
    assert result["call"] == "inconclusive" and result["category"] is None
    assert "discordant" in result["inconclusive_reason"]


def test_all_approaches_and_the_its_score(headers: dict[str, str]) -> None:
    body = ok(post("/api/safety/sensitisation", SENSITISER, headers))
    two, its = body["results"]
    assert two["approach"] == "2o3" and its["approach"] == "ITS"
    # DPRA mean 66.5 % -> 3, MIT 12 ug/mL -> 2, no in silico: total 5 -> 1*
    assert its["score"] == 5 and its["category"] == "1*"


def test_qsar_fills_the_in_silico_slot(headers: dict[str, str], with_models: Path) -> None:
    body = ok(post("/api/safety/sensitisation", {"dpra_cys": 88, "dpra_lys": 45, "hclat_mit": 12,
                                                 "qsar_structure": POSITIVE_LIKE,
                                                 "approach": "its"}, headers))  # fmt: skip
    assert body["qsar"]["tool"] == QSAR_TOOL and body["qsar"]["smiles"]
    (its,) = body["results"]
    assert its["guideline_conformant"] is False and "not evaluated" in its["variant"]


def test_missing_sensitisation_model_is_404_with_how_to_get_it(
    headers: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ACTIVES_MODELS_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("ACTIVES_HOME", str(tmp_path / "home"))
    response = post("/api/safety/predict", {"structures": ["CCO"]}, headers)
    assert response.status_code == 404 and response.json()["code"] == "model_missing"
    assert "make models" in response.json()["detail"]


def test_predict_gives_each_model_with_set_and_domain(
    headers: dict[str, str], with_models: Path
) -> None:
    rows = ok(post("/api/safety/predict", {"structures": [POSITIVE_LIKE, "C1CC"],
                                           "confidence": 0.8}, headers))  # fmt: skip
    good, bad = rows
    (llna,) = good["models"]
    assert llna["endpoint"] == "skin_sens_llna"
    assert sum(llna["probabilities"].values()) == pytest.approx(1.0)
    assert set(llna["prediction_set"]) <= {"negative", "positive"}
    assert isinstance(llna["in_domain"], bool)
    assert good["measured"] == [] and "No data pack" in good["measured_note"]
    assert bad["status"] == "error" and "unclosed ring" in bad["message"]


def test_products_list_the_sccs_table(headers: dict[str, str]) -> None:
    rows = {r["id"]: r for r in ok(Client().get("/api/safety/products", headers=headers))}
    face = rows["face_cream"]
    assert face["exposure_mg_kg_day"] == 24.14 and "Table 3A" in face["source"]
    assert face["amount_per_area_mg_cm2_day"] == pytest.approx(1.54 * 1000 / 565)
    assert rows["toothpaste"]["amount_per_area_mg_cm2_day"] is None


def test_face_cream_margin_of_safety_by_hand(headers: dict[str, str]) -> None:
    # SCCS: SED = A x C/100 x DAp/100 (A = 24.14 mg/kg bw/day, C = 1 %, default DAp 50 %);
    # PoD_sys = oral NOAEL 100 x 50 % oral absorption; MoS = PoD_sys / SED
    sed = 24.14 * 1 / 100 * 50 / 100
    mos = 100 * 0.5 / sed
    body = ok(post("/api/safety/mos", FACE_CREAM, headers))
    assert body["sed_mg_kg_day"] == pytest.approx(sed) and sed == pytest.approx(0.1207)
    assert body["mos"] == pytest.approx(mos) and round(body["mos"], 1) == 414.3
    assert body["acceptable"] is True and body["conclusion"].startswith("MoS 414.3 >= 100")
    sources = {q["name"]: q for q in body["inputs"]}
    assert sources["dermal absorption"]["origin"] == "default"
    assert "Table 3A" in sources["relative daily exposure A"]["source"]
    assert body["steps"][-1]["title"] == "Margin of safety"


def test_mos_with_a_dermal_absorption_predicted_from_a_structure(
    headers: dict[str, str], with_models: Path
) -> None:
    body = ok(post("/api/safety/mos", {**FACE_CREAM, "predict_from": "OCCCc1ccccc1"}, headers))
    log_kp = next(q for q in body["inputs"] if q["name"] == "log Kp")
    assert log_kp["origin"] == "predicted" and "skin_logkp" in log_kp["source"]
    assert body["steps"][1]["title"] == "Predicted skin permeability"


def test_qra_from_an_ec3(headers: dict[str, str]) -> None:
    body = ok(post("/api/safety/qra", {"ec3_percent": 3, "product": "face_cream",
                                       "concentration_percent": 0.5, "matrix": 3,
                                       "use": 3}, headers))  # fmt: skip
    per_area = 1.54 * 1000 / 565  # mg/cm2/day
    assert body["nesil_ug_cm2"] == pytest.approx(750) and body["saf_total"] == 90
    assert body["ael_cel_ratio"] == pytest.approx((750 / 90) / (per_area * 0.5 * 10))
    assert body["acceptable"] is False and body["steps"][0]["title"] == "NESIL"


def _upload(name: str, content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def test_batch_upload_answers_rows_with_their_status(headers: dict[str, str]) -> None:
    csv = (b"name,dpra_cys,dpra_lys,keratinosens_call,hclat_call\n"
           b"sensitiser,88,45,positive,positive\nbroken,88,45,maybe,positive\n")  # fmt: skip
    body = ok(Client().post("/api/safety/sensitisation/batch",
                            {"file": _upload("assays.csv", csv)}, headers=headers))  # fmt: skip
    assert body["file"] == "assays.csv" and body["total"] == 2 and body["errors"] == 1
    first, second = body["rows"]
    assert first["status"] == "ok" and first["da_2o3_call"] == "sensitiser"
    assert second["status"] == "error" and "keratinosens_call 'maybe' in row 3" in second["message"]
    wrong = Client().post("/api/safety/sensitisation/batch",
                          {"file": _upload("colours.csv", b"compound,colour\nA,red\n")},
                          headers=headers)  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_file"
    assert "colours.csv has none of the expected assay columns" in wrong.json()["detail"]
    suffix = Client().post("/api/safety/sensitisation/batch",
                           {"file": _upload("assays.pdf", csv)}, headers=headers)  # fmt: skip
    assert suffix.status_code == 400 and "expected a file ending in" in suffix.json()["detail"]


@pytest.mark.parametrize(
    ("url", "body", "status", "words"),
    [
        ("/api/safety/mos", "{not json", 400, "expected a JSON object"),
        ("/api/safety/mos", {"product": "face_cream", "concentration_percent": 1}, 422,
         "pod_mg_kg_day"),
        ("/api/safety/mos", {**FACE_CREAM, "concentration_percent": -1}, 422,
         "concentration -1"),
        ("/api/safety/mos", {**FACE_CREAM, "product": "face_creme"}, 422,
         "Unknown product type 'face_creme'"),
        ("/api/safety/mos", {**FACE_CREAM, "pod_route": "inhalation"}, 422, "pod_route"),
        ("/api/safety/qra", {"ec3_percent": 3, "product": "face_cream",
                             "concentration_percent": 1, "matrix": 3}, 422, "use"),
        ("/api/safety/qra", {"ec3_percent": 3, "product": "shampooo",
                             "concentration_percent": 1, "matrix": 3, "use": 3}, 422,
         "Unknown product type"),
        ("/api/safety/sensitisation", {"dpra_call": "maybe"}, 422, "cannot be read"),
        ("/api/safety/sensitisation", {"dpra_cys": "lots"}, 422, "dpra_cys"),
        ("/api/safety/sensitisation", {"in_silico_call": "positive"}, 422, "without its tool"),
        ("/api/safety/sensitisation", {"dpra_cys": 50, "approach": "kdpra"}, 422,
         "expected one of: 2o3, its, all"),
        ("/api/safety/sensitisation", {}, 422, "No information source"),
        ("/api/safety/predict", {"structures": []}, 422, "structures"),
    ],
)  # fmt: skip
def test_broken_bodies_are_refused_with_a_detail(
    headers: dict[str, str], url: str, body: Any, status: int, words: str
) -> None:
    response = post(url, body, headers)
    assert response.status_code == status, response.content
    answer = response.json()
    assert words in answer["detail"] and answer["code"]


def test_openapi_documents_the_safety_schemas() -> None:
    schema = Client().get("/api/openapi.json").json()
    for path in ("/api/safety/defined-approaches", "/api/safety/sensitisation",
                 "/api/safety/sensitisation/batch", "/api/safety/predict",
                 "/api/safety/products", "/api/safety/mos", "/api/safety/qra"):  # fmt: skip
        assert path in schema["paths"], path
    mos_in = schema["components"]["schemas"]["MoSIn"]["properties"]
    assert "mg/kg bw/day" in mos_in["pod_mg_kg_day"]["description"]
    assert set(mos_in["pod_route"]["enum"]) == {"oral", "dermal", "systemic"}
    assert "face_cream" in mos_in["product"]["description"]
