"""A member predicts a structure by name, reads the evidence, and switches to Korean."""

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
    monkeypatch.setattr("actives.web.predictions.services.pack_or_none", lambda: pack)
    monkeypatch.setattr("actives.web.predictions.views.pack_or_none", lambda: pack)
    return pack


def test_predict_by_name_with_evidence(live_server: Any, page: Any, member_a: Any, pack) -> None:
    _login(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/predictions/")
    assert "COX-2 inhibition" in page.inner_text("main")
    screenshot(page, "predictions-index")
    page.fill("#id_q", "arbutin")
    page.click("main button[type=submit]")
    page.wait_for_url("**/predictions/molecule/?q=arbutin*")
    main = page.inner_text("main")
    assert "Function profile" in main and "Nearest measured compounds" in main
    assert page.locator("span.ad").count() == 4
    assert page.locator("svg.profile circle").count() == 4
    screenshot(page, "predictions-molecule")

    page.fill("#id_q", "C1CC")
    page.click("main button[type=submit]")
    assert "unclosed ring" in page.inner_text("[role=alert]")
    screenshot(page, "predictions-error")

    page.select_option("#language-select", "ko")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    page.goto(f"{live_server.url}/predictions/molecule/?q=arbutin")
    assert page.locator("span.ad").count() == 4
    screenshot(page, "predictions-molecule-ko")
