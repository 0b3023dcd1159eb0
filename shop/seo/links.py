"""Absolute URLs of a page in each language: its canonical URL and its hreflang alternates."""
from urllib.parse import urlencode

from flask import current_app, request

from ..i18n import PREFIXES, current_locale, language_root

IGNORED_ARGS = {"lang", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid", "gclid"}


def site_root() -> str:
    """Return the shop's absolute root: SHOP_BASE_URL, or (in development) the request's host."""
    return current_app.config["SHOP_BASE_URL"] or (request.host_url.rstrip("/") + language_root("ru"))


def absolute_in(locale: str, path: str | None = None) -> str:
    """Return the absolute URL of this page (or ``path``, shop-relative) in ``locale``, without tracking args."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key not in IGNORED_ARGS]
    target = site_root() + PREFIXES[locale] + (request.path if path is None else path)
    if path is None and query:
        target += "?" + urlencode(query)
    return target


def canonical() -> str:
    """Return this page's canonical URL: its own language's, absolute."""
    return absolute_in(current_locale())


def alternates() -> list[tuple[str, str]]:
    """Return (hreflang, absolute URL) of this page in every language, and x-default (Russian)."""
    return [(locale, absolute_in(locale)) for locale in PREFIXES] + [("x-default", absolute_in("ru"))]


def absolute(url: str) -> str:
    """Return a shop URL (``/kk/og/…``) as an absolute one."""
    return url if url.startswith(("http://", "https://")) else site_root() + url[len(language_root("ru")):]
