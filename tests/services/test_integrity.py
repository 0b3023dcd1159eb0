"""The integrity checker finds each kind of broken invariant, and passes on a healthy shop."""
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from shop.extensions import db
from shop.integrity import check_integrity
from shop.models import Enrolment, Hold, Order, Payment, Product, Refund
from tests.factories import make_cohort, make_product
from tests.views.helpers import add, pay_dummy

pytestmark = pytest.mark.breaks_integrity


def _paid_order(client, product=None, cohort=None):
    add(client, product, cohort=cohort)
    pay_dummy(client)
    return db.session.query(Order).order_by(Order.id.desc()).first()


def _problems(words: str) -> list[str]:
    return [problem for problem in check_integrity() if words in problem]


def test_a_healthy_shop_passes_and_the_command_exits_0(client, runner):
    _paid_order(client, make_product(stock=3))
    result = runner.invoke(args=["shop", "check-integrity"])
    assert result.exit_code == 0 and "All invariants hold" in result.output


def test_stock_changed_behind_the_ledger_is_found_and_the_command_exits_1(app, runner):
    product = make_product(stock=3)
    db.session.execute(update(Product).where(Product.id == product.id).values(on_hand=9))
    db.session.commit()
    assert _problems("ledger sums to 3")
    result = runner.invoke(args=["shop", "check-integrity"])
    assert result.exit_code == 1 and product.slug in result.output


def test_holds_beyond_stock_are_found(app, now):
    product = make_product(stock=1)
    db.session.add(Hold(product_id=product.id, quantity=2, expires_at=now + timedelta(minutes=5)))
    db.session.commit()
    assert _problems("2 held but only 1 on hand")


def test_enrolments_beyond_capacity_are_found(app):
    cohort = make_cohort(capacity=1)
    db.session.add_all([Enrolment(cohort_id=cohort.id, email=f"{n}@x.kz") for n in range(2)])
    db.session.commit()
    assert _problems("2 enrolled and 0 held for 1 seats")


def test_a_paid_line_without_its_sale_is_found(client):
    order = _paid_order(client, make_product(stock=3))
    db.session.execute(text("DELETE FROM stock_movement WHERE kind = 'sold'"))
    db.session.execute(update(Product).values(on_hand=3))
    db.session.commit()
    assert _problems("is paid but sold 0 times") and order.public_id in _problems("sold 0 times")[0]


def test_a_hold_left_on_a_paid_order_is_found(client, now):
    order = _paid_order(client, make_product(stock=3))
    db.session.add(Hold(product_id=order.lines[0].product_id, quantity=1, order_id=order.id,
                        expires_at=now + timedelta(minutes=5)))
    db.session.commit()
    assert _problems("hold(s) left on a paid order")


def test_refunds_above_payments_are_found(client):
    order = _paid_order(client, make_product(stock=3))
    db.session.add(Refund(order_id=order.id, amount_minor=order.total_minor + 1))
    db.session.commit()
    assert _problems("refunded")


def test_a_paid_order_paid_twice_is_found(client):
    order = _paid_order(client, make_product(stock=3))
    db.session.add(Payment(order_id=order.id, provider="dummy", reference="dummy_twice", amount_minor=1, status="paid"))
    db.session.commit()
    assert _problems("with 2 paid payments")


def test_a_paid_seat_without_its_enrolment_is_found(client):
    order = _paid_order(client, cohort=make_cohort(capacity=3))
    db.session.execute(text("DELETE FROM enrolment"))
    db.session.commit()
    assert _problems("bought 1 seat(s) but has 0 enrolment(s)")
