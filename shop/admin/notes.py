"""Internal notes on orders and customers: staff write them, staff read them with author and time; buyers never."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..database import unit_of_work
from ..errors import NotFound
from ..extensions import db
from ..models import Order, StaffNote
from .customers import customer_file


def _key(email: str) -> str:
    return email.strip().lower()


def add_order_note(order_id: int, body: str, *, actor_id: int | None, now: datetime) -> StaffNote:
    """Keep a note on an order; raise NotFound for an unknown order."""
    with unit_of_work():
        order = db.session.get(Order, order_id)
        if order is None:
            raise NotFound()
        note = StaffNote(order_id=order.id, author_id=actor_id, body=body.strip(), created_at=now)
        db.session.add(note)
        record(actor_id, "note.add", f"order:{order.public_id}", now=now)
    return note


def add_customer_note(email: str, body: str, *, actor_id: int | None, now: datetime) -> StaffNote:
    """Keep a note on the customer with this e-mail (whatever its case); raise NotFound if the shop has none."""
    key = _key(email)
    with unit_of_work():
        customer_file(key)  # raises NotFound for an e-mail the shop does not know
        note = StaffNote(customer_email=key, author_id=actor_id, body=body.strip(), created_at=now)
        db.session.add(note)
        record(actor_id, "note.add", f"customer:{key}", now=now)
    return note


def order_notes(order_id: int) -> list[StaffNote]:
    """Return an order's notes, oldest first, with their authors."""
    return list(db.session.scalars(select(StaffNote).options(joinedload(StaffNote.author))
                                   .where(StaffNote.order_id == order_id).order_by(StaffNote.id)))


def customer_notes(email: str) -> list[StaffNote]:
    """Return a customer's notes, oldest first, with their authors."""
    return list(db.session.scalars(select(StaffNote).options(joinedload(StaffNote.author))
                                   .where(StaffNote.customer_email == _key(email)).order_by(StaffNote.id)))
