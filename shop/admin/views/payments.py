"""Payments in the staff area: the queue of Kaspi invoices to confirm, and what has no fiscal receipt yet."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...clock import utcnow
from ...errors import NotFound, ShopError
from ...extensions import db
from ...forms import ConfirmForm
from ...models import Order, Refund
from ...orders.receipts import without_receipts
from ...payments.kaspi import awaiting_kaspi, cancel_kaspi_order, confirm_kaspi_payment
from ...payments.providers import gateway_for
from ...payments.receipting import request_return_receipt
from ..forms import KaspiPaidForm
from .common import actor_id, bp, show_error


def _kaspi_page(status: int = 200, paid: KaspiPaidForm | None = None, paid_order: int | None = None):
    waiting = awaiting_kaspi()
    forms = {item.order.id: paid if paid is not None and item.order.id == paid_order else KaspiPaidForm(formdata=None)
             for item in waiting}
    return render_template("admin/kaspi.html", waiting=waiting, forms=forms, cancel=ConfirmForm(), now=utcnow()), status


@bp.get("/payments/kaspi")
def kaspi_queue():
    return _kaspi_page()


@bp.post("/orders/<int:order_id>/kaspi-paid")
def kaspi_paid(order_id: int):
    form = KaspiPaidForm()
    if form.validate_on_submit():
        try:
            confirm_kaspi_payment(order_id, form.transaction.data, actor_id=actor_id(), now=utcnow())
        except NotFound:
            abort(404)
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Payment recorded; the order is paid and the buyer is e-mailed."), "success")
            return redirect(url_for("admin.kaspi_queue"), 303)
    return _kaspi_page(400, form, order_id)


@bp.post("/orders/<int:order_id>/kaspi-cancel")
def kaspi_cancel(order_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            cancel_kaspi_order(order_id, actor_id=actor_id(), now=utcnow())
        except NotFound:
            abort(404)
        except ShopError as error:
            show_error(error)
        else:
            flash(_("Order cancelled; its kits and seats are on sale again."), "success")
    return redirect(url_for("admin.kaspi_queue"), 303)


@bp.get("/payments/receipts")
def receipts():
    return render_template("admin/receipts.html", missing=without_receipts(), again=ConfirmForm())


@bp.post("/refunds/<int:refund_id>/receipt")
def refund_receipt(refund_id: int):
    refund = db.session.get(Refund, refund_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        provider = db.session.get(Order, refund.order_id).payment_provider
        if request_return_receipt(refund.id, gateway_for(provider), now=utcnow()):
            flash(_("The return receipt is asked for; it appears here when the cash register issues it."), "success")
        else:
            flash(_("The cash register could not be reached, or this method issues no receipts; try again later."),
                  "error")
    return redirect(url_for("admin.receipts"), 303)
