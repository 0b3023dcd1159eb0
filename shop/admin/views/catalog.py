"""Categories and courses: plain lists with a create-or-edit form each."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...clock import utcnow
from ...errors import ShopError
from ...extensions import db
from ...models import Category, Course
from ..catalog import all_categories, all_courses, save_category, save_course
from ..forms import TOPIC_LABELS, CategoryForm, CourseForm, form_values
from .common import actor_id, bp, show_error


def _edit(model, form_class, save, object_id: int | None, *, template: str, done: str, back: str):
    obj = None
    if object_id is not None:
        obj = db.session.get(model, object_id) or abort(404)
    form = form_class(obj=obj)
    if form.validate_on_submit():
        try:
            save(object_id, form_values(form), actor_id=actor_id(), now=utcnow())
        except ShopError as error:
            show_error(error, form)
        else:
            flash(done, "success")
            return redirect(url_for(back), 303)
    return render_template(template, form=form, obj=obj), 400 if form.errors else 200


@bp.get("/categories/")
def categories():
    return render_template("admin/categories.html", categories=all_categories())


@bp.route("/categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category(category_id: int | None):
    return _edit(Category, CategoryForm, save_category, category_id, template="admin/category.html",
                 done=_("Category saved."), back="admin.categories")


@bp.get("/courses/")
def courses():
    return render_template("admin/courses.html", courses=all_courses(), topics=TOPIC_LABELS)


@bp.route("/courses/new", methods=["GET", "POST"], defaults={"course_id": None})
@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
def course(course_id: int | None):
    return _edit(Course, CourseForm, save_course, course_id, template="admin/course.html",
                 done=_("Course saved."), back="admin.courses")
