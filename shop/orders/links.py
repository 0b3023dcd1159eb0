"""Signed links to an order's page, for buyers without an account."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="order-link")


def order_token(public_id: str) -> str:
    """Return the token that opens this order's page for whoever holds the e-mailed link."""
    return _serializer().dumps(public_id)


def token_opens(token: str | None, public_id: str) -> bool:
    """Return True when ``token`` was signed for this order."""
    if not token:
        return False
    try:
        return _serializer().loads(token) == public_id
    except BadSignature:
        return False
