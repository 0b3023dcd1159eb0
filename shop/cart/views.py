"""The cart page and its forms (lines, promo code); refusals come back to the cart with a message."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..clock import utcnow
from ..errors import ShopError
from ..i18n import current_locale
from ..promo.services import quote, set_cart_code
from ..same_origin import same_origin_post
from .services import add_to_cart, count_items, line_unavailable, summarise, update_line
from .session import current_cart, current_user_or_none, remember_cart

bp = Blueprint("cart", __name__)


def _back_to_cart(cart=None):
    if cart is not None:
        remember_cart(cart, count_items(cart))
    return redirect(url_for("cart.view"), 303)


@bp.get("/cart")
def view():
    cart, now = current_cart(), utcnow()
    summary = summarise(cart, now)
    problems = {row.line.id: line_unavailable(row, current_locale()).message for row in summary.short_rows}
    return render_template("cart/cart.html", summary=summary, problems=problems, promo=quote(cart, summary, now))


@bp.post("/cart/add")
@same_origin_post("cart.add")
def add():
    user = current_user_or_none()
    try:
        cart = add_to_cart(token=session.get("cart"), user=user, product_slug=request.form.get("product"),
                           cohort_ref=request.form.get("cohort"), quantity=request.form.get("quantity"), now=utcnow())
    except ShopError as error:
        flash(error.message, "error")
        return _back_to_cart()
    flash(_("Added to your cart."), "success")
    return _back_to_cart(cart)


@bp.post("/cart/update")
def update():
    try:
        cart = update_line(current_cart(), request.form.get("line"), request.form.get("quantity"), now=utcnow())
    except ShopError as error:
        flash(error.message, "error")
        return _back_to_cart()
    flash(_("Your cart is updated."), "success")
    return _back_to_cart(cart)


@bp.post("/cart/promo")
@same_origin_post("cart.promo")
def promo():
    code = request.form.get("code", "")
    try:
        found = set_cart_code(code, token=session.get("cart"), user=current_user_or_none(), now=utcnow())
    except ShopError as error:
        flash(error.message, "error")
        return _back_to_cart()
    flash(_("Promo code %(code)s applied.", code=found.code) if found else _("Promo code removed."), "success")
    return _back_to_cart()
