"""Reading the catalogue for the storefront: browse, search, sort, paginate — in fixed queries."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..inputs import page_number
from ..inventory.services import available_units
from ..models import Category, Course, Product
from .search import matching_courses, query_terms, rank

PAGE_SIZE = 12
MAX_QUERY_LENGTH = 100
SORTS = {
    "price": (Product.price_minor.asc(), Product.id.asc()),
    "-price": (Product.price_minor.desc(), Product.id.asc()),
    "new": (Product.created_at.desc(), Product.id.desc()),
    "": (Product.is_featured.desc(), Category.position.asc(), Product.id.asc()),
}


@dataclass(frozen=True)
class ProductCard:
    """A product as a shelf shows it: the row and its units available now."""

    product: Product
    available: int


@dataclass(frozen=True)
class CatalogPage:
    cards: list[ProductCard]
    page: int
    pages: int
    total: int
    category: Category | None
    query: str
    sort: str
    courses: list[Course] = field(default_factory=list)


def clean_page(raw: str | None) -> int:
    """Return a page number of at least 1 from any query-string value."""
    return page_number(raw)


def clean_query(raw: str | None) -> str:
    """Return the search words trimmed to a sensible length."""
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def _cards(rows) -> list[ProductCard]:
    return [ProductCard(product, max(units, 0)) for product, units in rows]


def active_products(now: datetime):
    """Return a select of active products with their available units, pictures loaded in one more query."""
    return (
        select(Product, available_units(now))
        .join(Product.category)
        .where(Product.is_active.is_(True))
        .options(selectinload(Product.images), selectinload(Product.course))
    )


def browse(*, now: datetime, category: str | None = None, query: str | None = None, sort: str | None = None,
           page: str | None = None) -> CatalogPage:
    """Return one page of the catalogue; nonsense parameters fall back to defaults.

    With search words, the best matches come first unless the shopper chose a sort.
    """
    words = clean_query(query)
    sort_key = sort if sort in SORTS else ""
    chosen = db.session.scalar(select(Category).where(Category.slug == category)) if category else None
    statement = active_products(now)
    if chosen is not None:
        statement = statement.where(Product.category_id == chosen.id)
    terms = query_terms(words)
    order = SORTS[sort_key]
    if terms:
        ranking = rank(Product, terms)
        statement = statement.where(ranking.matches)
        order = order if sort_key else (ranking.terms_matched.desc(), ranking.terms_in_name.desc(), *order)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(clean_page(page), pages)
    rows = db.session.execute(
        statement.order_by(*order).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    ).all()
    courses = matching_courses(terms) if number == 1 else []
    return CatalogPage(_cards(rows), number, pages, total, chosen, words, sort_key, courses)


def categories() -> list[Category]:
    """Return all categories in shelf order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def featured(now: datetime, limit: int = 8) -> list[ProductCard]:
    """Return featured kits for the home page."""
    rows = db.session.execute(
        active_products(now).order_by(Product.is_featured.desc(), Product.id).limit(limit)
    ).all()
    return _cards(rows)


def product_card(slug: str, now: datetime) -> ProductCard | None:
    """Return the active product with ``slug`` and its availability, or None."""
    row = db.session.execute(
        active_products(now).where(Product.slug == slug)
    ).first()
    return ProductCard(row[0], max(row[1], 0)) if row else None


def related(product: Product, now: datetime, limit: int = 4) -> list[ProductCard]:
    """Return other active products of the same category."""
    rows = db.session.execute(
        active_products(now)
        .where(Product.category_id == product.category_id, Product.id != product.id)
        .order_by(Product.is_featured.desc(), Product.id).limit(limit)
    ).all()
    return _cards(rows)


def stock_label(available: int) -> tuple[str, int]:
    """Return ``("sold_out"|"few"|"in_stock", n)`` for the shelf label."""
    if available <= 0:
        return "sold_out", 0
    if available <= 5:
        return "few", available
    return "in_stock", available


