"""The dashboard's figures against orders whose amounts and payment times are known, in Almaty days."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from shop.admin.dashboard import CHART_BOTTOM, CHART_TOP, bar_chart, dashboard
from shop.clock import almaty
from shop.extensions import db
from shop.models import Order
from shop.orders.refunds import RefundRequest, refund_order
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_cohort, make_product
from tests.views.helpers import add, check_out

NOW = almaty(2025, 3, 15, 12, 0)  # noon in Almaty, 07:00 UTC


def _paid(app, total_tenge: int, paid_at: datetime, **kwargs) -> Order:
    order = paid_order(app, make_product(stock=5, price=total_tenge * 100), 1, delivery="pickup", **kwargs)
    db.session.execute(update(Order).where(Order.id == order.id).values(paid_at=paid_at))
    db.session.commit()
    return order


def test_revenue_today_and_this_month_count_orders_by_their_almaty_payment_day(app):
    _paid(app, 1000, almaty(2025, 3, 15, 0, 30))   # today in Almaty, still the 14th in UTC
    _paid(app, 2000, almaty(2025, 3, 15, 11, 0))   # today
    _paid(app, 4000, almaty(2025, 3, 14, 23, 30))  # yesterday, though the 14th 18:30 UTC
    _paid(app, 8000, almaty(2025, 3, 1, 1, 0))     # this month, though still February in UTC
    _paid(app, 16000, almaty(2025, 2, 28, 23, 0))  # last month, inside the 30-day chart
    board = dashboard(NOW)
    assert board.today_minor == 300000
    assert board.month_minor == 1500000
    chart = {bar.day: bar.amount_minor for bar in board.chart.bars}
    assert len(chart) == 30 and max(chart) == datetime(2025, 3, 15).date()
    assert chart[datetime(2025, 3, 15).date()] == 300000
    assert chart[datetime(2025, 3, 14).date()] == 400000
    assert chart[datetime(2025, 3, 1).date()] == 800000
    assert chart[datetime(2025, 2, 28).date()] == 1600000
    assert sum(chart.values()) == 3100000


def test_unpaid_and_cancelled_orders_are_not_revenue(app, client):
    add(client, make_product(stock=5, price=500000), 1)
    check_out(client)
    db.session.execute(update(Order).values(paid_at=almaty(2025, 3, 15, 9, 0)))  # a pending order is not paid
    db.session.commit()
    assert dashboard(NOW).today_minor == 0


def test_refunds_are_shown_beside_revenue_on_the_day_they_were_made(app):
    order = _paid(app, 5000, almaty(2025, 3, 15, 9, 0))
    refund_order(RefundRequest(order.id, 120000, "Broken pot", {}), gateway=RecordingGateway(), actor_id=None,
                 now=almaty(2025, 3, 15, 10, 0))
    board = dashboard(NOW)
    assert (board.today_minor, board.today_refunds_minor, board.month_refunds_minor) == (500000, 120000, 120000)


def test_orders_waiting_to_be_packed_are_paid_orders_with_kits(app):
    kit = _paid(app, 1000, almaty(2025, 3, 15, 9, 0))
    paid_order(app, cohort=make_cohort(), quantity=1)  # seats only: nothing to pack
    assert [order.id for order in dashboard(NOW).to_pack] == [kit.id]


def test_low_stock_and_cohort_fill_are_on_the_dashboard(app, now):
    low = make_product(stock=2, threshold=3)
    make_product(stock=9, threshold=3)
    cohort = make_cohort(capacity=4, starts_at=now + timedelta(days=5))
    paid_order(app, cohort=cohort, quantity=3)
    board = dashboard(now)
    assert [level.product.id for level in board.low_stock] == [low.id]
    [row] = board.cohorts
    assert (row.cohort.id, row.enrolled, row.seats_left, row.fill_percent) == (cohort.id, 3, 1, 75)


def test_the_chart_scales_bars_to_the_best_day():
    day = datetime(2025, 3, 1, tzinfo=UTC).date()
    chart = bar_chart({day: 0, day + timedelta(days=1): 50, day + timedelta(days=2): 100})
    heights = [bar.height for bar in chart.bars]
    assert heights == [0, (CHART_BOTTOM - CHART_TOP) / 2, CHART_BOTTOM - CHART_TOP]
    assert chart.bars[2].y == CHART_TOP and chart.max_minor == 100
    assert all(bar.x + bar.width <= chart.width for bar in chart.bars)


def test_a_chart_of_no_sales_has_flat_bars():
    day = datetime(2025, 3, 1).date()
    assert [bar.height for bar in bar_chart({day: 0, day + timedelta(days=1): 0}).bars] == [0, 0]
