from datetime import timedelta

from sqlalchemy import select

from shop.extensions import db
from shop.inventory.services import availability
from shop.models import Hold, Order, Payment
from shop.orders.expiry import expire_orders as release_expired
from shop.orders.paying import mark_paid
from tests.factories import make_product
from tests.views.helpers import add, check_out, pay_dummy


def test_release_expired_deletes_timed_out_holds_and_cancels_their_unpaid_orders(client, runner, now):
    product = make_product(stock=4)
    add(client, product, 3)
    check_out(client)
    assert availability([product.id], now)[product.id] == 1
    holds, orders, _closed = release_expired(now + timedelta(minutes=31))
    assert (holds, orders) == (1, 1)
    assert db.session.scalar(select(Order.payment_status)) == "cancelled"
    assert db.session.scalar(select(Hold.id)) is None
    assert availability([product.id], now)[product.id] == 4


def test_release_expired_leaves_live_reservations_alone(client, runner):
    add(client, make_product(stock=4))
    check_out(client)
    result = runner.invoke(args=["shop", "release-expired"])
    assert result.exit_code == 0 and "Released 0" in result.output
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"


def test_a_payment_after_the_reservation_expired_is_honoured_while_stock_remains(client, now):
    product = make_product(stock=4)
    add(client, product, 2)
    response = check_out(client)
    release_expired(now + timedelta(minutes=31))
    payment = db.session.scalar(select(Payment))
    order = db.session.scalar(select(Order))
    mark_paid(order.public_id, provider="dummy", reference=payment.reference, amount_minor=order.total_minor,
                 now=now + timedelta(minutes=32))
    db.session.refresh(order)
    db.session.refresh(product)
    assert order.payment_status == "paid" and product.on_hand == 2 and not order.needs_attention
    assert response.status_code == 303


def test_a_payment_after_the_stock_went_to_someone_else_is_flagged_not_oversold(app, client, now):
    product = make_product(stock=1)
    add(client, product)
    check_out(client)
    release_expired(now + timedelta(minutes=31))
    other = app.test_client()
    add(other, product)
    pay_dummy(other)
    first = db.session.scalars(select(Order).order_by(Order.id)).first()
    payment = db.session.scalar(select(Payment).where(Payment.order_id == first.id))
    mark_paid(first.public_id, provider="dummy", reference=payment.reference, amount_minor=first.total_minor, now=now)
    db.session.refresh(first)
    db.session.refresh(product)
    assert first.payment_status == "paid" and "Not enough stock" in first.needs_attention
    assert product.on_hand == 0
