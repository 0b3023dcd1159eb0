"""Every order gets a seven-digit number of its own, even when checkouts race for the same one."""
import threading
from dataclasses import replace

from sqlalchemy import select

from shop.cart.services import add_to_cart
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Cart, Order
from shop.orders import numbers
from shop.orders.numbers import parse_order_number
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_product
from tests.races import run_at_once

BUYER = BuyerDetails(email="racer@example.kz", full_name="Racer", phone="+77012345678", delivery_method="pickup",
                     accepts_terms=True)
BUYERS = 8
CONTESTED = 1234567


def _carts(count: int, now) -> list[int]:
    product = make_product(stock=count)
    return [add_to_cart(token=None, user=None, product_slug=product.slug, cohort_ref=None, quantity="1",
                        now=now).id for _ in range(count)]


def test_an_order_gets_a_seven_digit_number(app, now):
    cart = db.session.get(Cart, _carts(1, now)[0])
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert 1_000_000 <= order.number <= 9_999_999


def test_checkouts_racing_for_one_number_each_get_their_own(app, now, monkeypatch):
    """Every buyer's first draw is the same number: one order keeps it, the others draw again."""
    cart_ids = _carts(BUYERS, now)
    db.session.remove()
    drawn, draws = threading.local(), []
    real = numbers.new_order_number

    def first_the_contested_one() -> int:
        draws.append(1)
        if getattr(drawn, "once", False):
            return real()
        drawn.once = True
        return CONTESTED

    monkeypatch.setattr(numbers, "new_order_number", first_the_contested_one)

    def buy(index):
        cart = db.session.get(Cart, cart_ids[index])
        order, _ = place_order(cart, replace(BUYER, email=f"racer{index}@example.kz"), user=None, now=utcnow(),
                               hold_minutes=30)
        return order.number

    results = run_at_once(app, buy, BUYERS)
    assert all(isinstance(result, int) for result in results), results
    stored = list(db.session.scalars(select(Order.number)))
    assert len(stored) == BUYERS and len(set(stored)) == BUYERS
    assert CONTESTED in stored
    assert len(draws) >= 2 * BUYERS - 1  # every buyer but one was refused the contested number and drew again


def test_a_typed_order_number_is_read_with_spaces_and_a_number_sign():
    assert parse_order_number("№ 123 45 67") == 1234567
    assert parse_order_number("#1234567") == 1234567
    assert parse_order_number("12345") is None
    assert parse_order_number("abc1234567") is None
