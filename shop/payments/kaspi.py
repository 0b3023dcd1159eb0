"""Kaspi invoices confirmed by staff: the queue of orders awaiting a Kaspi payment, marking one paid, cancelling.

Staff send the invoice from Kaspi's business app to the buyer's number and watch for the payment there;
marking an order paid runs `orders.paying.mark_paid`, the same code as every provider's notification.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import record
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..models import Hold, Order, Payment, ProcessedEvent
from ..orders.cancelling import cancel_order
from ..orders.locking import lock_order
from ..orders.paying import mark_paid

PROVIDER = "kaspi"


class KaspiTransactionUsed(ShopError):
    field = "transaction"
    message = _l("This Kaspi transaction number is already recorded for a payment.")


class NotAwaitingKaspi(ShopError):
    message = _l("This order is no longer waiting for a Kaspi payment.")


@dataclass(frozen=True)
class AwaitingKaspi:
    """An order waiting for its Kaspi invoice to be paid, and until when its kits and seats are held."""

    order: Order
    payment: Payment
    holds_until: datetime | None


def awaiting_kaspi() -> list[AwaitingKaspi]:
    """Return the unpaid orders to be paid by Kaspi invoice, the ones whose hold ends first on top."""
    until = select(func.min(Hold.expires_at)).where(Hold.order_id == Order.id).scalar_subquery()
    rows = db.session.execute(
        select(Order, Payment, until.label("until")).join(Payment, Payment.order_id == Order.id)
        .where(Order.payment_status == "pending_payment", Payment.provider == PROVIDER, Payment.status == "pending")
        .order_by(until.is_(None), until, Order.id)
    ).all()
    return [AwaitingKaspi(order, payment, holds_until) for order, payment, holds_until in rows]


def confirm_kaspi_payment(order_id: int, transaction: str, *, actor_id: int, now: datetime) -> Order:
    """Mark a Kaspi-invoiced order paid with the transaction number Kaspi shows; each number counts once."""
    transaction = transaction.strip()
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound()
    event_id = f"{PROVIDER}:pay:{transaction}"
    if db.session.get(ProcessedEvent, event_id) is not None:
        raise KaspiTransactionUsed()
    if order.payment_provider != PROVIDER or order.payment_status not in ("pending_payment", "cancelled"):
        raise NotAwaitingKaspi()  # a late payment of a lapsed order is still taken, while stock lasts
    paid = mark_paid(order.public_id, provider=PROVIDER, reference=None, payment_intent=transaction,
                     amount_minor=order.total_minor, now=now, event_id=event_id, event_type="staff_confirmed",
                     actor_id=actor_id)
    if paid is None:
        raise KaspiTransactionUsed()
    return paid


def cancel_kaspi_order(order_id: int, *, actor_id: int, now: datetime) -> Order:
    """Cancel an order whose Kaspi invoice was not paid: its kits and seats go back on sale."""
    with unit_of_work():
        order = lock_order(order_id=order_id)
        if order is None:
            raise NotFound()
        if order.payment_provider != PROVIDER or order.payment_status != "pending_payment":
            raise NotAwaitingKaspi()
        cancel_order(order, now=now, note="Kaspi invoice not paid", actor_id=actor_id)
        record(actor_id, "order.kaspi_cancel", f"order:{order.public_id}", now=now)
    return order
