"""Asking TipTop Pay's online cash register for return receipts: each refund gets one, idempotent by its id."""
import logging
from datetime import datetime

from ..errors import PaymentFailed
from ..extensions import db
from ..models import Order, Refund
from ..orders.receipts import note_requested_return_receipt
from ..orders.refund_lines import receipt_items
from ..orders.refunds import RefundRequest, refund_order
from .gateway import Gateway
from .tiptoppay_gateway import ReceiptLine

logger = logging.getLogger("shop.receipts")


def request_return_receipt(refund_id: int, gateway: Gateway, *, now: datetime) -> str | None:
    """Ask the cash register for the refund's return receipt with exactly what it gave back; return its id.

    Outside any transaction (the register is asked over the network). A failure is logged and the refund
    stays listed without a receipt in the staff area, where it can be asked again; the same refund asked
    twice gets one receipt (the request is keyed by the refund's id).
    """
    if not hasattr(gateway, "return_receipt"):
        return None
    refund = db.session.get(Refund, refund_id)
    order = db.session.get(Order, refund.order_id)
    lines = [ReceiptLine(item.name, item.unit_price_minor, item.quantity, item.amount_minor,
                         vat=gateway.vat_rate, is_service=item.is_service) for item in receipt_items(refund)]
    email, public_id = order.email, order.public_id
    db.session.rollback()  # no transaction stays open while the register answers
    try:
        receipt_id = gateway.return_receipt(lines, email=email, idempotency_key=f"return-receipt-{refund_id}",
                                            invoice_id=public_id)
    except PaymentFailed:
        logger.warning("return receipt for refund %s of order %s not issued yet", refund_id, public_id)
        return None
    note_requested_return_receipt(refund_id, provider=gateway.name, provider_receipt_id=receipt_id, now=now)
    return receipt_id


def refund_with_receipt(request: RefundRequest, gateway: Gateway, *, actor_id: int | None, now: datetime) -> Refund:
    """Refund through the order's provider (`orders.refunds.refund_order`), then ask for its return receipt."""
    refund = refund_order(request, gateway=gateway, actor_id=actor_id, now=now)
    request_return_receipt(refund.id, gateway, now=now)
    return refund
