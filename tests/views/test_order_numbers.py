"""Buyers and staff see the order's short number; links keep the unguessable public id."""
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OutboxMessage
from tests.factories import make_product
from tests.views.helpers import add, pay_dummy


def test_the_buyer_reads_the_order_number_on_the_order_page_and_in_the_confirmation(client):
    add(client, make_product(stock=3))
    pay_dummy(client)
    order = db.session.scalar(select(Order))
    assert f"Order {order.number}" in client.get(f"/orders/{order.public_id}").text
    assert client.get(f"/orders/{order.number}").status_code == 404  # the number opens no order
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"order-confirmation:{order.id}"))
    assert str(order.number) in confirmation.subject
    assert f"Your order number: {order.number}" in confirmation.body_text
