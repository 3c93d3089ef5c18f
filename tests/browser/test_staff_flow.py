"""Centre staff run a system check and watch it finish on the job page (HTMX polling)."""

from typing import Any

import pytest
from django.core.management import call_command

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_system_check_progress_is_shown_live(
    live_server: Any, page: Any, analyst: Any, company_a: Any
) -> None:
    _login(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/jobs/")
    assert "No jobs yet" in page.inner_text("main")
    page.click("text=Run a system check")
    page.wait_for_selector("#job-status")
    assert "Queued" in page.inner_text("#job-status")
    screenshot(page, "job-queued")

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*")
    page.wait_for_selector("#job-status >> text=Done", timeout=10_000)
    status = page.inner_text("#job-status")
    # The test database has no administrator: the check says so and names the fix.
    assert "Problems found" in status and "no administrator account" in status
    assert "actives init" in status and "migrations" in status
    screenshot(page, "job-done")


def test_profile_token_is_shown_once(live_server: Any, page: Any, member_a: Any) -> None:
    _login(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/accounts/profile/")
    assert "No tokens yet" in page.inner_text("main")
    page.fill("#id_name", "LIMS export")
    page.click("text=Create token")
    token = page.inner_text("#new-token")
    assert token.startswith("act_")
    screenshot(page, "profile-token")
    page.reload()
    assert token not in page.content()
    assert "LIMS export" in page.inner_text("table")


def test_manager_registers_company_and_member_in_korean(
    live_server: Any, page: Any, manager: Any
) -> None:
    _login(page, live_server.url, "manager")
    page.select_option("#language-select", "ko")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    page.goto(f"{live_server.url}/companies/")
    assert "아직 기업이 없습니다" in page.inner_text("main")
    page.click("text=기업 등록")
    page.fill("#id_name", "Andong Herbs")
    page.fill("#id_name_ko", "안동허브")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1 >> text=Andong Herbs")
    page.click("text=구성원 추가")
    page.fill("#id_username", "sora")
    page.fill("#id_email", "not-an-email")
    page.fill("#id_password1", "Ginseng-root-2026")
    page.fill("#id_password2", "Ginseng-root-2026")
    page.click("main button[type=submit]")
    assert page.locator(".field-error").count() == 1
    screenshot(page, "member-form-error-ko")
    page.fill("#id_email", "sora@andong.example")
    page.fill("#id_password1", "Ginseng-root-2026")
    page.fill("#id_password2", "Ginseng-root-2026")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=로그인할 수 있습니다")
    assert "sora" in page.inner_text("main")
    screenshot(page, "company-detail-ko")
