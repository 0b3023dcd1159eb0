"""Journeys: a buyer pays by card on TipTop Pay's page (its stand-in) and by Kaspi invoice confirmed by staff."""
import re
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from shop.clock import utcnow
from shop.extensions import db
from shop.models import FiscalReceipt, Order
from shop.payments.kaspi import confirm_kaspi_payment
from shop.seed import seed_demo
from tests.conftest import TIPTOP_ENV, make_app
from tests.e2e.conftest import LiveShop, _QuietHandler
from tests.factories import make_user
from tests.tiptoppay_stub import TipTopStub

pytestmark = pytest.mark.e2e
BUYER = {"#email": "madina.buyer@example.kz", "#full_name": "Мадина Сеитова", "#phone": "+7 701 777 88 99"}


@pytest.fixture(scope="module")
def tiptop():
    with TipTopStub(public_id=TIPTOP_ENV["TIPTOPPAY_PUBLIC_ID"], api_secret=TIPTOP_ENV["TIPTOPPAY_API_SECRET"],
                    inn=TIPTOP_ENV["TIPTOPPAY_INN"]) as stub:
        yield stub
    assert stub.rejections == []


@pytest.fixture(scope="module")
def shop(tmp_path_factory, tiptop):
    """The seeded shop offering TipTop Pay, Kaspi and test payments, served over HTTP for the browser."""
    folder = tmp_path_factory.mktemp("e2e-payments")
    app = make_app(f"sqlite:///{folder / 'shop.sqlite3'}", WTF_CSRF_ENABLED=True,
                   env={**TIPTOP_ENV, "TIPTOPPAY_API_BASE": tiptop.base_url, "SHOP_BASE_URL": "",
                        "UPLOAD_FOLDER": str(folder / "uploads")})
    with app.app_context():
        db.create_all()
        seed_demo(utcnow())
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tiptop.notify_base = f"http://127.0.0.1:{server.server_port}"
    yield LiveShop(url=tiptop.notify_base, app=app)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def _buy_basil(page, method: str) -> None:
    page.goto("/products/basil-starter-kit?lang=en")
    page.locator("form.buy button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    page.locator('a.button[href$="/checkout"]').click()
    for selector, value in BUYER.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=pickup]").check()
    page.locator(f"input[name=payment_method][value={method}]").check()
    page.locator("#accept_terms").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()


def _only_the_shop_and(page, *origins: str) -> None:
    allowed = {urlsplit(origin).netloc for origin in origins}
    assert [url for url in page.foreign_requests if urlsplit(url).netloc not in allowed] == []
    assert page.script_errors == []


def test_a_buyer_pays_by_card_on_tiptops_page_and_finds_the_fiscal_receipt_on_the_order(
        browser, shop, tiptop, request):
    from tests.e2e.conftest import _watch

    context = browser.new_context(base_url=shop.url, locale="ru-RU", timezone_id="Asia/Almaty")
    page = context.new_page()
    _watch(page, shop.url)
    try:
        _buy_basil(page, "tiptoppay")
        expect(page).to_have_url(re.compile(re.escape(tiptop.base_url) + r"/d/"))
        page.locator("input[name=card]").fill("4242 4242 4242 4242")
        page.locator("button[type=submit]").click()
        expect(page.locator(".status-paid")).to_be_visible()
        receipt = page.locator('a[href*="/receipt/"]')
        expect(receipt).to_be_visible()
        public_id = re.search(r"/orders/([\w-]+)", page.url).group(1)
        with shop.app.app_context():
            order = db.session.scalar(select(Order).where(Order.public_id == public_id))
            assert order.payment_provider == "tiptoppay" and order.payment_status == "paid"
            assert db.session.scalar(select(FiscalReceipt.kind).where(FiscalReceipt.order_id == order.id)) == "sale"
            db.session.remove()
        _only_the_shop_and(page, tiptop.base_url)
    finally:
        context.close()


def test_a_buyer_pays_by_kaspi_invoice_and_sees_the_order_paid_once_staff_confirm_it(browser, shop):
    from tests.e2e.conftest import _watch

    context = browser.new_context(base_url=shop.url, locale="ru-RU", timezone_id="Asia/Almaty")
    page = context.new_page()
    _watch(page, shop.url)
    try:
        _buy_basil(page, "kaspi")
        expect(page).to_have_url(re.compile(r"/pay/kaspi/"))
        expect(page.locator("main")).to_contain_text(BUYER["#phone"])
        with shop.app.app_context():
            order = db.session.scalar(select(Order).where(Order.email == BUYER["#email"],
                                                          Order.payment_provider == "kaspi"))
            staff = make_user(role="staff", email="kassa@cityfarm.kz")
            confirm_kaspi_payment(order.id, "KSP-E2E-1", actor_id=staff.id, now=utcnow())
            public_id = order.public_id
            db.session.remove()
        page.goto(f"/orders/{public_id}")
        expect(page.locator(".status-paid")).to_be_visible()
        _only_the_shop_and(page)
    finally:
        context.close()
