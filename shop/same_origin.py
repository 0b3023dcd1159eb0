"""Cross-site protection without a per-visitor token, for the forms on pages that are the same for everyone.

The product and course pages carry the add-to-cart, book-a-seat, waiting-list and back-in-stock forms. With a
CSRF token in them, every first-time visitor (all of those arriving from a search engine or a shared link)
would get a session cookie and a page of their own, which no cache can share. Those few posts prove instead
that they come from the shop's own pages the way OWASP recommends where tokens do not fit: the browser's
``Sec-Fetch-Site`` header, else ``Origin``, else ``Referer`` must name this shop; a post naming none of them is
refused unless it carries the visitor's own token after all (a script that read it from the cart page). The
session cookie is ``SameSite=Lax`` besides, so a cross-site post carries no cart to add to. Every form that
changes an account, an order or money keeps its token.
"""
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from .extensions import csrf

_ENDPOINTS: set[str] = set()


def same_origin_post(endpoint: str):
    """Mark the view for ``endpoint`` as checked by origin instead of by token (decorate below the route)."""

    def mark(view):
        _ENDPOINTS.add(endpoint)
        return csrf.exempt(view)

    return mark


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _own_origins() -> set[str]:
    own = {_origin_of(request.host_url)}
    base = current_app.config.get("SHOP_BASE_URL")
    if base:
        own.add(_origin_of(base))
    own.discard(None)
    return own


def comes_from_own_pages() -> bool:
    """Return True when the browser says this request was sent from one of the shop's own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return _origin_of(origin) in _own_origins()
    referrer = request.headers.get("Referer")
    return bool(referrer) and _origin_of(referrer) in _own_origins()


def _carries_a_valid_token() -> bool:
    """Return True when the post carries the visitor's own CSRF token after all (a script, an older page)."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _check_origin():
    if (request.method == "POST" and request.endpoint in _ENDPOINTS and current_app.config.get("WTF_CSRF_ENABLED", True)
            and not comes_from_own_pages() and not _carries_a_valid_token()):
        raise CSRFError(str(_l("This form must be sent from the shop's own page. Go back, reload it and try again.")))


def register_same_origin(app: Flask) -> None:
    """Refuse cross-site posts to the forms that carry no token."""
    app.before_request(_check_origin)
