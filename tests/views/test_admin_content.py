"""Staff edit the shop's details and the information pages; every page save is a new version, every change audited."""
import json

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import AuditEntry, InfoPage, InfoPageVersion, ShopDetails
from shop.seed import seed_demo
from shop.seed_pages import SHOP_DETAILS
from tests.factories import make_user


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff", email="editor@cityfarm.kz")
    login_as(user)
    return user


def _page_form(client, slug: str) -> dict:
    """Read the edit form's current values as a browser would submit them."""
    version = db.session.scalar(select(InfoPage.version).where(InfoPage.slug == slug)) or 0
    latest = db.session.scalar(select(InfoPageVersion).join(InfoPage)
                               .where(InfoPage.slug == slug, InfoPageVersion.number == version))
    fields = {f"{name}_{lang}": getattr(latest, f"{name}_{lang}") if latest else ""
              for name in ("title", "body") for lang in ("ru", "kk", "en")}
    return {"base_version": str(version), **fields}


def test_staff_change_the_shop_details_and_every_page_shows_them_at_once(client, staff, now):
    seed_demo(now)
    assert "58 Zhandosov Street" in client.get("/").get_data(as_text=True)
    form = {**SHOP_DETAILS, "pickup_address_en": "12 Abay Avenue, Almaty", "phone": "+7 727 000 11 22"}
    response = client.post("/admin/shop-details", data=form)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/shop-details")
    for path in ("/", "/pages/contacts", "/cart"):
        page = client.get(path).get_data(as_text=True)
        assert "12 Abay Avenue, Almaty" in page and "+7 727 000 11 22" in page, path
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "shop_details.update"))
    assert entry.actor_id == staff.id
    assert json.loads(entry.details) == {"phone": ["+7 701 355 12 48", "+7 727 000 11 22"],
                                         "pickup_address_en": [SHOP_DETAILS["pickup_address_en"],
                                                               "12 Abay Avenue, Almaty"]}


def test_the_first_save_of_the_shop_details_creates_them(client, staff):
    assert client.get("/admin/shop-details").status_code == 200
    assert client.post("/admin/shop-details", data=SHOP_DETAILS).status_code == 303
    assert db.session.get(ShopDetails, 1).bin_iin == SHOP_DETAILS["bin_iin"]
    assert "City Farm LLP" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("bin_iin", "12345", "A BIN or IIN is 12 digits."),
    ("bin_iin", "１２３４５６７８９０１２", "A BIN or IIN is 12 digits."),
    ("whatsapp_url", "javascript:alert(1)", "Enter a link that starts with https://."),
    ("map_url", "http://2gis.kz/almaty", "Enter a link that starts with https://."),
    ("email", "not an address", "Enter a valid e-mail address."),
    ("pickup_address_ru", "", "This field is required."),
])
def test_bad_shop_details_come_back_with_a_message_and_change_nothing(client, staff, field, value, message):
    response = client.post("/admin/shop-details", data={**SHOP_DETAILS, field: value})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.get(ShopDetails, 1) is None


def test_customers_cannot_edit_the_shop_details_or_the_pages(client, login_as):
    login_as(make_user(role="customer"))
    assert client.post("/admin/shop-details", data=SHOP_DETAILS).status_code == 403
    assert client.post("/admin/pages/offer", data={"base_version": "0", "title_ru": "x", "body_ru": "x"}
                       ).status_code == 403


def test_saving_a_page_makes_a_new_version_and_keeps_the_earlier_one(client, staff, now):
    seed_demo(now)
    form = {**_page_form(client, "offer"), "body_ru": "<h2>1. Новое</h2>\nНовый текст оферты.",
            "body_en": "A new offer."}
    response = client.post("/admin/pages/offer", data=form)
    assert response.status_code == 303
    assert "Saved as version 2." in client.get(response.headers["Location"]).get_data(as_text=True)
    versions = db.session.scalars(select(InfoPageVersion).order_by(InfoPageVersion.number)).all()
    offer = [version for version in versions if version.page.slug == "offer"]
    assert [version.number for version in offer] == [1, 2]
    assert "публичная оферта" in offer[0].body_ru and offer[1].body_ru == "<h2>1. Новое</h2>\nНовый текст оферты."
    assert offer[1].author_id == staff.id and offer[0].author_id is None
    assert "A new offer." in client.get("/pages/offer").get_data(as_text=True)
    earlier = client.get("/admin/pages/offer/versions/1").get_data(as_text=True)
    assert "публичная оферта" in earlier
    history = client.get("/admin/pages/offer").get_data(as_text=True)
    assert 'href="/en/admin/pages/offer/versions/1"' in history and 'href="/en/admin/pages/offer/versions/2"' in history
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "page.update"))
    assert entry.target == "page:offer" and json.loads(entry.details) == {"version": 2,
                                                                        "changed": ["body_ru", "body_en"]}


def test_the_pages_list_shows_each_pages_version_and_who_saved_it(client, staff, now):
    seed_demo(now)
    client.post("/admin/pages/returns", data={**_page_form(client, "returns"), "title_en": "Refunds"})
    page = client.get("/admin/pages/").get_data(as_text=True)
    for slug in ("offer", "privacy", "delivery-and-payment", "returns", "contacts"):
        assert f'href="/en/admin/pages/{slug}"' in page
    assert staff.email in page


def test_saving_the_same_text_again_keeps_the_version(client, staff, now):
    seed_demo(now)
    response = client.post("/admin/pages/privacy", data=_page_form(client, "privacy"))
    assert "Nothing changed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(InfoPage.version).where(InfoPage.slug == "privacy")) == 1


def test_a_save_started_from_an_older_version_is_refused_and_the_text_stays_in_the_form(client, staff, now):
    seed_demo(now)
    stale = _page_form(client, "returns")
    client.post("/admin/pages/returns", data={**stale, "body_en": "A colleague's change."})
    response = client.post("/admin/pages/returns", data={**stale, "body_en": "My own change."})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Someone saved version 2 of this page" in page and "My own change." in page
    assert db.session.scalar(select(InfoPage.version).where(InfoPage.slug == "returns")) == 2


def test_scripts_and_styles_are_removed_from_a_page_before_it_is_kept(client, staff):
    form = {"base_version": "0", "title_ru": "Контакты", "body_ru": (
        '<p onclick="steal()">Пишите нам</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>'
        '<iframe src="https://evil.example"></iframe><a href="https://wa.me/77013551248">WhatsApp</a>')}
    assert client.post("/admin/pages/contacts", data=form).status_code == 303
    kept = db.session.scalar(select(InfoPageVersion.body_ru))
    assert "script" not in kept and "onclick" not in kept and "javascript" not in kept and "iframe" not in kept
    assert '<a href="https://wa.me/77013551248" rel="noopener noreferrer">WhatsApp</a>' in kept
    assert "Пишите нам" in client.get("/pages/contacts").get_data(as_text=True)


def test_an_earlier_version_can_be_taken_as_the_start_of_a_new_one(client, staff, now):
    seed_demo(now)
    client.post("/admin/pages/returns", data={**_page_form(client, "returns"), "body_en": "A short-lived text."})
    page = client.get("/admin/pages/returns?from=1").get_data(as_text=True)
    assert "The form holds version 1." in page and "14 calendar days" in page
    assert 'name="base_version" type="hidden" value="2"' in page


@pytest.mark.parametrize("path", ["/admin/pages/terms", "/admin/pages/offer/versions/7", "/admin/pages/offer?from=9"])
def test_unknown_pages_and_versions_are_not_found(client, staff, now, path):
    seed_demo(now)
    assert client.get(path).status_code == 404


def test_staff_see_the_consent_an_order_and_an_account_record_with_links_to_those_versions(app, client, staff, now):
    from shop.models import Order
    from tests.admin_support import paid_order
    from tests.factories import make_product

    seed_demo(now)
    order = paid_order(app, make_product(stock=3))
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "Offer accepted and consent to the processing of personal data given" in page
    assert 'href="/en/admin/pages/offer/versions/1"' in page and 'href="/en/admin/pages/privacy/versions/1"' in page
    db.session.execute(db.update(Order).values(terms_accepted_at=None, offer_version=None, privacy_version=None))
    db.session.commit()
    assert "No consent recorded" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
