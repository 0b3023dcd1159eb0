import pytest

from shop.clock import utcnow
from shop.errors import InvalidTransition
from shop.models import Order
from shop.orders.status import STATUS_LABELS, change_status


def _order(status):
    return Order(status=status, events=[])


@pytest.mark.parametrize(("start", "to"), [
    ("pending_payment", "paid"), ("paid", "packed"), ("packed", "shipped"), ("shipped", "delivered"),
    ("paid", "ready_for_pickup"), ("ready_for_pickup", "picked_up"), ("delivered", "partially_refunded"),
    ("partially_refunded", "refunded"), ("pending_payment", "cancelled"),
])
def test_allowed_moves_change_the_status_and_record_who_and_when(start, to):
    order = _order(start)
    change_status(order, to, now=utcnow(), actor_id=7)
    assert order.status == to
    assert (order.events[-1].from_status, order.events[-1].to_status, order.events[-1].actor_id) == (start, to, 7)


@pytest.mark.parametrize(("start", "to"), [
    ("pending_payment", "shipped"), ("paid", "delivered"), ("refunded", "paid"), ("shipped", "packed"),
    ("cancelled", "shipped"), ("paid", "pending_payment"),
])
def test_moves_out_of_order_are_refused(start, to):
    order = _order(start)
    with pytest.raises(InvalidTransition):
        change_status(order, to, now=utcnow())
    assert order.status == start and not order.events


def test_every_status_has_a_name_in_words():
    assert str(STATUS_LABELS["ready_for_pickup"]) == "Ready for pickup"
    assert len(STATUS_LABELS) == 10
