"""The shop's details and the information pages: edited by staff, every page save kept as a version."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...clock import utcnow
from ...errors import NotFound, ShopError
from ...inputs import whole_number
from ...pages.services import PAGE_TITLES
from ..content import info_pages, page_version, page_versions, save_page, save_shop_details, shop_details_row
from ..forms import InfoPageForm, ShopDetailsForm, form_values
from .common import actor_id, bp, show_error


@bp.route("/shop-details", methods=["GET", "POST"])
def shop_details():
    form = ShopDetailsForm(obj=shop_details_row())
    if form.validate_on_submit():
        save_shop_details(form_values(form), actor_id=actor_id(), now=utcnow())
        flash(_("Shop details saved. Every page and e-mail shows them from now on."), "success")
        return redirect(url_for("admin.shop_details"), 303)
    return render_template("admin/shop_details.html", form=form), 400 if form.errors else 200


@bp.get("/pages/")
def info_pages_list():
    return render_template("admin/info_pages.html", rows=info_pages(), titles=PAGE_TITLES)


@bp.route("/pages/<slug>", methods=["GET", "POST"])
def info_page(slug: str):
    try:
        versions = page_versions(slug)
        start = _starting_text(slug, versions)
    except NotFound:
        abort(404)
    form = InfoPageForm(obj=start, base_version=versions[0].number if versions else 0)
    if form.validate_on_submit():
        values = form_values(form)
        try:
            saved = save_page(slug, values, base_version=values.pop("base_version"), actor_id=actor_id(),
                              now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Saved as version %(number)d.", number=saved.number) if saved else
                  _("Nothing changed, so no new version was saved."), "success" if saved else "info")
            return redirect(url_for("admin.info_page", slug=slug), 303)
    return render_template("admin/info_page.html", form=form, slug=slug, title=PAGE_TITLES[slug], versions=versions,
                           start=start), 400 if form.errors else 200


def _starting_text(slug: str, versions: list):
    """Return the version the form starts from: the latest, or an earlier one chosen to be restored (``?from=``)."""
    chosen = whole_number(request.args.get("from", ""))
    if chosen is None or not versions or chosen == versions[0].number:
        return versions[0] if versions else None
    return page_version(slug, chosen)


@bp.get("/pages/<slug>/versions/<int:number>")
def info_page_version(slug: str, number: int):
    try:
        version = page_version(slug, number)
    except NotFound:
        abort(404)
    return render_template("admin/info_page_version.html", version=version, slug=slug, title=PAGE_TITLES[slug])
