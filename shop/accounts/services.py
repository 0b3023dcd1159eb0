"""Accounts: registration, sign-in, password reset and the staff's create-user command."""
import hashlib
import logging
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import unit_of_work
from ..errors import EmailTaken, InvalidCredentials, ShopError, WeakPassword
from ..extensions import db
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import User
from ..models.user import ROLES

logger = logging.getLogger("shop.accounts")

RESET_MAX_AGE = 2 * 3600
INVITE_MAX_AGE = 14 * 24 * 3600
_COMMON = frozenset(
    line.strip().casefold()
    for line in (Path(__file__).with_name("common_passwords.txt")).read_text().splitlines()
    if line.strip()
)
_DUMMY_HASH = generate_password_hash("not a real password, used to spend equal time")


class InvalidToken(ShopError):
    message = _l("This link is invalid or has expired. Please ask for a new one.")


def normalise_email(email: str) -> str:
    """Return the e-mail trimmed and lower-cased, the form accounts are stored in."""
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    """Raise WeakPassword for fewer than 10 characters or a commonly used password."""
    if len(password) < 10 or password.casefold() in _COMMON or len(set(password)) < 4:
        raise WeakPassword()


def find_user(email: str) -> User | None:
    """Return the user with this e-mail, whatever its case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_user(email: str, full_name: str, password: str, *, now: datetime, locale: str = "ru") -> User:
    """Create a customer account; a guest buyer's invited account is completed instead."""
    check_password_strength(password)
    with unit_of_work():
        user = find_user(email)
        if user is not None and user.password_hash:
            raise EmailTaken()
        if user is None:
            user = User(email=normalise_email(email), role="customer", created_at=now)
            db.session.add(user)
        user.full_name = full_name.strip()
        user.locale = locale
        user.set_password(password)
    return user


def authenticate(email: str, password: str, *, now: datetime) -> User:
    """Return the active user with these credentials or raise InvalidCredentials.

    An unknown e-mail costs the same hashing time as a wrong password, so the answer
    and its timing tell nothing about which e-mails have accounts.
    """
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        logger.warning("sign-in refused: no account with a password for that e-mail")
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active:
        logger.warning("sign-in refused for user %d (%s)", user.id,
                       "wrong password" if user.is_active else "account disabled")
        raise InvalidCredentials()
    with unit_of_work():
        user.last_login_at = now
    logger.info("user %d signed in", user.id)
    return user


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def _password_fingerprint(user: User) -> str:
    # A token names the password it may replace, so it stops working once used.
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def make_password_token(user: User, purpose: str = "reset") -> str:
    """Return a signed token that lets its holder set this user's password once."""
    return _serializer(purpose).dumps({"user": user.id, "pw": _password_fingerprint(user)})


def user_from_token(token: str, purpose: str = "reset") -> User:
    """Return the user a reset or invitation token names; raise InvalidToken when not valid."""
    max_age = INVITE_MAX_AGE if purpose == "invite" else RESET_MAX_AGE
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        raise InvalidToken() from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or data.get("pw") != _password_fingerprint(user):
        raise InvalidToken()
    return user


def request_password_reset(email: str, *, locale: str) -> None:
    """E-mail a reset link when the account exists; say nothing either way."""
    user = find_user(email)
    if user is None:
        return
    with unit_of_work():
        link = external_url("accounts.reset_password", token=make_password_token(user))
        queue_email(user.email, "password_reset", locale=locale, user=user, link=link)


def set_password_with_token(token: str, password: str, purpose: str = "reset") -> User:
    """Set a new password from a reset or invitation link; the link then stops working."""
    check_password_strength(password)
    with unit_of_work():
        user = user_from_token(token, purpose)
        user.set_password(password)
    return user


def create_user(email: str, role: str, password: str, *, now: datetime, full_name: str = "") -> tuple[User, bool]:
    """Create or update a user with ``role`` and ``password``; return (user, created)."""
    if role not in ROLES:
        raise ShopError(f"role must be one of {', '.join(ROLES)}")
    check_password_strength(password)
    with unit_of_work():
        user = find_user(email)
        created = user is None
        if created:
            user = User(email=normalise_email(email), created_at=now, full_name=full_name)
            db.session.add(user)
        user.role = role
        user.active = True
        if full_name:
            user.full_name = full_name
        user.set_password(password)
    return user, created
