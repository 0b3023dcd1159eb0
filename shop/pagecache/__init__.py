"""An exact server-side cache of the anonymous storefront: home, catalogue, product and course pages, and
the public JSON of products and cohorts.

A page is kept with the cache generation it was read under and the first moment the clock alone would
change it. Every transaction that changes what a storefront page shows bumps the generation just before
it commits (see ``generation``), so a change of price, text, stock, hold or seat shows on the very next
request; a hold running out, a cohort starting or a lesson ending shows because the page is not served
past that moment. A repeat visit costs one query (the generation) and no rendering.

The visitor's own pieces, the CSRF token and the cart count, are rendered as markers and filled in on
every answer, so each visitor gets what an uncached render would have given them, byte for byte; the
answer then passes through the same ``after_request`` steps as any page (ETag, security headers,
compression). Served only to anonymous GETs with no flashed message waiting; never a non-200 answer.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from .. import clock
from ..extensions import compress, db
from ..i18n import select_locale
from .generation import GenerationReader, track_changes
from .store import CompressedPages, PageStore, keep, next_change_by_clock

PAGE_ENDPOINTS = frozenset({"catalog.home", "catalog.index", "catalog.product", "courses.index", "courses.course",
                            "api.products", "api.cohorts", "pages.page"})
STORABLE_TYPES = frozenset({"text/html", "application/json"})
STORE_SIZE = 512
_compressed = CompressedPages(4 * STORE_SIZE)  # one per process, like the Compress extension it serves

# Random in each process, so no text on a page can pass for one.
TOKEN_MARK = f"page-cache-csrf-{secrets.token_hex(12)}"
COUNT_MARK = f"page-cache-cart-{secrets.token_hex(12)}"
_TOKEN_BYTES, _COUNT_BYTES = TOKEN_MARK.encode(), COUNT_MARK.encode()
# Kept in the WSGI environ, which is the request's own (``g`` lives as long as the app context, which a
# test client shares between requests).
_MISS = "shop.page_cache.miss"  # the page is being rendered with markers, to be kept
_SHARED = "shop.page_cache.shared"  # the serial of a kept page sent as it is, the same for every visitor


@dataclass
class PageCache:
    """What the app keeps: the pages and the reader of the generation."""

    store: PageStore
    reader: GenerationReader


@dataclass(frozen=True, slots=True)
class _Miss:
    key: tuple
    generation: int
    now: datetime
    cart_count: int
    session_before: dict


class _CartCount(int):
    """A non-empty cart's count as a page kept for every such visitor prints it: truthy, and a marker."""

    def __new__(cls):
        return super().__new__(cls, 1)

    def __str__(self) -> str:
        return COUNT_MARK

    __html__ = __str__


def _rendering_for_all() -> "_Miss | None":
    return request.environ.get(_MISS) if has_request_context() else None


def csrf_token() -> str:
    """Return the visitor's CSRF token, or its marker while a page for everyone is being rendered."""
    return TOKEN_MARK if _rendering_for_all() else generate_csrf()


def _markers() -> dict:
    miss = _rendering_for_all()
    if miss is None:
        return {}
    return {"csrf_token": csrf_token, **({"cart_count": _CartCount()} if miss.cart_count else {})}


def _fill(body: bytes, cart_count: int) -> bytes:
    if _TOKEN_BYTES in body:
        body = body.replace(_TOKEN_BYTES, generate_csrf().encode())
    if cart_count:
        body = body.replace(_COUNT_BYTES, str(cart_count).encode())
    return body


def read_generation(*, may_be_heard: bool = False) -> int | None:
    """Return the current generation (None: nothing may be served or kept); see ``GenerationReader.read``."""
    return current_app.extensions["page_cache"].reader.read(may_be_heard=may_be_heard)


def kept_generation() -> int | None:
    """Return the generation the page being rendered will be kept under (read before any of its queries), or
    None when this render is not one the page cache keeps."""
    miss = _rendering_for_all()
    return miss.generation if miss is not None else None


def _page_key(environ: dict, cart_count: int) -> tuple:
    return (request.endpoint, environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME"),
            environ.get("PATH_INFO"), environ.get("QUERY_STRING"), select_locale(), cart_count > 0)


def _serve_from_cache():
    """Answer a repeat anonymous GET from the store; otherwise have the view render with markers."""
    if (request.method != "GET" or request.endpoint not in PAGE_ENDPOINTS or not current_app.config["PAGE_CACHE"]
            or "_flashes" in session or current_user.is_authenticated):
        return None
    cart_count = session.get("cart_count", 0)
    if type(cart_count) is not int:
        return None
    # A visitor with no session has changed nothing: the number this process last heard will do (PostgreSQL).
    generation = read_generation(may_be_heard=not session)
    if generation is None:
        return None
    environ = request.environ
    now, key = clock.utcnow(), _page_key(environ, cart_count)
    page = current_app.extensions["page_cache"].store.get(key)
    if page is not None and page.is_fresh(generation, now):
        if page.has_markers:
            return current_app.response_class(_fill(page.body, cart_count), content_type=page.content_type)
        environ[_SHARED] = str(page.serial)
        return current_app.response_class(page.body, content_type=page.content_type)
    environ[_MISS] = _Miss(key, generation, now, cart_count, dict(session))
    return None


def _is_storable(response, body: bytes, miss: _Miss) -> bool:
    """Keep only a plain 200 page that carries no one's own token and left the session as it found it."""
    token = g.get("csrf_token")
    return (
        response.status_code == 200
        and response.mimetype in STORABLE_TYPES
        and set(response.headers.keys()) <= {"Content-Type", "Content-Length"}
        and not (token and token.encode() in body)
        and dict(session) == miss.session_before
    )


def _keep_and_fill(response):
    """Keep a page just rendered with markers, then fill the visitor's pieces in, whatever the status."""
    miss = request.environ.pop(_MISS, None)
    if miss is None or response.is_streamed or response.direct_passthrough:
        return response
    body = response.get_data()
    if _is_storable(response, body, miss):
        _keep(miss, body, response.content_type)
    response.set_data(_fill(body, miss.cart_count))
    return response


def _keep(miss: _Miss, body: bytes, content_type: str) -> None:
    try:
        valid_until = next_change_by_clock(miss.now)
    except SQLAlchemyError:  # the database went away after the page was read: send it, keep nothing
        return
    has_markers = _TOKEN_BYTES in body or _COUNT_BYTES in body
    page = keep(miss.generation, valid_until, body, content_type, has_markers)
    current_app.extensions["page_cache"].store.put(miss.key, page)
    if not has_markers:
        request.environ[_SHARED] = str(page.serial)


def compressed_page_key(served) -> str:
    """Name the page being sent when its bytes are the same for every visitor, so its compression is reused."""
    return served.environ.pop(_SHARED, "")


def register_page_cache(app: Flask) -> None:
    """Serve repeat anonymous storefront pages from memory while the generation and the clock allow."""
    track_changes()
    with app.app_context():
        reader = GenerationReader(db.engine)
    app.extensions["page_cache"] = PageCache(PageStore(STORE_SIZE), reader)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(_markers)
    app.before_request(_serve_from_cache)
    app.after_request(_keep_and_fill)
    # Flask-Compress read its cache settings in init_app, which ran already; these are its documented hook.
    app.config.update(COMPRESS_CACHE_KEY=compressed_page_key, COMPRESS_CACHE_BACKEND=lambda: _compressed)
    compress.cache, compress.cache_key = _compressed, compressed_page_key
