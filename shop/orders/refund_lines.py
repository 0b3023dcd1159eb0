"""What a refund gives back, line by line: units of the order's lines and the delivery fee.

Refunding by line keeps the amount honest (it follows from the lines, never typed over them) and tells the
cash register exactly what the return receipt must list. A line bought with a promo code gives back what
was paid for it: its units less their share of the line's discount (the last unit carries what rounding
left). A refund of a free amount has no lines.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..errors import ShopError
from ..extensions import db
from ..models import Order, OrderLine, Refund, RefundLine
from ..promo.rules import share_of_units

DELIVERY_NAME = "Доставка / Delivery"


class InvalidRefundLines(ShopError):
    message = _l("A refund can give back only units of this order that were not refunded yet.")


@dataclass(frozen=True)
class ReturnedItem:
    """One line of what a refund gives back (or of its return receipt)."""

    name: str
    unit_price_minor: int
    quantity: int
    amount_minor: int
    order_line_id: int | None = None
    is_service: bool = False  # a course seat or the delivery: a service, not goods, on a receipt


def refunded_units(order: Order) -> dict[int | None, int]:
    """Return, per order line id (None: the delivery fee), how many units earlier refunds gave back."""
    rows = db.session.execute(
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity)).join(Refund)
        .where(Refund.order_id == order.id).group_by(RefundLine.order_line_id))
    return {line_id: int(units) for line_id, units in rows}


def units_value(line: OrderLine, quantity: int, *, already: int = 0) -> int:
    """Return what ``quantity`` more units of a line are worth after ``already`` units were refunded.

    The one place a line refund's amount is computed: the line's discount is shared out over the units
    (`share_of_units`, as the receipts do), so refunding every unit gives back exactly what was paid.
    """
    return line.unit_price_minor * quantity - share_of_units(line.discount_minor, line.quantity, already, quantity)


def items_to_refund(order: Order, lines: dict[int, int], *, delivery: bool) -> list[ReturnedItem]:
    """Return what refunding these units (and the delivery fee) gives back; raise InvalidRefundLines if too much."""
    done = refunded_units(order)
    by_id = {line.id: line for line in order.lines}
    items = []
    for line_id, quantity in sorted(lines.items()):
        line = by_id.get(line_id)
        if line is None or not 0 < quantity <= line.quantity - done.get(line_id, 0):
            raise InvalidRefundLines()
        items.append(ReturnedItem(line.name, line.unit_price_minor, quantity,
                                  units_value(line, quantity, already=done.get(line_id, 0)),
                                  line.id, is_service=line.product_id is None))
    if delivery:
        if not order.delivery_fee_minor or done.get(None):
            raise InvalidRefundLines()
        items.append(ReturnedItem(DELIVERY_NAME, order.delivery_fee_minor, 1,
                                  order.delivery_fee_minor - order.delivery_discount_minor, is_service=True))
    return items


def everything_left(order: Order) -> list[ReturnedItem]:
    """Return every unit and the delivery fee that no refund gave back yet (a refund of all that is left)."""
    done = refunded_units(order)
    left = {line.id: line.quantity - done.get(line.id, 0) for line in order.lines}
    return items_to_refund(order, {line_id: units for line_id, units in left.items() if units > 0},
                           delivery=bool(order.delivery_fee_minor) and not done.get(None))


def record_refund_lines(refund: Refund, items: list[ReturnedItem]) -> None:
    """Keep what the refund gave back with it (only flushes)."""
    db.session.add_all(RefundLine(refund_id=refund.id, order_line_id=item.order_line_id, name=item.name[:300],
                                  unit_price_minor=item.unit_price_minor, quantity=item.quantity,
                                  amount_minor=item.amount_minor) for item in items)
    db.session.flush()


def receipt_items(refund: Refund) -> list[ReturnedItem]:
    """Return the lines a refund's return receipt lists: what it gave back, or its amount as one line.

    A seat and the delivery are services on the receipt, a kit is goods.
    """
    rows = db.session.execute(select(RefundLine, OrderLine.product_id)
                              .outerjoin(OrderLine)
                              .where(RefundLine.refund_id == refund.id).order_by(RefundLine.id))
    items = [ReturnedItem(row.name, row.unit_price_minor, row.quantity, row.amount_minor, row.order_line_id,
                          is_service=product_id is None) for row, product_id in rows]
    if sum(item.amount_minor for item in items) == refund.amount_minor and items:
        return items
    order = db.session.get(Order, refund.order_id)
    return [ReturnedItem(f"Возврат по заказу {order.number} / Refund", refund.amount_minor, 1,
                         refund.amount_minor, is_service=True)]
