"""The "free" provider: an order a promo code made free, completed without a payment page (`orders.free`).

It takes no money and opens no page; it exists so the paths that look up an order's provider (refunds, return
receipts, asking about late payments) find one, and each of them finds there is nothing to do.
"""
from datetime import datetime

from ..models import Order
from ..orders.free import NotFree
from ..orders.refunds import NothingToRefund
from .gateway import CheckoutStart, SessionState, recorded_state


class FreeGateway:
    """No network, no money: an order with nothing to pay."""

    name = "free"
    min_hold_minutes = 0
    refunds_by_hand = False
    instructions_email = None

    def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutStart:
        raise NotFree()  # a free order is completed by `orders.free`, never sent to a payment page

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState:
        return recorded_state(self.name, reference)

    def expire(self, reference: str) -> None:
        return None

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str:
        raise NothingToRefund()  # nothing was paid, so no money can go back
