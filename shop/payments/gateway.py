"""The small interface every payment provider implements (`providers` chooses one)."""
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..models import Order


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
