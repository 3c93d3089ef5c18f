"""A member runs the defined approaches for a known sensitiser and a margin of safety for a face
cream, in a real Chromium, then reads the safety summary."""

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_staff_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_defined_approaches_for_a_known_sensitiser(
    live_server: Any, page: Any, member_a: Any
) -> None:
    _login(page, live_server.url, "minji")
    page.click("nav.sidebar >> text=Safety")
    page.wait_for_url("**/safety/")
    page.click("main a.card >> text=Skin sensitisation: defined approaches")
    page.wait_for_url("**/safety/sensitisation/")
    page.fill("#id_ingredient", "Cinnamal")
    page.fill("#id_dpra_cys", "60")
    page.fill("#id_dpra_lys", "30")
    page.select_option("#id_ks_call", "positive")
    page.select_option("#id_hclat_call", "positive")
    page.fill("#id_hclat_mit", "5")
    page.click("main form.safety-form button[type=submit] >> text=Run the defined approaches")
    page.wait_for_selector("#da-2o3")
    two = page.inner_text("#da-2o3")
    assert "Sensitiser" in two
    assert "DPRA and KeratinoSens both positive → sensitiser (UN GHS Category 1)" in two
    its = page.inner_text("#da-its")
    assert "UN GHS Category 1A" in its and "Total: 6" in its
    assert page.locator("#da-2o3 ol.steps > li").count() >= 5
    screenshot(page, "safety-da-result")

    # a broken value is shown next to its field, with what was expected
    page.click("main details.search-card > summary")
    page.fill("#id_dpra_cys", "150")
    page.click("main form.safety-form button[type=submit] >> text=Run the defined approaches")
    error = page.locator(".field.has-error .field-error").first
    assert error.inner_text() == "Expected a number from -100 to 100 (%)."
    screenshot(page, "safety-da-error")


def test_margin_of_safety_for_a_face_cream(live_server: Any, page: Any, member_a: Any) -> None:
    _login(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/safety/mos/")
    assert page.input_value("#id_product_type") == "face_cream"
    assert "24.14" in page.inner_text("#product-facts")
    page.select_option("#id_product_type", "body_lotion")  # HTMX swaps the SCCS values
    page.wait_for_function("document.querySelector('#product-facts').innerText.includes('123.2')")
    page.select_option("#id_product_type", "face_cream")
    page.wait_for_function("document.querySelector('#product-facts').innerText.includes('24.14')")
    page.fill("#id_ingredient", "Cinnamal")
    page.fill("#id_concentration", "1")
    page.fill("#id_pod_value", "100")
    page.click("main form.safety-form button[type=submit]")
    page.wait_for_selector("#mos")
    assert page.inner_text("#sed") == "0.1207"
    assert page.inner_text("#mos") == "414"
    assert "MoS 414 ≥ 100: acceptable" in page.inner_text("main")
    screenshot(page, "safety-mos-result")

    page.click("main .summary-panel >> text=View")
    page.wait_for_url("**/safety/summary/")
    assert "Cinnamal" in page.inner_text("main h1")
    assert "0.1207" in page.inner_text("main")
    screenshot(page, "safety-summary")
