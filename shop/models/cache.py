"""The page cache's generation: one row whose number changes with every change a storefront page shows."""
from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

GENERATION_ID = 1


class CacheGeneration(db.Model):
    """Count the committed changes to catalogue-visible data; a cached page is good while it is unchanged.

    The one row (``id`` 1) is written by the migration and bumped in the same transaction as each change
    (see ``shop.pagecache``), so a page read under one value never outlives the data it was made from.
    """

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
