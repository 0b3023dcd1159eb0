"""The staff area's pages; every route is behind the blueprint-wide staff check in `common`."""
from . import (  # noqa: F401  (each registers its routes)
    catalog,
    cohorts,
    content,
    dashboard,
    orders,
    packing,
    payments,
    people,
    products,
    promo,
    search,
    stocktake,
)
from .common import bp

__all__ = ["bp"]
