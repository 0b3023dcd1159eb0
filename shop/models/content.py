"""The shop's own details and its information pages, each page kept in numbered versions."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt, Translated

SHOP_DETAILS_ID = 1
# The information pages, in the order the footer lists them; each is served at /pages/<slug>.
PAGE_SLUGS = ("offer", "privacy", "delivery-and-payment", "returns", "contacts")
# The texts a buyer or a new account accepts: the version of each in force is recorded with the consent.
CONSENT_PAGES = ("offer", "privacy")


class ShopDetails(Translated, db.Model):
    """The farm's legal and contact details: one row (``id`` 1), shown in every footer and e-mail.

    Names and addresses are kept per language (``_ru``, ``_kk``, ``_en``; an empty one falls back to
    Russian); numbers and links are the same in every language.
    """

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    legal_name_ru: Mapped[str] = mapped_column(String(200), default="")
    legal_name_kk: Mapped[str] = mapped_column(String(200), default="")
    legal_name_en: Mapped[str] = mapped_column(String(200), default="")
    bin_iin: Mapped[str] = mapped_column(String(12), default="")  # БИН or ИИН: 12 digits
    legal_address_ru: Mapped[str] = mapped_column(String(300), default="")
    legal_address_kk: Mapped[str] = mapped_column(String(300), default="")
    legal_address_en: Mapped[str] = mapped_column(String(300), default="")
    pickup_address_ru: Mapped[str] = mapped_column(String(300), default="")
    pickup_address_kk: Mapped[str] = mapped_column(String(300), default="")
    pickup_address_en: Mapped[str] = mapped_column(String(300), default="")
    pickup_hours_ru: Mapped[str] = mapped_column(String(200), default="")
    pickup_hours_kk: Mapped[str] = mapped_column(String(200), default="")
    pickup_hours_en: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    whatsapp_url: Mapped[str] = mapped_column(String(300), default="")
    telegram_url: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# What staff edit and pages show: every column but the key and the time of the last change.
DETAIL_FIELDS = tuple(column.name for column in ShopDetails.__table__.columns
                      if column.name not in ("id", "updated_at"))


class InfoPage(db.Model):
    """An information page; ``version`` is the number of its latest text, the one the page shows (0: none yet)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[int] = mapped_column(default=0)

    versions: Mapped[list["InfoPageVersion"]] = relationship(
        back_populates="page", order_by="InfoPageVersion.number.desc()", cascade="all, delete-orphan",
        passive_deletes=True,
    )


class InfoPageVersion(Translated, CreatedAt, db.Model):
    """One saved text of an information page in three languages: who saved it and when; never changed later."""

    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("info_page.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title_ru: Mapped[str] = mapped_column(String(200))
    title_kk: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_ru: Mapped[str] = mapped_column(Text, default="")
    body_kk: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    page: Mapped["InfoPage"] = relationship(back_populates="versions")
    author: Mapped["User | None"] = relationship()  # noqa: F821
