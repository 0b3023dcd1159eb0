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


def test_a_code_covering_the_kit_asks_no_payment_for_pickup_but_does_for_a_paid_delivery(page, live_shop):
    from sqlalchemy import select

    from shop.extensions import db
    from shop.models import PromoCode

    with live_shop.app.app_context():
        if db.session.scalar(select(PromoCode.id).where(PromoCode.code == "E2E-GIFT")) is None:
            db.session.add(PromoCode(code="E2E-GIFT", kind="percent", percent=100))
            db.session.commit()
        db.session.remove()
    page.goto(f"/en/products/{BASIL}")
    page.locator("form.buy button[type=submit]").click()
    page.locator("#promo-code").fill("e2e-gift")
    page.locator("#promo-code").press("Enter")
    page.locator('a.button[href$="/checkout"]').click()
    page.locator("input[name=delivery_method][value=pickup]").check()
    expect(page.locator("#checkout-totals [data-part=total]")).to_have_text("₸0")
    expect(page.locator("#no-payment")).to_be_visible()
    expect(page.locator("#payment-methods")).to_be_hidden()
    expect(page.locator("#checkout-submit")).to_have_text("Confirm order")
    page.locator("input[name=delivery_method][value=courier]").check()
    expect(page.locator("#no-payment")).to_be_hidden()
    expect(page.locator("#payment-methods")).to_be_visible()
    expect(page.locator("#checkout-submit")).to_have_text("Go to payment")
    assert page.foreign_requests == []
