"""Course pages: the list, one course with its cohorts, and the waiting list's join, claim and leave."""
from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from ..cart.services import add_to_cart, count_items
from ..cart.session import remember_cart
from ..clock import utcnow
from ..errors import ShopError
from ..extensions import limiter
from ..forms import ConfirmForm
from ..i18n import current_locale
from ..same_origin import same_origin_post
from .forms import WaitlistForm
from .services import active_courses, cohorts_of, course_by_slug, group_by_course, join_waitlist, leave_waitlist
from .waitlist import InvalidWaitlistLink, OfferLapsed, entry_for_leaving, open_offer
from .waitlist import confirm_waitlist as confirm_waitlist_entry

bp = Blueprint("courses", __name__, url_prefix="/courses")


def _user():
    return current_user if current_user.is_authenticated else None


@bp.get("/")
def index():
    courses = active_courses()
    cohorts = group_by_course(cohorts_of([course.id for course in courses], utcnow()))
    return render_template("courses/index.html", courses=courses, cohorts=cohorts)


@bp.get("/<slug>")
def course(slug: str):
    found = course_by_slug(slug) or abort(404)
    return render_template("courses/course.html", course=found, cohorts=cohorts_of([found.id], utcnow()))


@bp.post("/<slug>/cohorts/<int:cohort_id>/waitlist")
@limiter.limit("10 per minute", methods=["POST"])
@same_origin_post("courses.join")
def join(slug: str, cohort_id: int):
    found = course_by_slug(slug) or abort(404)
    if cohort_id not in {cohort.id for cohort in found.cohorts}:
        abort(404)
    form = WaitlistForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.email.errors), "error")
        return redirect(url_for("courses.course", slug=slug), 303)
    try:
        entry = join_waitlist(cohort_id, form.email.data, user=_user(), now=utcnow(), locale=current_locale())
    except ShopError as error:
        flash(error.message, "error")
    else:
        if entry.status == "unconfirmed":
            flash(_("Almost there: confirm your place in line with the link we have sent to %(email)s.",
                    email=form.email.data), "success")
        else:
            _say_on_the_list(entry)
    return redirect(url_for("courses.course", slug=slug), 303)


def _say_on_the_list(entry) -> None:
    cohort = entry.cohort
    course, starts = cohort.course.tr("title", current_locale()), format_datetime(cohort.starts_at, "d MMMM y, HH:mm")
    flash(_("You are on the list for «%(course)s», %(date)s: we will e-mail you as soon as a seat frees up.",
            course=course, date=starts), "success")


@bp.route("/waitlist/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def confirm_waitlist(token: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            entry = confirm_waitlist_entry(token, now=utcnow())
        except InvalidWaitlistLink:
            abort(404)
        _say_on_the_list(entry)
        return redirect(url_for("courses.course", slug=entry.cohort.course.slug), 303)
    return render_template("courses/confirm.html", form=form)


@bp.get("/waitlist/claim/<token>")
def claim_offer(token: str):
    try:
        entry = open_offer(token, utcnow())
    except InvalidWaitlistLink:
        abort(404)
    except OfferLapsed as error:
        return render_template("courses/claim.html", entry=None, message=error.message), 410
    return render_template("courses/claim.html", entry=entry, message=None)


@bp.post("/waitlist/claim/<token>")
def claim_seat(token: str):
    try:
        cart = add_to_cart(token=session.get("cart"), user=_user(), product_slug=None, cohort_ref=None,
                           quantity="1", now=utcnow(), claim=token)
    except InvalidWaitlistLink:
        abort(404)
    except ShopError as error:
        flash(error.message, "error")
        return redirect(url_for("courses.claim_offer", token=token), 303)
    remember_cart(cart, count_items(cart))
    flash(_("The seat is in your cart. Check out before the offer runs out."), "success")
    return redirect(url_for("cart.view"), 303)


@bp.get("/waitlist/leave/<token>")
def leave_page(token: str):
    try:
        entry = entry_for_leaving(token)
    except InvalidWaitlistLink:
        abort(404)
    return render_template("courses/leave.html", entry=entry)


@bp.post("/waitlist/leave/<token>")
def leave(token: str):
    try:
        entry = leave_waitlist(token, now=utcnow())
    except InvalidWaitlistLink:
        abort(404)
    flash(_("You have left the waiting list."), "info")
    return redirect(url_for("courses.course", slug=entry.cohort.course.slug), 303)
