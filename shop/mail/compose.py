"""Render an e-mail from ``templates/email/<name>.{subject,txt,html}`` in the recipient's language."""
from flask import current_app, has_request_context, render_template, request, url_for
from flask_babel import force_locale

from ..i18n import PREFIXES, current_locale, language_root


def render_email(name: str, locale: str, **context) -> tuple[str, str, str]:
    """Return (subject, text, html) of e-mail ``name`` rendered in ``locale``, each body ending with the shop's
    details (the HTML ones in ``email/_layout.html``, the text ones with ``email/_footer.txt``)."""
    with force_locale(locale):
        subject = render_template(f"email/{name}.subject.txt", **context).strip()
        text = render_template(f"email/{name}.txt", **context).rstrip("\n") + "\n\n" + render_template(
            "email/_footer.txt")
        html = render_template(f"email/{name}.html", **context)
    return subject, text, html


def external_url(endpoint: str, *, locale: str | None = None, **values) -> str:
    """Return an absolute URL for e-mails and providers, in ``locale``'s language (the current one by default).

    Built on SHOP_BASE_URL; only where it is not set (development) on the request's own host.
    """
    base = current_app.config["SHOP_BASE_URL"]
    if not base and has_request_context():
        base = request.host_url.rstrip("/") + language_root("ru")
    with current_app.test_request_context(base_url=(base or "http://127.0.0.1:5000") + PREFIXES.get(
            locale or current_locale(), "")):
        return url_for(endpoint, _external=True, **values)
