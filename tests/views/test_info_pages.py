"""The information pages, the shop's details in every footer and e-mail, and how one pays and receives a kit,
said before checkout."""
import re

import pytest
from sqlalchemy import event, select

from shop.admin.content import save_page, save_shop_details
from shop.extensions import db
from shop.models import OutboxMessage
from shop.models.content import PAGE_SLUGS
from shop.pagecache.generation import UNSEEN_TABLES
from shop.seed import seed_demo
from shop.seed_pages import PAGES, SHOP_DETAILS
from tests.admin_support import paid_order
from tests.conftest import english_client
from tests.factories import make_product
from tests.views.helpers import add
from tests.views.test_page_cache import rendered, served_from_memory

TITLES = {"offer": "Public offer", "privacy": "Privacy policy", "delivery-and-payment": "Delivery and payment",
          "returns": "Returns and refunds", "contacts": "Contacts"}


@pytest.fixture
def seeded(app, now):
    seed_demo(now)


def _details(**changes) -> dict:
    return {**SHOP_DETAILS, **changes}


@pytest.mark.parametrize("slug", PAGE_SLUGS)
@pytest.mark.parametrize(("lang", "index", "version"), [("ru", 0, "Версия 1 от"), ("kk", 1, "-нұсқа."),
                                                        ("en", 2, "Version 1 of")])
def test_each_information_page_is_served_in_each_language(app, seeded, slug, lang, index, version):
    response = app.test_client().get(("" if lang == "ru" else f"/{lang}") + f"/pages/{slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'<html lang="{lang}">' in page
    assert f"<h1>{PAGES[slug]['title'][index]}</h1>" in page and version in page
    assert '<div class="page-text"><h2>' in page or slug == "contacts"


def test_the_seeded_pages_say_what_the_issue_asks(app, seeded):
    russian = app.test_client()

    def text(slug):
        return russian.get(f"/pages/{slug}").get_data(as_text=True)

    assert "№ 94-V «О персональных данных и их защите»" in text("privacy")
    assert all(word in text("delivery-and-payment") for word in ("Самовывоз", "Курьер", "Казпочта", "TipTop Pay",
                                                                   "Kaspi", "1 500 ₸", "2 500 ₸"))
    assert "14 календарных дней" in text("returns") and "3 дня до первого занятия" in text("returns")
    assert "публичная оферта" in text("offer")
    assert "ул. Жандосова, 58" in text("contacts") and "+7 701 355 12 48" in text("contacts")


def test_an_unknown_page_is_not_found(client, seeded):
    assert client.get("/pages/terms-of-use").status_code == 404


def test_a_page_not_written_yet_still_answers_with_its_title(client):
    page = client.get("/pages/returns").get_data(as_text=True)
    assert "Returns and refunds" in page and "being prepared" in page


def test_a_text_missing_in_the_visitors_language_shows_the_russian_one_marked_as_russian(client, now):
    save_page("returns", {"title_ru": "Возврат", "body_ru": "Возврат в течение 14 дней."}, base_version=0,
              actor_id=None, now=now)
    page = client.get("/pages/returns").get_data(as_text=True)
    assert '<article class="info-page" lang="ru">' in page and "Возврат в течение 14 дней." in page


@pytest.mark.parametrize("path", ["/", "/catalog/", "/products/basil-starter-kit", "/courses/", "/cart",
                                  "/account/login", "/pages/privacy"])
def test_every_page_has_the_shop_details_and_links_to_the_five_pages_in_its_footer(client, seeded, path):
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer class="site-footer">'):]
    for slug, title in TITLES.items():
        assert f'<a href="/en/pages/{slug}">{title}</a>' in footer
    for detail in ("City Farm LLP", "BIN/IIN 210540019876", "58 Zhandosov Street", "Tue–Sat 10:00–19:00",
                   'href="tel:+77013551248"', 'href="https://wa.me/77013551248"', 'href="https://t.me/cityfarm_almaty"',
                   'href="mailto:hello@cityfarm.kz"', 'href="https://2gis.kz/'):
        assert detail in footer, detail
    assert "Payment: Test payment." in footer
    assert "Courier in Almaty — ₸1,500, in 1–2 working days" in footer


def test_the_footer_names_the_payment_methods_the_shop_offers(app_factory, request, now):
    from tests.conftest import running

    with running(app_factory(env={"PAYMENT_METHODS": "kaspi,dummy"}), request) as app:
        page = english_client(app).get("/").get_data(as_text=True)
    assert "Payment: Kaspi.kz, Test payment." in page


def test_the_product_page_and_the_cart_say_how_one_pays_and_how_and_when_a_kit_arrives(client, seeded):
    product_page = client.get("/products/basil-starter-kit").get_data(as_text=True)
    client.post("/cart/add", data={"product": "basil-starter-kit"})
    cart = client.get("/cart").get_data(as_text=True)
    for page in (product_page, cart):
        section = page[page.index('<section class="how-to-buy"'):page.index('<footer')]
        assert "How to pay" in section and "Test payment" in section and "no money moves" in section
        assert "How your kit arrives" in section
        for line in ("Pickup at the farm in Almaty</strong>: free, ready the next working day",
                     "Courier in Almaty</strong>: ₸1,500, in 1–2 working days",
                     "KazPost to the regions</strong>: ₸2,500, in 3–10 working days"):
            assert line in section, line
        assert 'href="/en/pages/delivery-and-payment"' in section


def test_a_cart_of_course_seats_only_says_how_to_pay_but_not_how_a_kit_arrives(client, seeded):
    from shop.models import Cohort

    cohort = db.session.scalar(select(Cohort).order_by(Cohort.starts_at).limit(1))
    add(client, cohort=cohort)
    cart = client.get("/cart").get_data(as_text=True)
    assert "How to pay" in cart and "How your kit arrives" not in cart


def test_the_contacts_page_lists_the_shop_details(client, seeded):
    page = client.get("/pages/contacts").get_data(as_text=True)
    details = page[page.index('<dl class="details">'):page.index("</dl>")]
    for value in ("58 Zhandosov Street", "Tue–Sat", "+7 701 355 12 48", "WhatsApp", "Telegram", "hello@cityfarm.kz",
                  "City Farm LLP", "210540019876", "Office 12, 58 Zhandosov Street"):
        assert value in details, value


# --- the page cache stays exact ---------------------------------------------------------------------------


def test_an_information_page_is_served_from_the_page_cache_and_a_new_version_shows_at_once(client, seeded, now,
                                                                                             monkeypatch):
    assert "Returns and refunds" in rendered(client, "/pages/returns", monkeypatch)
    served_from_memory(client, "/pages/returns", monkeypatch)
    save_page("returns", {"title_ru": "Возврат", "title_en": "Returns", "body_ru": "Новый текст",
                          "body_en": "Thirty days now."}, base_version=1, actor_id=None, now=now)
    assert "Thirty days now." in rendered(client, "/pages/returns", monkeypatch)


def test_changed_shop_details_show_at_once_on_cached_pages(client, seeded, now, monkeypatch):
    for path in ("/", "/products/basil-starter-kit"):
        rendered(client, path, monkeypatch)
        assert "58 Zhandosov Street" in served_from_memory(client, path, monkeypatch)
    save_shop_details(_details(pickup_address_en="12 Abay Avenue, Almaty"), actor_id=None, now=now)
    for path in ("/", "/products/basil-starter-kit"):
        page = rendered(client, path, monkeypatch)
        assert "12 Abay Avenue, Almaty" in page and "58 Zhandosov Street" not in page


def test_the_new_tables_count_for_the_page_cache():
    assert not {"shop_details", "info_page", "info_page_version"} & UNSEEN_TABLES


def test_storefront_pages_read_the_shop_details_once_per_change_not_once_per_page(app, client, seeded, now):
    reads = []

    def record(_conn, _cursor, statement, *_args):
        if re.search(r"\bFROM shop_details\b", statement):
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for path in ("/", "/catalog/", "/products/basil-starter-kit", "/courses/", "/pages/offer", "/pages/returns"):
            assert client.get(path).status_code == 200
        assert len(reads) == 1
        save_shop_details(_details(phone="+7 727 000 00 00"), actor_id=None, now=now)
        reads.clear()
        for path in ("/", "/catalog/", "/pages/privacy"):
            assert "+7 727 000 00 00" in client.get(path).get_data(as_text=True)
        assert len(reads) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# --- e-mails ---------------------------------------------------------------------------------------------


def _confirmation() -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("order-confirmation:")))


def test_a_pickup_order_confirmation_says_where_and_when_to_collect_it(app, seeded):
    paid_order(app, make_product(stock=3), delivery="pickup")  # a Russian-speaking browser
    message = _confirmation()
    for body in (message.body_text, message.body_html):
        assert "Где забрать заказ" in body
        assert SHOP_DETAILS["pickup_address_ru"] in body and SHOP_DETAILS["pickup_hours_ru"] in body


def test_a_courier_order_confirmation_has_no_pickup_address(app, seeded):
    paid_order(app, make_product(stock=3), delivery="courier")
    assert "Где забрать заказ" not in _confirmation().body_text


def test_every_email_ends_with_the_shop_details(app, client, seeded):
    client.post("/account/register", data={"email": "new@example.kz", "full_name": "Дана", "accept_terms": "y",
                                           "password": "sunflower-on-the-sill"})
    paid_order(app, make_product(stock=3))
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len({message.subject for message in messages}) >= 3
    for message in messages:
        for body in (message.body_text, message.body_html):
            for detail in ("210540019876", "+7 701 355 12 48", "hello@cityfarm.kz"):
                assert detail in body, message.subject
        assert "\n-- \n" in message.body_text
