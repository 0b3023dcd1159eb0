"""Locking one order row for the length of a transaction, the first step of every change to an order."""
from sqlalchemy import select

from ..database import is_postgres
from ..extensions import db
from ..models import Order


def lock_order(*, public_id: str | None = None, order_id: int | None = None) -> Order | None:
    """Return the order by its public or its own id, its row locked until the transaction ends; None if unknown.

    On PostgreSQL the row is locked FOR UPDATE; on SQLite the write transaction, begun IMMEDIATE, already
    excludes every other writer. Duplicates and races of one order's events therefore queue here.
    """
    statement = select(Order).where(Order.public_id == public_id if public_id is not None else Order.id == order_id)
    if is_postgres():
        statement = statement.with_for_update()
    return db.session.scalar(statement)
