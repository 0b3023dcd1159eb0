"""People who sign in: customers, learners and farm staff."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import UTCDateTime
from ..extensions import db
from .common import CreatedAt

ROLES = ("customer", "staff", "admin")


class User(UserMixin, CreatedAt, db.Model):
    """An account; ``password_hash`` is empty for a guest buyer who has not accepted the invitation yet.

    ``email_verified_at`` is set once someone followed a signed link sent to the address (the
    verification, invitation or reset link): only then is what was bought under that address without
    logging in shown to the account. ``session_version`` is part of the id kept in the session cookie,
    so raising it (log out, a new password) ends every session of the account, copied cookies included.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="customer")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Consent given when the account was registered: when, and the versions of the offer and privacy texts
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_version: Mapped[int | None]
    privacy_version: Mapped[int | None]

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session: the user's id and session version."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Make every session of this account invalid (the next request finds no user)."""
        self.session_version = (self.session_version or 1) + 1

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def may_receive_guest_purchases(self) -> bool:
        """Whether what is bought under this e-mail without logging in may be attached to this account.

        True once the address is proven, and for a guest's password-less account, which nobody can
        sign in to until they prove the address with the invitation link.
        """
        return self.is_verified or not self.password_hash

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password``; the password itself is never kept."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Return True when ``password`` matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
