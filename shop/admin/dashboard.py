"""The staff dashboard: revenue by Almaty day, orders to pack, low stock, cohorts filling up, and a chart.

Revenue counts an order on the Almaty day it was paid, at its total; refunds are counted on
the day they were made and shown beside it. The chart is drawn here as SVG geometry so the
page needs no script.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..clock import to_local
from ..extensions import db
from ..models import Order, OrderLine, Refund
from ..orders.status import FULFILLABLE, PAID_STATUSES
from .cohorts import CohortRow, upcoming_fill
from .orders import almaty_day_start
from .stock import StockLevel, low_stock

CHART_DAYS = 30
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_SIDE = 720, 240, 20, 200, 20


@dataclass(frozen=True)
class Bar:
    day: date
    amount_minor: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    max_minor: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    baseline: int = CHART_BOTTOM

    @property
    def total_minor(self) -> int:
        return sum(bar.amount_minor for bar in self.bars)


@dataclass(frozen=True)
class Dashboard:
    today_minor: int
    month_minor: int
    today_refunds_minor: int
    month_refunds_minor: int
    to_pack: list[Order]
    low_stock: list[StockLevel]
    cohorts: list[CohortRow]
    chart: Chart


def daily_revenue(start_day: date, end_day: date) -> dict[date, int]:
    """Return revenue per Almaty day from ``start_day`` to ``end_day`` inclusive (days without sales are 0)."""
    rows = db.session.execute(
        select(Order.paid_at, Order.total_minor)
        .where(Order.payment_status.in_(PAID_STATUSES), Order.paid_at >= almaty_day_start(start_day),
               Order.paid_at < almaty_day_start(end_day + timedelta(days=1)))
    ).all()
    days = {start_day + timedelta(days=n): 0 for n in range((end_day - start_day).days + 1)}
    for paid_at, total in rows:
        days[to_local(paid_at).date()] += total
    return days


def _refunds_since(start: datetime) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(Refund.created_at >= start))


def bar_chart(series: dict[date, int]) -> Chart:
    """Lay out one bar per day, scaled to the best day, within the SVG's plotting area."""
    top = max(series.values(), default=0)
    slot = (CHART_WIDTH - 2 * CHART_SIDE) / max(len(series), 1)
    plot = CHART_BOTTOM - CHART_TOP
    bars = []
    for index, (day, amount) in enumerate(sorted(series.items())):
        height = round(plot * amount / top, 1) if top else 0
        bars.append(Bar(day, amount, round(CHART_SIDE + index * slot + slot * 0.15, 1), round(CHART_BOTTOM - height, 1),
                        round(slot * 0.7, 1), height))
    return Chart(bars, top)


def orders_to_pack(limit: int = 20) -> list[Order]:
    """Return paid (or partly refunded) orders with kits that nobody has packed yet, oldest first."""
    with_kits = select(OrderLine.order_id).where(OrderLine.product_id.is_not(None))
    return list(db.session.scalars(
        select(Order).where(Order.payment_status.in_(FULFILLABLE), Order.fulfilment_status == "unfulfilled",
                            Order.id.in_(with_kits))
        .order_by(Order.paid_at, Order.id).limit(limit)))


def dashboard(now: datetime) -> Dashboard:
    """Return the dashboard's figures as of ``now``."""
    today = to_local(now).date()
    month_start = today.replace(day=1)
    first_day = min(month_start, today - timedelta(days=CHART_DAYS - 1))
    series = daily_revenue(first_day, today)
    return Dashboard(
        today_minor=series[today],
        month_minor=sum(amount for day, amount in series.items() if day >= month_start),
        today_refunds_minor=_refunds_since(almaty_day_start(today)),
        month_refunds_minor=_refunds_since(almaty_day_start(month_start)),
        to_pack=orders_to_pack(),
        low_stock=low_stock(now, limit=20),
        cohorts=upcoming_fill(now),
        chart=bar_chart({day: amount for day, amount in series.items()
                         if day > today - timedelta(days=CHART_DAYS)}),
    )
