"""The Stripe webhook, the return pages from payment, and the dummy provider's TEST MODE page."""
import logging

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import utcnow
from ..errors import PaymentFailed
from ..extensions import csrf, db
from ..models import Order, Payment
from ..orders.cancelling import cancel_unpaid
from ..orders.paying import mark_paid
from .reconcile import settle_from_provider
from .stripe_gateway import InvalidWebhook, MalformedEvent, parse_webhook
from .webhooks import handle_stripe_event

bp = Blueprint("payments", __name__)

logger = logging.getLogger("shop.webhooks")


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


def _latest_payment(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc()).limit(1))


@bp.get("/checkout/success")
def success():
    order = db.session.scalar(select(Order).where(Order.public_id == request.args.get("order", "")[:32]))
    if order is None or order.public_id not in session.get("orders", []):
        abort(404)
    payment = _latest_payment(order)
    if order.status == "pending_payment" and payment is not None and payment.provider == "stripe":
        try:
            settle_from_provider(payment.reference, order.public_id, now=utcnow())
        except PaymentFailed:
            pass  # the webhook, or release-expired asking again, settles it; the order page says "pending"
    session.pop("cart_count", None)
    return redirect(url_for("orders.detail", public_id=order.public_id), 303)


@bp.get("/checkout/cancelled")
def cancelled():
    flash(_("Payment was not completed. Your cart is kept; you can check out again."), "info")
    return redirect(url_for("cart.view"), 303)


def _dummy_payment(reference: str) -> tuple[Payment, Order]:
    if current_app.config["PAYMENT_PROVIDER"] != "dummy":
        abort(404)
    payment = db.session.scalar(select(Payment).where(Payment.provider == "dummy",
                                                      Payment.reference == reference[:255]))
    if payment is None:
        abort(404)
    return payment, db.session.get(Order, payment.order_id)


@bp.get("/pay/test/<reference>")
def dummy_page(reference: str):
    payment, order = _dummy_payment(reference)
    return render_template("payments/dummy.html", payment=payment, order=order)


@bp.post("/pay/test/<reference>")
def dummy_decide(reference: str):
    payment, order = _dummy_payment(reference)
    if payment.status != "pending" or order.status != "pending_payment":
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
