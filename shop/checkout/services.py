"""Checkout: freeze the cart into an order, hold its kits and seats, and send the buyer to pay.

Three transactions in a fixed order: (1) place the order and take its holds, (2) ask the
payment provider for a payment page — over the network, so outside any transaction — and
(3) record that payment. A provider that fails leaves an unpaid order and the cart as it was.
"""
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..cart.services import summarise
from ..courses.waitlist import return_claimed_seats, take_claimed_seats
from ..database import is_postgres, unit_of_work
from ..errors import EmptyCart, OutOfStock, PaymentFailed
from ..extensions import db
from ..inventory.services import hold_seats, hold_stock, lock_rows, release_holds
from ..models import Cart, Hold, Order, OrderLine, Payment, User
from ..orders.status import change_status
from ..payments.gateway import Gateway
from .delivery import delivery_fee

logger = logging.getLogger("shop.checkout")


@dataclass(frozen=True)
class BuyerDetails:
    email: str
    full_name: str
    phone: str
    delivery_method: str
    city: str = ""
    address: str = ""
    locale: str = "ru"


def _line_name(line) -> str:
    if line.product_id:
        return line.product.name_ru
    return f"{line.cohort.course.title_ru} — {line.cohort.starts_at:%Y-%m-%d}"


def _replace_unpaid_orders(cart: Cart, now: datetime) -> list[Payment]:
    """Cancel the cart's earlier unpaid orders and free their holds; return payments to expire."""
    stale = db.session.scalars(
        select(Order).where(Order.cart_id == cart.id, Order.status == "pending_payment").order_by(Order.id)
    ).all()
    payments = []
    for order in stale:
        return_claimed_seats(order.id, now=now)
        release_holds(order.id)
        change_status(order, "cancelled", now=now, note="Replaced by a new checkout of the same cart")
        for payment in db.session.scalars(select(Payment).where(Payment.order_id == order.id, Payment.status == "pending")):
            payment.status = "expired"
            payments.append(payment)
    return payments


def place_order(cart: Cart | None, buyer: BuyerDetails, *, user: User | None, now: datetime,
                hold_minutes: int) -> tuple[Order, list[Payment]]:
    """Create an unpaid order with frozen prices and hold every unit and seat in it, or nothing.

    Returns the order and the earlier payments of this cart that the provider should expire.
    """
    with unit_of_work():
        if cart is not None and is_postgres():
            # A double-clicked checkout of one cart waits here, then replaces the first attempt's order.
            db.session.execute(select(Cart.id).where(Cart.id == cart.id).with_for_update())
        summary = summarise(cart, now)
        if not summary.rows:
            raise EmptyCart()
        stale = _replace_unpaid_orders(cart, now)
        lock_rows([r.line.product_id for r in summary.rows if r.line.product_id],
                  [r.line.cohort_id for r in summary.rows if r.line.cohort_id])
        method = buyer.delivery_method if summary.needs_delivery else "pickup"
        fee = delivery_fee(method, needs_delivery=summary.needs_delivery)
        order = Order(
            public_id=secrets.token_urlsafe(16), cart_id=cart.id, user_id=user.id if user else None,
            email=buyer.email.strip().lower(), full_name=buyer.full_name.strip(), phone=buyer.phone.strip(),
            delivery_method=method, city=buyer.city.strip() if summary.needs_delivery else "",
            address=buyer.address.strip() if summary.needs_delivery and method != "pickup" else "",
            locale=buyer.locale, subtotal_minor=summary.subtotal_minor, delivery_fee_minor=fee,
            total_minor=summary.subtotal_minor + fee, created_at=now,
        )
        db.session.add(order)
        db.session.flush()
        expires_at = now + timedelta(minutes=hold_minutes)
        for row in summary.rows:
            _freeze_line(order, row, expires_at, now)
    return order, stale


def _freeze_line(order: Order, row, expires_at: datetime, now: datetime) -> None:
    line = row.line
    frozen = OrderLine(order=order, product_id=line.product_id, cohort_id=line.cohort_id, name=_line_name(line),
                       unit_price_minor=row.unit_price_minor, quantity=line.quantity)
    db.session.add(frozen)
    db.session.flush()
    owner = {"order_id": order.id, "order_line_id": frozen.id}
    if line.product_id:
        try:
            hold_stock(line.product, line.quantity, expires_at=expires_at, now=now, **owner)
        except OutOfStock:
            raise OutOfStock(product=line.product.slug) from None
    if line.cohort_id:
        # Seats offered from the waiting list and claimed into this cart become the order's first.
        claimed = take_claimed_seats(order.cart_id, line.cohort, line.quantity, now=now, expires_at=expires_at,
                                     **owner)
        if line.quantity > claimed:
            hold_seats(line.cohort, line.quantity - claimed, expires_at=expires_at, now=now, **owner)


def start_payment(order: Order, gateway: Gateway, *, now: datetime) -> str:
    """Ask the provider for a payment page that closes when the holds do; record it; return its URL."""
    expires_at = db.session.scalar(select(func.min(Hold.expires_at)).where(Hold.order_id == order.id))
    start = gateway.create_checkout(order, expires_at=expires_at or now + timedelta(minutes=gateway.min_hold_minutes))
    with unit_of_work():
        db.session.add(Payment(order_id=order.id, provider=gateway.name, reference=start.reference,
                               checkout_url=start.url, amount_minor=order.total_minor, created_at=now))
    return start.url


def expire_payments(payments: list[Payment], gateway: Gateway) -> None:
    """Ask the provider to close payment pages of replaced orders; best effort, after the commit."""
    for payment in payments:
        if payment.provider != gateway.name:
            continue
        try:
            gateway.expire(payment.reference)
        except PaymentFailed:
            logger.warning("could not expire payment %s; it expires on its own", payment.reference)


def checkout(cart: Cart | None, buyer: BuyerDetails, *, user: User | None, gateway: Gateway, now: datetime,
             reservation_minutes: int) -> tuple[Order, str]:
    """Place the order, hold its items and open its payment page; return the order and the page URL."""
    hold_minutes = max(reservation_minutes, gateway.min_hold_minutes)
    order, stale = place_order(cart, buyer, user=user, now=now, hold_minutes=hold_minutes)
    expire_payments(stale, gateway)
    return order, start_payment(order, gateway, now=now)
