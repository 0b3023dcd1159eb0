"""Checkout's hand-over: the cart becomes an order (`orders.placing`), and the buyer is sent to pay.

Three transactions in a fixed order: (1) place the order and take its holds, (2) ask the
payment provider for a payment page — over the network, so outside any transaction — and
(3) record that payment. A provider that fails leaves an unpaid order and the cart as it was.
An order with nothing to pay (a promo code covered it all) skips the provider: `orders.free`.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..database import unit_of_work
from ..errors import PaymentFailed
from ..extensions import db
from ..models import Cart, Hold, Order, Payment, User
from ..orders.free import complete_free_order
from ..orders.notify import tell_buyer_how_to_pay
from ..orders.placing import BuyerDetails, place_order
from ..payments.gateway import Gateway
from ..settings import CheckoutRules

logger = logging.getLogger("shop.checkout")


def start_payment(order: Order, gateway: Gateway, *, now: datetime) -> str:
    """Ask the provider for a payment page that closes when the holds do; record it; return its URL."""
    expires_at = db.session.scalar(select(func.min(Hold.expires_at)).where(Hold.order_id == order.id))
    start = gateway.create_checkout(order, expires_at=expires_at or now + timedelta(minutes=gateway.min_hold_minutes))
    with unit_of_work():
        payment = Payment(order_id=order.id, provider=gateway.name, reference=start.reference,
                          checkout_url=start.url, amount_minor=order.total_minor, created_at=now)
        db.session.add(payment)
        if gateway.instructions_email:
            db.session.flush()
            tell_buyer_how_to_pay(db.session.get(Order, order.id), payment, template=gateway.instructions_email,
                                  expires_at=expires_at)
    return start.url


def expire_payments(payments: list[Payment], gateways: Callable[[str], Gateway]) -> None:
    """Ask each provider to close the payment pages of replaced orders; best effort, after the commit."""
    for payment in payments:
        try:
            gateways(payment.provider).expire(payment.reference)
        except PaymentFailed:
            logger.warning("could not expire payment %s; it expires on its own", payment.reference)


def checkout(cart: Cart | None, buyer: BuyerDetails, *, user: User | None, gateway: Gateway, now: datetime,
             rules: CheckoutRules = CheckoutRules(), gateways: Callable[[str], Gateway] | None = None
             ) -> tuple[Order, str | None]:
    """Place the order, hold its items and open its payment page; return the order and the page URL.

    ``gateway`` is the chosen method's; ``gateways`` finds the adapter of an earlier payment to close. An
    order whose total, as the shop computed it, is zero (a promo code covered everything) opens no payment
    page: it is confirmed at once through the paid path (`orders.free`), and the URL is None.
    """
    hold_minutes = max(rules.reservation_minutes, gateway.min_hold_minutes)
    order, stale = place_order(cart, buyer, user=user, now=now, hold_minutes=hold_minutes, rules=rules)
    expire_payments(stale, gateways or (lambda _method: gateway))
    if order.total_minor == 0:
        return complete_free_order(order.public_id, now=now), None
    return order, start_payment(order, gateway, now=now)
