"""Payments, refunds and the record of provider events already handled."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt, Minor


class Payment(CreatedAt, db.Model):
    """One attempt to pay an order with a provider (a Stripe Checkout Session, or the dummy page)."""

    __table_args__ = (
        UniqueConstraint("provider", "reference"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(255))
    payment_intent: Mapped[str] = mapped_column(String(255), default="")
    checkout_url: Mapped[str] = mapped_column(Text, default="")
    amount_minor: Mapped[Minor]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # What the provider reported refunded before the shop recorded this payment (events out of order);
    # applied when the payment is recorded.
    refunded_at_provider_minor: Mapped[Minor] = mapped_column(default=0, server_default="0")
    # Declined attempts on the provider's page (the buyer may try again while the order's hold lasts)
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failure: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The last four digits of the card paid with, when the provider tells them (TipTop Pay's CardLastFour)
    card_last4: Mapped[str] = mapped_column(String(4), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order: Mapped["Order"] = relationship()  # noqa: F821


class Refund(CreatedAt, db.Model):
    """Money given back on an order, through the provider that took it."""

    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    amount_minor: Mapped[Minor]
    reference: Mapped[str | None] = mapped_column(String(255), unique=True)
    # ``staff`` (made in the staff area: restocked and announced there) or ``provider`` (reported by the
    # provider, e.g. a refund made in Stripe's dashboard)
    source: Mapped[str] = mapped_column(String(20), default="staff", server_default="staff")
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class RefundLine(db.Model):
    """What one refund gave back: units of an order line, or the delivery fee (no order line)."""

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),
                      CheckConstraint("amount_minor >= 0", name="amount_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refund.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    name: Mapped[str] = mapped_column(String(300))
    unit_price_minor: Mapped[Minor]
    quantity: Mapped[int]
    amount_minor: Mapped[Minor]


class FiscalReceipt(CreatedAt, db.Model):
    """An electronic fiscal receipt from the online cash register: the sale's, or a refund's return receipt.

    A return receipt the shop asked for is kept at once (``status`` "requested", ``provider_receipt_id`` the
    id the cash register answered); the register's notification fills in the fiscal details ("issued").
    """

    __table_args__ = (UniqueConstraint("provider", "provider_receipt_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_receipt_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # "sale" or "return"
    status: Mapped[str] = mapped_column(String(20), default="issued")  # "requested" or "issued"
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), index=True)
    transaction_id: Mapped[str] = mapped_column(String(100), default="")
    number: Mapped[str] = mapped_column(String(100), default="")
    fiscal_sign: Mapped[str] = mapped_column(String(100), default="")
    register_number: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    qr_url: Mapped[str] = mapped_column(String(500), default="")
    amount_minor: Mapped[Minor] = mapped_column(default=0)


class ProcessedEvent(CreatedAt, db.Model):
    """A provider event (e.g. Stripe's ``evt_…``) that changed the shop; recorded once."""

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    type: Mapped[str] = mapped_column(String(100))
