"""Enrolling buyers of seats (and of kits that include a course) when their order is paid."""
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Enrolment, Order, OrderLine, User


def _learner_for(order: Order) -> User | None:
    if order.user_id:
        return db.session.get(User, order.user_id)
    return db.session.scalar(select(User).where(User.email == order.email))


def enrol_line(order: Order, line: OrderLine, *, now: datetime) -> list[Enrolment]:
    """Create one active enrolment per seat bought on ``line``; only flushes."""
    learner = _learner_for(order)
    enrolments = [
        Enrolment(cohort_id=line.cohort_id, user_id=learner.id if learner else None, order_id=order.id,
                  order_line_id=line.id, email=order.email, full_name=order.full_name, phone=order.phone,
                  created_at=now)
        for _ in range(line.quantity)
    ]
    db.session.add_all(enrolments)
    db.session.flush()
    return enrolments
