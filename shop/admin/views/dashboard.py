"""The dashboard and the audit log."""
from flask import render_template, request
from flask_babel import gettext as _

from ...clock import utcnow
from ...inputs import whole_number
from ..audit import KINDS, NO_PERSON, AuditFilter, audit_log, audit_people
from ..audit_words import audit_lines
from ..dashboard import dashboard
from ..forms import AuditFilterForm, choices
from ..paging import clean_page
from .common import bp

FILTERS = ("person", "kind", "date_from", "date_to", "action")


@bp.get("/")
def index():
    return render_template("admin/index.html", board=dashboard(utcnow()))


def _audit_filter(form: AuditFilterForm) -> AuditFilter:
    """Read the filters from the query string; a value the form refused narrows nothing (its message shows)."""
    form.person.choices = choices({"": _("Anyone"), "shop": _("The shop (no person)"),
                                   **{str(user.id): user.full_name or user.email for user in audit_people()}})
    form.kind.choices = choices({"": _("Any kind"), **{kind: label for kind, (label, _a) in KINDS.items()}})
    form.validate()
    good = {name: field.data for name, field in form._fields.items() if not field.errors and field.data}
    person = NO_PERSON if good.get("person") == "shop" else whole_number(good.get("person"), minimum=1)
    return AuditFilter(person=person, kind=good.get("kind", ""), date_from=good.get("date_from"),
                       date_to=good.get("date_to"), action=(good.get("action") or "").strip())


@bp.get("/audit")
def audit():
    form = AuditFilterForm(request.args)
    page = audit_log(_audit_filter(form), clean_page(request.args.get("page")))
    args = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template("admin/audit.html", form=form, page=page, lines=audit_lines(page.items), args=args)
