"""What a promo code takes off: plain arithmetic on amounts in tiyn, no database."""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Terms:
    """The parts of a code that decide its discount."""

    kind: str  # "percent" or "fixed"
    percent: int = 0
    amount_minor: int = 0
    scope: str = "order"  # "order", "items" (chosen products or categories) or "courses" (course seats)
    includes_delivery: bool = False
    min_order_minor: int = 0
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Item:
    """A line as the discount sees it: its total and what it is."""

    total_minor: int
    product_id: int | None = None
    category_id: int | None = None
    cohort_id: int | None = None


@dataclass(frozen=True)
class Discount:
    """The discount split: one share per line (in the lines' order) and the share off the delivery fee."""

    lines_minor: tuple[int, ...]
    delivery_minor: int = 0

    @property
    def total_minor(self) -> int:
        return sum(self.lines_minor) + self.delivery_minor


def is_current(terms: Terms, now: datetime) -> bool:
    """Return True when ``now`` is within the code's dates (from inclusive, until exclusive)."""
    started = terms.valid_from is None or terms.valid_from <= now
    return started and (terms.valid_until is None or now < terms.valid_until)


def is_eligible(terms: Terms, item: Item) -> bool:
    """Return True when the code applies to the line."""
    if terms.scope == "courses":
        return item.product_id is None and item.cohort_id is not None
    if terms.scope == "items":
        return item.product_id is not None and (item.product_id in terms.product_ids
                                                or item.category_id in terms.category_ids)
    return True


def split(amount_minor: int, weights: list[int]) -> list[int]:
    """Split ``amount_minor`` over ``weights`` in proportion, to the tiyn (largest remainder first)."""
    total = sum(weights)
    if amount_minor <= 0 or total <= 0:
        return [0] * len(weights)
    shares = [amount_minor * weight // total for weight in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(amount_minor * weights[i] % total), i))
    for i in by_remainder[:amount_minor - sum(shares)]:
        shares[i] += 1
    return shares


def discount(terms: Terms, items: list[Item], delivery_fee_minor: int = 0) -> Discount:
    """Return what the code takes off each line (and the delivery fee), never more than any of them.

    The minimum order is measured on the goods before any discount. The delivery fee is discounted only
    when the code says so, and then as one more line of the same base.
    """
    subtotal = sum(item.total_minor for item in items)
    if subtotal < terms.min_order_minor:
        return Discount((0,) * len(items))
    weights = [item.total_minor if is_eligible(terms, item) else 0 for item in items]
    if terms.includes_delivery:
        weights.append(delivery_fee_minor)
    base = sum(weights)
    if terms.kind == "percent":
        off = base * min(max(terms.percent, 0), 100) // 100
    else:
        off = min(max(terms.amount_minor, 0), base)
    shares = split(off, weights)
    if terms.includes_delivery:
        return Discount(tuple(shares[:-1]), shares[-1])
    return Discount(tuple(shares))


def share_of_units(line_discount_minor: int, quantity: int, done: int, units: int) -> int:
    """Return the part of a line's discount that ``units`` more units carry, after ``done`` were refunded.

    Cumulative rounding down, so refunding a line unit by unit gives back exactly its whole discount.
    """
    return line_discount_minor * (done + units) // quantity - line_discount_minor * done // quantity
