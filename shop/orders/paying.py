"""Marking an order paid: one idempotent path from "the provider says paid" to a sold, enrolled, confirmed order.

Called by every provider's verified notification, by the return page after asking the provider, by
`release-expired` asking about late payments, and by the dummy provider's page; never on what a browser's
query string claims. Each call is one transaction that locks the order row first, so duplicates and races
change the shop once. "Paid" is about money; packing and handing over are fulfilment (`fulfilment`).
"""
import logging
from datetime import datetime

from sqlalchemy import select

from ..accounts.services import owner_of_guest_purchase
from ..courses.enrolment import enrol_line
from ..database import unit_of_work
from ..extensions import db
from ..inventory.services import closed_reason, lock_rows, release_holds, sell_line, take_seats
from ..models import Cart, Order, Payment
from .events import record_provider_event
from .locking import lock_order
from .notify import queue_confirmation, tell_buyer_of_missed_lines, tell_staff_of_paid_order
from .refunds import apply_provider_refund
from .status import DELIVERY_LABELS, PAID_STATUSES, change_status

logger = logging.getLogger("shop.payments")


def _sell(order: Order, now: datetime) -> tuple[list[str], list[str]]:
    """Turn the order's holds into sales and enrolments; return (problems for staff, lines the buyer misses).

    A line that can no longer be sold (off sale, cancelled or started cohort), or whose units or
    seats went to others after its hold ran out, is neither sold nor enrolled: it is flagged.
    """
    lock_rows([line.product_id for line in order.lines if line.product_id],
              [line.cohort_id for line in order.lines if line.cohort_id])
    problems, missed = [], []
    for line in order.lines:
        reason = closed_reason(line, now)
        if reason:
            problems.append(f"«{line.name}»: {reason} before the payment arrived; refund it.")
            missed.append(line.name)
            continue
        if line.product_id and not sell_line(line, now=now):
            problems.append(f"Not enough stock left for «{line.name}»: refund or restock it.")
            missed.append(line.name)
        if line.cohort_id:
            if not take_seats(line, now=now):
                problems.append(f"Cohort of «{line.name}» is full: refund or move the learner.")
                missed.append(line.name)
                continue
            enrol_line(order, line, now=now)
    release_holds(order.id)
    return problems, missed


def mark_paid(public_id: str, *, provider: str, reference: str, payment_intent: str = "", amount_minor: int,
              now: datetime, event_id: str | None = None, event_type: str = "paid") -> Order | None:
    """Mark the order paid once: holds become sales and enrolments, the cart empties, buyer and staff are told.

    A payment below the order's total, or for lines that can no longer be sold, is recorded and flagged
    for staff. A refund the provider reported before this payment is applied now.
    """
    with unit_of_work():
        if not record_provider_event(event_id, event_type, provider):
            return None
        order = lock_order(public_id=public_id)
        if order is None or order.status in PAID_STATUSES:
            return order
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == provider,
                                                          Payment.reference == reference))
        if payment is None:
            logger.warning("payment %s names order %s but the shop never opened it", reference, public_id)
            return None
        payment.status, payment.payment_intent = "paid", payment_intent or payment.payment_intent
        if order.user_id is None:
            owner = owner_of_guest_purchase(order.email)
            order.user_id = owner.id if owner is not None else None
        problems, missed = _sell(order, now)
        if missed:
            tell_buyer_of_missed_lines(order, missed)
        if amount_minor != order.total_minor:
            problems.append(f"Paid {amount_minor} but the order totals {order.total_minor} (tiyn).")
        order.needs_attention = "\n".join(problems)
        order.paid_at = now
        change_status(order, "paid", now=now, note=f"{provider} {reference}")
        if payment.refunded_at_provider_minor:
            apply_provider_refund(order, payment, payment.refunded_at_provider_minor, reference=None, now=now)
        if order.cart_id:
            db.session.execute(Cart.__table__.delete().where(Cart.id == order.cart_id))
        queue_confirmation(order)
        tell_staff_of_paid_order(order, delivery=str(DELIVERY_LABELS.get(order.delivery_method,
                                                                          order.delivery_method)))
    return order
