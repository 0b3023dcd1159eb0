"""The dashboard and the audit log."""
from flask import render_template, request

from ...clock import utcnow
from ..audit import audit_log, details_of
from ..dashboard import dashboard
from ..paging import clean_page
from .common import admins_only, bp


@bp.get("/")
def index():
    return render_template("admin/index.html", board=dashboard(utcnow()))


@bp.get("/audit")
@admins_only
def audit():
    action = request.args.get("action", "")[:80]
    page = audit_log(clean_page(request.args.get("page")), action)
    return render_template("admin/audit.html", page=page, action=action, details_of=details_of)
