"""The dummy provider: a TEST MODE page on the shop itself that drives the real fulfilment code."""
import hashlib
import secrets
from datetime import datetime

from ..mail.compose import external_url
from ..models import Order
from .gateway import CheckoutStart, SessionState, recorded_state


class DummyGateway:
    """Like Saleor's dummy gateway: no network, no money, the same fulfilment path as Stripe."""

    name = "dummy"
    min_hold_minutes = 0
    refunds_by_hand = False
    instructions_email = None

    def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutStart:
        reference = f"dummy_{secrets.token_urlsafe(12)}"
        return CheckoutStart(reference, external_url("payments.dummy_page", locale=order.locale, reference=reference))

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState:
        return recorded_state(self.name, reference)

    def expire(self, reference: str) -> None:
        return None  # nothing to close: the page refuses to pay a replaced order

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str:
        # Like a real provider, the same idempotency key answers with the same refund.
        return "dummy_re_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
