"""Reading the audit log in the staff area (`shop.audit.record` writes it; `audit_words` puts it in words)."""
import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEntry, User
from .orders import almaty_day_start
from .paging import Page, paginate

NO_PERSON = 0  # the person filter's value for entries no staff member made (payments, the shop's own jobs)

# Kinds of action staff filter by: each a label and the actions (exact names, or prefixes ending in ".") it holds.
KINDS: dict[str, tuple] = {
    "stock": (_l("Stock"), ("stock.",)),
    "orders": (_l("Orders and customers"), ("order.paid", "order.status", "order.kaspi_cancel",
                                            "enrolment.cancel_for_order", "note.add")),
    "refunds": (_l("Refunds"), ("order.refund",)),
    "cohorts": (_l("Cohorts and learners"), ("cohort.", "enrolment.cancel")),
    "catalogue": (_l("Catalogue and promo codes"), ("product.", "course.", "category.", "promo_code.",
                                                    "search_synonyms.")),
    "content": (_l("Information pages and shop details"), ("page.", "shop_details.")),
    "team": (_l("Team"), ("staff.",)),
}


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page shows: a person (None: anyone, `NO_PERSON`: no one), a kind, Almaty dates, a prefix."""

    person: int | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    action: str = ""


def _matches(action: str) -> ColumnElement[bool]:
    if action.endswith("."):
        return AuditEntry.action.startswith(action, autoescape=True)
    return AuditEntry.action == action


def kind_of(action: str) -> str:
    """Return the kind an action belongs to ('' when none)."""
    for kind, (_label, actions) in KINDS.items():
        if any(action.startswith(name) if name.endswith(".") else action == name for name in actions):
            return kind
    return ""


def audit_log(filters: AuditFilter, page: int) -> Page:
    """Return a page of the audit log, newest first, narrowed by ``filters`` (unknown values narrow nothing)."""
    statement = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if filters.person == NO_PERSON:
        statement = statement.where(AuditEntry.actor_id.is_(None))
    elif filters.person is not None:
        statement = statement.where(AuditEntry.actor_id == filters.person)
    if filters.kind in KINDS:
        statement = statement.where(or_(false(), *map(_matches, KINDS[filters.kind][1])))
    if filters.date_from:
        statement = statement.where(AuditEntry.created_at >= almaty_day_start(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditEntry.created_at < almaty_day_start(filters.date_to + timedelta(days=1)))
    if filters.action:
        statement = statement.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    return paginate(statement, page)


def audit_people() -> list[User]:
    """Return everyone who has an entry in the log, staff now or once, by name."""
    actors = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(actors)).order_by(User.full_name,
                                                                                   User.email)))


def details_of(entry: AuditEntry) -> dict:
    """Return an entry's details as a dict (empty when they are not JSON)."""
    try:
        value = json.loads(entry.details or "{}")
    except ValueError:
        return {"text": entry.details}
    return value if isinstance(value, dict) else {"value": value}
