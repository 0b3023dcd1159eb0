"""Course pages: the list and one course with its cohorts."""
from flask import abort, render_template

from ..clock import utcnow
from . import bp
from .services import active_courses, cohorts_of, course_by_slug, group_by_course


@bp.get("/")
def index():
    courses = active_courses()
    cohorts = group_by_course(cohorts_of([course.id for course in courses], utcnow()))
    return render_template("courses/index.html", courses=courses, cohorts=cohorts)


@bp.get("/<slug>")
def course(slug: str):
    found = course_by_slug(slug) or abort(404)
    return render_template("courses/course.html", course=found, cohorts=cohorts_of([found.id], utcnow()))
