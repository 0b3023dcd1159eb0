"""The staff area; every route is behind the blueprint-wide staff check."""
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp


@bp.before_request
def require_staff():
    """Send visitors to log in and refuse customers (403) for the whole staff area."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")), 303)
    if not current_user.is_staff:
        abort(403)
    return None


@bp.get("/")
def index():
    return render_template("admin/index.html")
