"""A URL per language: Russian at the root (``/catalog/``), Kazakh under ``/kk/``, English under ``/en/``.

`LanguagePrefix` moves a language prefix from the path into the script root before Flask routes the request,
so every route answers under every prefix and every ``url_for`` on a page links within its language.
``?lang=`` redirects to that language's URL of the same page, keeping the rest of the query. Pictures and
static files are the same in every language and keep one URL (`shared_url`).
"""
from urllib.parse import urlencode

from flask import Flask, has_request_context, redirect, request, url_for
from flask_babel import get_locale

from .models import LOCALES

LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
PREFIXES = {"ru": "", "kk": "/kk", "en": "/en"}
_LOCALE = "shop.locale"  # the language the path named, kept in the WSGI environ
_ROOT = "shop.root"  # the script root before the language prefix


class LanguagePrefix:
    """WSGI middleware: ``/kk/catalog/`` is routed as ``/catalog/`` with ``/kk`` as the script root."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path, root = environ.get("PATH_INFO", ""), environ.get("SCRIPT_NAME", "")
        environ[_ROOT], environ[_LOCALE] = root, "ru"
        for locale in ("kk", "en"):
            prefix = PREFIXES[locale]
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"], environ["PATH_INFO"] = root + prefix, path[len(prefix):] or "/"
                environ[_LOCALE] = locale
                break
        return self.app(environ, start_response)


def select_locale() -> str | None:
    """Return the language the URL names (Russian when it names none); the default outside a request."""
    if not has_request_context():
        return None
    return request.environ.get(_LOCALE, "ru")


def current_locale() -> str:
    """Return the language code of the current request as a plain string."""
    return str(get_locale() or "ru")


def language_root(locale: str | None = None) -> str:
    """Return the script root of ``locale``'s URLs (the current language's by default)."""
    root = request.environ.get(_ROOT, request.script_root) if has_request_context() else ""
    return root + PREFIXES.get(locale or current_locale(), "")


def url_in(locale: str, *, path: str | None = None, args: dict | None = None) -> str:
    """Return this page (or ``path``) in ``locale``, keeping the query string except ``lang``."""
    query = [(key, value) for key, value in (request.args.items(multi=True) if args is None else args.items())
             if key != "lang"]
    target = language_root(locale) + (request.path if path is None else path)
    return target + (f"?{urlencode(query)}" if query else "")


def shared_url(endpoint: str, **values) -> str:
    """Return the URL of something the same in every language (a static file, a picture): one URL for all."""
    url = url_for(endpoint, **values)
    prefix = PREFIXES.get(select_locale() or "ru", "")
    root = request.environ.get(_ROOT, "") if has_request_context() else ""
    if prefix and url.startswith(root + prefix + "/"):
        return root + url[len(root + prefix):]
    return url


def _redirect_lang_query():
    """``?lang=kk`` on any page sends the browser to the same page under its language's URL."""
    chosen = request.args.get("lang")
    if request.method in ("GET", "HEAD") and chosen in LOCALES and chosen != select_locale():
        return redirect(url_in(chosen), 302)
    return None


def register_i18n(app: Flask) -> None:
    """Read the language from the URL, and turn ``?lang=`` into that language's URL."""
    app.wsgi_app = LanguagePrefix(app.wsgi_app)
    app.before_request(_redirect_lang_query)
    app.jinja_env.globals.update(language_url=url_in, LANGUAGES=LANGUAGE_NAMES)
