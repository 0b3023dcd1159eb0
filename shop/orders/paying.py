"""Marking an order paid: one idempotent path from "the provider says paid" to a sold, enrolled, confirmed order.

Called by every provider's verified notification, by the return page after asking the provider, by
`release-expired` asking about late payments, and by the dummy provider's page; never on what a browser's
query string claims. Each call is one transaction that locks the order row first, so duplicates and races
change the shop once. "Paid" is about money; packing and handing over are fulfilment (`fulfilment`).
"""
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from ..accounts.services import owner_of_guest_purchase
from ..audit import record
from ..courses.enrolment import enrol_line, queue_invitation
from ..database import unit_of_work
from ..errors import CohortClosed, CohortFull, OutOfStock
from ..extensions import db
from ..inventory.services import (
    closed_reason,
    hold_seats,
    hold_stock,
    lock_rows,
    release_holds,
    sell_line,
    take_seats,
)
from ..models import Cart, Hold, Order, Payment
from ..promo.services import retake_redemption
from .events import record_provider_event
from .locking import lock_order
from .notify import queue_confirmation, tell_buyer_of_missed_lines, tell_staff_of_paid_order
from .refunds import apply_provider_refund
from .status import PAID_STATUSES, change_status

logger = logging.getLogger("shop.payments")


def _sell(order: Order, now: datetime) -> tuple[list[str], list[str], list]:
    """Turn the order's holds into sales and enrolments; return (problems for staff, lines the buyer misses,
    the enrolments made).

    A line that can no longer be sold (off sale, cancelled or started cohort), or whose units or
    seats went to others after its hold ran out, is neither sold nor enrolled: it is flagged.
    """
    lock_rows([line.product_id for line in order.lines if line.product_id],
              [line.cohort_id for line in order.lines if line.cohort_id])
    problems, missed, enrolments = [], [], []
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
            enrolments += enrol_line(order, line, now=now)
    release_holds(order.id)
    return problems, missed, enrolments


def mark_paid(public_id: str, *, provider: str, reference: str | None, payment_intent: str = "", amount_minor: int,
              now: datetime, event_id: str | None = None, event_type: str = "paid",
              actor_id: int | None = None, card_last4: str = "") -> Order | None:
    """Mark the order paid once: holds become sales and enrolments, the cart empties, buyer and staff are told.

    A payment below the order's total, or for lines that can no longer be sold, is recorded and flagged
    for staff. A refund the provider reported before this payment is applied now. ``reference`` names the
    payment page; None takes the order's open payment with ``provider`` (providers whose notifications
    name the order and the transaction, not the page).
    """
    with unit_of_work():
        if not record_provider_event(event_id, event_type, provider):
            return None
        order = lock_order(public_id=public_id)
        if order is None or order.payment_status in PAID_STATUSES:
            return order
        same_page = Payment.reference == reference if reference is not None else Payment.reference.is_not(None)
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == provider,
                                                          same_page)
                                    .order_by(Payment.status != "pending", Payment.id.desc()).limit(1))
        if payment is None:
            logger.warning("payment %s names order %s but the shop never opened it", reference, public_id)
            return None
        payment.status, payment.payment_intent = "paid", payment_intent or payment.payment_intent
        payment.card_last4 = card_last4 or payment.card_last4
        if order.user_id is None:
            owner = owner_of_guest_purchase(order.email)
            order.user_id = owner.id if owner is not None else None
        problems, missed, enrolments = _sell(order, now)
        if order.payment_status == "cancelled":  # a late payment keeps its discount: its code's use is taken again
            problems += filter(None, [retake_redemption(order.id)])
        if missed:
            tell_buyer_of_missed_lines(order, missed)
        if amount_minor != order.total_minor:
            problems.append(f"Paid {amount_minor} but the order totals {order.total_minor} (tiyn).")
        order.needs_attention = "\n".join(problems)
        order.paid_at = now
        change_status(order, "paid", now=now, actor_id=actor_id, note=f"{provider} {payment_intent or reference}")
        if actor_id is not None:  # staff confirmed a payment made outside the shop (a Kaspi invoice)
            record(actor_id, "order.paid", f"order:{order.public_id}", now=now, provider=provider,
                   transaction=payment_intent, amount_minor=amount_minor)
        if payment.refunded_at_provider_minor:
            apply_provider_refund(order, payment, payment.refunded_at_provider_minor, reference=None, now=now)
        if order.cart_id:
            db.session.execute(Cart.__table__.delete().where(Cart.id == order.cart_id))
        queue_confirmation(order, paid_at=now)
        queue_invitation(order, enrolments)  # after the confirmation: one e-mail about the purchase comes first
        tell_staff_of_paid_order(order)
    return order


RETAKE_MINUTES = 15  # how long holds taken again for a payment in progress last: enough to finish paying


def check_payment(public_id: str, *, amount_minor: int, currency: str, now: datetime) -> str:
    """Say whether a payment the provider is about to take can still be honoured, before any money moves.

    Returns "ok", or why not: "unknown" (no such order), "closed" (already paid or cancelled), "amount"
    (another amount or currency than the order's) or "lapsed" (its holds ran out and the kits or seats
    cannot be held again). A payment in progress whose holds ran out takes them again while they are
    there, so the buyer who is paying right now keeps what they chose.
    """
    with unit_of_work():
        order = lock_order(public_id=public_id)
        if order is None:
            return "unknown"
        if order.payment_status != "pending_payment":
            return "closed"
        if amount_minor != order.total_minor or currency != order.currency:
            return "amount"
        return "ok" if _hold_again(order, now) else "lapsed"


def _hold_again(order: Order, now: datetime) -> bool:
    """Take again the holds of the order's lines whose holds ran out; False (nothing taken) when one cannot be."""
    held = set(db.session.scalars(select(Hold.order_line_id).where(Hold.order_id == order.id, Hold.expires_at > now)))
    lapsed = [line for line in order.lines if line.id not in held]
    if not lapsed:
        return True
    lock_rows([line.product_id for line in lapsed if line.product_id],
              [line.cohort_id for line in lapsed if line.cohort_id])
    expires_at = now + timedelta(minutes=RETAKE_MINUTES)
    try:
        with db.session.begin_nested():
            db.session.execute(delete(Hold).where(Hold.order_line_id.in_([line.id for line in lapsed])))
            for line in lapsed:
                if closed_reason(line, now):
                    raise CohortClosed()
                owner = {"order_id": order.id, "order_line_id": line.id}
                if line.product_id:
                    hold_stock(line.product, line.quantity, expires_at=expires_at, now=now, **owner)
                if line.cohort_id:
                    hold_seats(line.cohort, line.seats, expires_at=expires_at, now=now, **owner)
    except (OutOfStock, CohortFull, CohortClosed):
        return False
    return True


def record_failed_attempt(public_id: str, *, provider: str, reason: str, event_id: str | None) -> Order | None:
    """Note a declined attempt on the provider's page; the order stays open for another try while it holds."""
    with unit_of_work():
        if not record_provider_event(event_id, "failed_attempt", provider):
            return None
        order = lock_order(public_id=public_id)
        payment = None if order is None else db.session.scalar(
            select(Payment).where(Payment.order_id == order.id, Payment.provider == provider)
            .order_by(Payment.id.desc()).limit(1))
        if payment is not None:
            payment.failed_attempts += 1
            payment.last_failure = reason[:300]
    return order
