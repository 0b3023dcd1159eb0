"""Order statuses: their names in words, the allowed moves, and the history each move writes."""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..errors import InvalidTransition
from ..models import Order, OrderEvent

STATUS_LABELS = {
    "pending_payment": _l("Pending payment"),
    "paid": _l("Paid"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "ready_for_pickup": _l("Ready for pickup"),
    "picked_up": _l("Picked up"),
    "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"),
    "partially_refunded": _l("Partially refunded"),
}

DELIVERY_LABELS = {
    "pickup": _l("Pickup at the farm in Almaty"),
    "courier": _l("Courier in Almaty"),
    "post": _l("KazPost to the regions"),
}

# Fulfilment is packing and handing over, nothing else: these are its statuses.
FULFILMENT_STATUSES = frozenset({"packed", "shipped", "delivered", "ready_for_pickup", "picked_up"})
_FULFILMENT = set(FULFILMENT_STATUSES)
_REFUNDS = {"refunded", "partially_refunded"}
TRANSITIONS: dict[str, set[str]] = {
    "pending_payment": {"paid", "cancelled"},
    "cancelled": {"paid"},  # a payment that lands after its order timed out is still honoured
    "paid": {"packed", "ready_for_pickup"} | _REFUNDS,
    "packed": {"shipped", "ready_for_pickup"} | _REFUNDS,
    "shipped": {"delivered"} | _REFUNDS,
    "ready_for_pickup": {"picked_up"} | _REFUNDS,
    "delivered": set(_REFUNDS),
    "picked_up": set(_REFUNDS),
    "partially_refunded": _FULFILMENT | _REFUNDS,
    "refunded": set(),
}
# What staff may press on an order's page; payment and refunds have their own paths.
STAFF_MOVES: dict[str, list[str]] = {
    "paid": ["packed", "ready_for_pickup"],
    "packed": ["shipped", "ready_for_pickup"],
    "shipped": ["delivered"],
    "ready_for_pickup": ["picked_up"],
    "partially_refunded": ["packed", "shipped", "delivered", "ready_for_pickup", "picked_up"],
}
PAID_STATUSES = {"paid", *FULFILMENT_STATUSES, "partially_refunded", "refunded"}


def status_label(status: str) -> str:
    """Return the status in words in the current language."""
    return str(STATUS_LABELS.get(status, status))


def change_status(order: Order, to_status: str, *, now: datetime, actor_id: int | None = None, note: str = "") -> None:
    """Move the order to ``to_status`` and record who did it and when; only flushes."""
    if to_status not in TRANSITIONS.get(order.status, set()):
        raise InvalidTransition()
    order.events.append(OrderEvent(from_status=order.status, to_status=to_status, actor_id=actor_id, note=note,
                                   created_at=now))
    order.status = to_status
