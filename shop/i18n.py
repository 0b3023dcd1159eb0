"""Language choice: ``?lang=`` switches and is remembered, else Accept-Language, else Russian."""
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale

from .models import LOCALES

LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}


def select_locale() -> str:
    """Return the visitor's language for this request (the default outside one)."""
    if not has_request_context():
        return None
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        g.switch_language = chosen
        return chosen
    remembered = session.get("lang")
    if remembered in LOCALES:
        return remembered
    return request.accept_languages.best_match(LOCALES) or "ru"


def current_locale() -> str:
    """Return the language code of the current request as a plain string."""
    return str(get_locale() or "ru")


def _remember_language(response):
    chosen = g.pop("switch_language", None)
    if chosen and session.get("lang") != chosen:
        session["lang"] = chosen
    return response


def register_i18n(app: Flask) -> None:
    """Remember a language chosen with ``?lang=`` in the session cookie."""
    app.after_request(_remember_language)
