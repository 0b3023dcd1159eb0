"""Tidying reservations whose time ran out: the `release-expired` command."""
from datetime import datetime

from sqlalchemy import select

from ..courses.waitlist import offer_freed_seats
from ..database import unit_of_work
from ..extensions import db
from ..inventory.services import release_expired_holds
from ..models import Hold, Order, Payment
from ..orders.status import change_status


def release_expired(now: datetime) -> tuple[int, int]:
    """Delete expired holds and cancel unpaid orders left with none; return (holds, orders).

    Expired holds already stopped counting against availability; this tidies the rows, closes
    the orders they belonged to (a later payment of such an order is honoured only if stock is
    still there, see `fulfil_order`) and offers freed seats to the people waiting.
    """
    with unit_of_work():
        touched = set(db.session.scalars(
            select(Hold.order_id).where(Hold.expires_at <= now, Hold.order_id.is_not(None)).distinct()))
        freed_cohorts = sorted(set(db.session.scalars(
            select(Hold.cohort_id).where(Hold.expires_at <= now, Hold.cohort_id.is_not(None)).distinct())))
        holds = release_expired_holds(now)
        still_held = set(db.session.scalars(select(Hold.order_id).where(Hold.order_id.in_(touched)).distinct()))
        orders = db.session.scalars(
            select(Order).where(Order.id.in_(touched - still_held), Order.status == "pending_payment").order_by(Order.id)
        ).all()
        for order in orders:
            change_status(order, "cancelled", now=now, note="Reservation expired before payment")
            for payment in db.session.scalars(select(Payment).where(Payment.order_id == order.id,
                                                                    Payment.status == "pending")):
                payment.status = "expired"
        for cohort_id in freed_cohorts:  # the seats go to the people waiting now, not on a later run
            offer_freed_seats(cohort_id, now=now)
    return holds, len(orders)
