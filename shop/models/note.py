"""Internal notes staff keep on an order or a customer: who wrote what and when, never shown to buyers."""
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import CreatedAt


class StaffNote(CreatedAt, db.Model):
    """One note on an order (``order_id``) or on a customer (``customer_email``, lowercased), never both."""

    __table_args__ = (CheckConstraint("(order_id IS NULL) <> (customer_email IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    customer_email: Mapped[str | None] = mapped_column(String(254), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped["User | None"] = relationship()  # noqa: F821
