"""Customers (search, their file, CSV) and, for administrators, staff accounts."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...errors import NotFound, ShopError
from ..customers import customer_file, customer_page, customers_csv
from ..forms import ROLE_LABELS, RoleForm
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


@bp.get("/customers/view")
def customer():
    try:
        found = customer_file(request.args.get("email", "")[:254])
    except NotFound:
        abort(404)
    return render_template("admin/customer.html", file=found, customer=found.customer)


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
