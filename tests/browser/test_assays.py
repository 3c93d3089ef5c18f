"""A member uploads a qPCR plate (with a layout) and a dose-response table in a real Chromium,
reads the plate view and the IC50 page, and switches to Korean. Screenshots of the assay pages
(empty, results, an upload error, Korean) go to test-artifacts/ and, with ASSAYS_SHOTS set, to
that folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_staff_flow import _login
from tests.web.test_assays import TIDY, plate_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    path = screenshot(page, f"assays-{name}")
    folder = os.environ.get("ASSAYS_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def test_upload_a_plate_and_a_dose_response_table(
    live_server: Any, page: Any, member_a: Any, tmp_path: Path
) -> None:
    table, layout = plate_files()
    (tmp_path / "plate.csv").write_bytes(table)
    (tmp_path / "layout.csv").write_bytes(layout)
    (tmp_path / "broken.csv").write_bytes(b"well,value\nA1,abc\n")
    _login(page, live_server.url, "minji")
    page.click("nav.sidebar >> text=Assays")
    page.wait_for_url("**/assays/")
    assert "No qPCR runs yet" in page.inner_text("main")
    shot(page, "index-empty")

    page.click("main >> text=New qPCR run")
    page.fill("#id_name", "Broken export")
    page.set_input_files("#id_file", str(tmp_path / "broken.csv"))
    page.click("main button[type=submit]")
    assert "cycle" in page.inner_text(".form-error").lower()
    shot(page, "qpcr-upload-error")

    page.fill("#id_name", "GAPDH standards and IL6")
    page.set_input_files("#id_file", str(tmp_path / "plate.csv"))
    page.set_input_files("#id_layout", str(tmp_path / "layout.csv"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/assays/qpcr/*/")
    main = page.inner_text("main")
    assert "NTC contamination" in main and "Standard curves" in main
    assert page.locator("table.plate td.well-positive").count() >= 16
    shot(page, "qpcr-plate")
    plate_url = page.url

    page.goto(f"{live_server.url}/assays/dose-response/new/")
    page.fill("#id_name", "Tyrosinase, plate 1")
    page.fill("#id_assay", "mushroom tyrosinase, L-DOPA, 475 nm")
    page.set_input_files("#id_file", str(TIDY))
    page.click("main button[type=submit]")
    page.wait_for_url("**/assays/dose-response/*/")
    assert "95 % CI" in page.inner_text("main")
    assert page.locator("svg.plot, svg").count() >= 2
    shot(page, "dose-response")

    with page.expect_navigation():
        page.select_option("#language-select", "ko")
    assert "IC50" in page.inner_text("main") and "신뢰구간" in page.inner_text("main")
    shot(page, "dose-response-ko")
    page.goto(plate_url)
    assert "플레이트" in page.inner_text("main")
    shot(page, "qpcr-plate-ko")
    page.goto(f"{live_server.url}/assays/")
    shot(page, "index-ko")
