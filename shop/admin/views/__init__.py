"""The staff area's pages; every route is behind the blueprint-wide staff check in `common`."""
# each module registers its routes
from . import catalog, cohorts, content, dashboard, orders, payments, people, products, promo, search  # noqa: F401
from .common import bp

__all__ = ["bp"]
