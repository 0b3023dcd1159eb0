"""The cart's rules at their edges: a changed quantity is checked like an added one, and the price of each
kind of line comes from the right row (found by `make mutation`)."""
from datetime import timedelta

import pytest

from shop.cart.services import (
    MAX_LINE_QUANTITY,
    MAX_SEATS_PER_LINE,
    add_to_cart,
    find_cart,
    parse_quantity,
    summarise,
    update_line,
)
from shop.errors import CohortFull, InvalidQuantity, NotFound, OutOfStock
from shop.extensions import db
from tests.factories import make_cohort, make_product, make_user


def _add(now, token=None, user=None, product=None, cohort=None, quantity="1"):
    return add_to_cart(token=token, user=user, product_slug=product, cohort_ref=cohort, quantity=quantity, now=now)


def test_changing_a_kit_line_to_more_than_is_in_stock_is_refused_and_to_exactly_the_stock_is_taken(app, now):
    product = make_product(stock=4)
    cart = _add(now, product=product.slug)
    line_id = str(cart.lines[0].id)
    with pytest.raises(OutOfStock):
        update_line(cart, line_id, "5", now=now)
    assert cart.lines[0].quantity == 1
    update_line(cart, line_id, "4", now=now + timedelta(seconds=1))
    assert cart.lines[0].quantity == 4
    assert cart.updated_at == now + timedelta(seconds=1)


def test_changing_a_seat_line_to_more_than_the_seats_left_is_refused(app, now):
    cohort = make_cohort(capacity=3)
    cart = _add(now, cohort=str(cohort.id))
    with pytest.raises(CohortFull):
        update_line(cart, str(cart.lines[0].id), "4", now=now)
    update_line(cart, str(cart.lines[0].id), "3", now=now)
    assert cart.lines[0].quantity == 3


@pytest.mark.parametrize("line_ref", ["", None, "abc", str(2**31), "-1"])
def test_a_line_reference_that_is_not_a_line_is_not_found(app, now, line_ref):
    cart = _add(now, product=make_product(stock=4).slug)
    with pytest.raises(NotFound):
        update_line(cart, line_ref, "2", now=now)
    assert cart.lines[0].quantity == 1


def test_without_a_cart_nothing_can_be_updated(app, now):
    with pytest.raises(NotFound):
        update_line(None, "1", "2", now=now)


def test_quantities_run_from_one_to_the_cap_and_zero_only_where_it_removes(app):
    assert parse_quantity("1") == 1 and parse_quantity(" 7 ") == 7
    assert parse_quantity(str(MAX_LINE_QUANTITY)) == MAX_LINE_QUANTITY
    assert parse_quantity("0", allow_zero=True) == 0
    for bad in (str(MAX_LINE_QUANTITY + 1), "0", None, ""):
        with pytest.raises(InvalidQuantity):
            parse_quantity(bad)


def test_an_empty_quantity_adds_one(app, now):
    product = make_product(stock=4)
    cart = _add(now, product=product.slug, quantity="")
    assert cart.lines[0].quantity == 1


def test_a_seat_line_holds_at_most_the_per_line_cap(app, now):
    cohort = make_cohort(capacity=50)
    cart = _add(now, cohort=str(cohort.id), quantity=str(MAX_SEATS_PER_LINE))
    assert cart.lines[0].quantity == MAX_SEATS_PER_LINE
    with pytest.raises(InvalidQuantity):
        _add(now, token=cart.token, cohort=str(cohort.id))


def test_a_cohort_reference_that_is_not_a_cohort_is_not_found(app, now):
    for ref in ("abc", str(2**31), "999999"):
        with pytest.raises(NotFound):
            _add(now, cohort=ref)


def test_a_users_cart_is_found_by_the_user_and_a_visitors_by_its_token_only(app, now):
    user = make_user()
    own = _add(now, user=user, product=make_product(stock=4).slug)
    visitor = _add(now, product=make_product(stock=4).slug)
    assert find_cart(user=user) is own
    assert find_cart(token=visitor.token) is visitor
    assert find_cart(token=own.token) is None  # a user's cart is not opened by a cookie
    assert find_cart() is None and find_cart(token="") is None


def test_a_cart_prices_each_kind_of_line_and_totals_them(app, now):
    kit, seat = make_product(stock=5, price=100000), make_cohort(capacity=5, price=250000)
    cart = _add(now, product=kit.slug, quantity="3")
    _add(now, token=cart.token, cohort=str(seat.id), quantity="2")
    summary = summarise(cart, now)
    assert [(row.unit_price_minor, row.total_minor, row.available) for row in summary.rows] == [
        (100000, 300000, 5), (250000, 500000, 5)]
    assert (summary.subtotal_minor, summary.item_count, summary.needs_delivery, summary.has_shortage) == (
        800000, 5, True, False)


def test_a_cart_of_seats_only_needs_no_delivery_and_an_empty_cart_costs_nothing(app, now):
    cart = _add(now, cohort=str(make_cohort(capacity=5).id))
    assert summarise(cart, now).needs_delivery is False
    empty = summarise(None, now)
    assert (empty.rows, empty.subtotal_minor, empty.item_count) == ([], 0, 0)


def test_a_line_above_what_is_left_is_flagged_short_and_one_at_it_is_not(app, now):
    product = make_product(stock=3)
    cart = _add(now, product=product.slug, quantity="3")
    assert summarise(cart, now).has_shortage is False
    from shop.database import unit_of_work
    from shop.inventory.services import write_off
    with unit_of_work():
        write_off(product, 1, now=now, reason="Broken")
    db.session.expire_all()
    summary = summarise(cart, now)
    assert summary.rows[0].available == 2 and summary.rows[0].is_short and summary.has_shortage


def test_a_line_is_found_by_any_nine_digit_id_and_a_longer_one_is_not_found(app, now):
    from sqlalchemy import update

    from shop.models import CartLine

    cart = _add(now, product=make_product(stock=5).slug)
    db.session.execute(update(CartLine).values(id=999_999_999))
    db.session.commit()
    update_line(cart, "999999999", "3", now=now)
    assert db.session.get(CartLine, 999_999_999).quantity == 3
    for beyond in ("1000000000", str(2**31), "9" * 30):
        with pytest.raises(NotFound):
            update_line(cart, beyond, "2", now=now)
