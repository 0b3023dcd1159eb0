"""The audit log's one writer: who changed what and when, in the same transaction as the change."""
import json
from datetime import datetime

from .extensions import db
from .models import AuditEntry


def record(actor_id: int | None, action: str, target: str = "", *, now: datetime | None = None,
           **details) -> AuditEntry:
    """Add an entry for an action that changed data to the current transaction (only flushes)."""
    entry = AuditEntry(actor_id=actor_id, action=action, target=target[:120],
                       details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str))
    if now is not None:
        entry.created_at = now
    db.session.add(entry)
    db.session.flush()
    return entry
