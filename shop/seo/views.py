"""Crawlers' files (sitemap, robots) and the share pictures messengers show for a pasted link."""
from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..assets import YEAR
from ..catalog.services import product_card
from ..clock import utcnow
from ..courses.services import active_courses, cohorts_of, course_by_slug, soonest_open
from ..extensions import db
from ..i18n import PREFIXES, current_locale, language_root
from ..models import Category, Cohort, Product
from ..models.content import InfoPage, InfoPageVersion
from ..money import format_money
from .images import share_picture
from .links import site_root

bp = Blueprint("seo", __name__)

PRIVATE = ("/cart", "/checkout", "/account/", "/learn/", "/admin/", "/orders/", "/pay/", "/webhooks/")


def _png(data: bytes) -> Response:
    return Response(data, mimetype="image/png", headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/og/home.png")
def home_image():
    return _png(share_picture(_("Grow your own greens"), _("Starter kits and online courses"), _("City Farm, Almaty")))


@bp.get("/og/products/<slug>.png")
def product_image(slug: str):
    card = product_card(slug, utcnow()) or abort(404)
    return _png(share_picture(card.product.tr("name", current_locale()),
                              format_money(card.product.price_minor, current_locale()), _("City Farm, Almaty")))


@bp.get("/og/courses/<slug>.png")
def course_image(slug: str):
    course = course_by_slug(slug) or abort(404)
    soonest = soonest_open(cohorts_of([course.id], utcnow()))
    when = _("Next start: %(date)s", date=soonest.cohort.starts_at.strftime("%d.%m.%Y")) if soonest else ""
    return _png(share_picture(course.tr("title", current_locale()), when, _("City Farm, Almaty")))


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {prefix}{path}" for prefix in PREFIXES.values() for path in PRIVATE),
             "Allow: /", f"Sitemap: {site_root()}/sitemap.xml", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    return Response(render_template("seo/sitemap.xml", pages=_sitemap_pages(), root=site_root(),
                                    prefixes=PREFIXES), mimetype="application/xml")


def _path(endpoint: str, **values) -> str:
    """A shop path without any language prefix (the sitemap adds each language's)."""
    return url_for(endpoint, **values)[len(language_root()):]


def _sitemap_pages() -> list[tuple[str, object]]:
    """Return (path, last change) of every public page, in Russian; each language's URL is derived from it."""
    now = utcnow()
    newest_product = db.session.scalar(select(func.max(Product.updated_at)).where(Product.is_active.is_(True)))
    pages = [(_path("catalog.home"), newest_product), (_path("catalog.index"), newest_product),
             (_path("courses.index"), None)]
    for slug, in db.session.execute(select(Category.slug).order_by(Category.position, Category.id)):
        pages.append((_path("catalog.index", category=slug), newest_product))
    for slug, changed in db.session.execute(select(Product.slug, Product.updated_at)
                                            .where(Product.is_active.is_(True)).order_by(Product.id)):
        pages.append((_path("catalog.product", slug=slug), changed))
    starts = dict(db.session.execute(select(Cohort.course_id, func.max(Cohort.created_at))
                                     .group_by(Cohort.course_id)).tuples().all())
    for course in active_courses():
        pages.append((_path("courses.course", slug=course.slug), starts.get(course.id)))
    for slug, changed in db.session.execute(select(InfoPage.slug, func.max(InfoPageVersion.created_at))
                                            .join(InfoPageVersion).group_by(InfoPage.slug).order_by(InfoPage.slug)):
        pages.append((_path("pages.page", slug=slug), changed))
    return [(path, changed or now) for path, changed in pages]


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "img/favicon.ico", max_age=YEAR)


@bp.get("/apple-touch-icon.png")
def apple_touch_icon():
    return send_from_directory(current_app.static_folder, "img/apple-touch-icon.png", max_age=YEAR)
