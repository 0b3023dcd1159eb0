"""What an order's life tells people, queued in the transaction of the change it announces."""
from datetime import datetime

from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import FiscalReceipt, Order, Payment
from ..settings import shop_settings
from .links import order_token


def _order_link(order: Order) -> str:
    return external_url("orders.detail", locale=order.locale, public_id=order.public_id,
                        token=order_token(order.public_id))


def queue_confirmation(order: Order) -> None:
    """Queue the buyer's confirmation of a paid order, with the signed link to its page."""
    queue_email(order.email, "order_confirmation", locale=order.locale, order=order, link=_order_link(order),
                dedupe_key=f"order-confirmation:{order.id}")


def tell_staff_of_paid_order(order: Order, *, delivery: str) -> None:
    """Queue the staff's 'new paid order' e-mail: what to pack or whom to expect, and for whom."""
    settings = shop_settings()
    queue_email(settings.staff_email, "new_order", locale=settings.staff_locale,
                dedupe_key=f"new-order:{order.id}", order=order, delivery=delivery,
                link=external_url("admin.order", locale=settings.staff_locale, order_id=order.id))


def tell_buyer_of_missed_lines(order: Order, missed: list[str]) -> None:
    """E-mail the buyer which paid lines the shop could not honour, and that the farm will refund them."""
    queue_email(order.email, "order_problem", locale=order.locale, dedupe_key=f"order-problem:{order.id}",
                order=order, missed=sorted(set(missed)), link=_order_link(order))


def tell_buyer_how_to_pay(order: Order, payment: Payment, *, template: str, expires_at: datetime | None) -> None:
    """E-mail the buyer what happens next for a payment made outside the shop (a Kaspi invoice)."""
    queue_email(order.email, template, locale=order.locale, dedupe_key=f"how-to-pay:{payment.id}", order=order,
                payment=payment, expires_at=expires_at, link=_order_link(order))


def tell_buyer_of_receipt(order: Order, receipt: FiscalReceipt) -> None:
    """E-mail the buyer the link to a fiscal receipt of their order (the sale's, or a refund's return receipt)."""
    queue_email(order.email, "fiscal_receipt", locale=order.locale, dedupe_key=f"receipt:{receipt.id}", order=order,
                receipt=receipt, link=_order_link(order))


def queue_status_email(order: Order, *, dedupe_key: str, refund_minor: int = 0) -> None:
    """Tell the buyer their order's new status (and a refund's amount), with the signed link to its page."""
    queue_email(order.email, "order_status", locale=order.locale, dedupe_key=dedupe_key, order=order,
                link=_order_link(order), refund_minor=refund_minor)
