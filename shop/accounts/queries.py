"""What the account page shows: the person's orders and course places."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Enrolment, Order, User


def account_overview(user: User) -> dict:
    """Return the user's orders (newest first) and active enrolments."""
    orders = db.session.scalars(
        select(Order).where(Order.user_id == user.id).options(selectinload(Order.lines))  # has it kits to deliver
        .order_by(Order.created_at.desc()).limit(50)
    ).all()
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.status == "active")
    ).all()
    return {"orders": orders, "enrolments": enrolments}
