"""Accessibility: axe-core finds nothing serious on the shop's pages; labels, focus and keyboard work."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from shop.accounts.services import create_user
from shop.clock import utcnow
from shop.extensions import db
from tests.e2e.journeys import BASIL

pytestmark = pytest.mark.e2e

COURSE = "microgreens-at-home"
PAGES = {"home": "/", "catalogue": "/catalog/", "product": f"/products/{BASIL}", "course": f"/courses/{COURSE}",
         "cart": "/cart", "checkout": "/checkout", "learner area": "/learn/", "staff dashboard": "/admin/",
         "staff orders": "/admin/orders/", "staff products": "/admin/products/", "register": "/account/register",
         "offer": "/pages/offer", "privacy": "/pages/privacy", "delivery and payment": "/pages/delivery-and-payment",
         "returns": "/pages/returns", "contacts": "/pages/contacts", "offer in Kazakh": "/pages/offer?lang=kk",
         "staff shop details": "/admin/shop-details", "staff pages": "/admin/pages/",
         "staff page editor": "/admin/pages/privacy", "staff page version": "/admin/pages/privacy/versions/1"}
NEEDS_CART = {"cart", "checkout"}
NEEDS_LOGIN = {"learner area": "customer", "staff dashboard": "staff", "staff orders": "staff",
               "staff products": "staff", "staff shop details": "staff", "staff pages": "staff",
               "staff page editor": "staff", "staff page version": "staff"}
SERIOUS = {"serious", "critical"}

# Form controls a person fills in, each with the name its label (or aria-label) gives it.
UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML)"""

# What the focused element looks like: its outline, or a box shadow standing in for one.
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {element: el.outerHTML.slice(0, 120), visible: outline || style.boxShadow !== 'none'};
}"""


def _put_basil_in_the_cart(page) -> None:
    page.goto(f"/products/{BASIL}")
    page.locator("form.buy button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))


def _log_in(page, live_shop, role: str) -> None:
    email, password = f"a11y-{role}@cityfarm.kz", "accessible-farm-2026"
    with live_shop.app.app_context():
        create_user(email, role, password, now=utcnow(), full_name="Ақжол Серікұлы")
        db.session.remove()
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/$"))


def _open(page, name: str, live_shop=None) -> None:
    if name in NEEDS_CART:
        _put_basil_in_the_cart(page)
    if name in NEEDS_LOGIN:
        _log_in(page, live_shop, NEEDS_LOGIN[name])
    response = page.goto(PAGES[name])
    assert response.ok, f"{PAGES[name]} answered {response.status}"


def _describe(violations) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']} at {[node['target'] for node in v['nodes']][:5]}" for v in violations
    )


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(page, live_shop, name):
    _open(page, name, live_shop)
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert serious == [], f"{PAGES[name]}:\n{_describe(serious)}"


@pytest.mark.parametrize("name", PAGES)
def test_every_form_control_has_a_label(page, live_shop, name):
    _open(page, name, live_shop)
    assert page.evaluate(UNLABELLED_CONTROLS) == []


@pytest.mark.parametrize("name", ["product", "checkout"])
def test_keyboard_focus_is_always_visible(page, name):
    _open(page, name)
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring is None:
            break
        seen.append(ring)
    assert len(seen) >= 5
    assert [ring["element"] for ring in seen if not ring["visible"]] == []


def test_the_first_tab_shows_the_skip_link_and_enter_jumps_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_visitor_adds_a_kit_to_the_cart_by_keyboard_alone(page):
    page.goto(f"/products/{BASIL}")
    page.locator("form.buy input[name=quantity]").focus()
    page.keyboard.press("Tab")
    expect(page.locator("form.buy button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(f'table.cart a[href$="/products/{BASIL}"]')).to_have_count(1)
