"""Register, log in and out, reset a password, and the account page."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..cart.session import adopt_visitor_cart
from ..clock import utcnow
from ..errors import ShopError, show_error
from ..extensions import limiter
from ..forms import ConfirmForm
from ..i18n import current_locale
from ..security import is_safe_next
from .forms import ChangePasswordForm, LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from .queries import account_overview
from .services import (
    authenticate,
    end_sessions,
    register_user,
    request_password_reset,
    set_password_with_token,
    user_from_token,
)
from .services import change_password as change_user_password
from .services import resend_verification as resend_verification_email
from .services import verify_email as verify_email_with_token

bp = Blueprint("accounts", __name__, url_prefix="/account")

AUTH_LIMIT = "10 per minute; 50 per hour"


def _sign_in(user, next_url: str | None = None):
    """Start a fresh session for ``user`` (no fixation), keeping the chosen language and cart."""
    keep = {key: session[key] for key in ("cart",) if key in session}
    session.clear()
    session.update(keep)
    login_user(user)
    adopt_visitor_cart(user)
    return redirect(next_url if is_safe_next(next_url) else url_for("accounts.index"), 303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            register_user(form.email.data, form.full_name.data, form.password.data, now=utcnow(),
                          locale=current_locale(), accepts_terms=form.accept_terms.data)
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("We have sent a message to %(email)s. Follow its link to finish.", email=form.email.data), "info")
            return redirect(url_for("accounts.login"), 303)
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def verify_email(token: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = verify_email_with_token(token, now=utcnow())
        except ShopError as error:
            flash(error.message, "error")
            return redirect(url_for("accounts.login"), 303)
        flash(_("Your e-mail is confirmed."), "success")
        return _sign_in(user)
    return render_template("accounts/verify.html", form=form)


@bp.post("/verify")
@login_required
@limiter.limit("3 per minute; 10 per hour")
def resend_verification():
    resend_verification_email(current_user, locale=current_locale())
    flash(_("We have sent the link again to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("accounts.index"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = change_user_password(current_user.id, form.current_password.data, form.password.data)
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Your password is changed; your other sessions are signed out."), "success")
            return _sign_in(user)
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            return _sign_in(user, form.next.data)
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_sessions(current_user.id)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("catalog.home"), 303)


@bp.get("/")
@login_required
def index():
    return render_template("accounts/index.html", **account_overview(current_user))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data, locale=current_locale())
        flash(_("If an account exists for this e-mail, we have sent a link to set a new password."), "info")
        return redirect(url_for("accounts.login"), 303)
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@bp.route("/invitation/<token>", methods=["GET", "POST"], endpoint="accept_invitation", defaults={"purpose": "invite"})
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str, purpose: str = "reset"):
    try:
        user = user_from_token(token, purpose)
    except ShopError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.reset_request"), 303)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = set_password_with_token(token, form.password.data, purpose, now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Your password is set."), "success")
            return _sign_in(user)
    page = render_template("accounts/reset_password.html", form=form, user=user, purpose=purpose)
    return page, 400 if form.errors else 200
