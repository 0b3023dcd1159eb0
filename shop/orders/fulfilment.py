"""Fulfilment: packing an order and handing it over (shipped with a tracking number and delivered, or ready
for pickup and picked up), one step at a time, each step recorded, audited and told to the buyer.

Fulfilment is the order's second state, beside its payment: a refund moves the payment, never this.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..audit import record
from ..database import unit_of_work
from ..errors import InvalidTransition, NotFound, ShopError
from ..extensions import db
from ..models import Order
from .locking import lock_order
from .notify import queue_status_email
from .status import DELIVERY_ONLY, PICKUP_ONLY, change_status, fulfilment_moves


class TrackingNeeded(ShopError):
    field = "tracking_number"
    message = _l("Enter the tracking number of the parcel before marking it shipped.")


def next_moves(order: Order) -> list[str]:
    """Return the fulfilment steps staff may take next with this order, by both its states and its way of
    delivery (none for an order with nothing to deliver)."""
    if not order.needs_delivery:
        return []
    skip = DELIVERY_ONLY if order.delivery_method == "pickup" else PICKUP_ONLY
    return [move for move in fulfilment_moves(order.payment_status, order.fulfilment_status) if move not in skip]


def advance_fulfilment(order_id: int, to_status: str, *, tracking_number: str = "", note: str = "",
                       actor_id: int | None, now: datetime) -> Order:
    """Take an order one fulfilment step on (packed, shipped with its tracking number…) and e-mail the buyer."""
    with unit_of_work():
        order = lock_order(order_id=order_id)
        if order is None:
            raise NotFound()
        if to_status not in next_moves(order):
            raise InvalidTransition()
        tracking = tracking_number.strip()
        if to_status == "shipped":
            if order.delivery_method == "post" and not tracking:
                raise TrackingNeeded()
            order.tracking_number = tracking
        from_status = order.fulfilment_status
        change_status(order, to_status, now=now, actor_id=actor_id, note=note.strip())
        db.session.flush()
        queue_status_email(order, dedupe_key=f"order-status:{order.id}:{order.events[-1].id}")
        record(actor_id, "order.status", f"order:{order.public_id}", now=now, status=[from_status, to_status],
               tracking=tracking or None)
    return order
