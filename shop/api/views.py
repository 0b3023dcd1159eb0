"""Read-only public JSON, and the health check."""
from flask import Blueprint, jsonify, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..catalog.services import active_products
from ..clock import utcnow
from ..courses.services import all_cohorts
from ..extensions import db
from ..i18n import current_locale
from ..models import Product

bp = Blueprint("api", __name__)


@bp.get("/api/products")
def products():
    rows = db.session.execute(active_products(utcnow()).order_by(Product.id)).all()
    locale = current_locale()
    return jsonify([
        {
            "slug": product.slug,
            "name": product.tr("name", locale),
            "category": product.category.slug,
            "price": product.price_minor,
            "currency": "KZT",
            "available": max(available, 0),
            "url": url_for("catalog.product", slug=product.slug, _external=True),
            "includes_course": product.course.slug if product.course else None,
        }
        for product, available in rows
    ])


@bp.get("/api/cohorts")
def cohorts():
    return jsonify([
        {
            "id": info.cohort.id,
            "course": info.cohort.course.slug,
            "starts_at": info.cohort.starts_at.isoformat(),
            "capacity": info.cohort.capacity,
            "seats_left": info.seats_left,
            "status": info.status,
            "price": info.cohort.price_minor,
            "currency": "KZT",
            "language": info.cohort.language,
            "format": info.cohort.format,
        }
        for info in all_cohorts(utcnow())
    ])


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
