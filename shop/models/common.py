"""Pieces shared by the models: translated texts and timestamps."""
from datetime import datetime
from typing import Annotated

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..database import UTCDateTime

LOCALES = ("ru", "kk", "en")

# An amount of money in tiyn: 64-bit, so any order a shop could take fits (32 bits end at 21 474 836,47 ₸).
Minor = Annotated[int, mapped_column(BigInteger)]


class Translated:
    """A model whose texts are stored once per language as ``<field>_ru``, ``_kk`` and ``_en``."""

    def tr(self, field: str, locale: str) -> str:
        """Return the text in ``locale``, falling back to Russian, then English."""
        for lang in (locale, "ru", "en"):
            value = getattr(self, f"{field}_{lang}", None)
            if value:
                return value
        return ""


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
