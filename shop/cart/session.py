"""Finding the current cart: the user's, or the visitor's named by the signed session cookie."""
from flask import session
from flask_login import current_user

from ..clock import utcnow
from ..models import Cart, User
from .services import find_cart, merge_carts


def current_user_or_none() -> User | None:
    return current_user if current_user.is_authenticated else None


def current_cart() -> Cart | None:
    """Return the cart of this browser's visitor or user, without creating one."""
    return find_cart(token=session.get("cart"), user=current_user_or_none())


def remember_cart(cart: Cart, item_count: int) -> None:
    """Keep the cart's token and item count in the signed session cookie (no query per page)."""
    if cart.user_id is None:
        session["cart"] = cart.token
    session["cart_count"] = item_count


def adopt_visitor_cart(user: User) -> None:
    """Join the visitor's cart to the user's cart after login."""
    token = session.pop("cart", None)
    if token:
        merge_carts(token, user, now=utcnow())
    session.pop("cart_count", None)
