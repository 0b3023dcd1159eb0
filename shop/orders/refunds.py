"""Refunds: never more than was paid, recorded once whether staff made them or the provider reported them.

A staff refund runs in three steps, like checkout: (1) check the amount against what was
paid minus what was refunded, refusing with RefundTooLarge before any money moves; (2) ask
the provider to refund — over the network, so outside any transaction; (3) record the refund,
restock the chosen lines through the ledger, cancel course places, and tell the buyer, in one
transaction. The idempotency key names the order, what was refunded before and the amount, so
a double-clicked button asks the provider once and the unique reference records it once. If
recording fails after the provider paid out, Stripe's ``charge.refunded`` webhook still brings
the shop up to date (`record_provider_refund`), in whatever order the provider's events arrive.
"""
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import record
from ..courses.services import cancel_enrolments_for_order
from ..database import unit_of_work
from ..errors import NotFound, RefundTooLarge, ShopError
from ..extensions import db
from ..inventory.services import restock, sold_units
from ..models import Order, Payment, Refund
from ..payments.gateway import Gateway
from .events import record_provider_event
from .locking import lock_order
from .notify import queue_status_email
from .refund_lines import ReturnedItem, everything_left, items_to_refund, record_refund_lines
from .status import PAID_STATUSES, change_status

logger = logging.getLogger("shop.refunds")


class NothingToRefund(ShopError):
    message = _l("This order has no payment that can be refunded.")


class InvalidRestock(ShopError):
    message = _l("Only units of this order's kits that were not put back yet can be restocked.")


def refunded_total(order: Order) -> int:
    """Return the tiyn refunded on the order so far."""
    return db.session.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(Refund.order_id == order.id))


def settle_refund_status(order: Order, *, now: datetime, actor_id: int | None = None) -> None:
    """Move the order's payment state to refunded or partially refunded to match its refunds (only flushes);
    its fulfilment state stays as it is: a parcel that left has left."""
    total = refunded_total(order)
    target = "refunded" if total >= order.total_minor else "partially_refunded" if total else None
    if target and order.payment_status != target:
        change_status(order, target, now=now, actor_id=actor_id)


def _paid_payment(order: Order) -> Payment:
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status == "paid")
                                .order_by(Payment.id.desc()).limit(1))
    if payment is None or order.payment_status not in PAID_STATUSES:
        raise NothingToRefund()
    return payment


def _check_amount(order: Order, payment: Payment, amount_minor: int) -> int:
    """Refuse an amount above what was paid minus what was refunded; return what was refunded so far."""
    already = refunded_total(order)
    if amount_minor <= 0 or amount_minor > payment.amount_minor - already:
        raise RefundTooLarge(left=payment.amount_minor - already)
    return already


def _check_restock(order: Order, restock_lines: dict[int, int]) -> None:
    """Refuse to restock a line that is not one of the order's kits, or more units than its sale took.

    Units go back on the shelf only if a sale took them off: a late payment whose units were sold
    to someone else meanwhile sold nothing, so refunding it puts nothing back.
    """
    lines = {line.id: line for line in order.lines}
    sold = sold_units(lines)
    for line_id, quantity in restock_lines.items():
        line = lines.get(line_id)
        if line is None or not line.product_id or not 0 < quantity <= sold[line_id] - line.returned_quantity:
            raise InvalidRestock(line=line_id)


@dataclass(frozen=True)
class RefundRequest:
    """What staff asked for: the amount, why, which kit units go back on the shelf, whether seats are cancelled."""

    order_id: int
    amount_minor: int | None  # None: the value of ``lines`` and ``delivery``
    reason: str
    restock_lines: dict[int, int]
    cancel_seats: bool = False
    key: str = ""  # names this request (the form carries it), so sending it twice refunds once
    lines: dict[int, int] = field(default_factory=dict)  # units given back per order line
    delivery: bool = False  # the delivery fee given back too
    provider_reference: str = ""  # a refund made outside the shop (in Kaspi's app): its reference there


class NothingChosen(ShopError):
    field = "amount_minor"
    message = _l("Choose what to refund: units of the order's lines, the delivery fee, or an amount.")


class ReferenceNeeded(ShopError):
    field = "provider_reference"
    message = _l("Enter the reference of the refund made in Kaspi's app.")


def _what_is_refunded(order: Order, payment: Payment, request: RefundRequest) -> tuple[int, list[ReturnedItem]]:
    """Return the amount and what it gives back: the chosen lines, everything left, or a free amount's none."""
    items = items_to_refund(order, request.lines, delivery=request.delivery) if request.lines or request.delivery \
        else []
    amount = request.amount_minor if request.amount_minor is not None else sum(i.amount_minor for i in items)
    if not amount and not items:
        raise NothingChosen()
    if not items and amount == payment.amount_minor - refunded_total(order) == order.total_minor:
        items = everything_left(order)
    return amount, items


@dataclass(frozen=True)
class RefundPlan:
    """What a refund will do, worked out before any money moves, for staff to confirm."""

    order: Order
    payment_id: int
    charge: str  # what the provider refunds: the payment's intent, else its reference
    provider: str
    card_last4: str  # the card the money goes back to, when the payment recorded it
    amount_minor: int
    already_minor: int  # refunded before this one
    items: list[ReturnedItem]  # what it gives back, line by line (none for a free amount)
    restock: list[tuple[str, int]]  # (name, units) put back on the shelf
    cancels_seats: bool
    by_hand: bool  # made in the provider's own app (Kaspi) and only recorded here

    @property
    def refunds_everything(self) -> bool:
        return self.already_minor + self.amount_minor >= self.order.total_minor


def plan_refund(request: RefundRequest, *, gateway: Gateway) -> RefundPlan:
    """Check a refund and return what it will do; raise a ShopError (nothing changes either way).

    The amount follows from the chosen units and the delivery fee (`refund_lines.units_value`, discounts
    shared out), unless staff chose to refund a free amount instead.
    """
    order = db.session.get(Order, request.order_id)
    if order is None:
        raise NotFound()
    payment = _paid_payment(order)
    amount, items = _what_is_refunded(order, payment, request)
    already = _check_amount(order, payment, amount)
    _check_restock(order, request.restock_lines)
    if payment.provider != gateway.name or (payment.provider in ("stripe", "tiptoppay") and not payment.payment_intent):
        raise NothingToRefund()
    if gateway.refunds_by_hand and not request.provider_reference.strip():
        raise ReferenceNeeded()
    names = {line.id: line.name for line in order.lines}
    seats = any(line.cohort_id for line in order.lines)
    return RefundPlan(order, payment.id, payment.payment_intent or payment.reference, payment.provider,
                      payment.card_last4, amount, already, items,
                      [(names[line_id], units) for line_id, units in sorted(request.restock_lines.items())],
                      seats and (request.cancel_seats or already + amount >= order.total_minor),
                      gateway.refunds_by_hand)


def refund_order(request: RefundRequest, *, gateway: Gateway, actor_id: int | None, now: datetime) -> Refund:
    """Refund part or all of a paid order through its provider, then record it, restock and cancel seats.

    Kaspi's refunds are made in its app; staff record them here with their reference.
    """
    plan = plan_refund(request, gateway=gateway)
    request = replace(request, amount_minor=plan.amount_minor)
    if plan.by_hand:
        return _record(request, plan.payment_id, f"{gateway.name}:{request.provider_reference.strip()[:200]}",
                       plan.items, actor_id=actor_id, now=now)
    key = f"refund-{plan.order.public_id}-{request.key or f'{plan.already_minor}-{plan.amount_minor}'}"
    db.session.rollback()  # hold no transaction open while the provider answers
    reference = gateway.refund(plan.charge, plan.amount_minor, idempotency_key=key)
    try:
        return _record(request, plan.payment_id, reference, plan.items, actor_id=actor_id, now=now)
    except Exception:
        logger.error("provider refunded %s on order %s but the shop could not record it", reference, request.order_id)
        raise


def _record(request: RefundRequest, payment_id: int, reference: str, items: list[ReturnedItem], *,
            actor_id: int | None, now: datetime) -> Refund:
    with unit_of_work():
        order = lock_order(order_id=request.order_id)
        refund = db.session.scalar(select(Refund).where(Refund.reference == reference))
        if refund is not None and refund.source == "staff":
            return refund  # the same request sent twice (a double click): the first one did everything
        if refund is None:
            _check_amount(order, db.session.get(Payment, payment_id), request.amount_minor)
            refund = Refund(order_id=order.id, payment_id=payment_id, amount_minor=request.amount_minor,
                            reference=reference, created_at=now)
            db.session.add(refund)
        # else the provider's webhook recorded this very refund first; staff's record completes it
        refund.source, refund.reason, refund.actor_id = "staff", request.reason.strip(), actor_id
        db.session.flush()
        record_refund_lines(refund, items)
        _check_restock(order, request.restock_lines)
        _restock_lines(order, request.restock_lines, actor_id=actor_id, now=now)
        settle_refund_status(order, now=now, actor_id=actor_id)
        if (order.payment_status == "refunded" or request.cancel_seats) and any(line.cohort_id for line in order.lines):
            cancel_enrolments_for_order(order, now=now, actor_id=actor_id)
        queue_status_email(order, dedupe_key=f"refund:{refund.id}", refund_minor=refund.amount_minor)
        record(actor_id, "order.refund", f"order:{order.public_id}", now=now, amount_minor=refund.amount_minor,
               reference=reference, restock=request.restock_lines or None, reason=request.reason.strip())
    return refund


def restock_unshipped(order: Order, *, now: datetime, reason: str) -> None:
    """Put back on the shelf every unit the order's sales took that was not returned yet; only flushes."""
    kits = [line for line in order.lines if line.product_id]
    sold = sold_units(line.id for line in kits)
    back = {line.id: sold[line.id] - line.returned_quantity for line in kits if sold[line.id] > line.returned_quantity}
    _restock_lines(order, back, actor_id=None, now=now, reason=reason)


def _restock_lines(order: Order, restock_lines: dict[int, int], *, actor_id: int | None, now: datetime,
                   reason: str = "Refund") -> None:
    for line in sorted(order.lines, key=lambda line: line.product_id or 0):
        quantity = restock_lines.get(line.id, 0)
        if quantity:
            restock(line.product_id, quantity, now=now, order_id=order.id, order_line_id=line.id, actor_id=actor_id,
                    reason=reason)
            line.returned_quantity += quantity
    db.session.flush()


def _order_of(public_id: str, payment_intent: str) -> Order | None:
    order = lock_order(public_id=public_id) if public_id else None
    if order is None and payment_intent:
        found = db.session.scalar(select(Order.public_id).join(Payment)
                                  .where(Payment.payment_intent == payment_intent))
        order = lock_order(public_id=found) if found else None
    return order


def record_provider_refund(*, public_id: str, payment_intent: str, now: datetime, event_id: str | None,
                           amount_refunded: int | None = None, refund_amount: int | None = None,
                           reference: str | None = None, provider: str = "stripe",
                           event_type: str = "charge.refunded") -> Order | None:
    """Bring the shop's refunds up to what the provider reports: a cumulative ``amount_refunded`` (Stripe),
    or one more refund of ``refund_amount`` named ``reference`` (TipTop Pay), recorded once.

    A refund reported before the payment itself (events arrive in any order) is remembered on the
    payment and applied when the payment is recorded, so an order refunded at the provider never
    becomes a paid order waiting to be packed.
    """
    with unit_of_work():
        if not record_provider_event(event_id, event_type, provider):
            return None
        order = _order_of(public_id, payment_intent)
        if order is None or (reference and _known_refund(reference)):
            return order
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.provider == provider)
                                    .order_by(Payment.status != "paid", Payment.id.desc()).limit(1))
        if payment is None:
            return None
        if order.payment_status not in PAID_STATUSES or payment.status != "paid":
            early = payment.refunded_at_provider_minor or 0
            payment.refunded_at_provider_minor = (early + refund_amount if refund_amount is not None
                                                  else max(early, amount_refunded or 0))
            return order
        total = refunded_total(order) + refund_amount if refund_amount is not None else amount_refunded or 0
        apply_provider_refund(order, payment, total, reference=reference, now=now)
    return order


def apply_provider_refund(order: Order, payment: Payment, amount_refunded: int, *, reference: str | None,
                          now: datetime) -> None:
    """Record what the provider refunded beyond the shop's refunds, never above what was paid; only flushes.

    A full refund of an order that was never packed puts its sold units back on the shelf (they never
    left it) and cancels its course places.
    """
    missing = min(amount_refunded, payment.amount_minor) - refunded_total(order)
    if missing <= 0:
        return
    db.session.add(Refund(order_id=order.id, payment_id=payment.id, amount_minor=missing, source="provider",
                          reason=f"Refunded at {payment.provider}", created_at=now,
                          reference=reference if reference and not _known_refund(reference) else None))
    db.session.flush()
    never_packed = order.fulfilment_status == "unfulfilled"
    settle_refund_status(order, now=now)
    if order.payment_status != "refunded":
        return
    if never_packed:
        restock_unshipped(order, now=now, reason="Refunded at the provider before packing")
    cancel_enrolments_for_order(order, now=now)


def _known_refund(reference: str) -> bool:
    return db.session.scalar(select(Refund.id).where(Refund.reference == reference)) is not None
