"""Cohorts in the staff area: dates, sessions, seats, price, where they meet, and cancelling them."""
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..audit import record
from ..courses.calendar import calendar_attachments
from ..courses.services import learner_locale
from ..courses.waitlist import offer_freed_seats, withdraw_offers
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..inventory.services import cap_seat_holds, lock_rows, release_closed_holds, seats_left
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Cohort, CohortSession, Course, Enrolment
from .paging import Page, paginate

COHORT_FIELDS = ("course_id", "starts_at", "price_minor", "language", "format", "join_url", "venue")


class MissingPlace(ShopError):
    message = _l("An online cohort needs its join link, and a cohort at the farm needs its venue.")


@dataclass(frozen=True)
class CohortRow:
    """A cohort with its active enrolments and the seats still free (holds counted)."""

    cohort: Cohort
    enrolled: int
    seats_left: int
    status: str

    @property
    def fill_percent(self) -> int:
        return round(100 * self.enrolled / self.cohort.capacity) if self.cohort.capacity else 100


def _enrolled():
    return (select(func.count(Enrolment.id)).where(Enrolment.cohort_id == Cohort.id, Enrolment.status == "active")
            .correlate(Cohort).scalar_subquery())


def _rows(result, now: datetime) -> list[CohortRow]:
    return [CohortRow(cohort, enrolled, max(left, 0), cohort.status(max(left, 0), now))
            for cohort, enrolled, left in result]


def cohort_list(now: datetime, page: int, *, upcoming: bool = True, course_id: int | None = None) -> Page:
    """Return a page of cohorts with their fill: upcoming soonest first, or past latest first."""
    statement = select(Cohort, _enrolled(), seats_left(now)).options(selectinload(Cohort.sessions))
    if upcoming:
        statement = statement.where(Cohort.starts_at > now).order_by(Cohort.starts_at, Cohort.id)
    else:
        statement = statement.where(Cohort.starts_at <= now).order_by(Cohort.starts_at.desc(), Cohort.id)
    if course_id:
        statement = statement.where(Cohort.course_id == course_id)
    found = paginate(statement, page, rows=True)
    return Page(_rows(found.items, now), found.page, found.pages, found.total)


def upcoming_fill(now: datetime, limit: int = 8) -> list[CohortRow]:
    """Return the next cohorts that are not cancelled, with how full they are."""
    statement = (select(Cohort, _enrolled(), seats_left(now)).options(selectinload(Cohort.sessions))
                 .where(Cohort.starts_at > now, Cohort.is_cancelled.is_(False))
                 .order_by(Cohort.starts_at, Cohort.id).limit(limit))
    return _rows(db.session.execute(statement).all(), now)


def cohort_row(cohort_id: int, now: datetime) -> CohortRow:
    """Return one cohort with its fill; raise NotFound."""
    row = db.session.execute(select(Cohort, _enrolled(), seats_left(now)).options(selectinload(Cohort.sessions))
                             .where(Cohort.id == cohort_id)).one_or_none()
    if row is None:
        raise NotFound()
    return _rows([row], now)[0]


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    return cohort


def save_cohort(cohort_id: int | None, values: dict, *, actor_id: int | None, now: datetime) -> Cohort:
    """Create a cohort with its seats, or change one (its seats then change only by `change_capacity`)."""
    values = {**values, "starts_at": values["starts_at"].astimezone(UTC),
              "join_url": (values.get("join_url") or "").strip(), "venue": (values.get("venue") or "").strip()}
    online = values["format"] == "online"
    if (online and not values["join_url"]) or (not online and not values["venue"]):
        raise MissingPlace()
    with unit_of_work():
        if db.session.get(Course, values["course_id"]) is None:
            raise NotFound()
        cohort = Cohort(capacity=values["capacity"], created_at=now) if cohort_id is None else _cohort(cohort_id)
        changes = {}
        for field in COHORT_FIELDS:
            if getattr(cohort, field, None) != values[field]:
                changes[field] = [getattr(cohort, field, None), values[field]]
                setattr(cohort, field, values[field])
        if cohort_id is None:
            db.session.add(cohort)
            changes["capacity"] = values["capacity"]
        db.session.flush()
        if "starts_at" in changes and cohort_id is not None:
            cap_seat_holds(cohort)
        changes.pop("join_url", None)  # the link is for learners only; the log just says it changed
        record(actor_id, "cohort.create" if cohort_id is None else "cohort.update", f"cohort:{cohort.id}", now=now,
               **changes)
    return cohort


def _active_learners(cohort_id: int) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort_id,
                                                           Enrolment.status == "active")))


def set_cancelled(cohort_id: int, cancelled: bool, *, actor_id: int | None, now: datetime) -> int:
    """Cancel a cohort (no more bookings; its learners' places end, listed for refunds) or reopen it.

    Cancelling e-mails each active learner, once per cancellation, and releases the seats held in
    checkouts and offers; returns how many learners were e-mailed. Reopening gives back the places the
    cancellation ended.
    """
    with unit_of_work():
        cohort = _cohort(cohort_id)
        lock_rows(cohort_ids=[cohort_id])
        db.session.refresh(cohort)
        if cohort.is_cancelled == cancelled:
            return 0  # a second click, or two staff at once: the change and its e-mails happen once
        cohort.is_cancelled = cancelled
        record(actor_id, "cohort.cancel" if cancelled else "cohort.reopen", f"cohort:{cohort_id}", now=now)
        if not cancelled:
            db.session.execute(update(Enrolment).where(Enrolment.cohort_id == cohort_id,
                                                       Enrolment.status == "cohort_cancelled")
                               .values(status="active", cancelled_at=None).execution_options(synchronize_session=False))
            db.session.flush()
            offer_freed_seats(cohort_id, now=now)
            return 0
        release_closed_holds(cohort_ids=[cohort_id])
        withdraw_offers([cohort_id])
        learners = _active_learners(cohort_id)
        for enrolment in learners:
            enrolment.status, enrolment.cancelled_at = "cohort_cancelled", now
            queue_email(enrolment.email, "cohort_cancelled", locale=learner_locale(enrolment), enrolment=enrolment,
                        cohort=cohort)
    return len(learners)


class CohortIsCancelled(ShopError):
    message = _l("This cohort is cancelled; reopen it before sending its schedule.")


def send_schedule(cohort_id: int, *, actor_id: int | None, now: datetime) -> int:
    """E-mail the cohort's schedule as it stands, with a calendar file, to each active learner; return how many.

    Staff send it once they have finished changing dates, so learners get one e-mail, not one per edit.
    """
    with unit_of_work():
        cohort = db.session.scalar(select(Cohort).where(Cohort.id == cohort_id).options(selectinload(Cohort.sessions)))
        if cohort is None:
            raise NotFound()
        if cohort.is_cancelled:
            raise CohortIsCancelled()
        learners = _active_learners(cohort_id)
        for enrolment in learners:
            locale = learner_locale(enrolment)
            queue_email(enrolment.email, "cohort_schedule", locale=locale, enrolment=enrolment, cohort=cohort,
                        learn_link=external_url("learn.index", locale=locale),
                        attachments=calendar_attachments(cohort, locale=locale))
        record(actor_id, "cohort.schedule_sent", f"cohort:{cohort_id}", now=now, learners=len(learners))
    return len(learners)


def add_session(cohort_id: int, *, starts_at: datetime, duration_minutes: int, title: str, actor_id: int | None,
                now: datetime) -> CohortSession:
    """Schedule one more lesson of a cohort."""
    with unit_of_work():
        _cohort(cohort_id)
        session = CohortSession(cohort_id=cohort_id, starts_at=starts_at.astimezone(UTC),
                                duration_minutes=duration_minutes, title=title.strip())
        db.session.add(session)
        db.session.flush()
        record(actor_id, "cohort.session_add", f"cohort:{cohort_id}", now=now, session=session.id,
               starts_at=session.starts_at.isoformat(), minutes=duration_minutes)
    return session


def remove_session(session_id: int, *, actor_id: int | None, now: datetime) -> int:
    """Take a lesson off a cohort's schedule (its attendance marks go with it); return the cohort id."""
    with unit_of_work():
        session = db.session.get(CohortSession, session_id)
        if session is None:
            raise NotFound()
        cohort_id = session.cohort_id
        record(actor_id, "cohort.session_remove", f"cohort:{cohort_id}", now=now, session=session_id,
               starts_at=session.starts_at.isoformat())
        db.session.delete(session)
    return cohort_id
