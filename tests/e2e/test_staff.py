"""Journey: staff receive stock, pack and ship a paid order, refund part of it and see the sale on the chart."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.accounts.services import create_user
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Order, Product
from tests.e2e.journeys import BASIL, assert_stayed_home

pytestmark = pytest.mark.e2e
STAFF = ("farmer@cityfarm.kz", "greenhouse-keys-2026")


def buy_one_basil_kit(page) -> None:
    page.goto(f"/products/{BASIL}?lang=en")
    page.locator("form.buy button[type=submit]").click()
    page.locator('a.button[href$="/checkout"]').click()
    for selector, value in {"#email": "buyer.staffjourney@example.kz", "#full_name": "Ерлан Нурланов",
                            "#phone": "+7 702 333 44 55", "#city": "Алматы", "#address": "ул. Сатпаева 5"}.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=courier]").check()
    page.locator("#accept_terms").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()
    page.locator('button[name=outcome][value="pay"]').click()
    expect(page.locator(".status-paid")).to_be_visible()


def test_staff_receive_stock_ship_an_order_refund_part_and_see_the_chart(open_page, live_shop):
    with live_shop.app.app_context():
        create_user(STAFF[0], "staff", STAFF[1], now=utcnow(), full_name="Farm Staff")
        product_id = db.session.scalar(select(Product.id).where(Product.slug == BASIL))
        db.session.remove()
    buy_one_basil_kit(open_page(viewport={"width": 1280, "height": 800}))
    with live_shop.app.app_context():
        order_id = db.session.scalar(select(Order.id).where(Order.email == "buyer.staffjourney@example.kz"))
        db.session.remove()

    page = open_page(viewport={"width": 1280, "height": 900})
    page.goto("/account/login?lang=en&next=/admin/")
    page.locator("#email").fill(STAFF[0])
    page.locator("#password").fill(STAFF[1])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(f"/en/admin/products/{product_id}")
    on_hand = int(page.locator('[data-figure="on-hand"]').inner_text())
    receive = page.locator('form[action$="/receive"]')
    receive.locator("input[name$=quantity]").fill("5")
    receive.locator("input[name$=note]").fill("Greenhouse delivery no. 14")
    receive.locator("button[type=submit]").click()
    expect(page.locator('[data-figure="on-hand"]')).to_have_text(str(on_hand + 5))
    expect(page.locator("main")).to_contain_text("Greenhouse delivery no. 14")

    page.goto(f"/en/admin/orders/{order_id}")
    page.locator('form.move-form:has(input[value="packed"]) button').click()
    shipped = page.locator('form.move-form:has(input[value="shipped"])')
    shipped.locator("input[name$=tracking_number]").fill("KZ123456789")
    shipped.locator("button").click()
    expect(page.locator("main")).to_contain_text("KZ123456789")

    refund = page.locator('form[action$="/refund"]')
    refund.locator('input[name=basis][value=amount]').check()
    refund.locator("input[name$=amount_minor]").fill("1000")
    refund.locator("input[name$=reason]").fill("One pot arrived cracked")
    refund.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("through test payments")
    page.locator("form.confirm-step button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Partially refunded")
    expect(page.locator(".title-row .status-partially_refunded")).to_be_visible()
    expect(page.locator(".title-row .status-shipped")).to_be_visible()  # the refund hides no parcel

    page.goto("/en/admin/")
    expect(page.locator("svg.bar-chart rect").first).to_be_attached()
    assert_stayed_home(page)
