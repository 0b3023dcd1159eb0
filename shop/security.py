"""Security headers, a request id on every request, refusal of NUL bytes, bounded route ids, safe ``next=``."""
import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from werkzeug.routing import IntegerConverter as WerkzeugIntegerConverter

from .inputs import MAX_ID, has_control


class IntegerConverter(WerkzeugIntegerConverter):
    """``<int:…>`` in every route: ASCII digits up to the largest INTEGER id, so anything else is a 404.

    Werkzeug's own converter matches ``\\d+`` (digits of every script) without an upper bound, and an id
    beyond the column's range makes PostgreSQL fail the query instead of finding nothing.
    """

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (Werkzeug's names)
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def is_safe_next(target: str | None) -> bool:
    """Return True when ``target`` is a path inside this shop (no scheme, host or ``//``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or has_control(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _content_security_policy() -> str:
    """Forms post to the shop only; checkout's answer may redirect to a provider's hosted payment page."""
    config = current_app.config
    form_targets = "'self'"
    if "stripe" in config["PAYMENT_METHODS"]:
        form_targets += " https://checkout.stripe.com"
    if "tiptoppay" in config["PAYMENT_METHODS"]:
        form_targets += f" {config['TIPTOPPAY_PAGE_ORIGINS']} {_origin(config['TIPTOPPAY_API_BASE'])}"
    images = "'self' data:"
    if config["MEDIA_STORAGE"] == "s3":
        images += f" {_origin(config['MEDIA_BASE_URL'])}"  # uploaded pictures come from the media host
    return (
        f"default-src 'self'; img-src {images}; style-src 'self'; script-src 'self'; "
        f"font-src 'self'; connect-src 'self'; form-action {form_targets}; frame-ancestors 'none'; "
        "base-uri 'self'; object-src 'none'"
    )


def _set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SHOP_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    headers["X-Request-ID"] = g.get("request_id", "")
    return response


def _assign_request_id():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else secrets.token_hex(8)


def _refuse_nul_bytes():
    """Answer 400 to input carrying NUL characters, which no form needs and PostgreSQL cannot store.

    The query string is read raw (a NUL arrives there as ``%00``), so a page view parses nothing for this.
    """
    query = request.environ.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query or "\x00" in request.path:
        abort(400)
    if request.path.startswith("/webhooks/"):
        return  # providers' bodies are signed over their raw bytes: their handlers read and check them whole
    if request.method != "GET" and any("\x00" in key or "\x00" in value
                                       for key, value in request.form.items(multi=True)):
        abort(400)


def register_converters(app: Flask) -> None:
    """Bound ``<int:…>`` in every route; must run before the blueprints add their rules."""
    app.url_map.converters["int"] = IntegerConverter


def register_security(app: Flask) -> None:
    app.before_request(_assign_request_id)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_set_headers)
