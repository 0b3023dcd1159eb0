"""Asking the payment provider directly, for when its webhook is late or never comes.

The webhook is how the shop normally learns of a payment, but a misconfigured endpoint, an outage
or a buyer who closes the tab before the return page must not cost a paid order. The return page
asks the provider at once; ``settle_late_payments`` (run by ``release-expired`` before it cancels
anything) asks about every pending payment whose reservation has run out, so an order the buyer
did pay is marked paid rather than cancelled.
"""
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from ..errors import PaymentFailed
from ..extensions import db
from ..models import Hold, Order, Payment
from ..orders.paying import mark_paid
from .gateway import Gateway

logger = logging.getLogger(__name__)


def settle_from_provider(reference: str, order_public_id: str, gateway: Gateway, *, now: datetime) -> bool:
    """Mark the order paid when the provider says its payment ``reference`` went through; return whether it did.

    Raises PaymentFailed when the provider cannot be asked. Marking paid is idempotent, so a notification
    arriving at the same moment changes nothing twice.
    """
    state = gateway.retrieve(reference, order_public_id=order_public_id)
    if not (state.is_paid and state.order_public_id == order_public_id):
        return False
    mark_paid(order_public_id, provider=gateway.name, reference=reference, payment_intent=state.payment_intent,
              amount_minor=state.amount_minor, now=now,
              event_id=f"{gateway.name}:pay:{state.payment_intent}" if state.payment_intent else None)
    return True


def settle_late_payments(now: datetime, gateways: Callable[[str], Gateway]) -> int:
    """Ask the providers about pending payments of orders whose reservation ran out; return how many were paid.

    A provider that cannot be reached is logged and skipped: the order is then cancelled as unpaid, and a
    payment its notification reports later is still honoured while stock lasts (``orders.paying.mark_paid``).
    """
    expiring = select(Hold.order_id).where(Hold.expires_at <= now)
    due = db.session.execute(
        select(Payment.provider, Payment.reference, Order.public_id).join(Order)
        .where(Payment.status == "pending", Order.payment_status == "pending_payment", Order.id.in_(expiring))
        .order_by(Payment.id)
    ).all()
    db.session.rollback()  # no transaction stays open while a provider is asked
    paid = 0
    for provider, reference, public_id in due:
        gateway = gateways(provider)
        try:
            paid += settle_from_provider(reference, public_id, gateway, now=now)
        except PaymentFailed:
            logger.warning("could not ask %s about payment %s of order %s", provider, reference, public_id)
    return paid
