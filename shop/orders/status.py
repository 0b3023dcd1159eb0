"""An order's two states, payment and fulfilment: their names in words, the allowed moves on each, and the
history each move writes.

Payment moves come from paying, refunds, cancelling and expiry; fulfilment moves from staff packing and
handing over (`fulfilment.advance_fulfilment`). The two name sets do not overlap, so a move names its axis.
A refund never hides how far the parcel got: a partially refunded order can still be packed and shipped,
and a shipped one can still be refunded.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..errors import InvalidTransition
from ..models import Order, OrderEvent
from ..models.order import FULFILMENT_STATUSES as FULFILMENT_ORDER
from ..models.order import PAYMENT_STATUSES as PAYMENT_ORDER

STATUS_LABELS = {
    "pending_payment": _l("Pending payment"),
    "paid": _l("Paid"),
    "partially_refunded": _l("Partially refunded"),
    "refunded": _l("Refunded"),
    "cancelled": _l("Cancelled"),
    "unfulfilled": _l("Not packed yet"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "ready_for_pickup": _l("Ready for pickup"),
    "picked_up": _l("Picked up"),
}

DELIVERY_LABELS = {
    "pickup": _l("Pickup at the farm in Almaty"),
    "courier": _l("Courier in Almaty"),
    "post": _l("KazPost to the regions"),
}

PAYMENT_STATUSES = frozenset(PAYMENT_ORDER)
FULFILMENT_STATUSES = frozenset(FULFILMENT_ORDER)
# Payments that came in (whatever was refunded since): revenue, sales and enrolments stand on them.
PAID_STATUSES = frozenset({"paid", "partially_refunded", "refunded"})
# Payment states in which kits are still owed to the buyer, so packing and handing over go on.
FULFILLABLE = frozenset({"paid", "partially_refunded"})

PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    "pending_payment": {"paid", "cancelled"},
    "cancelled": {"paid"},  # a payment that lands after its order timed out is still honoured
    "paid": {"partially_refunded", "refunded"},
    "partially_refunded": {"refunded"},
    "refunded": set(),
}
# Fulfilment steps, in the order staff take them; which apply depends on the way of delivery (`next_moves`).
FULFILMENT_TRANSITIONS: dict[str, list[str]] = {
    "unfulfilled": ["packed", "ready_for_pickup"],
    "packed": ["shipped", "ready_for_pickup"],
    "shipped": ["delivered"],
    "ready_for_pickup": ["picked_up"],
    "delivered": [],
    "picked_up": [],
}
PICKUP_ONLY = frozenset({"ready_for_pickup", "picked_up"})  # steps of an order collected at the farm
DELIVERY_ONLY = frozenset({"shipped", "delivered"})  # steps of an order a courier or KazPost brings


def status_label(status: str) -> str:
    """Return a payment or fulfilment state in words in the current language."""
    return str(STATUS_LABELS.get(status, status))


def fulfilment_moves(payment_status: str, fulfilment_status: str) -> list[str]:
    """Return the fulfilment steps allowed from this pair of states (before the way of delivery is considered).

    Nothing is packed or handed over unless paid and not wholly refunded; a partial refund changes nothing.
    """
    if payment_status not in FULFILLABLE:
        return []
    return list(FULFILMENT_TRANSITIONS.get(fulfilment_status, []))


def shows_fulfilment(order: Order) -> bool:
    """Say whether the order's fulfilment state is worth a badge: it has kits that are owed or on their way."""
    return order.needs_delivery and (order.fulfilment_status != "unfulfilled" or order.payment_status in FULFILLABLE)


def change_status(order: Order, to_status: str, *, now: datetime, actor_id: int | None = None, note: str = "") -> None:
    """Move the order's payment or fulfilment state (the one ``to_status`` names) and record who did it and
    when; only flushes. The fulfilment moves' rules on both states are `fulfilment.next_moves`'s."""
    if to_status in PAYMENT_STATUSES:
        kind, from_status = "payment", order.payment_status
        allowed = to_status in PAYMENT_TRANSITIONS.get(from_status, set())
    else:
        kind, from_status = "fulfilment", order.fulfilment_status
        allowed = to_status in fulfilment_moves(order.payment_status, from_status)
    if not allowed:
        raise InvalidTransition()
    order.events.append(OrderEvent(kind=kind, from_status=from_status, to_status=to_status, actor_id=actor_id,
                                   note=note, created_at=now))
    if kind == "payment":
        order.payment_status = to_status
    else:
        order.fulfilment_status = to_status


def add_note(order: Order, note: str, *, now: datetime, actor_id: int | None = None) -> None:
    """Write a note in the order's history that changes neither state; only flushes."""
    order.events.append(OrderEvent(kind="note", from_status=order.payment_status, to_status=order.payment_status,
                                   actor_id=actor_id, note=note, created_at=now))
