"""A payment page that expired or failed, at its edges: the word written in the order's history, and the late
events that name a page already closed, another order's page or another provider's (found by `make mutation`)."""
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.models import Order, OrderEvent, Payment
from shop.orders.cancelling import cancel_unpaid
from tests.admin_support import pending_order


def _cancelled_order(app) -> tuple[Order, Payment]:
    order, payment = pending_order(app)
    cancel_unpaid(order.public_id, provider="dummy", reference=payment.reference, now=utcnow())
    return order, payment


def _another_page(order, reference: str, provider: str = "dummy") -> Payment:
    payment = Payment(order_id=order.id, provider=provider, reference=reference, amount_minor=order.total_minor)
    db.session.add(payment)
    db.session.commit()
    return payment


def _status_of(payment) -> str:
    db.session.expire_all()
    return db.session.get(Payment, payment.id).status


def test_an_expired_page_writes_expired_in_the_orders_history(app):
    order, _ = _cancelled_order(app)
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                       OrderEvent.to_status == "cancelled"))
    assert event.note == "expired"


def test_a_late_expiry_of_another_pending_page_of_a_cancelled_order_names_it_expired(app):
    order, _ = _cancelled_order(app)
    second = _another_page(order, "dummy_second_page")
    cancel_unpaid(order.public_id, provider="dummy", reference=second.reference, now=utcnow())
    assert _status_of(second) == "expired"


def test_a_late_failure_of_a_page_already_expired_keeps_it_expired(app):
    order, payment = _cancelled_order(app)
    cancel_unpaid(order.public_id, provider="dummy", reference=payment.reference, now=utcnow(),
                  event_type="payment_failed")
    assert _status_of(payment) == "expired"


def test_an_event_naming_another_orders_page_leaves_that_page_and_order_alone(app):
    cancelled, _ = _cancelled_order(app)
    waiting, page = pending_order(app)
    cancel_unpaid(cancelled.public_id, provider="dummy", reference=page.reference, now=utcnow())
    assert _status_of(page) == "pending"
    assert db.session.get(Order, waiting.id).payment_status == "pending_payment"


def test_an_event_of_one_provider_leaves_another_providers_page_under_the_same_reference_alone(app):
    order, _ = _cancelled_order(app)
    elsewhere = _another_page(order, "shared-reference", provider="tiptoppay")
    cancel_unpaid(order.public_id, provider="dummy", reference="shared-reference", now=utcnow())
    assert _status_of(elsewhere) == "pending"


def test_cancelling_one_order_closes_only_its_own_pages(app):
    cancelled, page = pending_order(app)
    waiting, other_page = pending_order(app)
    cancel_unpaid(cancelled.public_id, provider="dummy", reference=page.reference, now=utcnow())
    assert (_status_of(page), _status_of(other_page)) == ("expired", "pending")
    assert db.session.get(Order, waiting.id).payment_status == "pending_payment"


def test_cancelling_an_order_keeps_the_word_of_a_page_that_had_already_failed(app):
    order, page = pending_order(app)
    failed = _another_page(order, "dummy_declined_page")
    failed.status = "failed"
    db.session.commit()
    cancel_unpaid(order.public_id, provider="dummy", reference=page.reference, now=utcnow())
    assert (_status_of(page), _status_of(failed)) == ("expired", "failed")
