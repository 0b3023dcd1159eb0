"""Customers (search, their file, CSV) and, for administrators, staff accounts."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...errors import NotFound, ShopError
from ..customers import customer_file, customer_page, customers_csv
from ..forms import ROLE_LABELS, CustomerNoteForm, RoleForm
from ..notes import add_customer_note, customer_notes
from ..paging import clean_page
from ..team import role_change, set_role, staff_members
from .common import admins_only, bp, confirmed, show_error


@bp.get("/customers/")
def customers():
    query = request.args.get("q", "")[:100]
    return render_template("admin/customers.html", page=customer_page(query, clean_page(request.args.get("page"))),
                           query=query)


@bp.get("/customers/export.csv")
def customers_export():
    data = customers_csv(request.args.get("q", "")[:100])
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="customers-{utcnow():%Y-%m-%d}.csv"',
        "Cache-Control": "no-store"})


def _customer_page(email: str, status: int = 200, note: CustomerNoteForm | None = None):
    try:
        found = customer_file(email[:254])
    except NotFound:
        abort(404)
    note = note or CustomerNoteForm(formdata=None, email=found.customer.email)
    return render_template("admin/customer.html", file=found, customer=found.customer, note_form=note,
                           notes=customer_notes(found.customer.email)), status


@bp.get("/customers/view")
def customer():
    return _customer_page(request.args.get("email", ""))


@bp.post("/customers/notes")
def customer_note():
    form = CustomerNoteForm()
    if form.validate_on_submit():
        try:
            add_customer_note(form.email.data, form.body.data, actor_id=current_user.id, now=utcnow())
        except NotFound:
            abort(404)
        flash(_("Note kept."), "success")
        return redirect(url_for("admin.customer", email=form.email.data.strip().lower(), _anchor="notes"), 303)
    return _customer_page(form.email.data or "", 400, form)


@bp.route("/staff/", methods=["GET", "POST"])
@admins_only
def staff():
    """A role changes in two steps: the form's post shows whose role becomes what; its confirmation changes it."""
    form = RoleForm()
    if form.validate_on_submit():
        try:
            if not confirmed():
                user = role_change(form.email.data, form.role.data, actor=current_user)
                return render_template("admin/confirm.html", kind="role", user=user, form=form,
                                       new_role=ROLE_LABELS[form.role.data], old_role=ROLE_LABELS[user.role],
                                       action=url_for("admin.staff"), back=url_for("admin.staff"))
            user = set_role(form.email.data, form.role.data, actor=current_user, now=utcnow())
        except ShopError as error:
            show_error(error, form, error.field or "email")
        else:
            flash(_("%(email)s is now: %(role)s.", email=user.email, role=ROLE_LABELS[user.role]), "success")
            return redirect(url_for("admin.staff"), 303)
    return render_template("admin/staff.html", form=form, members=staff_members()), 400 if form.errors else 200
