"""The learner's area: the cohorts a person is enrolled in, with what only learners may see."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import selectinload

from ..courses.calendar import cohort_calendar, materials_url
from ..database import unit_of_work
from ..extensions import db
from ..models import Cohort, Enrolment, User


@dataclass(frozen=True)
class LearnerCohort:
    """A cohort the learner holds seats in, with its state now."""

    cohort: Cohort
    seats: int
    status: str
    materials_url: str

    @property
    def is_online(self) -> bool:
        return self.cohort.format == "online"


def _mine(user: User):
    return or_(Enrolment.user_id == user.id,
               and_(Enrolment.user_id.is_(None), func.lower(Enrolment.email) == user.email.lower()))


def _attach_by_email(user: User) -> None:
    """Give the user the enrolments bought with their e-mail before they had an account (a write only then)."""
    unattached = and_(Enrolment.user_id.is_(None), func.lower(Enrolment.email) == user.email.lower())
    if db.session.scalar(select(Enrolment.id).where(unattached).limit(1)) is None:
        return
    with unit_of_work():
        db.session.execute(update(Enrolment).where(unattached).values(user_id=user.id)
                           .execution_options(synchronize_session=False))


def learner_cohorts(user: User, now: datetime) -> list[LearnerCohort]:
    """Return the user's cohorts (active enrolments), soonest first; enrolments made by e-mail are attached."""
    _attach_by_email(user)
    rows = db.session.execute(
        select(Cohort, func.count(Enrolment.id)).join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(_mine(user), Enrolment.status == "active").group_by(Cohort.id)
        .order_by(Cohort.starts_at, Cohort.id).options(selectinload(Cohort.sessions))
    ).all()
    return [LearnerCohort(cohort, seats, _learner_status(cohort, now), materials_url(cohort)) for cohort, seats in rows]


def _learner_status(cohort: Cohort, now: datetime) -> str:
    """Return ``upcoming``, ``started``, ``finished`` or ``cancelled`` (seats left do not matter to a learner)."""
    status = cohort.status(1, now)
    return "upcoming" if status == "open" else status


def learner_calendar(user: User, cohort_id: int, *, locale: str) -> bytes | None:
    """Return the .ics of a cohort the user is enrolled in, with its join link or venue; None for anyone else."""
    enrolled = db.session.scalar(select(Enrolment.id).where(
        Enrolment.cohort_id == cohort_id, Enrolment.status == "active", _mine(user)).limit(1))
    cohort = db.session.get(Cohort, cohort_id) if enrolled else None
    return cohort_calendar(cohort, locale=locale, private=True) if cohort else None
