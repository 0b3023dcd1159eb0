"""Orders in the staff area: the filtered list and one order's whole story (its steps are `shop.orders` verbs)."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from ..clock import ALMATY
from ..errors import NotFound
from ..extensions import db
from ..models import Enrolment, Order, OrderEvent, OrderLine, Payment, Refund, StockMovement
from ..orders.numbers import parse_order_number
from ..orders.refunds import refunded_total
from ..orders.status import FULFILLABLE, FULFILMENT_STATUSES
from .paging import Page, paginate


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    delivery_method: str = ""
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""


def almaty_day_start(day: date) -> datetime:
    """Return the UTC moment an Almaty calendar day begins."""
    return datetime.combine(day, time(), tzinfo=ALMATY).astimezone(UTC)


def _state_is(state: str) -> ColumnElement[bool]:
    """Return the condition an order's payment or fulfilment state meets ("to_pack": paid, kits not packed)."""
    if state == "to_pack":
        kits = select(OrderLine.order_id).where(OrderLine.product_id.is_not(None))
        return and_(Order.payment_status.in_(FULFILLABLE), Order.fulfilment_status == "unfulfilled",
                    Order.id.in_(kits))
    if state in FULFILMENT_STATUSES:
        return Order.fulfilment_status == state
    return Order.payment_status == state


def order_list(filters: OrderFilter, page: int) -> Page:
    """Return a page of orders, newest first, filtered by status, delivery, Almaty dates and words."""
    statement = select(Order).options(selectinload(Order.lines)).order_by(Order.created_at.desc(), Order.id.desc())
    if filters.status:
        statement = statement.where(_state_is(filters.status))
    if filters.delivery_method:
        statement = statement.where(Order.delivery_method == filters.delivery_method)
    if filters.date_from:
        statement = statement.where(Order.created_at >= almaty_day_start(filters.date_from))
    if filters.date_to:
        statement = statement.where(Order.created_at < almaty_day_start(filters.date_to + timedelta(days=1)))
    if filters.query:
        words = filters.query.strip().lower()
        number = parse_order_number(words)
        statement = statement.where(or_(Order.email.contains(words, autoescape=True),
                                        func.lower(Order.public_id).startswith(words, autoescape=True),
                                        Order.full_name.icontains(words, autoescape=True),
                                        Order.number == number if number is not None else false()))
    return paginate(statement, page)


@dataclass(frozen=True)
class OrderStory:
    """Everything the order page shows: lines, payments, refunds, history, stock moves and seats."""

    order: Order
    payments: list[Payment]
    refunds: list[Refund]
    refunded_minor: int
    movements: list[StockMovement]
    enrolments: list[Enrolment]

    @property
    def paid_minor(self) -> int:
        return sum(payment.amount_minor for payment in self.payments if payment.status == "paid")

    @property
    def refundable_minor(self) -> int:
        return max(self.paid_minor - self.refunded_minor, 0)


def order_story(order_id: int) -> OrderStory:
    """Return one order with its payments, refunds, history, ledger rows and enrolments; raise NotFound."""
    order = db.session.scalar(select(Order).where(Order.id == order_id).options(
        selectinload(Order.lines), selectinload(Order.events).joinedload(OrderEvent.actor)))
    if order is None:
        raise NotFound()
    payments = db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)).all()
    refunds = db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)).all()
    movements = db.session.scalars(select(StockMovement).where(StockMovement.order_id == order.id)
                                   .order_by(StockMovement.id)).all()
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.order_id == order.id)
                                    .order_by(Enrolment.id)).all()
    return OrderStory(order, list(payments), list(refunds), refunded_total(order), list(movements), list(enrolments))
