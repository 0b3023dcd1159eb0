"""The pages kept in memory, and the moment the clock alone would change them."""
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from threading import Lock

from sqlalchemy import func, select

from ..extensions import db
from ..models import Cohort, CohortSession, Hold, WaitlistEntry

_serials = count(1)


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A rendered page with the visitor's pieces left as markers, and when it stops being true."""

    generation: int
    valid_until: datetime | None
    body: bytes
    content_type: str
    has_markers: bool
    serial: int = 0

    def is_fresh(self, generation: int, now: datetime) -> bool:
        return self.generation == generation and (self.valid_until is None or now < self.valid_until)


def keep(generation: int, valid_until: datetime | None, body: bytes, content_type: str,
         has_markers: bool) -> CachedPage:
    return CachedPage(generation, valid_until, body, content_type, has_markers, next(_serials))


class PageStore:
    """A bounded in-process store, least recently used out first."""

    def __init__(self, size: int) -> None:
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


class CompressedPages:
    """Flask-Compress's cache backend: compressed bytes of kept pages that are the same for every visitor.

    Flask-Compress asks with ``"<algorithm>;<key>"``; an empty key (any other answer) is never kept.
    """

    def __init__(self, size: int) -> None:
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";"):
            return
        with self._lock:
            self._bodies[key] = value
            self._bodies.move_to_end(key)
            while len(self._bodies) > self._size:
                self._bodies.popitem(last=False)


def _next_after(column, now: datetime, *conditions):
    return select(func.min(column)).where(column > now, *conditions).scalar_subquery()


def next_change_by_clock(now: datetime) -> datetime | None:
    """Return the first moment after ``now`` at which time alone changes a page, or None if none is due.

    Availability changes when a hold or a waiting-list offer runs out, a cohort's status when it starts
    and when its lessons end. A lesson's end needs its length, so lessons begun already come in a second
    query, bounded by the longest lesson; lessons not begun yet count by their start, which is sooner.
    """
    *moments, longest = db.session.execute(select(
        _next_after(Hold.expires_at, now),
        _next_after(WaitlistEntry.offer_expires_at, now, WaitlistEntry.status == "offered"),
        _next_after(Cohort.starts_at, now),
        _next_after(CohortSession.starts_at, now),
        select(func.max(CohortSession.duration_minutes)).scalar_subquery(),
    )).one()
    running = db.session.execute(
        select(CohortSession.starts_at, CohortSession.duration_minutes)
        .where(CohortSession.starts_at <= now, CohortSession.starts_at > now - timedelta(minutes=longest or 0))
    ).all()
    moments += [start + timedelta(minutes=minutes) for start, minutes in running]
    return min((moment for moment in moments if moment is not None and moment > now), default=None)
