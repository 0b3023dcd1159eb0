"""The stock ledger and the time-limited holds on kits and seats."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt

MOVEMENT_KINDS = ("received", "written_off", "counted", "sold", "returned")


class StockMovement(CreatedAt, db.Model):
    """One append-only change of a product's stock on hand: who, when, why, how much, level after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int]
    level_after: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))

    product: Mapped["Product"] = relationship()  # noqa: F821
    actor: Mapped["User | None"] = relationship()  # noqa: F821


@event.listens_for(StockMovement, "before_update")
@event.listens_for(StockMovement, "before_delete")
def _ledger_is_append_only(_mapper, _connection, target):
    raise RuntimeError(f"stock movement {target.id} is part of the ledger and cannot change")


class Hold(CreatedAt, db.Model):
    """Units of a product, or seats of a cohort, kept for an order until ``expires_at``.

    A hold stops counting against availability by itself once it expires; the
    `release-expired` command only tidies the rows away.
    """

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("(product_id IS NULL) <> (cohort_id IS NULL)", name="one_target"),
        Index("ix_hold_product_expiry", "product_id", "expires_at"),
        Index("ix_hold_cohort_expiry", "cohort_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"))
    quantity: Mapped[int]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id", ondelete="CASCADE"))
    waitlist_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("waitlist_entry.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def is_live(self, now: datetime) -> bool:
        return self.expires_at > now
