"""A cohort's schedule as an iCalendar file (RFC 5545): one event per session, times in UTC.

Texts come from staff and may hold anything stored before forms refused control characters: each is put on
one line (RFC 5545 allows no control characters in a text but the escaped line breaks of a description),
and a join link that is not a plain URL is left out rather than breaking the file.
"""
import logging
from datetime import UTC, timedelta
from urllib.parse import urljoin, urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..inputs import has_control, one_line
from ..mail.compose import external_url
from ..models import Cohort

logger = logging.getLogger("shop.courses")

PRODID = "-//City Farm//Shop//EN"
UID_DOMAIN = "cityfarm.kz"
DEFAULT_MINUTES = 90


def materials_url(cohort: Cohort) -> str:
    """Return the course's materials link as an absolute URL ('' when there is none)."""
    url = cohort.course.materials_url
    return urljoin(external_url("learn.index"), url) if url else ""


def _sessions(cohort: Cohort) -> list[tuple[str, object, object]]:
    if not cohort.sessions:
        return [(f"cohort-{cohort.id}", cohort.starts_at, cohort.starts_at + timedelta(minutes=DEFAULT_MINUTES))]
    return [(f"cohort-{cohort.id}-session-{session.id}", session.starts_at, session.ends_at)
            for session in cohort.sessions]


def _url(url: str) -> str:
    """Return ``url`` when it is a plain http(s) URL without spaces or control characters, else ''."""
    if not url or has_control(url) or " " in url or urlsplit(url).scheme not in ("http", "https"):
        return ""
    return url


def _place(cohort: Cohort, private: bool) -> str:
    if cohort.format == "online":
        return one_line(cohort.join_url) if private and cohort.join_url else _("Online")
    return one_line(cohort.venue) if private and cohort.venue else _("At the farm")


def cohort_calendar(cohort: Cohort, *, locale: str, private: bool) -> bytes:
    """Return the cohort's sessions as an .ics file in ``locale``.

    ``private`` puts the online join link or the venue in each event; only the learner's
    area asks for it. UIDs name the cohort and session, so re-importing updates events.
    """
    with force_locale(locale):
        title = one_line(cohort.course.tr("title", locale))
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", title)
        materials = _url(materials_url(cohort))
        details = [line for line in (materials and _("Materials: %(url)s", url=materials),
                                     _("Your courses: %(url)s", url=external_url("learn.index"))) if line]
        sessions = _sessions(cohort)
        for number, (uid, starts_at, ends_at) in enumerate(sessions, start=1):
            event = Event()
            event.add("uid", f"{uid}@{UID_DOMAIN}")
            event.add("dtstamp", cohort.created_at.astimezone(UTC))
            event.add("dtstart", starts_at.astimezone(UTC))
            event.add("dtend", ends_at.astimezone(UTC))
            event.add("summary", _("%(course)s: lesson %(number)d of %(total)d", course=title, number=number,
                                   total=len(sessions)))
            event.add("location", _place(cohort, private))
            event.add("description", "\n".join(details))
            event.add("status", "CANCELLED" if cohort.is_cancelled else "CONFIRMED")
            if private and cohort.format == "online" and _url(cohort.join_url):
                event.add("url", cohort.join_url)
            calendar.add_component(event)
    return calendar.to_ical()


def calendar_attachments(cohort: Cohort, *, locale: str) -> list[dict]:
    """Return the cohort's public .ics as a list of e-mail attachments (no join link or venue).

    The list is empty when the calendar cannot be built: the e-mail goes without it, and the payment or
    change that sends it is never held up by a calendar file.
    """
    try:
        content = cohort_calendar(cohort, locale=locale, private=False).decode()
    except Exception:  # noqa: BLE001 (whatever a stored text does to the calendar library)
        logger.warning("calendar of cohort %s could not be built; e-mail sent without it", cohort.id, exc_info=True)
        return []
    return [{"filename": f"cohort-{cohort.id}.ics", "content_type": "text/calendar", "content": content}]
