"""Storefront pages: home, catalogue, product, and the pictures staff uploaded."""
from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from ..assets import YEAR
from ..clock import utcnow
from ..courses.services import cohorts_of, soonest_open, upcoming_cohorts
from .services import browse, categories, featured, product_card, related

bp = Blueprint("catalog", __name__)


@bp.get("/")
def home():
    now = utcnow()
    return render_template("catalog/home.html", cards=featured(now), cohorts=upcoming_cohorts(now))


@bp.get("/catalog/")
def index():
    args, now = request.args, utcnow()
    page = browse(now=now, category=args.get("category"), query=args.get("q"), sort=args.get("sort"),
                  page=args.get("page"))
    # Nothing found: offer the shelves and the popular kits rather than an empty page.
    popular = featured(now, limit=4) if not page.cards and page.query else []
    return render_template("catalog/index.html", page=page, categories=categories(), popular=popular)


@bp.get("/products/<slug>")
def product(slug: str):
    now = utcnow()
    card = product_card(slug, now) or abort(404)
    course = card.product.course
    cohorts = cohorts_of([course.id], now) if course and course.is_active else []
    return render_template(
        "catalog/product.html", card=card, course=course, cohorts=cohorts, chosen=soonest_open(cohorts),
        related=related(card.product, now),
    )


@bp.get("/uploads/<path:filename>")
def upload(filename: str):
    """Send an uploaded picture (safe-joined under the upload folder; unknown names are 404).

    Their random names never change, so they cache for a year.
    """
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename, max_age=YEAR)
