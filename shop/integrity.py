"""The invariants `flask shop check-integrity` checks: stock, holds, orders, seats and payments agree.

Each check is one or two aggregate queries and returns a list of plain-language problems,
so the command can run against a live shop from cron and tests can assert an empty list.
"""
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import case, func, or_, select

from .clock import utcnow
from .extensions import db
from .models import (
    Cohort,
    Course,
    Enrolment,
    Hold,
    Order,
    OrderLine,
    Payment,
    Product,
    PromoCode,
    PromoRedemption,
    Refund,
    StockMovement,
)
from .orders.status import DELIVERY_ONLY, FULFILLABLE, FULFILMENT_STATUSES, PAID_STATUSES, PAYMENT_STATUSES, PICKUP_ONLY

# Fulfilment states of orders still to be packed or handed over
AWAITING_FULFILMENT = ("unfulfilled", "packed", "ready_for_pickup")

Check = Callable[[datetime], list[str]]


def stock_matches_ledger(now: datetime) -> list[str]:
    """Stock on hand equals the sum of its ledger, and the last movement's level after."""
    ledger = (select(StockMovement.product_id, func.sum(StockMovement.delta).label("total"),
                     func.max(StockMovement.id).label("last_id"))
              .group_by(StockMovement.product_id).subquery())
    rows = db.session.execute(
        select(Product.slug, Product.on_hand, func.coalesce(ledger.c.total, 0), StockMovement.level_after)
        .outerjoin(ledger)
        .outerjoin(StockMovement, StockMovement.id == ledger.c.last_id)
    ).all()
    problems = []
    for slug, on_hand, total, last_level in rows:
        if on_hand != total:
            problems.append(f"product {slug}: on hand {on_hand} but its ledger sums to {total}")
        elif last_level is not None and last_level != on_hand:
            problems.append(f"product {slug}: on hand {on_hand} but the last movement left {last_level}")
        if on_hand < 0:
            problems.append(f"product {slug}: on hand is negative ({on_hand})")
    return problems


def holds_within_stock(now: datetime) -> list[str]:
    """No product is held beyond what is on hand."""
    held = (select(Hold.product_id, func.sum(Hold.quantity).label("held"))
            .where(Hold.expires_at > now).group_by(Hold.product_id).subquery())
    rows = db.session.execute(select(Product.slug, Product.on_hand, held.c.held)
                              .join(held).where(held.c.held > Product.on_hand)).all()
    return [f"product {slug}: {count} held but only {on_hand} on hand" for slug, on_hand, count in rows]


def seats_within_capacity(now: datetime) -> list[str]:
    """No cohort has more active enrolments plus live seat holds than seats."""
    enrolled = (select(Enrolment.cohort_id, func.count().label("n"))
                .where(Enrolment.status == "active").group_by(Enrolment.cohort_id).subquery())
    held = (select(Hold.cohort_id, func.sum(Hold.quantity).label("n"))
            .where(Hold.expires_at > now).group_by(Hold.cohort_id).subquery())
    taken = func.coalesce(enrolled.c.n, 0) + func.coalesce(held.c.n, 0)
    rows = db.session.execute(
        select(Cohort.id, Cohort.capacity, func.coalesce(enrolled.c.n, 0), func.coalesce(held.c.n, 0))
        .outerjoin(enrolled).outerjoin(held)
        .where(taken > Cohort.capacity)
    ).all()
    return [f"cohort {cid}: {n_enrolled} enrolled and {n_held} held for {capacity} seats"
            for cid, capacity, n_enrolled, n_held in rows]


def paid_lines_sold_once(now: datetime) -> list[str]:
    """Every product line of a paid order has exactly one sale in the ledger (unless flagged for staff)."""
    sales = (select(StockMovement.order_line_id, func.count().label("n"), func.sum(StockMovement.delta).label("units"))
             .where(StockMovement.kind == "sold").group_by(StockMovement.order_line_id).subquery())
    rows = db.session.execute(
        select(Order.public_id, OrderLine.id, OrderLine.quantity, func.coalesce(sales.c.n, 0), sales.c.units,
               Order.payment_status, Order.needs_attention)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .outerjoin(sales)
        .where(OrderLine.product_id.is_not(None))
    ).all()
    problems = []
    for public_id, line_id, quantity, count, units, status, flagged in rows:
        paid = status in PAID_STATUSES
        if paid and count != 1 and not flagged:
            problems.append(f"order {public_id}: line {line_id} is paid but sold {count} times")
        elif paid and count == 1 and -units != quantity:
            problems.append(f"order {public_id}: line {line_id} sold {-units} units of {quantity}")
        elif not paid and count:
            problems.append(f"order {public_id}: line {line_id} is sold but the order is {status}")
    return problems


def no_holds_on_closed_orders(now: datetime) -> list[str]:
    """No hold belongs to an order that is paid or cancelled."""
    rows = db.session.execute(
        select(Order.public_id, Order.payment_status, func.count()).join(Hold)
        .where(Order.payment_status != "pending_payment").group_by(Order.id)
    ).all()
    return [f"order {public_id}: {count} hold(s) left on a {status} order" for public_id, status, count in rows]


def refunds_within_payments(now: datetime) -> list[str]:
    """Refunds never exceed what was paid, and only paid orders have refunds."""
    refunded = (select(Refund.order_id, func.sum(Refund.amount_minor).label("n")).group_by(Refund.order_id).subquery())
    paid = (select(Payment.order_id, func.sum(Payment.amount_minor).label("n"))
            .where(Payment.status == "paid").group_by(Payment.order_id).subquery())
    rows = db.session.execute(
        select(Order.public_id, refunded.c.n, func.coalesce(paid.c.n, 0))
        .join(refunded).outerjoin(paid)
        .where(refunded.c.n > func.coalesce(paid.c.n, 0))
    ).all()
    return [f"order {public_id}: refunded {r} but paid {p} (tiyn)" for public_id, r, p in rows]


def paid_orders_paid_once(now: datetime) -> list[str]:
    """Every paid order has exactly one paid payment, and no unpaid order has one."""
    paid = (select(Payment.order_id, func.count().label("n"))
            .where(Payment.status == "paid").group_by(Payment.order_id).subquery())
    rows = db.session.execute(
        select(Order.public_id, Order.payment_status, func.coalesce(paid.c.n, 0))
        .outerjoin(paid)
        .where(func.coalesce(paid.c.n, 0) != 1, Order.payment_status.in_(PAID_STATUSES))
    ).all()
    unpaid = db.session.execute(
        select(Order.public_id, Order.payment_status).join(paid)
        .where(Order.payment_status.not_in(PAID_STATUSES))
    ).all()
    return ([f"order {p}: {status} with {n} paid payments" for p, status, n in rows]
            + [f"order {p}: {status} but a payment for it is paid" for p, status in unpaid])


def paid_seats_enrolled(now: datetime) -> list[str]:
    """Every seat line of a paid order has one enrolment per seat (active or cancelled by staff)."""
    enrolled = (select(Enrolment.order_line_id, func.count().label("n")).group_by(Enrolment.order_line_id).subquery())
    rows = db.session.execute(
        select(Order.public_id, OrderLine.id, OrderLine.quantity * OrderLine.seats_per_unit,
               func.coalesce(enrolled.c.n, 0), Order.needs_attention)
        .join(OrderLine, OrderLine.order_id == Order.id).outerjoin(enrolled)
        .where(OrderLine.cohort_id.is_not(None), Order.payment_status.in_(PAID_STATUSES),
               func.coalesce(enrolled.c.n, 0) != OrderLine.quantity * OrderLine.seats_per_unit)
    ).all()
    return [f"order {p}: line {line} bought {q} seat(s) but has {n} enrolment(s)"
            for p, line, q, n, flagged in rows if not flagged]


def returns_within_sales(now: datetime) -> list[str]:
    """No order line puts back on the shelf more units than its sale took off it."""
    sales = (select(StockMovement.order_line_id, func.sum(-StockMovement.delta).label("n"))
             .where(StockMovement.kind == "sold").group_by(StockMovement.order_line_id).subquery())
    returns = (select(StockMovement.order_line_id, func.sum(StockMovement.delta).label("n"))
               .where(StockMovement.kind == "returned").group_by(StockMovement.order_line_id).subquery())
    rows = db.session.execute(
        select(Order.public_id, OrderLine.id, func.coalesce(sales.c.n, 0), func.coalesce(returns.c.n, 0),
               OrderLine.returned_quantity)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .outerjoin(sales)
        .outerjoin(returns)
        # the units counted back on the line agree with the ledger's returns, and are no more than were sold
        .where(or_(OrderLine.returned_quantity > func.coalesce(sales.c.n, 0),
                   OrderLine.returned_quantity != func.coalesce(returns.c.n, 0)))
    ).all()
    return [f"order {p}: line {line} returned {back} unit(s) (counted {counted}) but sold {sold}"
            for p, line, sold, back, counted in rows]


def no_learners_in_cancelled_cohorts(now: datetime) -> list[str]:
    """No active enrolment belongs to a cancelled cohort."""
    rows = db.session.execute(
        select(Cohort.id, func.count()).join(Enrolment)
        .where(Cohort.is_cancelled.is_(True), Enrolment.status == "active").group_by(Cohort.id)
    ).all()
    return [f"cohort {cid}: cancelled but {n} enrolment(s) still active" for cid, n in rows]


def refunded_orders_not_awaiting_fulfilment(now: datetime) -> list[str]:
    """No order still waiting to be packed or handed over has had everything it paid refunded."""
    refunded = (select(Refund.order_id, func.sum(Refund.amount_minor).label("n")).group_by(Refund.order_id).subquery())
    paid = (select(Payment.order_id, func.sum(Payment.amount_minor).label("n"))
            .where(Payment.status == "paid").group_by(Payment.order_id).subquery())
    rows = db.session.execute(
        select(Order.public_id, Order.payment_status, Order.fulfilment_status)
        .join(refunded).join(paid)
        .where(Order.payment_status.in_(FULFILLABLE), Order.fulfilment_status.in_(AWAITING_FULFILMENT),
               refunded.c.n >= paid.c.n, paid.c.n > 0)
    ).all()
    return [f"order {p}: {payment}, {fulfilment}, but everything paid was refunded" for p, payment, fulfilment in rows]


def order_states_agree(now: datetime) -> list[str]:
    """Each order's two states are known names that fit together: only a paid order (refunded since or not) is
    packed or handed over, the way it is handed over fits its delivery, and one with no kits stays unfulfilled."""
    kits = select(OrderLine.order_id).where(OrderLine.product_id.is_not(None))
    rows = db.session.execute(
        select(Order.public_id, Order.payment_status, Order.fulfilment_status, Order.delivery_method,
               Order.id.in_(kits))
        .where(or_(Order.payment_status.not_in(PAYMENT_STATUSES), Order.fulfilment_status != "unfulfilled"))
    ).all()
    problems = []
    for public_id, payment, fulfilment, method, has_kits in rows:
        wrong_way = fulfilment in (PICKUP_ONLY if method != "pickup" else DELIVERY_ONLY)
        if payment not in PAYMENT_STATUSES or fulfilment not in FULFILMENT_STATUSES:
            problems.append(f"order {public_id}: unknown state {payment}, {fulfilment}")
        elif payment not in PAID_STATUSES or not has_kits or wrong_way:
            problems.append(f"order {public_id}: {fulfilment} but {payment}, {method}, "
                            f"{'with' if has_kits else 'without'} kits")
    return problems


def no_holds_on_closed_items(now: datetime) -> list[str]:
    """No live hold is on a kit off sale, or on a cohort that is cancelled, started or of a course off offer."""
    products = db.session.execute(
        select(Product.slug, func.sum(Hold.quantity)).join(Hold)
        .where(Hold.expires_at > now, Product.is_active.is_(False)).group_by(Product.slug)
    ).all()
    cohorts = db.session.execute(
        select(Cohort.id, func.sum(Hold.quantity)).join(Hold).join(Course)
        .where(Hold.expires_at > now,
               or_(Cohort.is_cancelled.is_(True), Cohort.starts_at <= now, Course.is_active.is_(False)))
        .group_by(Cohort.id)
    ).all()
    return ([f"product {slug}: {n} held but it is off sale" for slug, n in products]
            + [f"cohort {cid}: {n} seat(s) held but it cannot be booked" for cid, n in cohorts])


def order_totals_add_up(now: datetime) -> list[str]:
    """Every order's subtotal is the sum of its lines, and its total the subtotal plus delivery less discount."""
    lines = (select(OrderLine.order_id, func.sum(OrderLine.unit_price_minor * OrderLine.quantity).label("n"))
             .group_by(OrderLine.order_id).subquery())
    rows = db.session.execute(
        select(Order.public_id, Order.subtotal_minor, func.coalesce(lines.c.n, 0), Order.delivery_fee_minor,
               Order.total_minor)
        .outerjoin(lines)
        .where(or_(Order.subtotal_minor != func.coalesce(lines.c.n, 0),
                   Order.total_minor != Order.subtotal_minor + Order.delivery_fee_minor - Order.discount_minor))
    ).all()
    return [f"order {p}: subtotal {sub} for lines of {summed}, total {total} with delivery {fee} (tiyn)"
            for p, sub, summed, fee, total in rows]


def promo_uses_within_limits(now: datetime) -> list[str]:
    """No promo code is used more than its limit, and its uses count its live redemptions.

    A late payment that took its use again after the code was used up is counted beyond the limit (its order
    flagged for staff): only those uses may exceed it.
    """
    live = (select(PromoRedemption.promo_code_id, func.count(PromoRedemption.id).label("n"),
                   func.sum(case((PromoRedemption.is_over_limit.is_(True), 1), else_=0)).label("over"))
            .where(PromoRedemption.released_at.is_(None)).group_by(PromoRedemption.promo_code_id).subquery())
    rows = db.session.execute(
        select(PromoCode.code, PromoCode.uses, PromoCode.max_uses, func.coalesce(live.c.n, 0))
        .outerjoin(live)
        .where(or_(PromoCode.uses - func.coalesce(live.c.over, 0) > PromoCode.max_uses,
                   PromoCode.uses != func.coalesce(live.c.n, 0)))
    ).all()
    return [f"promo code {code}: {uses} use(s) counted, limit {limit}, {n} live redemption(s)"
            for code, uses, limit, n in rows]


def promo_uses_held_by_open_orders(now: datetime) -> list[str]:
    """An order holds its code's use (a live redemption) exactly while it is unpaid or paid, never once cancelled."""
    live = select(PromoRedemption.order_id).where(PromoRedemption.released_at.is_(None))
    holding = or_(Order.payment_status == "pending_payment", Order.payment_status.in_(PAID_STATUSES))
    missing = db.session.execute(
        select(Order.public_id, Order.payment_status, Order.promo_code)
        .where(Order.promo_code != "", holding, Order.id.not_in(live))).all()
    extra = db.session.execute(
        select(Order.public_id, Order.payment_status, Order.promo_code)
        .where(Order.id.in_(live), ~holding)).all()
    return ([f"order {p}: {status} with promo code {code} but holds no use of it" for p, status, code in missing]
            + [f"order {p}: {status} but still holds a use of promo code {code}" for p, status, code in extra])


def discounts_within_line_totals(now: datetime) -> list[str]:
    """No line's discount exceeds the line, nor the delivery's the fee; an order's discount is their sum."""
    lines = db.session.execute(
        select(Order.public_id, OrderLine.id).select_from(OrderLine).join(Order)
        .where(or_(OrderLine.discount_minor < 0,
                   OrderLine.discount_minor > OrderLine.unit_price_minor * OrderLine.quantity))).all()
    summed = (select(OrderLine.order_id, func.sum(OrderLine.discount_minor).label("n"))
              .group_by(OrderLine.order_id).subquery())
    orders = db.session.execute(
        select(Order.public_id).outerjoin(summed)
        .where(or_(Order.delivery_discount_minor < 0, Order.delivery_discount_minor > Order.delivery_fee_minor,
                   Order.discount_minor != func.coalesce(summed.c.n, 0) + Order.delivery_discount_minor))).all()
    return ([f"order {p}: line {line_id} is discounted below zero or by more than its total" for p, line_id in lines]
            + [f"order {p}: its discount is not the sum of its lines' and delivery's" for (p,) in orders])


CHECKS: list[Check] = [stock_matches_ledger, holds_within_stock, seats_within_capacity, paid_lines_sold_once,
                       no_holds_on_closed_orders, refunds_within_payments, paid_orders_paid_once, paid_seats_enrolled,
                       returns_within_sales, no_learners_in_cancelled_cohorts, refunded_orders_not_awaiting_fulfilment,
                       order_states_agree,
                       no_holds_on_closed_items, order_totals_add_up, promo_uses_within_limits,
                       promo_uses_held_by_open_orders, discounts_within_line_totals]


def check_integrity(now: datetime | None = None) -> list[str]:
    """Run every check and return the problems found; an empty list means the shop is consistent."""
    moment = now or utcnow()
    problems = [problem for check in CHECKS for problem in check(moment)]
    db.session.rollback()
    return problems


__all__ = ["CHECKS", "check_integrity"]
