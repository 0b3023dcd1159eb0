"""Promo codes: the list with their uses, and a create-or-edit form."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...clock import ALMATY, utcnow
from ...errors import ShopError
from ...extensions import db
from ...i18n import current_locale
from ...models import PromoCode
from ..forms import form_values
from ..promo import all_promo_codes, promo_choices, save_promo_code
from ..promo_forms import PromoCodeForm
from .common import actor_id, bp, show_error


@bp.get("/promo-codes/")
def promo_codes():
    return render_template("admin/promo_codes.html", codes=all_promo_codes(), now=utcnow())


@bp.route("/promo-codes/new", methods=["GET", "POST"], defaults={"code_id": None})
@bp.route("/promo-codes/<int:code_id>", methods=["GET", "POST"])
def promo_code(code_id: int | None):
    code = db.session.get(PromoCode, code_id) or abort(404) if code_id is not None else None
    form = PromoCodeForm(obj=code)
    form.product_ids.choices, form.category_ids.choices = promo_choices(current_locale())
    if code is not None and not form.is_submitted():
        form.product_ids.data = [p.id for p in code.products]
        form.category_ids.data = [c.id for c in code.categories]
        for name in ("valid_from", "valid_until"):
            form[name].data = form[name].data.astimezone(ALMATY) if form[name].data else None
    if form.validate_on_submit():
        try:
            save_promo_code(code_id, form_values(form), actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Promo code saved."), "success")
            return redirect(url_for("admin.promo_codes"), 303)
    return render_template("admin/promo_code.html", form=form, code=code), 400 if form.errors else 200
