"""A refund staff make, at its edges: which payment it goes through, what amount is refused, what goes back on
the shelf, who and when the history and ledger name, and one made in the provider's app (found by `make mutation`)."""
import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.errors import RefundTooLarge
from shop.extensions import db
from shop.models import Order, OrderEvent, Payment, Product, StockMovement
from shop.orders.refunds import RefundRequest, refund_order
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_product, make_user
from tests.views.helpers import add, check_out, path_of


def _payment_of(order) -> Payment:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))


def test_a_staff_refund_of_the_older_of_two_orders_goes_through_that_orders_own_payment(app):
    product = make_product(stock=5)
    older, _newer = paid_order(app, product, 2), paid_order(app, product, 1)
    paid, gateway = _payment_of(older), RecordingGateway()
    refund = refund_order(RefundRequest(older.id, 1000, "Damaged", {}), gateway=gateway, actor_id=None, now=utcnow())
    assert [(charge, amount) for charge, amount, _key in gateway.calls] == [
        (paid.payment_intent or paid.reference, 1000)]
    assert refund.payment_id == paid.id


def test_the_refund_in_the_orders_history_names_the_staff_member_who_made_it(app):
    order = paid_order(app, make_product(stock=5), 1)
    staff = make_user(role="staff")
    refund_order(RefundRequest(order.id, 1000, "Damaged", {}), gateway=RecordingGateway(), actor_id=staff.id,
                 now=utcnow())
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                       OrderEvent.to_status == "partially_refunded"))
    assert event.actor_id == staff.id


def test_a_staff_refund_goes_through_the_paid_page_when_the_buyer_opened_a_later_one_that_expired(app):
    order = paid_order(app, make_product(stock=5), 1)
    paid, gateway = _payment_of(order), RecordingGateway()
    db.session.add(Payment(order_id=order.id, provider="dummy", reference="dummy_later_page",
                           amount_minor=order.total_minor, status="expired"))
    db.session.commit()
    refund = refund_order(RefundRequest(order.id, 1000, "Damaged", {}), gateway=gateway, actor_id=None, now=utcnow())
    assert [charge for charge, _amount, _key in gateway.calls] == [paid.payment_intent or paid.reference]
    assert refund.payment_id == paid.id


def test_a_refund_of_nothing_for_chosen_units_is_refused_before_the_provider_is_asked(app):
    order = paid_order(app, make_product(stock=5), 2)
    gateway = RecordingGateway()
    with pytest.raises(RefundTooLarge):
        refund_order(RefundRequest(order.id, 0, "Damaged", {}, lines={order.lines[0].id: 1}), gateway=gateway,
                     actor_id=None, now=utcnow())
    assert gateway.calls == []


def test_a_refund_restocking_two_kits_puts_a_unit_of_each_back(app):
    seeds, trowel = make_product(stock=5), make_product(stock=5)
    client = app.test_client()
    add(client, seeds, 1)
    add(client, trowel, 1)
    client.post(path_of(check_out(client)), data={"outcome": "pay"})
    order = db.session.scalar(select(Order))
    refund_order(RefundRequest(order.id, 1000, "Damaged", {line.id: 1 for line in order.lines}),
                 gateway=RecordingGateway(), actor_id=None, now=utcnow())
    db.session.expire_all()
    assert (db.session.get(Product, seeds.id).on_hand, db.session.get(Product, trowel.id).on_hand) == (5, 5)


def test_units_a_staff_refund_puts_back_are_signed_by_that_staff_member_in_the_stock_ledger(app):
    product = make_product(stock=5)
    order = paid_order(app, product, 2)
    staff = make_user(role="staff")
    refund_order(RefundRequest(order.id, 1000, "Damaged", {order.lines[0].id: 1}), gateway=RecordingGateway(),
                 actor_id=staff.id, now=utcnow())
    movement = db.session.scalar(select(StockMovement).where(StockMovement.product_id == product.id)
                                 .order_by(StockMovement.id.desc()).limit(1))
    assert (movement.delta, movement.actor_id) == (1, staff.id)


class HandGateway(RecordingGateway):
    """A provider whose refunds staff make in its own app (like Kaspi) and record here by reference."""

    refunds_by_hand = True


def test_a_refund_made_in_the_providers_app_is_recorded_by_whom_and_when_staff_said(app, later):
    order = paid_order(app, make_product(stock=5), 1)
    staff, made_at = make_user(role="staff"), later(minutes=30)
    refund = refund_order(RefundRequest(order.id, 1000, "Damaged", {}, provider_reference="R-77"),
                          gateway=HandGateway(), actor_id=staff.id, now=made_at)
    assert (refund.actor_id, refund.created_at) == (staff.id, made_at)


def test_a_long_reference_of_a_refund_made_in_the_providers_app_is_kept_to_200_characters(app):
    order = paid_order(app, make_product(stock=5), 1)
    refund = refund_order(RefundRequest(order.id, 1000, "Damaged", {}, provider_reference="7" * 250),
                          gateway=HandGateway(), actor_id=None, now=utcnow())
    assert refund.reference == "dummy:" + "7" * 200
