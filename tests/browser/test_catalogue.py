"""A member searches the catalogue in Korean, opens a plant, a compound and exports."""

from pathlib import Path
from typing import Any

import pytest

from actives.knowledge import DataPack, build_pack
from tests.browser.conftest import screenshot
from tests.browser.test_staff_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPack:
    pack = DataPack(build_pack(RAW, tmp_path / "packs", workers=1))
    monkeypatch.setattr("actives.web.catalog.views.pack_or_none", lambda: pack)
    return pack


def test_catalogue_search_plant_compound(live_server: Any, page: Any, member_a: Any, pack) -> None:
    _login(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/catalog/")
    screenshot(page, "catalog-index")
    page.fill("#id_q", "morus alba")
    page.click("main button[type=submit]")
    page.wait_for_url("**/catalog/plant/Morus%20alba/")
    assert "4 constituents" in page.inner_text("main")
    images = page.locator("table.compounds img")
    assert images.count() == 4
    page.wait_for_function(
        "[...document.querySelectorAll('table.compounds img')].every(i => i.naturalWidth > 0)"
    )
    screenshot(page, "catalog-plant")
    with page.expect_download() as download:
        page.click("text=CSV")
    assert download.value.suggested_filename.startswith("Morus_alba_constituents_")

    page.select_option("#language-select", "ko")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    page.goto(f"{live_server.url}/catalog/")
    page.fill("#id_q", "알부틴")
    page.click("main button[type=submit]")
    page.wait_for_url("**/catalog/compound/BJRNKVDFDLYUGJ-RMPHRYRLSA-N/")
    text = page.inner_text("main")
    assert "272.25 g/mol" in text and "Arctostaphylos uva-ursi" in text and "熊果苷" in text
    screenshot(page, "catalog-compound-ko")

    page.goto(f"{live_server.url}/catalog/")
    page.fill("#id_q", "resveratrl")
    page.click("main button[type=submit]")
    assert "이것을 찾으셨나요" in page.inner_text("main")
    screenshot(page, "catalog-suggestions-ko")


def test_broken_sdf_upload_in_the_browser(live_server: Any, page: Any, member_a: Any, pack) -> None:
    _login(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/catalog/upload/")
    page.set_input_files(
        "#id_file", str(Path(__file__).resolve().parents[1] / "data" / "broken.sdf")
    )
    page.click("main button[type=submit]")
    page.wait_for_selector("text=3 records read, 2 failed.")
    assert page.locator("tr.row-error").count() == 2
    screenshot(page, "catalog-upload")
