"""Refunds at their edges: what counts as refunded in full, what may be restocked, which provider refunds, and
what a provider's own refund report changes (found by `make mutation`)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.database import unit_of_work
from shop.errors import RefundTooLarge
from shop.extensions import db
from shop.models import (
    AuditEntry,
    Order,
    OrderEvent,
    OrderLine,
    OutboxMessage,
    Payment,
    Product,
    Refund,
    RefundLine,
    StockMovement,
)
from shop.money import format_money
from shop.orders.refunds import (
    InvalidRestock,
    NothingChosen,
    NothingToRefund,
    ReferenceNeeded,
    RefundRequest,
    apply_provider_refund,
    record_provider_refund,
    refund_order,
    refunded_total,
    restock_unshipped,
)
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_cohort, make_product, make_user
from tests.views.helpers import add, check_out, path_of


def _refund(order, amount, gateway=None, **options):
    restock = options.pop("restock", {})
    return refund_order(RefundRequest(order.id, amount, options.pop("reason", "Damaged"), restock, **options),
                        gateway=gateway or RecordingGateway(), actor_id=None, now=utcnow())


def _refunds(order):
    return db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)).all()


class HandGateway(RecordingGateway):
    """A provider whose refunds staff make in its own app (like Kaspi) and record here by reference."""

    refunds_by_hand = True


def test_a_refund_of_exactly_what_is_left_refunds_the_order_in_full(app):
    order = paid_order(app, make_product(stock=5, price=500000), 1)
    _refund(order, order.total_minor - 1)
    db.session.refresh(order)
    assert order.payment_status == "partially_refunded"
    _refund(order, 1)
    db.session.refresh(order)
    assert order.payment_status == "refunded" and refunded_total(order) == order.total_minor


def test_the_staff_reason_and_the_request_key_are_kept(app):
    order = paid_order(app, make_product(stock=5, price=500000), 1)
    gateway = RecordingGateway()
    staff = make_user(role="staff")
    refund = refund_order(RefundRequest(order.id, 1000, "  Damaged box  ", {}, key="form-42"), gateway=gateway,
                          actor_id=staff.id, now=utcnow())
    assert gateway.calls[0][2] == f"refund-{order.public_id}-form-42"
    assert (refund.reason, refund.actor_id, refund.source, refund.amount_minor) == (
        "Damaged box", staff.id, "staff", 1000)


def test_the_idempotency_key_counts_what_was_refunded_before(app):
    order = paid_order(app, make_product(stock=5, price=500000), 1)
    gateway = RecordingGateway()
    _refund(order, 1000, gateway)
    _refund(order, 2000, gateway)
    assert [call[2] for call in gateway.calls] == [f"refund-{order.public_id}-0-1000",
                                                   f"refund-{order.public_id}-1000-2000"]


@pytest.mark.parametrize("units", [0, -1])
def test_restocking_no_units_or_fewer_is_refused(app, units):
    order = paid_order(app, make_product(stock=5), 2)
    gateway = RecordingGateway()
    with pytest.raises(InvalidRestock):
        _refund(order, 1000, gateway, restock={order.lines[0].id: units})
    assert gateway.calls == []


def test_every_unit_sold_can_be_restocked_but_not_one_more(app):
    product = make_product(stock=5)
    order = paid_order(app, product, 2)
    with pytest.raises(InvalidRestock):
        _refund(order, 1000, restock={order.lines[0].id: 3})
    _refund(order, 1000, restock={order.lines[0].id: 2})
    assert db.session.get(Product, product.id).on_hand == 5


def test_a_seat_line_or_another_orders_line_cannot_be_restocked(app):
    seats = paid_order(app, cohort=make_cohort(capacity=3), quantity=1)
    other = paid_order(app, make_product(stock=5), 1)
    with pytest.raises(InvalidRestock):
        _refund(seats, 1000, restock={seats.lines[0].id: 1})
    with pytest.raises(InvalidRestock):
        _refund(seats, 1000, restock={other.lines[0].id: 1})
    assert _refunds(seats) == []


def test_restocked_units_are_recorded_as_returned_for_a_refund(app):
    order = paid_order(app, make_product(stock=5), 2)
    _refund(order, 1000, restock={order.lines[0].id: 1})
    movement = db.session.scalar(select(StockMovement).where(StockMovement.kind == "returned"))
    assert (movement.reason, movement.delta) == ("Refund", 1)


def test_a_refund_through_another_provider_than_the_one_paid_is_refused(app):
    order = paid_order(app, make_product(stock=5), 1)
    gateway = RecordingGateway()
    gateway.name = "stripe"
    with pytest.raises(NothingToRefund):
        _refund(order, 1000, gateway)
    assert gateway.calls == []


def test_a_refund_made_in_the_providers_app_needs_its_reference_and_is_recorded_under_it(app):
    order = paid_order(app, make_product(stock=5), 1)
    gateway = HandGateway()
    with pytest.raises(ReferenceNeeded):
        _refund(order, 1000, gateway, provider_reference="   ")
    refund = _refund(order, 1000, gateway, provider_reference="  R-77  ")
    assert refund.reference == "dummy:R-77" and gateway.calls == []


def test_a_refund_that_chooses_nothing_is_refused(app):
    order = paid_order(app, make_product(stock=5), 1)
    with pytest.raises(NothingChosen):
        _refund(order, None)


def test_refunding_chosen_units_charges_their_price_and_lists_them(app):
    order = paid_order(app, make_product(stock=5, price=300000), 3)
    line = order.lines[0]
    refund = _refund(order, None, lines={line.id: 2})
    assert refund.amount_minor == 600000
    rows = db.session.scalars(select(RefundLine).where(RefundLine.refund_id == refund.id)).all()
    assert [(row.order_line_id, row.quantity, row.amount_minor) for row in rows] == [(line.id, 2, 600000)]


def test_refunding_everything_that_was_paid_lists_every_line_and_the_delivery(app):
    order = paid_order(app, make_product(stock=5, price=300000), 2)
    refund = _refund(order, order.total_minor)
    rows = db.session.scalars(select(RefundLine).where(RefundLine.refund_id == refund.id)
                              .order_by(RefundLine.id)).all()
    assert sum(row.amount_minor for row in rows) == order.total_minor
    assert [row.quantity for row in rows] == [2, 1] if order.delivery_fee_minor else [2]


def test_a_free_amount_lists_no_lines(app):
    order = paid_order(app, make_product(stock=5, price=300000), 2)
    refund = _refund(order, 1000)
    assert db.session.scalar(select(RefundLine.id).where(RefundLine.refund_id == refund.id)) is None


def test_restocking_what_never_shipped_puts_back_only_what_was_sold_and_not_returned(app):
    product = make_product(stock=5)
    order = paid_order(app, product, 3)
    _refund(order, 1000, restock={order.lines[0].id: 1})
    with unit_of_work():
        order = db.session.get(Order, order.id)
        restock_unshipped(order, now=utcnow(), reason="Cancelled before packing")
    assert db.session.get(Product, product.id).on_hand == 5
    assert db.session.get(OrderLine, order.lines[0].id).returned_quantity == 3
    movement = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (movement.delta, movement.reason) == (2, "Cancelled before packing")


def test_a_provider_refund_of_what_the_shop_already_recorded_adds_nothing(app):
    order = paid_order(app, make_product(stock=5), 1)
    _refund(order, 1000)
    with unit_of_work():
        order = db.session.get(Order, order.id)
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
        apply_provider_refund(order, payment, 1000, reference=None, now=utcnow())
        apply_provider_refund(order, payment, 1500, reference=None, now=utcnow())
    refunds = _refunds(order)
    assert [(r.amount_minor, r.source, r.reason) for r in refunds] == [
        (1000, "staff", "Damaged"), (500, "provider", "Refunded at dummy")]


def test_a_partial_provider_refund_keeps_the_kits_sold_and_the_seats_taken(app):
    product = make_product(stock=5)
    order = paid_order(app, product, 2)
    with unit_of_work():
        order = db.session.get(Order, order.id)
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
        apply_provider_refund(order, payment, order.total_minor - 1, reference="P-1", now=utcnow())
    db.session.refresh(order)
    assert order.payment_status == "partially_refunded"
    assert db.session.get(Product, product.id).on_hand == 3
    assert _refunds(order)[0].reference == "P-1"


def test_a_full_provider_refund_of_an_unpacked_order_puts_its_units_back(app):
    product = make_product(stock=5)
    order = paid_order(app, product, 2)
    with unit_of_work():
        order = db.session.get(Order, order.id)
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
        apply_provider_refund(order, payment, order.total_minor, reference=None, now=utcnow())
    db.session.refresh(order)
    assert order.payment_status == "refunded" and db.session.get(Product, product.id).on_hand == 5


def test_provider_refunds_reported_one_by_one_before_the_payment_add_up(app, client):
    from tests.views.helpers import add, check_out
    add(client, make_product(stock=5), 1)
    check_out(client)
    order = db.session.scalar(select(Order))
    for number, amount in enumerate((300, 200)):
        record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id=f"ev-{number}",
                               refund_amount=amount, reference=f"R-{number}", provider="dummy")
    assert db.session.scalar(select(Payment.refunded_at_provider_minor)) == 500
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-2",
                           amount_refunded=400, provider="dummy")
    assert db.session.scalar(select(Payment.refunded_at_provider_minor)) == 500  # a running total never goes down
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-3",
                           amount_refunded=900, provider="dummy")
    assert db.session.scalar(select(Payment.refunded_at_provider_minor)) == 900


def test_the_same_provider_refund_event_twice_counts_once(app):
    order = paid_order(app, make_product(stock=5), 1)
    for _ in range(2):
        record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-same",
                               refund_amount=700, reference="R-same", provider="dummy")
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-other",
                           refund_amount=700, reference="R-same", provider="dummy")
    assert [(r.amount_minor, r.reference) for r in _refunds(order)] == [(700, "R-same")]


def test_a_provider_refund_for_an_unknown_order_changes_nothing(app):
    assert record_provider_refund(public_id="nope", payment_intent="pi_nope", now=utcnow(), event_id="ev-x",
                                  amount_refunded=100, provider="dummy") is None
    assert db.session.scalar(select(Refund.id)) is None


def test_a_refund_above_what_is_left_names_what_is_left(app):
    order = paid_order(app, make_product(stock=5, price=500000), 1)
    _refund(order, 1000)
    with pytest.raises(RefundTooLarge) as refused:
        _refund(order, order.total_minor)
    assert refused.value.details["left"] == order.total_minor - 1000


def test_a_staff_refund_records_who_and_when_on_every_trace_and_tells_the_buyer_the_amount(app):
    order = paid_order(app, make_product(stock=5, price=500000), 2)
    staff, at = make_user(role="staff"), utcnow() - timedelta(hours=3)
    refund = refund_order(RefundRequest(order.id, 123400, "Damaged", {order.lines[0].id: 1}),
                          gateway=RecordingGateway(), actor_id=staff.id, now=at)
    returned = db.session.scalar(select(StockMovement).where(StockMovement.kind == "returned"))
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                       OrderEvent.to_status == "partially_refunded"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "order.refund"))
    assert [(row.created_at, row.actor_id) for row in (returned, event, entry)] == [(at, staff.id)] * 3
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"refund:{refund.id}"))
    assert format_money(123400, order.locale) in email.body_text


def test_the_seats_a_staff_refund_cancels_are_recorded_under_that_staff_member(app):
    order = paid_order(app, cohort=make_cohort(capacity=3), quantity=1)
    staff = make_user(role="staff")
    refund_order(RefundRequest(order.id, order.total_minor, "Cannot come", {}), gateway=RecordingGateway(),
                 actor_id=staff.id, now=utcnow())
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "enrolment.cancel_for_order"))
    assert entry.actor_id == staff.id


def test_restocking_the_kit_of_an_order_that_also_has_a_seat_puts_back_only_the_kit(app):
    product, cohort = make_product(stock=5), make_cohort(capacity=3)
    client = app.test_client()
    add(client, product, 2)
    add(client, cohort=cohort)
    client.post(path_of(check_out(client)), data={"outcome": "pay"})
    order = db.session.scalar(select(Order))
    kit = next(line for line in order.lines if line.product_id)
    _refund(order, 1000, restock={kit.id: 2})
    db.session.expire_all()
    assert (db.session.get(Product, product.id).on_hand, db.session.get(OrderLine, kit.id).returned_quantity) == (5, 2)
