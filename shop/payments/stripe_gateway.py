"""Stripe Checkout: the only module that imports ``stripe``."""
import logging
from datetime import datetime

import stripe

from ..errors import PaymentFailed, ShopError
from ..mail.compose import external_url
from ..models import Order
from .gateway import CheckoutStart, SessionState

logger = logging.getLogger("shop.stripe")
STRIPE_API_VERSION = "2023-08-16"  # the version whose request schemas the tests check against
TIMEOUT_SECONDS = 10
WEBHOOK_TOLERANCE_SECONDS = 300


class InvalidWebhook(ShopError):
    message = "Invalid Stripe signature"


class MalformedEvent(ShopError):
    """A verified provider event whose body is not the shape its type promises."""

    message = "Malformed Stripe event"


def parse_webhook(payload: bytes, signature: str | None, secret: str | None) -> dict:
    """Return the verified event as a dict; raise InvalidWebhook for a bad or old signature."""
    if not secret or not signature:
        raise InvalidWebhook()
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except (ValueError, stripe.SignatureVerificationError):
        raise InvalidWebhook() from None
    except (AttributeError, TypeError):  # signed, but the JSON is not an object
        raise MalformedEvent("the body is not a JSON object") from None
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)


class StripeGateway:
    """Creates, reads and expires Checkout Sessions and makes refunds, with bounded time and retries."""

    name = "stripe"
    min_hold_minutes = 31  # Stripe refuses a session that expires in under 30 minutes
    refunds_by_hand = False
    instructions_email = None

    def __init__(self, secret_key: str, *, api_base: str | None = None):
        options = {"base_addresses": {"api": api_base}} if api_base else {}
        self.client = stripe.StripeClient(
            secret_key, max_network_retries=2, stripe_version=STRIPE_API_VERSION,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS), **options,
        )

    def _call(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except stripe.StripeError as error:
            logger.warning("Stripe refused or could not be reached: %s", type(error).__name__)
            raise PaymentFailed() from error

    def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutStart:
        params = {
            "mode": "payment",
            "client_reference_id": order.public_id,
            "customer_email": order.email,
            "metadata": {"order_id": order.public_id},
            "payment_intent_data": {"metadata": {"order_id": order.public_id}},
            "line_items": [self._order_line_item(line) for line in order.lines],
            "expires_at": int(expires_at.timestamp()),
            "success_url": (external_url("payments.success", locale=order.locale, order=order.public_id)
                            + "&session_id={CHECKOUT_SESSION_ID}"),
            "cancel_url": external_url("payments.cancelled", locale=order.locale, order=order.public_id),
            "locale": {"kk": "auto"}.get(order.locale, order.locale),
        }
        if order.delivery_fee_minor - order.delivery_discount_minor:
            params["line_items"].append(self._line_item("Доставка / Delivery",
                                                        order.delivery_fee_minor - order.delivery_discount_minor, 1))
        session = self._call(self.client.v1.checkout.sessions.create, params=params,
                             options={"idempotency_key": f"checkout-{order.public_id}"})
        return CheckoutStart(session.id, session.url)

    @classmethod
    def _order_line_item(cls, line) -> dict:
        """Return a line as Stripe charges it: a discounted line as one item of what is paid for it."""
        if not line.discount_minor:
            return cls._line_item(line.name, line.unit_price_minor, line.quantity)
        return cls._line_item(f"{line.name} × {line.quantity}", line.paid_minor, 1)

    @staticmethod
    def _line_item(name: str, unit_amount: int, quantity: int) -> dict:
        return {"quantity": quantity, "price_data": {
            "currency": "kzt", "unit_amount": unit_amount, "product_data": {"name": name[:250]}}}

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState:
        session = self._call(self.client.v1.checkout.sessions.retrieve, reference)
        return session_state(session.to_dict())

    def expire(self, reference: str) -> None:
        session = self._call(self.client.v1.checkout.sessions.retrieve, reference)
        if session.status == "open":
            self._call(self.client.v1.checkout.sessions.expire, reference)

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str:
        refund = self._call(self.client.v1.refunds.create,
                            params={"payment_intent": payment_intent, "amount": amount_minor},
                            options={"idempotency_key": idempotency_key})
        return refund.id


def session_state(session: dict) -> SessionState:
    """Read a Checkout Session (from the API or a webhook) into the shop's terms."""
    intent = session.get("payment_intent") or ""
    if isinstance(intent, dict):
        intent = intent.get("id", "")
    return SessionState(
        reference=session["id"],
        order_public_id=(session.get("metadata") or {}).get("order_id") or session.get("client_reference_id") or "",
        is_paid=session.get("payment_status") in ("paid", "no_payment_required"),
        is_expired=session.get("status") == "expired",
        payment_intent=intent,
        amount_minor=session.get("amount_total") or 0,
    )
