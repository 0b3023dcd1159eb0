"""The information pages' versions, the shop's details, consent as the services record it, and the demo seed."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.accounts.services import register_user
from shop.admin.content import EditedMeanwhile, save_page, save_shop_details
from shop.cart.services import add_to_cart
from shop.errors import NotFound
from shop.extensions import db
from shop.models import AuditEntry, Hold, InfoPage, InfoPageVersion, Order, OutboxMessage, ShopDetails, User
from shop.orders.placing import BuyerDetails, place_order
from shop.pages.details import shop_details
from shop.pages.services import TermsNotAccepted, consent_given, page_text
from shop.seed import seed_demo
from shop.seed_pages import PAGES, SHOP_DETAILS
from tests.factories import make_product

TEXTS = {"title_ru": "Возврат", "title_kk": "Қайтару", "title_en": "Returns", "body_ru": "Четырнадцать дней.",
         "body_kk": "", "body_en": "Fourteen days."}


def test_each_save_is_the_next_version_and_no_version_is_ever_changed(app, now):
    first = save_page("returns", TEXTS, base_version=0, actor_id=None, now=now)
    second = save_page("returns", {**TEXTS, "body_en": "Thirty days."}, base_version=1, actor_id=None,
                       now=now + timedelta(days=1))
    assert (first.number, second.number) == (1, 2)
    db.session.expire_all()
    kept = db.session.scalars(select(InfoPageVersion).order_by(InfoPageVersion.number)).all()
    assert [version.body_en for version in kept] == ["Fourteen days.", "Thirty days."]
    assert page_text("returns", "en").body == "Thirty days." and page_text("returns", "en").number == 2


def test_a_save_from_an_older_version_is_refused_and_saves_nothing(app, now):
    save_page("returns", TEXTS, base_version=0, actor_id=None, now=now)
    save_page("returns", {**TEXTS, "body_en": "A colleague's text."}, base_version=1, actor_id=None, now=now)
    with pytest.raises(EditedMeanwhile) as refused:
        save_page("returns", {**TEXTS, "body_en": "Mine."}, base_version=1, actor_id=None, now=now)
    assert refused.value.details == {"number": 2}
    assert db.session.scalar(select(func.count(InfoPageVersion.id))) == 2
    assert db.session.scalar(select(InfoPage.version)) == 2
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "page.update")) == 2


def test_an_unchanged_text_makes_no_version_and_no_audit_entry(app, now):
    save_page("returns", TEXTS, base_version=0, actor_id=None, now=now)
    assert save_page("returns", {**TEXTS, "body_ru": "  Четырнадцать дней.\r\n"}, base_version=1, actor_id=None,
                     now=now) is None
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 1


def test_only_the_five_pages_can_be_saved(app, now):
    with pytest.raises(NotFound):
        save_page("cookies", TEXTS, base_version=0, actor_id=None, now=now)


def test_a_kazakh_visitor_reads_the_russian_text_where_the_kazakh_one_is_empty(app, now):
    save_page("returns", TEXTS, base_version=0, actor_id=None, now=now)
    text = page_text("returns", "kk")
    assert (text.title, text.body, text.lang) == ("Қайтару", "Четырнадцать дней.", "ru")


def test_consent_names_the_versions_in_force(app, now):
    assert consent_given(now).offer_version is None
    save_page("offer", {"title_ru": "Оферта", "body_ru": "1"}, base_version=0, actor_id=None, now=now)
    save_page("offer", {"title_ru": "Оферта", "body_ru": "2"}, base_version=1, actor_id=None, now=now)
    save_page("privacy", {"title_ru": "Политика", "body_ru": "1"}, base_version=0, actor_id=None, now=now)
    consent = consent_given(now)
    assert (consent.accepted_at, consent.offer_version, consent.privacy_version) == (now, 2, 1)


def test_placing_an_order_without_consent_is_refused_and_holds_nothing(app, now):
    kit = make_product(stock=2)
    cart = add_to_cart(token=None, user=None, product_slug=kit.slug, cohort_ref=None, quantity="1", now=now)
    buyer = BuyerDetails("x@example.kz", "X", "+77011234567", "pickup")
    with pytest.raises(TermsNotAccepted) as refused:
        place_order(cart, buyer, user=None, now=now, hold_minutes=30)
    assert refused.value.field == "accept_terms"
    assert db.session.scalar(select(func.count(Order.id))) == 0 and db.session.scalar(select(func.count(Hold.id))) == 0


def test_registering_without_consent_is_refused_and_sends_nothing(app, now):
    with pytest.raises(TermsNotAccepted):
        register_user("new@example.kz", "New", "sunflower-on-the-sill", now=now)
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_shop_details_are_audited_with_what_changed_and_unchanged_ones_are_not(app, now):
    save_shop_details(SHOP_DETAILS, actor_id=None, now=now)
    save_shop_details(SHOP_DETAILS, actor_id=None, now=now)
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 1
    assert shop_details().legal_name_ru == SHOP_DETAILS["legal_name_ru"]


def test_shop_details_outside_a_request_are_read_afresh_after_a_change(app, now):
    assert not shop_details().is_set
    save_shop_details(SHOP_DETAILS, actor_id=None, now=now)
    assert shop_details().phone_href == "tel:+77013551248"
    save_shop_details({**SHOP_DETAILS, "phone": "+7 (727) 000-11-22"}, actor_id=None, now=now)
    assert shop_details().phone_href == "tel:+77270001122"


def test_the_demo_seed_writes_the_details_and_five_pages_in_three_languages_once(app, now):
    seed_demo(now)
    versions = db.session.scalars(select(InfoPageVersion)).all()
    assert sorted(version.page.slug for version in versions) == sorted(PAGES)
    assert all(getattr(version, f"{field}_{lang}") for version in versions for field in ("title", "body")
               for lang in ("ru", "kk", "en"))
    save_shop_details({**SHOP_DETAILS, "phone": "+7 727 000 11 22"}, actor_id=None, now=now)
    seed_demo(now + timedelta(days=1))
    assert db.session.scalar(select(func.count(InfoPageVersion.id))) == 5
    assert db.session.scalar(select(func.count(InfoPage.id))) == 5
    assert db.session.get(ShopDetails, 1).phone == "+7 727 000 11 22"
