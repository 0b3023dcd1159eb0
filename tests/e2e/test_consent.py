"""Journey: a buyer who leaves the consent box empty is told so next to it, ticks it by keyboard and pays;
the footer leads to the information pages."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import BASIL, assert_stayed_home

pytestmark = pytest.mark.e2e
BUYER = {"#email": "consent.buyer@example.kz", "#full_name": "Жанар Төлеуова", "#phone": "+7 701 222 33 44"}


def test_a_buyer_without_consent_is_told_next_to_the_box_then_ticks_it_by_keyboard_and_pays(page):
    page.goto(f"/en/products/{BASIL}")
    expect(page.locator(".how-to-buy")).to_contain_text("Courier in Almaty")
    page.locator("form.buy button[type=submit]").click()
    page.locator('a.button[href$="/checkout"]').click()
    for selector, value in BUYER.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=pickup]").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()

    box = page.locator("#accept_terms")
    expect(page.locator("#accept_terms-error")).to_contain_text("accept the offer")
    expect(box).to_have_attribute("aria-describedby", "accept_terms-error")
    expect(page.locator("#full_name")).to_have_value(BUYER["#full_name"])
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.locator('form[action$="/checkout"] button[type=submit]').click()
    page.locator('button[name=outcome][value="pay"]').click()
    expect(page).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]+$"))
    expect(page.locator(".status-paid")).to_be_visible()
    expect(page.locator("main")).to_contain_text("58 Zhandosov Street")  # where to collect it
    assert page.foreign_requests == []  # (the console shows the refused form's 400, as it should)


def test_the_footer_leads_to_each_information_page(page):
    page.goto("/en/")
    for title, heading in (("Public offer", "Public offer"), ("Privacy policy", "Privacy policy"),
                           ("Delivery and payment", "Delivery and payment"), ("Returns and refunds", "Returns"),
                           ("Contacts", "Contacts")):
        page.locator(".site-footer nav a", has_text=title).click()
        expect(page.locator("h1")).to_contain_text(heading)
    assert_stayed_home(page)
