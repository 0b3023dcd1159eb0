"""What an order's life tells people, queued in the transaction of the change it announces."""
from datetime import UTC, datetime, timedelta

from ..clock import to_local
from ..courses.calendar import calendar_attachments
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import FiscalReceipt, Order, Payment
from ..settings import shop_settings
from .links import order_token
from .status import DELIVERY_LABELS

# Working days from payment until a kit is ready at the farm or arrives (the delivery page says the same)
WORKING_DAYS = {"pickup": (1, 1), "courier": (1, 2), "post": (3, 10)}


def _order_link(order: Order) -> str:
    return external_url("orders.detail", locale=order.locale, public_id=order.public_id,
                        token=order_token(order.public_id))


def _after_working_days(moment: datetime, days: int) -> datetime:
    """Return the moment ``days`` working days (Monday to Friday in Almaty) after ``moment``."""
    local = to_local(moment)
    while days > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local.astimezone(UTC)


def expected_delivery(order: Order, paid_at: datetime) -> tuple[datetime, datetime] | None:
    """Return the first and last day the order's kits are expected (ready for pickup or delivered); None
    for an order with nothing to deliver (course seats only)."""
    if not order.needs_delivery:
        return None
    first, last = WORKING_DAYS.get(order.delivery_method, (1, 10))
    return _after_working_days(paid_at, first), _after_working_days(paid_at, last)


def _delivery_label(order: Order):
    """Return the order's way of delivery in words, translated when the e-mail renders in its reader's language."""
    return DELIVERY_LABELS.get(order.delivery_method, order.delivery_method)


def queue_confirmation(order: Order, *, paid_at: datetime) -> None:
    """Queue the buyer's one confirmation of a paid order: its lines, delivery and when, the courses it enrols
    in with their schedules (and calendar files), the shop's contacts, the returns page and the signed link
    to the order's page. Any account invitation is queued after it (``courses.enrolment.queue_invitation``)."""
    cohort_lines = [line for line in order.lines if line.cohort_id]
    attachments = [item for line in cohort_lines for item in calendar_attachments(line.cohort, locale=order.locale)]
    queue_email(order.email, "order_confirmation", locale=order.locale, order=order, link=_order_link(order),
                dedupe_key=f"order-confirmation:{order.id}", attachments=attachments,
                delivery=_delivery_label(order), expected=expected_delivery(order, paid_at), cohort_lines=cohort_lines,
                learn_link=external_url("learn.index", locale=order.locale) if cohort_lines else "",
                returns_link=external_url("pages.page", locale=order.locale, slug="returns"),
                contacts_link=external_url("pages.page", locale=order.locale, slug="contacts"))


def tell_staff_of_paid_order(order: Order) -> None:
    """Queue the staff's 'new paid order' e-mail: what to pack or whom to expect, and for whom."""
    settings = shop_settings()
    queue_email(settings.staff_email, "new_order", locale=settings.staff_locale,
                dedupe_key=f"new-order:{order.id}", order=order, delivery=_delivery_label(order),
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
    """Tell the buyer their order's new state (its payment's after a refund and the amount, else how far its
    kits got), with the signed link to its page."""
    state = order.payment_status if refund_minor else order.fulfilment_status
    queue_email(order.email, "order_status", locale=order.locale, dedupe_key=dedupe_key, order=order,
                link=_order_link(order), refund_minor=refund_minor, state=state)
