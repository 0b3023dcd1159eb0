"""The small interface every payment provider implements (`providers` chooses one)."""
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from ..extensions import db
from ..models import Order, Payment


@dataclass(frozen=True)
class CheckoutStart:
    """A payment page opened at the provider: its reference and the URL to send the buyer to."""

    reference: str
    url: str


@dataclass(frozen=True)
class SessionState:
    """What the provider says of a payment page now."""

    reference: str
    order_public_id: str
    is_paid: bool
    is_expired: bool
    payment_intent: str
    amount_minor: int


def recorded_state(provider: str, reference: str) -> SessionState:
    """What the shop itself recorded of a payment page, for providers that keep no state of their own
    (the dummy and free providers): the shop's payment row is the truth."""
    payment = db.session.scalar(select(Payment).where(Payment.reference == reference, Payment.provider == provider))
    if payment is None:
        return SessionState(reference, "", False, False, "", 0)
    order = db.session.get(Order, payment.order_id)
    return SessionState(reference, order.public_id, payment.status == "paid", payment.status == "expired", "",
                        payment.amount_minor)


class Gateway(Protocol):
    """A payment provider's adapter. It never changes an order: it tells the caller what the provider said."""

    name: str
    min_hold_minutes: int  # how long an order must hold its items at least, for this provider
    refunds_by_hand: bool  # refunds are made outside the shop (Kaspi's app) and recorded by staff
    instructions_email: str | None  # the e-mail telling the buyer how to pay, when the provider needs one

    def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutStart: ...

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState: ...

    def expire(self, reference: str) -> None: ...

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str: ...
