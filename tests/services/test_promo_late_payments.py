"""A payment that lands after its order expired is honoured with its discount, so it takes the code's use again;
when the code was used up meanwhile the order is flagged for staff, and only then may uses exceed the limit."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shop.clock import utcnow
from shop.extensions import db
from shop.integrity import check_integrity
from shop.models import Order, Payment, PromoCode, PromoRedemption
from shop.orders.expiry import expire_orders
from shop.orders.paying import mark_paid
from tests.factories import make_product
from tests.views.helpers import add, check_out


def make_code(code="SPRING", **fields) -> PromoCode:
    promo = PromoCode(code=code, **{"kind": "percent", "percent": 10, **fields})
    db.session.add(promo)
    db.session.commit()
    return promo


def _checked_out_with_code(app, email="buyer@example.kz") -> Order:
    client = app.test_client()
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "SPRING"})
    response = check_out(client, email=email, delivery_method="pickup", city="", address="")
    assert response.status_code == 303, response.data[:500]
    return db.session.scalar(select(Order).where(Order.email == email).order_by(Order.id.desc()).limit(1))


def _expire_and_pay_late(order: Order) -> Order:
    later = utcnow() + timedelta(minutes=45)
    expire_orders(later)
    assert db.session.get(Order, order.id).payment_status == "cancelled"
    reference = db.session.scalar(select(Payment.reference).where(Payment.order_id == order.id))
    return mark_paid(order.public_id, provider="dummy", reference=reference, amount_minor=order.total_minor,
                     now=later + timedelta(minutes=1))


def _pay(order: Order) -> Order:
    reference = db.session.scalar(select(Payment.reference).where(Payment.order_id == order.id))
    return mark_paid(order.public_id, provider="dummy", reference=reference, amount_minor=order.total_minor,
                     now=utcnow())


def _uses() -> int:
    db.session.expire_all()
    return db.session.scalar(select(PromoCode.uses))


def test_a_late_payment_after_expiry_takes_the_codes_use_again(app):
    make_code(max_uses=3)
    order = _checked_out_with_code(app)
    assert _uses() == 1
    paid = _expire_and_pay_late(order)
    assert paid.payment_status == "paid" and paid.discount_minor == 50000
    assert _uses() == 1
    assert db.session.scalar(select(PromoRedemption.released_at)) is None
    assert db.session.get(Order, order.id).needs_attention == ""


def test_a_late_payment_for_a_code_used_up_meanwhile_is_honoured_and_flagged_for_staff(app):
    make_code(max_uses=1)
    order = _checked_out_with_code(app)
    expire_orders(utcnow() + timedelta(minutes=45))
    other = _checked_out_with_code(app, email="other@example.kz")
    assert other.discount_minor > 0 and _uses() == 1
    _pay(other)
    paid = _expire_and_pay_late(order)
    assert paid.payment_status == "paid"
    assert _uses() == 2
    flagged = db.session.get(Order, order.id).needs_attention
    assert "SPRING" in flagged and "used up" in flagged
    redemption = db.session.scalar(select(PromoRedemption).where(PromoRedemption.order_id == order.id))
    assert redemption.released_at is None and redemption.is_over_limit


@pytest.mark.breaks_integrity
def test_the_checker_finds_a_paid_order_whose_code_use_was_given_back(app):
    make_code(max_uses=3)
    order = _checked_out_with_code(app)
    _pay(order)
    assert check_integrity() == []
    # What a late payment did before the fix: the order paid with its discount, its use given back.
    db.session.execute(update(PromoRedemption).values(released_at=utcnow()))
    db.session.execute(update(PromoCode).values(uses=0))
    db.session.commit()
    problems = check_integrity()
    assert any(f"order {order.public_id}" in problem and "SPRING" in problem for problem in problems), problems


@pytest.mark.breaks_integrity
def test_the_checker_finds_a_cancelled_order_still_holding_a_use(app):
    make_code(max_uses=3)
    order = _checked_out_with_code(app)
    expire_orders(utcnow() + timedelta(minutes=45))
    db.session.execute(update(PromoRedemption).values(released_at=None))
    db.session.execute(update(PromoCode).values(uses=1))
    db.session.commit()
    problems = check_integrity()
    assert any(f"order {order.public_id}" in problem and "cancelled" in problem for problem in problems), problems


@pytest.mark.breaks_integrity
def test_the_checker_allows_uses_beyond_the_limit_only_for_flagged_late_payments(app):
    make_code(max_uses=1)
    first = _checked_out_with_code(app)
    _pay(first)
    db.session.execute(update(PromoCode).values(max_uses=0))  # staff cannot do this; the checker must see it
    db.session.commit()
    assert any("promo code SPRING" in problem for problem in check_integrity())
    db.session.execute(update(PromoRedemption).values(is_over_limit=True))
    db.session.commit()
    assert not any("promo code SPRING" in problem for problem in check_integrity())


def test_a_late_payment_past_the_buyers_own_limit_is_honoured_and_flagged(app):
    make_code(max_uses_per_customer=1)
    order = _checked_out_with_code(app)
    expire_orders(utcnow() + timedelta(minutes=45))
    _pay(_checked_out_with_code(app))  # the same buyer uses the code again meanwhile
    paid = _expire_and_pay_late(order)
    assert paid.payment_status == "paid" and _uses() == 2
    assert "buyer@example.kz had already used promo code SPRING" in db.session.get(Order, order.id).needs_attention
