"""What checkout says when another buyer's checkout commits between this one's cart summary and its lock.

On PostgreSQL two checkouts run at once and the later one finds the units or seats gone only under the lock;
here the other buyer's change is replayed at exactly that moment. The line is refused naming the item, in the
buyer's language, and what is really left; nothing is held or sold.
"""
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from shop.cart.services import KitLineShort, SeatLineShort, add_to_cart
from shop.courses.services import cancel_enrolment
from shop.courses.waitlist import claim_token
from shop.database import is_postgres
from shop.extensions import db
from shop.inventory.services import write_off
from shop.models import Cohort, Enrolment, Hold, Order, Product, WaitlistEntry
from shop.orders import placing
from shop.orders.placing import BuyerDetails, NoLongerSold, place_order
from tests.factories import make_cohort, make_product, wait_in_line
from tests.services.test_courses import buy

BUYER = BuyerDetails(email="buyer@example.kz", full_name="Дана Омарова", phone="+7 701 234 56 78",
                     delivery_method="pickup", locale="en", accepts_terms=True)


@pytest.fixture
def meanwhile(app, monkeypatch):
    """Commit another buyer's change just before this checkout's lock.

    On PostgreSQL it is committed by another connection (the lock must read it afresh); SQLite lets one
    writer in at a time, so there it is made in this checkout's own transaction at that moment.
    """
    changes = []
    lock_rows = placing.lock_rows

    def find_changed_then_lock(*args, **kwargs):
        while changes:
            change = changes.pop()
            if is_postgres():
                with ThreadPoolExecutor(1) as other:
                    other.submit(_committed, app, change).result()
            else:
                change()
        lock_rows(*args, **kwargs)

    monkeypatch.setattr(placing, "lock_rows", find_changed_then_lock)
    return changes.append


def _committed(app, change):
    with app.app_context():
        try:
            change()
            db.session.commit()
        finally:
            db.session.remove()


def _refused(cart, now) -> tuple[type, str]:
    with pytest.raises((NoLongerSold, KitLineShort, SeatLineShort)) as refused:
        place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    with force_locale("en"):
        message = str(refused.value.message)
    assert db.session.scalar(select(func.count(Order.id)).where(Order.email == BUYER.email)) == 0
    return type(refused.value), message


def _kit_in_cart(now, quantity="3"):
    basil = make_product(stock=5, name="Basil")
    basil.name_ru = "Базилик"
    db.session.commit()
    cart = add_to_cart(token=None, user=None, product_slug=basil.slug, cohort_ref=None, quantity=quantity, now=now)
    return basil, cart


def test_a_kit_sold_down_meanwhile_is_refused_with_what_is_really_left(app, now, meanwhile):
    basil, cart = _kit_in_cart(now)
    meanwhile(lambda: write_off(db.session.get(Product, basil.id), 4, now=now, reason="sold at the market"))
    assert _refused(cart, now) == (KitLineShort, "Only 1 «Basil» is left: take it or remove the line.")


def test_a_kit_taken_off_sale_meanwhile_is_refused_as_no_longer_sold_by_its_name_in_the_buyers_language(
        app, now, meanwhile):
    basil, cart = _kit_in_cart(now)
    meanwhile(lambda: db.session.execute(update(Product).where(Product.id == basil.id).values(is_active=False)))
    assert _refused(cart, now) == (NoLongerSold, "«Basil» can no longer be bought: remove it from your cart.")


def _seat_in_cart(now, cohort, quantity="1", claim=None):
    return add_to_cart(token=None, user=None, product_slug=None, cohort_ref=cohort.id, quantity=quantity, now=now,
                       claim=claim)


def _cart_checked_out(now, cohort):
    other = BuyerDetails(email="other@example.kz", full_name="Other Buyer", phone="+77011234567",
                         delivery_method="pickup", accepts_terms=True)
    place_order(_seat_in_cart(now, cohort), other, user=None, now=now, hold_minutes=30)


def _seat_name(cohort) -> str:
    return f"{cohort.course.title_en} — {cohort.starts_at:%Y-%m-%d}"


def test_a_cohort_cancelled_meanwhile_is_refused_as_no_longer_sold(app, now, meanwhile):
    cohort = make_cohort(capacity=3)
    cart = _seat_in_cart(now, cohort)
    meanwhile(lambda: db.session.execute(update(Cohort).where(Cohort.id == cohort.id).values(is_cancelled=True)))
    assert _refused(cart, now) == (
        NoLongerSold, f"«{_seat_name(cohort)}» can no longer be bought: remove it from your cart.")


def test_a_cohort_moved_to_start_at_this_very_moment_is_refused_as_no_longer_sold(app, now, meanwhile):
    cohort = make_cohort(capacity=3)
    cart = _seat_in_cart(now, cohort)
    meanwhile(lambda: db.session.execute(update(Cohort).where(Cohort.id == cohort.id).values(starts_at=now)))
    name = f"{cohort.course.title_en} — {now:%Y-%m-%d}"
    assert _refused(cart, now) == (NoLongerSold, f"«{name}» can no longer be bought: remove it from your cart.")


def test_a_claimant_whose_extra_seat_was_taken_meanwhile_is_told_their_claimed_seat_is_still_there(
        app, now, meanwhile):
    cohort = make_cohort(capacity=2)
    buy(cohort, now, email="seated@example.kz", quantity=2)
    wait_in_line(cohort.id, "buyer@example.kz", now=now)
    for enrolment_id in db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)).all():
        cancel_enrolment(enrolment_id, now=now)  # the first seat is offered to buyer@, the second is free
    entry = db.session.scalar(select(WaitlistEntry))
    cart = _seat_in_cart(now, cohort, quantity="2", claim=claim_token(entry))
    meanwhile(lambda: _cart_checked_out(now, cohort))
    assert _refused(cart, now) == (
        SeatLineShort, f"Only 1 seat is left in «{_seat_name(cohort)}»: take it or remove the line.")


def test_a_claimant_can_buy_their_offered_seat_and_a_free_one_in_one_order(app, now):
    cohort = make_cohort(capacity=2)
    buy(cohort, now, email="seated@example.kz", quantity=2)
    wait_in_line(cohort.id, "buyer@example.kz", now=now)
    for enrolment_id in db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)).all():
        cancel_enrolment(enrolment_id, now=now)
    entry = db.session.scalar(select(WaitlistEntry))
    order, _ = place_order(_seat_in_cart(now, cohort, quantity="2", claim=claim_token(entry)), BUYER, user=None,
                           now=now, hold_minutes=30)
    assert db.session.scalar(select(func.sum(Hold.quantity)).where(Hold.order_id == order.id)) == 2
