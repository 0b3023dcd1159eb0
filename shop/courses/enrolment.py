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


def _account_for(email: str, full_name: str, phone: str, locale: str, now: datetime) -> User | None:
    """Return the account seats bought for ``email`` by a guest go to: its own, or one made to be invited to.

    Seats never go to an account that someone opened with the address without proving it: they stay with
    the address (no account) until the invitation link, sent there, proves it.
    """
    user = find_user(email)
    if user is not None:
        return user if user.may_receive_guest_purchases else None
    try:
        with db.session.begin_nested():
            user = User(email=email, full_name=full_name, phone=phone, password_hash=None, role="customer",
                        locale=locale, created_at=now)
            db.session.add(user)
    except IntegrityError:  # the same address was given in another order paid at this very moment
        user = find_user(email)
    return user


def _learner_for(order: Order, now: datetime) -> User | None:
    """Return the account the buyer's own seats go to: theirs, or one made for a guest's address."""
    if order.user_id:
        return db.session.get(User, order.user_id)
    return _account_for(order.email, order.full_name, order.phone, order.locale, now)


def enrol_line(order: Order, line: OrderLine, *, now: datetime) -> list[Enrolment]:
    """Create one active enrolment per seat bought on ``line``; only flushes.

    A seat whose learner was named at checkout (a kit with a course for several people) goes to that learner's
    address and account (see `_account_for`), every other seat to the buyer's. The buyer stops waiting for this
    cohort. The order's confirmation tells the buyer about the course, its schedule and calendar
    (`orders.notify.queue_confirmation`); `queue_invitation` then tells each learner how to reach it.
    """
    learner = _learner_for(order, now)
    learner_id = learner.id if learner is not None else None
    named = list(line.learners or [])
    enrolments = []
    for seat in range(line.seats):
        person = named[seat] if seat < len(named) else {}
        email = person.get("email") or order.email
        if email == order.email:
            enrolments.append(Enrolment(cohort_id=line.cohort_id, user_id=learner_id, order_id=order.id,
                                        order_line_id=line.id, email=order.email, full_name=order.full_name,
                                        phone=order.phone, created_at=now))
            continue
        account = _account_for(email, person.get("name", ""), "", order.locale, now)
        enrolments.append(Enrolment(cohort_id=line.cohort_id, user_id=account.id if account else None,
                                    order_id=order.id, order_line_id=line.id, email=email,
                                    full_name=person.get("name", ""), created_at=now))
    db.session.add_all(enrolments)
    db.session.flush()
    if settle_entries_of_buyer(line.cohort_id, cart_id=order.cart_id, email=order.email, user_id=learner_id):
        offer_freed_seats(line.cohort_id, now=now)
    return enrolments


def queue_invitation(order: Order, enrolments: list[Enrolment]) -> None:
    """Tell each learner how to reach their course; only flushes.

    The buyer, a guest whose seats went to an account not yet theirs, is invited to set its password. Every
    other learner named at checkout gets one e-mail of their own: who gave them the seat, the course, and the
    link to set up their account (unless they already use one). Queued after the order's confirmation, so the
    buyer reads what they bought first, then how to reach it.
    """
    learn_link = external_url("learn.index", locale=order.locale)
    own = [enrolment for enrolment in enrolments if enrolment.email == order.email]
    if own and not order.user_id and not _is_verified(own[0].user_id):
        queue_email(order.email, "enrolment_invitation", locale=order.locale, dedupe_key=f"invitation:{order.id}",
                    order=order, email=order.email, learn_link=learn_link,
                    link=external_url("accounts.accept_invitation", locale=order.locale,
                                      token=invitation_token(order.email)))
    others: dict[str, list[Enrolment]] = {}
    for enrolment in enrolments:
        if enrolment.email != order.email:
            others.setdefault(enrolment.email, []).append(enrolment)
    for email, seats in others.items():
        verified = _is_verified(seats[0].user_id)
        link = "" if verified else external_url("accounts.accept_invitation", locale=order.locale,
                                                token=invitation_token(email))
        cohorts = sorted({seat.cohort for seat in seats}, key=lambda cohort: cohort.starts_at)
        queue_email(email, "learner_invitation", locale=order.locale,
                    dedupe_key=f"learner-invitation:{order.id}:{email}", order=order, learner_name=seats[0].full_name,
                    cohorts=cohorts, link=link, learn_link=learn_link)


def _is_verified(user_id: int | None) -> bool:
    user = db.session.get(User, user_id) if user_id else None
    return user is not None and user.is_verified
