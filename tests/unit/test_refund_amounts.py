"""A line refund's amount follows from the units given back, discounts shared out without losing a tiyn."""
from types import SimpleNamespace

from shop.models import OrderLine
from shop.orders.refund_lines import units_value


def test_units_without_a_discount_are_worth_their_price():
    line = SimpleNamespace(unit_price_minor=790000, quantity=3, discount_minor=0)
    assert units_value(line, 1) == 790000 and units_value(line, 2, already=1) == 1580000


def test_a_discount_is_shared_over_the_units_and_refunding_all_gives_back_exactly_what_was_paid():
    line = SimpleNamespace(unit_price_minor=1000, quantity=3, discount_minor=100)
    assert OrderLine(unit_price_minor=1000, quantity=3, discount_minor=100).paid_minor == 2900
    first = units_value(line, 1)
    second = units_value(line, 1, already=1)
    third = units_value(line, 1, already=2)
    assert first == 967 and first + second + third == 2900  # 33 of the 100 off on the first unit
    assert units_value(line, 3) == 2900


def test_the_first_unit_refunded_of_a_line_carries_the_odd_tiyn_of_its_discount():
    line = SimpleNamespace(unit_price_minor=1000, quantity=3, discount_minor=200)
    assert [units_value(line, 1), units_value(line, 1, already=1), units_value(line, 1, already=2)] == [934, 933, 933]


def test_the_refund_arithmetic_has_one_paid_amount_of_a_line_the_models():
    import shop.orders.refund_lines as refund_lines

    assert not hasattr(refund_lines, "line_paid_minor")  # folded into OrderLine.paid_minor
