"""Stock work in the staff area: receive, write off and count, each one ledger movement and one audit entry.

On-hand stock is never typed in: every change goes through the inventory ledger, whose
conditional UPDATE refuses to go below zero or below what open orders hold.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..catalog.back_in_stock import notify_back_in_stock
from ..database import unit_of_work
from ..errors import NotFound
from ..extensions import db
from ..inventory.services import available_units, count_stock, receive_stock, write_off
from ..models import Hold, Order, Product, StockMovement

LEDGER_LIMIT = 200


def _product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound()
    return product


def audit_movement(movement: StockMovement, actor_id: int | None, now: datetime, **extra) -> None:
    """Add the audit entry ``stock.<kind>`` for a ledger movement (only flushes)."""
    record(actor_id, f"stock.{movement.kind}", f"product:{movement.product_id}", now=now, delta=movement.delta,
           level_after=movement.level_after, reason=movement.reason, **extra)


def receive_delivery(product_id: int, quantity: int, *, note: str, actor_id: int | None,
                     now: datetime) -> StockMovement:
    """Record a delivery from a supplier: +N on hand, with the supplier's note."""
    with unit_of_work():
        movement = receive_stock(_product(product_id), quantity, now=now, reason=note.strip(), actor_id=actor_id)
        audit_movement(movement, actor_id, now)
        notify_back_in_stock(product_id, now=now)
    return movement


def write_off_units(product_id: int, quantity: int, *, reason: str, actor_id: int | None,
                    now: datetime) -> StockMovement:
    """Record spoiled, lost or damaged units: −N on hand, never below zero or what is held."""
    with unit_of_work():
        movement = write_off(_product(product_id), quantity, now=now, reason=reason.strip(), actor_id=actor_id)
        audit_movement(movement, actor_id, now)
    return movement


def record_count(product_id: int, counted: int, *, note: str, actor_id: int | None,
                 now: datetime) -> StockMovement:
    """Set on hand to what a stock-take counted; the ledger keeps the difference."""
    with unit_of_work():
        movement = count_stock(_product(product_id), counted, now=now, reason=note.strip(), actor_id=actor_id)
        audit_movement(movement, actor_id, now)
        if movement.delta > 0:
            notify_back_in_stock(product_id, now=now)
    return movement


def ledger(product_id: int, limit: int = LEDGER_LIMIT) -> list[StockMovement]:
    """Return a product's latest stock movements, newest first, with who made them."""
    return list(db.session.scalars(
        select(StockMovement).options(joinedload(StockMovement.actor))
        .where(StockMovement.product_id == product_id).order_by(StockMovement.id.desc()).limit(limit)
    ))


@dataclass(frozen=True)
class LiveHold:
    """Units kept for an unpaid order (or a waiting-list offer) until ``expires_at``."""

    quantity: int
    expires_at: datetime
    order: Order | None


def live_holds(product_id: int, now: datetime) -> list[LiveHold]:
    """Return the holds on a product that still count against its availability, soonest to expire first."""
    rows = db.session.execute(
        select(Hold, Order).outerjoin(Order, Order.id == Hold.order_id)
        .where(Hold.product_id == product_id, Hold.expires_at > now).order_by(Hold.expires_at, Hold.id)
    ).all()
    return [LiveHold(hold.quantity, hold.expires_at, order) for hold, order in rows]


@dataclass(frozen=True)
class StockLevel:
    """A product with its stock on hand and the units still available to buyers."""

    product: Product
    available: int

    @property
    def held(self) -> int:
        return max(self.product.on_hand - self.available, 0)

    @property
    def is_low(self) -> bool:
        return self.product.on_hand <= self.product.low_stock_threshold


def stock_level(product_id: int, now: datetime) -> StockLevel:
    """Return a product with its availability now; raise NotFound."""
    row = db.session.execute(select(Product, available_units(now)).where(Product.id == product_id)).one_or_none()
    if row is None:
        raise NotFound()
    return StockLevel(row[0], max(row[1], 0))


def low_stock(now: datetime, limit: int | None = None) -> list[StockLevel]:
    """Return products on sale at or below their low-stock threshold, emptiest first."""
    statement = (
        select(Product, available_units(now))
        .where(Product.is_active.is_(True), Product.on_hand <= Product.low_stock_threshold)
        .order_by(Product.on_hand, Product.id)
    )
    if limit:
        statement = statement.limit(limit)
    return [StockLevel(product, max(units, 0)) for product, units in db.session.execute(statement)]
