"""Phones first: at 360 and 390 px, in Russian, Kazakh and English, no page scrolls sideways, the first kit of
the catalogue shows without scrolling, and the header keeps the cart and the search in reach."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from shop.accounts.services import create_user
from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.services import write_off
from shop.models import Cohort, Enrolment, Product
from tests.e2e.journeys import BASIL, assert_stayed_home, available
from tests.e2e.test_phone_purchase import assert_fits_the_screen

pytestmark = pytest.mark.e2e

PHONES = {"360x740": (360, 740), "390x844": (390, 844)}
PREFIXES = {"ru": "", "kk": "/kk", "en": "/en"}
REFILL = "coconut-substrate-refill"  # plenty in stock: one is bought per run
PUBLIC_PAGES = ("/", "/catalog/", "/catalog/?category=herbs", "/catalog/?q=zzzz", f"/products/{BASIL}",
                "/products/microgreens-kit-with-course", "/courses/", "/courses/microgreens-at-home",
                "/pages/offer", "/pages/privacy", "/pages/delivery-and-payment", "/pages/returns", "/pages/contacts",
                "/account/login", "/account/register")
BUYER = {"#email": "phone.buyer@example.kz", "#full_name": "Айдана Жұмабекқызы", "#phone": "+7 701 765 43 21"}


def _phone(open_page, size: str):
    width, height = PHONES[size]
    return open_page(viewport={"width": width, "height": height}, device_scale_factor=2, is_mobile=True,
                     has_touch=True)


def _buy_a_refill(page, prefix: str) -> None:
    page.goto(f"{prefix}/products/{REFILL}")
    page.locator("form.buy button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    assert_fits_the_screen(page)
    page.locator('a.button[href$="/checkout"]').click()
    expect(page).to_have_url(re.compile(r"/checkout$"))
    assert_fits_the_screen(page)
    summary, pay = page.locator(".order-summary"), page.locator('form[action$="/checkout"] button[type=submit]')
    assert summary.bounding_box()["y"] < pay.bounding_box()["y"], "the order summary comes before the pay button"
    for selector, value in BUYER.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=pickup]").check()
    page.locator("#accept_terms").check()
    pay.click()
    expect(page).to_have_url(re.compile(r"/pay/test/"))
    assert_fits_the_screen(page)
    page.locator('button[name=outcome][value="pay"]').click()
    expect(page.locator(".status-paid")).to_be_visible()
    assert_fits_the_screen(page)


def _log_in_a_learner(page, live_shop, prefix: str, key: str) -> None:
    email, password = f"phone-{key}@example.kz", "phones-first-2026"
    with live_shop.app.app_context():
        user, _created = create_user(email, "customer", password, now=utcnow(), full_name="Ержан Нұрланұлы")
        # A learner of an online cohort whose (long) join link shows in the learner area.
        cohort = db.session.scalars(select(Cohort).where(Cohort.format == "online").order_by(Cohort.starts_at)).first()
        cohort.join_url = "https://meet.example.kz/cityfarm-microgreens-at-home-online-lesson-room-0123456789abcdef"
        db.session.add(Enrolment(cohort_id=cohort.id, user_id=user.id, email=email, full_name=user.full_name))
        db.session.commit()
        db.session.remove()
    page.goto(f"{prefix}/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/$"))


@pytest.mark.parametrize("language", PREFIXES)
@pytest.mark.parametrize("size", PHONES)
def test_no_page_scrolls_sideways_on_a_phone(open_page, live_shop, size, language):
    page, prefix = _phone(open_page, size), PREFIXES[language]
    for path in PUBLIC_PAGES:
        page.goto(prefix + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_fits_the_screen(page)
    _buy_a_refill(page, prefix)
    _log_in_a_learner(page, live_shop, prefix, f"{size}-{language}")
    assert_fits_the_screen(page)
    page.goto(f"{prefix}/learn/")
    expect(page.locator('.learner-cohort a[href^="https://meet.example.kz/"]').first).to_be_visible()
    assert_fits_the_screen(page)
    assert_stayed_home(page)


@pytest.mark.parametrize("language", PREFIXES)
@pytest.mark.parametrize("size", PHONES)
def test_the_first_kit_of_the_catalogue_shows_without_scrolling_two_to_a_row(open_page, size, language):
    page = _phone(open_page, size)
    page.goto(f"{PREFIXES[language]}/catalog/")
    first, second = page.locator(".grid .card").nth(0).bounding_box(), page.locator(".grid .card").nth(1).bounding_box()
    assert first["y"] + first["height"] <= PHONES[size][1], f"the first kit ends at {first['y'] + first['height']}px"
    assert second["y"] == first["y"] and second["x"] > first["x"], "two kits side by side"
    expect(page.locator("details.filter-panel")).not_to_have_attribute("open", "")
    expect(page.locator(".chips a.chip").first).to_be_visible()


def test_the_header_with_cart_and_search_stays_in_reach_while_scrolling(open_page):
    page = _phone(open_page, "390x844")
    page.goto(f"/products/{BASIL}")
    page.locator("form.buy button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    page.goto("/catalog/")
    page.mouse.wheel(0, 2000)
    page.wait_for_function("window.scrollY > 500")
    cart, search = page.locator(".site-header .cart-link"), page.locator(".site-search input[name=q]")
    expect(cart).to_be_in_viewport()
    expect(cart).to_contain_text("1")
    expect(search).to_be_in_viewport()
    header = page.locator(".site-header").bounding_box()
    assert header["y"] + header["height"] <= 120, f"the header takes {header['y'] + header['height']}px"
    search.fill("basil")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalog/\?q=basil"))


def test_touch_targets_in_the_header_and_catalogue_are_44_px_tall(open_page):
    page = _phone(open_page, "360x740")
    page.goto("/catalog/")
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.site-header a, .site-header button, .site-header input, .chip, .filter-panel summary, .card-link')]
      .filter(el => el.getBoundingClientRect().height < 44)
      .map(el => el.outerHTML.slice(0, 80))""")
    assert small == []


def test_a_laptop_keeps_the_filter_open_and_the_wide_grid(page):
    page.goto("/catalog/")
    expect(page.locator("details.filter-panel")).to_have_attribute("open", "")
    tops = {round(page.locator(".grid .card").nth(index).bounding_box()["y"]) for index in range(4)}
    assert len(tops) == 1, "four kits on the first row"


def test_a_kit_that_ran_short_in_the_cart_is_fixed_in_one_tap_on_a_small_phone(open_page, live_shop):
    page = _phone(open_page, "360x740")
    kit = "sunflower-pea-microgreens-kit"
    wanted = available(page, kit)
    assert wanted >= 2, "the demo keeps a few of this kit"
    page.goto(f"/kk/products/{kit}")
    page.locator("form.buy input[name=quantity]").fill(str(wanted))
    page.locator("form.buy button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    with live_shop.app.app_context():
        write_off(db.session.scalar(select(Product).where(Product.slug == kit)), wanted - 1, now=utcnow(),
                  reason="e2e: the rest wilted")
        db.session.commit()
        db.session.remove()
    page.reload()
    marked = page.locator("tr.line-problem")
    expect(marked).to_contain_text("тек 1 дана қалды")
    expect(page.locator('a.button[href$="/checkout"]')).to_have_count(0)
    assert_fits_the_screen(page)
    marked.locator(".fix-forms button").first.click()
    expect(page.locator("tr.line-problem")).to_have_count(0)
    expect(page.locator('table.cart input[name=quantity][type=number]')).to_have_value("1")
    page.locator('a.button[href$="/checkout"]').click()
    expect(page).to_have_url(re.compile(r"/checkout$"))
    assert_stayed_home(page)


@pytest.mark.parametrize("path", ["/kk/", "/kk/catalog/", f"/kk/products/{BASIL}", "/kk/courses/microgreens-at-home",
                                  "/kk/cart", "/kk/checkout"])
def test_axe_finds_nothing_serious_on_a_phone(open_page, path):
    page = _phone(open_page, "360x740")
    if path.endswith(("/cart", "/checkout")):
        page.goto(f"/kk/products/{BASIL}")
        page.locator("form.buy button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/cart$"))
    page.goto(path)
    violations = Axe().run(page).response["violations"]
    serious = [f"{v['id']}: {[node['target'] for node in v['nodes']][:3]}" for v in violations
               if v["impact"] in ("serious", "critical")]
    assert serious == []
