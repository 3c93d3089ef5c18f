"""A member types a formula in the editor, checks it against the EU, Korea and China, and reads
the verdict matrix, in a real Chromium. Screenshots of every formula page (empty, filled, error
states, Korean) go to test-artifacts/ and, with FORMULAS_SHOTS set, to that folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from actives.knowledge import DataPack
from tests.browser.conftest import screenshot
from tests.browser.test_staff_flow import _login
from tests.web.test_formulas import regulation_pack  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    path = screenshot(page, f"formulas-{name}")
    folder = os.environ.get("FORMULAS_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


@pytest.fixture
def with_pack(monkeypatch: pytest.MonkeyPatch, regulation_pack: DataPack) -> DataPack:  # noqa: F811
    monkeypatch.setattr("actives.web.formulas.services.pack_or_none", lambda: regulation_pack)
    monkeypatch.setattr("actives.web.formulas.views.pack_or_none", lambda: regulation_pack)
    return regulation_pack


ROWS = [
    ("Water", "78.5"),
    ("Glycerin", "5"),
    ("Niacinamide", "4"),
    ("Hydroquinone", "2"),
    ("Methylisothiazolinone", "0.5"),
    ("Unobtainium Flower Extract", "0.1"),
]


def test_create_a_formula_check_it_and_read_the_matrix(
    live_server: Any, page: Any, member_a: Any, with_pack: DataPack
) -> None:
    pytest.importorskip("actives.regulation.checker")
    _login(page, live_server.url, "minji")
    page.click("nav.sidebar >> text=Regulation")
    page.wait_for_url("**/formulas/")
    assert "No formulas yet" in page.inner_text("main")
    shot(page, "list-empty")
    page.click("main >> text=New formula")
    page.wait_for_url("**/formulas/new/")
    page.fill("#id_name", "Brightening night cream")
    page.check("input[name=areas][value=face]")
    page.check("input[name=markets][value=CN]")
    page.click("button[name=add_rows]")  # 5 blank rows + 3
    page.wait_for_selector("#id_form-7-name")
    for n, (name, percent) in enumerate(ROWS):
        page.fill(f"#id_form-{n}-name", name)
        page.fill(f"#id_form-{n}-percent", percent)
    assert page.inner_text("#total") == "90.100"
    assert "Not 100" in page.inner_text("#total-warning")
    page.fill("#id_form-0-percent", "88.4")
    assert page.inner_text("#total") == "100.000"
    assert "Within 100" in page.inner_text("#total-warning")
    shot(page, "editor-filled")
    page.click("button[name=save]")
    page.wait_for_url("**/v1/")
    shot(page, "version")
    page.click("#check-button")
    page.wait_for_url("**/v1/check/")
    page.wait_for_selector("#matrix")
    check_url = page.url
    eu = page.inner_text("#overall-EU")
    assert "Refused" in eu
    cell = page.locator("tr", has_text="Hydroquinone").locator("td[data-market=EU]")
    cell.locator("summary").click()
    assert "prohibited" in cell.inner_text() and "Annex II" in cell.inner_text()
    cn = page.locator("tr", has_text="Niacinamide").locator("td[data-market=CN]")
    assert "not in inventory" in cn.inner_text()
    assert "Unobtainium Flower Extract" in page.inner_text("#unresolved ~ ul")
    shot(page, "check")

    # an error state: a broken amount is shown at its field
    page.goto(f"{live_server.url}/formulas/new/")
    page.fill("#id_name", "Broken")
    page.fill("#id_form-0-name", "Water")
    page.fill("#id_form-0-percent", "abc")
    page.click("button[name=save]")
    assert "Expected a number above 0 and at most 100" in page.inner_text(".row-error")
    shot(page, "editor-error")

    page.goto(f"{live_server.url}/formulas/")
    shot(page, "list-filled")
    page.goto(f"{live_server.url}/formulas/import/")
    shot(page, "import")
    page.goto(f"{live_server.url}/formulas/rule-pack-updates/")
    shot(page, "updates")

    with page.expect_navigation():
        page.select_option("#language-select", "ko")
    page.goto(check_url)
    assert "사용 금지" in page.inner_text("#matrix")
    mit = page.locator("tr", has_text="Methylisothiazolinone").locator("td[data-market=EU]")
    mit.locator("summary").click()
    said = mit.inner_text()
    assert "이 제품에는 허용되지 않습니다" in said and "검토기 원문 (영어)" in said
    shot(page, "check-ko")
    page.goto(f"{live_server.url}/formulas/new/")
    shot(page, "editor-ko")
