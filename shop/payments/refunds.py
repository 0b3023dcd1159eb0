"""Refunds: never more than was paid, recorded once whether staff or Stripe reported them."""
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Order, Refund
from ..orders.status import change_status


def refunded_total(order: Order) -> int:
    """Return the tiyn refunded on the order so far."""
    return db.session.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(Refund.order_id == order.id))


def settle_refund_status(order: Order, *, now: datetime, actor_id: int | None = None) -> None:
    """Move the order to refunded or partially refunded to match its refunds (only flushes)."""
    total = refunded_total(order)
    target = "refunded" if total >= order.total_minor else "partially_refunded" if total else None
    if target and order.status != target:
        change_status(order, target, now=now, actor_id=actor_id)
