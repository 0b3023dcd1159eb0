"""A cohort's roster: learners with contacts and payment state, the waiting list, attendance, and its CSV."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit import record
from ..clock import to_local
from ..courses.services import Roster, RosterLine, roster
from ..database import unit_of_work
from ..errors import NotFound
from ..extensions import db
from ..inventory.services import lock_rows
from ..models import Attendance, Cohort, CohortSession, Enrolment
from ..orders.status import status_label
from .csvfile import csv_bytes


@dataclass(frozen=True)
class RosterSheet:
    """The courses' roster of a cohort (learners, payment state, waiting list) with attendance per session."""

    roster: Roster
    marks: dict[tuple[int, int], bool]

    @property
    def cohort(self) -> Cohort:
        return self.roster.cohort

    @property
    def sessions(self) -> list[CohortSession]:
        return list(self.roster.cohort.sessions)

    @property
    def active(self) -> list[RosterLine]:
        return [line for line in self.roster.learners if line.is_active]

    def mark(self, line: RosterLine, lesson: CohortSession) -> bool | None:
        """Return True (came), False (did not) or None (not marked yet)."""
        return self.marks.get((line.enrolment.id, lesson.id))


def roster_of(cohort_id: int, now: datetime) -> RosterSheet:
    """Return the cohort's roster with its attendance marks; raise NotFound."""
    found = roster(cohort_id, now)
    enrolment_ids = [line.enrolment.id for line in found.learners]
    marks = db.session.execute(select(Attendance.enrolment_id, Attendance.session_id, Attendance.is_present)
                               .where(Attendance.enrolment_id.in_(enrolment_ids))).all() if enrolment_ids else []
    return RosterSheet(found, {(enrolment_id, session_id): present for enrolment_id, session_id, present in marks})


def mark_attendance(session_id: int, present_ids: set[int], *, actor_id: int | None, now: datetime) -> int:
    """Record who came to a session: the given active enrolments present, the others absent; return the cohort id."""
    with unit_of_work():
        lesson = db.session.get(CohortSession, session_id)
        if lesson is None:
            raise NotFound()
        cohort_id = lesson.cohort_id
        lock_rows(cohort_ids=[cohort_id])  # two staff marking at once take turns, never a duplicate row
        enrolment_ids = db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort_id,
                                                                      Enrolment.status == "active")).all()
        existing = {mark.enrolment_id: mark for mark in db.session.scalars(
            select(Attendance).where(Attendance.session_id == session_id))}
        for enrolment_id in enrolment_ids:
            mark = existing.get(enrolment_id) or Attendance(enrolment_id=enrolment_id, session_id=session_id)
            mark.is_present, mark.marked_by_id, mark.marked_at = enrolment_id in present_ids, actor_id, now
            db.session.add(mark)
        record(actor_id, "cohort.attendance", f"cohort:{cohort_id}", now=now, session=session_id,
               present=len(present_ids & set(enrolment_ids)), of=len(enrolment_ids))
    return cohort_id


def payment_state(line: RosterLine) -> str:
    """Say in words how the learner's seat was paid."""
    if line.order is None:
        return _("No order (added by staff)")
    return status_label(line.order.payment_status)


def _local(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def roster_csv(cohort_id: int, now: datetime) -> tuple[str, bytes]:
    """Return (file name, CSV bytes) of the roster, with one column per session for attendance."""
    sheet = roster_of(cohort_id, now)
    cohort = sheet.cohort
    header = [_("Name"), _("E-mail"), _("Phone"), _("Enrolment"), _("Payment"), _("Order"), _("Enrolled at")]
    header += [_local(lesson.starts_at) for lesson in sheet.sessions]
    words = {True: _("present"), False: _("absent")}
    rows = [
        [line.enrolment.full_name, line.enrolment.email, line.enrolment.phone,
         _("active") if line.is_active else _("cancelled"), payment_state(line),
         str(line.order.number) if line.order else "", _local(line.enrolment.created_at),
         *[words.get(sheet.mark(line, lesson), "") for lesson in sheet.sessions]]
        for line in sheet.roster.learners
    ]
    rows += [["", entry.email, "", _("waiting list"), "", "", _local(entry.created_at)]
             for entry in sheet.roster.waitlist]
    name = f"roster-{cohort.course.slug}-{to_local(cohort.starts_at):%Y-%m-%d}.csv"
    return name, csv_bytes(header, rows)


def attendance_marks(session_id: int) -> int:
    """Return how many attendance marks a session has (removing the session removes them)."""
    return db.session.scalar(select(func.count(Attendance.id)).where(Attendance.session_id == session_id)) or 0
