"""Promo codes that staff create, and each order's use of one."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt, Minor

KINDS = ("percent", "fixed")
SCOPES = ("order", "items", "courses")  # the whole order; chosen products or categories; course seats

promo_code_product = Table(
    "promo_code_product", db.metadata,
    Column("promo_code_id", Integer, ForeignKey("promo_code.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", Integer, ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)
promo_code_category = Table(
    "promo_code_category", db.metadata,
    Column("promo_code_id", Integer, ForeignKey("promo_code.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", Integer, ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class PromoCode(CreatedAt, db.Model):
    """A code a buyer enters for a percentage or a fixed amount off, within its dates and limits."""

    __table_args__ = (
        CheckConstraint("uses >= 0", name="uses_not_negative"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_in_range"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # kept upper-case
    kind: Mapped[str] = mapped_column(String(10), default="percent")
    percent: Mapped[int] = mapped_column(default=0)
    amount_minor: Mapped[Minor] = mapped_column(default=0)
    scope: Mapped[str] = mapped_column(String(10), default="order")
    includes_delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    min_order_minor: Mapped[Minor] = mapped_column(default=0)
    max_uses: Mapped[int | None]
    max_uses_per_customer: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)  # live redemptions; taken by one conditional UPDATE
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    products: Mapped[list["Product"]] = relationship(secondary=promo_code_product, order_by="Product.id")  # noqa: F821
    categories: Mapped[list["Category"]] = relationship(  # noqa: F821
        secondary=promo_code_category, order_by="Category.id")


class PromoRedemption(CreatedAt, db.Model):
    """One order's use of a code; released (not deleted) when the unpaid order is cancelled, taken again when
    its payment arrives after all."""

    id: Mapped[int] = mapped_column(primary_key=True)
    promo_code_id: Mapped[int] = mapped_column(ForeignKey("promo_code.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    discount_minor: Mapped[Minor]
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Taken again by a late payment after the code was used up: counted beyond the limit, the order flagged
    is_over_limit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    promo_code: Mapped["PromoCode"] = relationship()
