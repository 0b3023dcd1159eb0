"""The catalogue: categories, kits and refills, and their pictures."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..database import UTCDateTime
from ..extensions import db
from .common import LOCALES, CreatedAt, Minor, Translated


class Category(Translated, db.Model):
    """A shelf of the shop: herb kits, tomato kits, microgreens, refills…"""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_ru: Mapped[str] = mapped_column(String(120))
    name_kk: Mapped[str] = mapped_column(String(120), default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)


class Product(Translated, CreatedAt, db.Model):
    """A kit or refill for sale; ``on_hand`` moves only through the stock ledger."""

    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_kk: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    contents_ru: Mapped[str] = mapped_column(Text, default="")
    contents_kk: Mapped[str] = mapped_column(Text, default="")
    contents_en: Mapped[str] = mapped_column(Text, default="")
    price_minor: Mapped[Minor]
    on_hand: Mapped[int] = mapped_column(default=0)
    low_stock_threshold: Mapped[int] = mapped_column(default=3)
    is_active: Mapped[bool] = mapped_column(default=True)
    is_featured: Mapped[bool] = mapped_column(default=False)
    days_to_harvest: Mapped[int | None]
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    # A kit with a course: the same kit sold alone, so the page can say what the bundle saves
    kit_alone_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    # A kit with a course for several people: the seats one unit gives, each learner named at checkout
    seats_per_unit: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    search_text: Mapped[str] = mapped_column(Text, default="")
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_body: Mapped[str] = mapped_column(Text, default="", server_default="")

    category: Mapped["Category"] = relationship(lazy="joined", innerjoin=True)
    course: Mapped["Course | None"] = relationship(back_populates="kits")  # noqa: F821
    kit_alone: Mapped["Product | None"] = relationship(remote_side="Product.id")
    images: Mapped[list["ProductImage"]] = relationship(
        order_by="ProductImage.position", cascade="all, delete-orphan", back_populates="product"
    )

    def contents(self, locale: str) -> list[str]:
        """Return "what's inside", one item per line, in ``locale``."""
        return [line.strip() for line in self.tr("contents", locale).splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


SEARCHED_FIELDS = ("name", "description", "contents")


def searchable(text: str) -> str:
    """Fold text for search: case-insensitive in every script (SQLite's LIKE folds ASCII only)."""
    return " ".join(text.casefold().replace("ё", "е").split())


@event.listens_for(Product, "before_insert")
@event.listens_for(Product, "before_update")
def _index_product_texts(_mapper, _connection, product: Product) -> None:
    texts = [getattr(product, f"{field}_{lang}") or "" for field in SEARCHED_FIELDS for lang in LOCALES]
    product.search_text = searchable(" ".join([product.slug or "", *texts]))


class ProductImage(db.Model):
    """A picture of a product: a file under ``static/`` or an uploaded file, with its width."""

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    is_upload: Mapped[bool] = mapped_column(default=False)
    width: Mapped[int] = mapped_column(default=800)
    height: Mapped[int] = mapped_column(default=600)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped["Product"] = relationship(back_populates="images")


class StockNotice(CreatedAt, db.Model):
    """A request to be e-mailed once when a sold-out product is back in stock.

    ``status`` is ``unconfirmed`` (the address has not answered the e-mail yet), ``waiting``, ``notified``
    (the one e-mail is queued) or ``left`` (unsubscribed). One row per product and address.
    """

    __table_args__ = (UniqueConstraint("product_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    status: Mapped[str] = mapped_column(String(20), default="unconfirmed")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped["Product"] = relationship()
