"""Checking out a cart again, and a cart whose course has started: the earlier unpaid order is cancelled with the
reason in its history, its seats are kept for the same buyer instead of going to the people waiting, and a
started course is refused as no longer sold, by its name in the buyer's language (found by `make mutation`)."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderEvent, WaitlistEntry
from shop.orders.placing import NoLongerSold, place_order
from tests.factories import make_cohort, make_course, wait_in_line
from tests.services.test_money_and_stock import _buyer, _cart_with


def test_checking_out_the_same_cart_again_cancels_the_first_order_then_with_the_reason(app, now):
    cart = _cart_with(cohort=make_cohort(capacity=3))
    first, _ = place_order(cart, _buyer(), user=None, now=now, hold_minutes=30)
    place_order(cart, _buyer(), user=None, now=now + timedelta(minutes=5), hold_minutes=30)
    event = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == first.id)
                               .order_by(OrderEvent.id.desc())).first()
    assert db.session.get(Order, first.id).payment_status == "cancelled"
    assert (event.note, event.created_at) == ("Replaced by a new checkout of the same cart", now + timedelta(minutes=5))


def test_checking_out_the_same_cart_again_keeps_its_seat_from_the_people_waiting(app, now):
    cohort = make_cohort(capacity=1)
    cart = _cart_with(cohort=cohort)
    place_order(cart, _buyer(), user=None, now=now, hold_minutes=30)
    wait_in_line(cohort.id, "waiting@example.kz", now=now)
    again, _ = place_order(cart, _buyer(), user=None, now=now + timedelta(minutes=5), hold_minutes=30)
    assert again.payment_status == "pending_payment"
    assert db.session.scalar(select(WaitlistEntry.status)) == "waiting"


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_a_course_that_has_started_is_refused_as_no_longer_sold_by_its_name_in_the_buyers_language(app, now, locale):
    course = make_course()
    cohort = make_cohort(course=course, capacity=3, starts_at=now + timedelta(hours=1))
    cart = _cart_with(cohort=cohort)
    with pytest.raises(NoLongerSold) as refused:
        place_order(cart, _buyer(locale=locale), user=None, now=now + timedelta(hours=2), hold_minutes=30)
    title = course.title_en if locale == "en" else course.title_ru
    with force_locale("en"):
        assert str(refused.value.message) == (
            f"«{title} — {cohort.starts_at:%Y-%m-%d}» can no longer be bought: remove it from your cart.")
