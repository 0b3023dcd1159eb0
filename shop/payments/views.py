"""Providers' notifications (Stripe, TipTop Pay), the return pages from payment, the Kaspi invoice page and
the dummy provider's TEST MODE page."""
import logging

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..clock import utcnow
from ..errors import PaymentFailed, ShopError, show_error
from ..extensions import csrf, db, limiter
from ..models import Hold, Order, Payment
from ..orders.cancelling import cancel_unpaid
from ..orders.paying import mark_paid
from ..orders.placing import change_kaspi_phone
from .forms import KaspiPhoneForm
from .providers import enabled_methods, gateway_for
from .reconcile import settle_from_provider
from .stripe_gateway import InvalidWebhook, MalformedEvent, parse_webhook
from .tiptoppay_notifications import KINDS, MalformedNotification, answer, parse, verify
from .tiptoppay_webhooks import handle_notification
from .webhooks import handle_stripe_event

bp = Blueprint("payments", __name__)

logger = logging.getLogger("shop.webhooks")
ASKABLE = ("stripe", "tiptoppay")  # providers the return page asks, rather than waiting for their notification


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    try:
        event = parse_webhook(request.get_data(), request.headers.get("Stripe-Signature"),
                              current_app.config["STRIPE_WEBHOOK_SECRET"])
        handle_stripe_event(event, now=utcnow())
    except MalformedEvent as error:
        logger.warning("malformed Stripe event refused: %s", error)
        return jsonify(error="malformed event"), 400
    except InvalidWebhook:
        return jsonify(error="invalid signature"), 400
    return jsonify(received=True)


@bp.post("/webhooks/tiptoppay/<kind>")
@csrf.exempt
def tiptoppay_notification(kind: str):
    if kind not in KINDS:
        abort(404)
    body = request.get_data(cache=True)  # the signature covers the raw bytes: read them before any parsing
    if not verify(body, request.headers, current_app.config["TIPTOPPAY_API_SECRET"]):
        logger.warning("TipTop Pay %s notification with a bad or missing signature refused", kind)
        return jsonify(error="invalid signature"), 400
    try:
        note = parse(kind, body, request.content_type or "")
    except MalformedNotification as error:
        logger.warning("malformed TipTop Pay %s notification refused: %s", kind, error)
        return jsonify(error="malformed notification"), 400
    return jsonify(answer(handle_notification(note, now=utcnow())))


def _latest_payment(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc()).limit(1))


@bp.get("/checkout/success")
def success():
    """Where a provider's page sends the buyer back: it trusts no query string and asks the provider itself."""
    order = db.session.scalar(select(Order).where(Order.public_id == request.args.get("order", "")[:32]))
    if order is None or order.public_id not in session.get("orders", []):
        abort(404)
    payment = _latest_payment(order)
    if order.payment_status == "pending_payment" and payment is not None and payment.provider in ASKABLE:
        try:
            settle_from_provider(payment.reference, order.public_id, gateway_for(payment.provider), now=utcnow())
        except PaymentFailed:
            pass  # the notification, or release-expired asking again, settles it; the order page says "pending"
    session.pop("cart_count", None)
    return redirect(url_for("orders.detail", public_id=order.public_id), 303)


@bp.get("/checkout/cancelled")
def cancelled():
    flash(_("Payment was not completed. Your cart is kept; you can check out again."), "info")
    return redirect(url_for("cart.view"), 303)


def _payment_of(provider: str, reference: str) -> tuple[Payment, Order]:
    if provider not in enabled_methods():
        abort(404)
    payment = db.session.scalar(select(Payment).where(Payment.provider == provider,
                                                      Payment.reference == reference[:255]))
    if payment is None:
        abort(404)
    return payment, db.session.get(Order, payment.order_id)


def _dummy_payment(reference: str) -> tuple[Payment, Order]:
    return _payment_of("dummy", reference)


@bp.route("/pay/kaspi/<reference>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def kaspi_page(reference: str):
    """What happens next with a Kaspi invoice; the buyer may correct the number their Kaspi app uses."""
    payment, order = _payment_of("kaspi", reference)
    if order.public_id not in session.get("orders", []):
        abort(404)
    form = KaspiPhoneForm(phone=order.phone)
    if form.validate_on_submit():
        try:
            change_kaspi_phone(order.id, form.phone.data, now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Thank you: the invoice goes to %(phone)s.", phone=form.phone.data), "success")
            return redirect(url_for("payments.kaspi_page", reference=reference), 303)
    expires_at = db.session.scalar(select(func.min(Hold.expires_at)).where(Hold.order_id == order.id))
    return render_template("payments/kaspi.html", payment=payment, order=order, form=form, expires_at=expires_at), \
        400 if form.errors else 200


@bp.get("/pay/test/<reference>")
def dummy_page(reference: str):
    payment, order = _dummy_payment(reference)
    return render_template("payments/dummy.html", payment=payment, order=order)


@bp.post("/pay/test/<reference>")
def dummy_decide(reference: str):
    payment, order = _dummy_payment(reference)
    if payment.status != "pending" or order.payment_status != "pending_payment":
        flash(_("This payment page is closed."), "error")
        return redirect(url_for("orders.detail", public_id=order.public_id), 303)
    if request.form.get("outcome") == "pay":
        mark_paid(order.public_id, provider="dummy", reference=reference, amount_minor=payment.amount_minor,
                     now=utcnow(), event_id=f"dummy:{reference}:paid")
        return redirect(url_for("payments.success", order=order.public_id), 303)
    cancel_unpaid(order.public_id, provider="dummy", reference=reference, now=utcnow(),
                  event_id=f"dummy:{reference}:failed", event_type="payment_failed", note="Test payment failed")
    flash(_("The test payment failed. Your cart is kept; you can check out again."), "error")
    return redirect(url_for("cart.view"), 303)
