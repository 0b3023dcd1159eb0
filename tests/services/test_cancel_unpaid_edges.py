"""A payment page that expired or failed at the provider: each event once, the right payment, the right word
(found by `make mutation`)."""
import pytest
from sqlalchemy import select, update

from shop.clock import utcnow
from shop.extensions import db
from shop.models import Order, Payment, ProcessedEvent
from shop.orders.cancelling import cancel_unpaid
from tests.factories import make_product
from tests.views.helpers import add, check_out


@pytest.fixture
def pending(app, client):
    add(client, make_product(stock=5, price=100000), 1)
    check_out(client)
    return db.session.scalar(select(Order)), db.session.scalar(select(Payment))


def _payment_status(reference: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Payment.status).where(Payment.reference == reference))


def test_a_failed_page_cancels_the_order_and_names_the_payment_failed_once(pending):
    order, payment = pending
    cancel_unpaid(order.public_id, provider="dummy", reference=payment.reference, now=utcnow(), event_id="ev-1",
                  event_type="payment_failed")
    assert (db.session.get(Order, order.id).payment_status, _payment_status(payment.reference)) == ("cancelled",
                                                                                                    "failed")
    event = db.session.get(ProcessedEvent, "ev-1")
    assert (event.type, event.provider) == ("payment_failed", "dummy")
    assert cancel_unpaid(order.public_id, provider="dummy", reference=payment.reference, now=utcnow(),
                         event_id="ev-1") is None


def test_an_expired_page_names_the_payment_expired_by_default(pending):
    order, payment = pending
    assert cancel_unpaid(order.public_id, provider="dummy", reference=payment.reference, now=utcnow()).id == order.id
    assert _payment_status(payment.reference) == "expired"


def test_a_late_expiry_of_another_pending_payment_of_a_cancelled_order_closes_that_payment_only(pending):
    order, first = pending
    cancel_unpaid(order.public_id, provider="dummy", reference=first.reference, now=utcnow())
    second = Payment(order_id=order.id, provider="dummy", reference="dummy_second", amount_minor=order.total_minor)
    other = Payment(order_id=order.id, provider="stripe", reference="dummy_second_elsewhere",
                    amount_minor=order.total_minor)
    db.session.add_all([second, other])
    db.session.commit()
    cancel_unpaid(order.public_id, provider="dummy", reference="dummy_second", now=utcnow(),
                  event_type="payment_failed")
    assert (_payment_status("dummy_second"), _payment_status("dummy_second_elsewhere")) == ("failed", "pending")


def test_an_expiry_for_a_payment_already_paid_changes_nothing(pending):
    order, payment = pending
    db.session.execute(update(Payment).values(status="paid"))
    db.session.commit()
    assert cancel_unpaid(order.public_id, provider="dummy", reference=payment.reference, now=utcnow()).id == order.id
    assert db.session.get(Order, order.id).payment_status == "pending_payment"
    db.session.execute(update(Payment).values(status="pending"))  # leave the shop whole for the checker
    db.session.commit()


def test_an_expiry_for_an_unknown_order_changes_nothing(pending):
    order, payment = pending
    assert cancel_unpaid("no-such-order", provider="dummy", reference=payment.reference, now=utcnow()) is None
    assert db.session.get(Order, order.id).payment_status == "pending_payment"
