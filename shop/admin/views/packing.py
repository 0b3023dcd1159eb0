"""Packing slips: one order's, the printable batch of every order waiting to be packed, and packing that batch."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from ...clock import utcnow
from ...errors import NotFound
from ...forms import ConfirmForm
from ...inputs import whole_number
from ..packing import mark_packed, orders_to_pack, packing_slip
from .common import actor_id, bp, confirmed


@bp.get("/orders/<int:order_id>/slip")
def packing_slip_page(order_id: int):
    try:
        slip = packing_slip(order_id)
    except NotFound:
        abort(404)
    return render_template("admin/slips.html", slips=[slip], batch=False)


@bp.get("/packing/")
def packing_batch():
    """Every order waiting to be packed, one slip per printed page, with the button that packs this batch."""
    return render_template("admin/slips.html", slips=orders_to_pack(), batch=True,
                           confirm=ConfirmForm(formdata=None))


@bp.post("/packing/")
def packing_done():
    """Mark the printed batch packed: only the orders the page listed, and only with its confirm=1."""
    if not (confirmed() and ConfirmForm().validate_on_submit()):
        return redirect(url_for("admin.packing_batch"), 303)
    ids = [number for number in map(whole_number, request.form.getlist("order")[:1000]) if number is not None]
    packed, skipped = mark_packed(ids, actor_id=actor_id(), now=utcnow())
    flash(ngettext("%(num)d order marked packed; the buyer is e-mailed.",
                   "%(num)d orders marked packed; each buyer is e-mailed.", packed), "success")
    if skipped:
        flash(ngettext("%(num)d order had moved on meanwhile and was left as it is.",
                       "%(num)d orders had moved on meanwhile and were left as they are.", skipped), "error")
    return redirect(url_for("admin.orders", status="packed" if packed else None), 303)
