"""/api/regulation through the Django test client: a formula checked as JSON and as a file, the
markets, rule look-ups and refused bodies; the pack is built from the hand-typed rows of
tests/data/regulation/checker_raw."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from actives.knowledge import DataPack
from tests.unit.regulation.checker_pack import FORMULAS, build_checker_pack
from tests.web.api_client import ok, post

pytestmark = pytest.mark.django_db

CREAM = {
    "name": "cream",
    "product_type": "leave-on face cream",
    "markets": ["EU", "KR", "CN"],
    "ingredients": [
        {"name": "Water", "percent": 92.5},
        {"name": "Glycerin", "percent": 5},
        {"name": "Methylisothiazolinone", "percent": 0.5, "function": "preservative"},
        {"name": "Hydroquinone", "percent": 2},
    ],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return build_checker_pack(tmp_path_factory.mktemp("api-pack"))


@pytest.fixture
def pack(built: DataPack, monkeypatch: pytest.MonkeyPatch) -> DataPack:
    monkeypatch.setattr("actives.web.api.regulation.pack_or_none", lambda: built)
    return built


def test_regulation_routes_need_a_login() -> None:
    response = Client().get("/api/regulation/markets")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_check_refuses_mit_in_a_leave_on_cream_and_hydroquinone(
    pack: DataPack, headers: dict[str, str]
) -> None:
    body = ok(post("/api/regulation/check", CREAM, headers))
    assert body["rule_pack_version"] == pack.version
    assert list(body["markets"]) == ["EU", "KR", "CN"]
    eu = {r["name"]: r for r in body["markets"]["EU"]["rows"]}
    assert body["markets"]["EU"]["overall"] == "prohibited"
    mit = eu["Methylisothiazolinone"]
    assert mit["verdict"] == "prohibited"
    assert mit["citation"]["text"].startswith("Regulation (EC) No 1223/2009, Annex V, entry 57")
    assert mit["message"].endswith("allows it only in rinse-off products (max 0.0015 %)")
    assert eu["Hydroquinone"]["citation"]["entry"] == "1339"
    kr = {r["name"]: r for r in body["markets"]["KR"]["rows"]}
    assert kr["Hydroquinone"]["verdict"] == "prohibited"
    assert kr["Hydroquinone"]["citation"]["list_name"] == "별표 1"
    assert body["label"]["text"] == "Water, Glycerin, Hydroquinone, Methylisothiazolinone"


def test_check_file_with_raw_materials(pack: DataPack, headers: dict[str, str]) -> None:
    with (
        open(FORMULAS / "formula_cream.csv", "rb") as formula,
        open(FORMULAS / "formula_raw_materials.csv", "rb") as materials,
    ):
        response = Client().post(
            "/api/regulation/check/file",
            {"file": formula, "raw_materials": materials, "product_type": "leave-on face cream",
             "markets": "EU,CN"},
            headers=headers,
        )  # fmt: skip
    body = ok(response)
    assert body["formula_name"] == "formula_cream"
    cn = {r["name"]: r for r in body["markets"]["CN"]["rows"]}
    assert cn["Butylene Glycol"]["verdict"] == "not_in_inventory"
    assert "NMPA" in cn["Butylene Glycol"]["message"]
    assert body["label"]["text"].startswith("Water, Glycerin, Ceteth-20")
    glycerin = next(s for s in body["substances"] if s["name"] == "Glycerin")
    assert glycerin["percent"] == pytest.approx(9.0)  # 5 % + 10 % x 40 % of the raw material
    assert body["unresolved"][0]["query"] == "Unobtainium Flower Extract"


def test_markets_and_rules(pack: DataPack, headers: dict[str, str]) -> None:
    markets = {m["id"]: m for m in ok(Client().get("/api/regulation/markets", headers=headers))}
    assert set(markets) == {"ASEAN", "CA", "CN", "EU", "JP", "KR"}
    assert markets["CN"]["inventory"] is True
    assert markets["EU"]["rule_pack_version"] == pack.version
    found = ok(Client().get("/api/regulation/rules?market=EU&q=123-31-9", headers=headers))
    assert [r["rule_id"] for r in found["rules"]] == ["EU-II/1339", "EU-III/14"]
    assert found["rules"][1]["conditions"][0]["max_percent"] == 0.02
    listed = ok(Client().get("/api/regulation/rules?market=kr&limit=2", headers=headers))
    assert listed["method"] == "all" and len(listed["rules"]) == 2 and listed["total"] > 2


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ("{not json", 400, "expected a JSON object"),
        ({**CREAM, "ingredients": []}, 422, "ingredients"),
        ({**CREAM, "ingredients": [{"name": "Water", "percent": 120}]}, 422, "percent"),
        ({**CREAM, "markets": ["EU", "XX"]}, 422, "Unknown market 'XX'"),
        ({**CREAM, "product_type": "something"}, 422, "rinsed off or left on"),
        ({k: v for k, v in CREAM.items() if k != "product_type"}, 422, "product_type"),
    ],
)
def test_broken_bodies_are_refused_with_a_detail(
    pack: DataPack, headers: dict[str, str], body: Any, status: int, fragment: str
) -> None:
    response = post("/api/regulation/check", body, headers)
    assert response.status_code == status, response.content
    assert fragment in response.json()["detail"]


def test_broken_files_are_refused(pack: DataPack, headers: dict[str, str]) -> None:
    def upload(name: str, data: bytes) -> Any:
        return Client().post(
            "/api/regulation/check/file",
            {"file": _named(name, data), "product_type": "leave-on cream"},
            headers=headers,
        )  # fmt: skip

    picture = upload("formula.png", b"\x89PNG")
    assert picture.status_code == 400
    assert "expected a file ending in .csv" in picture.json()["detail"]
    rows = upload("formula.csv", b"ingredient,percent\nGlycerin,abc\n")
    assert rows.status_code == 400
    assert "percent 'abc' in row 2 (Glycerin)" in rows.json()["detail"]
    empty = upload("formula.csv", b"")
    assert empty.status_code == 400 and "is empty" in empty.json()["detail"]


def test_no_data_pack_is_a_409(monkeypatch: pytest.MonkeyPatch, headers: dict[str, str]) -> None:
    monkeypatch.setattr("actives.web.api.regulation.pack_or_none", lambda: None)
    response = post("/api/regulation/check", CREAM, headers)
    assert response.status_code == 409 and response.json()["code"] == "data_pack_missing"
    markets = ok(Client().get("/api/regulation/markets", headers=headers))
    assert {m["rule_pack_version"] for m in markets} == {None}


def _named(name: str, data: bytes) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer
