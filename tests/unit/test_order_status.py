import pytest

from shop.clock import utcnow
from shop.errors import InvalidTransition
from shop.models import Order
from shop.orders.status import FULFILMENT_STATUSES, PAYMENT_STATUSES, STATUS_LABELS, change_status, fulfilment_moves


def _order(payment="paid", fulfilment="unfulfilled"):
    return Order(payment_status=payment, fulfilment_status=fulfilment, events=[])


@pytest.mark.parametrize(("start", "to"), [
    ("pending_payment", "paid"), ("pending_payment", "cancelled"), ("cancelled", "paid"),
    ("paid", "partially_refunded"), ("paid", "refunded"), ("partially_refunded", "refunded"),
])
def test_payment_moves_change_the_payment_state_only_and_record_their_axis(start, to):
    order = _order(start, "unfulfilled")
    change_status(order, to, now=utcnow(), actor_id=7)
    assert (order.payment_status, order.fulfilment_status) == (to, "unfulfilled")
    event = order.events[-1]
    assert (event.kind, event.from_status, event.to_status, event.actor_id) == ("payment", start, to, 7)


@pytest.mark.parametrize(("start", "to"), [
    ("unfulfilled", "packed"), ("packed", "shipped"), ("shipped", "delivered"), ("unfulfilled", "ready_for_pickup"),
    ("packed", "ready_for_pickup"), ("ready_for_pickup", "picked_up"),
])
@pytest.mark.parametrize("payment", ["paid", "partially_refunded"])
def test_fulfilment_moves_change_the_fulfilment_state_only_and_record_their_axis(payment, start, to):
    order = _order(payment, start)
    change_status(order, to, now=utcnow(), actor_id=7, note="gate 2")
    assert (order.payment_status, order.fulfilment_status) == (payment, to)
    event = order.events[-1]
    assert (event.kind, event.from_status, event.to_status, event.note) == ("fulfilment", start, to, "gate 2")


@pytest.mark.parametrize(("payment", "fulfilment", "moves"), [
    ("pending_payment", "unfulfilled", []),
    ("cancelled", "unfulfilled", []),
    ("refunded", "unfulfilled", []),
    ("refunded", "shipped", []),
    ("paid", "unfulfilled", ["packed", "ready_for_pickup"]),
    ("partially_refunded", "unfulfilled", ["packed", "ready_for_pickup"]),
    ("paid", "packed", ["shipped", "ready_for_pickup"]),
    ("partially_refunded", "packed", ["shipped", "ready_for_pickup"]),
    ("paid", "shipped", ["delivered"]),
    ("partially_refunded", "shipped", ["delivered"]),
    ("paid", "ready_for_pickup", ["picked_up"]),
    ("paid", "delivered", []),
    ("partially_refunded", "picked_up", []),
])
def test_the_fulfilment_steps_allowed_depend_on_both_states(payment, fulfilment, moves):
    assert fulfilment_moves(payment, fulfilment) == moves


@pytest.mark.parametrize(("payment", "fulfilment", "to"), [
    ("pending_payment", "unfulfilled", "shipped"), ("pending_payment", "unfulfilled", "packed"),
    ("cancelled", "unfulfilled", "packed"), ("refunded", "unfulfilled", "packed"), ("refunded", "packed", "shipped"),
    ("paid", "unfulfilled", "delivered"), ("paid", "shipped", "packed"), ("refunded", "unfulfilled", "paid"),
    ("paid", "unfulfilled", "pending_payment"), ("paid", "unfulfilled", "cancelled"),
    ("partially_refunded", "shipped", "paid"), ("paid", "unfulfilled", "unfulfilled"),
])
def test_moves_out_of_order_are_refused(payment, fulfilment, to):
    order = _order(payment, fulfilment)
    with pytest.raises(InvalidTransition):
        change_status(order, to, now=utcnow())
    assert (order.payment_status, order.fulfilment_status) == (payment, fulfilment) and not order.events


@pytest.mark.parametrize("fulfilment", ["shipped", "delivered", "picked_up"])
def test_a_refund_after_handing_over_keeps_how_far_the_parcel_got(fulfilment):
    order = _order("paid", fulfilment)
    change_status(order, "partially_refunded", now=utcnow())
    change_status(order, "refunded", now=utcnow())
    assert (order.payment_status, order.fulfilment_status) == ("refunded", fulfilment)


def test_every_state_has_a_name_in_words():
    assert str(STATUS_LABELS["ready_for_pickup"]) == "Ready for pickup"
    assert set(STATUS_LABELS) == PAYMENT_STATUSES | FULFILMENT_STATUSES
    assert not PAYMENT_STATUSES & FULFILMENT_STATUSES  # a state names its axis
