"""Turn a verified TipTop Pay notification into the one shop change it stands for, and the answer code.

Check asks before any money moves whether the shop can still honour the payment; Pay, Fail, Refund, Cancel
and Receipt report what happened, each recorded once by its transaction id and kind, in any order.
"""
import logging
from datetime import datetime

from ..orders.paying import check_payment, mark_paid, record_failed_attempt
from ..orders.receipts import ReceiptDetails, record_receipt
from ..orders.refunds import record_provider_refund
from .tiptoppay_notifications import (
    CODE_EXPIRED,
    CODE_NOT_ACCEPTED,
    CODE_OK,
    CODE_WRONG_AMOUNT,
    CODE_WRONG_INVOICE,
    Notification,
)

logger = logging.getLogger("shop.webhooks")
PROVIDER = "tiptoppay"
CHECK_ANSWERS = {"ok": CODE_OK, "unknown": CODE_WRONG_INVOICE, "closed": CODE_NOT_ACCEPTED,
                 "amount": CODE_WRONG_AMOUNT, "lapsed": CODE_EXPIRED}


def handle_notification(note: Notification, *, now: datetime) -> int:
    """Apply a verified notification once; return the code to answer (only Check may refuse)."""
    if note.kind == "check":
        return _check(note, now)
    HANDLERS[note.kind](note, now, f"{PROVIDER}:{note.kind}:{note.transaction_id}")
    return CODE_OK


def _check(note: Notification, now: datetime) -> int:
    verdict = "unknown" if not note.invoice_id else check_payment(
        note.invoice_id, amount_minor=note.amount_minor, currency=note.currency or "", now=now)
    if verdict != "ok":
        logger.info("TipTop Pay check of order %s refused: %s", note.invoice_id or "(none)", verdict)
    return CHECK_ANSWERS[verdict]


def _pay(note: Notification, now: datetime, event_id: str) -> None:
    if note.status != "Completed" or not note.invoice_id:
        logger.warning("TipTop Pay payment %s not taken: status %s, order %r", note.transaction_id, note.status,
                       note.invoice_id)
        return
    mark_paid(note.invoice_id, provider=PROVIDER, reference=None, payment_intent=note.transaction_id,
              amount_minor=note.amount_minor, now=now, event_id=event_id, event_type="pay",
              card_last4=note.card_last_four)


def _fail(note: Notification, now: datetime, event_id: str) -> None:
    if note.invoice_id:
        record_failed_attempt(note.invoice_id, provider=PROVIDER, event_id=event_id,
                              reason=f"{note.reason_code or ''} {note.reason or ''}".strip())


def _refund(note: Notification, now: datetime, event_id: str) -> None:
    record_provider_refund(public_id=note.invoice_id, payment_intent=note.payment_transaction_id or "", now=now,
                           event_id=event_id, refund_amount=note.amount_minor, reference=note.transaction_id,
                           provider=PROVIDER, event_type="refund")


def _cancel(note: Notification, now: datetime, event_id: str) -> None:
    """A cancelled (voided) payment gives all its money back: for the shop it is a refund of that payment."""
    record_provider_refund(public_id=note.invoice_id, payment_intent=note.transaction_id, now=now,
                           event_id=event_id, refund_amount=note.amount_minor, reference=f"void:{note.transaction_id}",
                           provider=PROVIDER, event_type="cancel")


def _receipt(note: Notification, now: datetime, event_id: str) -> None:
    receipt = note.receipt
    details = ReceiptDetails(receipt.id, receipt.type == "IncomeReturn", receipt.amount_minor,
                             number=receipt.number or receipt.document_number or "",
                             fiscal_sign=receipt.fiscal_sign or "",
                             register_number=receipt.reg_number or receipt.device_number or "",
                             url=receipt.url or "", qr_url=receipt.qr_code_url or "")
    record_receipt(details, provider=PROVIDER, transaction_id=note.transaction_id, invoice_id=note.invoice_id,
                   now=now)


HANDLERS = {"pay": _pay, "fail": _fail, "refund": _refund, "cancel": _cancel, "receipt": _receipt}
