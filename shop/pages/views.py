"""The information pages: the offer, the privacy policy, delivery and payment, returns, contacts."""
from flask import Blueprint, abort, render_template

from ..i18n import current_locale
from ..models.content import PAGE_SLUGS
from .services import page_text

bp = Blueprint("pages", __name__, url_prefix="/pages")


@bp.get("/<slug>")
def page(slug: str):
    if slug not in PAGE_SLUGS:
        abort(404)
    return render_template("pages/page.html", text=page_text(slug, current_locale()))
