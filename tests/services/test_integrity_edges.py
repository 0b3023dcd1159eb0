"""The integrity checker at its edges: what is exactly at a limit passes, what is one past it is found, and a
hold stops counting the moment it expires (found by `make mutation`)."""
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from shop.extensions import db
from shop.integrity import (
    check_integrity,
    holds_within_stock,
    no_holds_on_closed_items,
    paid_lines_sold_once,
    paid_orders_paid_once,
    refunded_orders_not_awaiting_fulfilment,
    refunds_within_payments,
    seats_within_capacity,
)
from shop.models import Enrolment, Hold, Order, Payment, Refund
from tests.factories import make_cohort, make_product
from tests.views.helpers import add, pay_dummy

pytestmark = pytest.mark.breaks_integrity


def _paid_order(client, product=None, cohort=None):
    add(client, product, cohort=cohort)
    pay_dummy(client)
    return db.session.query(Order).order_by(Order.id.desc()).first()


def test_holds_of_exactly_the_stock_pass_and_expired_ones_never_count(app, now):
    product = make_product(stock=2)
    db.session.add_all([Hold(product_id=product.id, quantity=2, expires_at=now + timedelta(minutes=5)),
                        Hold(product_id=product.id, quantity=5, expires_at=now)])
    db.session.commit()
    assert holds_within_stock(now) == []
    assert holds_within_stock(now - timedelta(seconds=1)) == [f"product {product.slug}: 7 held but only 2 on hand"]


def test_a_cohort_filled_exactly_passes_and_expired_seat_holds_never_count(app, now):
    cohort = make_cohort(capacity=2)
    db.session.add(Enrolment(cohort_id=cohort.id, email="a@x.kz"))
    db.session.add(Enrolment(cohort_id=cohort.id, email="c@x.kz", status="cancelled"))
    db.session.add(Hold(cohort_id=cohort.id, quantity=1, expires_at=now + timedelta(minutes=5)))
    db.session.add(Hold(cohort_id=cohort.id, quantity=3, expires_at=now))
    db.session.commit()
    assert seats_within_capacity(now) == []
    assert seats_within_capacity(now - timedelta(seconds=1)) == [
        f"cohort {cohort.id}: 1 enrolled and 4 held for 2 seats"]


def test_seat_holds_alone_beyond_capacity_are_found(app, now):
    cohort = make_cohort(capacity=1)
    db.session.add(Hold(cohort_id=cohort.id, quantity=2, expires_at=now + timedelta(minutes=5)))
    db.session.commit()
    assert seats_within_capacity(now) == [f"cohort {cohort.id}: 0 enrolled and 2 held for 1 seats"]


def test_a_paid_line_sold_twice_is_found(client, now):
    order = _paid_order(client, make_product(stock=5))
    from shop.inventory.services import move_stock
    line = order.lines[0]
    move_stock(line.product_id, "sold", -1, now=now, order_id=order.id, order_line_id=line.id)
    db.session.commit()
    assert paid_lines_sold_once(now) == [f"order {order.public_id}: line {line.id} is paid but sold 2 times"]


def test_a_paid_line_flagged_for_staff_may_be_unsold(client, now):
    _paid_order(client, make_product(stock=5))
    db.session.execute(update(Order).values(needs_attention="stock went to someone else"))
    db.session.execute(text("DELETE FROM stock_movement WHERE kind = 'sold'"))
    db.session.commit()
    assert paid_lines_sold_once(now) == []


def test_refunds_of_exactly_what_was_paid_pass_and_one_tiyn_more_is_found(client, now):
    order = _paid_order(client, make_product(stock=5))
    db.session.execute(update(Order).values(payment_status="refunded"))
    db.session.add(Refund(order_id=order.id, amount_minor=order.total_minor))
    db.session.commit()
    assert refunds_within_payments(now) == []
    assert refunded_orders_not_awaiting_fulfilment(now) == []
    db.session.add(Refund(order_id=order.id, amount_minor=1))
    db.session.commit()
    assert refunds_within_payments(now) == [
        f"order {order.public_id}: refunded {order.total_minor + 1} but paid {order.total_minor} (tiyn)"]


def test_a_partly_refunded_order_may_still_await_packing(client, now):
    order = _paid_order(client, make_product(stock=5))
    db.session.execute(update(Order).values(payment_status="partially_refunded"))
    db.session.add(Refund(order_id=order.id, amount_minor=order.total_minor - 1))
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == []
    db.session.add(Refund(order_id=order.id, amount_minor=1))
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == [
        f"order {order.public_id}: partially_refunded, unfulfilled, but everything paid was refunded"]


def test_a_paid_order_with_two_paid_payments_or_none_is_found(client, now):
    order = _paid_order(client, make_product(stock=5))
    payment = db.session.query(Payment).one()
    db.session.add(Payment(order_id=order.id, provider="dummy", reference="second", amount_minor=1, status="paid",
                           created_at=payment.created_at))
    db.session.commit()
    assert paid_orders_paid_once(now) == [f"order {order.public_id}: paid with 2 paid payments"]
    db.session.execute(update(Payment).values(status="refunded"))
    db.session.commit()
    assert paid_orders_paid_once(now) == [f"order {order.public_id}: paid with 0 paid payments"]


def test_expired_holds_on_closed_items_are_not_reported(app, now):
    product, cohort = make_product(stock=5, is_active=False), make_cohort(capacity=5, is_cancelled=True)
    db.session.add_all([Hold(product_id=product.id, quantity=1, expires_at=now),
                        Hold(cohort_id=cohort.id, quantity=1, expires_at=now)])
    db.session.commit()
    assert no_holds_on_closed_items(now) == []
    assert len(no_holds_on_closed_items(now - timedelta(seconds=1))) == 2


def test_a_cohort_starting_this_very_moment_can_no_longer_be_held(app, now):
    cohort = make_cohort(capacity=5, starts_at=now + timedelta(minutes=1))
    db.session.add(Hold(cohort_id=cohort.id, quantity=1, expires_at=now + timedelta(minutes=5)))
    db.session.commit()
    assert no_holds_on_closed_items(now) == []
    assert no_holds_on_closed_items(now + timedelta(minutes=1)) == [
        f"cohort {cohort.id}: 1 seat(s) held but it cannot be booked"]


def test_check_integrity_runs_every_check_at_the_time_given(app, now):
    product = make_product(stock=1)
    db.session.add(Hold(product_id=product.id, quantity=2, expires_at=now + timedelta(minutes=5)))
    db.session.commit()
    assert check_integrity(now) == [f"product {product.slug}: 2 held but only 1 on hand"]
    assert check_integrity(now + timedelta(minutes=5)) == []
