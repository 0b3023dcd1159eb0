"""The learner's area: my cohorts, their schedules and join links, and calendar files."""
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import utcnow
from ..i18n import current_locale
from .services import learner_calendar, learner_cohorts

bp = Blueprint("learn", __name__, url_prefix="/learn")


@bp.before_request
def learners_only():
    """Send visitors to log in first, and back here afterwards."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.script_root + request.full_path.rstrip("?")), 303)
    return None


@bp.get("/")
def index():
    return render_template("learn/index.html", cohorts=learner_cohorts(current_user, utcnow()))


@bp.get("/cohorts/<int:cohort_id>.ics")
def calendar(cohort_id: int):
    content = learner_calendar(current_user, cohort_id, locale=current_locale())
    if content is None:
        abort(404)
    return Response(content, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="cohort-{cohort_id}.ics"', "Cache-Control": "private, no-store"})
