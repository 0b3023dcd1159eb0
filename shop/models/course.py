"""Courses, their dated cohorts and sessions, enrolments, waiting lists and attendance."""
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt, Minor, Translated

TOPICS = ("microgreens", "hydroponics", "herbs", "beekeeping", "vermiculture")
FORMATS = ("online", "in_person")


class Course(Translated, db.Model):
    """A course the farm teaches, run as several dated cohorts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    topic: Mapped[str] = mapped_column(String(40))
    title_ru: Mapped[str] = mapped_column(String(200))
    title_kk: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_ru: Mapped[str] = mapped_column(Text, default="")
    summary_kk: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_kk: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    materials_url: Mapped[str] = mapped_column(String(500), default="")
    # What the course page says before purchase: the programme (one session a line), the teacher, how online
    # lessons run, the area where in-person cohorts meet (the exact venue is for enrolled learners) and the
    # refund terms; whether lesson recordings are kept for learners.
    programme_ru: Mapped[str] = mapped_column(Text, default="", server_default="")
    programme_kk: Mapped[str] = mapped_column(Text, default="", server_default="")
    programme_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    teacher_ru: Mapped[str] = mapped_column(Text, default="", server_default="")
    teacher_kk: Mapped[str] = mapped_column(Text, default="", server_default="")
    teacher_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    online_format_ru: Mapped[str] = mapped_column(Text, default="", server_default="")
    online_format_kk: Mapped[str] = mapped_column(Text, default="", server_default="")
    online_format_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    venue_area_ru: Mapped[str] = mapped_column(String(300), default="", server_default="")
    venue_area_kk: Mapped[str] = mapped_column(String(300), default="", server_default="")
    venue_area_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    refund_terms_ru: Mapped[str] = mapped_column(Text, default="", server_default="")
    refund_terms_kk: Mapped[str] = mapped_column(Text, default="", server_default="")
    refund_terms_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    keeps_recordings: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_body: Mapped[str] = mapped_column(Text, default="", server_default="")

    cohorts: Mapped[list["Cohort"]] = relationship(back_populates="course", order_by="Cohort.starts_at")

    def programme(self, locale: str) -> list[str]:
        """Return the programme, one session per line, in ``locale``."""
        return [line.strip() for line in self.tr("programme", locale).splitlines() if line.strip()]
    kits: Mapped[list["Product"]] = relationship(back_populates="course")  # noqa: F821


class Cohort(CreatedAt, db.Model):
    """One dated run of a course with a limited number of seats."""

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    capacity: Mapped[int]
    price_minor: Mapped[Minor]
    language: Mapped[str] = mapped_column(String(5), default="ru")
    format: Mapped[str] = mapped_column(String(20), default="online")
    join_url: Mapped[str] = mapped_column(String(500), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    is_cancelled: Mapped[bool] = mapped_column(default=False)

    course: Mapped["Course"] = relationship(back_populates="cohorts", lazy="joined", innerjoin=True)
    sessions: Mapped[list["CohortSession"]] = relationship(
        order_by="CohortSession.starts_at", cascade="all, delete-orphan", back_populates="cohort"
    )

    @property
    def ends_at(self) -> datetime:
        """Return when the last session ends (the start when no sessions are scheduled)."""
        if not self.sessions:
            return self.starts_at
        last = self.sessions[-1]
        return last.starts_at + timedelta(minutes=last.duration_minutes)

    def status(self, seats_left: int, now: datetime) -> str:
        """Return ``cancelled``, ``finished``, ``started``, ``full`` or ``open``."""
        if self.is_cancelled:
            return "cancelled"
        if self.ends_at < now and self.sessions:
            return "finished"
        if self.starts_at <= now:
            return "started"
        return "full" if seats_left <= 0 else "open"


class CohortSession(db.Model):
    """One lesson of a cohort, at a set time for a set length."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(default=90)
    title: Mapped[str] = mapped_column(String(200), default="")

    cohort: Mapped["Cohort"] = relationship(back_populates="sessions")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Enrolment(CreatedAt, db.Model):
    """A learner's seat in a cohort, made when its order is paid."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped["Cohort"] = relationship()
    user: Mapped["User | None"] = relationship()  # noqa: F821


class WaitlistEntry(CreatedAt, db.Model):
    """A person waiting for a seat in a full cohort; an offer holds a seat for them for a while.

    ``status`` is ``unconfirmed`` (the address has not answered the e-mail yet: not in line), ``waiting``,
    ``offered``, ``enrolled``, ``lapsed`` (the offer ran out) or ``left``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    # The cart the offered seat was put in by the claim link, so checkout can use the held seat.
    cart_id: Mapped[int | None] = mapped_column(ForeignKey("cart.id", ondelete="SET NULL"), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the address answered the e-mail
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped["Cohort"] = relationship()


class Attendance(db.Model):
    """Whether a learner came to one session, as marked by staff."""

    __table_args__ = (UniqueConstraint("enrolment_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("cohort_session.id", ondelete="CASCADE"))
    is_present: Mapped[bool] = mapped_column(default=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
