"""Provider events handled once: a notification delivered twice, or retried, changes the shop once."""
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ProcessedEvent


def record_provider_event(event_id: str | None, event_type: str, provider: str = "stripe") -> bool:
    """Record a provider event; return False when it was handled before (only flushes)."""
    if not event_id:
        return True
    if db.session.get(ProcessedEvent, event_id) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ProcessedEvent(id=event_id, type=event_type, provider=provider))
    except IntegrityError:
        return False
    return True
