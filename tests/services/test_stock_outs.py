"""Stock-outs that keep the sale: a line that can no longer be bought as it is stays in the cart, marked and out
of the total; checkout refuses it naming the item and what is left; taking what is left or removing it works."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.cart.services import LineUnavailable, add_to_cart, summarise, update_line
from shop.errors import CohortFull, OutOfStock
from shop.extensions import db
from shop.inventory.services import write_off
from shop.models import Hold, Order
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_cohort, make_course, make_product

BUYER = BuyerDetails(email="buyer@example.kz", full_name="Дана Омарова", phone="+7 701 234 56 78",
                     delivery_method="pickup", locale="en", accepts_terms=True)


def _english(message) -> str:
    with force_locale("en"):
        return str(message)


def _cart(now, product=None, quantity="1", cohort=None, cart=None):
    return add_to_cart(token=cart.token if cart else None, user=None, product_slug=product.slug if product else None,
                       cohort_ref=cohort.id if cohort else None, quantity=quantity, now=now)


def _basil_and_mint(now, basil_stock=5, basil_wanted="4"):
    basil, mint = make_product(stock=basil_stock, price=100000, name="Basil"), make_product(stock=9, price=50000)
    cart = _cart(now, basil, basil_wanted)
    _cart(now, mint, "1", cart=cart)
    return cart, basil, mint


def test_a_kit_whose_stock_fell_below_the_quantity_is_marked_and_left_out_of_the_total(app, now):
    cart, basil, _mint = _basil_and_mint(now)
    write_off(basil, 3, now=now, reason="wilted")
    db.session.commit()
    summary = summarise(cart, now)
    short, fine = summary.rows
    assert short.is_short and short.available == 2 and short.can_take_what_is_left
    assert not fine.is_short
    assert summary.subtotal_minor == 50000  # the mint only
    assert summary.short_rows == [short]


def test_checkout_is_refused_naming_the_kit_and_what_is_left_and_holds_nothing(app, now):
    cart, basil, _mint = _basil_and_mint(now)
    write_off(basil, 3, now=now, reason="wilted")
    db.session.commit()
    with pytest.raises(LineUnavailable) as refused:
        place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert _english(refused.value.message) == "Only 2 of «Basil» are left: take them or remove the line."
    assert isinstance(refused.value, OutOfStock)  # still the OutOfStock it is, for whoever catches that
    assert db.session.scalar(select(func.count(Order.id))) == 0 and db.session.scalar(select(Hold.id)) is None


def test_stock_taken_between_the_cart_and_the_order_is_refused_naming_the_kit(app, now, monkeypatch):
    cart, basil, _mint = _basil_and_mint(now, basil_stock=4)
    other = _cart(now, basil, "3")
    place_order(other, BUYER, user=None, now=now, hold_minutes=30)
    # The cart page was read before the other buyer's order: checkout finds out only when it holds the stock.
    import shop.orders.placing as placing

    monkeypatch.setattr(placing, "_refuse_short_lines", lambda summary, locale: None)
    with pytest.raises(LineUnavailable) as refused:
        place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert _english(refused.value.message) == "Only 1 «Basil» is left: take it or remove the line."


def test_a_sold_out_kit_is_named_as_sold_out(app, now):
    cart, basil, _mint = _basil_and_mint(now)
    write_off(basil, 5, now=now, reason="wilted")
    db.session.commit()
    row = summarise(cart, now).rows[0]
    assert row.available == 0 and not row.can_take_what_is_left
    with pytest.raises(LineUnavailable) as refused:
        place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert _english(refused.value.message) == "«Basil» is sold out: remove it from your cart."


def test_taking_what_is_left_lets_the_cart_check_out(app, now):
    cart, basil, _mint = _basil_and_mint(now)
    write_off(basil, 3, now=now, reason="wilted")
    db.session.commit()
    line = summarise(cart, now).short_rows[0].line
    update_line(cart, str(line.id), "2", now=now)
    summary = summarise(cart, now)
    assert summary.short_rows == [] and summary.subtotal_minor == 2 * 100000 + 50000
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert order.subtotal_minor == 250000


def test_removing_the_marked_line_lets_the_cart_check_out(app, now):
    cart, basil, mint = _basil_and_mint(now)
    write_off(basil, 5, now=now, reason="wilted")
    db.session.commit()
    update_line(cart, str(summarise(cart, now).short_rows[0].line.id), "0", now=now)
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert [line.product_id for line in order.lines] == [mint.id]


@pytest.mark.parametrize(("capacity", "left", "start", "end"), [
    (3, 1, "Only 1 seat is left in «Microgreens — ", "»: take it or remove the line."),
    (4, 2, "Only 2 seats are left in «Microgreens — ", "»: take them or remove the line."),
])
def test_a_full_cohort_is_marked_with_the_seats_left_and_refused_as_full(app, now, capacity, left, start, end):
    course = make_course()
    course.title_en = "Microgreens"
    cohort = make_cohort(course=course, capacity=capacity, starts_at=now + timedelta(days=5))
    cart = _cart(now, cohort=cohort, quantity=str(capacity))
    place_order(_cart(now, cohort=cohort, quantity="2"), BUYER, user=None, now=now, hold_minutes=30)
    row = summarise(cart, now).rows[0]
    assert row.is_short and row.available == left and row.limit == "seats"
    assert summarise(cart, now).subtotal_minor == 0
    with pytest.raises(CohortFull) as refused:
        place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    message = _english(refused.value.message)
    assert message.startswith(start) and message.endswith(end)


def test_a_cohort_that_started_is_marked_as_started(app, now):
    cohort = make_cohort(capacity=3, starts_at=now + timedelta(hours=1))
    cart = _cart(now, cohort=cohort)
    later = now + timedelta(hours=2)
    row = summarise(cart, later).rows[0]
    assert row.is_short and row.limit == "started" and not row.can_take_what_is_left


def test_a_buyer_back_from_the_payment_page_is_not_told_their_own_order_took_the_last_unit(app, now):
    basil = make_product(stock=1, name="Basil")
    cart = _cart(now, basil)
    place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert summarise(cart, now).short_rows == []
    order, _ = place_order(cart, BUYER, user=None, now=now + timedelta(minutes=1), hold_minutes=30)
    assert order.payment_status == "pending_payment"


def _refusal(row, **locale):
    from shop.cart.services import line_unavailable

    refusal = line_unavailable(row, **locale)
    return type(refusal), _english(refusal.message), refusal.details


def test_a_started_cohort_is_refused_as_started_naming_it_in_the_buyers_language(app, now):
    from shop.cart.services import LineClosed

    course = make_course()
    course.title_en, course.title_ru = "Microgreens", "Микрозелень"
    cohort = make_cohort(course=course, capacity=3, starts_at=now + timedelta(hours=1))
    cart = _cart(now, cohort=cohort)
    row = summarise(cart, now + timedelta(hours=2)).rows[0]
    name = f"Microgreens — {cohort.starts_at:%Y-%m-%d}"
    assert _refusal(row, locale="en") == (
        LineClosed, f"«{name}» has already started and can no longer be booked: remove it from your cart.",
        {"item": name, "available": 0})
    assert _refusal(row, locale="ru")[2]["item"] == f"Микрозелень — {cohort.starts_at:%Y-%m-%d}"
    course.title_kk = ""
    assert _refusal(row, locale="kk")[2]["item"] == f"Микрозелень — {cohort.starts_at:%Y-%m-%d}"  # Russian if none


def test_a_kit_taken_off_sale_is_refused_as_no_longer_sold(app, now):
    from shop.cart.services import LineClosed

    basil = make_product(stock=5, name="Basil")
    cart = _cart(now, basil)
    basil.is_active = False
    db.session.commit()
    row = summarise(cart, now).rows[0]
    assert row.limit == "closed"
    assert _refusal(row, locale="en") == (
        LineClosed, "«Basil» can no longer be bought: remove it from your cart.", {"item": "Basil", "available": 0})


def test_a_cohort_with_no_seat_left_is_refused_as_full_with_its_waiting_list(app, now):
    from shop.cart.services import SeatLineShort

    course = make_course()
    course.title_en = "Hydroponics"
    cohort = make_cohort(course=course, capacity=2, starts_at=now + timedelta(days=5))
    cart = _cart(now, cohort=cohort)
    place_order(_cart(now, cohort=cohort, quantity="2"), BUYER, user=None, now=now, hold_minutes=30)
    row = summarise(cart, now).rows[0]
    name = f"Hydroponics — {cohort.starts_at:%Y-%m-%d}"
    assert _refusal(row, locale="en") == (
        SeatLineShort, f"«{name}» has no seats left: remove it from your cart or join its waiting list.",
        {"item": name, "available": 0})
