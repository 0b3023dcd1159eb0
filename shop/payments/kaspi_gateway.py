"""Kaspi by invoice: the buyer pays an invoice staff send to their Kaspi app; staff confirm it in the staff area.

Kaspi has no public self-serve e-commerce API, so nothing here goes over the network: the "payment page" is
the shop's own page telling the buyer what happens next, and refunds are made in Kaspi's business app by
staff, who record its reference (``refunds_by_hand``).
"""
import secrets
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..mail.compose import external_url
from ..models import Order, Payment
from .gateway import CheckoutStart, SessionState


class KaspiGateway:
    """Holds the order for ``hold_minutes`` while staff wait for the buyer to pay the Kaspi invoice."""

    name = "kaspi"
    refunds_by_hand = True
    instructions_email = "kaspi_invoice"

    def __init__(self, hold_minutes: int = 120):
        self.min_hold_minutes = hold_minutes

    def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutStart:
        reference = f"kaspi_{secrets.token_urlsafe(12)}"
        return CheckoutStart(reference, external_url("payments.kaspi_page", locale=order.locale, reference=reference))

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState:
        payment = db.session.scalar(select(Payment).where(Payment.provider == self.name,
                                                          Payment.reference == reference))
        if payment is None:
            return SessionState(reference, "", False, False, "", 0)
        order = db.session.get(Order, payment.order_id)
        return SessionState(reference, order.public_id, payment.status == "paid", payment.status == "expired",
                            payment.payment_intent, payment.amount_minor)

    def expire(self, reference: str) -> None:
        return None  # an unpaid invoice simply lapses; staff cannot confirm a cancelled order

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str:
        raise NotImplementedError("Kaspi refunds are made in Kaspi's app and recorded by staff")
