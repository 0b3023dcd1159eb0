"""Moving orders on: only the next allowed statuses for their delivery, a tracking number to ship, an e-mail each
time."""
import json

import pytest
from sqlalchemy import select

from shop.admin.orders import OrderFilter, order_list
from shop.errors import InvalidTransition
from shop.extensions import db
from shop.models import AuditEntry, Order, OutboxMessage
from shop.orders.fulfilment import TrackingNeeded, advance_fulfilment, next_moves
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_cohort, make_product, make_user


def _status_mail(order):
    return db.session.scalars(select(OutboxMessage)
                              .where(OutboxMessage.dedupe_key.startswith(f"order-status:{order.id}:"))
                              .order_by(OutboxMessage.id)).all()


def test_a_courier_order_goes_paid_packed_shipped_delivered(app, now):
    order = paid_order(app, make_product(stock=5), 1)
    staff = make_user(role="staff")
    assert next_moves(order) == ["packed"]
    advance_fulfilment(order.id, "packed", actor_id=staff.id, now=now)
    assert next_moves(db.session.get(Order, order.id)) == ["shipped"]
    advance_fulfilment(order.id, "shipped", tracking_number="CR-778", actor_id=staff.id, now=now)
    advance_fulfilment(order.id, "delivered", actor_id=staff.id, now=now)
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.fulfilment_status) == ("paid", "delivered")
    assert order.tracking_number == "CR-778"
    assert [(e.kind, e.from_status, e.to_status, e.actor_id) for e in order.events][-3:] == [
        ("fulfilment", "unfulfilled", "packed", staff.id), ("fulfilment", "packed", "shipped", staff.id),
        ("fulfilment", "shipped", "delivered", staff.id)]
    assert next_moves(order) == []


def test_a_pickup_order_goes_to_ready_for_pickup_and_picked_up_never_shipped(app, now):
    order = paid_order(app, make_product(stock=5), 1, delivery="pickup")
    assert next_moves(order) == ["packed", "ready_for_pickup"]
    advance_fulfilment(order.id, "packed", actor_id=None, now=now)
    assert next_moves(db.session.get(Order, order.id)) == ["ready_for_pickup"]
    with pytest.raises(InvalidTransition):
        advance_fulfilment(order.id, "shipped", tracking_number="X", actor_id=None, now=now)
    advance_fulfilment(order.id, "ready_for_pickup", actor_id=None, now=now)
    assert next_moves(db.session.get(Order, order.id)) == ["picked_up"]


@pytest.mark.parametrize("target", ["delivered", "shipped", "refunded", "paid", "pending_payment", "nonsense"])
def test_skipping_a_step_or_pressing_a_status_staff_do_not_set_is_refused(app, now, target):
    order = paid_order(app, make_product(stock=5), 1)
    with pytest.raises(InvalidTransition):
        advance_fulfilment(order.id, target, tracking_number="T-1", actor_id=None, now=now)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.fulfilment_status) == ("paid", "unfulfilled")
    assert _status_mail(order) == []


def test_a_post_parcel_cannot_be_marked_shipped_without_its_tracking_number(app, now):
    order = paid_order(app, make_product(stock=5), 1, delivery="post")
    advance_fulfilment(order.id, "packed", actor_id=None, now=now)
    with pytest.raises(TrackingNeeded):
        advance_fulfilment(order.id, "shipped", tracking_number="  ", actor_id=None, now=now)
    advance_fulfilment(order.id, "shipped", tracking_number="RR123456789KZ", actor_id=None, now=now)
    assert db.session.get(Order, order.id).tracking_number == "RR123456789KZ"


def test_each_change_emails_the_buyer_with_the_new_status_and_tracking(app, now):
    order = paid_order(app, make_product(stock=5), 1, delivery="post")
    advance_fulfilment(order.id, "packed", actor_id=None, now=now)
    advance_fulfilment(order.id, "shipped", tracking_number="RR123456789KZ", actor_id=None, now=now)
    mails = _status_mail(order)
    assert len(mails) == 2 and all(mail.recipient == order.email for mail in mails)
    assert "RR123456789KZ" in mails[1].body_text and "RR123456789KZ" in mails[1].body_html


def test_an_order_of_course_seats_only_has_nothing_to_pack(app):
    order = paid_order(app, cohort=make_cohort(), quantity=1)
    assert next_moves(order) == []


def test_after_a_partial_refund_packing_carries_on_where_it_was(app, now):
    from shop.orders.refunds import RefundRequest, refund_order

    order = paid_order(app, make_product(stock=5, price=300000), 2)
    advance_fulfilment(order.id, "packed", actor_id=None, now=now)
    refund_order(RefundRequest(order.id, 300000, "One box broken", {}), gateway=RecordingGateway(), actor_id=None,
                 now=now)
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.fulfilment_status) == ("partially_refunded", "packed")
    assert next_moves(order) == ["shipped"]
    advance_fulfilment(order.id, "shipped", tracking_number="C-1", actor_id=None, now=now)
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.fulfilment_status) == ("partially_refunded", "shipped")


def test_a_partial_refund_after_shipping_keeps_the_order_shipped(app, now):
    from shop.orders.refunds import RefundRequest, refund_order

    order = paid_order(app, make_product(stock=5, price=300000), 2)
    advance_fulfilment(order.id, "packed", actor_id=None, now=now)
    advance_fulfilment(order.id, "shipped", tracking_number="C-1", actor_id=None, now=now)
    refund_order(RefundRequest(order.id, 300000, "One box broken", {}), gateway=RecordingGateway(), actor_id=None,
                 now=now)
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.fulfilment_status) == ("partially_refunded", "shipped")
    assert next_moves(order) == ["delivered"]
    assert [(e.kind, e.to_status) for e in order.events][-2:] == [("fulfilment", "shipped"),
                                                                  ("payment", "partially_refunded")]
    refund_order(RefundRequest(order.id, order.total_minor - 300000, "The rest too", {}), gateway=RecordingGateway(),
                 actor_id=None, now=now)
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.fulfilment_status) == ("refunded", "shipped") and next_moves(order) == []


def test_status_changes_are_in_the_audit_log(app, now):
    order = paid_order(app, make_product(stock=5), 1)
    staff = make_user(role="staff")
    advance_fulfilment(order.id, "packed", actor_id=staff.id, now=now)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "order.status"))
    assert entry.actor_id == staff.id and entry.target == f"order:{order.public_id}"
    assert json.loads(entry.details)["status"] == ["unfulfilled", "packed"]


def test_the_order_list_filters_by_status_delivery_and_words(app, now):
    courier = paid_order(app, make_product(stock=5), 1, email="aigerim@example.kz")
    pickup = paid_order(app, make_product(stock=5), 1, delivery="pickup", email="dana@example.kz")
    advance_fulfilment(pickup.id, "packed", actor_id=None, now=now)
    assert [o.id for o in order_list(OrderFilter(status="packed"), 1).items] == [pickup.id]
    assert [o.id for o in order_list(OrderFilter(status="to_pack"), 1).items] == [courier.id]
    assert {o.id for o in order_list(OrderFilter(status="paid"), 1).items} == {courier.id, pickup.id}
    assert [o.id for o in order_list(OrderFilter(delivery_method="courier"), 1).items] == [courier.id]
    assert [o.id for o in order_list(OrderFilter(query="AIGERIM"), 1).items] == [courier.id]
    assert order_list(OrderFilter(date_from=now.date().replace(year=now.year + 1)), 1).items == []


def test_the_order_list_finds_a_cyrillic_name_whatever_its_case(app, now):
    dana = paid_order(app, make_product(stock=5), 1, email="dana@example.kz", full_name="Дана Омарова")
    paid_order(app, make_product(stock=5), 1, email="aigerim@example.kz", full_name="Айгерим Сапарова")
    for query in ("омарова", "ОМАРОВА", "Омар"):
        assert [o.id for o in order_list(OrderFilter(query=query), 1).items] == [dana.id], query
