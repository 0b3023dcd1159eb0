"""Reading the audit log in the staff area (`shop.audit.record` writes it)."""
import json

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..models import AuditEntry
from .paging import Page, paginate


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
