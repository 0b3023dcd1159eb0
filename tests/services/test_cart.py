from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.cart.services import NoCohortForKit, add_to_cart, count_items, find_cart, merge_carts, summarise, update_line
from shop.errors import CohortClosed, CohortFull, InvalidQuantity, NotFound, OutOfStock
from shop.extensions import db
from shop.models import CartLine
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_cohort, make_course, make_product, make_user


def _add(now, token=None, user=None, product=None, cohort=None, quantity="1"):
    return add_to_cart(token=token, user=user, product_slug=product, cohort_ref=cohort, quantity=quantity, now=now)


def test_adding_a_kit_creates_a_cart_priced_from_the_database(app, now):
    product = make_product(stock=5, price=790000)
    cart = _add(now, product=product.slug, quantity="2")
    summary = summarise(cart, now)
    assert summary.subtotal_minor == 1580000
    assert [(row.line.product_id, row.line.quantity) for row in summary.rows] == [(product.id, 2)]
    db.session.refresh(cart)
    assert {moment.replace(tzinfo=None) for moment in (cart.created_at, cart.lines[0].created_at)} == {
        now.replace(tzinfo=None)}  # old carts are cleared by their age


def test_adding_the_same_kit_again_adds_to_its_line(app, now):
    product = make_product(stock=5)
    cart = _add(now, product=product.slug)
    _add(now, token=cart.token, product=product.slug, quantity="2")
    assert [line.quantity for line in cart.lines] == [3]


@pytest.mark.parametrize("quantity", ["0", "-3", "1.5", "abc", str(10**12)])
def test_a_bad_quantity_changes_nothing(app, now, quantity):
    product = make_product(stock=5)
    with pytest.raises(InvalidQuantity):
        _add(now, product=product.slug, quantity=quantity)
    assert db.session.scalar(select(CartLine.id)) is None


def test_more_than_available_is_refused(app, now):
    product = make_product(stock=2)
    cart = _add(now, product=product.slug, quantity="2")
    with pytest.raises(OutOfStock):
        _add(now, token=cart.token, product=product.slug)
    assert cart.lines[0].quantity == 2


@pytest.mark.parametrize("slug", ["no-such-kit", "", None])
def test_an_unknown_product_is_not_found(app, now, slug):
    with pytest.raises(NotFound):
        _add(now, product=slug)


def test_an_inactive_product_cannot_be_added(app, now):
    product = make_product(is_active=False)
    with pytest.raises(NotFound):
        _add(now, product=product.slug)


def test_updating_a_line_to_zero_removes_it(app, now):
    product = make_product(stock=5)
    cart = _add(now, product=product.slug)
    update_line(cart, str(cart.lines[0].id), "0", now=now)
    assert summarise(cart, now).rows == []


def test_a_line_of_another_cart_cannot_be_updated(app, now):
    product = make_product(stock=5)
    mine = _add(now, product=product.slug)
    theirs = _add(now, product=product.slug)
    with pytest.raises(NotFound):
        update_line(mine, str(theirs.lines[0].id), "3", now=now)
    assert theirs.lines[0].quantity == 1


def test_a_visitors_cart_joins_the_users_cart_at_login(app, now):
    user = make_user()
    basil, mint = make_product(stock=9), make_product(stock=9)
    _add(now, user=user, product=basil.slug)
    visitor = _add(now, product=basil.slug, quantity="2")
    _add(now, token=visitor.token, product=mint.slug)
    merge_carts(visitor.token, user, now=now)
    cart = find_cart(user=user)
    assert sorted((line.product_id, line.quantity) for line in cart.lines) == [(basil.id, 3), (mint.id, 1)]
    assert find_cart(token=visitor.token) is None


def _merged(user, visitor, now):
    merge_carts(visitor.token, user, now=now)
    return [line.quantity for line in find_cart(user=user).lines]


def test_seats_joined_at_login_stop_at_ten_a_line(app, now):
    user, cohort = make_user(), make_cohort(capacity=50)
    _add(now, user=user, cohort=str(cohort.id), quantity="6")
    assert _merged(user, _add(now, cohort=str(cohort.id), quantity="6"), now) == [10]


def test_seats_joined_at_login_stop_at_the_seats_left(app, now):
    user, cohort = make_user(), make_cohort(capacity=3)
    _add(now, user=user, cohort=str(cohort.id), quantity="2")
    assert _merged(user, _add(now, cohort=str(cohort.id), quantity="2"), now) == [3]


def test_kits_joined_at_login_stop_at_the_stock_left(app, now):
    user, product = make_user(), make_product(stock=5)
    _add(now, user=user, product=product.slug, quantity="2")
    assert _merged(user, _add(now, product=product.slug, quantity="4"), now) == [5]


def test_kits_joined_at_login_may_pass_ten_a_line_up_to_the_stock(app, now):
    user, product = make_user(), make_product(stock=40)
    _add(now, user=user, product=product.slug, quantity="12")
    assert _merged(user, _add(now, product=product.slug, quantity="12"), now) == [24]


def test_what_the_users_own_cart_asked_for_is_not_cut_at_login(app, now):
    user, product = make_user(), make_product(stock=5)
    _add(now, user=user, product=product.slug, quantity="4")
    visitor = _add(now, product=product.slug, quantity="3")
    buyer = BuyerDetails(email="other@example.kz", full_name="Other", phone="+77011234567",
                         delivery_method="pickup", accepts_terms=True)
    place_order(_add(now, product=product.slug, quantity="3"), buyer, user=None, now=now, hold_minutes=30)
    assert _merged(user, visitor, now) == [4]


def test_a_cohort_seat_is_priced_at_the_cohort_price(app, now):
    cohort = make_cohort(price=1990000, capacity=5)
    cart = _add(now, cohort=str(cohort.id))
    assert summarise(cart, now).subtotal_minor == 1990000
    assert not summarise(cart, now).needs_delivery


def test_a_kit_with_a_course_takes_the_soonest_cohort_with_seats_when_none_is_chosen(app, now, later):
    course = make_course()
    make_cohort(course=course, capacity=0, starts_at=later(days=3))
    open_cohort = make_cohort(course=course, capacity=5, starts_at=later(days=10))
    make_cohort(course=course, capacity=5, starts_at=later(days=20))
    kit = make_product(stock=5, course=course)
    cart = _add(now, product=kit.slug)
    assert (cart.lines[0].product_id, cart.lines[0].cohort_id) == (kit.id, open_cohort.id)


def test_a_kit_with_a_course_is_refused_before_payment_when_no_cohort_has_seats(app, now):
    course = make_course()
    make_cohort(course=course, capacity=0)
    kit = make_product(stock=5, course=course)
    with pytest.raises(NoCohortForKit):
        _add(now, product=kit.slug)


def test_a_cohort_of_another_course_cannot_be_chosen_for_a_kit(app, now):
    kit = make_product(stock=5, course=make_course())
    other = make_cohort()
    with pytest.raises(NotFound) as refused:
        _add(now, product=kit.slug, cohort=str(other.id))
    assert str(refused.value.message) == "Этот поток относится к другому курсу."  # the shop speaks Russian by default


def test_a_kit_without_a_course_cannot_be_added_with_a_cohort(app, now):
    kit = make_product(stock=5)
    with pytest.raises(NotFound) as refused:
        _add(now, product=kit.slug, cohort=str(make_cohort().id))
    assert str(refused.value.message) == "В этот набор не входит курс."
    assert db.session.scalar(select(CartLine.id)) is None


def test_a_kit_with_a_course_and_an_empty_cohort_field_gets_the_soonest_open_cohort(app, now):
    course = make_course()
    kit = make_product(stock=5, course=course)
    make_cohort(course=course, starts_at=now + timedelta(days=20))
    soonest = make_cohort(course=course, starts_at=now + timedelta(days=5))
    cart = _add(now, product=kit.slug, cohort="")
    assert [(line.product_id, line.cohort_id) for line in cart.lines] == [(kit.id, soonest.id)]


@pytest.mark.parametrize("ref", ["1000000000", str(2**31), "99999999999999999999", "-1", "1e3", " "])
def test_a_cohort_number_beyond_what_the_database_holds_is_not_found(app, now, ref):
    with pytest.raises(NotFound):
        _add(now, cohort=ref)


def test_a_full_cohort_cannot_be_added(app, now):
    cohort = make_cohort(capacity=1)
    _add(now, cohort=str(cohort.id))
    with pytest.raises(CohortFull):
        _add(now, cohort=str(cohort.id), quantity="2")


def test_a_started_finished_or_cancelled_cohort_cannot_be_added(app, now, later):
    started = make_cohort(starts_at=later(hours=-1))
    finished = make_cohort(starts_at=later(days=-30))  # its three weekly lessons are over
    cancelled = make_cohort(is_cancelled=True)
    for cohort in (started, finished, cancelled):
        with pytest.raises(CohortClosed):
            _add(now, cohort=str(cohort.id))


def test_a_user_without_a_cart_takes_over_the_visitors_cart_at_login(app, now):
    user = make_user()
    visitor = _add(now, product=make_product(stock=9).slug, quantity="2")
    merge_carts(visitor.token, user, now=now)
    cart = find_cart(user=user)
    assert cart is not None and cart.id == visitor.id and [line.quantity for line in cart.lines] == [2]


def _back_from_the_payment_page(now):
    """A cart of two kits and seats in two cohorts whose unpaid order holds them: what the buyer sees coming back."""
    first, second = make_product(stock=5), make_product(stock=4)
    cohort, other = make_cohort(capacity=5), make_cohort(capacity=3)
    cart = _add(now, product=first.slug, quantity="2")
    _add(now, token=cart.token, product=second.slug)
    _add(now, token=cart.token, cohort=str(cohort.id), quantity="2")
    _add(now, token=cart.token, cohort=str(other.id))
    buyer = BuyerDetails(email="dana@example.kz", full_name="Дана", phone="+7 701 234 56 78",
                         delivery_method="pickup", accepts_terms=True)
    place_order(cart, buyer, user=None, now=now, hold_minutes=30)
    return cart


def test_a_buyer_back_from_the_payment_page_finds_what_their_own_unpaid_order_holds_still_theirs(app, now):
    cart = _back_from_the_payment_page(now)
    summary = summarise(cart, now + timedelta(minutes=29))
    assert [(row.available, row.limit) for row in summary.rows] == [
        (5, "stock"), (4, "stock"), (5, "seats"), (3, "seats")]
    assert not summary.short_rows


def test_when_the_reservation_ends_the_buyer_sees_the_stock_once_not_twice(app, now):
    cart = _back_from_the_payment_page(now)
    summary = summarise(cart, now + timedelta(minutes=30))
    assert [row.available for row in summary.rows] == [5, 4, 5, 3]


@pytest.mark.parametrize(("stock", "capacity", "seats_per_unit", "expected"), [
    (5, 3, 1, (3, "seats")), (3, 3, 1, (3, "stock")), (5, 5, 2, (2, "seats")), (1, 5, 2, (1, "stock"))])
def test_a_kit_with_a_course_can_be_had_as_often_as_the_scarcer_of_kits_and_seats_allows(
        app, now, stock, capacity, seats_per_unit, expected):
    course = make_course()
    kit, cohort = make_product(stock=stock, course=course), make_cohort(course=course, capacity=capacity)
    kit.seats_per_unit = seats_per_unit  # a kit for two takes two seats
    db.session.commit()
    cart = _add(now, product=kit.slug, cohort=str(cohort.id))
    [row] = summarise(cart, now).rows
    assert (row.available, row.limit) == expected


def test_the_header_counts_the_units_of_this_cart_only(app, now):
    basil, mint = make_product(stock=9), make_product(stock=9)
    mine = _add(now, product=basil.slug, quantity="2")
    _add(now, token=mine.token, product=mint.slug, quantity="3")
    theirs = _add(now, product=basil.slug, quantity="4")
    assert (count_items(mine), count_items(theirs)) == (5, 4)
    for line in list(theirs.lines):
        update_line(theirs, str(line.id), "0", now=now)
    assert count_items(theirs) == 0


def test_a_kit_for_two_needs_two_free_seats_in_its_cohort(app, now):
    course = make_course()
    kit, cohort = make_product(stock=5, course=course), make_cohort(course=course, capacity=1)
    kit.seats_per_unit = 2
    db.session.commit()
    with pytest.raises(CohortFull):
        _add(now, product=kit.slug, cohort=str(cohort.id))
    assert db.session.scalar(select(CartLine.id)) is None


def test_a_signed_in_customer_adds_to_their_own_cart_from_any_browser(app, now):
    user = make_user()
    basil, mint = make_product(stock=9), make_product(stock=9)
    saved = _add(now, user=user, product=basil.slug)
    assert _add(now, user=user, product=mint.slug).id == saved.id  # another browser: no cart token yet
    assert [line.product_id for line in saved.lines] == [basil.id, mint.id]


def test_a_short_line_is_refused_as_what_it_is_and_named_in_the_buyers_language(app, now):
    from shop.cart.services import KitLineShort, LineClosed, SeatLineShort, line_unavailable

    kit, cohort, gone = make_product(stock=5), make_cohort(capacity=3), make_product(stock=5)
    cart = _add(now, product=kit.slug, quantity="5")
    _add(now, token=cart.token, cohort=str(cohort.id), quantity="3")
    _add(now, token=cart.token, product=gone.slug)
    other = _add(now, product=kit.slug, quantity="3")  # another buyer checks out three kits and two seats
    _add(now, token=other.token, cohort=str(cohort.id), quantity="2")
    place_order(other, BuyerDetails(email="other@example.kz", full_name="Асем", phone="+7 701 234 56 78",
                                    delivery_method="pickup", accepts_terms=True), user=None, now=now, hold_minutes=30)
    gone.is_active = False  # and one kit was taken off sale
    db.session.commit()
    refusals = [line_unavailable(row, "en") for row in summarise(cart, now).short_rows]
    assert [type(refusal) for refusal in refusals] == [KitLineShort, SeatLineShort, LineClosed]
    assert [refusal.details["available"] for refusal in refusals] == [2, 1, 0]
    assert str(refusals[0].message) == (  # the message in the page's language, the kit by its English name
        f"«{kit.name_en}»: осталось только 2 шт. — возьмите столько или уберите строку.")
