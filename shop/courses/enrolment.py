"""Enrolling buyers of seats (and of kits that include a course) when their order is paid.

Every function here only flushes: `orders.paying.mark_paid` owns the transaction.
"""
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..accounts.services import find_user, invitation_token
from ..extensions import db
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Cohort, Enrolment, Order, OrderLine, User
from .calendar import calendar_attachments
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
    """Create one active enrolment per seat bought on ``line`` and tell the learner; only flushes.

    A guest buyer's enrolments belong to an account made for their e-mail, and they are
    invited to set its password. The buyer stops waiting for this cohort.
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
    _queue_emails(order, line, learner)
    return enrolments


def _queue_emails(order: Order, line: OrderLine, learner: User | None) -> None:
    cohort = db.session.get(Cohort, line.cohort_id)
    learn_link = external_url("learn.index", locale=order.locale)
    if learner is None or not learner.is_verified and not order.user_id:
        invite_link = external_url("accounts.accept_invitation", locale=order.locale,
                                   token=invitation_token(order.email))
        queue_email(order.email, "enrolment_invitation", locale=order.locale, dedupe_key=f"invitation:{order.id}",
                    order=order, email=order.email, link=invite_link, learn_link=learn_link)
    queue_email(order.email, "enrolment_confirmation", locale=order.locale,
                dedupe_key=f"enrolment-confirmation:{line.id}", order=order, line=line, cohort=cohort,
                learn_link=learn_link, attachments=calendar_attachments(cohort, locale=order.locale))
