"""Cancelling an unpaid order: one rule, whoever asks (a replaced checkout, a failed or expired payment page,
a reservation that ran out, staff).

The rule: the seats it took from waiting-list offers go back to those offers while they last, its holds are
released with the use of its promo code, the seats it freed are offered to the people waiting, its pending
payments are closed, and it is cancelled with the reason in its history. A paid order is never cancelled
here; refunds have their own verb.
"""
from datetime import datetime

from sqlalchemy import select

from ..courses.waitlist import offer_freed_seats, return_claimed_seats
from ..database import unit_of_work
from ..extensions import db
from ..inventory.services import lock_rows, release_holds
from ..models import Order, Payment
from ..promo.services import release_redemption
from .events import record_provider_event
from .locking import lock_order
from .status import change_status


def cancel_order(order: Order, *, now: datetime, note: str, payment_status: str = "expired",
                 actor_id: int | None = None, pass_on_seats: bool = True) -> list[Payment]:
    """Cancel an unpaid order by the one rule; return the payments it closed (to close at the provider too).

    Only flushes; call with the order locked. ``pass_on_seats=False`` leaves offering the freed seats to
    the caller (a checkout replacing this order first takes what it needs again).
    """
    cohort_ids = sorted({line.cohort_id for line in order.lines if line.cohort_id})
    lock_rows(cohort_ids=cohort_ids)
    return_claimed_seats(order.id, now=now)
    release_holds(order.id)
    release_redemption(order.id, now=now)
    closed = list(db.session.scalars(select(Payment).where(Payment.order_id == order.id, Payment.status == "pending")
                                     .order_by(Payment.id)))
    for payment in closed:
        payment.status = payment_status
    change_status(order, "cancelled", now=now, actor_id=actor_id, note=note)
    db.session.flush()
    if pass_on_seats:
        for cohort_id in cohort_ids:
            offer_freed_seats(cohort_id, now=now)
    return closed


def cancel_unpaid(public_id: str, *, provider: str, reference: str, now: datetime, event_id: str | None = None,
                  event_type: str = "expired", note: str = "") -> Order | None:
    """Cancel an unpaid order whose payment page expired or failed at the provider (each event once)."""
    with unit_of_work():
        if not record_provider_event(event_id, event_type, provider):
            return None
        order = lock_order(public_id=public_id)
        if order is None:
            return None
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == provider,
                                                          Payment.reference == reference))
        if payment is not None and payment.status == "paid":
            return order
        if order.payment_status == "pending_payment":
            cancel_order(order, now=now, note=note or event_type,
                         payment_status="failed" if "failed" in event_type else "expired")
        elif payment is not None and payment.status == "pending":
            payment.status = "failed" if "failed" in event_type else "expired"
    return order
