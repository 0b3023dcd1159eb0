"""Conditional GET for the anonymous storefront: a strong ETag from the page itself, and 304 on a repeat.

The ETag is a hash of the body the view has just rendered, so a change of price, text, stock, hold or
seat changes it at once; with ``Cache-Control: no-cache`` the browser revalidates on every visit and
never shows a stale "in stock". The server still renders each page: what a 304 saves is the bytes on
the wire and the browser's work, which is what a slow phone connection needs.
"""
import hashlib

from flask import Flask, g, request, session
from flask_login import current_user

CONDITIONAL_ENDPOINTS = frozenset({
    "catalog.index", "catalog.product", "courses.index", "courses.course", "api.products", "api.cohorts",
})
CSRF_FIELD = "csrf_token"


def _body_digest(body: bytes) -> str:
    """Hash the page, leaving out the signed CSRF token, which carries the second it was signed.

    The signed token differs on every request although it stands for the same raw token kept in the
    session (and tokens never expire here), so hashing it would make every page new. The raw token
    goes into the hash instead: a page cached under another session's token never matches.
    """
    signed = g.get(CSRF_FIELD)
    digest = hashlib.sha256()
    if signed:
        body = body.replace(signed.encode(), b"")
        digest.update(session.get(CSRF_FIELD, "").encode())
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()[:32]


def _matches(etag: str) -> str | None:
    """Return the validator the browser holds for this body, plain or as Flask-Compress suffixed it."""
    held = request.if_none_match
    if not held:
        return None
    if held.star_tag:
        return etag
    for candidate in held.as_set(include_weak=True):  # If-None-Match compares weakly (RFC 9110)
        if candidate == etag or candidate.startswith(f"{etag}:"):
            return candidate
    return None


def _is_cacheable(response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.endpoint in CONDITIONAL_ENDPOINTS
        and response.status_code == 200
        and not response.is_streamed
        and not current_user.is_authenticated
    )


def _answer_conditionally(response):
    if not _is_cacheable(response):
        return response
    etag = _body_digest(response.get_data())
    # Revalidate every time; "private" because the page carries the visitor's CSRF token and cart count.
    response.headers["Cache-Control"] = "private, no-cache"
    held = _matches(etag)
    if held is not None:
        # Answer before Flask-Compress runs, so a 304 costs no compression; keep the validator as the
        # browser holds it (Flask-Compress suffixes ":gzip", ":br" to the ETag of a compressed body).
        response.set_etag(held)
        return response.make_conditional(request)
    response.set_etag(etag)
    return response


def register_caching(app: Flask) -> None:
    """Answer conditional GETs on the anonymous catalogue, course pages and public JSON."""
    app.after_request(_answer_conditionally)
