"""A company member signs in, switches to Korean and is refused another company's page."""

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_login_language_and_scoping(
    live_server: Any, page: Any, member_a: Any, company_b: Any
) -> None:
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    screenshot(page, "login")

    page.fill("#id_username", "minji")
    page.fill("#id_password", "not the password")
    page.click("main button[type=submit]")
    assert page.locator(".form-error").inner_text().startswith("Please enter a correct username")

    page.fill("#id_username", "minji")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "Welcome, minji" in page.inner_text("h1")
    screenshot(page, "dashboard-en")

    page.select_option("#language-select", "ko")
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert "환영합니다" in page.inner_text("h1")
    assert page.locator(".sidebar").inner_text().startswith("대시보드")
    screenshot(page, "dashboard-ko")

    response = page.goto(f"{live_server.url}/companies/{company_b.pk}/")
    assert response is not None and response.status == 404
    assert "소속되지 않은 기업" in page.inner_text("main")
    assert "Gangwon" not in page.content()
    screenshot(page, "other-company-ko")

    response = page.goto(f"{live_server.url}/companies/{member_a.company_id}/")
    assert response is not None and response.status == 200
    assert "Jeju Botanicals" in page.inner_text("h1")
