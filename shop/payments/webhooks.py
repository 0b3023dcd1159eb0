"""Turn a verified Stripe event into the one shop change it stands for.

A signature proves who sent an event, not that its body has the shape the shop reads: every value used is
checked first, and an event that does not fit is refused as a whole (``MalformedEvent``) before anything
changes, so a broken delivery can be answered 400 and looked into.
"""
import logging
from datetime import datetime

from ..inputs import has_control
from ..orders.cancelling import cancel_unpaid
from ..orders.paying import mark_paid
from ..orders.refunds import record_provider_refund
from .stripe_gateway import MalformedEvent, session_state

logger = logging.getLogger("shop.webhooks")
SESSION_EVENTS = {
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired",
}
HANDLED_EVENTS = SESSION_EVENTS | {"charge.refunded"}
MAX_ID_LENGTH = 255  # the columns that keep provider ids (event, session, payment intent, refund)
MAX_AMOUNT = 10**15


def _text(value, what: str, *, required: bool = False) -> str:
    """Return an id-like string from the event ('' when absent); raise MalformedEvent for anything else."""
    if value is None or value == "":
        if required:
            raise MalformedEvent(f"{what} is missing")
        return ""
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH or has_control(value):
        raise MalformedEvent(f"{what} is not a short text")
    return value


def _mapping(value, what: str, *, required: bool = False) -> dict:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent(f"{what} is not an object")
    return value


def _amount(value, what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise MalformedEvent(f"{what} is not an amount")
    return value


def _checked_session(obj: dict) -> dict:
    """Return the Checkout Session's fields the shop reads, each checked."""
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return {
        "id": _text(obj.get("id"), "session id", required=True),
        "metadata": {"order_id": _text(_mapping(obj.get("metadata"), "metadata").get("order_id"), "order id")},
        "client_reference_id": _text(obj.get("client_reference_id"), "client reference"),
        "payment_status": _text(obj.get("payment_status"), "payment status"),
        "status": _text(obj.get("status"), "session status"),
        "payment_intent": _text(intent, "payment intent"),
        "amount_total": _amount(obj.get("amount_total"), "amount total"),
    }


def _checked_refund(obj: dict) -> dict:
    """Return the charge's fields the shop reads, each checked."""
    refunds = _mapping(obj.get("refunds"), "refunds").get("data") or []
    if not isinstance(refunds, list):
        raise MalformedEvent("refunds are not a list")
    first = _mapping(refunds[0], "refund", required=True) if refunds else {}
    return {
        "public_id": _text(_mapping(obj.get("metadata"), "metadata").get("order_id"), "order id"),
        "payment_intent": _text(obj.get("payment_intent"), "payment intent"),
        "amount_refunded": _amount(obj.get("amount_refunded"), "amount refunded"),
        "reference": _text(first.get("id"), "refund id") or None,
    }


def read_stripe_event(event) -> tuple[str, str, dict]:
    """Return (type, event id, checked object) of an event; raise MalformedEvent when it has the wrong shape.

    Types the shop does not handle come back with an empty object: they are acknowledged and ignored.
    """
    event = _mapping(event, "event", required=True)
    kind = event.get("type")
    if not isinstance(kind, str):
        raise MalformedEvent("event type is not a text")
    if kind not in HANDLED_EVENTS:
        return kind, "", {}
    event_id = _text(event.get("id"), "event id", required=True)
    obj = _mapping(_mapping(event.get("data"), "data", required=True).get("object"), "data.object", required=True)
    return kind, event_id, _checked_session(obj) if kind in SESSION_EVENTS else _checked_refund(obj)


def handle_stripe_event(event: dict, *, now: datetime) -> None:
    """Apply a Stripe event once; unknown types are acknowledged and ignored; raise MalformedEvent first."""
    kind, event_id, obj = read_stripe_event(event)
    if kind in SESSION_EVENTS:
        state = session_state(obj)
        if not state.order_public_id:
            return
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded") and state.is_paid:
            mark_paid(state.order_public_id, provider="stripe", reference=state.reference,
                         payment_intent=state.payment_intent, amount_minor=state.amount_minor, now=now,
                         event_id=event_id, event_type=kind)
        elif kind in ("checkout.session.async_payment_failed", "checkout.session.expired"):
            cancel_unpaid(state.order_public_id, provider="stripe", reference=state.reference, now=now,
                          event_id=event_id, event_type=kind)
    elif kind == "charge.refunded":
        record_provider_refund(now=now, event_id=event_id, **obj)
    else:
        logger.info("ignored Stripe event type %s", kind[:100])
