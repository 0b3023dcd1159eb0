"""E-mails the staff area sends to buyers, queued in the transaction of the change they announce."""
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Order
from ..orders.links import order_token


def queue_status_email(order: Order, *, dedupe_key: str, refund_minor: int = 0) -> None:
    """Tell the buyer their order's new status (and a refund's amount), with the signed link to its page."""
    link = external_url("orders.detail", public_id=order.public_id, token=order_token(order.public_id))
    queue_email(order.email, "order_status", locale=order.locale, dedupe_key=dedupe_key, order=order, link=link,
                refund_minor=refund_minor)
