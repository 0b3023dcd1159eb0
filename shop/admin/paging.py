"""Pages of long staff lists, counted and cut in the database."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from ..extensions import db
from ..inputs import page_number

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, its number, how many pages and rows there are."""

    items: list
    page: int
    pages: int
    total: int


def clean_page(raw: str | None) -> int:
    """Return a page number of at least 1 from any query-string value."""
    return page_number(raw)


def paginate(statement: Select, page: int, *, per_page: int = PER_PAGE, rows: bool = False) -> Page:
    """Return one page of ``statement``; ``rows`` keeps whole rows instead of the first column."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(page, 1), pages)
    limited = statement.limit(per_page).offset((page - 1) * per_page)
    items = db.session.execute(limited).all() if rows else db.session.scalars(limited).all()
    return Page(list(items), page, pages, total)
