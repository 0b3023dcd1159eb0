"""Enrolling buyers of seats (and of kits that include a course) when their order is paid.

Every function here only flushes: `orders.paying.mark_paid` owns the transaction.
"""
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..accounts.services import find_user, invitation_token
from ..extensions import db
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Enrolment, Order, OrderLine, User
from .waitlist import offer_freed_seats, settle_entries_of_buyer


def _learner_for(order: Order, now: datetime) -> User | None:
    """Return the account the seats go to: the buyer's, or one made for a guest's address to be invited to.

    A guest's seats never go to an account that someone opened with their address without proving
    it: they stay with the address (no account) until the invitation link, sent there, proves it.
    """
    if order.user_id:
        return db.session.get(User, order.user_id)
    user = find_user(order.email)
    if user is not None:
        return user if user.may_receive_guest_purchases else None
    try:
        with db.session.begin_nested():
            user = User(email=order.email, full_name=order.full_name, phone=order.phone, password_hash=None,
                        role="customer", locale=order.locale, created_at=now)
            db.session.add(user)
    except IntegrityError:  # the same guest paid another order at this very moment
        user = find_user(order.email)
    return user


def enrol_line(order: Order, line: OrderLine, *, now: datetime) -> list[Enrolment]:
    """Create one active enrolment per seat bought on ``line``; only flushes.

    A guest buyer's enrolments belong to an account made for their e-mail (see `queue_invitation`). The
    buyer stops waiting for this cohort. The order's confirmation tells the buyer about the course, its
    schedule and calendar (`orders.notify.queue_confirmation`): no separate e-mail per line.
    """
    learner = _learner_for(order, now)
    learner_id = learner.id if learner is not None else None
    enrolments = [
        Enrolment(cohort_id=line.cohort_id, user_id=learner_id, order_id=order.id, order_line_id=line.id,
                  email=order.email, full_name=order.full_name, phone=order.phone, created_at=now)
        for _ in range(line.quantity)
    ]
    db.session.add_all(enrolments)
    db.session.flush()
    if settle_entries_of_buyer(line.cohort_id, cart_id=order.cart_id, email=order.email, user_id=learner_id):
        offer_freed_seats(line.cohort_id, now=now)
    return enrolments


def queue_invitation(order: Order, enrolments: list[Enrolment]) -> None:
    """Invite a guest whose seats went to an account not yet theirs to set its password; only flushes.

    Queued after the order's confirmation, so the buyer reads what they bought first, then how to reach it.
    """
    if not enrolments or order.user_id:
        return
    learner = db.session.get(User, enrolments[0].user_id) if enrolments[0].user_id else None
    if learner is not None and learner.is_verified:
        return
    queue_email(order.email, "enrolment_invitation", locale=order.locale, dedupe_key=f"invitation:{order.id}",
                order=order, email=order.email, learn_link=external_url("learn.index", locale=order.locale),
                link=external_url("accounts.accept_invitation", locale=order.locale,
                                  token=invitation_token(order.email)))
