"""Fulfilment: one idempotent path from "the provider says paid" to a sold, enrolled, confirmed order.

Called by the verified Stripe webhook, by the success page after asking Stripe, and by the
dummy provider's page; never on what a browser's query string claims. Each call is one
transaction that locks the order row first, so duplicates and races change the shop once.
"""
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.services import owner_of_guest_purchase
from ..checkout.delivery import LABELS as DELIVERY_LABELS
from ..courses.enrolment import enrol_line, release_order_seats
from ..courses.services import cancel_enrolments_for_order
from ..database import is_postgres, unit_of_work
from ..extensions import db
from ..inventory.services import closed_reason, lock_rows, release_holds, sell_line, take_seats
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Cart, Order, Payment, ProcessedEvent, Refund
from ..orders.links import order_token
from ..orders.status import FULFILMENT_STATUSES, PAID_STATUSES, change_status
from .refunds import refunded_total, restock_unshipped, settle_refund_status

logger = logging.getLogger("shop.payments")


def _lock_order(public_id: str) -> Order | None:
    statement = select(Order).where(Order.public_id == public_id)
    if is_postgres():
        statement = statement.with_for_update()
    return db.session.scalar(statement)


def first_time(event_id: str | None, event_type: str, provider: str = "stripe") -> bool:
    """Record a provider event; return False when it was handled before (only flushes)."""
    if not event_id:
        return True
    if db.session.get(ProcessedEvent, event_id) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ProcessedEvent(id=event_id, type=event_type, provider=provider))
    except IntegrityError:
        return False
    return True


def _payment(order: Order, provider: str, reference: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == provider,
                                                   Payment.reference == reference))


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


def _tell_buyer_of_missed_lines(order: Order, missed: list[str]) -> None:
    """E-mail the buyer which paid lines the shop could not honour, and that the farm will refund them."""
    link = external_url("orders.detail", public_id=order.public_id, token=order_token(order.public_id))
    queue_email(order.email, "order_problem", locale=order.locale, dedupe_key=f"order-problem:{order.id}",
                order=order, missed=sorted(set(missed)), link=link)


def fulfil_order(public_id: str, *, provider: str, reference: str, payment_intent: str = "", amount_minor: int,
                 now: datetime, event_id: str | None = None, event_type: str = "paid") -> Order | None:
    """Mark the order paid once: holds become sales and enrolments, the cart empties, the buyer is told."""
    with unit_of_work():
        if not first_time(event_id, event_type, provider):
            return None
        order = _lock_order(public_id)
        if order is None or order.status in PAID_STATUSES:
            return order
        payment = _payment(order, provider, reference)
        if payment is None:
            logger.warning("payment %s names order %s but the shop never opened it", reference, public_id)
            return None
        payment.status, payment.payment_intent = "paid", payment_intent or payment.payment_intent
        if order.user_id is None:
            owner = owner_of_guest_purchase(order.email)
            order.user_id = owner.id if owner is not None else None
        problems, missed = _sell(order, now)
        if missed:
            _tell_buyer_of_missed_lines(order, missed)
        if amount_minor != order.total_minor:
            problems.append(f"Paid {amount_minor} but the order totals {order.total_minor} (tiyn).")
        order.needs_attention = "\n".join(problems)
        order.paid_at = now
        change_status(order, "paid", now=now, note=f"{provider} {reference}")
        if payment.refunded_at_provider_minor:
            apply_provider_refund(order, payment, payment.refunded_at_provider_minor, reference=None, now=now)
        if order.cart_id:
            db.session.execute(Cart.__table__.delete().where(Cart.id == order.cart_id))
        _queue_confirmation(order)
        _tell_staff(order)
    return order


def _queue_confirmation(order: Order) -> None:
    link = external_url("orders.detail", public_id=order.public_id, token=order_token(order.public_id))
    queue_email(order.email, "order_confirmation", locale=order.locale, order=order, link=link,
                dedupe_key=f"order-confirmation:{order.id}")


def _tell_staff(order: Order) -> None:
    """Queue the staff's 'new paid order' e-mail: what to pack or whom to expect, and for whom."""
    queue_email(current_app.config["STAFF_EMAIL"], "new_order", locale=current_app.config["BABEL_DEFAULT_LOCALE"],
                dedupe_key=f"new-order:{order.id}", order=order,
                delivery=DELIVERY_LABELS.get(order.delivery_method, order.delivery_method),
                link=external_url("admin.order", order_id=order.id))


def cancel_unpaid(public_id: str, *, provider: str, reference: str, now: datetime, event_id: str | None = None,
                  event_type: str = "expired", note: str = "") -> Order | None:
    """Cancel an unpaid order whose payment page expired or failed, and release its holds."""
    with unit_of_work():
        if not first_time(event_id, event_type, provider):
            return None
        order = _lock_order(public_id)
        if order is None:
            return None
        payment = _payment(order, provider, reference)
        if payment is not None and payment.status == "pending":
            payment.status = "failed" if "failed" in event_type else "expired"
        if order.status == "pending_payment" and (payment is None or payment.status != "paid"):
            release_order_seats(order, now=now)
            change_status(order, "cancelled", now=now, note=note or event_type)
    return order


def _order_of(public_id: str, payment_intent: str) -> Order | None:
    order = _lock_order(public_id) if public_id else None
    if order is None and payment_intent:
        found = db.session.scalar(select(Order.public_id).join(Payment, Payment.order_id == Order.id)
                                  .where(Payment.payment_intent == payment_intent))
        order = _lock_order(found) if found else None
    return order


def sync_provider_refunds(*, public_id: str, payment_intent: str, amount_refunded: int, now: datetime,
                          event_id: str | None, reference: str | None = None, provider: str = "stripe") -> Order | None:
    """Bring the shop's refunds up to the cumulative amount the provider reports refunded.

    A refund reported before the payment itself (events arrive in any order) is remembered on the
    payment and applied when the payment is recorded, so an order refunded at the provider never
    becomes a paid order waiting to be packed.
    """
    with unit_of_work():
        if not first_time(event_id, "charge.refunded", provider):
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
