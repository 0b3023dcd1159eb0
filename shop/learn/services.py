"""The learner's area: the cohorts a person is enrolled in, with what only learners may see."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..courses.calendar import cohort_calendar, materials_url
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
    # Seats bought under the address as a guest are attached when the address is proven
    # (accounts.services.claim_guest_purchases), never by the address alone.
    return Enrolment.user_id == user.id


def learner_cohorts(user: User, now: datetime) -> list[LearnerCohort]:
    """Return the user's cohorts (active enrolments), soonest first."""
    rows = db.session.execute(
        select(Cohort, func.count(Enrolment.id)).join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(_mine(user), Enrolment.status.in_(("active", "cohort_cancelled"))).group_by(Cohort.id)
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
