"""Prediction pages and API with the shipped models and a pack built from the fixtures."""

import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from actives.knowledge import DataPack, build_pack
from actives.web.accounts.models import ApiToken
from actives.web.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
QUERCETIN = "O=c1c(O)c(-c2ccc(O)c(O)c2)oc2cc(O)cc(O)c12"
ARBUTIN = "BJRNKVDFDLYUGJ-RMPHRYRLSA-N"


@pytest.fixture(scope="session")
def fixture_pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(RAW, tmp_path_factory.mktemp("packs"), workers=1))


@pytest.fixture
def with_pack(fixture_pack: DataPack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> DataPack:
    monkeypatch.setattr("actives.web.predictions.services.pack_or_none", lambda: fixture_pack)
    monkeypatch.setattr("actives.web.predictions.views.pack_or_none", lambda: fixture_pack)
    monkeypatch.setattr(
        "actives.web.predictions.services.get_settings", lambda: SimpleNamespace(home=tmp_path)
    )
    return fixture_pack


def _bearer(user) -> dict[str, str]:
    _token, raw = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {raw}"}


def test_index_lists_the_shipped_models(client_a, with_pack) -> None:
    text = client_a.get("/predictions/").content.decode()
    assert "COX-2 inhibition" in text and "Human skin permeability" in text
    assert "anti-inflammatory" in text and "shipped" in text
    assert 'href="/predictions/models/cox2/"' in text


def test_molecule_page_shows_values_domain_evidence_and_atoms(client_a, with_pack) -> None:
    response = client_a.get("/predictions/molecule/", {"q": QUERCETIN, "confidence": "0.8"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "REFJWTPEDVJJIY-UHFFFAOYSA-N" in text and "80 % conformal prediction interval" in text
    assert text.count('class="ad ad-') == 4  # an AD badge per endpoint
    assert "This compound was measured: 4.50 (one value)." in text  # the DPPH fixture value
    assert 'href="https://doi.org/10.1/a"' in text
    assert "Green atoms raise the prediction" in text and text.count("<svg") >= 6
    assert 'class="profile"' in text


def test_molecule_page_resolves_names_and_explains_errors(client_a, with_pack) -> None:
    by_name = client_a.get("/predictions/molecule/", {"q": "arbutin"})
    assert by_name.status_code == 200 and ARBUTIN in by_name.content.decode()
    for query, expected in [("C1CC", "unclosed ring"), ("no such thing", "neither a structure")]:
        response = client_a.get("/predictions/molecule/", {"q": query})
        assert response.status_code == 422 and expected in response.content.decode()
    assert client_a.get("/predictions/molecule/").status_code == 400
    assert (
        client_a.get("/predictions/molecule/", {"q": "CCO", "confidence": "2"}).status_code == 400
    )


def test_model_card_page(client_a, with_pack) -> None:
    text = client_a.get("/predictions/models/mmp1/").content.decode()
    assert "Model card: MMP-1" in text and "aggregated to one row per InChIKey" in text
    assert "outside the applicability domain" in text and "AUROC" in text
    assert client_a.get("/predictions/models/tyrosinase/").status_code == 404


def test_batch_upload_rejects_what_is_not_a_structure_file(client_a, with_pack) -> None:
    response = client_a.post(
        "/predictions/batch/", {"file": io.BytesIO(b"x"), "confidence": "0.9"}, follow=True
    )
    assert (
        b"This field is required" in response.content or b"not a structure file" in response.content
    )
    upload = io.BytesIO(b"%PDF-1.4")
    upload.name = "report.pdf"
    response = client_a.post("/predictions/batch/", {"file": upload}, follow=True)
    assert "report.pdf is not a structure file" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_batch_runs_on_the_worker_and_downloads(client_a, member_b, with_pack) -> None:
    upload = io.BytesIO(
        b"name,smiles\nphenol,Oc1ccccc1\nbroken,C1CC\nquercetin," + QUERCETIN.encode()
    )
    upload.name = "library.csv"
    response = client_a.post("/predictions/batch/", {"file": upload, "confidence": "0.9"})
    job = Job.objects.get(kind="predict_batch")
    assert response["Location"] == f"/jobs/{job.pk}/"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error_message
    assert job.result["rows"] == 3 and job.result["errors"] == 1
    page = client_a.get(f"/jobs/{job.pk}/").content.decode()
    assert "3 structures read: 2 predicted, 1 with an error message." in page
    results = client_a.get(f"/predictions/batch/{job.pk}/").content.decode()
    assert "unclosed ring" in results and "quercetin" in results
    csv_text = b"".join(client_a.get(f"/predictions/batch/{job.pk}/download.csv").streaming_content)
    lines = csv_text.decode().splitlines()
    assert lines[0].startswith("row,input,title,status") and len(lines) == 4
    xlsx = b"".join(client_a.get(f"/predictions/batch/{job.pk}/download.xlsx").streaming_content)
    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    assert len(list(book["predictions"].values)) == 4
    assert ("data pack", with_pack.version) in list(book["about"].values)
    assert client_a.get(f"/predictions/batch/{job.pk}/download.doc").status_code == 404
    other = Client()
    other.force_login(member_b)  # another company sees neither the job nor its results
    assert other.get(f"/predictions/batch/{job.pk}/").status_code == 404
    assert other.get(f"/predictions/batch/{job.pk}/download.csv").status_code == 404
    api = Client().get(
        f"/api/predictions/batch/{job.pk}/download?format=sdf", headers=_bearer(member_b)
    )
    assert api.status_code == 404


def test_api_models_and_cards(member_a, with_pack) -> None:
    headers = _bearer(member_a)
    models = Client().get("/api/predictions/models", headers=headers).json()
    assert {m["id"] for m in models} >= {"cox2", "mmp1", "dpph", "skin_logkp"}
    card = Client().get("/api/predictions/models/dpph", headers=headers).json()
    assert card["curation"][0]["name"] == "input rows"
    missing = Client().get("/api/predictions/models/tyrosinase", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "model_missing"


def test_api_predict_batch_of_structures(member_a, with_pack) -> None:
    response = Client().post(
        "/api/predictions",
        data=json.dumps({"structures": ["Oc1ccccc1", "C1CC"], "endpoints": ["dpph"]}),
        content_type="application/json",
        headers=_bearer(member_a),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["endpoints"] == ["dpph"] and body["pack"] == with_pack.version
    ok, bad = body["rows"]
    assert ok["status"] == "ok" and ok["dpph_low"] < ok["dpph_value"] < ok["dpph_high"]
    assert bad["status"] == "error" and "unclosed ring" in bad["message"]
    assert bad["dpph_value"] is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"structures": []}, 422, "invalid_input"),
        ({"structures": ["CCO"], "endpoints": ["tyrosinase"]}, 422, "invalid_input"),
        ({"structures": ["CCO"], "confidence": 1.5}, 422, "invalid_input"),
        ({"structures": ["CCO"] * 1001}, 422, "invalid_input"),
        ({"smiles": "CCO"}, 422, "invalid_input"),
    ],
)
def test_api_predict_refuses_bad_bodies(member_a, with_pack, body, status, code) -> None:
    response = Client().post(
        "/api/predictions",
        data=json.dumps(body),
        content_type="application/json",
        headers=_bearer(member_a),
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["detail"]


def test_api_explain(member_a, with_pack) -> None:
    headers = _bearer(member_a)
    response = Client().post("/api/predictions/explain", data=json.dumps({"structure": "arbutin"}),
                             content_type="application/json", headers=headers)  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["inchikey"] == ARBUTIN and body["name"]
    dpph = next(e for e in body["endpoints"] if e["endpoint"] == "dpph")
    assert len(dpph["atom_contributions"]) > 10 and isinstance(dpph["in_domain"], bool)
    assert all(n["similarity"] <= 1 for n in dpph["neighbours"])
    bad = Client().post("/api/predictions/explain", data=json.dumps({"structure": "C1CC"}),
                        content_type="application/json", headers=headers)  # fmt: skip
    assert bad.status_code == 422 and "unclosed ring" in bad.json()["detail"]


def test_api_batch_upload(member_a, with_pack) -> None:
    headers = _bearer(member_a)
    upload = io.BytesIO(b"CCO ethanol\n")
    upload.name = "x.smi"
    response = Client().post("/api/predictions/batch", {"file": upload}, headers=headers)
    assert response.status_code == 202, response.content
    assert response.json()["kind"] == "predict_batch" and response.json()["status"] == "queued"
    pdf = io.BytesIO(b"%PDF")
    pdf.name = "x.pdf"
    refused = Client().post("/api/predictions/batch", {"file": pdf}, headers=headers)
    assert refused.status_code == 422 and "not a structure file" in refused.json()["detail"]
    missing = Client().post("/api/predictions/batch", {}, headers=headers)
    assert missing.status_code == 422
    not_ready = Client().get(
        f"/api/predictions/batch/{response.json()['id']}/download", headers=headers
    )
    assert not_ready.status_code == 404
    bad_id = Client().get("/api/predictions/batch/123/download", headers=headers)
    assert bad_id.status_code == 422
