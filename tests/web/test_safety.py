"""Safety pages through the Django test client: defined approaches (one chemical and a batch job),
sensitisation QSAR (with and without installed models), SCCS margin of safety, sensitiser QRA and
the PDF safety summary. Batch jobs run in the test's process (``run_job.call``)."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from actives.knowledge import DataPack, build_pack
from actives.safety.models import installed_sensitisation_models
from actives.web.jobs.models import Job, JobStatus
from actives.web.jobs.runner import run_job

pytestmark = pytest.mark.django_db
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
CINNAMALDEHYDE = "O=C/C=C/c1ccccc1"
MODELS = bool(installed_sensitisation_models())
needs_models = pytest.mark.skipif(not MODELS, reason="sensitisation models not installed")

# A known sensitiser as the brief gives it: DPRA Cys 60 % / Lys 30 %, KeratinoSens positive,
# h-CLAT positive with an MIT of 5 ug/mL.
SENSITISER = {
    "ingredient": "Cinnamal",
    "dpra_origin": "measured",
    "dpra_cys": "60",
    "dpra_lys": "30",
    "ks_origin": "measured",
    "ks_call": "positive",
    "hclat_origin": "measured",
    "hclat_call": "positive",
    "hclat_mit": "5",
    "insilico_mode": "none",
    "log_kow_origin": "measured",
}
# The SCCS hand calculation: leave-on face cream, C = 1 %, default dermal absorption 50 %,
# A = 24.14 mg/kg bw/day (NoG Table 3A), oral NOAEL 100 mg/kg bw/day with 50 % oral absorption.
FACE_CREAM = {
    "ingredient": "Cinnamal",
    "product_type": "face_cream",
    "concentration": "1",
    "pod_value": "100",
    "pod_kind": "NOAEL",
    "pod_route": "oral",
    "absorption_basis": "default",
    "frequency": "1",
    "body_weight": "60",
}
QRA = {
    "ingredient": "Cinnamal",
    "nesil_basis": "ec3",
    "ec3": "1",
    "nesil_origin": "measured",
    "nesil_source": "invented EC3 for the test",
    "product_type": "face_cream",
    "concentration": "0.1",
    "saf_inter": "10",
    "saf_matrix": "3",
    "saf_use": "3",
    "saf_database": "1",
    "saf_rationale": "cream matrix, daily leave-on use",
}


@pytest.fixture
def safety_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(
        "actives.web.safety.services.get_settings", lambda: SimpleNamespace(home=tmp_path)
    )
    return tmp_path


@pytest.fixture
def no_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("actives.web.safety.services.sensitisation_models", lambda: [])


@pytest.fixture(scope="session")
def fixture_pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(RAW, tmp_path_factory.mktemp("packs"), workers=1))


def _text(response: Any) -> str:
    return response.content.decode()


def _pdf_fonts(content: bytes) -> set[str]:
    """Names of the fonts embedded in a PDF (WeasyPrint writes them into compressed streams)."""
    names = set(re.findall(rb"/FontName\s*/([\w+\-]+)", content))
    for match in re.finditer(rb"stream\r?\n", content):
        end = content.find(b"endstream", match.end())
        try:
            chunk = zlib.decompress(content[match.end() : end])
        except zlib.error:
            continue
        names.update(re.findall(rb"/FontName\s*/([\w+\-]+)", chunk))
    return {n.decode() for n in names}


def _upload(name: str, content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


# -- menu and index ----------------------------------------------------------------------------


def test_menu_links_the_safety_pages(client_a: Client) -> None:
    assert 'href="/safety/"' in _text(client_a.get("/"))
    text = _text(client_a.get("/safety/"))
    for link in ("/safety/sensitisation/", "/safety/qsar/", "/safety/mos/", "/safety/qra/"):
        assert f'href="{link}"' in text
    assert client_a.get("/modules/safety/")["Location"] == "/safety/"


def test_pages_need_a_login() -> None:
    response = Client().get("/safety/mos/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- defined approaches: one chemical ------------------------------------------------------------


def test_two_out_of_three_for_a_known_sensitiser_shows_the_rule_that_fired(
    client_a: Client,
) -> None:
    response = client_a.post("/safety/sensitisation/", SENSITISER)
    assert response.status_code == 200
    two, its = response.context["das"]
    assert two["r"].call == "sensitiser" and two["r"].category == "1"
    assert two["r"].rule_fired == (
        "DPRA and KeratinoSens both positive -> sensitiser (UN GHS Category 1)"
    )
    text = _text(response)
    assert "Rule that fired:" in text
    assert "DPRA and KeratinoSens both positive → sensitiser (UN GHS Category 1)" in text
    assert '<p class="call">Sensitiser</p>' in text
    # the DPRA step with its rule, threshold, outcome and source
    assert "mean of Cys 60 % and Lys 30 % depletion (negative values as 0) = 45.00 %" in text
    assert "positive when &gt; 6.38 %" in text and "OECD TG 442C" in text
    assert "h-CLAT" in two["r"].not_needed
    # the ITS: DPRA 45 % -> 3, h-CLAT MIT 5 ug/mL -> 3, no in silico: 6 -> 1A
    assert its["r"].category == "1A" and its["r"].score == 6
    assert "UN GHS Category 1A" in text and "MIT 5 µg/mL → score 3" in text
    assert "Measured:</strong> DPRA, KeratinoSens, h-CLAT" in text
    assert "Not a GL497 prediction" not in text
    session = client_a.session["safety_summary"]
    assert session["ingredient"] == "Cinnamal" and session["da"]["dpra_cys"] == "60"


def test_inconclusive_2o3_says_why(client_a: Client) -> None:
    data = {**SENSITISER, "ks_call": "negative", "hclat_call": "", "hclat_mit": ""}
    response = client_a.post("/safety/sensitisation/", data)
    two, _its = response.context["das"]
    assert two["r"].call == "inconclusive"
    text = _text(response)
    assert "Why inconclusive:" in text
    assert "DPRA (positive) and KeratinoSens (negative) are discordant" in text


def test_predicted_assay_results_are_flagged_as_not_a_gl497_prediction(client_a: Client) -> None:
    data = {**SENSITISER, "dpra_origin": "predicted", "dpra_source": "a QSAR of DPRA"}
    text = _text(client_a.post("/safety/sensitisation/", data))
    assert "Not a GL497 prediction." in text
    assert "Predicted, not measured: DPRA" in text
    assert "Predicted:</strong> DPRA" in text


def test_entered_in_silico_from_another_tool_is_labelled(client_a: Client) -> None:
    data = {**SENSITISER, "insilico_mode": "entered", "insilico_call": "positive",
            "insilico_tool": "VEGA", "insilico_domain": "in"}  # fmt: skip
    response = client_a.post("/safety/sensitisation/", data)
    _two, its = response.context["das"]
    assert its["r"].score == 7 and its["r"].category == "1A"
    assert "ITS with VEGA (not evaluated under GL497)" in _text(response)
    assert its["nonconformant"]


def test_broken_input_shows_field_errors_and_stores_nothing(client_a: Client) -> None:
    data = {**SENSITISER, "dpra_cys": "sixty", "dpra_lys": "130", "hclat_mit": "0",
            "log_kow": "abc"}  # fmt: skip
    response = client_a.post("/safety/sensitisation/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["dpra_cys"] == ["Expected a number from -100 to 100 (%)."]
    assert form.errors["dpra_lys"] == ["Expected a number from -100 to 100 (%)."]
    assert form.errors["hclat_mit"] == ["Expected a number above 0 and at most 5000 (µg/mL)."]
    assert form.errors["log_kow"] == ["Expected a number from -10 to 20."]
    text = _text(response)
    assert text.count('class="field-error"') == 4
    assert "each problem is shown next to its field" in text
    assert "das" not in response.context
    assert "safety_summary" not in client_a.session
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"dpra_lys": ""}, "dpra_lys", "tick “Cys only”"),
        ({"dpra_cys_only": "on"}, "dpra_lys", "leave the Lys depletion empty"),
        ({"hclat_cd86": "250"}, "hclat_cd54", "Expected both CD86 and CD54 RFI"),
        ({"hclat_call": "negative"}, "hclat_mit", "an MIT exists only for a positive h-CLAT"),
        ({"dpra_call": "negative"}, "dpra_call", "contradicts its values"),
        ({"insilico_mode": "entered"}, "insilico_call", "Expected the tool's call"),
        ({"insilico_mode": "qsar"}, "structure", "needs a structure"),
    ],
)
def test_inconsistent_assay_inputs_are_refused_at_the_field(
    client_a: Client, change: dict[str, str], field: str, expected: str
) -> None:
    response = client_a.post("/safety/sensitisation/", {**SENSITISER, **change})
    assert response.status_code == 400
    assert expected in " ".join(response.context["form"].errors[field])
    assert "safety_summary" not in client_a.session


def test_no_information_source_at_all(client_a: Client) -> None:
    response = client_a.post("/safety/sensitisation/", {"insilico_mode": "none"})
    assert response.status_code == 400
    assert "Enter at least one information source" in _text(response)


def test_actives_qsar_without_models_says_how_to_install_them(client_a: Client, no_models) -> None:
    data = {**SENSITISER, "insilico_mode": "qsar", "structure": CINNAMALDEHYDE}
    response = client_a.post("/safety/sensitisation/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["insilico_mode"] == [
        "QSAR models not installed: run make models"
    ]
    # the page itself still works without models
    assert client_a.get("/safety/sensitisation/").status_code == 200


@needs_models
def test_actives_qsar_as_in_silico_source_is_never_a_gl497_result(client_a: Client) -> None:
    data = {**SENSITISER, "insilico_mode": "qsar", "structure": CINNAMALDEHYDE}
    response = client_a.post("/safety/sensitisation/", data)
    assert response.status_code == 200
    _two, its = response.context["das"]
    assert "not evaluated under GL497" in its["r"].variant
    assert not its["r"].guideline_conformant
    text = _text(response)
    assert "Not a GL497 prediction." in text and "Actives QSAR skin_sens_llna" in text
    assert "P(positive)" in text  # the probability travels with the call as its source


def test_da_page_in_korean(client_a: Client) -> None:
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    text = _text(client_a.post("/safety/sensitisation/", SENSITISER))
    assert "피부 감작" in text and "감작성 물질" in text and "적용된 규칙" in text


# -- defined approaches: a batch job --------------------------------------------------------------

BATCH = (
    b"name,dpra_cys,dpra_lys,keratinosens_call,hclat_call,hclat_mit,in_silico_call,in_silico_tool\n"
    b"cinnamal,60,30,positive,positive,5,positive,Derek Nexus\n"
    b"glycerol,1,0,negative,negative,,negative,Derek Nexus\n"
    b"broken,sixty,30,positive,positive,5,,\n"
)


def test_batch_runs_as_a_job_with_per_row_status_and_downloads(
    client_a: Client, safety_home: Path
) -> None:
    response = client_a.post("/safety/sensitisation/batch/", {"file": _upload("da.csv", BATCH)})
    job = Job.objects.get(kind="safety_da_batch")
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error_message
    assert job.result["rows"] == 3 and job.result["ok"] == 2 and job.result["errors"] == 1
    panel = _text(client_a.get(f"/jobs/{job.pk}/"))
    assert "3 rows: 2 run, 1 with errors." in panel and "dpra_cys" in panel

    page = client_a.get(f"/safety/sensitisation/batch/{job.pk}/")
    rows = {r["name"]: r for r in page.context["rows"]}
    assert rows["cinnamal"]["da_2o3_call"] == "sensitiser"
    assert rows["cinnamal"]["da_its_category"] == "1A"
    assert rows["glycerol"]["da_2o3_call"] == "non-sensitiser"
    assert (
        rows["broken"]["status"] == "error"
        and "dpra_cys 'sixty' in row 4" in (rows["broken"]["message"])
    )
    text = _text(page)
    assert "DPRA and KeratinoSens both positive" in text and 'class="row-error"' in text
    errors_only = client_a.get(f"/safety/sensitisation/batch/{job.pk}/", {"status": "error"})
    assert [r["name"] for r in errors_only.context["rows"]] == ["broken"]

    csv = b"".join(client_a.get(f"/safety/sensitisation/batch/{job.pk}/download.csv")
                   .streaming_content).decode()  # fmt: skip
    assert "da_2o3_rule" in csv and "cinnamal" in csv and "error" in csv
    xlsx = client_a.get(f"/safety/sensitisation/batch/{job.pk}/download.xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    about = dict(list(book["about"].values))
    assert about["input file"] == "da.csv"
    assert client_a.get(f"/safety/sensitisation/batch/{job.pk}/download.doc").status_code == 404


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (("results.pdf", b"%PDF-1.4"), "expected a file ending in .csv, .tsv, .txt, .xlsx"),
        (("da.csv", b"name,colour\nx,red\n"), "has none of the expected assay columns"),
        (("da.csv", b""), "is empty"),
    ],
)
def test_unreadable_batch_files_are_refused_and_not_kept(
    client_a: Client, safety_home: Path, upload: tuple[str, bytes], expected: str
) -> None:
    response = client_a.post("/safety/sensitisation/batch/", {"file": _upload(*upload)})
    assert response.status_code == 400
    assert expected in " ".join(response.context["batch_form"].errors["file"])
    assert not Job.objects.exists()
    assert not any((safety_home / "safety").glob("*/*"))


def test_batch_templates(client_a: Client) -> None:
    csv = client_a.get("/safety/sensitisation/batch/template.csv")
    header = csv.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("name,smiles,dpra_cys,dpra_lys,dpra_call,keratinosens_call")
    assert "invented values" in csv.content.decode("utf-8-sig")
    xlsx = client_a.get("/safety/sensitisation/batch/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "name" and sheet.max_row == 3
    assert client_a.get("/safety/sensitisation/batch/template.pdf").status_code == 404


# -- sensitisation QSAR ---------------------------------------------------------------------------


def test_qsar_page_without_models_shows_the_empty_state(client_a: Client, no_models) -> None:
    response = client_a.get("/safety/qsar/")
    assert response.status_code == 200
    assert "QSAR models not installed: run make models" in _text(response)
    response = client_a.get("/safety/qsar/", {"q": CINNAMALDEHYDE})
    assert response.status_code == 409
    assert "QSAR models not installed: run make models" in _text(response)
    assert "safety_summary" not in client_a.session


@needs_models
def test_qsar_page_shows_probabilities_sets_domain_and_measured_data(
    client_a: Client, fixture_pack: DataPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("actives.web.safety.services.pack_or_none", lambda: fixture_pack)
    monkeypatch.setattr("actives.web.safety.views.pack_or_none", lambda: fixture_pack)
    response = client_a.get("/safety/qsar/", {"q": CINNAMALDEHYDE})
    assert response.status_code == 200
    models = response.context["models_found"]
    assert {m["call"].endpoint for m in models} == set(installed_sensitisation_models())
    for m in models:
        probabilities = [p for _c, p in m["probabilities"]]
        assert abs(sum(probabilities) - 1) < 1e-6
        assert set(m["call"].prediction_set) <= set(m["call"].classes)
    text = _text(response)
    assert "Not a GL497 prediction." in text and "nearest training compound" in text
    measured = {r["title"]: r for r in response.context["measured"]}
    if "sensitisation" in fixture_pack.tables:  # a pack built with the sensitisation data
        assert "DPRA cysteine peptide depletion" in measured
        assert fixture_pack.version in response.context["measured_note"]
    else:
        assert response.context["measured_note"]
    assert client_a.session["safety_summary"]["qsar"]["q"] == CINNAMALDEHYDE


def test_qsar_refuses_what_is_not_a_structure(client_a: Client) -> None:
    if not MODELS:
        pytest.skip("sensitisation models not installed")
    response = client_a.get("/safety/qsar/", {"q": "C1CC"})
    assert response.status_code == 422
    assert "unclosed ring" in _text(response)


# -- margin of safety ----------------------------------------------------------------------------


def test_face_cream_reproduces_the_hand_calculation(client_a: Client, no_models) -> None:
    response = client_a.post("/safety/mos/", FACE_CREAM)
    assert response.status_code == 200
    result = response.context["mos"]
    assert result.sed_mg_kg_day == pytest.approx(0.1207)
    assert result.pod_systemic_mg_kg_day == pytest.approx(50.0)
    assert result.mos == pytest.approx(414.25, abs=0.01)
    text = _text(response)
    assert '<p class="value" id="sed">0.1207</p>' in text
    assert '<p class="value" id="mos">414</p>' in text
    assert "MoS 414 ≥ 100: acceptable" in text
    assert "SED = A × C/100 × DAp/100" in text
    assert "SED = 24.14 × 1/100 × 50/100 = 0.1207 mg/kg bw/day" in text
    assert "PoD_sys = 100 × 50/100 = 50 mg/kg bw/day" in text
    # each input with value, unit and source
    assert "24.14" in text and "Table 3A" in text and "default 50 % oral absorption" in text
    assert "Face cream" in text and "1.54" in text  # the product type's amount per day


def test_margin_below_100_is_not_acceptable(client_a: Client) -> None:
    response = client_a.post("/safety/mos/", {**FACE_CREAM, "concentration": "10"})
    assert response.context["mos"].acceptable is False
    assert "MoS 41.4 is below 100: not acceptable" in _text(response)


def test_measured_absorption_bases(client_a: Client) -> None:
    measured = client_a.post(
        "/safety/mos/",
        {**FACE_CREAM, "absorption_basis": "measured_percent", "absorption_percent": "10",
         "absorption_reference": "invented TG 428 study"},
    )  # fmt: skip
    assert measured.context["mos"].sed_mg_kg_day == pytest.approx(24.14 * 0.01 * 0.10)
    amount = client_a.post(
        "/safety/mos/",
        {**FACE_CREAM, "absorption_basis": "measured_amount", "absorbed_ug_cm2": "2",
         "frequency": "2", "body_weight": "50"},
    )  # fmt: skip
    # SED = DAa x 1e-3 x SSA x F / bw with the face cream's 565 cm2
    assert amount.context["mos"].sed_mg_kg_day == pytest.approx(2 * 1e-3 * 565 * 2 / 50)
    assert "SED = DAa × 1e-3 × SSA × F / bw" in _text(amount)


def test_broken_mos_input_shows_field_errors_and_stores_nothing(client_a: Client) -> None:
    response = client_a.post(
        "/safety/mos/",
        {**FACE_CREAM, "concentration": "150", "pod_value": "", "product_type": "soup",
         "body_weight": "0"},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["concentration"] == ["Expected a number above 0 and at most 100 (%)."]
    assert errors["pod_value"] == ["Expected the point of departure (mg/kg bw/day)."]
    assert "soup is not a product type" in errors["product_type"][0]
    assert errors["body_weight"] == ["Expected a number above 0 and at most 500 (kg)."]
    assert "safety_summary" not in client_a.session


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"body_weight": "70"}, "body_weight", "Expected 60 kg here"),
        ({"absorption_basis": "measured_percent"}, "absorption_percent", "Expected the measured"),
        ({"absorption_basis": "measured_amount"}, "absorbed_ug_cm2", "Expected the measured"),
        ({"absorption_basis": "predicted"}, "structure", "needs the structure"),
        ({"structure": "C1CC"}, "structure", "unclosed ring"),
        (
            {"absorption_basis": "predicted", "structure": "CCO", "product_type": "toothpaste"},
            "product_type",
            "has no skin surface area",
        ),
    ],
)
def test_inconsistent_mos_inputs_are_refused_at_the_field(
    client_a: Client, change: dict[str, str], field: str, expected: str
) -> None:
    response = client_a.post("/safety/mos/", {**FACE_CREAM, **change})
    assert response.status_code == 400
    assert expected in " ".join(response.context["form"].errors[field])


def test_predicted_dermal_absorption_states_its_method(client_a: Client) -> None:
    response = client_a.post(
        "/safety/mos/", {**FACE_CREAM, "absorption_basis": "predicted", "structure": "CCO"}
    )
    assert response.status_code == 200, response.context["form"].errors
    text = _text(response)
    assert "skin_logkp" in text and "Fick" in text and "Predicted skin permeability" in text
    assert response.context["log_kp"]["in_domain"] in (True, False)
    inputs = {q["name"]: q for q in response.context["mos_inputs"]}
    assert inputs["product applied per area"]["origin"] == "table"  # from the product type


def test_product_type_fragment(client_a: Client) -> None:
    text = _text(client_a.get("/safety/product-type/", {"product_type": "body_lotion"}))
    assert "Body lotion" in text and "123.2" in text and "Table 3A" in text
    assert client_a.get("/safety/product-type/", {"product_type": "soup"}).status_code == 404


# -- sensitiser QRA -----------------------------------------------------------------------------


def test_qra_from_an_ec3(client_a: Client) -> None:
    response = client_a.post("/safety/qra/", QRA)
    assert response.status_code == 200
    result = response.context["qra"]
    per_area = 1.54 * 1.0 * 1000 / 565  # face cream, mg/cm2/day
    assert result.nesil_ug_cm2 == pytest.approx(250.0)
    assert result.saf_total == pytest.approx(90.0)
    assert result.ael_ug_cm2 == pytest.approx(250 / 90)
    assert result.cel_ug_cm2_day == pytest.approx(per_area * 0.1 * 10)
    assert result.max_concentration_percent == pytest.approx(250 / 90 / (per_area * 10))
    text = _text(response)
    assert '<p class="value" id="ael">2.778</p>' in text
    assert '<p class="value" id="cel">2.726</p>' in text
    assert '<p class="value" id="ratio">1.02</p>' in text
    assert "AEL ≥ CEL: acceptable" in text
    assert "LLNA EC3 1 % x 250 ug/cm2 per % = 250 ug/cm2" not in text  # units written out
    assert "LLNA EC3 1 % × 250 µg/cm² per % = 250 µg/cm²" in text


def test_qra_needs_chosen_factors_and_a_nesil(client_a: Client) -> None:
    response = client_a.post("/safety/qra/", {**QRA, "saf_matrix": "", "ec3": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["saf_matrix"] == ["Choose the matrix factor: 1, 3 or 10 (Api et al. 2008)."]
    human = client_a.post("/safety/qra/", {**QRA, "nesil_basis": "human", "ec3": ""})
    assert human.context["form"].errors["human_noel"] == [
        "Expected the human NOEL (µg/cm²), above 0."
    ]


# -- the safety summary and its PDF ---------------------------------------------------------------


def test_summary_collects_one_ingredient_and_prints_a_pdf(client_a: Client) -> None:
    assert client_a.get("/safety/summary.pdf").status_code == 409  # nothing yet
    client_a.post("/safety/sensitisation/", {**SENSITISER, "structure": CINNAMALDEHYDE})
    client_a.post("/safety/mos/", FACE_CREAM)
    client_a.post("/safety/qra/", QRA)
    page = client_a.get("/safety/summary/")
    text = _text(page)
    assert "<h1>Cinnamal</h1>" in text
    assert "DPRA and KeratinoSens both positive" in text and "0.1207" in text
    assert "2.778" in text and "do not replace a safety assessment" in text
    assert "data:image/svg+xml;base64," in text  # the structure, drawn
    pdf = client_a.get("/safety/summary.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Cinnamal_safety_summary_" in pdf["Content-Disposition"]


def test_summary_pdf_in_korean(client_a: Client) -> None:
    from actives.reports.pdf import korean_font

    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    client_a.post("/safety/mos/", {**FACE_CREAM, "ingredient": "신남알데하이드"})
    page = _text(client_a.get("/safety/summary/"))
    assert "안전성 요약" in page and "신남알데하이드" in page
    pdf = client_a.get("/safety/summary.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    font = korean_font()
    if font is None:
        pytest.skip("no Korean font installed: the PDF says so instead of rendering Korean")
    assert any(font.replace(" ", "-") in name for name in _pdf_fonts(pdf.content))


def test_a_result_for_another_ingredient_starts_a_new_summary(client_a: Client) -> None:
    client_a.post("/safety/mos/", FACE_CREAM)
    response = client_a.post("/safety/qra/", {**QRA, "ingredient": "Isoeugenol"})
    assert "the results for Cinnamal were set aside" in _text(response)
    summary = client_a.session["safety_summary"]
    assert summary["ingredient"] == "Isoeugenol" and "mos" not in summary
    client_a.post("/safety/summary/clear/")
    assert "safety_summary" not in client_a.session
