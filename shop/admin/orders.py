"""Orders in the staff area: the filtered list, one order's story, and moving it on (packed, shipped…)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..clock import ALMATY
from ..database import is_postgres, unit_of_work
from ..errors import InvalidTransition, NotFound, ShopError
from ..extensions import db
from ..models import Enrolment, Order, OrderEvent, Payment, Refund, StockMovement
from ..orders.status import STAFF_MOVES, TRANSITIONS, change_status
from ..payments.refunds import refunded_total
from .audit import record
from .notify import queue_status_email
from .paging import Page, paginate

_PICKUP_ONLY = {"ready_for_pickup", "picked_up"}
_DELIVERY_ONLY = {"shipped", "delivered"}
_FULFILMENT = {"paid", "packed", "shipped", "delivered", "ready_for_pickup", "picked_up"}


class TrackingNeeded(ShopError):
    message = _l("Enter the tracking number of the parcel before marking it shipped.")


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    delivery_method: str = ""
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""


def almaty_day_start(day: date) -> datetime:
    """Return the UTC moment an Almaty calendar day begins."""
    return datetime.combine(day, time(), tzinfo=ALMATY).astimezone(timezone.utc)


def order_list(filters: OrderFilter, page: int) -> Page:
    """Return a page of orders, newest first, filtered by status, delivery, Almaty dates and words."""
    statement = select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    if filters.status:
        statement = statement.where(Order.status == filters.status)
    if filters.delivery_method:
        statement = statement.where(Order.delivery_method == filters.delivery_method)
    if filters.date_from:
        statement = statement.where(Order.created_at >= almaty_day_start(filters.date_from))
    if filters.date_to:
        statement = statement.where(Order.created_at < almaty_day_start(filters.date_to + timedelta(days=1)))
    if filters.query:
        words = filters.query.strip().lower()
        statement = statement.where(or_(Order.email.contains(words, autoescape=True),
                                        func.lower(Order.public_id).startswith(words, autoescape=True),
                                        Order.full_name.icontains(words, autoescape=True)))
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


def _fulfilment_status(order: Order) -> str:
    """Return how far packing and delivery got, even when a partial refund is the latest status."""
    if order.status != "partially_refunded":
        return order.status
    for event in reversed(order.events):
        if event.to_status in _FULFILMENT:
            return event.to_status
    return "paid"


def next_moves(order: Order) -> list[str]:
    """Return the statuses staff may move this order to next, for its way of delivery."""
    if not order.needs_delivery:
        return []
    skip = _DELIVERY_ONLY if order.delivery_method == "pickup" else _PICKUP_ONLY
    allowed = TRANSITIONS.get(order.status, set())
    return [move for move in STAFF_MOVES.get(_fulfilment_status(order), []) if move not in skip and move in allowed]


def _lock_order(order_id: int) -> Order:
    statement = select(Order).where(Order.id == order_id)
    if is_postgres():
        statement = statement.with_for_update()
    order = db.session.scalar(statement)
    if order is None:
        raise NotFound()
    return order


def advance_order(order_id: int, to_status: str, *, tracking_number: str = "", note: str = "",
                  actor_id: int | None, now: datetime) -> Order:
    """Move an order one step on (packed, shipped with its tracking number…) and e-mail the buyer."""
    with unit_of_work():
        order = _lock_order(order_id)
        if to_status not in next_moves(order):
            raise InvalidTransition()
        tracking = tracking_number.strip()
        if to_status == "shipped":
            if order.delivery_method == "post" and not tracking:
                raise TrackingNeeded()
            order.tracking_number = tracking
        from_status = order.status
        change_status(order, to_status, now=now, actor_id=actor_id, note=note.strip())
        db.session.flush()
        queue_status_email(order, dedupe_key=f"order-status:{order.id}:{order.events[-1].id}")
        record(actor_id, "order.status", f"order:{order.public_id}", now=now, status=[from_status, to_status],
               tracking=tracking or None)
    return order
