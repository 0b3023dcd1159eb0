"""Expiring orders whose reservation ran out before they were paid: the `release-expired` command's work."""
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from ..courses.waitlist import offer_freed_seats, return_claimed_seats
from ..database import unit_of_work
from ..extensions import db
from ..inventory.services import lock_rows, release_expired_holds
from ..models import Hold, Order, Payment
from .cancelling import cancel_order


class Expired(NamedTuple):
    holds: int  # expired holds tidied away
    orders: int  # unpaid orders cancelled
    payments: list[Payment]  # their open payment pages, for the caller to close at the provider


def expire_orders(now: datetime) -> Expired:
    """Delete expired holds and cancel the unpaid orders left with none.

    Expired holds already stopped counting against availability; this gives the seats such orders took
    from waiting-list offers back to those offers while they last (`waitlist.return_claimed_seats`),
    tidies the rows, cancels the orders by the one cancelling rule (a later payment of such an order is
    honoured only if stock is still there, see `paying.mark_paid`) and offers freed seats to the people
    waiting now, not on a later run. Ask the provider about late payments first (`payments.reconcile`).
    """
    with unit_of_work():
        touched = set(db.session.scalars(
            select(Hold.order_id).where(Hold.expires_at <= now, Hold.order_id.is_not(None)).distinct()))
        freed_cohorts = sorted(set(db.session.scalars(
            select(Hold.cohort_id).where(Hold.expires_at <= now, Hold.cohort_id.is_not(None)).distinct())))
        still_held = set(db.session.scalars(
            select(Hold.order_id).where(Hold.order_id.in_(touched), Hold.expires_at > now).distinct()))
        orders = db.session.scalars(
            select(Order).where(Order.id.in_(touched - still_held), Order.payment_status == "pending_payment")
            .order_by(Order.id)
        ).all()
        lock_rows(cohort_ids=freed_cohorts)
        for order in orders:
            return_claimed_seats(order.id, now=now)
        holds = release_expired_holds(now)
        closed = []
        for order in orders:
            closed += cancel_order(order, now=now, note="Reservation expired before payment", pass_on_seats=False)
        for cohort_id in freed_cohorts:
            offer_freed_seats(cohort_id, now=now)
    return Expired(holds, len(orders), closed)
