"""Staff editing of the shop's details and the information pages: each save one unit of work with its audit entry.

A page's text is never changed in place: each save that changes something adds a version with the next
number, and the page shows its latest. Orders and accounts record the numbers of the offer and privacy
texts their consent was given to, so every earlier version is kept for as long as the shop exists.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit import record
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..models import LOCALES, InfoPage, InfoPageVersion, ShopDetails
from ..models.content import DETAIL_FIELDS, PAGE_SLUGS, SHOP_DETAILS_ID
from ..pages.markup import clean_page_text

PAGE_FIELDS = tuple(f"{field}_{lang}" for field in ("title", "body") for lang in LOCALES)


class EditedMeanwhile(ShopError):
    field = "base_version"

    def __init__(self, number: int = 0):
        super().__init__(_l("Someone saved version %(number)d of this page while you were editing. Your text is "
                            "still in the form: compare it with the page's latest version, then save again.",
                            number=number), number=number)


@dataclass(frozen=True)
class PageRow:
    slug: str
    latest: InfoPageVersion | None


def shop_details_row() -> ShopDetails | None:
    """Return the shop's details as stored (None until staff or the demo seed enter them)."""
    return db.session.get(ShopDetails, SHOP_DETAILS_ID)


def save_shop_details(values: dict, *, actor_id: int | None, now: datetime) -> ShopDetails:
    """Change the shop's details (creating their row the first time); the audit entry names what changed."""
    with unit_of_work():
        details = db.session.get(ShopDetails, SHOP_DETAILS_ID)
        if details is None:
            details = ShopDetails(id=SHOP_DETAILS_ID)
            db.session.add(details)
        changes = {}
        for field in DETAIL_FIELDS:
            value = (values.get(field) or "").strip()
            if (getattr(details, field) or "") != value:
                changes[field] = [getattr(details, field) or "", value]
                setattr(details, field, value)
        if changes:
            details.updated_at = now
            record(actor_id, "shop_details.update", "shop_details", now=now, **changes)
    return details


def info_pages() -> list[PageRow]:
    """Return every information page, in the footer's order, with its latest version (None: not written yet)."""
    latest = {version.page.slug: version for version in db.session.scalars(
        select(InfoPageVersion).join(InfoPage).where(InfoPageVersion.number == InfoPage.version)
        .options(joinedload(InfoPageVersion.author), joinedload(InfoPageVersion.page)))}
    return [PageRow(slug, latest.get(slug)) for slug in PAGE_SLUGS]


def page_versions(slug: str) -> list[InfoPageVersion]:
    """Return every saved version of a page, the latest first."""
    _check_slug(slug)
    return list(db.session.scalars(
        select(InfoPageVersion).join(InfoPage).where(InfoPage.slug == slug)
        .options(joinedload(InfoPageVersion.author)).order_by(InfoPageVersion.number.desc())))


def page_version(slug: str, number: int) -> InfoPageVersion:
    """Return one saved version of a page; NotFound when there is no such version."""
    _check_slug(slug)
    version = db.session.scalar(select(InfoPageVersion).join(InfoPage)
                                .where(InfoPage.slug == slug, InfoPageVersion.number == number))
    if version is None:
        raise NotFound()
    return version


def save_page(slug: str, values: dict, *, base_version: int, actor_id: int | None,
              now: datetime) -> InfoPageVersion | None:
    """Save a page's texts as its next version, keeping every earlier one; None when nothing changed.

    The texts are cleaned (only the allowed tags) before they are kept. ``base_version`` is the version the
    editor started from: when someone saved a newer one meanwhile, nothing is saved (EditedMeanwhile), so
    nobody replaces a colleague's text without seeing it. The number is taken by one conditional UPDATE,
    so two saves can never both become the same version.
    """
    _check_slug(slug)
    texts = {field: _cleaned(field, values.get(field)) for field in PAGE_FIELDS}
    with unit_of_work():
        page = _page_row(slug)
        current = page_version(slug, page.version) if page.version else None
        if current is not None and all(getattr(current, field) == texts[field] for field in PAGE_FIELDS):
            return None
        number = db.session.scalar(
            update(InfoPage).where(InfoPage.id == page.id, InfoPage.version == base_version)
            .values(version=InfoPage.version + 1).returning(InfoPage.version))
        if number is None:
            raise EditedMeanwhile(page.version)
        version = InfoPageVersion(page_id=page.id, number=number, author_id=actor_id, created_at=now, **texts)
        db.session.add(version)
        db.session.flush()
        changed = [field for field in PAGE_FIELDS if current is None or getattr(current, field) != texts[field]]
        record(actor_id, "page.update", f"page:{slug}", now=now, version=number, changed=changed)
    return version


def _cleaned(field: str, text: str | None) -> str:
    text = (text or "").strip()
    return clean_page_text(text) if field.startswith("body_") else text


def _check_slug(slug: str) -> None:
    if slug not in PAGE_SLUGS:
        raise NotFound()


def _page_row(slug: str) -> InfoPage:
    """Return the page's row, adding it (at version 0) the first time the page is saved (only flushes)."""
    page = db.session.scalar(select(InfoPage).where(InfoPage.slug == slug))
    if page is not None:
        return page
    try:
        with db.session.begin_nested():
            db.session.add(InfoPage(slug=slug, version=0))
    except IntegrityError:  # a colleague's first save of the same page got in first
        pass
    return db.session.scalar(select(InfoPage).where(InfoPage.slug == slug))
