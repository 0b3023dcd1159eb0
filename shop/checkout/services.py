"""Checkout: freeze the cart into an order, hold its kits and seats, and send the buyer to pay.

Three transactions in a fixed order: (1) place the order and take its holds, (2) ask the
payment provider for a payment page — over the network, so outside any transaction — and
(3) record that payment. A provider that fails leaves an unpaid order and the cart as it was.
"""
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..cart.services import summarise
from ..courses.waitlist import return_claimed_seats, take_claimed_seats
from ..database import is_postgres, unit_of_work
from ..errors import EmptyCart, OutOfStock, PaymentFailed, ShopError
from ..extensions import db
from ..inventory.services import closed_reason, hold_seats, hold_stock, lock_rows, release_holds
from ..models import Cart, Hold, Order, OrderLine, Payment, User
from ..orders.status import change_status
from ..payments.gateway import Gateway
from .rules import CheckoutRules

logger = logging.getLogger("shop.checkout")


class NoLongerSold(ShopError):
    def __init__(self, name: str = ""):
        super().__init__(_l("«%(name)s» can no longer be bought: remove it from your cart.", name=name), item=name)


class TooManyItems(ShopError):
    def __init__(self, most: int = 0):
        super().__init__(_l("One order can hold at most %(most)d kits and seats. For a larger order, write to us.",
                            most=most), most=most)


class OrderTooLarge(ShopError):
    message = _l("This order is larger than the shop can take online. Please write to us to arrange it.")


class HoldLimitReached(ShopError):
    message = _l("You already have unpaid orders holding kits or seats. Pay for them or let them expire "
                 "(they are released after the reservation time) before placing another.")


class CourierNotServed(ShopError):
    field = "city"

    def __init__(self, cities: str = ""):
        super().__init__(_l("Our courier delivers only in %(cities)s. Choose KazPost or pickup at the farm.",
                            cities=cities), cities=cities)


@dataclass(frozen=True)
class BuyerDetails:
    email: str
    full_name: str
    phone: str
    delivery_method: str
    city: str = ""
    address: str = ""
    locale: str = "ru"
    client_ip: str = ""  # where the order was placed from, to cap what one buyer holds unpaid


def _line_name(line, locale: str = "ru") -> str:
    if line.product_id:
        return line.product.tr("name", locale)
    return f"{line.cohort.course.tr('title', locale)} — {line.cohort.starts_at:%Y-%m-%d}"


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


def place_order(cart: Cart | None, buyer: BuyerDetails, *, user: User | None, now: datetime, hold_minutes: int,
                rules: CheckoutRules = CheckoutRules()) -> tuple[Order, list[Payment]]:
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
        method = buyer.delivery_method if summary.needs_delivery else "pickup"
        _check_order_size(summary, method, buyer, rules)
        stale = _replace_unpaid_orders(cart, now)
        _check_buyer_holds(cart, buyer, user, summary.item_count, now, rules)
        lock_rows([r.line.product_id for r in summary.rows if r.line.product_id],
                  [r.line.cohort_id for r in summary.rows if r.line.cohort_id])
        fee = rules.delivery_fee(method, needs_delivery=summary.needs_delivery)
        order = Order(
            public_id=secrets.token_urlsafe(16), cart_id=cart.id, user_id=user.id if user else None,
            email=buyer.email.strip().lower(), full_name=buyer.full_name.strip(), phone=buyer.phone.strip(),
            delivery_method=method, city=buyer.city.strip() if summary.needs_delivery else "",
            address=buyer.address.strip() if summary.needs_delivery and method != "pickup" else "",
            locale=buyer.locale, subtotal_minor=summary.subtotal_minor, delivery_fee_minor=fee,
            total_minor=summary.subtotal_minor + fee, client_ip=buyer.client_ip[:45], created_at=now,
        )
        db.session.add(order)
        db.session.flush()
        expires_at = now + timedelta(minutes=hold_minutes)
        for row in summary.rows:
            _freeze_line(order, row, expires_at, now)
    return order, stale


def _check_order_size(summary, method: str, buyer: BuyerDetails, rules: CheckoutRules) -> None:
    if summary.item_count > rules.max_order_units:
        raise TooManyItems(rules.max_order_units)
    if summary.subtotal_minor > rules.max_order_total_minor:
        raise OrderTooLarge()
    if method == "courier" and not rules.courier_serves(buyer.city):
        raise CourierNotServed(rules.courier_city_names(buyer.locale))


def _check_buyer_holds(cart: Cart, buyer: BuyerDetails, user: User | None, units: int, now: datetime,
                       rules: CheckoutRules) -> None:
    """Refuse a checkout that would let one buyer hold more than the caps allow, unpaid.

    The buyer is the visitor's cart, the e-mail, the account and the address it comes from, taken
    together: other unpaid orders matching any of them count (this cart's own were just replaced).
    """
    same_buyer = [Order.email == buyer.email.strip().lower()]
    if user is not None:
        same_buyer.append(Order.user_id == user.id)
    if buyer.client_ip:
        same_buyer.append(Order.client_ip == buyer.client_ip[:45])
    rows = db.session.execute(
        select(Hold.order_id, func.sum(Hold.quantity)).join(Order, Order.id == Hold.order_id)
        .where(Hold.expires_at > now, Order.status == "pending_payment", Order.cart_id != cart.id, or_(*same_buyer))
        .group_by(Hold.order_id)
    ).all()
    held = sum(quantity for _order_id, quantity in rows)
    if len(rows) >= rules.max_unpaid_orders or held + units > rules.max_held_units:
        raise HoldLimitReached()


def _freeze_line(order: Order, row, expires_at: datetime, now: datetime) -> None:
    line = row.line
    if closed_reason(line, now):
        raise NoLongerSold(_line_name(line, order.locale))
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
             rules: CheckoutRules = CheckoutRules()) -> tuple[Order, str]:
    """Place the order, hold its items and open its payment page; return the order and the page URL."""
    hold_minutes = max(rules.reservation_minutes, gateway.min_hold_minutes)
    order, stale = place_order(cart, buyer, user=user, now=now, hold_minutes=hold_minutes, rules=rules)
    expire_payments(stale, gateway)
    return order, start_payment(order, gateway, now=now)
