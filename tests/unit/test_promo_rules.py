"""The arithmetic of a promo code: what it takes off, from which lines, and never more than they cost."""
from datetime import UTC, datetime, timedelta

import pytest

from shop.promo.rules import Item, Terms, discount, is_current, share_of_units, split

KIT = Item(500000, product_id=1, category_id=10)
OTHER_KIT = Item(300000, product_id=2, category_id=20)
SEAT = Item(1990000, cohort_id=7)
KIT_WITH_COURSE = Item(900000, product_id=3, category_id=10, cohort_id=8)


def test_a_percentage_of_the_whole_order_is_split_over_its_lines_in_proportion():
    found = discount(Terms("percent", percent=10), [KIT, OTHER_KIT])
    assert found.lines_minor == (50000, 30000)
    assert found.delivery_minor == 0


def test_a_fixed_amount_never_takes_the_order_below_zero():
    found = discount(Terms("fixed", amount_minor=10_000_000), [KIT, OTHER_KIT])
    assert found.total_minor == 800000
    assert found.lines_minor == (500000, 300000)


def test_the_delivery_fee_is_left_alone_unless_the_code_says_so():
    assert discount(Terms("fixed", amount_minor=10_000_000), [KIT], 150000).total_minor == 500000
    found = discount(Terms("fixed", amount_minor=10_000_000, includes_delivery=True), [KIT], 150000)
    assert (found.lines_minor, found.delivery_minor) == ((500000,), 150000)


def test_a_code_for_chosen_products_or_categories_discounts_only_them():
    terms = Terms("percent", percent=50, scope="items", product_ids=frozenset({2}), category_ids=frozenset({10}))
    found = discount(terms, [KIT, OTHER_KIT, SEAT])
    assert found.lines_minor == (250000, 150000, 0)


def test_a_code_for_course_seats_leaves_kits_alone_even_those_with_a_course():
    found = discount(Terms("percent", percent=20, scope="courses"), [KIT, SEAT, KIT_WITH_COURSE])
    assert found.lines_minor == (0, 398000, 0)


def test_below_the_minimum_order_the_code_takes_nothing():
    terms = Terms("fixed", amount_minor=100000, min_order_minor=800001)
    assert discount(terms, [KIT, OTHER_KIT]).total_minor == 0
    assert discount(Terms("fixed", amount_minor=100000, min_order_minor=800000), [KIT, OTHER_KIT]).total_minor == 100000


def test_a_code_counts_from_its_start_and_stops_at_its_end():
    start = datetime(2026, 3, 1, tzinfo=UTC)
    terms = Terms("percent", percent=5, valid_from=start, valid_until=start + timedelta(days=7))
    assert not is_current(terms, start - timedelta(seconds=1))
    assert is_current(terms, start)
    assert not is_current(terms, start + timedelta(days=7))


@pytest.mark.parametrize("amount,weights", [(100, [1, 1, 1]), (7, [3, 5]), (999, [10, 20, 30, 40]), (0, [5])])
def test_a_split_adds_up_to_the_tiyn(amount, weights):
    shares = split(amount, weights)
    assert sum(shares) == amount
    assert all(share <= amount for share in shares)


def test_refunding_a_discounted_line_unit_by_unit_gives_back_exactly_its_discount():
    shares = [share_of_units(1000, 3, done, 1) for done in range(3)]
    assert sum(shares) == 1000
    assert share_of_units(1000, 3, 0, 3) == 1000
