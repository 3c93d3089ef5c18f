"""A member ranks a plant's constituents for two functions, sorts and filters the table."""

from pathlib import Path
from types import SimpleNamespace
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
    for module in ("discovery.services", "discovery.views", "catalog.services", "catalog.views"):
        monkeypatch.setattr(f"actives.web.{module}.pack_or_none", lambda: pack)
    monkeypatch.setattr(
        "actives.web.discovery.services.get_settings", lambda: SimpleNamespace(home=tmp_path)
    )
    return pack


def test_plant_to_actives(live_server: Any, page: Any, member_a: Any, pack: DataPack) -> None:
    _login(page, live_server.url, "minji")
    page.click("nav.sidebar >> text=Discovery")
    page.wait_for_url("**/discovery/")
    page.fill("#id_name", "morus alba")
    assert page.is_checked("input[name=functions][value=antioxidant]")
    assert page.is_checked("input[name=functions][value=whitening]")
    page.click("main form.discovery-form button[type=submit]")
    page.wait_for_url("**/discovery/plant/?name=morus+alba*")
    assert page.inner_text("main h1").startswith("Morus alba")
    assert page.locator("table.ranked tbody tr").count() == 4
    assert page.locator("svg.scatter circle").count() == 4
    assert "similarity signal" in page.inner_text("main")
    screenshot(page, "discovery-plant")

    page.click("table.ranked thead >> text=Compound")
    names = page.locator("table.ranked td.cname > a:first-child").all_inner_texts()
    assert names == sorted(names, key=str.lower)

    page.select_option("#id_focus", "whitening")
    page.fill("#id_min_p", "0.9")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**min_p=0.9*")
    assert page.locator("table.ranked tbody tr").count() == 2
    assert "2 of 4 constituents pass the filters" in page.inner_text("main")

    page.fill("#id_min_p", "")
    page.select_option("#id_evidence", "measured")
    page.click("form.filters button[type=submit]")
    assert "No constituent passes these filters" in page.inner_text("main")
    screenshot(page, "discovery-plant-empty")
