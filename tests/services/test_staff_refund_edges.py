"""A refund staff make, at its edges: which payment it goes through, and who the order's history names
(found by `make mutation`)."""
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.models import OrderEvent, Payment
from shop.orders.refunds import RefundRequest, refund_order
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_product, make_user


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
