"""Cohorts: dates, seats and sessions; rosters with attendance, cancelled places and the CSV export."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.utils import secure_filename

from ...clock import utcnow
from ...courses.services import cancel_enrolment, change_capacity
from ...errors import NotFound, ShopError
from ...extensions import db
from ...forms import ConfirmForm
from ...inputs import whole_number
from ...models import CohortSession, Enrolment
from ...templating import tr
from ..catalog import all_courses
from ..cohorts import (
    add_session,
    cohort_list,
    cohort_row,
    remove_session,
    save_cohort,
    send_schedule,
    set_cancelled,
)
from ..forms import CapacityForm, CohortForm, SessionForm, choices, form_values
from ..paging import clean_page
from ..rosters import attendance_marks, mark_attendance, payment_state, roster_csv, roster_of
from .common import actor_id, bp, confirmed, show_error


def _cohort_form(edit: bool = False, **kwargs) -> CohortForm:
    form = CohortForm(**kwargs)
    form.course_id.choices = choices({course.id: tr(course, "title") for course in all_courses()})
    if edit:
        del form.capacity  # seats change through `change_capacity`, which moves the waiting list
    return form


@bp.get("/cohorts/")
def cohorts():
    course = request.args.get("course", "")
    page = cohort_list(utcnow(), clean_page(request.args.get("page")), upcoming=request.args.get("past") != "1",
                       course_id=whole_number(course))
    return render_template("admin/cohorts.html", page=page, courses=all_courses(), past=request.args.get("past") == "1",
                           course=course)


@bp.route("/cohorts/new", methods=["GET", "POST"])
def cohort_new():
    form = _cohort_form(course_id=whole_number(request.args.get("course")))
    if form.validate_on_submit():
        try:
            cohort = save_cohort(None, form_values(form), actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form, "join_url" if form.format.data == "online" else "venue")
        else:
            flash(_("Cohort created. Add its sessions below."), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort.id), 303)
    return render_template("admin/cohort_new.html", form=form), 400 if form.errors else 200


def _cohort_page(cohort_id: int, status: int = 200, **forms):
    try:
        row = cohort_row(cohort_id, utcnow())
    except NotFound:
        abort(404)
    forms.setdefault("form", _cohort_form(edit=True, formdata=None, obj=row.cohort))
    forms.setdefault("capacity_form", CapacityForm(formdata=None, capacity=row.cohort.capacity))
    forms.setdefault("session_form", SessionForm(formdata=None))
    return render_template("admin/cohort.html", row=row, cohort=row.cohort, confirm=ConfirmForm(formdata=None),
                           **forms), status


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
def cohort(cohort_id: int):
    if request.method == "GET":
        return _cohort_page(cohort_id)
    form = _cohort_form(edit=True)
    if form.validate_on_submit():
        try:
            save_cohort(cohort_id, form_values(form), actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form, "join_url" if form.format.data == "online" else "venue")
        else:
            flash(_("Cohort saved."), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort_id), 303)
    return _cohort_page(cohort_id, 400, form=form)


@bp.post("/cohorts/<int:cohort_id>/capacity")
def cohort_capacity(cohort_id: int):
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            change_capacity(cohort_id, form.capacity.data, now=utcnow(), actor_id=actor_id())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Seats changed to %(num)d.", num=form.capacity.data), "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort_id), 303)
    return _cohort_page(cohort_id, 400, capacity_form=form)


def _confirm_page(kind: str, action: str, back: str, **context):
    """The confirmation step of a destructive or mass action: what will happen, a button posting confirm=1."""
    return render_template("admin/confirm.html", kind=kind, action=action, back=back, **context)


@bp.route("/cohorts/<int:cohort_id>/cancel", methods=["GET", "POST"])
def cohort_cancel(cohort_id: int):
    """GET (or a post without its confirmation) says how many learners will be e-mailed; confirm=1 cancels."""
    if confirmed() and ConfirmForm().validate_on_submit():
        try:
            told = set_cancelled(cohort_id, True, actor_id=actor_id(), now=utcnow())
        except NotFound:
            abort(404)
        flash(ngettext("Cohort cancelled; %(num)d learner was e-mailed. Refund their orders from their order "
                       "pages.", "Cohort cancelled; %(num)d learners were e-mailed. Refund their orders from "
                       "their order pages.", told), "success")
        return redirect(url_for("admin.cohort", cohort_id=cohort_id), 303)
    try:
        row = cohort_row(cohort_id, utcnow())
    except NotFound:
        abort(404)
    return _confirm_page("cohort_cancel", url_for("admin.cohort_cancel", cohort_id=cohort_id),
                         url_for("admin.cohort", cohort_id=cohort_id), row=row, cohort=row.cohort)


@bp.post("/cohorts/<int:cohort_id>/reopen")
def cohort_reopen(cohort_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            set_cancelled(cohort_id, False, actor_id=actor_id(), now=utcnow())
        except NotFound:
            abort(404)
        flash(_("Cohort reopened for booking."), "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort_id), 303)


@bp.route("/cohorts/<int:cohort_id>/schedule", methods=["GET", "POST"], endpoint="cohort_send_schedule")
def cohort_send_schedule(cohort_id: int):
    """GET (or a post without its confirmation) says how many learners get the schedule; confirm=1 sends it."""
    if not (confirmed() and ConfirmForm().validate_on_submit()):
        try:
            row = cohort_row(cohort_id, utcnow())
        except NotFound:
            abort(404)
        return _confirm_page("schedule", url_for("admin.cohort_send_schedule", cohort_id=cohort_id),
                             url_for("admin.cohort", cohort_id=cohort_id, _anchor="sessions"), row=row,
                             cohort=row.cohort)
    try:
        told = send_schedule(cohort_id, actor_id=actor_id(), now=utcnow())
    except NotFound:
        abort(404)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(ngettext("The schedule was e-mailed to %(num)d learner.",
                       "The schedule was e-mailed to %(num)d learners.", told), "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort_id, _anchor="sessions"), 303)


@bp.post("/cohorts/<int:cohort_id>/sessions")
def session_add(cohort_id: int):
    form = SessionForm()
    if form.validate_on_submit():
        try:
            add_session(cohort_id, starts_at=form.starts_at.data, duration_minutes=form.duration_minutes.data,
                        title=form.title.data or "", actor_id=actor_id(), now=utcnow())
        except NotFound:
            abort(404)
        flash(_("Session added."), "success")
        return redirect(url_for("admin.cohort", cohort_id=cohort_id, _anchor="sessions"), 303)
    return _cohort_page(cohort_id, 400, session_form=form)


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
def session_delete(session_id: int):
    """GET (or a post without its confirmation) names the session and its attendance marks; confirm=1 removes."""
    lesson = db.session.get(CohortSession, session_id) or abort(404)
    if confirmed() and ConfirmForm().validate_on_submit():
        cohort_id = remove_session(session_id, actor_id=actor_id(), now=utcnow())
        flash(_("Session removed."), "success")
        return redirect(url_for("admin.cohort", cohort_id=cohort_id, _anchor="sessions"), 303)
    return _confirm_page("session_delete", url_for("admin.session_delete", session_id=session_id),
                         url_for("admin.cohort", cohort_id=lesson.cohort_id, _anchor="sessions"), lesson=lesson,
                         marks=attendance_marks(session_id))


@bp.get("/cohorts/<int:cohort_id>/roster")
def roster(cohort_id: int):
    try:
        sheet = roster_of(cohort_id, utcnow())
    except NotFound:
        abort(404)
    return render_template("admin/roster.html", sheet=sheet, cohort=sheet.cohort, payment_state=payment_state,
                           confirm=ConfirmForm(formdata=None))


@bp.get("/cohorts/<int:cohort_id>/roster.csv")
def roster_export(cohort_id: int):
    try:
        filename, data = roster_csv(cohort_id, utcnow())
    except NotFound:
        abort(404)
    # ASCII letters, digits, dots and hyphens only: a header cannot carry a stored slug's line break or Cyrillic
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{secure_filename(filename) or "roster.csv"}"',
        "Cache-Control": "no-store"})


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
def attendance(session_id: int):
    lesson = db.session.get(CohortSession, session_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        present = {number for number in map(whole_number, request.form.getlist("present")) if number is not None}
        cohort_id = mark_attendance(session_id, present, actor_id=actor_id(), now=utcnow())
        flash(_("Attendance saved."), "success")
        return redirect(url_for("admin.roster", cohort_id=cohort_id), 303)
    return render_template("admin/attendance.html", lesson=lesson, sheet=roster_of(lesson.cohort_id, utcnow()),
                           form=form)


@bp.route("/enrolments/<int:enrolment_id>/cancel", methods=["GET", "POST"])
def enrolment_cancel(enrolment_id: int):
    """GET (or a post without its confirmation) names the learner and the cohort; confirm=1 cancels the place."""
    enrolment = db.session.get(Enrolment, enrolment_id) or abort(404)
    cohort_id = enrolment.cohort_id
    if not (confirmed() and ConfirmForm().validate_on_submit()):
        return _confirm_page("enrolment_cancel", url_for("admin.enrolment_cancel", enrolment_id=enrolment_id),
                             url_for("admin.roster", cohort_id=cohort_id), enrolment=enrolment)
    try:
        cancel_enrolment(enrolment_id, now=utcnow(), actor_id=actor_id())
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("The place is cancelled and the learner e-mailed; the seat is free again."), "success")
    return redirect(url_for("admin.roster", cohort_id=cohort_id), 303)
