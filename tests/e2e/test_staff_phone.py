"""Journey: a farm worker's day on a phone — find today's orders to pack, print their slips, mark them packed,
ship one with a tracking number, refund one line of another after confirming, and read it all in the audit log.

The shop's phone rules hold on every staff page on the way: the menu is one folded control, nothing scrolls
sideways at 390 px, and the order page starts with the status, the buyer's contact and the next step.
"""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from shop.accounts.services import create_user
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Cohort, Enrolment, Order, OrderLine, Product, PromoCode
from tests.e2e.journeys import BASIL, assert_stayed_home
from tests.e2e.test_phone_purchase import PHONE, assert_fits_the_screen

pytestmark = pytest.mark.e2e

# A farm worker with the plain staff role: packing, shipping, refunds and the audit log are all theirs.
WORKER = ("owner.phone@cityfarm.kz", "greenhouse-phone-2026")
REFILL = "coconut-substrate-refill"
BUYERS = {"ship": ("buyer.ship@example.kz", "+7 705 111 22 33"),
          "refund": ("buyer.refund@example.kz", "8 707 444 55 66")}


def _buy(page, email: str, phone: str, slugs: tuple[str, ...]) -> None:
    for slug in slugs:
        page.goto(f"/products/{slug}")
        page.locator("form.buy button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/cart$"))
    page.goto("/checkout")
    for selector, value in {"#email": email, "#full_name": "Сәуле Ахметова", "#phone": phone, "#city": "Алматы",
                            "#address": "ул. Жандосова 12"}.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=courier]").check()
    page.locator("#accept_terms").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()
    page.locator('button[name=outcome][value="pay"]').click()
    expect(page.locator(".status-paid")).to_be_visible()


def _orders(live_shop) -> dict[str, Order]:
    with live_shop.app.app_context():
        orders = {key: db.session.scalars(select(Order).where(Order.email == email)).one()
                  for key, (email, _phone) in BUYERS.items()}
        refill_line = db.session.scalar(select(OrderLine.id).join(Product, OrderLine.product_id == Product.id)
                                        .where(OrderLine.order_id == orders["refund"].id, Product.slug == REFILL))
        found = {key: {"id": order.id, "number": str(order.number), "public_id": order.public_id}
                 for key, order in orders.items()}
        found["refund"]["refill_line"] = refill_line
        db.session.remove()
    return found


def _staff_page_checks(page) -> None:
    """On every staff page: nothing wider than the phone, and the menu folded into one control on arrival."""
    assert_fits_the_screen(page)
    expect(page.locator("details.admin-menu")).not_to_have_attribute("open", re.compile(".*"))
    expect(page.locator("details.admin-menu > summary")).to_be_visible()
    expect(page.locator("nav.admin-nav")).to_be_hidden()


def _go_by_menu(page, path_end: str) -> None:
    page.locator("details.admin-menu > summary").click()
    link = page.locator(f'nav.admin-nav a[href$="{path_end}"]')
    expect(link).to_be_visible()
    link.click()


def _top_of(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def test_a_worker_packs_ships_refunds_and_reads_the_audit_log_on_a_phone(open_page, live_shop):
    with live_shop.app.app_context():
        create_user(WORKER[0], "staff", WORKER[1], now=utcnow(), full_name="Гүлнар Есімова")
        db.session.remove()
    shopper = open_page(viewport={"width": 1280, "height": 800})
    _buy(shopper, *BUYERS["ship"], (BASIL,))
    shopper.context.clear_cookies()
    _buy(shopper, *BUYERS["refund"], (BASIL, REFILL))
    orders = _orders(live_shop)
    ship, refund = orders["ship"], orders["refund"]

    page = open_page(**PHONE)
    page.goto("/account/login?next=/admin/")
    page.locator("#email").fill(WORKER[0])
    page.locator("#password").fill(WORKER[1])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    _staff_page_checks(page)

    # Today's orders to pack: on the dashboard, then as cards in the orders list.
    waiting = page.locator("main section", has=page.locator('a[href$="/admin/packing/"]'))
    for order in (ship, refund):
        expect(waiting.locator(f'a[href$="/admin/orders/{order["id"]}"]')).to_have_text(order["number"])
    _go_by_menu(page, "/admin/orders/")
    expect(page).to_have_url(re.compile(r"/admin/orders/$"))
    _staff_page_checks(page)
    page.locator("select[name=status]").select_option("paid")
    page.locator("form.filters button[type=submit]").click()
    _staff_page_checks(page)
    expect(page.locator("table.stack thead")).to_be_hidden()
    card = page.locator("table.stack tbody tr", has=page.locator(f'a[href$="/admin/orders/{ship["id"]}"]'))
    expect(card.locator('td[data-label]').first).to_be_visible()
    assert card.evaluate("row => getComputedStyle(row).display") == "block", "each order is a card on a phone"

    # The packing batch: one slip per order; printed without the staff bar; then exactly that batch is packed.
    page.locator('a[href$="/admin/packing/"]').first.click()
    expect(page).to_have_url(re.compile(r"/admin/packing/$"))
    assert_fits_the_screen(page)
    for order in (ship, refund):
        expect(page.locator(f"#slip-{order['id']}")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".slips-bar")).to_be_hidden()
    expect(page.locator(f"#slip-{ship['id']}")).to_be_visible()
    page.emulate_media(media="screen")
    page.locator('form[action$="/admin/packing/"] button[type=submit]').click()
    expect(page).to_have_url(re.compile(r"/admin/orders/\?status=packed$"))
    _staff_page_checks(page)
    for order in (ship, refund):
        expect(page.locator(f'table.stack a[href$="/admin/orders/{order["id"]}"]')).to_be_visible()

    # Ship one: status, then the buyer's contact (call or WhatsApp), then the next step, then the rest.
    page.locator(f'table.stack a[href$="/admin/orders/{ship["id"]}"]').click()
    _staff_page_checks(page)
    expect(page.locator(".order-top .status-packed")).to_be_visible()
    expect(page.locator('.buyer-contact a[href="tel:+77051112233"]')).to_be_visible()
    expect(page.locator('.buyer-contact a[href="https://wa.me/77051112233"]')).to_be_visible()
    shipped = page.locator('form.move-form:has(input[value="shipped"])')
    tops = [_top_of(page, ".order-top"), _top_of(page, ".buyer-contact"), _top_of(page, "form.move-form"),
            _top_of(page, "table.stack")]
    assert tops == sorted(tops), f"status, contact, next step, lines: {tops}"
    assert tops[2] < PHONE["viewport"]["height"] * 1.5, "the next step is near the top, not below the lines"
    shipped.locator("input[name$=tracking_number]").fill("KZ987654321")
    shipped.locator("button").click()
    expect(page.locator(".order-top .status-shipped")).to_be_visible()
    expect(page.locator("main")).to_contain_text("KZ987654321")
    _staff_page_checks(page)

    # Refund one line of the other order, through the confirmation step.
    page.goto(f"/admin/orders/{refund['id']}")
    _staff_page_checks(page)
    expect(page.locator('.buyer-contact a[href="https://wa.me/77074445566"]')).to_be_visible()
    form = page.locator('form[action$="/refund"]')
    form.locator(f"input[name=refund_{refund['refill_line']}]").fill("1")
    form.locator("input[name$=reason]").fill("Пакет субстрата порван")
    form.locator("button[type=submit]").click()
    expect(page.locator("form.confirm-step")).to_be_visible()
    _staff_page_checks(page)
    page.locator("form.confirm-step button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"/admin/orders/{refund['id']}$"))
    expect(page.locator(".order-top .status-partially_refunded")).to_be_visible()
    _staff_page_checks(page)

    # What happened, in the audit log: entries for both orders (packed, shipped, refunded).
    _go_by_menu(page, "/admin/audit")
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    _staff_page_checks(page)
    sentences = page.locator("main .audit-sentence")
    worker = "Гүлнар Есімова"
    for order in (ship, refund):
        expect(sentences.filter(has_text=f"{worker}: заказ {order['number']} — «Ещё не упакован» → «Упакован»")
               ).to_have_count(1)
    expect(sentences.filter(has_text=f"{worker}: заказ {ship['number']} — «Упакован» → «Отправлен», "
                                     "трек-номер KZ987654321")).to_have_count(1)
    expect(sentences.filter(has_text=re.compile(
        f"{worker}: возврат [0-9\\s]+₸ по заказу {refund['number']} \\(Пакет субстрата порван\\)"))).to_have_count(1)
    assert page.locator(f"main a[href$='/admin/orders/{refund['id']}']").count() >= 1, "an entry links its order"
    assert_stayed_home(page)


def _staff_pages(live_shop, key: str) -> list[str]:
    """Every kind of staff page, with a learner of a long e-mail on a roster and a promo code to list."""
    with live_shop.app.app_context():
        product_id = db.session.scalar(select(Product.id).where(Product.slug == BASIL))
        cohort = db.session.scalars(select(Cohort).order_by(Cohort.starts_at)).first()
        db.session.add(Enrolment(cohort_id=cohort.id, email=f"aigerim.saparova.greenhouse.learner.{key}@example.kz",
                                 full_name="Айгерім Сапарова", phone="+7 701 234 56 78"))
        db.session.add(PromoCode(code=f"SPRING-MICROGREENS-2026-{key}".upper(), percent=15, max_uses=100,
                                 max_uses_per_customer=1))
        db.session.commit()
        cohort_id, order = cohort.id, db.session.scalars(select(Order).order_by(Order.id)).first()
        pages = ["/admin/", "/admin/orders/", "/admin/products/", f"/admin/products/{product_id}",
                 "/admin/customers/", "/admin/cohorts/", f"/admin/cohorts/{cohort_id}",
                 f"/admin/cohorts/{cohort_id}/roster", "/admin/promo-codes/", "/admin/audit",
                 "/admin/payments/receipts", "/admin/categories/", "/admin/courses/", "/admin/staff/",
                 "/admin/pages/", "/admin/shop-details", "/admin/search-synonyms"]
        if order is not None:
            pages += [f"/admin/orders/{order.id}", f"/admin/customers/view?email={order.email}"]
        db.session.remove()
    return pages


@pytest.mark.parametrize("language", ["", "/kk"])
def test_no_staff_page_scrolls_sideways_on_a_small_phone(open_page, live_shop, language):
    email = f"admin.small{language.strip('/')}@cityfarm.kz"
    with live_shop.app.app_context():
        create_user(email, "admin", WORKER[1], now=utcnow(), full_name="Гүлнар Есімова")
        db.session.remove()
    page = open_page(**{**PHONE, "viewport": {"width": 360, "height": 740}})
    page.goto(f"{language}/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(WORKER[1])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    for path in _staff_pages(live_shop, language.strip("/") or "ru"):
        page.goto(language + path)
        _staff_page_checks(page)
        for table in page.locator("main table.stack").all():
            expect(table.locator("thead")).to_be_hidden()  # the rows are cards with labelled fields
        page.locator("details.admin-menu > summary").click()  # axe reads the open menu as well
        serious = [f"{v['id']}: {v['help']}" for v in Axe().run(page).response["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{path}: {serious}"
    assert_stayed_home(page)
