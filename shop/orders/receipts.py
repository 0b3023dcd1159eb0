"""Fiscal receipts kept against the payment or refund they belong to, and what still has none.

Every payment to a person and every refund needs an electronic fiscal receipt (and since 2026 a refund needs
its own return receipt: a receipt can no longer be annulled). TipTop Pay's online cash register issues them;
Kaspi and Stripe payments get theirs outside the shop, so staff see them listed as without one here. An order a
promo code made free took no money, so it needs no receipt (a receipt of 0 ₸ would be wrong).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from ..database import unit_of_work
from ..extensions import db
from ..models import FiscalReceipt, Order, Payment, Refund
from .notify import tell_buyer_of_receipt


@dataclass(frozen=True)
class ReceiptDetails:
    """What the cash register says of a receipt it issued."""

    provider_receipt_id: str
    is_return: bool
    amount_minor: int
    number: str = ""
    fiscal_sign: str = ""
    register_number: str = ""
    url: str = ""
    qr_url: str = ""


def record_receipt(details: ReceiptDetails, *, provider: str, transaction_id: str, invoice_id: str,
                   now: datetime) -> FiscalReceipt:
    """Keep a receipt the cash register issued, once, against its payment or refund (found by transaction)."""
    with unit_of_work():
        receipt = db.session.scalar(select(FiscalReceipt).where(
            FiscalReceipt.provider == provider, FiscalReceipt.provider_receipt_id == details.provider_receipt_id))
        if receipt is None:
            receipt = FiscalReceipt(provider=provider, provider_receipt_id=details.provider_receipt_id,
                                    kind="return" if details.is_return else "sale", created_at=now)
            db.session.add(receipt)
            _attach(receipt, provider=provider, transaction_id=transaction_id, invoice_id=invoice_id)
        receipt.status, receipt.transaction_id = "issued", transaction_id[:100] or receipt.transaction_id
        for name in ("number", "fiscal_sign", "register_number", "url", "qr_url"):
            setattr(receipt, name, (getattr(details, name) or "")[:500 if name.endswith("url") else 100])
        receipt.amount_minor = details.amount_minor
        db.session.flush()
        if receipt.url and receipt.order_id:
            tell_buyer_of_receipt(db.session.get(Order, receipt.order_id), receipt)
    return receipt


def _attach(receipt: FiscalReceipt, *, provider: str, transaction_id: str, invoice_id: str) -> None:
    order = db.session.scalar(select(Order).where(Order.public_id == invoice_id)) if invoice_id else None
    if receipt.kind == "sale":
        payment = db.session.scalar(select(Payment).where(Payment.provider == provider,
                                                          Payment.payment_intent == transaction_id)) \
            if transaction_id else None
        receipt.payment_id = payment.id if payment else None
        receipt.order_id = payment.order_id if payment else order.id if order else None
        return
    refund = db.session.scalar(select(Refund).where(Refund.reference == transaction_id)) if transaction_id else None
    receipt.refund_id = refund.id if refund else None
    receipt.order_id = refund.order_id if refund else order.id if order else None


def note_requested_return_receipt(refund_id: int, *, provider: str, provider_receipt_id: str,
                                  now: datetime) -> None:
    """Keep that a return receipt was asked for a refund, until the cash register's notification details it."""
    with unit_of_work():
        known = db.session.scalar(select(FiscalReceipt.id).where(
            FiscalReceipt.provider == provider, FiscalReceipt.provider_receipt_id == provider_receipt_id))
        refund = db.session.get(Refund, refund_id)
        if known is None and refund is not None:
            db.session.add(FiscalReceipt(provider=provider, provider_receipt_id=provider_receipt_id, kind="return",
                                         status="requested", refund_id=refund.id, order_id=refund.order_id,
                                         amount_minor=refund.amount_minor, created_at=now))


def receipts_of(order_id: int) -> list[FiscalReceipt]:
    """Return the order's receipts, oldest first."""
    return list(db.session.scalars(select(FiscalReceipt).where(FiscalReceipt.order_id == order_id)
                                   .order_by(FiscalReceipt.id)))


@dataclass(frozen=True)
class Unreceipted:
    """A paid payment or a refund that no fiscal receipt covers yet."""

    order: Order
    provider: str
    amount_minor: int
    at: datetime
    refund_id: int | None = None


def without_receipts(limit: int = 200) -> list[Unreceipted]:
    """Return paid payments and refunds that have no receipt, newest first, so none is left unnoticed."""
    payments = db.session.execute(
        select(Payment, Order).join(Order, Order.id == Payment.order_id).where(
            Payment.status == "paid",
            ~exists().where(FiscalReceipt.payment_id == Payment.id, FiscalReceipt.kind == "sale"))
        .order_by(Payment.updated_at.desc()).limit(limit)).all()
    refunds = db.session.execute(
        select(Refund, Order, Payment.provider).join(Order, Order.id == Refund.order_id)
        .outerjoin(Payment, Payment.id == Refund.payment_id)
        .where(~exists().where(FiscalReceipt.refund_id == Refund.id))
        .order_by(Refund.created_at.desc()).limit(limit)).all()
    found = [Unreceipted(order, payment.provider, payment.amount_minor, payment.updated_at)
             for payment, order in payments if payment.provider != "dummy" and payment.amount_minor > 0]
    found += [Unreceipted(order, provider or "", refund.amount_minor, refund.created_at, refund.id)
              for refund, order, provider in refunds if provider != "dummy"]
    return sorted(found, key=lambda item: item.at, reverse=True)[:limit]
