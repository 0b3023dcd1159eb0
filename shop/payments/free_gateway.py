"""The "free" provider: an order a promo code made free, completed without a payment page (`orders.free`).

It takes no money and opens no page; it exists so the paths that look up an order's provider (refunds, return
receipts, asking about late payments) find one, and each of them finds there is nothing to do.
"""
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Order, Payment
from ..orders.free import NotFree
from ..orders.refunds import NothingToRefund
from .gateway import CheckoutStart, SessionState


class FreeGateway:
    """No network, no money: an order with nothing to pay."""

    name = "free"
    min_hold_minutes = 0
    refunds_by_hand = False
    instructions_email = None

    def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutStart:
        raise NotFree()  # a free order is completed by `orders.free`, never sent to a payment page

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState:
        payment = db.session.scalar(select(Payment).where(Payment.reference == reference,
                                                          Payment.provider == self.name))
        if payment is None:
            return SessionState(reference, "", False, False, "", 0)
        order = db.session.get(Order, payment.order_id)
        return SessionState(reference, order.public_id, payment.status == "paid", payment.status == "expired", "", 0)

    def expire(self, reference: str) -> None:
        return None

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str:
        raise NothingToRefund()  # nothing was paid, so no money can go back
