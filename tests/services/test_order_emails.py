"""E-mails a buyer can act on: one confirmation per purchase with everything in it, the invitation after it."""
from datetime import datetime

from sqlalchemy import select

from shop.admin.content import save_shop_details
from shop.clock import almaty
from shop.extensions import db
from shop.models import OutboxMessage
from shop.orders.notify import expected_delivery
from shop.seed_pages import SHOP_DETAILS
from tests.factories import make_cohort, make_course, make_product, make_user
from tests.services.test_courses import buy


def _to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)
                                   .order_by(OutboxMessage.id)))


def _kit_with_course():
    course = make_course()
    return make_product(stock=5, course=course, name="Microgreens kit"), make_cohort(course=course, sessions=2)


def test_a_guests_kit_with_a_course_brings_one_confirmation_then_the_invitation(app, now):
    save_shop_details(SHOP_DETAILS, actor_id=None, now=now)
    kit, cohort = _kit_with_course()
    buy(cohort, now, email="guest@example.kz", product=kit)
    confirmation, invitation = _to("guest@example.kz")
    assert confirmation.dedupe_key.startswith("order-confirmation:")
    assert invitation.dedupe_key.startswith("invitation:")  # after the confirmation, never before it
    body = confirmation.body_text
    assert "Microgreens kit × 1" in body and "Pickup at the farm in Almaty" in body
    assert SHOP_DETAILS["pickup_address_en"] in body and SHOP_DETAILS["pickup_hours_en"] in body
    assert "Ready for pickup from" in body
    assert "Your course:" in body and "learn/" in body
    assert "/en/pages/returns" in body and "/en/pages/contacts" in body and SHOP_DETAILS["phone"] in body
    assert "/en/pages/returns" in confirmation.body_html
    assert [item["content_type"] for item in confirmation.attachments] == ["text/calendar"]


def test_a_signed_in_buyer_of_a_seat_gets_just_the_one_confirmation(app, now):
    user = make_user(email="member@example.kz")
    buy(make_cohort(), now, email="member@example.kz", user=user)
    [confirmation] = _to("member@example.kz")
    assert confirmation.dedupe_key.startswith("order-confirmation:")


def test_the_confirmation_is_in_the_buyers_language_with_the_returns_page_in_it(app, now):
    save_shop_details(SHOP_DETAILS, actor_id=None, now=now)
    kit, cohort = _kit_with_course()
    buy(cohort, now, email="kk@example.kz", product=kit, locale="kk")
    confirmation = _to("kk@example.kz")[0]
    assert "/kk/pages/returns" in confirmation.body_text
    assert "Thank you" not in confirmation.body_text and "Pickup at the farm" not in confirmation.body_text


def test_expected_delivery_counts_working_days_from_the_payment(app):
    friday = almaty(2031, 3, 7, 15, 0)  # a Friday in Almaty
    order = type("O", (), {"needs_delivery": True, "delivery_method": "courier"})()
    first, last = expected_delivery(order, friday)
    assert _local_day(first) == (2031, 3, 10) and _local_day(last) == (2031, 3, 11)  # Monday and Tuesday
    order.delivery_method = "post"
    assert _local_day(expected_delivery(order, friday)[1]) == (2031, 3, 21)
    order.needs_delivery = False
    assert expected_delivery(order, friday) is None


def _local_day(moment: datetime) -> tuple[int, int, int]:
    from shop.clock import to_local

    local = to_local(moment)
    return local.year, local.month, local.day
