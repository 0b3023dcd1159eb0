import pytest

from shop.cart.services import parse_quantity
from shop.errors import InvalidQuantity
from shop.security import is_safe_next


@pytest.mark.parametrize("raw", ["0", "-3", "1.5", "abc", "", " ", "10" + "0" * 12, "1e3", "٣", None, "+1"])
def test_anything_but_a_whole_number_from_1_is_refused(raw):
    with pytest.raises(InvalidQuantity):
        parse_quantity(raw)


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), (" 7 ", 7), ("999", 999)])
def test_whole_numbers_are_accepted(raw, expected):
    assert parse_quantity(raw) == expected


def test_zero_is_allowed_where_it_means_remove():
    assert parse_quantity("0", allow_zero=True) == 0


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
                                    "", None])
def test_next_redirects_outside_the_shop_are_refused(target):
    assert not is_safe_next(target)


def test_next_redirects_inside_the_shop_are_allowed():
    assert is_safe_next("/admin/?tab=orders")
