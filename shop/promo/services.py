"""Promo codes in the shop: a cart's code, the discount it gives now, and an order's redemption of it.

A code's uses are taken by one conditional UPDATE in the transaction that places the order and takes its
holds (``uses < max_uses``), so buyers racing for the last uses get exactly as many as are left; a use is
given back when the unpaid order is cancelled, with its holds, and taken again if its payment arrives after all
(the buyer was charged the discounted total, so the order keeps its discount and the code counts the use).
"""
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from ..cart.services import CartSummary, find_cart
from ..database import unit_of_work
from ..errors import ShopError
from ..extensions import db
from ..models import Cart, PromoCode, PromoRedemption, User
from ..models.promo import SCOPES
from ..money import format_money
from .rules import Discount, Item, Terms, discount, is_current

_CODE = re.compile(r"\A[A-Z0-9][A-Z0-9_-]{1,39}\Z")


class PromoError(ShopError):
    field = "code"


class UnknownCode(PromoError):
    message = _l("There is no such promo code. Check the spelling.")


class CodeNotCurrent(PromoError):
    message = _l("This promo code is not valid now.")


class CodeUsedUp(PromoError):
    message = _l("This promo code has been used up.")


class CodeUsedByYou(PromoError):
    message = _l("You have already used this promo code as many times as it allows.")


class OrderTooSmall(PromoError):
    def __init__(self, least: int = 0):
        super().__init__(_l("This promo code needs an order of at least %(amount)s.", amount=format_money(least)),
                         least=least)


class NothingToDiscount(PromoError):
    message = _l("This promo code does not apply to anything in your cart.")


class CodeTaken(PromoError):
    message = _l("Another promo code already has this name.")


class LimitBelowUses(ShopError):
    field = "max_uses"
    message = _l("The limit cannot be below the uses already taken.")


def normalise_code(raw) -> str:
    """Return a code as stored (upper-case, no spaces around); "" for none."""
    return str(raw or "").strip().upper()[:60]


def terms_of(code: PromoCode) -> Terms:
    """Return the parts of a code that decide its discount."""
    return Terms(kind=code.kind, percent=code.percent, amount_minor=code.amount_minor, scope=code.scope,
                 includes_delivery=code.includes_delivery, min_order_minor=code.min_order_minor,
                 valid_from=code.valid_from, valid_until=code.valid_until,
                 product_ids=frozenset(p.id for p in code.products),
                 category_ids=frozenset(c.id for c in code.categories))


def items_of(summary: CartSummary) -> list[Item]:
    """Return the cart's rows as the discount sees them."""
    return [Item(row.total_minor, row.line.product_id, row.line.product.category_id if row.line.product else None,
                 row.line.cohort_id) for row in summary.rows]


@dataclass(frozen=True)
class Quote:
    """A cart's code and what it takes off now; ``problem`` says why it takes nothing."""

    code: PromoCode
    discount: Discount
    problem: ShopError | None = None

    @property
    def discount_minor(self) -> int:
        return 0 if self.problem else self.discount.total_minor


def _refusal(code: PromoCode, terms: Terms, summary: CartSummary, found: Discount, now: datetime) -> ShopError | None:
    if not code.is_active or not is_current(terms, now):
        return CodeNotCurrent()
    if code.max_uses is not None and code.uses >= code.max_uses:
        return CodeUsedUp()
    if summary.subtotal_minor < code.min_order_minor:
        return OrderTooSmall(code.min_order_minor)
    if found.total_minor <= 0:
        return NothingToDiscount()
    return None


def quote(cart: Cart | None, summary: CartSummary, now: datetime, *, delivery_fee_minor: int = 0) -> Quote | None:
    """Return the cart's code and its discount on the cart as priced now, or None when it has no code."""
    if cart is None or cart.promo_code_id is None:
        return None
    code = db.session.get(PromoCode, cart.promo_code_id)
    if code is None:
        return None
    terms = terms_of(code)
    found = discount(terms, items_of(summary), delivery_fee_minor)
    problem = _refusal(code, terms, summary, found, now)
    return Quote(code, found if problem is None else Discount((0,) * len(summary.rows)), problem)


def _live_uses_by(code_id: int, email: str, user_id: int | None) -> int:
    same = [PromoRedemption.email == email]
    if user_id is not None:
        same.append(PromoRedemption.user_id == user_id)
    return db.session.scalar(select(func.count(PromoRedemption.id)).where(
        PromoRedemption.promo_code_id == code_id, PromoRedemption.released_at.is_(None), or_(*same)))


def set_cart_code(raw, *, token: str | None, user: User | None, now: datetime) -> PromoCode | None:
    """Put a code on the visitor's cart (an empty one removes it); refuse one that cannot be used now."""
    text = normalise_code(raw)
    with unit_of_work():
        cart = find_cart(token=token, user=user)
        if cart is None:
            if text:
                raise NothingToDiscount()
            return None
        if not text:
            cart.promo_code_id = None
            return None
        code = db.session.scalar(select(PromoCode).where(PromoCode.code == text)) if _CODE.match(text) else None
        if code is None:
            raise UnknownCode()
        if not code.is_active or not is_current(terms_of(code), now):
            raise CodeNotCurrent()
        if code.max_uses is not None and code.uses >= code.max_uses:
            raise CodeUsedUp()
        if user is not None and code.max_uses_per_customer is not None \
                and _live_uses_by(code.id, user.email, user.id) >= code.max_uses_per_customer:
            raise CodeUsedByYou()
        cart.promo_code_id = code.id
        cart.updated_at = now
    return code


def redeem(code: PromoCode, *, order_id: int, email: str, user_id: int | None, discount_minor: int,
           now: datetime) -> PromoRedemption:
    """Take one use of the code for an order, or raise CodeUsedUp / CodeUsedByYou (only flushes).

    One conditional UPDATE takes the use; on PostgreSQL it also makes racing buyers of the same code wait
    for each other, so the per-customer count that follows sees the others' redemptions.
    """
    taken = db.session.execute(
        update(PromoCode)
        .where(PromoCode.id == code.id, PromoCode.is_active.is_(True),
               or_(PromoCode.max_uses.is_(None), PromoCode.uses < PromoCode.max_uses))
        .values(uses=PromoCode.uses + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise CodeUsedUp()
    if code.max_uses_per_customer is not None \
            and _live_uses_by(code.id, email, user_id) >= code.max_uses_per_customer:
        raise CodeUsedByYou()
    redemption = PromoRedemption(promo_code_id=code.id, order_id=order_id, email=email, user_id=user_id,
                                 discount_minor=discount_minor, created_at=now)
    db.session.add(redemption)
    db.session.flush()
    return redemption


def release_redemption(order_id: int, *, now: datetime) -> bool:
    """Give back the use an unpaid order took of its code (only flushes); return True if there was one."""
    redemption = db.session.scalar(select(PromoRedemption).where(PromoRedemption.order_id == order_id,
                                                                 PromoRedemption.released_at.is_(None)))
    if redemption is None:
        return False
    db.session.execute(update(PromoCode).where(PromoCode.id == redemption.promo_code_id, PromoCode.uses > 0)
                       .values(uses=PromoCode.uses - 1).execution_options(synchronize_session=False))
    redemption.released_at = now
    db.session.flush()
    return True


def retake_redemption(order_id: int) -> str:
    """Take again the use a cancelled order gave back, now that its late payment is honoured (only flushes).

    The money was taken with the discount, so the use is taken whatever the code's state; when the code was
    used up meanwhile (or this buyer used it up), the use is counted beyond the limit and the returned text says
    so for staff (empty when nothing is wrong).
    """
    redemption = db.session.scalar(select(PromoRedemption).where(PromoRedemption.order_id == order_id,
                                                                 PromoRedemption.released_at.is_not(None)))
    if redemption is None:
        return ""
    code = db.session.get(PromoCode, redemption.promo_code_id)
    taken = db.session.execute(
        update(PromoCode).where(PromoCode.id == code.id,
                                or_(PromoCode.max_uses.is_(None), PromoCode.uses < PromoCode.max_uses))
        .values(uses=PromoCode.uses + 1).execution_options(synchronize_session=False)).rowcount
    problems = []
    if taken != 1:
        db.session.execute(update(PromoCode).where(PromoCode.id == code.id).values(uses=PromoCode.uses + 1)
                           .execution_options(synchronize_session=False))
        redemption.is_over_limit = True
        problems.append(f"Promo code {code.code} was used up ({code.max_uses} uses) before this late payment "
                        "arrived: the discount was kept and the use counted beyond the limit.")
    elif code.max_uses_per_customer is not None \
            and _live_uses_by(code.id, redemption.email, redemption.user_id) >= code.max_uses_per_customer:
        problems.append(f"{redemption.email} had already used promo code {code.code} as often as it allows before "
                        "this late payment arrived: the discount was kept.")
    redemption.released_at = None
    db.session.flush()
    db.session.refresh(code)
    return " ".join(problems)


def known_scopes() -> tuple[str, ...]:
    return SCOPES
