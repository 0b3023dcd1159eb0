"""E-mail queued in the sender's transaction and delivered afterwards."""
from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt


class OutboxMessage(CreatedAt, db.Model):
    """An e-mail waiting to be sent; ``dedupe_key`` makes a once-only message truly once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Where the recipient leaves the list this message belongs to (reminders, back-in-stock, waiting lists).
    list_unsubscribe: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # A sender took the message until then; one that died mid-send leaves it to another after this time.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
