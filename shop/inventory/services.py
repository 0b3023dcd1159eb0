"""The one place where scarce things — kit units and cohort seats — are held, sold and released.

Stock on hand moves only through the ledger functions here (`receive_stock`, `write_off`,
`count_stock`, `sell_order`, `restock`), each writing one append-only `StockMovement`.
Availability is never stored: it is on hand minus the holds that have not expired yet, so an
abandoned checkout frees its units by itself when its time runs out.

Every function here only flushes; the calling service owns the transaction.
"""
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.sql.elements import ColumnElement

from ..database import is_postgres
from ..errors import CohortClosed, CohortFull, OutOfStock, StockConflict
from ..extensions import db
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Cohort, Enrolment, Hold, Product, StockMovement
from ..settings import shop_settings


def held_units(now: datetime) -> ColumnElement[int]:
    """Return a correlated expression: a product's units under live holds."""
    return (
        select(func.coalesce(func.sum(Hold.quantity), 0))
        .where(Hold.product_id == Product.id, Hold.expires_at > now)
        .scalar_subquery()
    )


def available_units(now: datetime) -> ColumnElement[int]:
    """Return a correlated expression: on hand minus live holds."""
    return Product.on_hand - held_units(now)


def taken_seats(now: datetime) -> ColumnElement[int]:
    """Return a correlated expression: a cohort's active enrolments plus live seat holds."""
    enrolled = (
        select(func.count(Enrolment.id))
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == "active")
        .scalar_subquery()
    )
    held = (
        select(func.coalesce(func.sum(Hold.quantity), 0))
        .where(Hold.cohort_id == Cohort.id, Hold.expires_at > now)
        .scalar_subquery()
    )
    return enrolled + held


def seats_left(now: datetime) -> ColumnElement[int]:
    """Return a correlated expression: capacity minus taken seats."""
    return Cohort.capacity - taken_seats(now)


def availability(product_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """Return available units for each product id, in one query."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(Product.id, available_units(now)).where(Product.id.in_(ids)))
    return {product_id: max(units, 0) for product_id, units in rows}


def seat_availability(cohort_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """Return seats left for each cohort id, in one query."""
    ids = list(set(cohort_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(Cohort.id, seats_left(now)).where(Cohort.id.in_(ids)))
    return {cohort_id: max(left, 0) for cohort_id, left in rows}


def lock_rows(product_ids: Iterable[int] = (), cohort_ids: Iterable[int] = ()) -> None:
    """Lock product rows, then cohort rows, each by ascending id, so lockers never deadlock.

    The locked rows are read afresh into the session, so what is checked after the lock (is the kit still
    on sale, is the cohort still open) is what other transactions committed before it. On SQLite the write
    transaction was begun IMMEDIATE and already excludes other writers.
    """
    if not is_postgres():
        return
    fresh = {"populate_existing": True}
    if product_ids:
        db.session.scalars(select(Product).where(Product.id.in_(sorted(set(product_ids)))).order_by(Product.id)
                           .with_for_update().execution_options(**fresh)).all()
    if cohort_ids:
        db.session.scalars(select(Cohort).where(Cohort.id.in_(sorted(set(cohort_ids)))).order_by(Cohort.id)
                           .with_for_update().execution_options(**fresh)).all()


def closed_reason(line, now: datetime) -> str:
    """Return why a cart or order line can no longer be sold (in staff's words), or "" when it still can.

    A kit taken off sale, a course taken off offer, and a cohort that is cancelled or has started
    cannot be bought, and a payment that arrives for one anyway neither sells nor enrols.
    """
    if line.product_id and not line.product.is_active:
        return "the kit was taken off sale"
    if line.cohort_id:
        cohort = line.cohort
        if cohort.is_cancelled:
            return "the cohort was cancelled"
        if not cohort.course.is_active:
            return "the course was taken off offer"
        if cohort.starts_at <= now:
            return "the cohort had started"
    return ""


def hold_stock(product: Product, quantity: int, *, expires_at: datetime, now: datetime, **owner) -> Hold:
    """Hold ``quantity`` units of a product; raise OutOfStock when fewer are available.

    Call under `lock_rows` for the product; ``owner`` names the order or waiting-list entry.
    """
    available = availability([product.id], now)[product.id]
    if quantity > available:
        raise OutOfStock(product=product.slug, available=available)
    hold = Hold(product_id=product.id, quantity=quantity, expires_at=expires_at, **owner)
    db.session.add(hold)
    db.session.flush()
    return hold


def hold_seats(cohort: Cohort, quantity: int, *, expires_at: datetime, now: datetime, **owner) -> Hold:
    """Hold seats of a cohort until ``expires_at`` or its start, whichever comes first.

    Raise CohortClosed or CohortFull when they cannot be had. Call under `lock_rows` for the cohort.
    """
    left = seat_availability([cohort.id], now)[cohort.id]
    if cohort.status(left, now) in ("cancelled", "started", "finished"):
        raise CohortClosed(cohort=cohort.id)
    if quantity > left:
        raise CohortFull(cohort=cohort.id, available=left)
    hold = Hold(cohort_id=cohort.id, quantity=quantity, expires_at=seat_hold_end(cohort, expires_at), **owner)
    db.session.add(hold)
    db.session.flush()
    return hold


def seat_hold_end(cohort: Cohort, expires_at: datetime) -> datetime:
    """Return when a seat hold ends: never after the cohort starts, when it can no longer be bought."""
    return min(expires_at, cohort.starts_at)


def release_closed_holds(*, product_ids: Iterable[int] = (), cohort_ids: Iterable[int] = ()) -> int:
    """Delete every hold on these products or cohorts (taken off sale, cancelled); return how many went.

    Orders that held them stay unpaid; a payment that arrives anyway is flagged, never sold (see
    `closed_reason`). Waiting-list offers on those cohorts lapse with their holds.
    """
    product_ids, cohort_ids = sorted(set(product_ids)), sorted(set(cohort_ids))
    removed = 0
    if product_ids:
        removed += db.session.execute(delete(Hold).where(Hold.product_id.in_(product_ids))).rowcount or 0
    if cohort_ids:
        removed += db.session.execute(delete(Hold).where(Hold.cohort_id.in_(cohort_ids))).rowcount or 0
    return removed


def cap_seat_holds(cohort: Cohort) -> None:
    """End the cohort's seat holds at its start, after staff moved the start earlier (only flushes)."""
    db.session.execute(update(Hold).where(Hold.cohort_id == cohort.id, Hold.expires_at > cohort.starts_at)
                       .values(expires_at=cohort.starts_at).execution_options(synchronize_session=False))


def release_holds(order_id: int) -> int:
    """Delete every hold of an order; return how many rows went."""
    result = db.session.execute(delete(Hold).where(Hold.order_id == order_id))
    return result.rowcount or 0


def release_expired_holds(now: datetime) -> int:
    """Delete holds whose time ran out (they stopped counting already); return how many."""
    result = db.session.execute(delete(Hold).where(Hold.expires_at <= now))
    return result.rowcount or 0


def move_stock(
    product_id: int, kind: str, delta: int, *, now: datetime, reason: str = "", actor_id: int | None = None,
    order_id: int | None = None, order_line_id: int | None = None, respect_holds: bool = True,
) -> StockMovement:
    """Change on hand by ``delta`` with one conditional UPDATE and write its ledger row.

    The UPDATE refuses to take on hand below zero or below what live holds keep
    (``respect_holds``); the level after comes back from the same statement, so two
    staff receiving at once both count and each row records the true level.
    """
    floor = held_units(now) if respect_holds else 0
    row = db.session.execute(
        update(Product)
        .where(Product.id == product_id, Product.on_hand + delta >= floor, Product.on_hand + delta >= 0)
        .values(on_hand=Product.on_hand + delta)
        .returning(Product.on_hand, Product.low_stock_threshold)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        raise StockConflict(product=product_id)
    level, threshold = row
    movement = StockMovement(
        product_id=product_id, kind=kind, delta=delta, level_after=level, reason=reason, actor_id=actor_id,
        order_id=order_id, order_line_id=order_line_id, created_at=now,
    )
    db.session.add(movement)
    db.session.flush()
    if level <= threshold < level - delta:
        _warn_low_stock(movement, threshold)
    product = db.session.get(Product, product_id)
    if product is not None:
        db.session.refresh(product, ["on_hand"])
    return movement


def _warn_low_stock(movement: StockMovement, threshold: int) -> None:
    """Queue one staff e-mail for the movement that took a product down across its threshold.

    The level before and after come from the same atomic UPDATE, so of many sales racing
    past the threshold exactly one sees the crossing; later sales below it send nothing.
    """
    product = db.session.get(Product, movement.product_id)
    if not product.is_active:
        return  # not on sale: nobody needs to restock it
    settings = shop_settings()
    queue_email(settings.staff_email, "low_stock", locale=settings.staff_locale,
                dedupe_key=f"low-stock:{movement.product_id}:{movement.id}", product=product,
                level=movement.level_after, threshold=threshold,
                link=external_url("admin.product", locale=settings.staff_locale, product_id=movement.product_id))


def receive_stock(product: Product, quantity: int, *, now: datetime, reason: str = "", actor_id=None) -> StockMovement:
    """Record units received from a supplier (+N)."""
    if quantity <= 0:
        raise StockConflict("Received quantity must be a positive whole number.")
    return move_stock(product.id, "received", quantity, now=now, reason=reason, actor_id=actor_id, respect_holds=False)


def write_off(product: Product, quantity: int, *, now: datetime, reason: str, actor_id=None) -> StockMovement:
    """Record units spoiled, lost or damaged (−N); never below zero or below what is held."""
    if quantity <= 0:
        raise StockConflict("Written-off quantity must be a positive whole number.")
    return move_stock(product.id, "written_off", -quantity, now=now, reason=reason, actor_id=actor_id)


def count_stock(product: Product, counted: int, *, now: datetime, reason: str = "", actor_id=None) -> StockMovement:
    """Set on hand to what a stock-take counted, recording the difference."""
    if counted < 0:
        raise StockConflict("A counted quantity cannot be negative.")
    lock_rows([product.id])
    db.session.refresh(product, ["on_hand"])
    return move_stock(product.id, "counted", counted - product.on_hand, now=now, reason=reason, actor_id=actor_id)


def restock(product_id: int, quantity: int, *, now: datetime, order_id: int, order_line_id: int, actor_id=None,
            reason: str = "") -> StockMovement:
    """Put returned units of an order line back on hand (+N)."""
    return move_stock(product_id, "returned", quantity, now=now, reason=reason, actor_id=actor_id,
                      order_id=order_id, order_line_id=order_line_id, respect_holds=False)


def sell_line(line, *, now: datetime) -> bool:
    """Turn an order line's unit hold into a sale (on hand goes down once); return False if stock is gone.

    The line's own hold is deleted first, so the conditional UPDATE only has to respect
    other buyers' live holds. When the hold had expired and others took the units, the
    UPDATE refuses and nothing is oversold.
    """
    db.session.execute(delete(Hold).where(Hold.order_line_id == line.id, Hold.product_id.is_not(None)))
    try:
        with db.session.begin_nested():
            move_stock(line.product_id, "sold", -line.quantity, now=now, order_id=line.order_id,
                       order_line_id=line.id, reason="Order paid")
    except StockConflict:
        return False
    return True


def sold_units(order_line_ids: Iterable[int]) -> dict[int, int]:
    """Return, per order line, the units its sales took off the shelf (0 for a line never sold)."""
    ids = sorted(set(order_line_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(StockMovement.order_line_id, func.sum(StockMovement.delta))
        .where(StockMovement.order_line_id.in_(ids), StockMovement.kind == "sold")
        .group_by(StockMovement.order_line_id))
    sold = {line_id: -int(delta) for line_id, delta in rows}
    return {line_id: sold.get(line_id, 0) for line_id in ids}


def take_seats(line, *, now: datetime) -> bool:
    """Release a line's seat hold so its enrolments take the seats; return False if the cohort filled up."""
    db.session.execute(delete(Hold).where(Hold.order_line_id == line.id, Hold.cohort_id.is_not(None)))
    return seat_availability([line.cohort_id], now)[line.cohort_id] >= line.seats
