"""The staff area's pages; every route is behind the blueprint-wide staff check in `common`."""
from . import catalog, cohorts, content, dashboard, orders, payments, people, products, promo  # noqa: F401  (each registers its routes)
from .common import bp

__all__ = ["bp"]
