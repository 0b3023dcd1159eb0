"""Time: UTC everywhere inside, Asia/Almaty only at the edge."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    """Return an aware datetime converted to Asia/Almaty."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ALMATY)


def almaty(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return the UTC moment of a wall-clock time in Almaty."""
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)
