"""Discovery pages and API on the raw-data fixtures' pack (Morus alba, Morus nigra,
Arctostaphylos uva-ursi) with the shipped models; whitening has no model, so it is scored by
similarity to the reference actives. Jobs run in the test's process (``run_job.call``)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook

from actives.knowledge import DataPack, build_pack
from actives.web.accounts.models import ApiToken
from actives.web.jobs.models import Job, JobStatus
from actives.web.jobs.runner import run_job

pytestmark = pytest.mark.django_db
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
RESVERATROL = "Oc1ccc(/C=C/c2cc(O)cc(O)c2)cc1"
PLANT = {"name": "morus alba", "functions": ["antioxidant", "whitening"], "rule": "p_active"}


@pytest.fixture(scope="session")
def fixture_pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(RAW, tmp_path_factory.mktemp("packs"), workers=1))


@pytest.fixture
def with_pack(fixture_pack: DataPack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> DataPack:
    for module in ("discovery.services", "discovery.views", "catalog.services", "catalog.views",
                   "predictions.services", "api.discovery"):  # fmt: skip
        monkeypatch.setattr(f"actives.web.{module}.pack_or_none", lambda: fixture_pack)
    monkeypatch.setattr(
        "actives.web.discovery.services.get_settings", lambda: SimpleNamespace(home=tmp_path)
    )
    return fixture_pack


def _upload(name: str, content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _run(job: Job) -> Job:
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error_message
    return job


def _bearer(user: Any) -> dict[str, str]:
    _token, raw = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {raw}"}


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


# -- pages ---------------------------------------------------------------------------------


def test_menu_and_index_list_functions_with_their_signal(client_a, with_pack) -> None:
    assert 'href="/discovery/"' in client_a.get("/").content.decode()
    text = client_a.get("/discovery/").content.decode()
    assert "DPPH radical scavenging" in text  # antioxidant: a model
    assert "similarity signal" in text and "not a potency prediction" in text  # whitening
    for rule in ("Probability of activity", "Pareto front of potency and permeation"):
        assert rule in text  # the rule menu is read from the registry


def test_plant_page_ranks_constituents_with_structures_chart_and_evidence(
    client_a, with_pack
) -> None:
    response = client_a.get("/discovery/plant/", PLANT)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<em>Morus alba</em>" in text and "oxyresveratrol" in text
    assert text.count('src="/catalog/structure/') == 4  # every constituent drawn
    assert 'class="scatter"' in text and text.count('<circle cx="') == 4
    assert "nearest reference: Oxyresveratrol" in text
    assert "10.1000/morus.alba.1" in text  # occurrence DOI
    assert "Probability of activity" in text and with_pack.version in text
    for link in ("/discovery/plant/dossier/?", "/discovery/plant/dossier.pdf?",
                 "/discovery/plant/download.csv?", "/discovery/plant/download.sdf?"):  # fmt: skip
        assert link in text


def test_plant_page_in_korean(client_a, with_pack) -> None:
    from django.conf import settings

    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    text = client_a.get("/discovery/plant/", PLANT).content.decode()
    assert "순위 기준" in text and "유사도 신호" in text and "후보 유효성분 보고서" in text
    miss = client_a.get("/discovery/plant/", {**PLANT, "name": "Morus albo"}).content.decode()
    assert "식물 종, 속 또는 과가 없습니다" in miss


def test_plant_table_sorts_and_filters(client_a, with_pack) -> None:
    def names(params: dict[str, Any]) -> list[str]:
        response = client_a.get("/discovery/plant/", {**PLANT, **params})
        assert response.status_code == 200
        return [r["name"] for r in response.context["rows"]]

    by_name = names({"sort": "name", "dir": "asc"})
    assert by_name == sorted(by_name, key=str.lower)
    potencies = [
        r["cells"][0]["value"]
        for r in client_a.get(
            "/discovery/plant/", {**PLANT, "sort": "antioxidant_potency", "dir": "desc"}
        ).context["rows"]
    ]
    assert potencies == sorted(potencies, reverse=True)
    assert len(names({"focus": "antioxidant", "in_domain": "on"})) < 4
    assert len(names({"focus": "whitening", "min_p": "0.9"})) == 2  # the two reference actives
    measured = client_a.get("/discovery/plant/", {**PLANT, "evidence": "measured"})
    assert [r["name"] for r in measured.context["rows"]] == ["protocatechuic acid"]
    assert 'href="https://doi.org/10.1/c"' in measured.content.decode()  # its DPPH source
    empty = client_a.get(
        "/discovery/plant/", {**PLANT, "focus": "whitening", "evidence": "measured"}
    )
    assert "No constituent passes these filters" in empty.content.decode()
    assert names({"sort": "not_a_column"})  # an unknown sort falls back to the rank


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"name": "", "functions": ["antioxidant"]}, 400, "Enter a plant name"),
        ({"name": "Morus alba"}, 400, "Choose at least one function"),
        ({"name": "Morus alba", "functions": ["perfume"]}, 400, "perfume is not a function"),
        ({"name": "Morus albo", "functions": ["antioxidant"]}, 404, "Did you mean"),
        ({"name": "Quercus nowhere", "functions": ["antioxidant"]}, 404, "Search the catalogue"),
    ],
)
def test_plant_form_explains_bad_input(client_a, with_pack, params, status, message) -> None:
    response = client_a.get("/discovery/plant/", params)
    assert response.status_code == status
    text = response.content.decode()
    assert message in text and 'role="alert"' in text
    if status == 404 and "albo" in params["name"]:
        assert "name=Morus%20alba" in text or "name=Morus+alba" in text


def test_plant_page_without_a_pack_says_how_to_build_one(client_a, monkeypatch) -> None:
    monkeypatch.setattr("actives.web.discovery.services.pack_or_none", lambda: None)
    monkeypatch.setattr("actives.web.discovery.views.pack_or_none", lambda: None)
    response = client_a.get("/discovery/plant/", PLANT)
    assert response.status_code == 409 and "actives data build" in response.content.decode()


def test_plant_downloads(client_a, with_pack) -> None:
    csv_text = _body(client_a.get("/discovery/plant/download.csv", PLANT)).decode()
    lines = csv_text.splitlines()
    assert (
        len(lines) == 5
        and "whitening_similarity" in lines[0]
        and "antioxidant_p_active" in lines[0]
    )
    filtered = {**PLANT, "min_p": "0.9", "focus": "whitening"}
    xlsx = _body(client_a.get("/discovery/plant/download.xlsx", filtered))
    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    assert len(list(book["predictions"].values)) == 3  # header + the two filtered rows
    about = dict(list(book["about"].values))
    assert about["data pack"] == with_pack.version and about["plant"] == "Morus alba (species)"
    sdf = _body(client_a.get("/discovery/plant/download.sdf", PLANT)).decode()
    assert sdf.count("$$$$") == 4 and "antioxidant_potency" in sdf
    assert client_a.get("/discovery/plant/download.doc", PLANT).status_code == 404


def test_dossier_html_and_pdf(client_a, with_pack) -> None:
    response = client_a.get("/discovery/plant/dossier/", {"name": "Morus alba", "top": "2"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Candidate dossier" in text and "Probability of activity" in text
    assert "Pillaiyar T" in text  # whitening: reference actives with citations
    assert "DPPH radical scavenging" in text and "Scaffold-split RMSE" in text  # model cards
    assert with_pack.version in text and "data:image/svg+xml;base64," in text
    assert "Top 2 candidates" in text
    pdf = client_a.get("/discovery/plant/dossier.pdf", {"name": "Morus alba",
                                                         "functions": ["whitening"]})  # fmt: skip
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "Morus_alba_dossier" in pdf["Content-Disposition"]
    assert client_a.get("/discovery/plant/dossier/", {"name": "Morus albo"}).status_code == 404


def test_large_taxon_runs_as_a_job_then_reads_the_cache(client_a, with_pack, monkeypatch) -> None:
    monkeypatch.setattr("actives.web.discovery.views.PLANT_INLINE_LIMIT", 2)
    response = client_a.get("/discovery/plant/", {**PLANT, "name": "Morus"})
    job = Job.objects.get(kind="discover_plant")
    assert response["Location"] == f"/jobs/{job.pk}/"
    client_a.get("/discovery/plant/", {**PLANT, "name": "Morus"})
    assert Job.objects.filter(kind="discover_plant").count() == 1  # the queued job is reused
    _run(job)
    page = client_a.get(f"/jobs/{job.pk}/").content.decode()
    assert "constituents of Morus ranked" in page and "View the ranked constituents" in page
    again = client_a.get("/discovery/plant/", {**PLANT, "name": "Morus"})
    assert again.status_code == 200 and again.context["found"].taxon == "Morus"


def test_function_to_plants_with_a_species_list(client_a, member_b, with_pack) -> None:
    species = _upload(
        "flora.csv", b"species\nMorus alba\nArctostaphylos uva-ursi\nQuercus nowhere\n"
    )
    response = client_a.post(
        "/discovery/plants/",
        {"function": "whitening", "level": "species", "sort_by": "expected_actives",
         "min_constituents": "1", "species_file": species},
    )  # fmt: skip
    job = Job.objects.get(kind="discover_plants")
    assert response["Location"] == f"/jobs/{job.pk}/"
    job = _run(job)
    assert job.result["unmatched"] == ["Quercus nowhere"] and job.result["rows"] == 2
    page = client_a.get(f"/jobs/{job.pk}/").content.decode()
    assert "1 name of your list is not in the data pack" in page and "Quercus nowhere" in page
    result = client_a.get(f"/discovery/plants/{job.pk}/").content.decode()
    assert "<em>Morus alba</em>" in result and "Quercus nowhere" in result
    assert "Morus nigra" not in result  # not on the list
    csv_text = _body(client_a.get(f"/discovery/jobs/{job.pk}/download.csv")).decode()
    assert csv_text.splitlines()[0].startswith("rank,species,family")
    assert client_a.get(f"/discovery/jobs/{job.pk}/download.sdf").status_code == 404
    other = Client()
    other.force_login(member_b)
    assert other.get(f"/discovery/plants/{job.pk}/").status_code == 404
    assert other.get(f"/discovery/jobs/{job.pk}/download.csv").status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("flora.pdf", b"%PDF"), "expected a file ending in .csv, .tsv, .txt"),
        (("flora.csv", b"species\n\n"), "has no names"),
    ],
)
def test_function_to_plants_refuses_bad_species_lists(client_a, with_pack, upload, message) -> None:
    response = client_a.post(
        "/discovery/plants/",
        {"function": "whitening", "level": "species", "sort_by": "expected_actives",
         "min_constituents": "1", "species_file": _upload(*upload)},
    )  # fmt: skip
    assert response.status_code == 400 and message in response.content.decode()
    assert not Job.objects.exists()


COMPOSITION = (
    b"compound,area %\nresveratrol,40\noxyresveratrol,30\n"
    + RESVERATROL.replace("/", "").encode()
    + b",20\nnot a real compound xyz,10\n"
)


def test_extract_job_lists_unresolved_names_and_predicts_the_ic50(client_a, with_pack) -> None:
    response = client_a.post(
        "/discovery/extract/",
        {"file": _upload("tea.csv", COMPOSITION), "function": "antioxidant",
         "basis": "mass_percent"},
    )  # fmt: skip
    job = _run(Job.objects.get(kind="discover_extract"))
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.result["n_unresolved"] == 1 and job.result["extract_ic50_ug_ml"] > 0
    low, high = job.result["extract_ic50_range_ug_ml"]
    assert low <= job.result["extract_ic50_ug_ml"] <= high
    page = client_a.get(f"/jobs/{job.pk}/").content.decode()
    assert "1 constituent could not be resolved" in page and "not a real compound xyz" in page
    assert "Predicted IC50 of the extract" in page and "µg/mL" in page
    result = client_a.get(f"/discovery/extract/{job.pk}/").content.decode()
    assert 'class="bars"' in result and result.count('class="bar"') == 3
    assert "not a real compound xyz" in result and "resolved by name" in result
    assert "is neither a structure nor a name" in result  # the unresolved row says why
    sdf = _body(client_a.get(f"/discovery/jobs/{job.pk}/download.sdf")).decode()
    assert sdf.count("$$$$") == 4 and "antioxidant_activity_share" in sdf


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("c.csv", b"area,percent\n1,2\n", "expected a name column"),
        ("c.csv", b"compound,abundance\nresveratrol,lots\n", "is not a number"),
        ("c.pdf", b"%PDF-1.4", "expected a file ending in .csv"),
        ("c.csv", b"", "The submitted file is empty"),
    ],
)
def test_extract_form_explains_broken_files(client_a, with_pack, filename, content, message):
    response = client_a.post(
        "/discovery/extract/",
        {"file": _upload(filename, content), "function": "antioxidant", "basis": "relative"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_extract_with_names_only_counts_constituents_equally(client_a, with_pack) -> None:
    names = b"compound\nresveratrol\noxyresveratrol\nArctostaphylos uva-ursi leaf\n"
    client_a.post(
        "/discovery/extract/",
        {"file": _upload("names.csv", names), "function": "whitening", "basis": "relative"},
    )
    job = _run(Job.objects.get(kind="discover_extract"))
    assert job.result["equal_abundance"] and job.result["n_unresolved"] == 1
    page = client_a.get(f"/jobs/{job.pk}/").content.decode()
    assert "every resolved constituent counts the same" in page and "similarity signal" in page


def test_extract_form_refuses_oversized_uploads(client_a, with_pack, monkeypatch) -> None:
    monkeypatch.setattr("actives.web.discovery.forms.MAX_COMPOSITION_BYTES", 100)
    response = client_a.post(
        "/discovery/extract/",
        {"file": _upload("c.csv", COMPOSITION * 3), "function": "antioxidant",
         "basis": "relative"},
    )  # fmt: skip
    assert response.status_code == 400 and "expected at most 100 B" in response.content.decode()
    with override_settings(MAX_UPLOAD_BYTES=1024):
        response = client_a.post(
            "/discovery/extract/",
            {"file": _upload("c.csv", COMPOSITION * 30), "function": "antioxidant"},
        )
    assert response.status_code == 413 and b"larger than the limit" in response.content
    assert not Job.objects.exists()


def test_screening_job_keeps_hits_and_an_error_file(client_a, with_pack) -> None:
    library = _upload(
        "library.smi", f"{RESVERATROL} resveratrol\nC1CC broken\nOc1ccccc1 phenol\n".encode()
    )
    response = client_a.post(
        "/discovery/screen/",
        {"file": library, "functions": ["antioxidant"], "min_p_active": "0", "top": "10"},
    )
    job = _run(Job.objects.get(kind="discover_screen"))
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.result["rows"] == 3 and job.result["errors"] == 1 and job.result["written"] == 2
    result = client_a.get(f"/discovery/screen/{job.pk}/").content.decode()
    assert "resveratrol" in result and "<svg" in result
    errors = _body(client_a.get(f"/discovery/jobs/{job.pk}/download.errors")).decode()
    assert "broken" in errors and "unclosed ring" in errors
    xlsx = _body(client_a.get(f"/discovery/jobs/{job.pk}/download.xlsx"))
    assert len(list(load_workbook(io.BytesIO(xlsx), read_only=True)["predictions"].values)) == 3


def test_screening_form_refuses_bad_settings(client_a, with_pack) -> None:
    response = client_a.post(
        "/discovery/screen/",
        {"file": _upload("library.smi", b"CCO\n"), "functions": ["whitening"]},
    )
    assert response.status_code == 400 and "is not one of the available choices" in (
        response.content.decode()
    )
    response = client_a.post(
        "/discovery/screen/", {"file": _upload("library.doc", b"CCO\n"), "min_p_active": "0.5"}
    )
    assert response.status_code == 400 and "expected a file ending in" in response.content.decode()
    assert not Job.objects.exists()


def test_discovery_needs_login(with_pack) -> None:
    for url in ("/discovery/", "/discovery/plant/", "/discovery/extract/", "/discovery/screen/"):
        assert Client().get(url)["Location"].startswith("/accounts/login/")


# -- API -----------------------------------------------------------------------------------


def test_api_functions_and_rules(member_a, with_pack) -> None:
    headers = _bearer(member_a)
    functions = {
        f["id"]: f for f in Client().get("/api/discovery/functions", headers=headers).json()
    }
    assert functions["antioxidant"]["kind"] == "model"
    assert functions["antioxidant"]["endpoints"][0]["id"] == "dpph"
    whitening = functions["whitening"]
    assert (
        whitening["kind"] == "similarity" and "not a potency prediction" in whitening["description"]
    )
    assert all(r["citation"] for r in whitening["references"])
    rules = [r["id"] for r in Client().get("/api/discovery/rules", headers=headers).json()]
    assert set(rules) == {"p_active", "potency", "potency_permeation", "pareto"}


def test_api_plant_actives_and_errors(member_a, with_pack) -> None:
    headers = _bearer(member_a)
    url = "/api/discovery/plants/morus alba"
    found = Client().get(url, {"functions": ["whitening", "antioxidant"]}, headers=headers)
    assert found.status_code == 200, found.content
    body = found.json()
    assert (
        body["taxon"] == "Morus alba" and body["total"] == 4 and body["pack"] == with_pack.version
    )
    assert [s["kind"] for s in body["signals"]] == ["similarity", "model"]
    assert body["rows"][0]["whitening_rank"] == 1 and "antioxidant_low" in body["rows"][0]
    missing = Client().get("/api/discovery/plants/Morus albo", {"functions": "antioxidant"},
                           headers=headers)  # fmt: skip
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found" and missing.json()["suggestions"] == ["Morus alba"]
    for params, code in [
        ({"functions": "perfume"}, "invalid_input"),
        ({"functions": "skin_permeation"}, "invalid_input"),
        ({"functions": "antioxidant", "rule": "alphabetical"}, "invalid_input"),
    ]:
        bad = Client().get(url, params, headers=headers)
        assert bad.status_code == 422 and bad.json()["code"] == code, bad.content
    assert Client().get(url, {"functions": "antioxidant"}).status_code == 401


def test_api_large_taxon_answers_with_a_job_then_the_table(member_a, with_pack, monkeypatch):
    monkeypatch.setattr("actives.web.discovery.services.PLANT_INLINE_LIMIT", 2)
    headers = _bearer(member_a)
    url, params = "/api/discovery/plants/Morus", {"functions": "antioxidant"}
    queued = Client().get(url, params, headers=headers)
    assert queued.status_code == 202 and queued.json()["kind"] == "discover_plant"
    _run(Job.objects.get(pk=queued.json()["id"]))
    done = Client().get(url, params, headers=headers)
    assert done.status_code == 200 and done.json()["rank"] == "genus"


def test_api_extract_json_and_file(member_a, with_pack) -> None:
    headers = _bearer(member_a)
    payload = {
        "function": "antioxidant",
        "basis": "mass_percent",
        "constituents": [
            {"name": "resveratrol", "abundance": 40},
            {"smiles": "Oc1ccccc1", "abundance": 20},
            {"name": "not a real compound xyz", "abundance": 5},
        ],
    }
    response = Client().post("/api/discovery/extract", json.dumps(payload),
                             content_type="application/json", headers=headers)  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["unresolved"]) == 1 and body["extract_ic50_ug_ml"] > 0
    shares = [
        r["antioxidant_activity_share"] for r in body["rows"] if r["antioxidant_activity_share"]
    ]
    assert sum(shares) == pytest.approx(1.0)
    bad = Client().post("/api/discovery/extract", json.dumps({**payload, "function": "perfume"}),
                        content_type="application/json", headers=headers)  # fmt: skip
    assert bad.status_code == 422 and "expected one of" in bad.json()["detail"]
    upload = _upload("c.csv", b"area,percent\n1,2\n")
    refused = Client().post("/api/discovery/extract/file", {"file": upload,
                            "function": "antioxidant"}, headers=headers)  # fmt: skip
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_file"
    queued = Client().post("/api/discovery/extract/file", {"file": _upload("c.csv", COMPOSITION),
                           "function": "antioxidant"}, headers=headers)  # fmt: skip
    assert queued.status_code == 202 and queued.json()["kind"] == "discover_extract"


def test_api_plants_for_function_job_and_download(member_a, member_b, with_pack) -> None:
    headers = _bearer(member_a)
    response = Client().post(
        "/api/discovery/plants-for-function",
        json.dumps({"function": "antioxidant", "level": "genus", "species": ["Morus", "Nowhere"]}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 202, response.content
    job = _run(Job.objects.get(pk=response.json()["id"]))
    assert job.result["unmatched"] == ["Nowhere"]
    url = f"/api/discovery/jobs/{job.pk}/download"
    csv_text = _body(Client().get(url, {"format": "csv"}, headers=headers)).decode()
    assert csv_text.splitlines()[1].startswith("1,Morus,Moraceae")
    assert Client().get(url, {"format": "doc"}, headers=headers).status_code == 422
    assert Client().get(url, headers=_bearer(member_b)).status_code == 404
    bad = Client().post("/api/discovery/plants-for-function", json.dumps({"function": "perfume"}),
                        content_type="application/json", headers=headers)  # fmt: skip
    assert bad.status_code == 422


def test_api_screen_upload(member_a, with_pack) -> None:
    headers = _bearer(member_a)
    response = Client().post(
        "/api/discovery/screen",
        {"file": _upload("lib.smi", b"CCO ethanol\n"), "functions": "antioxidant", "top": "5"},
        headers=headers,
    )
    assert response.status_code == 202, response.content
    refused = Client().post(
        "/api/discovery/screen",
        {"file": _upload("lib.smi", b"CCO\n"), "functions": "whitening"},
        headers=headers,
    )
    assert refused.status_code == 422 and "No installed model" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        (json.dumps({"function": "antioxidant", "constituents": []}), 422),
        (json.dumps({"function": "antioxidant",
                     "constituents": [{"name": "resveratrol", "abundance": -1}]}), 422),
        (json.dumps({"function": "antioxidant", "basis": "volume",
                     "constituents": [{"name": "resveratrol"}]}), 422),
        (json.dumps({"constituents": [{"name": "resveratrol"}]}), 422),
    ],
)  # fmt: skip
def test_api_extract_refuses_broken_bodies(member_a, with_pack, body: str, status: int) -> None:
    response = Client().post("/api/discovery/extract", body, content_type="application/json",
                             headers=_bearer(member_a))  # fmt: skip
    assert response.status_code == status, response.content
    assert response.json()["detail"]


def test_the_plant_cache_keeps_the_most_recently_used_tables(tmp_path: Path) -> None:
    from actives.web.discovery.services import prune_plant_cache

    for i in range(5):
        table = tmp_path / f"plant-{i}.parquet"
        table.write_bytes(b"x" * 100)
        table.with_suffix(".json").write_text("{}")
        os.utime(table, (1_000_000 + i, 1_000_000 + i))  # plant-4 is the newest
    os.utime(tmp_path / "plant-0.parquet", (2_000_000, 2_000_000))  # plant-0 was just read
    assert prune_plant_cache(tmp_path, max_entries=3) == 2
    kept = sorted(p.name for p in tmp_path.glob("plant-*.parquet"))
    assert kept == ["plant-0.parquet", "plant-3.parquet", "plant-4.parquet"]
    assert sorted(p.name for p in tmp_path.glob("plant-*.json")) == [
        "plant-0.json",
        "plant-3.json",
        "plant-4.json",
    ]
    assert prune_plant_cache(tmp_path, max_bytes=250) == 1  # two tables of 100 bytes fit
    assert prune_plant_cache(tmp_path / "empty") == 0
