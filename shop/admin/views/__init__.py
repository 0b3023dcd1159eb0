"""The staff area's pages; every route is behind the blueprint-wide staff check below."""
from collections.abc import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .. import bp


def admins_only(view: Callable) -> Callable:
    """Mark a staff-area view as open to administrators only (checked by `require_staff`)."""
    view.admins_only = True
    return view


@bp.before_request
def require_staff():
    """Send visitors to log in, refuse customers (403), and keep admin-only pages for administrators."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")), 303)
    if not current_user.is_staff:
        abort(403)
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "admins_only", False) and not current_user.is_admin:
        abort(403)
    return None


from . import catalog, cohorts, dashboard, orders, people, products  # noqa: E402,F401
