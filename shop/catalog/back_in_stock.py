"""Back in stock: a sold-out kit's "tell me when it's back", confirmed by e-mail, and the one e-mail when it is.

A visitor leaves an address on the product page; the address confirms by the signed link e-mailed to it, so
nobody can sign up addresses that are not theirs, and the answer on the page is the same whether or not the
address already waited. When staff receive stock, each confirmed subscriber gets exactly one e-mail in their
own language with a signed unsubscribe link, queued in the receiving transaction (`notify_back_in_stock`
only flushes). `subscribe`, `confirm_notice` and `leave_notice` are units of work.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.services import normalise_email
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..inventory.services import availability
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Product, StockNotice
from ..models.common import LOCALES
from ..tokens import BadToken, sign, unsign

ACTIVE = ("unconfirmed", "waiting")


class InvalidNoticeLink(ShopError):
    message = _l("This link is not valid.")


def confirm_token(notice: StockNotice) -> str:
    return sign("stock_notice_confirm", notice.id)


def leave_token(notice: StockNotice) -> str:
    return sign("stock_notice_leave", notice.id)


def _leave_link(notice: StockNotice) -> str:
    return external_url("catalog.notice_leave_page", locale=notice.locale, token=leave_token(notice))


def _notice(token: str | None, purpose: str) -> StockNotice:
    try:
        notice_id = unsign(purpose, token)
    except BadToken:
        raise InvalidNoticeLink() from None
    notice = db.session.get(StockNotice, notice_id) if isinstance(notice_id, int) else None
    if notice is None:
        raise InvalidNoticeLink()
    return notice


def subscribe(slug: str, email: str, *, locale: str, now: datetime) -> None:
    """Ask to be told when the product is back; e-mail the address a confirmation link (once per request).

    An address already waiting changes nothing and is told nothing new; the caller answers the same either
    way, so the page never reveals who subscribed. Raises NotFound for a product not on sale.
    """
    address = normalise_email(email or "")
    with unit_of_work():
        product = db.session.scalar(select(Product).where(Product.slug == slug, Product.is_active.is_(True)))
        if product is None:
            raise NotFound()
        notice = db.session.scalar(select(StockNotice).where(StockNotice.product_id == product.id,
                                                             StockNotice.email == address))
        if notice is not None and notice.status in ACTIVE:
            return
        if notice is None:
            notice = StockNotice(product_id=product.id, email=address, created_at=now)
            try:
                with db.session.begin_nested():
                    db.session.add(notice)
            except IntegrityError:  # the same address asked at this very moment: that request e-mails it
                return
        notice.status, notice.confirmed_at, notice.notified_at = "unconfirmed", None, None
        notice.locale = locale if locale in LOCALES else "ru"
        notice.created_at = now
        db.session.flush()
        queue_email(address, "stock_notice_confirm", locale=notice.locale,
                    dedupe_key=f"stock-notice-confirm:{notice.id}:{now.isoformat()}", product=product,
                    confirm_link=external_url("catalog.notice_confirm", locale=notice.locale,
                                              token=confirm_token(notice)),
                    leave_link=_leave_link(notice))


def confirm_notice(token: str, *, now: datetime) -> StockNotice:
    """Put a subscription in line once its address answered the e-mail (again: nothing changes)."""
    with unit_of_work():
        notice = _notice(token, "stock_notice_confirm")
        if notice.status == "unconfirmed":
            notice.status, notice.confirmed_at = "waiting", now
    return notice


def notice_for_leaving(token: str) -> StockNotice:
    """Return the subscription an unsubscribe link names; raise InvalidNoticeLink."""
    return _notice(token, "stock_notice_leave")


def leave_notice(token: str) -> StockNotice:
    """Unsubscribe: the address gets no e-mail about this product any more."""
    with unit_of_work():
        notice = _notice(token, "stock_notice_leave")
        if notice.status in ACTIVE:
            notice.status = "left"
    return notice


def notify_back_in_stock(product_id: int, *, now: datetime) -> int:
    """Queue one e-mail to each confirmed subscriber of a product that can be bought again; only flushes.

    Called in the transaction that received the stock, after the ledger's UPDATE locked the product row,
    so two deliveries at once notify each subscriber once: the conditional UPDATE on the status takes each
    subscription exactly once. Returns how many were told.
    """
    if availability([product_id], now).get(product_id, 0) <= 0:
        return 0
    product = db.session.get(Product, product_id)
    if product is None or not product.is_active:
        return 0
    waiting = db.session.scalars(select(StockNotice).where(
        StockNotice.product_id == product_id, StockNotice.status == "waiting").order_by(StockNotice.id)).all()
    told = 0
    for notice in waiting:
        taken = db.session.execute(
            update(StockNotice).where(StockNotice.id == notice.id, StockNotice.status == "waiting")
            .values(status="notified", notified_at=now).execution_options(synchronize_session=False)).rowcount
        if not taken:
            continue
        leave_link = _leave_link(notice)
        queue_email(notice.email, "back_in_stock", locale=notice.locale, unsubscribe_url=leave_link,
                    dedupe_key=f"back-in-stock:{notice.id}:{notice.confirmed_at.isoformat()}",
                    product=product, link=external_url("catalog.product", locale=notice.locale, slug=product.slug),
                    leave_link=leave_link)
        told += 1
    return told


def waiting_counts(product_ids: list[int]) -> dict[int, int]:
    """Return, per product, how many confirmed subscribers wait for it to be back (0 for none)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(StockNotice.product_id, func.count()).where(
        StockNotice.product_id.in_(ids), StockNotice.status == "waiting").group_by(StockNotice.product_id))
    counts = dict(rows.all())
    return {product_id: counts.get(product_id, 0) for product_id in ids}
