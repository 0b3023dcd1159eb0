"""Accounts: registration, sign-in, password reset and the staff's create-user command."""
import hashlib
import logging
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import unit_of_work
from ..errors import InvalidCredentials, ShopError, WeakPassword, WrongCurrentPassword
from ..extensions import db
from ..mail.compose import external_url, render_email
from ..mail.outbox import queue_email
from ..models import Enrolment, Order, User
from ..models.user import ROLES
from ..pages.services import Consent, consent_given, require_consent
from ..tokens import BadToken, sign, unsign

logger = logging.getLogger("shop.accounts")

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


def register_user(email: str, full_name: str, password: str, *, now: datetime, locale: str = "ru",
                  accepts_terms: bool = False) -> None:
    """Open an unverified account for a new address, or tell an address's owner that it has one.

    The person registering is not signed in: both cases answer alike and take alike long (the
    password is hashed either way, one e-mail is queued either way), so registering tells nobody
    whether an address has an account, and typing someone's address gains nothing. The new account's
    owner signs in by the verification link sent to the address. Refused without consent to the offer and the
    processing of personal data; a new account records it with the versions of both texts.
    """
    require_consent(accepts_terms)
    check_password_strength(password)
    password_hash = generate_password_hash(password)
    address = normalise_email(email)
    with unit_of_work():
        existing = find_user(address)
        created = None
        if existing is None:
            created = _new_account(address, full_name, password_hash, locale=locale, consent=consent_given(now))
        if created is not None:
            queue_email(address, "verify_email", locale=locale, user=created,
                        link=external_url("accounts.verify_email", token=verification_token(created)))
            return
        user = existing or find_user(address)
        queue_email(user.email, "account_exists", locale=locale, user=user, login_link=external_url("accounts.login"),
                    reset_link=external_url("accounts.reset_password", token=make_password_token(user)))


def _new_account(address: str, full_name: str, password_hash: str, *, locale: str,
                 consent: Consent) -> User | None:
    """Add a customer account; None when a registration of the same address won the race (only flushes)."""
    user = User(email=address, full_name=full_name.strip(), password_hash=password_hash, role="customer",
                locale=locale, created_at=consent.accepted_at)
    consent.record_on(user)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        return None
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


def _owner_fingerprint(user: User | None) -> str:
    """Name what a link may change: an unproven address, or the verified account's current password.

    A link stays good while this is unchanged, so a used reset link (the password changed) and a used
    invitation or verification link (the address is now proven) stop working.
    """
    if user is None or not user.is_verified:
        return "unverified"
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def make_password_token(user: User) -> str:
    """Return a signed token that lets whoever reads this user's e-mail set its password once."""
    return sign("password_reset", {"user": user.id, "pw": _owner_fingerprint(user)})


def invitation_token(email: str) -> str:
    """Return the token of a guest learner's invitation: it proves the address and sets a password."""
    address = normalise_email(email)
    return sign("invitation", {"email": address, "pw": _owner_fingerprint(find_user(address))})


def verification_token(user: User) -> str:
    """Return the token of the link that proves a new account's address."""
    return sign("email_verification", {"user": user.id, "email": user.email})


def _token_data(token: str | None, purpose: str) -> dict:
    try:
        data = unsign(purpose, token)
    except BadToken:
        raise InvalidToken() from None
    if not isinstance(data, dict):
        raise InvalidToken()
    return data


def user_from_token(token: str | None, purpose: str = "reset") -> User:
    """Return the account a reset, invitation or verification link names; raise InvalidToken when not valid."""
    if purpose == "invite":
        data = _token_data(token, "invitation")
        user = find_user(str(data.get("email") or ""))
        if user is None or _owner_fingerprint(user) != data.get("pw"):
            raise InvalidToken()
        return user
    if purpose == "verify":
        data = _token_data(token, "email_verification")
        user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
        if user is None or user.is_verified or user.email != data.get("email"):
            raise InvalidToken()
        return user
    data = _token_data(token, "password_reset")
    user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if user is None or data.get("pw") != _owner_fingerprint(user):
        raise InvalidToken()
    return user


def request_password_reset(email: str, *, locale: str) -> None:
    """E-mail a reset link when the account exists; answer alike, and take alike long, when it does not."""
    user = find_user(email)
    if user is None:
        render_email("password_reset", locale, user=User(email=normalise_email(email)),
                     link=external_url("catalog.home"))
        return
    with unit_of_work():
        link = external_url("accounts.reset_password", token=make_password_token(user))
        queue_email(user.email, "password_reset", locale=locale, user=user, link=link)


def _prove_address(user: User, now: datetime) -> None:
    """Record that the account's owner reads its e-mail, and give it what was bought there as a guest."""
    if user.email_verified_at is None:
        user.email_verified_at = now
    claim_guest_purchases(user)


def claim_guest_purchases(user: User) -> None:
    """Attach the orders and enrolments bought under the user's address without logging in (only flushes)."""
    address = normalise_email(user.email)
    for model in (Order, Enrolment):
        db.session.execute(update(model).where(model.user_id.is_(None), func.lower(model.email) == address)
                           .values(user_id=user.id).execution_options(synchronize_session=False))


def owner_of_guest_purchase(email: str) -> User | None:
    """Return the account that may receive what is bought under ``email`` without logging in, if any."""
    user = find_user(email)
    return user if user is not None and user.may_receive_guest_purchases else None


def set_password_with_token(token: str, password: str, purpose: str = "reset", *, now: datetime) -> User:
    """Set a new password from a reset or invitation link, which proves the address; end other sessions.

    The link then stops working. Either link proves the address, so purchases made under it are
    attached, and an account someone else opened with that address before (never verified) passes
    to the person who reads its mail.
    """
    check_password_strength(password)
    with unit_of_work():
        user = user_from_token(token, purpose)
        user.set_password(password)
        user.end_sessions()
        _prove_address(user, now)
    return user


def verify_email(token: str, *, now: datetime) -> User:
    """Prove a new account's address by its link and attach what was bought there as a guest."""
    with unit_of_work():
        user = user_from_token(token, "verify")
        _prove_address(user, now)
    return user


def resend_verification(user: User, *, locale: str) -> None:
    """E-mail the verification link again to an account that has not proven its address."""
    if user.is_verified:
        return
    with unit_of_work():
        queue_email(user.email, "verify_email", locale=locale, user=user,
                    link=external_url("accounts.verify_email", token=verification_token(user)))


def change_password(user_id: int, current: str, new: str) -> User:
    """Change a signed-in user's password after checking the current one; every other session ends."""
    check_password_strength(new)
    with unit_of_work():
        user = db.session.get(User, user_id)
        if user is None or not user.check_password(current):
            raise WrongCurrentPassword()
        user.set_password(new)
        user.end_sessions()
    return user


def end_sessions(user_id: int) -> None:
    """End every session of an account (on logging out, so a copied session cookie stops working too)."""
    with unit_of_work():
        user = db.session.get(User, user_id)
        if user is not None:
            user.end_sessions()


def user_for_session(session_id: str) -> User | None:
    """Return the active user a session names by ``<id>:<session version>``; None when it is stale or malformed."""
    user_id, _, version = str(session_id).partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(user_id) > 10 or len(version) > 10 or int(user_id) >= 2**31:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
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
        user.email_verified_at = user.email_verified_at or now  # the operator vouches for the address
        if full_name:
            user.full_name = full_name
        user.set_password(password)
        user.end_sessions()
    return user, created
