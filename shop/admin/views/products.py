"""Products: the list with its low-stock filter, editing, pictures, and the stock ledger with its three movements."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...catalog.back_in_stock import waiting_counts
from ...clock import utcnow
from ...errors import NotFound, ShopError
from ...extensions import db
from ...forms import ConfirmForm
from ...inputs import whole_number
from ...media.storage import media_storage
from ...models import ProductImage
from ...templating import tr
from ..catalog import ProductFilter, all_categories, all_courses, kits_sold_alone, product_list, save_product
from ..forms import CountForm, ImageForm, ProductForm, ReceiveForm, WriteOffForm, choices, form_values
from ..images import add_product_image, make_main_image, remove_product_image
from ..paging import clean_page
from ..stock import ledger, live_holds, receive_delivery, record_count, stock_level, write_off_units
from .common import actor_id, bp, confirmed, show_error

STOCK_FORMS = {"receive": ReceiveForm, "write_off": WriteOffForm, "count": CountForm}


def _product_form(**kwargs) -> ProductForm:
    form = ProductForm(**kwargs)
    form.category_id.choices = choices({category.id: tr(category, "name") for category in all_categories()})
    courses = {course.id: tr(course, "title") for course in all_courses()}
    form.course_id.choices = choices({0: _("— no course —"), **courses})
    kits = {product.id: tr(product, "name") for product in kits_sold_alone()}
    form.kit_alone_id.choices = choices({0: _("— none —"), **kits})
    return form


def _product_page(product_id: int, status: int = 200, **forms):
    now = utcnow()
    try:
        level = stock_level(product_id, now)
    except NotFound:
        abort(404)
    for name, form_class in STOCK_FORMS.items():
        forms.setdefault(name, form_class(formdata=None, prefix=name))
    forms.setdefault("image_form", ImageForm(formdata=None, prefix="image"))
    forms.setdefault("form", _product_form(formdata=None, obj=level.product))
    return render_template("admin/product.html", level=level, product=level.product, ledger=ledger(product_id),
                           holds=live_holds(product_id, now), confirm=ConfirmForm(formdata=None),
                           waiting=waiting_counts([product_id])[product_id], **forms), status


@bp.get("/products/")
def products():
    args = request.args
    category = args.get("category", "")
    filters = ProductFilter(query=args.get("q", "")[:100], category_id=whole_number(category),
                            low_only=args.get("low") == "1")
    page = product_list(filters, clean_page(args.get("page")), utcnow())
    waiting = waiting_counts([product.id for product, _available in page.items])
    return render_template("admin/products.html", page=page, filters=filters, categories=all_categories(),
                           waiting=waiting)


@bp.route("/products/new", methods=["GET", "POST"])
def product_new():
    form = _product_form()
    if form.validate_on_submit():
        try:
            product = save_product(None, form_values(form), actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Product created. Receive its first delivery below."), "success")
            return redirect(url_for("admin.product", product_id=product.id), 303)
    return render_template("admin/product_new.html", form=form), 400 if form.errors else 200


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
def product(product_id: int):
    if request.method == "GET":
        return _product_page(product_id)
    form = _product_form()
    if form.validate_on_submit():
        try:
            save_product(product_id, form_values(form), actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Product saved."), "success")
            return redirect(url_for("admin.product", product_id=product_id), 303)
    return _product_page(product_id, 400, form=form)


def _stock_action(product_id: int, name: str, run):
    form = STOCK_FORMS[name](prefix=name)
    if form.validate_on_submit():
        try:
            movement = run(form)
        except ShopError as error:
            show_error(error, form, "counted" if name == "count" else "quantity")
        else:
            flash(_("Stock changed by %(delta)+d; %(level)d on hand now.", delta=movement.delta,
                    level=movement.level_after), "success")
            return redirect(url_for("admin.product", product_id=product_id, _anchor="stock"), 303)
    return _product_page(product_id, 400, **{name: form})


@bp.post("/products/<int:product_id>/receive")
def receive(product_id: int):
    return _stock_action(product_id, "receive", lambda form: receive_delivery(
        product_id, form.quantity.data, note=form.note.data, actor_id=actor_id(), now=utcnow()))


@bp.post("/products/<int:product_id>/write-off")
def write_off(product_id: int):
    """Units leave the shelf only from the confirmation step, which says how many and what stays on hand."""
    form = WriteOffForm(prefix="write_off")
    if form.validate_on_submit() and not confirmed():
        try:
            level = stock_level(product_id, utcnow())
        except NotFound:
            abort(404)
        return render_template("admin/confirm.html", kind="write_off", level=level, form=form,
                               action=url_for("admin.write_off", product_id=product_id),
                               back=url_for("admin.product", product_id=product_id, _anchor="stock"))
    return _stock_action(product_id, "write_off", lambda form: write_off_units(
        product_id, form.quantity.data, reason=form.reason.data, actor_id=actor_id(), now=utcnow()))


@bp.post("/products/<int:product_id>/count")
def count(product_id: int):
    return _stock_action(product_id, "count", lambda form: record_count(
        product_id, form.counted.data, note=form.note.data or "", actor_id=actor_id(), now=utcnow()))


@bp.post("/products/<int:product_id>/images")
def image_upload(product_id: int):
    form = ImageForm(prefix="image")
    if form.validate_on_submit():
        try:
            add_product_image(product_id, form.image.data.stream, storage=media_storage(),
                              actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(_("Picture added."), "success")
            return redirect(url_for("admin.product", product_id=product_id, _anchor="pictures"), 303)
    return _product_page(product_id, 400, image_form=form)


@bp.route("/images/<int:image_id>/delete", methods=["GET", "POST"])
def image_delete(image_id: int):
    """GET (or a post without its confirmation) shows the picture that goes; confirm=1 removes it."""
    if not confirmed():
        image = db.session.get(ProductImage, image_id) or abort(404)
        return render_template("admin/confirm.html", kind="image_delete", image=image,
                               action=url_for("admin.image_delete", image_id=image_id),
                               back=url_for("admin.product", product_id=image.product_id, _anchor="pictures"))
    return _image_action(lambda: remove_product_image(image_id, storage=media_storage(),
                                                      actor_id=actor_id(), now=utcnow()), _("Picture removed."))


@bp.post("/images/<int:image_id>/main")
def image_main(image_id: int):
    return _image_action(lambda: make_main_image(image_id, actor_id=actor_id(), now=utcnow()),
                         _("This picture now comes first."))


def _image_action(run, done: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        product_id = run()
    except NotFound:
        abort(404)
    flash(done, "success")
    return redirect(url_for("admin.product", product_id=product_id, _anchor="pictures"), 303)
