"""Packing: a printable slip per order, the batch of every order waiting to be packed, and marking it packed."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import InvalidTransition, NotFound
from ..extensions import db
from ..models import Order, StaffNote
from ..orders.fulfilment import advance_fulfilment, next_moves
from ..orders.refund_lines import refunded_units
from ..orders.status import FULFILLABLE
from .notes import order_notes

BATCH_LIMIT = 200  # more than a farm packs in a day; the rest come in the next batch


@dataclass(frozen=True)
class Slip:
    """One order as the packer needs it: who, where, what, and the staff's notes."""

    order: Order
    notes: list[StaffNote]
    refunded: dict[int | None, int]  # units refunded per order line: not packed

    def to_pack(self, line) -> int:
        return max(line.quantity - self.refunded.get(line.id, 0), 0)


def packing_slip(order_id: int) -> Slip:
    """Return one order's slip; raise NotFound."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound()
    return Slip(order, order_notes(order.id), refunded_units(order))


def orders_to_pack(limit: int = BATCH_LIMIT) -> list[Slip]:
    """Return the slips of the paid orders with kits that may be marked packed now, oldest payment first."""
    orders = db.session.scalars(
        select(Order).options(selectinload(Order.lines))
        .where(Order.payment_status.in_(FULFILLABLE), Order.fulfilment_status == "unfulfilled")
        .order_by(Order.paid_at, Order.id)).all()
    waiting = [order for order in orders if "packed" in next_moves(order)][:limit]
    notes: dict[int, list[StaffNote]] = {order.id: [] for order in waiting}
    if waiting:
        for note in db.session.scalars(select(StaffNote).where(StaffNote.order_id.in_(notes))
                                       .order_by(StaffNote.id)):
            notes[note.order_id].append(note)
    return [Slip(order, notes[order.id], refunded_units(order) if order.payment_status != "paid" else {})
            for order in waiting]


def mark_packed(order_ids: list[int], *, actor_id: int | None, now: datetime) -> tuple[int, int]:
    """Mark each order of a printed batch packed (each recorded, audited and told to its buyer, as one by one).

    An order that moved on meanwhile (packed by a colleague, refunded, cancelled) is left as it is.
    Returns (packed, left as they were).
    """
    packed = skipped = 0
    for order_id in sorted(set(order_ids)):
        try:
            advance_fulfilment(order_id, "packed", actor_id=actor_id, now=now)
        except (InvalidTransition, NotFound):
            skipped += 1
        else:
            packed += 1
    return packed, skipped
