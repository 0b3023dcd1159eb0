"""Cart rules: what may go in, in what quantity, and what it costs — always priced by the server."""
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..courses.services import cohorts_of, soonest_open
from ..courses.waitlist import bind_claim, claimed_seats, move_claims
from ..database import unit_of_work
from ..errors import CohortClosed, CohortFull, InvalidQuantity, NotFound, OutOfStock, ShopError
from ..extensions import db
from ..inventory.services import availability, closed_reason, seat_availability
from ..models import Cart, CartLine, Cohort, Hold, Order, Product, User

MAX_LINE_QUANTITY = 999
MAX_SEATS_PER_LINE = 10
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # at most 9 digits: always within a 32-bit INTEGER id


class NoCohortForKit(ShopError):
    message = _l("This kit includes a course, and no cohort of it has seats right now.")


@dataclass(frozen=True)
class CartRow:
    """A cart line as priced now: unit price, line total and what is still available.

    ``limit`` says what keeps a short line from being bought as it is: "stock" (the kit), "seats" (the
    cohort), "started" (the cohort began) or "closed" (off sale, cancelled).
    """

    line: CartLine
    unit_price_minor: int
    available: int
    limit: str = "stock"

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.line.quantity

    @property
    def is_short(self) -> bool:
        return self.line.quantity > self.available

    @property
    def can_take_what_is_left(self) -> bool:
        """Return True when fewer than asked can still be bought: the cart offers to take them."""
        return self.is_short and self.available > 0 and self.limit in ("stock", "seats")


class LineUnavailable(ShopError):
    """A cart line can no longer be bought as it is; the message names the item and what is left.

    Raise it through `line_unavailable`, which also makes it the OutOfStock, CohortFull or CohortClosed it is.
    """

    def __init__(self, row: CartRow, locale: str):
        name, left = line_name(row.line, locale), row.available
        if row.limit == "started":
            message = _l("«%(name)s» has already started and can no longer be booked: remove it from your cart.",
                         name=name)
        elif row.limit == "closed":
            message = _l("«%(name)s» can no longer be bought: remove it from your cart.", name=name)
        elif left <= 0 and row.limit == "seats":
            message = _l("«%(name)s» has no seats left: remove it from your cart or join its waiting list.",
                         name=name)
        elif left <= 0:
            message = _l("«%(name)s» is sold out: remove it from your cart.", name=name)
        elif row.limit == "seats":
            message = lazy_ngettext("Only %(num)d seat is left in «%(name)s»: take it or remove the line.",
                                    "Only %(num)d seats are left in «%(name)s»: take them or remove the line.",
                                    left, name=name)
        else:
            message = lazy_ngettext("Only %(num)d «%(name)s» is left: take it or remove the line.",
                                    "Only %(num)d of «%(name)s» are left: take them or remove the line.",
                                    left, name=name)
        super().__init__(message, item=name, available=left)


class KitLineShort(LineUnavailable, OutOfStock):
    pass


class SeatLineShort(LineUnavailable, CohortFull):
    pass


class LineClosed(LineUnavailable, CohortClosed):
    pass


def line_unavailable(row: CartRow, locale: str) -> LineUnavailable:
    """Return the refusal for a line that cannot be bought as it is, naming it and what is left."""
    kind = {"stock": KitLineShort, "seats": SeatLineShort}.get(row.limit, LineClosed)
    return kind(row, locale)


def line_name(line: CartLine, locale: str = "ru") -> str:
    """Return what a cart line is called for its buyer: the kit, or the course with its start date."""
    if line.product_id:
        return line.product.tr("name", locale)
    return f"{line.cohort.course.tr('title', locale)} — {line.cohort.starts_at:%Y-%m-%d}"


@dataclass(frozen=True)
class CartSummary:
    rows: list[CartRow]
    subtotal_minor: int

    @property
    def needs_delivery(self) -> bool:
        return any(row.line.product_id for row in self.rows)

    @property
    def item_count(self) -> int:
        return sum(row.line.quantity for row in self.rows)

    @property
    def has_shortage(self) -> bool:
        return any(row.is_short for row in self.rows)

    @property
    def short_rows(self) -> list[CartRow]:
        """Return the lines that cannot be bought as they are: left out of the total, and checkout waits."""
        return [row for row in self.rows if row.is_short]


def parse_quantity(raw, *, allow_zero: bool = False) -> int:
    """Return a whole number of items from form input; raise InvalidQuantity for anything else."""
    text = str(raw if raw is not None else "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        raise InvalidQuantity()
    quantity = int(text)
    if quantity > MAX_LINE_QUANTITY or (quantity == 0 and not allow_zero):
        raise InvalidQuantity()
    return quantity


def find_cart(*, token: str | None = None, user: User | None = None) -> Cart | None:
    """Return the user's cart, or the visitor's cart named by the cookie token."""
    if user is not None:
        return db.session.scalar(select(Cart).where(Cart.user_id == user.id).order_by(Cart.id.desc()).limit(1))
    if token:
        return db.session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None)))
    return None


def _cart_for_writing(token: str | None, user: User | None, now: datetime) -> Cart:
    cart = find_cart(token=token, user=user)
    if cart is None:
        cart = Cart(token=secrets.token_urlsafe(32), user_id=user.id if user else None, created_at=now, updated_at=now)
        db.session.add(cart)
        db.session.flush()
    return cart


def _resolve_cohort(raw) -> Cohort:
    text = str(raw or "").strip()
    cohort = db.session.get(Cohort, int(text)) if _WHOLE_NUMBER.fullmatch(text) else None
    if cohort is None:
        raise NotFound()
    return cohort


def _resolve_item(product_slug: str | None, cohort_ref, now: datetime) -> tuple[Product | None, Cohort | None]:
    product = None
    if product_slug:
        product = db.session.scalar(select(Product).where(Product.slug == str(product_slug)[:120],
                                                          Product.is_active.is_(True)))
        if product is None:
            raise NotFound()
    cohort = _resolve_cohort(cohort_ref) if cohort_ref not in (None, "") else None
    if product is None and cohort is None:
        raise NotFound()
    if product is not None and product.course_id is None and cohort is not None:
        raise NotFound(_l("This kit does not include a course."))
    if product is not None and product.course_id is not None:
        if cohort is None:
            chosen = soonest_open(cohorts_of([product.course_id], now))
            if chosen is None:
                raise NoCohortForKit()
            cohort = chosen.cohort
        elif cohort.course_id != product.course_id:
            raise NotFound(_l("This cohort belongs to another course."))
    return product, cohort


def _check_room(product: Product | None, cohort: Cohort | None, quantity: int, now: datetime,
                claimed: dict[int, int] | None = None) -> None:
    if product is not None and quantity > availability([product.id], now)[product.id]:
        raise OutOfStock()
    if cohort is not None:
        left = seat_availability([cohort.id], now)[cohort.id] + (claimed or {}).get(cohort.id, 0)
        status = cohort.status(left, now)
        if status in ("cancelled", "started", "finished"):
            raise CohortClosed()
        if quantity * (product.seats_per_unit if product is not None else 1) > left:
            raise CohortFull()
        if product is None and quantity > MAX_SEATS_PER_LINE:
            raise InvalidQuantity()


def add_to_cart(*, token: str | None, user: User | None, product_slug: str | None, cohort_ref, quantity,
                now: datetime, claim: str | None = None) -> Cart:
    """Add a kit, a seat, or a kit with its cohort; raise a ShopError and change nothing when refused.

    ``claim`` is the token of a waiting-list offer: its cohort's seat goes in the cart once,
    and the seat the offer holds counts as available to this cart.
    """
    count = parse_quantity(quantity if quantity not in (None, "") else "1")
    with unit_of_work():
        cart = _cart_for_writing(token, user, now)
        entry = bind_claim(claim, cart_id=cart.id, now=now) if claim is not None else None
        product, cohort = _resolve_item(product_slug, entry.cohort_id if entry else cohort_ref, now)
        line = next((line for line in cart.lines
                     if line.product_id == (product.id if product else None)
                     and line.cohort_id == (cohort.id if cohort else None)), None)
        new_quantity = (line.quantity if line else 0) + (0 if entry and line else count)
        _check_room(product, cohort, new_quantity, now, claimed_seats(cart.id, now))
        if line is None:
            cart.lines.append(CartLine(product=product, cohort=cohort, quantity=count, created_at=now))
        else:
            line.quantity = new_quantity
        cart.updated_at = now
    return cart


def update_line(cart: Cart | None, line_ref, quantity, *, now: datetime) -> Cart:
    """Set a line's quantity (0 removes it); a line of another cart is NotFound."""
    count = parse_quantity(quantity, allow_zero=True)
    text = str(line_ref).strip()
    if cart is None or not _WHOLE_NUMBER.fullmatch(text):
        raise NotFound()
    with unit_of_work():
        line = db.session.scalar(select(CartLine).where(CartLine.id == int(text), CartLine.cart_id == cart.id))
        if line is None:
            raise NotFound()
        if count == 0:
            db.session.delete(line)
        else:
            _check_room(line.product, line.cohort, count, now, claimed_seats(cart.id, now))
            line.quantity = count
        cart.updated_at = now
    return cart


def _merged_quantity(mine: CartLine, theirs: CartLine, now: datetime, claimed: dict[int, int]) -> int:
    """Return the quantity of two carts' same line joined: added up, within the line's cap and what is left.

    What the user's own cart already asked for is never cut; the cart page flags what cannot be had.
    """
    cap = MAX_SEATS_PER_LINE if mine.product_id is None else MAX_LINE_QUANTITY
    left = cap
    if mine.product_id is not None:
        left = min(left, availability([mine.product_id], now)[mine.product_id])
    if mine.cohort_id is not None:
        left = min(left, seat_availability([mine.cohort_id], now)[mine.cohort_id] + claimed.get(mine.cohort_id, 0))
    return min(mine.quantity + theirs.quantity, cap, max(left, mine.quantity))


def merge_carts(token: str, user: User, *, now: datetime) -> None:
    """Join a visitor's cart to the user's cart at login, within each line's cap and what is available."""
    with unit_of_work():
        visitor = find_cart(token=token)
        if visitor is None:
            return
        own = find_cart(user=user)
        if own is None:
            visitor.user_id = user.id
            return
        move_claims(visitor.id, own.id)
        claimed = claimed_seats(own.id, now)
        for line in list(visitor.lines):
            same = (line.product_id, line.cohort_id)
            mine = next((m for m in own.lines if (m.product_id, m.cohort_id) == same), None)
            if mine is None:
                own.lines.append(CartLine(product_id=line.product_id, cohort_id=line.cohort_id,
                                          quantity=line.quantity, created_at=now))
            else:
                mine.quantity = _merged_quantity(mine, line, now, claimed)
        db.session.delete(visitor)
        own.updated_at = now


def summarise(cart: Cart | None, now: datetime) -> CartSummary:
    """Price the cart from the database: kit lines at the product price, seat lines at the cohort price."""
    if cart is None:
        return CartSummary([], 0)
    lines = db.session.scalars(
        select(CartLine).where(CartLine.cart_id == cart.id).order_by(CartLine.id)
        .options(selectinload(CartLine.product).selectinload(Product.images), selectinload(CartLine.cohort))
    ).all()
    stock = availability([line.product_id for line in lines if line.product_id], now)
    seats = seat_availability([line.cohort_id for line in lines if line.cohort_id], now)
    for cohort_id, claimed in claimed_seats(cart.id, now).items():
        if cohort_id in seats:
            seats[cohort_id] += claimed
    _count_own_unpaid_holds(cart.id, now, stock, seats)
    rows = []
    for line in lines:
        price, left, limit = _price_and_room(line, stock, seats)
        reason = closed_reason(line, now)
        if reason:
            # off sale, or a cohort that closed: it can no longer be bought
            left, limit = 0, "started" if reason == "the cohort had started" else "closed"
        rows.append(CartRow(line, price, left, limit))
    # A line that cannot be bought as it is stays in the cart, marked, but out of the total.
    return CartSummary(rows, sum(row.total_minor for row in rows if not row.is_short))


def _count_own_unpaid_holds(cart_id: int, now: datetime, stock: dict[int, int], seats: dict[int, int]) -> None:
    """Count what this cart's own unpaid order holds as the cart's: checking out again releases it first.

    A buyer back from the payment page must not find the last unit marked as gone because their own
    order holds it. Seats claimed from the waiting list are counted by `claimed_seats` already.
    """
    rows = db.session.execute(
        select(Hold.product_id, Hold.cohort_id, func.sum(Hold.quantity)).join(Order, Order.id == Hold.order_id)
        .where(Order.cart_id == cart_id, Order.payment_status == "pending_payment", Hold.expires_at > now,
               Hold.waitlist_entry_id.is_(None))
        .group_by(Hold.product_id, Hold.cohort_id)
    ).all()
    for product_id, cohort_id, quantity in rows:
        if product_id in stock:
            stock[product_id] += int(quantity)
        if cohort_id in seats:
            seats[cohort_id] += int(quantity)


def _price_and_room(line: CartLine, stock: dict[int, int], seats: dict[int, int]) -> tuple[int, int, str]:
    """Return a line's unit price, how many can be had, and which of kit or seats is the scarcer."""
    if not line.product_id:
        return line.cohort.price_minor, seats[line.cohort_id], "seats"
    left, limit = stock[line.product_id], "stock"
    if line.cohort_id:
        room = seats[line.cohort_id] // max(line.product.seats_per_unit, 1)  # a kit for two takes two seats
        if room < left:
            left, limit = room, "seats"
    return line.product.price_minor, left, limit


def count_items(cart: Cart) -> int:
    """Return how many units the cart holds (the header's count), in one statement, without pricing it."""
    return db.session.scalar(select(func.coalesce(func.sum(CartLine.quantity), 0))
                             .where(CartLine.cart_id == cart.id))
