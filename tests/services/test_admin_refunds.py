"""Refunds: capped at what was paid, made through the provider outside any transaction, restocked through the ledger."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.errors import PaymentFailed, RefundTooLarge, ShopError
from shop.extensions import db
from shop.models import AuditEntry, Enrolment, OrderLine, OutboxMessage, Product, Refund, StockMovement
from shop.orders.refunds import InvalidRestock, NothingToRefund, RefundRequest, refund_order, refunded_total
from shop.payments.providers import get_gateway
from tests.admin_support import RecordingGateway, paid_order
from tests.conftest import post_webhook
from tests.factories import make_cohort, make_product, make_user
from tests.stripe_stub import make_event
from tests.views.helpers import add, check_out


def _refund(order, amount, gateway, *, restock=None, cancel_seats=False, actor=None, now=None, reason="Damaged"):
    from shop.clock import utcnow

    return refund_order(RefundRequest(order.id, amount, reason, restock or {}, cancel_seats=cancel_seats),
                        gateway=gateway, actor_id=actor.id if actor else None, now=now or utcnow())


def _refunds(order):
    return db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)).all()


def test_a_partial_refund_goes_through_the_provider_and_is_recorded_once(app):
    order = paid_order(app, make_product(stock=5, price=500000), 2)
    staff, gateway = make_user(role="staff"), RecordingGateway()
    refund = _refund(order, 300000, gateway, actor=staff)
    assert gateway.calls == [(gateway.calls[0][0], 300000, f"refund-{order.public_id}-0-300000")]
    assert gateway.in_transaction == [False]
    db.session.refresh(order)
    assert order.payment_status == "partially_refunded"
    assert [(r.amount_minor, r.reference, r.actor_id) for r in _refunds(order)] == [
        (300000, refund.reference, staff.id)]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "order.refund")) == "order.refund"


def test_the_audit_log_tells_who_refunded_what_when_and_why(app):
    order = paid_order(app, make_product(stock=5, price=500000), 2)
    staff, line = make_user(role="staff"), order.lines[0]
    when = utcnow() - timedelta(hours=1)
    refund = _refund(order, 300000, RecordingGateway(), actor=staff, restock={line.id: 1}, now=when,
                     reason="  Повреждён в пути  ")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "order.refund"))
    assert (entry.actor_id, entry.target, entry.created_at.replace(tzinfo=None)) == (
        staff.id, f"order:{order.public_id}", when.replace(tzinfo=None))
    assert json.loads(entry.details) == {"amount_minor": 300000, "reference": refund.reference,
                                         "restock": {str(line.id): 1}, "reason": "Повреждён в пути"}


def test_a_refund_above_what_was_paid_is_refused_before_the_provider_is_asked(app):
    order = paid_order(app, make_product(stock=5, price=500000), 1)
    gateway = RecordingGateway()
    with pytest.raises(RefundTooLarge):
        _refund(order, order.total_minor + 1, gateway)
    assert gateway.calls == [] and _refunds(order) == []


def test_refunds_together_never_exceed_what_was_paid(app):
    order = paid_order(app, make_product(stock=5, price=500000), 1)
    gateway = RecordingGateway()
    _refund(order, 200000, gateway)
    with pytest.raises(RefundTooLarge):
        _refund(order, order.total_minor - 200000 + 1, gateway)
    _refund(order, order.total_minor - 200000, gateway)
    db.session.refresh(order)
    assert order.payment_status == "refunded" and refunded_total(order) == order.total_minor
    with pytest.raises(RefundTooLarge):
        _refund(order, 1, gateway)
    assert len(gateway.calls) == 2


@pytest.mark.parametrize("amount", [0, -100])
def test_a_refund_of_nothing_or_less_is_refused(app, amount):
    order = paid_order(app, make_product(stock=5), 1)
    with pytest.raises(ShopError):
        _refund(order, amount, RecordingGateway())
    assert _refunds(order) == []


def test_an_unpaid_order_cannot_be_refunded(app, client):
    add(client, make_product(stock=5), 1)
    check_out(client)
    order = db.session.scalar(select(OrderLine)).order
    with pytest.raises(NothingToRefund):
        _refund(order, 100, RecordingGateway())


def test_a_provider_failure_records_nothing(app):
    order = paid_order(app, make_product(stock=5), 1)
    with pytest.raises(PaymentFailed):
        _refund(order, 1000, RecordingGateway(fail=PaymentFailed()), restock={order.lines[0].id: 1})
    db.session.refresh(order)
    assert order.payment_status == "paid" and _refunds(order) == []
    returned = select(func.count()).select_from(StockMovement).where(StockMovement.kind == "returned")
    assert db.session.scalar(returned) == 0


def test_restocking_chosen_lines_puts_units_back_through_the_ledger(app):
    product = make_product(stock=5, price=400000)
    order = paid_order(app, product, 3)
    line = order.lines[0]
    _refund(order, 800000, RecordingGateway(), restock={line.id: 2})
    assert db.session.get(Product, product.id).on_hand == 4
    movement = db.session.scalar(select(StockMovement).where(StockMovement.kind == "returned"))
    assert (movement.delta, movement.level_after, movement.order_id, movement.order_line_id) == (
        2, 4, order.id, line.id)
    assert db.session.get(OrderLine, line.id).returned_quantity == 2


def test_restocking_more_units_than_were_sold_is_refused_before_the_provider_is_asked(app):
    order = paid_order(app, make_product(stock=5), 2)
    gateway = RecordingGateway()
    line_id = order.lines[0].id
    _refund(order, 1000, gateway, restock={line_id: 1})
    with pytest.raises(InvalidRestock):
        _refund(order, 1000, gateway, restock={line_id: 2})
    assert len(gateway.calls) == 1
    assert db.session.get(OrderLine, line_id).returned_quantity == 1


def test_a_full_refund_of_course_seats_cancels_the_enrolments_and_frees_the_seats(app):
    cohort = make_cohort(capacity=3, price=1990000)
    order = paid_order(app, cohort=cohort, quantity=2)
    assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.status == "active")) == 2
    _refund(order, order.total_minor, RecordingGateway())
    statuses = db.session.scalars(select(Enrolment.status).where(Enrolment.order_id == order.id)).all()
    assert statuses == ["cancelled", "cancelled"]


def test_a_partial_refund_keeps_seats_unless_staff_cancel_them(app):
    order = paid_order(app, cohort=make_cohort(capacity=3), quantity=1)
    _refund(order, 1000, RecordingGateway())
    assert db.session.scalar(select(Enrolment.status)) == "active"
    _refund(order, 1000, RecordingGateway(), cancel_seats=True)
    assert db.session.scalar(select(Enrolment.status)) == "cancelled"


def test_the_buyer_is_emailed_about_the_refund(app):
    order = paid_order(app, make_product(stock=5, price=500000), 1)
    _refund(order, 250000, RecordingGateway())
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("refund:")))
    assert message.recipient == order.email
    assert "/orders/" in message.body_text


def _stripe_paid_order(client, stub, product):
    add(client, product, 2)
    check_out(client)
    session_id = next(iter(stub.sessions))
    assert post_webhook(client, make_event("checkout.session.completed", stub.complete(session_id))).status_code == 200
    db.session.expire_all()
    return db.session.scalar(select(OrderLine)).order


def test_a_stripe_refund_uses_the_refund_api_and_the_later_webhook_does_not_count_it_twice(stripe_client, stripe_stub):
    product = make_product(stock=5, price=300000)
    order = _stripe_paid_order(stripe_client, stripe_stub, product)
    refund = _refund(order, 100000, get_gateway())
    [stub_refund] = stripe_stub.refunds.values()
    assert (stub_refund["amount"], refund.reference) == (100000, stub_refund["id"])
    intent = stub_refund["payment_intent"]
    event = make_event("charge.refunded", {"object": "charge", "payment_intent": intent, "amount_refunded": 100000,
                                           "metadata": {"order_id": order.public_id},
                                           "refunds": {"data": [{"id": stub_refund["id"]}]}})
    assert post_webhook(stripe_client, event).status_code == 200
    db.session.expire_all()
    assert refunded_total(order) == 100000 and len(_refunds(order)) == 1


def test_stripe_refuses_nothing_the_shop_lets_through(stripe_client, stripe_stub):
    order = _stripe_paid_order(stripe_client, stripe_stub, make_product(stock=5, price=300000))
    with pytest.raises(RefundTooLarge):
        _refund(order, order.total_minor + 100, get_gateway())
    assert stripe_stub.refunds == {}
