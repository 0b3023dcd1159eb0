"""The staff area's blueprint, the staff check every route is behind, and small helpers the views share."""
from collections.abc import Callable

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from ...errors import show_error  # noqa: F401  (the staff views' way to show a refusal)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admins_only(view: Callable) -> Callable:
    """Mark a staff-area view as open to administrators only (checked by `require_staff`)."""
    view.admins_only = True
    return view


@bp.before_request
def require_staff():
    """Send visitors to log in, refuse customers (403), and keep admin-only pages for administrators."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.script_root + request.full_path.rstrip("?")), 303)
    if not current_user.is_staff:
        abort(403)
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "admins_only", False) and not current_user.is_admin:
        abort(403)
    return None


def actor_id() -> int:
    """Return the id of the staff member making this request, for the ledger and the audit log."""
    return current_user.id


def confirmed() -> bool:
    """Whether a post comes from a confirmation step's button (``confirm=1``): destructive and mass actions
    are done only then; any other post of theirs shows the confirmation step instead."""
    return request.method == "POST" and request.form.get("confirm") == "1"
