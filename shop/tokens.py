"""The shop's one signer of links: each purpose has its own salt and its own maximum age.

A token is data signed with ``SECRET_KEY`` and a salt naming its purpose, so a token made for one
purpose never opens another. Purposes whose links must keep working as long as the thing they name
(an order's page, leaving a waiting list) are signed without a timestamp.
"""
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age: int | None  # seconds; None: the link has no age limit of its own


HOUR = 3600
DAY = 24 * HOUR
PURPOSES: dict[str, Purpose] = {
    "password_reset": Purpose("account-reset", 2 * HOUR),
    "invitation": Purpose("account-invite", 14 * DAY),
    "email_verification": Purpose("account-verify", 7 * DAY),
    "order_link": Purpose("order-link", None),
    "waitlist_confirm": Purpose("waitlist-confirm", 7 * DAY),
    "waitlist_claim": Purpose("waitlist-claim", None),  # the offer itself runs out after a day
    "unsubscribe": Purpose("waitlist-leave", None),
    "stock_notice_confirm": Purpose("stock-notice-confirm", 7 * DAY),
    "stock_notice_leave": Purpose("stock-notice-leave", None),
    "stocktake": Purpose("stocktake-preview", 2 * HOUR),  # the counts a stock-take preview showed
}


class BadToken(Exception):
    """The token is forged, made for another purpose, or too old."""


@lru_cache(maxsize=32)
def _serializer(secret: str, purpose: str) -> URLSafeSerializer | URLSafeTimedSerializer:
    spec = PURPOSES[purpose]
    kind = URLSafeSerializer if spec.max_age is None else URLSafeTimedSerializer
    return kind(secret, salt=spec.salt)


def sign(purpose: str, data: Any) -> str:
    """Return a URL-safe token carrying ``data`` for ``purpose``."""
    return _serializer(current_app.config["SECRET_KEY"], purpose).dumps(data)


def unsign(purpose: str, token: str | None, *, max_length: int = 1000) -> Any:
    """Return the data of a token made for ``purpose``; raise BadToken when forged, foreign or expired."""
    if not token or not isinstance(token, str) or len(token) > max_length:
        raise BadToken()
    serializer = _serializer(current_app.config["SECRET_KEY"], purpose)
    try:
        if isinstance(serializer, URLSafeTimedSerializer):
            return serializer.loads(token, max_age=PURPOSES[purpose].max_age)
        return serializer.loads(token)
    except BadSignature:  # SignatureExpired is a BadSignature
        raise BadToken() from None
