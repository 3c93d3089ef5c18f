"""Formula (regulation) pages through the Django test client: the list and its empty state, the
editor (rows added and removed, totals, a new version on every save), company scoping, import
from CSV/XLSX with row errors, version diffs, the check (market x ingredient matrix, citations,
IECIC, label order), the PDF compliance report and re-checks after a rule-pack update.

The data pack is built once from hand-typed fixtures: tests/data/raw (Annex II, MFDS 별표 1,
IECIC, MHLW), tests/data/regulation/names_raw (the names) and tests/data/regulation/rules_raw
(the rule lists) copied over it, as in tests/unit/regulation.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from actives.knowledge import DataPack, build_pack
from actives.web.formulas.models import CheckResult, Formula, FormulaVersion, RawMaterial
from actives.web.jobs.models import Job, JobStatus
from actives.web.jobs.runner import run_job

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data"
HAS_CHECKER = True
try:
    from actives.regulation import checker  # noqa: F401
except ImportError:  # pragma: no cover - the checker lands separately
    HAS_CHECKER = False
needs_checker = pytest.mark.skipif(not HAS_CHECKER, reason="regulation.checker not there yet")

CREAM = [
    ("Water", "78.5"),
    ("Glycerin", "5"),
    ("Butylene Glycol", "4"),
    ("Niacinamide", "2"),
    ("Methylisothiazolinone", "0.5"),
    ("Hydroquinone", "2"),
    ("Linalool", "0.002"),
]


@pytest.fixture(scope="session")
def regulation_pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    root = tmp_path_factory.mktemp("formulas-raw")
    for folder in ("cosing-eu", "mfds-kr", "nmpa-cn", "mhlw-jp"):
        shutil.copytree(DATA / "raw" / folder, root / folder)
    shutil.copytree(DATA / "regulation" / "names_raw", root, dirs_exist_ok=True)
    shutil.copytree(DATA / "regulation" / "rules_raw", root, dirs_exist_ok=True)
    (root / "README.md").unlink()
    return DataPack(build_pack(root, tmp_path_factory.mktemp("formulas-packs"), workers=1))


@pytest.fixture
def with_pack(monkeypatch: pytest.MonkeyPatch, regulation_pack: DataPack) -> DataPack:
    monkeypatch.setattr("actives.web.formulas.services.pack_or_none", lambda: regulation_pack)
    monkeypatch.setattr("actives.web.formulas.views.pack_or_none", lambda: regulation_pack)
    return regulation_pack


def editor_post(
    rows: list[tuple[str, str]],
    name: str = "Night cream",
    markets: tuple[str, ...] = ("EU", "KR", "CN"),
    areas: tuple[str, ...] = ("face",),
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "exposure": "leave_on",
        "areas": list(areas),
        "markets": list(markets),
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "save": "1",
        **extra,
    }
    for n, (ingredient, percent) in enumerate(rows):
        data[f"form-{n}-name"] = ingredient
        data[f"form-{n}-percent"] = percent
    return data


def make_formula(client: Client, rows: list[tuple[str, str]] = CREAM, **kw: Any) -> Formula:
    response = client.post("/formulas/new/", editor_post(rows, **kw))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Formula.objects.order_by("-pk").first()  # type: ignore[return-value]


# -- list, editor, versions, scoping ---------------------------------------------------------------


def test_menu_leads_to_the_formula_pages_and_the_empty_list_says_what_to_do(
    client_a: Client,
) -> None:
    home = client_a.get("/").content.decode()
    assert 'href="/formulas/"' in home
    page = client_a.get("/formulas/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "No formulas yet" in text and 'href="/formulas/import/"' in text


def test_pages_need_a_login() -> None:
    response = Client().get("/formulas/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_editor_saves_a_version_with_its_total(client_a: Client, member_a: Any) -> None:
    formula = make_formula(client_a)
    assert formula.company == member_a.company and formula.created_by == member_a
    version = formula.latest_version()
    assert version is not None and version.number == 1
    assert [i.name for i in version.ingredients.all()] == [n for n, _ in CREAM]
    page = client_a.get(f"/formulas/{formula.pk}/v1/").content.decode()
    assert "92.002" in page  # the total, flagged: not 100 ± 0.5
    assert "Not 100 % ± 0.5" in page
    assert "add up to 92 % w/w; expected 100 % ± 0.5" in page  # the library's warning
    listing = client_a.get("/formulas/?q=niacin").content.decode()
    assert "Night cream" in listing
    assert "No formula matches" in client_a.get("/formulas/?q=zzz").content.decode()


def test_editor_adds_and_removes_rows_without_saving(client_a: Client) -> None:
    data = editor_post([("Water", "90"), ("Glycerin", "10")])
    data.pop("save")
    data["add_rows"] = "1"
    added = client_a.post("/formulas/new/", data)
    assert added.status_code == 200
    assert added.context["formset"].total_form_count() == 5
    data.pop("add_rows")
    data["remove_rows"] = "1"
    data["form-0-DELETE"] = "on"
    removed = client_a.post("/formulas/new/", data)
    assert [f.initial.get("name") for f in removed.context["formset"].forms] == ["Glycerin"]
    assert not Formula.objects.exists()


def test_broken_rows_are_shown_at_their_fields_and_nothing_is_stored(client_a: Client) -> None:
    response = client_a.post(
        "/formulas/new/", editor_post([("Water", "abc"), ("", "5"), ("Glycerin", "150")])
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert text.count("Expected a number above 0 and at most 100 (% w/w).") == 2
    assert "Expected an INCI name, a CAS number or a raw material name." in text
    empty = client_a.post("/formulas/new/", editor_post([], markets=()))
    assert "A formula needs at least one ingredient" in empty.content.decode()
    assert "Choose at least one market" in empty.content.decode()
    assert not Formula.objects.exists() and not FormulaVersion.objects.exists()


def test_a_member_cannot_see_another_companys_formula(
    client_a: Client, member_b: Any, analyst_client: Client
) -> None:
    formula = make_formula(client_a)
    other = Client()
    other.force_login(member_b)
    for url in (
        f"/formulas/{formula.pk}/",
        f"/formulas/{formula.pk}/v1/",
        f"/formulas/{formula.pk}/edit/",
        f"/formulas/{formula.pk}/v1/check/",
        f"/formulas/{formula.pk}/v1/report.pdf",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/formulas/{formula.pk}/v1/check/").status_code == 404
    assert "Night cream" not in other.get("/formulas/").content.decode()
    assert "Night cream" in analyst_client.get("/formulas/").content.decode()  # centre staff


def test_editing_writes_a_new_version_and_the_diff_shows_the_change(client_a: Client) -> None:
    formula = make_formula(client_a)
    edit = client_a.get(f"/formulas/{formula.pk}/edit/")
    assert edit.context["formset"].forms[4].initial["name"] == "Methylisothiazolinone"
    rows = [(n, p) for n, p in CREAM if n != "Methylisothiazolinone"] + [("Phenoxyethanol", "0.8")]
    response = client_a.post(
        f"/formulas/{formula.pk}/edit/", editor_post(rows, note="preservative replaced")
    )
    assert response.status_code == 302 and response["Location"].endswith("/v2/")
    assert [v.number for v in formula.versions.all()] == [2, 1]
    v1 = formula.versions.get(number=1)
    assert "Methylisothiazolinone" in [i.name for i in v1.ingredients.all()]  # untouched
    diff = client_a.get(f"/formulas/{formula.pk}/diff/?a=1&b=2").content.decode()
    assert "Phenoxyethanol" in diff and "added" in diff
    assert "Methylisothiazolinone" in diff and "removed" in diff


# -- import ----------------------------------------------------------------------------------


def import_post(content: bytes, filename: str, **extra: Any) -> dict[str, Any]:
    upload = io.BytesIO(content)
    upload.name = filename
    return {"name": "Imported cream", "exposure": "leave_on", "areas": ["face"],
            "markets": ["EU", "KR"], "file": upload, **extra}  # fmt: skip


def test_a_broken_import_shows_row_errors_and_stores_nothing(client_a: Client) -> None:
    broken = (DATA / "regulation" / "formula_broken.csv").read_bytes()
    response = client_a.post("/formulas/import/", import_post(broken, "formula_broken.csv"))
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert {e.row for e in errors} >= {3, 4, 5, 6, 7}
    text = response.content.decode()
    assert "nothing was stored" in text and "row 3" in text
    assert not Formula.objects.exists() and not FormulaVersion.objects.exists()
    not_a_table = client_a.post("/formulas/import/", import_post(b"%PDF-1.4", "cream.pdf"))
    assert not_a_table.status_code == 400
    assert "expected a file ending in .csv" in not_a_table.content.decode()


def test_import_of_a_korean_sheet_and_the_templates(client_a: Client, member_a: Any) -> None:
    cream = (DATA / "regulation" / "formula_cream.csv").read_bytes()
    response = client_a.post("/formulas/import/", import_post(cream, "formula_cream.csv"))
    assert response.status_code == 302
    formula = Formula.objects.get()
    names = [i.name or i.raw_material for i in formula.latest_version().ingredients.all()]
    assert names[:3] == ["정제수", "Glycerin", "Emulsifier Blend X"] and "합계" not in names
    csv = client_a.get("/formulas/import/template.csv")
    assert csv.status_code == 200 and b"INCI name" in csv.content
    xlsx = client_a.get("/formulas/import/template.xlsx")
    assert xlsx.content.startswith(b"PK")
    assert client_a.get("/formulas/import/template.pdf").status_code == 404
    # the template itself imports, and its raw-material sheet is stored for the company
    again = client_a.post("/formulas/import/", import_post(xlsx.content, "template.xlsx"))
    assert again.status_code == 302
    material = RawMaterial.objects.get(name="Emulsifier Blend X")
    assert material.company == member_a.company
    assert [c.ingredient for c in material.components.all()] == ["Cetearyl Alcohol", "Ceteareth-20"]


def test_raw_materials_page(client_a: Client) -> None:
    bad = client_a.post("/formulas/raw-materials/", {"name": "Blend", "composition": "Glycerin"})
    assert bad.status_code == 400 and "expected “name; % of the raw material”" in (
        bad.content.decode()
    )
    ok = client_a.post(
        "/formulas/raw-materials/", {"name": "Blend", "composition": "Glycerin; 60\nWater; 40"}
    )
    assert ok.status_code == 302
    assert "Glycerin 60 %; Water 40 %" in client_a.get("/formulas/raw-materials/").content.decode()


# -- checks --------------------------------------------------------------------------------------


def _check(client: Client, formula: Formula, number: int = 1) -> Any:
    response = client.post(f"/formulas/{formula.pk}/v{number}/check/")
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.get(f"/formulas/{formula.pk}/v{number}/check/")


def _cells(response: Any) -> dict[tuple[str, str], dict[str, Any]]:
    view = response.context["view"]
    return {(row["name"].casefold(), c["market"]): c for row in view["rows"] for c in row["cells"]}


def _cell(cells: dict[tuple[str, str], dict[str, Any]], name: str, market: str) -> dict[str, Any]:
    return next(c for (n, m), c in cells.items() if name.casefold() in n and m == market)


@needs_checker
def test_check_without_a_pack_says_so(client_a: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("actives.web.formulas.services.pack_or_none", lambda: None)
    formula = make_formula(client_a)
    response = client_a.post(f"/formulas/{formula.pk}/v1/check/")
    assert response.status_code == 409 and "actives data build" in response.content.decode()
    assert not CheckResult.objects.exists()


@needs_checker
def test_leave_on_cream_with_methylisothiazolinone_is_refused_in_the_eu_with_annex_v_cited(
    client_a: Client, with_pack: DataPack
) -> None:
    formula = make_formula(client_a)
    page = _check(client_a, formula)
    assert page.status_code == 200
    cells = _cells(page)
    mit = _cell(cells, "methylisothiazolinone", "EU")
    assert mit["refused"] and mit["verdict"] in ("prohibited", "over_limit")
    assert mit["summary"] == mit["message"] and not mit["original"]  # English: the checker's words
    assert "Annex V" in mit["citation"] and "57" in mit["citation"]
    text = page.content.decode()
    assert "Annex V, entry 57" in text  # the citation is on the page
    eu = next(c for c in page.context["view"]["columns"] if c["id"] == "EU")
    assert eu["refused"] and "Refused" in eu["overall_label"]
    assert 'data-market="EU" data-verdict="' in text  # colour + text, not colour alone


@needs_checker
def test_hydroquinone_is_refused_in_the_eu_and_korea(client_a: Client, with_pack: DataPack) -> None:
    formula = make_formula(client_a)
    cells = _cells(_check(client_a, formula))
    for market in ("EU", "KR"):
        cell = _cell(cells, "hydroquinone", market)
        assert cell["verdict"] == "prohibited", (market, cell)
        assert cell["citation"], market
    assert "Annex II" in _cell(cells, "hydroquinone", "EU")["citation"]
    assert "별표 1" in _cell(cells, "hydroquinone", "KR")["citation"]


@needs_checker
def test_an_ingredient_missing_from_iecic_is_flagged_for_china(
    client_a: Client, with_pack: DataPack
) -> None:
    formula = make_formula(client_a)
    page = _check(client_a, formula)
    cell = _cell(_cells(page), "niacinamide", "CN")
    assert cell["verdict"] == "not_in_inventory" and cell["refused"]
    assert "not in inventory" in page.content.decode()


@needs_checker
def test_the_label_lists_ingredients_in_order(client_a: Client, with_pack: DataPack) -> None:
    rows = [("Glycerin", "5"), ("Water", "90.5"), ("Linalool", "0.002"), ("Niacinamide", "4"),
            ("CI 77891", "0.3"), ("Butylene Glycol", "0.2")]  # fmt: skip
    formula = make_formula(client_a, rows, markets=("EU", "KR"))
    page = _check(client_a, formula)
    label = page.context["view"]["label_rows"]
    names = [r["name"].casefold() for r in label]
    assert names.index("glycerin") < names.index("niacinamide")  # 5 % before 4 %
    assert "water" in names[0] or "aqua" in names[0]  # 90.5 % first
    assert names[-1].startswith("ci 77891")  # colorants last
    assert names.index("butylene glycol") < names.index("linalool")  # under 1 %, descending
    text = page.context["view"]["label"]["text"]
    assert text.casefold().index("glycerin") < text.casefold().index("niacinamide")


@needs_checker
def test_a_checked_version_is_frozen_and_editing_makes_a_new_one(
    client_a: Client, with_pack: DataPack
) -> None:
    from actives.errors import ConflictError

    formula = make_formula(client_a)
    _check(client_a, formula)
    v1 = formula.versions.get(number=1)
    assert v1.is_checked
    with pytest.raises(ConflictError):
        v1.save()
    with pytest.raises(ConflictError):
        v1.ingredients.first().save()  # type: ignore[union-attr]
    rows = [(n, p) for n, p in CREAM if n != "Hydroquinone"]
    client_a.post(f"/formulas/{formula.pk}/edit/", editor_post(rows))
    assert [v.number for v in formula.versions.all()] == [2, 1]
    assert v1.ingredients.count() == len(CREAM)
    page = client_a.get(f"/formulas/{formula.pk}/v1/").content.decode()
    assert "checked and is frozen" in page


@needs_checker
def test_the_pdf_compliance_report(client_a: Client, with_pack: DataPack) -> None:
    formula = make_formula(client_a)
    assert client_a.get(f"/formulas/{formula.pk}/v1/report.pdf").status_code == 409
    _check(client_a, formula)
    pdf = client_a.get(f"/formulas/{formula.pk}/v1/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Night_cream_v1_compliance_" in pdf["Content-Disposition"]


@needs_checker
def test_korean_check_page(client_a: Client, with_pack: DataPack) -> None:
    formula = make_formula(client_a)
    client_a.post(f"/formulas/{formula.pk}/v1/check/")
    client_a.cookies["django_language"] = "ko"
    page = client_a.get(f"/formulas/{formula.pk}/v1/check/", HTTP_ACCEPT_LANGUAGE="ko")
    text = page.content.decode()
    assert "유럽연합" in text and "사용 금지" in text
    # the verdict said in Korean from its data; the checker's English sentence kept as the original
    mit = _cell(_cells(page), "methylisothiazolinone", "EU")
    assert "제품" in mit["summary"] and "products" not in mit["summary"]
    assert mit["original"] == mit["message"] and "Annex V" in mit["original"]
    assert "검토기 원문 (영어)" in text and mit["summary"] in text
    assert "제품" in mit["condition"] and "최대" in mit["condition"]
    eu = next(c for c in page.context["view"]["columns"] if c["id"] == "EU")
    assert eu["summary"].startswith("사용 금지 2 (") and "Prohibited" not in eu["summary"]
    cn = next(c for c in page.context["view"]["columns"] if c["id"] == "CN")
    assert any("IECIC에 없는 원료는" in n for n in cn["notes"])  # the market's notes in Korean


@needs_checker
def test_rule_pack_update_lists_and_rechecks_what_changed(
    client_a: Client, analyst_client: Client, with_pack: DataPack
) -> None:
    formula = make_formula(client_a)
    _check(client_a, formula)
    stored = CheckResult.objects.get()
    # pretend the stored check was made with an older pack in which hydroquinone was allowed in KR
    old = dict(stored.result)
    kr = dict(old["markets"]["KR"])
    kr["rows"] = [
        {**r, "verdict": "allowed"} if "hydroquinone" in str(r.get("name")).casefold() else r
        for r in kr["rows"]
    ]
    old["markets"] = {**old["markets"], "KR": kr}
    old["rule_pack_version"] = "2024.01-old"
    CheckResult.objects.filter(pk=stored.pk).update(result=old, rule_pack_version="2024.01-old")
    listing = client_a.get("/formulas/rule-pack-updates/").content.decode()
    assert "Night cream v1" in listing and "2024.01-old" in listing
    refused = client_a.post("/formulas/rule-pack-updates/", follow=True)
    assert "Only centre staff" in refused.content.decode()
    response = analyst_client.post("/formulas/rule-pack-updates/")
    assert response.status_code == 200
    recheck = response.context["recheck"]
    assert recheck["checked"] == 1 and recheck["changed"] == 1
    (entry,) = recheck["formulas"]
    assert any("hydroquinone" in str(c).casefold() for c in entry["changes"])
    assert "Every stored check was made with the current rule pack" in response.content.decode()
    assert CheckResult.objects.count() == 2


@needs_checker
def test_many_stale_checks_are_rechecked_by_a_job(
    analyst_client: Client, analyst: Any, with_pack: DataPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("actives.web.formulas.services.INLINE_RECHECK_LIMIT", 0)
    formula = make_formula(analyst_client)
    _check(analyst_client, formula)
    CheckResult.objects.update(rule_pack_version="old")
    response = analyst_client.post("/formulas/rule-pack-updates/")
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = Job.objects.get(kind="formulas_recheck")
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error_message
    assert job.result["checked"] == 1
    assert analyst_client.get(f"/jobs/{job.pk}/").status_code == 200


def test_verdict_words_cover_every_product_tag_in_both_languages() -> None:
    """The pages say a verdict in the reader's language from the stored condition."""
    from django.utils import translation

    from actives.regulation.rules import PRODUCT_TAGS
    from actives.web.formulas.wording import TAG_WORDS, condition_words, verdict_sentence

    assert set(TAG_WORDS) == set(PRODUCT_TAGS)
    condition = {
        "product_scope": ["hair", "rinse_off"],
        "excluded_scope": ["oral"],
        "otherwise": False,
        "max_percent": 0.5,
        "min_percent": None,
        "expressed_as": "salicylic acid",
        "text": "(a) 0,5 %",
    }
    with translation.override("en"):
        assert condition_words(condition) == (
            "rinse-off hair products (not oral-care): max 0.5 % as salicylic acid — “(a) 0,5 %”"
        )
        assert verdict_sentence("over_limit", condition, 2) == (
            "2 % is outside what the rule allows: max 0.5 % as salicylic acid in rinse-off hair "
            "products (not oral-care)."
        )
        other = {**condition, "otherwise": True, "product_scope": [], "excluded_scope": []}
        assert (
            verdict_sentence("allowed", other, 0.1)
            == "Allowed: other products, max 0.5 % as salicylic acid."
        )
    with translation.override("ko"):
        assert condition_words(condition).startswith(
            "씻어내는 모발 제품 (구강용 제외): 최대 0.5 % (salicylic acid로서)"
        )
        banned = {**condition, "max_percent": 0}
        assert verdict_sentence("prohibited", banned, 1).endswith("에는 사용할 수 없습니다.")
        assert verdict_sentence("prohibited", None, 1) == "이 시장에서 사용 금지 성분입니다."
        assert verdict_sentence("unknown", None, 1).startswith("자동으로 판정할 수 없습니다")
        assert "신규 원료" in verdict_sentence("not_in_inventory", None, 1)
