"""Shared steps of the staff-area tests: orders paid through the real checkout, a gateway that records its calls."""
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, Payment
from tests.factories import make_product
from tests.views.helpers import add, check_out, path_of


def paid_order(app, product=None, quantity: int = 1, *, cohort=None, delivery: str = "courier", **buyer) -> Order:
    """Buy through the shop's own pages with a fresh browser and the dummy provider; return the paid order."""
    client = app.test_client()
    add(client, product, quantity, cohort=cohort)
    details = {"delivery_method": delivery, **buyer}
    if delivery == "pickup":
        details.update(city="", address="")
    response = check_out(client, **details)
    assert response.status_code == 303, response.data[:500]
    client.post(path_of(response), data={"outcome": "pay"})
    order = db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))
    db.session.refresh(order)
    assert order.payment_status == "paid", order.needs_attention
    return order



def pending_order(app) -> tuple[Order, Payment]:
    """Check out one kit through the shop's own pages with a fresh browser; return the unpaid order and its page."""
    client = app.test_client()
    add(client, make_product(stock=5), 1)
    check_out(client)
    order = db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))
    return order, db.session.scalar(select(Payment).where(Payment.order_id == order.id))


class RecordingGateway:
    """The dummy provider's refunds, noting each call and whether a database transaction was open during it."""

    name = "dummy"
    refunds_by_hand = False

    def __init__(self, fail: Exception | None = None):
        self.calls: list[tuple[str, int, str]] = []
        self.in_transaction: list[bool] = []
        self.fail = fail

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str:
        self.in_transaction.append(db.session().in_transaction())
        self.calls.append((payment_intent, amount_minor, idempotency_key))
        if self.fail is not None:
            raise self.fail
        return f"dummy_re_{len(self.calls)}_{idempotency_key[-12:]}"
