"""Steps of the browser journeys, shared by the laptop and the phone versions."""
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

BASIL = "basil-starter-kit"
BASIL_IN_KAZAKH = "райхан"
BUYER = {"#email": "aigerim@example.kz", "#full_name": "Айгерім Сапарова", "#phone": "+7 701 234 56 78",
         "#city": "Алматы", "#address": "Абай даңғылы 10, 5-пәтер"}


def available(page: Page, slug: str) -> int:
    """Return what ``/api/products`` says is available of ``slug``, asked with the page's cookies."""
    response = page.request.get("/api/products")
    assert response.ok, response.status
    return next(item["available"] for item in response.json() if item["slug"] == slug)


def assert_stayed_home(page: Page) -> None:
    """Nothing was fetched from another host and no script failed on any page of the journey."""
    assert page.foreign_requests == [], f"requests to other hosts: {page.foreign_requests}"
    assert page.script_errors == [], f"errors in the browser console: {page.script_errors}"


def buy_two_basil_kits_in_kazakh(page: Page, on_each_page: Callable[[Page], None] = lambda page: None) -> str:
    """Switch to Kazakh, find basil by search, buy two by courier, pay on the dummy page; return the order URL.

    ``on_each_page`` runs on every page the visitor sees (the phone journey checks the layout there).
    """
    before = available(page, BASIL)
    page.goto("/")
    on_each_page(page)

    page.locator('.lang-switch a[hreflang="kk"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    on_each_page(page)

    page.locator('.main-nav a[href$="/catalog/"]').click()
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    search = page.locator(".site-search input[name=q]")  # the header's search box, on every page
    search.fill(BASIL_IN_KAZAKH)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalog/\?.*q="))
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    on_each_page(page)

    page.locator(f'a.card-link[href$="/products/{BASIL}"]').click()
    expect(page).to_have_url(re.compile(f"/products/{BASIL}$"))
    quantity = page.locator("form.buy input[name=quantity]")
    most_before = int(quantity.get_attribute("max"))
    on_each_page(page)
    quantity.fill("2")
    page.locator("form.buy button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(f'table.cart a[href$="/products/{BASIL}"]')).to_have_count(1)
    expect(page.locator("table.cart input[type=number][name=quantity]")).to_have_value("2")
    on_each_page(page)
    page.locator('a.button[href$="/checkout"]').click()

    expect(page).to_have_url(re.compile(r"/checkout$"))
    on_each_page(page)
    for selector, value in BUYER.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=courier]").check()
    page.locator("#accept_terms").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()

    expect(page).to_have_url(re.compile(r"/pay/test/"))
    on_each_page(page)
    page.locator('button[name=outcome][value="pay"]').click()

    expect(page).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]+$"))
    expect(page.locator(".status-paid")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    on_each_page(page)
    order_url = page.url

    assert available(page, BASIL) == before - 2
    page.goto(f"/products/{BASIL}")
    assert int(page.locator("form.buy input[name=quantity]").get_attribute("max")) == most_before - 2
    on_each_page(page)
    return order_url
