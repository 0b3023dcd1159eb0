"""The checkout page: the buyer's details, then off to the payment page."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..cart.services import LineUnavailable, line_unavailable, summarise
from ..cart.session import current_cart, current_user_or_none
from ..clock import utcnow
from ..errors import EmptyCart, ShopError, show_error
from ..extensions import limiter
from ..i18n import current_locale
from ..orders.placing import BuyerDetails
from ..payments.methods import method_choices
from ..payments.providers import enabled_methods, gateway_for
from ..settings import shop_settings
from .delivery import delivery_options
from .forms import CheckoutForm, learners_from
from .services import checkout
from .totals import checkout_totals

bp = Blueprint("checkout", __name__)


def _prefilled_form(needs_delivery: bool) -> CheckoutForm:
    form = CheckoutForm(needs_delivery=needs_delivery, methods=enabled_methods())
    if current_user.is_authenticated and not form.is_submitted():
        form.email.data = form.email.data or current_user.email
        form.full_name.data = form.full_name.data or current_user.full_name
        form.phone.data = form.phone.data or current_user.phone
    return form


@bp.route("/checkout", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def start():
    cart = current_cart()
    summary = summarise(cart, utcnow())
    rules = shop_settings().checkout
    if not summary.rows:
        flash(EmptyCart.message, "info")
        return redirect(url_for("cart.view"), 303)
    if summary.short_rows:  # the cart page marks the line and offers to remove it or take what is left
        flash(line_unavailable(summary.short_rows[0], current_locale()).message, "error")
        return redirect(url_for("cart.view"), 303)
    form = _prefilled_form(summary.needs_delivery)
    if form.validate_on_submit():
        buyer = BuyerDetails(**{name: form[name].data or "" for name in
                                ("email", "full_name", "phone", "delivery_method", "city", "address",
                                 "apartment", "entrance", "floor", "intercom", "comment", "payment_method")},
                             locale=current_locale(), client_ip=request.remote_addr or "",
                             accepts_terms=form.accept_terms.data,
                             learners=learners_from(request.form, summary.rows))
        try:
            order, url = checkout(cart, buyer, user=current_user_or_none(), gateway=gateway_for(buyer.payment_method),
                                  now=utcnow(), rules=rules, gateways=gateway_for)
        except LineUnavailable as error:
            flash(error.message, "error")
            return redirect(url_for("cart.view"), 303)
        except ShopError as error:
            show_error(error, form)
        else:
            session["orders"] = [*session.get("orders", [])[-9:], order.public_id]
            return redirect(url or url_for("payments.success", order=order.public_id), 303)
    totals, promo = checkout_totals(cart, summary, rules, utcnow())
    return render_template("checkout/checkout.html", form=form, summary=summary, totals=totals, promo=promo,
                           delivery=delivery_options(rules, current_locale()),
                           methods=method_choices(enabled_methods())), 400 if form.errors else 200

