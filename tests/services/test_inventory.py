from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.database import unit_of_work
from shop.errors import OutOfStock, StockConflict
from shop.extensions import db
from shop.inventory.services import (
    availability,
    closed_reason,
    count_stock,
    hold_seats,
    hold_stock,
    lock_rows,
    receive_stock,
    release_expired_holds,
    seat_availability,
    write_off,
)
from shop.models import Hold, StockMovement
from tests.admin_support import paid_order
from tests.factories import make_cohort, make_product


def _hold(product, quantity, now, minutes=30):
    with unit_of_work():
        lock_rows([product.id])
        return hold_stock(product, quantity, expires_at=now + timedelta(minutes=minutes), now=now)


def test_receiving_stock_raises_on_hand_and_writes_a_ledger_row_with_the_level_after(app, now):
    product = make_product(stock=5)
    with unit_of_work():
        receive_stock(product, 7, now=now, reason="Delivery from the greenhouse")
        assert product.on_hand == 12  # the caller's copy is current before the commit too
    movements = db.session.scalars(select(StockMovement).where(StockMovement.product_id == product.id)
                                   .order_by(StockMovement.id)).all()
    assert product.on_hand == 12
    assert [(m.kind, m.delta, m.level_after) for m in movements] == [("received", 5, 5), ("received", 7, 12)]
    assert movements[-1].reason == "Delivery from the greenhouse"


def test_a_hold_lowers_availability_but_not_stock_on_hand(app, now):
    product = make_product(stock=5)
    _hold(product, 3, now)
    assert availability([product.id], now)[product.id] == 2
    assert product.on_hand == 5


def test_hold_stock_refuses_more_than_available(app, now):
    product = make_product(stock=5)
    _hold(product, 4, now)
    with pytest.raises(OutOfStock):
        _hold(product, 2, now)
    assert db.session.scalar(select(Hold.quantity).where(Hold.product_id == product.id)) == 4


def test_an_expired_hold_stops_counting_by_itself(app, now):
    product = make_product(stock=5)
    _hold(product, 5, now, minutes=30)
    assert availability([product.id], now)[product.id] == 0
    assert availability([product.id], now + timedelta(minutes=31))[product.id] == 5


def test_release_expired_deletes_only_holds_whose_time_ran_out(app, now):
    product = make_product(stock=10)
    _hold(product, 2, now, minutes=5)
    _hold(product, 3, now, minutes=60)
    with unit_of_work():
        released = release_expired_holds(now + timedelta(minutes=10))
    assert released == 1
    assert db.session.scalars(select(Hold.quantity)).all() == [3]


def test_write_off_cannot_take_stock_below_what_is_held(app, now):
    product = make_product(stock=5)
    _hold(product, 4, now)
    with pytest.raises(StockConflict):
        with unit_of_work():
            write_off(product, 2, now=now, reason="Mould")
    db.session.refresh(product)
    assert product.on_hand == 5


def test_write_off_cannot_take_stock_below_zero(app, now):
    product = make_product(stock=2)
    with pytest.raises(StockConflict):
        with unit_of_work():
            write_off(product, 3, now=now, reason="Broken")


def test_a_stock_count_records_the_difference_as_a_movement(app, now):
    product = make_product(stock=10)
    with unit_of_work():
        movement = count_stock(product, 7, now=now, reason="Monthly stock-take")
    assert (movement.kind, movement.delta, movement.level_after) == ("counted", -3, 7)


def test_the_ledger_refuses_to_be_edited(app, now):
    make_product(stock=3)
    movement = db.session.scalar(select(StockMovement))
    movement.delta = 300
    with pytest.raises(RuntimeError, match="ledger"):
        db.session.commit()
    db.session.rollback()


def test_a_paid_order_sells_its_own_held_units_and_leaves_other_buyers_holds_alone(app, now):
    product = make_product(stock=3)
    _hold(product, 2, utcnow())  # another buyer is paying for two
    order = paid_order(app, product, 1)
    assert availability([product.id], utcnow())[product.id] == 0
    sale = db.session.scalar(select(StockMovement).where(StockMovement.kind == "sold"))
    assert (sale.delta, sale.level_after, sale.order_id, sale.order_line_id, sale.reason) == (
        -1, 2, order.id, order.lines[0].id, "Order paid")


def test_why_a_line_can_no_longer_be_sold_is_said_in_staffs_words_from_the_very_moment(app, now):
    kit, cohort = make_product(), make_cohort(starts_at=now + timedelta(hours=1))
    kit_line = SimpleNamespace(product_id=kit.id, product=kit, cohort_id=None)
    seat_line = SimpleNamespace(product_id=None, cohort_id=cohort.id, cohort=cohort)
    assert (closed_reason(kit_line, now), closed_reason(seat_line, now)) == ("", "")
    assert closed_reason(seat_line, now + timedelta(hours=1)) == "the cohort had started"
    kit.is_active, cohort.course.is_active = False, False
    assert (closed_reason(kit_line, now), closed_reason(seat_line, now)) == (
        "the kit was taken off sale", "the course was taken off offer")
    cohort.is_cancelled = True
    assert closed_reason(seat_line, now) == "the cohort was cancelled"


def test_a_seat_hold_stops_counting_at_the_very_moment_it_ends(app, now):
    cohort = make_cohort(capacity=2)
    with unit_of_work():
        lock_rows(cohort_ids=[cohort.id])
        hold_seats(cohort, 1, expires_at=now + timedelta(minutes=30), now=now)
    assert [seat_availability([cohort.id], now + timedelta(minutes=moment))[cohort.id] for moment in (29, 30)] == [
        1, 2]
