"""Signed links to an order's page, for buyers without an account."""
from ..tokens import BadToken, sign, unsign


def order_token(public_id: str) -> str:
    """Return the token that opens this order's page for whoever holds the e-mailed link."""
    return sign("order_link", public_id)


def token_opens(token: str | None, public_id: str) -> bool:
    """Return True when ``token`` was signed for this order."""
    try:
        return unsign("order_link", token) == public_id
    except BadToken:
        return False
