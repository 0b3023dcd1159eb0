"""Orders with their frozen lines and the history of their two states (payment and fulfilment)."""
import secrets
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt, Minor

# An order has two states, each moving on its own: whether it is paid, and how far its kits got to the buyer.
PAYMENT_STATUSES = ("pending_payment", "paid", "partially_refunded", "refunded", "cancelled")
FULFILMENT_STATUSES = ("unfulfilled", "packed", "shipped", "delivered", "ready_for_pickup", "picked_up")
EVENT_KINDS = ("payment", "fulfilment", "note")
DELIVERY_METHODS = ("pickup", "courier", "post")
ORDER_NUMBERS = (1_000_000, 9_999_999)  # seven digits, read over the phone


def new_order_number() -> int:
    """Return a random seven-digit order number (its uniqueness is the database's to enforce)."""
    low, high = ORDER_NUMBERS
    return low + secrets.randbelow(high - low + 1)


class Order(CreatedAt, db.Model):
    """What a buyer ordered, at the prices of that moment, and where it stands."""

    __tablename__ = "shop_order"
    __table_args__ = (CheckConstraint("total_minor >= 0", name="total_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # What buyers and staff say and type: digits only. URLs keep the unguessable public id.
    number: Mapped[int] = mapped_column(unique=True, default=new_order_number)
    cart_id: Mapped[int | None] = mapped_column(ForeignKey("cart.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    delivery_method: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    # What a courier needs besides the street address
    apartment: Mapped[str] = mapped_column(String(20), default="", server_default="")
    entrance: Mapped[str] = mapped_column(String(20), default="", server_default="")
    floor: Mapped[str] = mapped_column(String(20), default="", server_default="")
    intercom: Mapped[str] = mapped_column(String(40), default="", server_default="")
    comment: Mapped[str] = mapped_column(String(500), default="", server_default="")
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    subtotal_minor: Mapped[Minor]
    delivery_fee_minor: Mapped[Minor] = mapped_column(default=0)
    # Off the lines (each line keeps its share) and off the delivery fee, by the promo code named here
    discount_minor: Mapped[Minor] = mapped_column(default=0, server_default="0")
    delivery_discount_minor: Mapped[Minor] = mapped_column(default=0, server_default="0")
    promo_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    total_minor: Mapped[Minor]
    currency: Mapped[str] = mapped_column(String(3), default="KZT")
    payment_status: Mapped[str] = mapped_column(String(30), default="pending_payment", index=True)
    # Orders with nothing to deliver (course seats only) stay unfulfilled
    fulfilment_status: Mapped[str] = mapped_column(String(30), default="unfulfilled", server_default="unfulfilled",
                                                   index=True)
    payment_provider: Mapped[str] = mapped_column(String(20), default="dummy")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    needs_attention: Mapped[str] = mapped_column(Text, default="")
    client_ip: Mapped[str] = mapped_column(String(45), default="", server_default="")
    # The buyer's acceptance of the offer and consent to the processing of personal data, and the version of
    # each text in force then (None: the page had no text yet; all three None on orders placed before consent)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_version: Mapped[int | None]
    privacy_version: Mapped[int | None]

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )

    @property
    def needs_delivery(self) -> bool:
        return any(line.product_id for line in self.lines)


class OrderLine(db.Model):
    """One line of an order: its name and unit price frozen when the order was placed."""

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"))
    name: Mapped[str] = mapped_column(String(300))
    unit_price_minor: Mapped[Minor]
    quantity: Mapped[int]
    returned_quantity: Mapped[int] = mapped_column(default=0)
    discount_minor: Mapped[Minor] = mapped_column(default=0, server_default="0")  # its share of the promo discount
    # Seats in the cohort per unit (a kit with a course for two: 2), frozen when the order was placed, and the
    # learners named at checkout for them: [{"name": …, "email": …}, …]; a seat with nobody named is the buyer's.
    seats_per_unit: Mapped[int] = mapped_column(default=1, server_default="1")
    learners: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    order: Mapped["Order"] = relationship(back_populates="lines")
    product: Mapped["Product | None"] = relationship()  # noqa: F821
    cohort: Mapped["Cohort | None"] = relationship()  # noqa: F821

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity

    @property
    def paid_minor(self) -> int:
        """Return what the buyer paid for the whole line: its price times quantity less its share of the discount
        (`orders.refund_lines.units_value` shares that discount out over the units)."""
        return self.total_minor - self.discount_minor

    @property
    def seats(self) -> int:
        """Return the cohort seats this line takes (0 for a kit without a course)."""
        return self.quantity * self.seats_per_unit if self.cohort_id else 0


class OrderEvent(CreatedAt, db.Model):
    """A change of one of an order's states (``kind``: payment or fulfilment), or a note: from, to, who and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="payment", server_default="payment")
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped["Order"] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()  # noqa: F821
