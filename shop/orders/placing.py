"""Placing an order: freeze the cart's lines at today's prices and hold every kit and seat in it, or nothing.

The caps on what one order and one buyer may hold unpaid, the courier's cities and the order's largest total
are checked here, in the transaction that takes the holds, so nothing is held beyond them.
"""
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..cart.services import CartRow, line_unavailable, summarise
from ..courses.waitlist import offer_freed_seats, take_claimed_seats
from ..database import is_postgres, unit_of_work
from ..errors import CohortFull, EmptyCart, NotFound, OutOfStock, ShopError
from ..extensions import db
from ..inventory.services import closed_reason, hold_seats, hold_stock, lock_rows
from ..models import Cart, Hold, Order, OrderLine, Payment, User
from ..pages.services import consent_given, require_consent
from ..promo.services import Quote, quote, redeem
from ..settings import CheckoutRules
from .cancelling import cancel_order
from .numbers import add_numbered
from .status import add_note


class NoLongerSold(ShopError):
    def __init__(self, name: str):
        super().__init__(_l("«%(name)s» can no longer be bought: remove it from your cart.", name=name), item=name)


class TooManyItems(ShopError):
    def __init__(self, most: int):
        super().__init__(_l("One order can hold at most %(most)d kits and seats. For a larger order, write to us.",
                            most=most), most=most)


class OrderTooLarge(ShopError):
    message = _l("This order is larger than the shop can take online. Please write to us to arrange it.")


class HoldLimitReached(ShopError):
    message = _l("You already have unpaid orders holding kits or seats. Pay for them or let them expire "
                 "(they are released after the reservation time) before placing another.")


class CourierNotServed(ShopError):
    field = "city"

    def __init__(self, cities: str):
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
    apartment: str = ""
    entrance: str = ""
    floor: str = ""
    intercom: str = ""
    comment: str = ""
    locale: str = "ru"
    client_ip: str = ""  # where the order was placed from, to cap what one buyer holds unpaid
    payment_method: str = "dummy"
    accepts_terms: bool = False  # the offer accepted and consent to the processing of personal data given
    # For a kit with a course for several people: per cart line, each seat's learner (name, e-mail) in order
    learners: Mapping[int, Sequence[tuple[str, str]]] = field(default_factory=dict)


class LearnerMissing(ShopError):
    def __init__(self, name: str, number: int):
        super().__init__(_l("«%(name)s» is for several people: enter the name and e-mail of learner %(number)d.",
                            name=name, number=number), item=name)


EMAIL_SHAPE = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")


def named_learners(line, per_unit: int, given: Sequence[tuple[str, str]], locale: str = "ru") -> list[dict]:
    """Return the learners of a cart line's seats, checked: every seat of a kit for several people but the first
    (the buyer's when left empty) needs a name and a valid e-mail; a line of one seat per unit names nobody."""
    if per_unit <= 1:
        return []
    learners = []
    for number in range(1, line.quantity * per_unit + 1):
        name, email = (given[number - 1] if number <= len(given) else ("", ""))
        name, email = " ".join(name.split())[:200], email.strip().lower()[:254]
        if not name and not email and number == 1:
            learners.append({"name": "", "email": ""})  # the buyer takes the first seat
            continue
        if not name or not EMAIL_SHAPE.match(email):
            raise LearnerMissing(line.product.tr("name", locale) if line.product else "", number)
        learners.append({"name": name, "email": email})
    return learners


def _line_name(line, locale: str = "ru") -> str:
    if line.product_id:
        return line.product.tr("name", locale)
    return f"{line.cohort.course.tr('title', locale)} — {line.cohort.starts_at:%Y-%m-%d}"


def _replace_unpaid_orders(cart: Cart, now: datetime) -> tuple[list[Payment], set[int]]:
    """Cancel the cart's earlier unpaid orders; return the payments to close and the cohorts they held seats in.

    Their freed seats are passed on only after the new order took what it needs again.
    """
    stale = db.session.scalars(
        select(Order).where(Order.cart_id == cart.id, Order.payment_status == "pending_payment").order_by(Order.id)
    ).all()
    payments, cohort_ids = [], set()
    for order in stale:
        payments += cancel_order(order, now=now, note="Replaced by a new checkout of the same cart",
                                 pass_on_seats=False)
        cohort_ids |= {line.cohort_id for line in order.lines if line.cohort_id}
    return payments, cohort_ids


def place_order(cart: Cart | None, buyer: BuyerDetails, *, user: User | None, now: datetime, hold_minutes: int,
                rules: CheckoutRules = CheckoutRules()) -> tuple[Order, list[Payment]]:
    """Create an unpaid order with frozen prices and hold every unit and seat in it, or nothing.

    Returns the order and the earlier payments of this cart that the provider should expire. Refused without
    the buyer's consent, which the order records with the versions of the offer and privacy texts in force.
    """
    require_consent(buyer.accepts_terms)
    with unit_of_work():
        if cart is not None and is_postgres():
            # A double-clicked checkout of one cart waits here, then replaces the first attempt's order.
            db.session.execute(select(Cart.id).where(Cart.id == cart.id).with_for_update())
        summary = summarise(cart, now)
        if not summary.rows:
            raise EmptyCart()
        _refuse_short_lines(summary, buyer.locale)
        method = buyer.delivery_method if summary.needs_delivery else "pickup"
        _check_order_size(summary, method, buyer, rules)
        stale, freed_cohorts = _replace_unpaid_orders(cart, now)
        _check_buyer_holds(cart, buyer, user, summary.item_count, now, rules)
        lock_rows([r.line.product_id for r in summary.rows if r.line.product_id],
                  [r.line.cohort_id for r in summary.rows if r.line.cohort_id])
        fee = rules.delivery_fee(method, needs_delivery=summary.needs_delivery)
        promo = quote(cart, summary, now, delivery_fee_minor=fee)
        if promo is not None and promo.problem is not None:
            raise promo.problem
        off = promo.discount if promo is not None else None
        courier = summary.needs_delivery and method == "courier"
        order = Order(
            public_id=secrets.token_urlsafe(16), cart_id=cart.id, user_id=user.id if user else None,
            email=buyer.email.strip().lower(), full_name=buyer.full_name.strip(), phone=buyer.phone.strip(),
            delivery_method=method, city=buyer.city.strip() if summary.needs_delivery else "",
            address=buyer.address.strip() if summary.needs_delivery and method != "pickup" else "",
            locale=buyer.locale, subtotal_minor=summary.subtotal_minor, delivery_fee_minor=fee,
            discount_minor=off.total_minor if off else 0, delivery_discount_minor=off.delivery_minor if off else 0,
            promo_code=promo.code.code if promo else "",
            total_minor=summary.subtotal_minor + fee - (off.total_minor if off else 0), client_ip=buyer.client_ip[:45],
            payment_provider=buyer.payment_method, created_at=now,
            **{name: getattr(buyer, name).strip()[:size] if courier else ""
               for name, size in (("apartment", 20), ("entrance", 20), ("floor", 20), ("intercom", 40))},
            comment=buyer.comment.strip()[:500],
        )
        consent_given(now).record_on(order)
        add_numbered(order)
        expires_at = now + timedelta(minutes=hold_minutes)
        for index, row in enumerate(summary.rows):
            _freeze_line(order, row, expires_at, now, buyer.learners, off.lines_minor[index] if off else 0)
        if promo is not None:
            _redeem(promo, order, user)
        for cohort_id in sorted(freed_cohorts):
            offer_freed_seats(cohort_id, now=now)
    return order, stale


def _refuse_short_lines(summary, locale: str) -> None:
    """Refuse a cart with a line that cannot be bought as it is; the cart page offers the way out."""
    if not summary.short_rows:
        return
    row = summary.short_rows[0]
    if row.limit in ("closed", "started"):
        raise NoLongerSold(_line_name(row.line, locale))
    raise line_unavailable(row, locale)


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
        .where(Hold.expires_at > now, Order.payment_status == "pending_payment", Order.cart_id != cart.id,
               or_(*same_buyer))
        .group_by(Hold.order_id)
    ).all()
    held = sum(quantity for _order_id, quantity in rows)
    if len(rows) >= rules.max_unpaid_orders or held + units > rules.max_held_units:
        raise HoldLimitReached()


def _redeem(promo: Quote, order: Order, user: User | None) -> None:
    redeem(promo.code, order_id=order.id, email=order.email, user_id=user.id if user else None,
           discount_minor=order.discount_minor, now=order.created_at)


def _freeze_line(order: Order, row, expires_at: datetime, now: datetime,
                 learners: Mapping[int, Sequence[tuple[str, str]]], discount_minor: int = 0) -> None:
    line = row.line
    if closed_reason(line, now):
        raise NoLongerSold(_line_name(line, order.locale))
    per_unit = line.product.seats_per_unit if line.product_id and line.cohort_id else 1
    frozen = OrderLine(order=order, product_id=line.product_id, cohort_id=line.cohort_id, name=_line_name(line),
                       unit_price_minor=row.unit_price_minor, quantity=line.quantity, seats_per_unit=per_unit,
                       learners=named_learners(line, per_unit, learners.get(line.id, ()), order.locale),
                       discount_minor=discount_minor)
    db.session.add(frozen)
    db.session.flush()
    owner, claimed = {"order_id": order.id, "order_line_id": frozen.id}, 0
    try:
        if line.product_id:
            hold_stock(line.product, line.quantity, expires_at=expires_at, now=now, **owner)
        if line.cohort_id:
            # Seats offered from the waiting list and claimed into this cart become the order's first.
            claimed = take_claimed_seats(order.cart_id, line.cohort, frozen.seats, now=now, expires_at=expires_at,
                                         **owner)
            if frozen.seats > claimed:
                hold_seats(line.cohort, frozen.seats - claimed, expires_at=expires_at, now=now, **owner)
    except (OutOfStock, CohortFull) as error:
        # Taken by someone else between the cart page and this checkout: say which item and what is left. (A
        # line closed meanwhile was refused above: the lock read the kit and the cohort afresh.)
        limit = "stock" if isinstance(error, OutOfStock) else "seats"
        left = error.details.get("available", 0) + (claimed if limit == "seats" else 0)
        raise line_unavailable(CartRow(line, row.unit_price_minor, left, limit), order.locale) from None


def change_kaspi_phone(order_id: int, phone: str, *, now: datetime) -> Order:
    """Correct the number a Kaspi invoice goes to, while the order waits for it; recorded in its history."""
    with unit_of_work():
        order = db.session.get(Order, order_id)
        if order is None or order.payment_status != "pending_payment":
            raise NotFound()
        if phone.strip() != order.phone:
            add_note(order, f"Kaspi number changed from {order.phone} to {phone.strip()}", now=now)
            order.phone = phone.strip()[:40]
    return order
