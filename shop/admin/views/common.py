"""Small helpers the staff views share."""
from flask import flash
from flask_login import current_user
from flask_wtf import FlaskForm

from ...errors import ShopError


def actor_id() -> int:
    """Return the id of the staff member making this request, for the ledger and the audit log."""
    return current_user.id


def show_error(error: ShopError, form: FlaskForm | None = None, field: str | None = None) -> None:
    """Put a service's refusal on the form field it concerns, or flash it."""
    if form is not None and field is not None and field in form:
        form[field].errors = [*form[field].errors, error.message]
    else:
        flash(error.message, "error")

