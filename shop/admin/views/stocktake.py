"""Stock as a file: the CSV export, and a stock-take uploaded, previewed, then applied in one step."""
from flask import Response, abort, current_app, redirect, render_template, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ...clock import utcnow
from ...errors import ShopError
from ..forms import StocktakeApplyForm, StocktakeForm
from ..stockfile import MAX_FILE_BYTES, stock_csv
from ..stocktake import apply_stocktake, default_note, preview_stocktake, stocktake_token
from .common import actor_id, bp, show_error


@bp.get("/products/stock.csv")
def stock_export():
    now = utcnow()
    return Response(stock_csv(now), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="stock-{now:%Y-%m-%d}.csv"', "Cache-Control": "no-store"})


@bp.route("/products/stocktake", methods=["GET", "POST"])
def stocktake():
    """Upload a stock-take file; a valid upload answers with its preview, which changes nothing."""
    form = StocktakeForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            preview = preview_stocktake(form.file.data.stream.read(MAX_FILE_BYTES + 1), now)
        except ShopError as error:
            show_error(error, form)
        else:
            note = (form.note.data or "").strip() or default_note(now)
            token = stocktake_token(preview, actor_id=actor_id(), note=note)
            return render_template("admin/stocktake_preview.html", preview=preview, note=note,
                                   apply_form=StocktakeApplyForm(formdata=None, token=token))
    return render_template("admin/stocktake.html", form=form), 400 if form.errors else 200


@bp.post("/products/stocktake/apply")
def stocktake_apply():
    form = StocktakeApplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = apply_stocktake(form.token.data, actor_id=actor_id(), now=utcnow())
    except ShopError as error:
        show_error(error)
        return redirect(url_for("admin.stocktake"), 303)
    return render_template("admin/stocktake_done.html", result=result)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    """A staff upload over the request limit gets a page that says so, not a generic "bad request"."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return render_template("admin/too_large.html", limit=limit), 413
