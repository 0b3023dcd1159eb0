"""Orders: the filtered list, one order's page, its next status, and refunds."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...clock import utcnow
from ...errors import NotFound, ShopError
from ...orders.fulfilment import advance_fulfilment, next_moves
from ...orders.receipts import receipts_of
from ...orders.refunds import RefundRequest, plan_refund
from ...payments.providers import gateway_for
from ...payments.receipting import refund_with_receipt
from ..forms import (
    NoteForm,
    OrderFilterForm,
    RefundForm,
    StatusForm,
    refund_form,
    refunded_units_choice,
    restock_choice,
)
from ..notes import add_order_note, order_notes
from ..orders import OrderFilter, order_list, order_story
from ..paging import clean_page
from .common import actor_id, bp, show_error


@bp.get("/orders/")
def orders():
    form = OrderFilterForm(request.args)
    data = form.data if form.validate() else {}
    filters = OrderFilter(status=data.get("status") or "", delivery_method=data.get("delivery_method") or "",
                          date_from=data.get("date_from"), date_to=data.get("date_to"), query=data.get("q") or "")
    page = order_list(filters, clean_page(request.args.get("page")))
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("admin/orders.html", form=form, page=page, args=args)


def _order_page(order_id: int, status: int = 200, *, refund: RefundForm | None = None,
                move: StatusForm | None = None, note: NoteForm | None = None):
    try:
        story = order_story(order_id)
    except NotFound:
        abort(404)
    moves = next_moves(story.order)
    forms = {to: move if move is not None and move.to_status.data == to else StatusForm(formdata=None, to_status=to)
             for to in moves}
    if refund is None:
        refund = refund_form(story.order, formdata=None)
    return render_template("admin/order.html", story=story, order=story.order, moves=forms, refund=refund,
                           receipts=receipts_of(story.order.id), notes=order_notes(order_id),
                           note_form=note or NoteForm(formdata=None)), status


@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    return _order_page(order_id)


@bp.post("/orders/<int:order_id>/notes")
def order_note(order_id: int):
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_order_note(order_id, form.body.data, actor_id=actor_id(), now=utcnow())
        except NotFound:
            abort(404)
        flash(_("Note kept."), "success")
        return redirect(url_for("admin.order", order_id=order_id, _anchor="notes"), 303)
    return _order_page(order_id, 400, note=form)


@bp.post("/orders/<int:order_id>/status")
def order_status(order_id: int):
    form = StatusForm()
    if form.validate_on_submit():
        try:
            advance_fulfilment(order_id, form.to_status.data, tracking_number=form.tracking_number.data or "",
                          note=form.note.data or "", actor_id=actor_id(), now=utcnow())
        except NotFound:
            abort(404)
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Order moved on; the buyer is e-mailed."), "success")
            return redirect(url_for("admin.order", order_id=order_id), 303)
    return _order_page(order_id, 400, move=form)


def _refund_request(order_id: int, form: RefundForm) -> RefundRequest:
    by_line = form.basis.data != "amount"  # a free amount is its own explicit choice, never mixed with lines
    return RefundRequest(order_id, None if by_line else form.amount_minor.data, form.reason.data,
                         restock_choice(form), cancel_seats=form.cancel_seats.data, key=form.request_key.data or "",
                         lines=refunded_units_choice(form) if by_line else {},
                         delivery=by_line and form.refund_delivery.data,
                         provider_reference=form.provider_reference.data or "")


@bp.post("/orders/<int:order_id>/refund")
def order_refund(order_id: int):
    """First post: the confirmation step saying what will happen; the refund is made only with ``confirm=1``."""
    try:
        order = order_story(order_id).order
    except NotFound:
        abort(404)
    form, gateway = refund_form(order), gateway_for(order.payment_provider)
    if form.validate_on_submit():
        try:
            if not form.confirmed:
                plan = plan_refund(_refund_request(order_id, form), gateway=gateway)
                return render_template("admin/refund_confirm.html", order=order, plan=plan, form=form)
            refund_with_receipt(_refund_request(order_id, form), gateway, actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Refund made; the buyer is e-mailed."), "success")
            return redirect(url_for("admin.order", order_id=order_id), 303)
    return _order_page(order_id, 400, refund=form)
