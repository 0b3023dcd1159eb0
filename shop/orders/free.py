"""Completing an order with nothing to pay: a promo code that covers the whole total, delivery included.

No provider takes a payment of zero, so such an order skips the payment page, as Shopify and Saleor do, but
not the paid path: a zero payment of the provider "free" (in words: no payment needed) is recorded and
`paying.mark_paid` sells the holds, enrols learners, queues the one confirmation and keeps the code's use,
exactly as for a paid order. The total is the server's, computed when the order was placed; nothing the
browser sends can make an order with a total above zero free.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..models import Order, Payment
from .locking import lock_order
from .paying import mark_paid

PROVIDER = "free"


class NotFree(ShopError):
    message = _l("This order has an amount to pay: choose how to pay for it.")


def free_reference(order: Order) -> str:
    """Return the reference of an order's zero payment (one per order, so a repeated confirmation is one)."""
    return f"free_{order.public_id}"


def complete_free_order(public_id: str, *, now: datetime) -> Order:
    """Confirm an unpaid order whose total is zero through the one paid path; raise NotFree for any other."""
    with unit_of_work():
        order = lock_order(public_id=public_id)
        if order is None:
            raise NotFound()
        if order.total_minor != 0 or order.payment_status != "pending_payment":
            raise NotFree()
        reference = free_reference(order)
        known = db.session.scalar(select(Payment.id).where(Payment.provider == PROVIDER,
                                                           Payment.reference == reference))
        if known is None:
            db.session.add(Payment(order_id=order.id, provider=PROVIDER, reference=reference, amount_minor=0,
                                   created_at=now))
        order.payment_provider = PROVIDER
    paid = mark_paid(public_id, provider=PROVIDER, reference=reference, amount_minor=0, now=now,
                     event_id=f"{PROVIDER}:{public_id}")
    return paid or db.session.get(Order, order.id)
