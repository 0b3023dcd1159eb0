"""Turn a verified Stripe event into the one shop change it stands for."""
import logging
from datetime import datetime

from .services import cancel_unpaid, fulfil_order, sync_provider_refunds
from .stripe_gateway import session_state

logger = logging.getLogger("shop.webhooks")
SESSION_EVENTS = {
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired",
}


def handle_stripe_event(event: dict, *, now: datetime) -> None:
    """Apply a Stripe event once; unknown types are acknowledged and ignored."""
    kind, obj, event_id = event.get("type", ""), (event.get("data") or {}).get("object") or {}, event.get("id")
    if kind in SESSION_EVENTS:
        state = session_state(obj)
        if not state.order_public_id:
            return
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded") and state.is_paid:
            fulfil_order(state.order_public_id, provider="stripe", reference=state.reference,
                         payment_intent=state.payment_intent, amount_minor=state.amount_minor, now=now,
                         event_id=event_id, event_type=kind)
        elif kind in ("checkout.session.async_payment_failed", "checkout.session.expired"):
            cancel_unpaid(state.order_public_id, provider="stripe", reference=state.reference, now=now,
                          event_id=event_id, event_type=kind)
    elif kind == "charge.refunded":
        refunds = ((obj.get("refunds") or {}).get("data")) or []
        sync_provider_refunds(
            public_id=(obj.get("metadata") or {}).get("order_id", ""), payment_intent=obj.get("payment_intent") or "",
            amount_refunded=int(obj.get("amount_refunded") or 0), now=now, event_id=event_id,
            reference=refunds[0].get("id") if refunds else None,
        )
    else:
        logger.info("ignored Stripe event type %s", kind)
