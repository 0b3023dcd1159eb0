"""Releasing unpaid orders at the edges of their reservation, and fulfilment steps' details (tracking, notes)."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.cart.services import add_to_cart
from shop.checkout.services import start_payment
from shop.extensions import db
from shop.inventory.services import availability
from shop.models import AuditEntry, Hold, Order, OutboxMessage, Payment, WaitlistEntry
from shop.orders.expiry import expire_orders
from shop.orders.fulfilment import advance_fulfilment
from shop.orders.placing import BuyerDetails, place_order
from shop.payments.dummy_gateway import DummyGateway
from tests.admin_support import paid_order
from tests.factories import make_cohort, make_product, make_user, wait_in_line

BUYER = BuyerDetails(email="dana@example.kz", full_name="Дана Омарова", phone="+77011234567", delivery_method="pickup",
                     accepts_terms=True)


def _order(now, *, product=None, cohort=None, quantity="1", token=None) -> Order:
    cart = add_to_cart(token=token, user=None, product_slug=product.slug if product else None,
                       cohort_ref=cohort.id if cohort else None, quantity=quantity, now=now)
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    return order


def _status(order) -> str:
    db.session.expire_all()
    return db.session.get(Order, order.id).payment_status


def test_a_reservation_ending_this_very_second_is_released_and_its_seat_offered_at_once(app, now):
    cohort = make_cohort(capacity=1)
    order = _order(now, cohort=cohort)
    wait_in_line(cohort.id, "first@example.kz", now=now)
    assert expire_orders(now + timedelta(minutes=30) - timedelta(seconds=1))[:2] == (0, 0)
    assert _status(order) == "pending_payment"

    holds, orders, _payments = expire_orders(now + timedelta(minutes=30))

    assert (holds, orders) == (1, 1) and _status(order) == "cancelled"
    assert db.session.scalar(select(WaitlistEntry.status)) == "offered"


def test_an_unpaid_order_stays_open_while_any_of_its_reservations_lasts(app, now):
    kit = make_product(stock=3)
    cohort = make_cohort(capacity=2, starts_at=now + timedelta(minutes=10))  # its seat is held only until the start
    cart = add_to_cart(token=None, user=None, product_slug=kit.slug, cohort_ref=None, quantity="1", now=now)
    add_to_cart(token=cart.token, user=None, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now)
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)

    holds, orders, _payments = expire_orders(now + timedelta(minutes=15))

    assert (holds, orders) == (1, 0) and _status(order) == "pending_payment"
    assert availability([kit.id], now + timedelta(minutes=15))[kit.id] == 2  # the kit is still held for the buyer
    assert expire_orders(now + timedelta(minutes=30))[:2] == (1, 1) and _status(order) == "cancelled"


def test_the_open_payment_page_of_every_order_released_is_handed_back_to_be_closed(app, now):
    kit = make_product(stock=5)
    orders = [_order(now, product=kit) for _ in range(2)]
    for order in orders:
        start_payment(order, DummyGateway(), now=now)

    _holds, released, payments = expire_orders(now + timedelta(minutes=31))

    assert released == 2
    assert sorted(payment.order_id for payment in payments) == sorted(order.id for order in orders)
    assert {payment.status for payment in db.session.scalars(select(Payment))} == {"expired"}


def test_a_released_order_says_in_its_history_that_the_reservation_expired(app, now):
    order = _order(now, product=make_product(stock=2))
    expire_orders(now + timedelta(minutes=31))
    db.session.expire_all()
    last = db.session.get(Order, order.id).events[-1]
    assert (last.to_status, last.note, last.created_at) == ("cancelled", "Reservation expired before payment",
                                                           now + timedelta(minutes=31))
    assert db.session.scalar(select(Hold.id)) is None


@pytest.fixture
def courier_order(app):
    return paid_order(app, make_product(stock=5), 1)


def test_a_courier_parcel_may_be_shipped_without_a_tracking_number(courier_order, now):
    advance_fulfilment(courier_order.id, "packed", actor_id=None, now=now)
    advance_fulfilment(courier_order.id, "shipped", actor_id=None, now=now)
    db.session.expire_all()
    order = db.session.get(Order, courier_order.id)
    assert (order.fulfilment_status, order.tracking_number) == ("shipped", "")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "order.status")
                               .order_by(AuditEntry.id)).all()[-1]
    assert json.loads(entry.details) == {"status": ["packed", "shipped"], "tracking": None}


def test_a_step_keeps_its_time_trimmed_note_and_tracking_in_the_history_and_the_audit_log(courier_order, now):
    staff = make_user(role="staff")
    advance_fulfilment(courier_order.id, "packed", actor_id=staff.id, now=now)
    shipped_at = now + timedelta(hours=3)
    advance_fulfilment(courier_order.id, "shipped", tracking_number="  CR-778 ", note="  Courier Yerlan  ",
                       actor_id=staff.id, now=shipped_at)
    db.session.expire_all()
    order = db.session.get(Order, courier_order.id)
    packed, shipped = order.events[-2:]
    assert (packed.note, packed.created_at) == ("", now)
    assert (shipped.note, shipped.created_at, order.tracking_number) == ("Courier Yerlan", shipped_at, "CR-778")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "order.status")
                               .order_by(AuditEntry.id)).all()[-1]
    assert json.loads(entry.details) == {"status": ["packed", "shipped"], "tracking": "CR-778"}
    assert entry.created_at == shipped_at
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == order.email)
                               .order_by(OutboxMessage.id)).all()
    assert "CR-778" in mails[-1].body_text and "CR-778" not in mails[-2].body_text
