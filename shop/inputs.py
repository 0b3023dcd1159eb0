"""Whole numbers and texts as clients send them: ASCII digits only, within what the database can hold.

``str.isdigit()`` is True for ``²`` and ``٣``, which ``int()`` then refuses or reads in another script, and an id
beyond the INTEGER column's range fails in PostgreSQL rather than finding nothing; so every number read from a
route, a query string, a form or a session goes through here.
"""
import re

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL
MAX_PAGE = 10**6
_ASCII_WHOLE = re.compile(r"[0-9]{1,18}")
# Unicode's control characters (C0, DEL, C1), its line and paragraph separators (str.splitlines() and e-mail
# headers break lines on them) and lone surrogates (a JSON body can carry them; no database can store them).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_CONTROL_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
_CONTROL_BUT_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def whole_number(raw, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """Return ``raw`` as an int when it is ASCII digits within [minimum, maximum], else None."""
    if not isinstance(raw, str) or not _ASCII_WHOLE.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def page_number(raw) -> int:
    """Return a page number of at least 1 from any query-string value."""
    return whole_number(raw, minimum=1, maximum=MAX_PAGE) or 1


def has_control(text: str, *, keep_line_breaks: bool = False) -> bool:
    """Return True when ``text`` holds a control character; ``keep_line_breaks`` allows tab, CR and LF."""
    return (_CONTROL_BUT_BREAKS if keep_line_breaks else _CONTROL).search(text) is not None


def one_line(text, *, limit: int | None = None) -> str:
    """Return ``text`` on one line, each run of control characters and line breaks made one space."""
    cleaned = _CONTROL_RUN.sub(" ", "" if text is None else str(text)).strip()
    return cleaned[:limit] if limit is not None else cleaned


def without_control(text) -> str:
    """Return ``text`` with its control characters removed, keeping tab, CR and LF."""
    return _CONTROL_BUT_BREAKS.sub("", "" if text is None else str(text))
