"""Journey: at checkout the buyer sees the total to pay, and it follows the delivery method without a reload."""
import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import BASIL

pytestmark = pytest.mark.e2e


def test_choosing_courier_adds_its_fee_to_the_total_shown_before_paying(page):
    page.goto(f"/en/products/{BASIL}")
    page.locator("form.buy button[type=submit]").click()
    page.locator('a.button[href$="/checkout"]').click()
    totals = page.locator("#checkout-totals")
    pickup = page.locator("input[name=delivery_method][value=pickup]")
    courier = page.locator("input[name=delivery_method][value=courier]")
    pickup.check()
    expect(totals.locator("[data-part=total]")).to_have_text(pickup.get_attribute("data-total"))
    page.evaluate("window.notReloaded = true")
    courier.check()
    expect(totals.locator("[data-part=total]")).to_have_text(courier.get_attribute("data-total"))
    expect(totals.locator("[data-part=fee]")).to_have_text(courier.get_attribute("data-fee"))
    assert courier.get_attribute("data-total") != pickup.get_attribute("data-total")
    assert page.evaluate("window.notReloaded") is True
    assert page.foreign_requests == []
