"""The farm's own details as every footer, the contacts page and every e-mail show them.

A storefront page must not pay a query for its footer. A page rendered to be kept by the page cache
(``shop.pagecache``) carries the generation read before any of its queries; each process keeps one copy
of the details with the generation it was read under, and uses it while a page is rendered under that same
generation. The ``shop_details`` table is one the storefront reads (it is not among ``UNSEEN_TABLES``), so
any change to the details bumps the generation and the next page reads them again. The copy is read after
the generation was, so it is never older than the number it is kept under.

Any other page, and every e-mail, reads the details in its own transaction (one small query): no second
connection is ever taken, which under SQLite's single writer could wait on a writer that waits on it.
"""
import re
from collections.abc import Mapping

from flask import current_app, has_request_context, request
from sqlalchemy import select

from ..extensions import db
from ..models.common import Translated
from ..models.content import DETAIL_FIELDS, SHOP_DETAILS_ID, ShopDetails
from ..pagecache import kept_generation

_KEPT = "shop_details"  # in app.extensions: (generation, Details)
_THIS_REQUEST = "shop.details"  # in the WSGI environ: the copy this request already used


class Details(Translated):
    """A read-only copy of the shop's details; every field is "" until staff enter it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = {name: values.get(name) or "" for name in DETAIL_FIELDS}

    def __getattr__(self, name: str) -> str:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def is_set(self) -> bool:
        return any(self._values.values())

    @property
    def phone_href(self) -> str:
        """Return the phone as a ``tel:`` link (digits and a leading plus only)."""
        digits = re.sub(r"[^0-9+]", "", self._values["phone"])
        return f"tel:{digits}" if digits else ""


def _read() -> Details:
    row = db.session.scalar(select(ShopDetails).where(ShopDetails.id == SHOP_DETAILS_ID))
    return Details({name: getattr(row, name) for name in DETAIL_FIELDS} if row is not None else {})


def shop_details() -> Details:
    """Return the shop's details; a page rendered for the page cache reads them only after they changed."""
    if has_request_context() and _THIS_REQUEST in request.environ:
        return request.environ[_THIS_REQUEST]
    generation = kept_generation()
    kept = current_app.extensions.get(_KEPT)
    if generation is not None and kept is not None and kept[0] == generation:
        details = kept[1]
    else:
        details = _read()
        if generation is not None:
            current_app.extensions[_KEPT] = (generation, details)
    if has_request_context():
        request.environ[_THIS_REQUEST] = details
    return details
