"""The records a page of audit entries names, looked up in one query per kind of record, never one per entry.

An entry's target is ``kind:key`` (``product:12``, ``order:<public id>``, ``cohort:3``…); each becomes a
`Subject`: its name as staff know it and the staff page it lives on (an endpoint and its arguments, turned
into a URL by the template).
"""
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import to_local
from ..extensions import db
from ..i18n import current_locale
from ..inputs import MAX_ID, whole_number
from ..models import AuditEntry, Category, Cohort, Course, Order, Product, PromoCode, User
from ..pages.services import PAGE_TITLES
from .audit_changes import REFERENCES


@dataclass(frozen=True)
class Subject:
    """A record an entry is about: its name in words and its staff page (None: it has none, or is gone)."""

    name: str
    endpoint: str | None = None
    args: dict = field(default_factory=dict)


FIXED = {"shop_details": (_l("the shop's details"), "admin.shop_details"),
         "search_synonym": (_l("the search synonyms"), "admin.search_synonyms")}


def _split(target: str) -> tuple[str, str]:
    kind, _, key = (target or "").partition(":")
    return kind, key


def _ids(keys: Iterable[str]) -> set[int]:
    return {number for number in map(whole_number, keys) if number is not None}


def cohort_name(title: str, starts_at) -> str:
    """Return a cohort as staff call it: its course and its first day in Almaty."""
    return f"{title}, {format_date(to_local(starts_at).date(), 'd MMMM y')}"


def _enrolment_cohorts(entries: list[AuditEntry]) -> dict[str, int]:
    """Return each enrolment target's cohort id, which its entry's details name."""
    found = {}
    for entry in entries:
        if _split(entry.target)[0] == "enrolment":
            try:
                cohort = json.loads(entry.details or "{}").get("cohort")
            except (ValueError, AttributeError):
                continue
            if isinstance(cohort, int) and not isinstance(cohort, bool) and 0 < cohort <= MAX_ID:
                found[entry.target] = cohort
    return found


def _referenced(entries: list[AuditEntry]) -> dict[str, set[str]]:
    """Return the ids of the records an edit's details name (its old and new category, course, kit), by kind."""
    found: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        try:
            details = json.loads(entry.details or "{}")
        except ValueError:
            continue
        if not isinstance(details, dict):
            continue
        for field_name, kind in REFERENCES.items():
            change = details.get(field_name)
            for value in change if isinstance(change, list) else [change]:
                if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
                    found[kind].add(str(value))
    return found


def _named(model, column, keys: set, locale: str) -> dict:
    if not keys:
        return {}
    return {obj.id: obj.tr(column, locale) for obj in db.session.scalars(select(model).where(model.id.in_(keys)))}


def _cohorts(ids: set[int], locale: str) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Cohort.id, Cohort.starts_at, Course).join(Course).where(Cohort.id.in_(ids)))
    return {cohort_id: cohort_name(course.tr("title", locale), starts_at) for cohort_id, starts_at, course in rows}


def _orders(public_ids: set[str]) -> dict[str, tuple[int, int]]:
    if not public_ids:
        return {}
    rows = db.session.execute(select(Order.public_id, Order.id, Order.number).where(Order.public_id.in_(public_ids)))
    return {public_id: (order_id, number) for public_id, order_id, number in rows}


def _simple(model, column, ids: set[int]) -> dict:
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def subjects(entries: list[AuditEntry]) -> dict[str, Subject]:
    """Return the `Subject` of each entry's target (and of the cohorts their details name), keyed by target."""
    locale = current_locale()
    keys: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        kind, key = _split(entry.target)
        keys[kind].add(key)
    for kind, ids in _referenced(entries).items():
        keys[kind] |= ids
    enrolments = _enrolment_cohorts(entries)
    cohort_ids = _ids(keys["cohort"]) | set(enrolments.values())
    products = _named(Product, "name", _ids(keys["product"]), locale)
    courses = _named(Course, "title", _ids(keys["course"]), locale)
    categories = _named(Category, "name", _ids(keys["category"]), locale)
    cohorts = _cohorts(cohort_ids, locale)
    orders = _orders(keys["order"])
    users = {user_id: full_name or email for user_id, full_name, email in db.session.execute(
        select(User.id, User.full_name, User.email).where(User.id.in_(_ids(keys["user"]))))} if keys["user"] else {}
    codes = _simple(PromoCode, PromoCode.code, _ids(keys["promo_code"]))
    found = {f"cohort:{cohort_id}": Subject(name, "admin.cohort", {"cohort_id": cohort_id})
             for cohort_id, name in cohorts.items()}
    found |= {f"product:{i}": Subject(name, "admin.product", {"product_id": i}) for i, name in products.items()}
    found |= {f"course:{i}": Subject(name, "admin.course", {"course_id": i}) for i, name in courses.items()}
    found |= {f"category:{i}": Subject(name, "admin.category", {"category_id": i}) for i, name in categories.items()}
    found |= {f"promo_code:{i}": Subject(code, "admin.promo_code", {"code_id": i}) for i, code in codes.items()}
    found |= {f"user:{i}": Subject(name, "admin.staff") for i, name in users.items()}
    found |= {f"order:{public_id}": Subject(str(number), "admin.order", {"order_id": order_id})
              for public_id, (order_id, number) in orders.items()}
    found |= {f"customer:{email}": Subject(email, "admin.customer", {"email": email}) for email in keys["customer"]}
    found |= {f"page:{slug}": Subject(str(PAGE_TITLES[slug]), "admin.info_page", {"slug": slug})
              for slug in keys["page"] if slug in PAGE_TITLES}
    for target, cohort_id in enrolments.items():
        if cohort_id in cohorts:
            found[target] = Subject(cohorts[cohort_id], "admin.roster", {"cohort_id": cohort_id})
    return found


def subject_of(target: str, found: dict[str, Subject]) -> Subject:
    """Return the subject of ``target``; one no longer there keeps its raw name and no link."""
    if target in found:
        return found[target]
    kind, _key = _split(target)
    if kind in FIXED:
        label, endpoint = FIXED[kind]
        return Subject(str(label), endpoint)
    return Subject(target or "—")
