"""Catalogue pages over a data pack built from the fixtures: search, compound, plant, upload."""

from pathlib import Path

import pytest
from django.test import Client

from actives.knowledge import DataPack, build_pack
from actives.web.jobs.models import Job

pytestmark = pytest.mark.django_db
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
ARBUTIN = "BJRNKVDFDLYUGJ-RMPHRYRLSA-N"


@pytest.fixture(scope="session")
def fixture_pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(RAW, tmp_path_factory.mktemp("packs"), workers=1))


@pytest.fixture
def with_pack(fixture_pack: DataPack, monkeypatch: pytest.MonkeyPatch) -> DataPack:
    monkeypatch.setattr("actives.web.catalog.views.pack_or_none", lambda: fixture_pack)
    return fixture_pack


@pytest.fixture
def without_pack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("actives.web.catalog.views.pack_or_none", lambda: None)


def test_catalogue_without_pack_says_how_to_add_data(client_a, without_pack) -> None:
    text = client_a.get("/catalog/").content.decode()
    assert "No data pack yet" in text
    assert "actives data build" in text or "Ask the centre" in text
    assert client_a.get("/catalog/search/?q=arbutin").status_code == 302


def test_staff_can_start_a_build_members_cannot(client_a, analyst_client, without_pack) -> None:
    response = client_a.post("/catalog/build/", follow=True)
    assert b"Only centre staff" in response.content and not Job.objects.exists()
    response = analyst_client.post("/catalog/build/")
    job = Job.objects.get(kind="build_data_pack")
    assert response["Location"] == f"/jobs/{job.pk}/"


def test_index_shows_pack_sources_and_caveats(client_a, with_pack) -> None:
    text = client_a.get("/catalog/").content.decode()
    assert f"Data pack {with_pack.version}" in text
    assert "Asteraceae" in text and "missing" in text


@pytest.mark.parametrize("query", ["알부틴", "497-76-7", "arbutin", ARBUTIN, "熊果苷"])
def test_search_resolves_to_the_compound_page(client_a, with_pack, query) -> None:
    response = client_a.get("/catalog/search/", {"q": query})
    assert response.status_code == 302
    assert response["Location"] == f"/catalog/compound/{ARBUTIN}/"


def test_search_for_a_plant_goes_to_its_page(client_a, with_pack) -> None:
    response = client_a.get("/catalog/search/", {"q": "morus alba"})
    assert response["Location"] == "/catalog/plant/Morus%20alba/"


def test_search_typo_suggests(client_a, with_pack) -> None:
    text = client_a.get("/catalog/search/", {"q": "resveratrl"}).content.decode()
    assert "Did you mean" in text and "Resveratrol" in text


def test_similarity_and_substructure_search(client_a, with_pack) -> None:
    text = client_a.get(
        "/catalog/search/",
        {
            "q": "Oc1ccc(C=Cc2cc(O)cc(O)c2)cc1",
            "mode": "similarity",
            "threshold": "0.5",
        },  # fmt: skip
    ).content.decode()
    assert "oxyresveratrol" in text and "1.000" in text
    text = client_a.get(
        "/catalog/search/", {"q": "c1ccc(O)c(O)c1", "mode": "substructure"}
    ).content.decode()
    assert "protocatechuic acid" in text and "LUKBXSAWLPMMSZ" not in text  # resveratrol


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, b"This field is required"),
        ({"q": "C1CC", "mode": "substructure"}, b"unclosed ring"),
        ({"q": "CCO", "mode": "similarity", "threshold": "7"}, b"less than or equal to 1"),
        ({"q": "497-76-8"}, b"check digit"),
    ],
)
def test_bad_searches_are_explained(client_a, with_pack, params, message) -> None:
    response = client_a.get("/catalog/search/", params)
    assert response.status_code in (400, 422)
    assert message in response.content


def test_compound_page(client_a, with_pack) -> None:
    text = client_a.get(f"/catalog/compound/{ARBUTIN}/").content.decode()
    assert "<svg" in text and "272.25 g/mol" in text and "Å²" in text
    assert "알부틴" in text and "熊果苷" in text and "アルブチン" in text
    assert "Arctostaphylos uva-ursi" in text and "https://doi.org/10.1000/uva.1" in text
    assert client_a.get("/catalog/compound/NOTAKEY/").status_code == 404


def test_plant_page_sorting_and_exports(client_a, with_pack) -> None:
    response = client_a.get("/catalog/plant/Morus alba/", {"sort": "mw", "dir": "asc"})
    text = response.content.decode()
    assert "4 constituents" in text
    order = [text.index(n) for n in ("protocatechuic acid", "resveratrol", "morachalcone A")]
    assert order == sorted(order)
    csv_text = client_a.get("/catalog/plant/Morus alba/export.csv").content.decode("utf-8-sig")
    header, *rows = csv_text.strip().splitlines()
    assert header.startswith("inchikey,name,smiles") and header.endswith("data_pack")
    assert len(rows) == 4 and any("10.1000/morus.alba.1" in r for r in rows)
    sdf = client_a.get("/catalog/plant/Morus alba/export.sdf").content.decode()
    assert sdf.count("$$$$") == 4 and "<dois>" in sdf
    assert client_a.get("/catalog/plant/Morus alba/export.xls").status_code == 404
    assert client_a.get("/catalog/plant/Nonexistent plant/").status_code == 404


def test_structure_svg(client_a, with_pack) -> None:
    response = client_a.get(f"/catalog/structure/{ARBUTIN}.svg")
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content


def test_broken_sdf_upload_lists_failures_and_reads_the_rest(client_a, with_pack) -> None:
    data = (Path(__file__).resolve().parents[1] / "data" / "broken.sdf").read_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_a.post("/catalog/upload/", {"file": SimpleUploadedFile("broken.sdf", data)})
    text = response.content.decode()
    assert "3 records read, 2 failed." in text
    assert "pentavalent carbon" in text and "M  END" in text
    assert f"/catalog/compound/{ARBUTIN}/" in text  # arbutin is in the pack


def test_upload_of_wrong_file_type(client_a, with_pack) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_a.post(
        "/catalog/upload/", {"file": SimpleUploadedFile("notes.docx", b"PK\x03\x04")}
    )
    assert response.status_code == 400 and b"expected an SD file" in response.content
    response = client_a.post("/catalog/upload/", {})
    assert b"This field is required" in response.content


def test_catalogue_needs_login(with_pack) -> None:
    assert Client().get("/catalog/").status_code == 302


@pytest.fixture
def api_pack(fixture_pack: DataPack, monkeypatch: pytest.MonkeyPatch) -> DataPack:
    monkeypatch.setattr("actives.web.api.catalog._pack", lambda: fixture_pack)
    return fixture_pack


def test_api_lookup_compound_plant(client_a, api_pack) -> None:
    body = client_a.get("/api/catalog/lookup", {"q": "알부틴"}).json()
    assert body["pack"] == api_pack.version and body["compounds"][0]["inchikey"] == ARBUTIN
    detail = client_a.get(f"/api/catalog/compounds/{ARBUTIN}").json()
    assert detail["plants"][0]["organism"] == "Arctostaphylos uva-ursi"
    plant = client_a.get("/api/catalog/plants/Morus alba").json()
    assert plant["rank"] == "species" and len(plant["constituents"]) == 4
    hits = client_a.get("/api/catalog/similar", {"smiles": "Oc1ccc(C=Cc2cc(O)cc(O)c2)cc1"}).json()
    assert hits[0]["similarity"] == 1.0
    sub = client_a.get("/api/catalog/substructure", {"query": "c1ccc(O)c(O)c1"}).json()
    assert len(sub) == 3


def test_api_catalogue_errors(client_a, api_pack) -> None:
    response = client_a.get("/api/catalog/plants/Morus albus")
    assert response.status_code == 404 and "Did you mean" in response.json()["detail"]
    response = client_a.get("/api/catalog/similar", {"smiles": "C1CC"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_structure"
    response = client_a.get("/api/catalog/lookup", {"q": "497-76-8"})
    assert response.status_code == 422 and "check digit" in response.json()["detail"]
    assert client_a.get("/api/catalog/lookup").status_code == 422


def test_api_without_pack_says_409_and_how_to_build(client_a, tmp_path, monkeypatch) -> None:
    from actives.knowledge import current_pack

    monkeypatch.setattr("actives.web.api.catalog._pack", lambda: current_pack(tmp_path))
    response = client_a.get("/api/catalog/lookup", {"q": "arbutin"})
    assert response.status_code == 409
    assert response.json()["code"] == "data_pack_missing"
    assert "actives data build" in response.json()["detail"]
