"""Courses and cohorts: reading them for the storefront, and the staff's changes to seats.

The read side computes seats left in the same query. The write side (cancelling
enrolments, changing capacity, reminders) frees seats and passes them to the waiting list
in the same transaction; see `waitlist` for offers and `enrolment` for what payment does.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..audit import record
from ..clock import ALMATY, to_local
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..inventory.services import lock_rows, seat_availability, seats_left, taken_seats
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Cohort, Course, Enrolment, Order, User, WaitlistEntry
from .waitlist import (  # noqa: F401  (the waiting list's public services, importable from here too)
    expire_waitlist_offers,
    join_waitlist,
    leave_waitlist,
    offer_freed_seats,
)


@dataclass(frozen=True)
class CohortInfo:
    """A cohort with its seats left and status at the moment it was read."""

    cohort: Cohort
    seats_left: int
    status: str

    @property
    def is_bookable(self) -> bool:
        return self.status == "open"


def _cohort_select(now: datetime):
    return select(Cohort, seats_left(now)).options(selectinload(Cohort.sessions))


def _infos(rows, now: datetime) -> list[CohortInfo]:
    infos = []
    for cohort, left in rows:
        left = max(left, 0)
        infos.append(CohortInfo(cohort, left, cohort.status(left, now)))
    return infos


def cohorts_of(course_ids: list[int], now: datetime, *, upcoming_only: bool = True) -> list[CohortInfo]:
    """Return the cohorts of these courses by start time, only those not started yet by default."""
    statement = _cohort_select(now).where(Cohort.course_id.in_(course_ids)).order_by(Cohort.starts_at, Cohort.id)
    if upcoming_only:
        statement = statement.where(Cohort.starts_at > now)
    return _infos(db.session.execute(statement).all(), now)


def upcoming_cohorts(now: datetime, limit: int = 6) -> list[CohortInfo]:
    """Return the next cohorts that have not started and are not cancelled, soonest first."""
    statement = (
        _cohort_select(now)
        .join(Cohort.course)
        .where(Cohort.starts_at > now, Cohort.is_cancelled.is_(False), Course.is_active.is_(True))
        .order_by(Cohort.starts_at, Cohort.id)
        .limit(limit)
    )
    return _infos(db.session.execute(statement).all(), now)


def all_cohorts(now: datetime) -> list[CohortInfo]:
    """Return every cohort of an active course, soonest first (for the JSON list)."""
    statement = (_cohort_select(now).join(Cohort.course).where(Course.is_active.is_(True))
                 .order_by(Cohort.starts_at, Cohort.id))
    return _infos(db.session.execute(statement).all(), now)


def active_courses() -> list[Course]:
    """Return the courses on offer in their display order."""
    return list(db.session.scalars(select(Course).where(Course.is_active.is_(True))
                                   .order_by(Course.position, Course.id)))


def course_by_slug(slug: str) -> Course | None:
    """Return the active course with ``slug``, or None."""
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.is_active.is_(True)))


def soonest_open(infos: list[CohortInfo]) -> CohortInfo | None:
    """Return the first cohort that can still be booked."""
    return next((info for info in infos if info.is_bookable), None)


def group_by_course(infos: list[CohortInfo]) -> dict[int, list[CohortInfo]]:
    grouped: dict[int, list[CohortInfo]] = {}
    for info in infos:
        grouped.setdefault(info.cohort.course_id, []).append(info)
    return grouped


# --- staff changes to seats -----------------------------------------------------------------------------


class CapacityBelowEnrolments(ShopError):
    """A cohort cannot have fewer seats than its learners and open checkouts take."""

    field = "capacity"
    def __init__(self, taken: int = 0, **details):
        super().__init__(_l("This cohort already has %(taken)d seats taken by learners and open checkouts; "
                            "its capacity cannot be lower.", taken=taken), taken=taken, **details)


class InvalidCapacity(ShopError):
    field = "capacity"
    message = _l("Capacity must be a whole number, 0 or more.")


def cancel_enrolment(enrolment_id: int, *, now: datetime, actor_id: int | None = None) -> Enrolment:
    """Cancel one enrolment: its seat frees and goes to the first person waiting (cancelling twice changes nothing)."""
    with unit_of_work():
        enrolment = db.session.get(Enrolment, enrolment_id)
        if enrolment is None:
            raise NotFound()
        lock_rows(cohort_ids=[enrolment.cohort_id])
        db.session.refresh(enrolment)
        if enrolment.status == "active":
            enrolment.status, enrolment.cancelled_at = "cancelled", now
            record(actor_id, "enrolment.cancel", f"enrolment:{enrolment.id}", now=now, cohort=enrolment.cohort_id,
                   email=enrolment.email)
            queue_email(enrolment.email, "enrolment_cancelled", locale=learner_locale(enrolment),
                        dedupe_key=f"enrolment-cancelled:{enrolment.id}", enrolment=enrolment,
                        cohort=enrolment.cohort)
            db.session.flush()
            offer_freed_seats(enrolment.cohort_id, now=now)
    return enrolment


def learner_locale(enrolment: Enrolment) -> str:
    """The language to write to a learner in: their account's, else their order's, else Russian."""
    if enrolment.user is not None:
        return enrolment.user.locale
    order = db.session.get(Order, enrolment.order_id) if enrolment.order_id else None
    return order.locale if order is not None else "ru"


def cancel_enrolments_for_order(order: Order, *, now: datetime, actor_id: int | None = None) -> int:
    """Cancel the order's active enrolments and offer the freed seats; return how many; only flushes.

    Called inside the refund's transaction.
    """
    cohort_ids = sorted({line.cohort_id for line in order.lines if line.cohort_id})
    lock_rows(cohort_ids=cohort_ids)
    cancelled = db.session.execute(
        update(Enrolment).where(Enrolment.order_id == order.id, Enrolment.status == "active")
        .values(status="cancelled", cancelled_at=now).execution_options(synchronize_session="fetch")
    ).rowcount or 0
    if cancelled:
        record(actor_id, "enrolment.cancel_for_order", f"order:{order.public_id}", now=now, count=cancelled)
        db.session.flush()
        for cohort_id in cohort_ids:
            offer_freed_seats(cohort_id, now=now)
    return cancelled


def change_capacity(cohort_id: int, capacity: int, *, now: datetime, actor_id: int | None = None) -> Cohort:
    """Set a cohort's number of seats; never below the seats taken, and new seats go to the waiting list."""
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity < 2**31:
        raise InvalidCapacity()
    with unit_of_work():
        lock_rows(cohort_ids=[cohort_id])
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is None:
            raise NotFound()
        taken = db.session.scalar(select(taken_seats(now)).where(Cohort.id == cohort_id))
        if capacity < taken:
            raise CapacityBelowEnrolments(taken)
        if capacity != cohort.capacity:
            record(actor_id, "cohort.capacity", f"cohort:{cohort.id}", now=now, before=cohort.capacity, after=capacity)
            cohort.capacity = capacity
            db.session.flush()
            offer_freed_seats(cohort.id, now=now)
    return cohort


# --- reminders ------------------------------------------------------------------------------------------


def _reminder_horizon(now: datetime) -> datetime:
    """Return the end of tomorrow in Almaty, as UTC."""
    day_after = to_local(now).date() + timedelta(days=2)
    return datetime.combine(day_after, time(0), tzinfo=ALMATY).astimezone(now.tzinfo)


def send_reminders(now: datetime) -> int:
    """E-mail each active learner of a cohort starting tomorrow (Almaty) once; return how many were queued.

    Run daily or hourly from cron: a cohort starting later today whose reminder was missed
    is still reminded, and the outbox's once-only key means a second run sends nothing.
    """
    with unit_of_work():
        due = db.session.execute(
            select(Enrolment, Cohort).join(Cohort, Enrolment.cohort_id == Cohort.id)
            .where(Enrolment.status == "active", Enrolment.reminder_sent_at.is_(None), Cohort.is_cancelled.is_(False),
                   Cohort.starts_at > now, Cohort.starts_at < _reminder_horizon(now))
            .order_by(Enrolment.id)
        ).all()
        queued = 0
        for enrolment, cohort in due:
            enrolment.reminder_sent_at = now
            message = queue_email(enrolment.email, "cohort_reminder", locale=learner_locale(enrolment),
                                  dedupe_key=f"cohort-reminder:{cohort.id}:{enrolment.email.lower()}",
                                  enrolment=enrolment, cohort=cohort,
                                  learn_link=external_url("learn.index", locale=learner_locale(enrolment)))
            queued += message is not None
    return queued


# --- the staff's roster ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterLine:
    """A learner on the roster: the enrolment, its order (for payment state) and whether they have an account."""

    enrolment: Enrolment
    order: Order | None
    has_account: bool

    @property
    def is_active(self) -> bool:
        return self.enrolment.status == "active"

    @property
    def payment_status(self) -> str:
        return self.order.payment_status if self.order else ""


@dataclass(frozen=True)
class Roster:
    """A cohort's learners (active first) and its waiting list in line order."""

    cohort: Cohort
    seats_left: int
    status: str
    learners: list[RosterLine]
    waitlist: list[WaitlistEntry]

    @property
    def active_count(self) -> int:
        return sum(line.is_active for line in self.learners)


def roster(cohort_id: int, now: datetime) -> Roster:
    """Return the cohort's enrolments with contact and payment state, and the people waiting."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.id == cohort_id).options(selectinload(Cohort.sessions)))
    if cohort is None:
        raise NotFound()
    rows = db.session.execute(
        select(Enrolment, Order, User.password_hash).outerjoin(Order, Enrolment.order_id == Order.id)
        .outerjoin(User, Enrolment.user_id == User.id).where(Enrolment.cohort_id == cohort_id)
        .order_by(Enrolment.status != "active", Enrolment.full_name, Enrolment.id)
    ).all()
    waiting = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.cohort_id == cohort_id, WaitlistEntry.status.in_(("waiting", "offered")))
        .order_by(WaitlistEntry.confirmed_at, WaitlistEntry.id)
    ).all()
    left = seat_availability([cohort_id], now)[cohort_id]
    return Roster(cohort, left, cohort.status(left, now),
                  [RosterLine(enrolment, order, bool(password)) for enrolment, order, password in rows], list(waiting))
