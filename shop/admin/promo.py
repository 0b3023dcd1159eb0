"""Promo codes in the staff area: the list and saving one (the rules of a discount are `shop.promo`)."""
from datetime import UTC, datetime

from sqlalchemy import func, select

from ..audit import record
from ..database import unit_of_work
from ..errors import NotFound
from ..extensions import db
from ..models import Category, Product, PromoCode
from ..promo.services import CodeTaken, LimitBelowUses, normalise_code

FIELDS = ("code", "kind", "percent", "amount_minor", "scope", "includes_delivery", "valid_from", "valid_until",
          "min_order_minor", "max_uses", "max_uses_per_customer", "is_active")


def all_promo_codes() -> list[PromoCode]:
    """Return every code, the newest first."""
    return list(db.session.scalars(select(PromoCode).order_by(PromoCode.created_at.desc(), PromoCode.id.desc())))


def promo_choices(locale: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Return the products and categories a code can be limited to, as (id, name in ``locale``) pairs, by name."""
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    return (sorted(((p.id, p.tr("name", locale)) for p in products), key=lambda pair: (pair[1].lower(), pair[0])),
            [(c.id, c.tr("name", locale)) for c in categories])


def _clean(values: dict) -> dict:
    clean = {name: values.get(name) for name in FIELDS}
    clean["code"] = normalise_code(values["code"])
    clean["percent"] = values.get("percent") or 0 if values["kind"] == "percent" else 0
    clean["amount_minor"] = values.get("amount_minor") or 0 if values["kind"] == "fixed" else 0
    clean["min_order_minor"] = values.get("min_order_minor") or 0
    for name in ("valid_from", "valid_until"):
        clean[name] = values[name].astimezone(UTC) if values.get(name) else None
    return clean


def save_promo_code(code_id: int | None, values: dict, *, actor_id: int | None, now: datetime) -> PromoCode:
    """Create or change a promo code; refuse a code name taken or a limit below the uses already taken."""
    clean = _clean(values)
    with unit_of_work():
        code = PromoCode(uses=0, created_at=now) if code_id is None else db.session.get(PromoCode, code_id)
        if code is None:
            raise NotFound()
        taken = db.session.scalar(select(func.count(PromoCode.id)).where(PromoCode.code == clean["code"],
                                                                         PromoCode.id != (code_id or 0)))
        if taken:
            raise CodeTaken()
        if code_id is not None:
            # Lock the row: a checkout taking a use meanwhile must not slip under a lowered limit.
            uses = db.session.scalar(select(PromoCode.uses).where(PromoCode.id == code_id).with_for_update())
            if clean["max_uses"] is not None and clean["max_uses"] < uses:
                raise LimitBelowUses()
        for name, value in clean.items():
            setattr(code, name, value)
        wanted = values.get("product_ids") or [] if clean["scope"] == "items" else []
        code.products = list(db.session.scalars(select(Product).where(Product.id.in_(wanted))))
        wanted = values.get("category_ids") or [] if clean["scope"] == "items" else []
        code.categories = list(db.session.scalars(select(Category).where(Category.id.in_(wanted))))
        db.session.add(code)
        db.session.flush()
        record(actor_id, "promo_code.create" if code_id is None else "promo_code.update", f"promo_code:{code.id}",
               now=now, **{name: value for name, value in clean.items()})
    return code
