"""Carts: kept in the database, found by a signed cookie for visitors or by the user."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt


class Cart(CreatedAt, db.Model):
    """A basket of lines; it stays until its order is paid."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    promo_code_id: Mapped[int | None] = mapped_column(ForeignKey("promo_code.id", ondelete="SET NULL"))

    lines: Mapped[list["CartLine"]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )
    promo_code: Mapped["PromoCode | None"] = relationship()  # noqa: F821


class CartLine(CreatedAt, db.Model):
    """A kit, a cohort seat, or a kit together with the cohort chosen for its course."""

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("product_id IS NOT NULL OR cohort_id IS NOT NULL", name="has_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"))
    quantity: Mapped[int]

    cart: Mapped["Cart"] = relationship(back_populates="lines")
    product: Mapped["Product | None"] = relationship()  # noqa: F821
    cohort: Mapped["Cohort | None"] = relationship()  # noqa: F821
