"""Reading courses and cohorts for the storefront, with seats left computed in the same query."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..inventory.services import seats_left
from ..models import Cohort, Course


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
    statement = _cohort_select(now).join(Cohort.course).where(Course.is_active.is_(True)).order_by(Cohort.starts_at, Cohort.id)
    return _infos(db.session.execute(statement).all(), now)


def active_courses() -> list[Course]:
    """Return the courses on offer in their display order."""
    return list(db.session.scalars(select(Course).where(Course.is_active.is_(True)).order_by(Course.position, Course.id)))


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
