"""Customers (a small CRM): everyone who bought or has an account, with orders, course places and money spent.

A customer is an e-mail address: guests who checked out without an account count too, and
an account's orders are found by its e-mail as well as by its id. The lists are aggregated
in a few grouped queries and merged here; searching folds case in every script, which
SQLite's LOWER() cannot do for Cyrillic.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..clock import to_local
from ..errors import NotFound
from ..extensions import db
from ..models import Enrolment, Order, Refund, User
from ..models.catalog import searchable
from ..orders.status import PAID_STATUSES
from .csvfile import csv_bytes
from .paging import Page


@dataclass
class Customer:
    """One buyer or account holder, keyed by e-mail."""

    email: str
    full_name: str = ""
    phone: str = ""
    orders: int = 0
    paid_minor: int = 0
    refunded_minor: int = 0
    enrolments: int = 0
    last_order_at: datetime | None = None
    user: User | None = None
    search_text: str = field(default="", repr=False)

    @property
    def spent_minor(self) -> int:
        return self.paid_minor - self.refunded_minor


def _customers() -> dict[str, Customer]:
    email = func.lower(Order.email)
    found: dict[str, Customer] = {}
    for key, name, phone, count, paid, last in db.session.execute(
        select(email, func.max(Order.full_name), func.max(Order.phone), func.count(Order.id),
               func.coalesce(func.sum(Order.total_minor), 0), func.max(Order.created_at))
        .where(Order.payment_status.in_(PAID_STATUSES)).group_by(email)
    ):
        found[key] = Customer(key, name, phone, count, paid, last_order_at=last)
    for key, refunded in db.session.execute(
        select(email, func.sum(Refund.amount_minor)).join(Order, Order.id == Refund.order_id).group_by(email)
    ):
        found.setdefault(key, Customer(key)).refunded_minor = refunded
    enrolled = func.lower(Enrolment.email)
    for key, count in db.session.execute(
        select(enrolled, func.count(Enrolment.id)).where(Enrolment.status == "active").group_by(enrolled)
    ):
        found.setdefault(key, Customer(key)).enrolments = count
    for user in db.session.scalars(select(User).where(User.role == "customer")):
        customer = found.setdefault(user.email.lower(), Customer(user.email.lower()))
        customer.user = user
        customer.full_name = user.full_name or customer.full_name
        customer.phone = customer.phone or user.phone
    for customer in found.values():
        customer.search_text = searchable(" ".join((customer.email, customer.full_name, customer.phone)))
    return found


def find_customers(query: str = "") -> list[Customer]:
    """Return the customers whose e-mail, name or phone contain the words, the biggest spenders first."""
    words = searchable(query).split()
    matches = [customer for customer in _customers().values()
               if all(word in customer.search_text for word in words)]
    return sorted(matches, key=lambda c: (-c.spent_minor, c.last_order_at is None, c.email))


def customer_page(query: str, page: int, per_page: int = 50) -> Page:
    """Return one page of `find_customers`."""
    matches = find_customers(query)
    pages = max(1, -(-len(matches) // per_page))
    page = min(max(page, 1), pages)
    return Page(matches[(page - 1) * per_page:page * per_page], page, pages, len(matches))


@dataclass(frozen=True)
class CustomerFile:
    customer: Customer
    orders: list[Order]
    enrolments: list[Enrolment]


def customer_file(email: str) -> CustomerFile:
    """Return one customer with every order and course place under their e-mail or account; raise NotFound."""
    key = email.strip().lower()
    customer = _customers().get(key)
    if customer is None:
        raise NotFound()
    owner = [func.lower(Order.email) == key]
    if customer.user is not None:
        owner.append(Order.user_id == customer.user.id)
    orders = db.session.scalars(select(Order).where(or_(*owner)).options(selectinload(Order.lines))
                                .order_by(Order.created_at.desc())).all()
    enrolments = db.session.scalars(select(Enrolment).where(func.lower(Enrolment.email) == key)
                                    .order_by(Enrolment.created_at.desc())).all()
    return CustomerFile(customer, list(orders), list(enrolments))


def _tenge(amount_minor: int) -> str:
    # A decimal comma, as Excel expects next to semicolon separators.
    return f"{amount_minor / 100:.2f}".replace(".", ",")


def customers_csv(query: str = "") -> bytes:
    """Return the customers matching ``query`` as CSV for Excel (amounts in tenge)."""
    header = [_("E-mail"), _("Name"), _("Phone"), _("Paid orders"), _("Spent, ₸"), _("Refunded, ₸"),
              _("Course places"), _("Last order"), _("Has an account")]
    rows = [[c.email, c.full_name, c.phone, c.orders, _tenge(c.spent_minor), _tenge(c.refunded_minor), c.enrolments,
             to_local(c.last_order_at).strftime("%Y-%m-%d %H:%M") if c.last_order_at else "",
             _("yes") if c.user is not None and c.user.password_hash else _("no")]
            for c in find_customers(query)]
    return csv_bytes(header, rows)
