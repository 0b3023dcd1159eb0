"""The audit log: who changed what and when, written in the same transaction as the change."""
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEntry
from .paging import Page, paginate


def record(actor_id: int | None, action: str, target: str = "", *, now: datetime | None = None,
           **details) -> AuditEntry:
    """Add an entry for a staff action to the current transaction (only flushes)."""
    entry = AuditEntry(actor_id=actor_id, action=action, target=target[:120],
                       details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str))
    if now is not None:
        entry.created_at = now
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_log(page: int, action: str = "") -> Page:
    """Return a page of the audit log, newest first, optionally only actions starting with ``action``."""
    statement = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if action:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    return paginate(statement, page)


def details_of(entry: AuditEntry) -> dict:
    """Return an entry's details as a dict (empty when they are not JSON)."""
    try:
        value = json.loads(entry.details or "{}")
    except ValueError:
        return {"text": entry.details}
    return value if isinstance(value, dict) else {"value": value}
