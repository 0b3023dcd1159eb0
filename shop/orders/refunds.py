"""Refunds: never more than was paid, recorded once whether staff made them or the provider reported them.

A staff refund runs in three steps, like checkout: (1) check the amount against what was
paid minus what was refunded, refusing with RefundTooLarge before any money moves; (2) ask
the provider to refund — over the network, so outside any transaction; (3) record the refund,
restock the chosen lines through the ledger, cancel course places, and tell the buyer, in one
transaction. The idempotency key names the order, what was refunded before and the amount, so
a double-clicked button asks the provider once and the unique reference records it once. If
recording fails after the provider paid out, Stripe's ``charge.refunded`` webhook still brings
the shop up to date (`record_provider_refund`), in whatever order the provider's events arrive.
"""
import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import record
from ..courses.services import cancel_enrolments_for_order
from ..database import unit_of_work
from ..errors import NotFound, RefundTooLarge, ShopError
from ..extensions import db
from ..inventory.services import restock, sold_units
from ..models import Order, Payment, Refund
from ..payments.gateway import Gateway
from .events import record_provider_event
from .locking import lock_order
from .notify import queue_status_email
from .status import FULFILMENT_STATUSES, PAID_STATUSES, change_status

logger = logging.getLogger("shop.refunds")


class NothingToRefund(ShopError):
    message = _l("This order has no payment that can be refunded.")


class InvalidRestock(ShopError):
    message = _l("Only units of this order's kits that were not put back yet can be restocked.")


def refunded_total(order: Order) -> int:
    """Return the tiyn refunded on the order so far."""
    return db.session.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(Refund.order_id == order.id))


def settle_refund_status(order: Order, *, now: datetime, actor_id: int | None = None) -> None:
    """Move the order to refunded or partially refunded to match its refunds (only flushes)."""
    total = refunded_total(order)
    target = "refunded" if total >= order.total_minor else "partially_refunded" if total else None
    if target and order.status != target:
        change_status(order, target, now=now, actor_id=actor_id)


def _paid_payment(order: Order) -> Payment:
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status == "paid")
                                .order_by(Payment.id.desc()).limit(1))
    if payment is None or order.status not in PAID_STATUSES:
        raise NothingToRefund()
    return payment


def _check_amount(order: Order, payment: Payment, amount_minor: int) -> int:
    """Refuse an amount above what was paid minus what was refunded; return what was refunded so far."""
    already = refunded_total(order)
    if amount_minor <= 0 or amount_minor > payment.amount_minor - already:
        raise RefundTooLarge(left=payment.amount_minor - already)
    return already


def _check_restock(order: Order, restock_lines: dict[int, int]) -> None:
    """Refuse to restock a line that is not one of the order's kits, or more units than its sale took.

    Units go back on the shelf only if a sale took them off: a late payment whose units were sold
    to someone else meanwhile sold nothing, so refunding it puts nothing back.
    """
    lines = {line.id: line for line in order.lines}
    sold = sold_units(lines)
    for line_id, quantity in restock_lines.items():
        line = lines.get(line_id)
        if line is None or not line.product_id or not 0 < quantity <= sold[line_id] - line.returned_quantity:
            raise InvalidRestock(line=line_id)


@dataclass(frozen=True)
class RefundRequest:
    """What staff asked for: the amount, why, which kit units go back on the shelf, whether seats are cancelled."""

    order_id: int
    amount_minor: int
    reason: str
    restock_lines: dict[int, int]
    cancel_seats: bool = False
    key: str = ""  # names this request (the form carries it), so sending it twice refunds once


def refund_order(request: RefundRequest, *, gateway: Gateway, actor_id: int | None, now: datetime) -> Refund:
    """Refund part or all of a paid order through its provider, then record it, restock and cancel seats."""
    order = db.session.get(Order, request.order_id)
    if order is None:
        raise NotFound()
    payment = _paid_payment(order)
    already = _check_amount(order, payment, request.amount_minor)
    _check_restock(order, request.restock_lines)
    if payment.provider != gateway.name or (gateway.name == "stripe" and not payment.payment_intent):
        raise NothingToRefund()
    payment_id, charge = payment.id, payment.payment_intent or payment.reference
    key = f"refund-{order.public_id}-{request.key or f'{already}-{request.amount_minor}'}"
    db.session.rollback()  # hold no transaction open while the provider answers
    reference = gateway.refund(charge, request.amount_minor, idempotency_key=key)
    try:
        return _record(request, payment_id, reference, actor_id=actor_id, now=now)
    except Exception:
        logger.error("provider refunded %s on order %s but the shop could not record it", reference, request.order_id)
        raise


def _record(request: RefundRequest, payment_id: int, reference: str, *, actor_id: int | None, now: datetime) -> Refund:
    with unit_of_work():
        order = lock_order(order_id=request.order_id)
        refund = db.session.scalar(select(Refund).where(Refund.reference == reference))
        if refund is not None and refund.source == "staff":
            return refund  # the same request sent twice (a double click): the first one did everything
        if refund is None:
            _check_amount(order, db.session.get(Payment, payment_id), request.amount_minor)
            refund = Refund(order_id=order.id, payment_id=payment_id, amount_minor=request.amount_minor,
                            reference=reference, created_at=now)
            db.session.add(refund)
        # else the provider's webhook recorded this very refund first; staff's record completes it
        refund.source, refund.reason, refund.actor_id = "staff", request.reason.strip(), actor_id
        db.session.flush()
        _check_restock(order, request.restock_lines)
        _restock_lines(order, request.restock_lines, actor_id=actor_id, now=now)
        settle_refund_status(order, now=now, actor_id=actor_id)
        if (order.status == "refunded" or request.cancel_seats) and any(line.cohort_id for line in order.lines):
            cancel_enrolments_for_order(order, now=now, actor_id=actor_id)
        queue_status_email(order, dedupe_key=f"refund:{refund.id}", refund_minor=refund.amount_minor)
        record(actor_id, "order.refund", f"order:{order.public_id}", now=now, amount_minor=refund.amount_minor,
               reference=reference, restock=request.restock_lines or None, reason=request.reason.strip())
    return refund


def restock_unshipped(order: Order, *, now: datetime, reason: str) -> None:
    """Put back on the shelf every unit the order's sales took that was not returned yet; only flushes."""
    kits = [line for line in order.lines if line.product_id]
    sold = sold_units(line.id for line in kits)
    back = {line.id: sold[line.id] - line.returned_quantity for line in kits if sold[line.id] > line.returned_quantity}
    _restock_lines(order, back, actor_id=None, now=now, reason=reason)


def _restock_lines(order: Order, restock_lines: dict[int, int], *, actor_id: int | None, now: datetime,
                   reason: str = "Refund") -> None:
    for line in sorted(order.lines, key=lambda line: line.product_id or 0):
        quantity = restock_lines.get(line.id, 0)
        if quantity:
            restock(line.product_id, quantity, now=now, order_id=order.id, order_line_id=line.id, actor_id=actor_id,
                    reason=reason)
            line.returned_quantity += quantity
    db.session.flush()


def _order_of(public_id: str, payment_intent: str) -> Order | None:
    order = lock_order(public_id=public_id) if public_id else None
    if order is None and payment_intent:
        found = db.session.scalar(select(Order.public_id).join(Payment, Payment.order_id == Order.id)
                                  .where(Payment.payment_intent == payment_intent))
        order = lock_order(public_id=found) if found else None
    return order


def record_provider_refund(*, public_id: str, payment_intent: str, amount_refunded: int, now: datetime,
                          event_id: str | None, reference: str | None = None, provider: str = "stripe",
                          event_type: str = "charge.refunded") -> Order | None:
    """Bring the shop's refunds up to the cumulative amount the provider reports refunded.

    A refund reported before the payment itself (events arrive in any order) is remembered on the
    payment and applied when the payment is recorded, so an order refunded at the provider never
    becomes a paid order waiting to be packed.
    """
    with unit_of_work():
        if not record_provider_event(event_id, event_type, provider):
            return None
        order = _order_of(public_id, payment_intent)
        if order is None:
            return None
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == provider)
                                    .order_by(Payment.status != "paid", Payment.id.desc()).limit(1))
        if payment is None:
            return None
        if order.status not in PAID_STATUSES or payment.status != "paid":
            payment.refunded_at_provider_minor = max(payment.refunded_at_provider_minor or 0, amount_refunded)
            return order
        apply_provider_refund(order, payment, amount_refunded, reference=reference, now=now)
    return order


def apply_provider_refund(order: Order, payment: Payment, amount_refunded: int, *, reference: str | None,
                          now: datetime) -> None:
    """Record what the provider refunded beyond the shop's refunds, never above what was paid; only flushes.

    A full refund of an order that was never packed puts its sold units back on the shelf (they never
    left it) and cancels its course places.
    """
    missing = min(amount_refunded, payment.amount_minor) - refunded_total(order)
    if missing <= 0:
        return
    db.session.add(Refund(order_id=order.id, payment_id=payment.id, amount_minor=missing, source="provider",
                          reason=f"Refunded at {payment.provider}", created_at=now,
                          reference=reference if reference and not _known_refund(reference) else None))
    db.session.flush()
    never_packed = not any(event.to_status in FULFILMENT_STATUSES for event in order.events)
    settle_refund_status(order, now=now)
    if order.status != "refunded":
        return
    if never_packed:
        restock_unshipped(order, now=now, reason="Refunded at the provider before packing")
    cancel_enrolments_for_order(order, now=now)


def _known_refund(reference: str) -> bool:
    return db.session.scalar(select(Refund.id).where(Refund.reference == reference)) is not None
