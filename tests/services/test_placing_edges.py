"""Placing an order at its caps: exactly the cap is taken, one more is refused with the cap named
(found by `make mutation`)."""
import pytest

from shop.orders.placing import HoldLimitReached, OrderTooLarge, TooManyItems, place_order
from shop.settings import CheckoutRules
from tests.factories import make_product
from tests.services.test_money_and_stock import _buyer, _cart_with


def test_an_order_of_exactly_the_unit_cap_is_taken_and_one_more_names_the_cap(app, now):
    product = make_product(stock=50)
    rules = CheckoutRules(max_order_units=4)
    order, _ = place_order(_cart_with(product, 4), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)
    assert order.lines[0].quantity == 4
    with pytest.raises(TooManyItems) as refused:
        place_order(_cart_with(product, 5), _buyer(email="other@example.kz"), user=None, now=now, hold_minutes=30,
                    rules=rules)
    assert refused.value.details == {"most": 4}
    assert "не больше 4 наборов и мест" in str(refused.value.message)  # the shop speaks Russian by default


def test_an_order_of_exactly_the_largest_total_is_taken(app, now):
    product = make_product(stock=50, price=100000)
    rules = CheckoutRules(max_order_total_minor=300000)
    place_order(_cart_with(product, 3), _buyer(delivery_method="pickup", city="", address=""), user=None, now=now,
                hold_minutes=30, rules=rules)
    with pytest.raises(OrderTooLarge):
        place_order(_cart_with(product, 4), _buyer(email="b@example.kz"), user=None, now=now, hold_minutes=30,
                    rules=rules)


def test_a_buyer_may_hold_exactly_the_unit_cap_across_orders(app, now):
    product = make_product(stock=50)
    rules = CheckoutRules(max_held_units=5)
    place_order(_cart_with(product, 3), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)
    place_order(_cart_with(product, 2), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)
    with pytest.raises(HoldLimitReached):
        place_order(_cart_with(product, 1), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)


def test_the_cap_counts_the_email_whatever_its_case(app, now):
    product = make_product(stock=50)
    rules = CheckoutRules(max_unpaid_orders=1)
    place_order(_cart_with(product), _buyer(email="dana@example.kz"), user=None, now=now, hold_minutes=30,
                rules=rules)
    with pytest.raises(HoldLimitReached):
        place_order(_cart_with(product), _buyer(email=" Dana@Example.kz "), user=None, now=now, hold_minutes=30,
                    rules=rules)
