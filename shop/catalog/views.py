"""Storefront pages: home, catalogue, product, and the pictures staff uploaded."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _

from ..assets import YEAR
from ..clock import utcnow
from ..courses.services import cohorts_of, soonest_open, upcoming_cohorts
from ..errors import NotFound
from ..extensions import limiter
from ..forms import ConfirmForm
from ..i18n import current_locale
from ..same_origin import same_origin_post
from .back_in_stock import InvalidNoticeLink, confirm_notice, leave_notice, notice_for_leaving, subscribe
from .bundles import bundle_saving
from .forms import StockNoticeForm
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
    chosen = soonest_open(cohorts)
    return render_template(
        "catalog/product.html", card=card, course=course, cohorts=cohorts, chosen=chosen,
        related=related(card.product, now), saving=bundle_saving(card.product, chosen.cohort if chosen else None),
    )


@bp.post("/products/<slug>/notify")
@limiter.limit("10 per minute", methods=["POST"])
@same_origin_post("catalog.notify")
def notify(slug: str):
    form = StockNoticeForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.email.errors), "error")
        return redirect(url_for("catalog.product", slug=slug), 303)
    try:
        subscribe(slug, form.email.data, locale=current_locale(), now=utcnow())
    except NotFound:
        abort(404)
    # The same answer whether or not the address was already waiting: the page reveals nobody's subscriptions.
    flash(_("Almost there: confirm with the link we have sent to %(email)s, and we will write when the kit is back.",
            email=form.email.data), "success")
    return redirect(url_for("catalog.product", slug=slug), 303)


@bp.route("/products/notify/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def notice_confirm(token: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            notice = confirm_notice(token, now=utcnow())
        except InvalidNoticeLink:
            abort(404)
        flash(_("Done: we will e-mail you once when the kit is back in stock."), "success")
        return redirect(url_for("catalog.product", slug=notice.product.slug), 303)
    return render_template("catalog/notice_confirm.html", form=form)


@bp.get("/products/notify/leave/<token>")
def notice_leave_page(token: str):
    try:
        notice = notice_for_leaving(token)
    except InvalidNoticeLink:
        abort(404)
    return render_template("catalog/notice_leave.html", notice=notice, form=ConfirmForm())


@bp.post("/products/notify/leave/<token>")
def notice_leave(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        notice = leave_notice(token)
    except InvalidNoticeLink:
        abort(404)
    flash(_("You will get no more e-mails about this kit."), "info")
    return redirect(url_for("catalog.product", slug=notice.product.slug), 303)


@bp.get("/uploads/<path:filename>")
def upload(filename: str):
    """Send an uploaded picture (safe-joined under the upload folder; unknown names are 404).

    Their random names never change, so they cache for a year.
    """
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename, max_age=YEAR)
