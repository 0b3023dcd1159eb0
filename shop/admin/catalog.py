"""Editing the catalogue: products, categories and courses, each change one unit of work with its audit entry."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..audit import record
from ..courses.waitlist import withdraw_offers
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..inventory.services import available_units, release_closed_holds
from ..models import Category, Cohort, Course, Product
from ..models.catalog import searchable
from ..models.common import LOCALES
from .paging import Page, paginate


class SlugTaken(ShopError):
    field = "slug"
    message = _l("This address name is already used; choose another.")


def _texts(*fields: str) -> tuple[str, ...]:
    return tuple(f"{field}_{lang}" for field in fields for lang in LOCALES)


class NotAKitAlone(ShopError):
    field = "kit_alone_id"
    message = _l("Choose another product: a kit sold alone, without a course.")


PRODUCT_FIELDS = ("slug", "category_id", "course_id", "kit_alone_id", "seats_per_unit", "price_minor",
                  "low_stock_threshold", "days_to_harvest", "is_active", "is_featured",
                  *_texts("name", "description", "contents"))
CATEGORY_FIELDS = ("slug", "position", *_texts("name"))
COURSE_FIELDS = ("slug", "topic", "materials_url", "position", "is_active", "keeps_recordings",
                 *_texts("title", "summary", "description", "programme", "teacher", "online_format", "venue_area",
                         "refund_terms"))


def _get(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise NotFound()
    return found


def _apply(obj, values: dict, fields: tuple[str, ...]) -> dict:
    """Set the allowed fields on ``obj``; return {field: [old, new]} of what changed (texts by name only)."""
    changes = {}
    for field in fields:
        if field not in values:
            continue
        value = values[field].strip() if isinstance(values[field], str) else values[field]
        old = getattr(obj, field, None)
        if old != value:
            short = not isinstance(value, str) or len(value) <= 60
            changes[field] = [old, value] if short else "changed"
            setattr(obj, field, value)
    return changes


def _check_slug(model, slug: str, own_id: int | None) -> None:
    taken = db.session.scalar(select(model.id).where(model.slug == slug.strip()))
    if taken is not None and taken != own_id:
        raise SlugTaken()


# --- products ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProductFilter:
    query: str = ""
    category_id: int | None = None
    low_only: bool = False
    include_inactive: bool = True


def product_list(filters: ProductFilter, page: int, now: datetime) -> Page:
    """Return a page of products with their availability, filtered by words, category and low stock."""
    statement = select(Product, available_units(now).label("available")).order_by(Product.is_active.desc(),
                                                                                   Product.id)
    if filters.query:
        words = searchable(filters.query)
        statement = statement.where(or_(Product.search_text.contains(words, autoescape=True),
                                        Product.slug.contains(words, autoescape=True)))
    if filters.category_id:
        statement = statement.where(Product.category_id == filters.category_id)
    if filters.low_only:
        statement = statement.where(Product.on_hand <= Product.low_stock_threshold, Product.is_active.is_(True))
    if not filters.include_inactive:
        statement = statement.where(Product.is_active.is_(True))
    return paginate(statement, page, rows=True)


def save_product(product_id: int | None, values: dict, *, actor_id: int | None, now: datetime) -> Product:
    """Create a product (``product_id`` None) or change one; stock is never set here, only through the ledger."""
    values = {**values, "course_id": values.get("course_id") or None,
              "kit_alone_id": values.get("kit_alone_id") or None, "seats_per_unit": values.get("seats_per_unit") or 1}
    with unit_of_work():
        product = Product(on_hand=0, created_at=now) if product_id is None else _get(Product, product_id)
        _check_slug(Product, values["slug"], product_id)
        _get(Category, values["category_id"])
        if values["course_id"] is not None:
            _get(Course, values["course_id"])
        if values["kit_alone_id"] is not None and (values["kit_alone_id"] == product_id
                                                   or _get(Product, values["kit_alone_id"]).course_id is not None):
            raise NotAKitAlone()
        changes = _apply(product, values, PRODUCT_FIELDS)
        if product_id is None:
            db.session.add(product)
        db.session.flush()
        if not product.is_active:
            release_closed_holds(product_ids=[product.id])
        record(actor_id, "product.create" if product_id is None else "product.update", f"product:{product.id}",
               now=now, **changes)
    return product


# --- categories and courses --------------------------------------------------------------------------

def all_categories() -> list[Category]:
    """Return every category in shelf order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def kits_sold_alone() -> list[Product]:
    """Return the products that include no course, for a kit with a course to name its kit sold alone."""
    return list(db.session.scalars(select(Product).where(Product.course_id.is_(None)).order_by(Product.id)))


def all_courses() -> list[Course]:
    """Return every course, those on offer first."""
    return list(db.session.scalars(select(Course).order_by(Course.is_active.desc(), Course.position, Course.id)))


def _save(model, fields: tuple[str, ...], name: str, object_id: int | None, values: dict, *,
          actor_id: int | None, now: datetime, after=None):
    with unit_of_work():
        obj = model() if object_id is None else _get(model, object_id)
        _check_slug(model, values["slug"], object_id)
        changes = _apply(obj, values, fields)
        if object_id is None:
            db.session.add(obj)
        db.session.flush()
        if after is not None:
            after(obj)
        record(actor_id, f"{name}.create" if object_id is None else f"{name}.update", f"{name}:{obj.id}", now=now,
               **changes)
    return obj


def save_category(category_id: int | None, values: dict, *, actor_id: int | None, now: datetime) -> Category:
    """Create or change a category."""
    return _save(Category, CATEGORY_FIELDS, "category", category_id, values, actor_id=actor_id, now=now)


def save_course(course_id: int | None, values: dict, *, actor_id: int | None, now: datetime) -> Course:
    """Create or change a course (its dated cohorts are edited separately).

    A course taken off offer releases the seats held in its cohorts, and offers to people waiting lapse.
    """
    return _save(Course, COURSE_FIELDS, "course", course_id, values, actor_id=actor_id, now=now,
                 after=_release_if_off_offer)


def _release_if_off_offer(course: Course) -> None:
    if not course.is_active:
        cohort_ids = list(db.session.scalars(select(Cohort.id).where(Cohort.course_id == course.id)))
        release_closed_holds(cohort_ids=cohort_ids)
        withdraw_offers(cohort_ids)
