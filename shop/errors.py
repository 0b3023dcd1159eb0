"""Domain errors that services raise, and the shop's HTTP error pages."""
from flask import Flask, flash, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db


class ShopError(Exception):
    """A business rule refused the request; ``message`` is safe to show to the person."""

    message = _l("Something went wrong. Please try again.")
    field: str | None = None  # the form field the refusal concerns, when there is one

    def __init__(self, message=None, **details):
        super().__init__(str(message or self.message))
        if message is not None:
            self.message = message
        self.details = details


class NotFound(ShopError):
    message = _l("This item does not exist or is no longer sold.")


class InvalidQuantity(ShopError):
    message = _l("Please enter a whole number from 1 up to what is available.")


class OutOfStock(ShopError):
    message = _l("Sorry, there is not enough stock left for this kit.")


class CohortFull(ShopError):
    message = _l("Sorry, this cohort has no seats left.")


class CohortClosed(ShopError):
    message = _l("This cohort can no longer be booked.")


class EmptyCart(ShopError):
    message = _l("Your cart is empty.")


class PaymentFailed(ShopError):
    message = _l("The payment service could not be reached. Your cart is kept; please try again shortly.")


class InvalidTransition(ShopError):
    message = _l("This order cannot move to that status.")


class RefundTooLarge(ShopError):
    field = "amount_minor"
    message = _l("A refund cannot exceed what was paid.")


class EmailTaken(ShopError):
    field = "email"
    message = _l("An account with this e-mail already exists.")


class InvalidCredentials(ShopError):
    field = "password"
    message = _l("The e-mail or password is not correct.")


class WrongCurrentPassword(InvalidCredentials):
    field = "current_password"
    message = _l("The current password is not correct.")


class WeakPassword(ShopError):
    field = "password"
    message = _l("Choose a password of at least 10 characters that is not a common one.")


class StockConflict(ShopError):
    message = _l("Stock cannot go below zero or below what is held for open orders.")


def show_error(error: ShopError, form=None, field: str | None = None) -> None:
    """Put a service's refusal on the form field it names (or ``field``), else flash it."""
    field = field or error.field
    if form is not None and field is not None and field in form:
        form[field].errors = [*form[field].errors, error.message]
    else:
        flash(error.message, "error")


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or request.path == "/healthz"


def _page(error: HTTPException, template: str):
    if _wants_json():
        return jsonify(error=error.name), error.code
    return render_template(template, error=error), error.code


def register_error_handlers(app: Flask) -> None:
    """Show 4xx and 500 errors in the shop's design; a 500 rolls the session back first."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 404:
            return _page(error, "errors/404.html")
        if error.code == 403:
            return _page(error, "errors/403.html")
        if error.code == 429:
            return _page(error, "errors/429.html")
        return _page(error, "errors/400.html")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        """The database is restarting or unreachable: a 503 to retry, on a page that needs no database."""
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass
        app.logger.warning("database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        headers = {"Retry-After": "5"}
        if _wants_json():
            return jsonify(error="Service Unavailable"), 503, headers
        return render_template("errors/503.html"), 503, headers

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error"), 500
        return render_template("errors/500.html"), 500
