"""The inventory's edges, one behaviour each: exactly what is left can be held, exactly zero can be counted,
and a stock-take, a delivery or a release touches only what it names (found by `make mutation`)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.database import unit_of_work
from shop.errors import CohortClosed, CohortFull, OutOfStock, StockConflict
from shop.extensions import db
from shop.inventory.services import (
    availability,
    cap_seat_holds,
    count_stock,
    hold_seats,
    hold_stock,
    receive_stock,
    release_closed_holds,
    release_expired_holds,
    release_holds,
    restock,
    seat_availability,
    seat_hold_end,
    sold_units,
    write_off,
)
from shop.models import Hold, Order, StockMovement
from tests.factories import make_cohort, make_product, make_user
from tests.views.helpers import add, check_out


def _hold(product, quantity, now, minutes=30, **owner):
    with unit_of_work():
        return hold_stock(product, quantity, expires_at=now + timedelta(minutes=minutes), now=now, **owner)


def _seats(cohort, quantity, now, minutes=30):
    with unit_of_work():
        return hold_seats(cohort, quantity, expires_at=now + timedelta(minutes=minutes), now=now)


def test_every_last_unit_can_be_held_and_then_none(app, now):
    product = make_product(stock=3)
    hold = _hold(product, 3, now)
    assert (hold.product_id, hold.quantity, hold.expires_at) == (product.id, 3, now + timedelta(minutes=30))
    with pytest.raises(OutOfStock):
        _hold(product, 1, now)


def test_a_hold_stops_counting_at_the_very_moment_it_expires(app, now):
    product = make_product(stock=3)
    _hold(product, 2, now, minutes=10)
    assert availability([product.id], now + timedelta(minutes=10) - timedelta(seconds=1))[product.id] == 1
    assert availability([product.id], now + timedelta(minutes=10))[product.id] == 3


def test_availability_of_no_products_is_empty_and_of_several_is_each_its_own(app, now):
    first, second = make_product(stock=4), make_product(stock=9)
    _hold(first, 1, now)
    assert availability([], now) == {}
    assert seat_availability([], now) == {}
    assert availability([first.id, second.id, first.id], now) == {first.id: 3, second.id: 9}


def test_every_last_seat_can_be_held_and_then_the_cohort_is_full(app, now):
    cohort = make_cohort(capacity=2)
    hold = _seats(cohort, 2, now)
    assert (hold.cohort_id, hold.quantity) == (cohort.id, 2)
    assert seat_availability([cohort.id], now) == {cohort.id: 0}
    with pytest.raises(CohortFull) as refused:
        _seats(cohort, 1, now)
    assert refused.value.details == {"cohort": cohort.id, "available": 0}


@pytest.mark.parametrize("closed", ["cancelled", "started", "finished"])
def test_seats_of_a_cancelled_started_or_finished_cohort_cannot_be_held(app, now, closed):
    starts = {"started": now - timedelta(hours=1), "finished": now - timedelta(days=60)}.get(closed)
    cohort = make_cohort(capacity=5, is_cancelled=closed == "cancelled", starts_at=starts)
    assert cohort.status(5, now) == closed
    with pytest.raises(CohortClosed) as refused:
        _seats(cohort, 1, now)
    assert refused.value.details == {"cohort": cohort.id}
    assert db.session.scalar(select(Hold.id)) is None


def test_a_seat_hold_ends_at_the_cohorts_start_or_its_own_end_whichever_is_first(app, now):
    cohort = make_cohort(starts_at=now + timedelta(hours=1))
    assert seat_hold_end(cohort, now + timedelta(hours=2)) == cohort.starts_at
    assert seat_hold_end(cohort, now + timedelta(minutes=30)) == now + timedelta(minutes=30)


def test_moving_a_cohorts_start_earlier_cuts_only_its_holds_that_ran_past_it(app, now):
    cohort, other = make_cohort(capacity=5), make_cohort(capacity=5)
    long_hold, short_hold = _seats(cohort, 1, now, minutes=120), _seats(cohort, 1, now, minutes=30)
    other_hold = _seats(other, 1, now, minutes=120)
    with unit_of_work():
        cohort.starts_at = now + timedelta(hours=1)
        cap_seat_holds(cohort)
    db.session.expire_all()
    assert db.session.get(Hold, long_hold.id).expires_at == now + timedelta(hours=1)
    assert db.session.get(Hold, short_hold.id).expires_at == now + timedelta(minutes=30)
    assert db.session.get(Hold, other_hold.id).expires_at == now + timedelta(minutes=120)


def test_releasing_closed_items_removes_their_holds_only_and_counts_them(app, now):
    kit, other_kit, cohort = make_product(stock=5), make_product(stock=5), make_cohort(capacity=5)
    _hold(kit, 1, now), _hold(kit, 1, now), _hold(other_kit, 1, now), _seats(cohort, 2, now)
    unheld_kit, unheld_cohort = make_product(stock=1), make_cohort(capacity=1)
    with unit_of_work():
        assert release_closed_holds() == 0
        assert release_closed_holds(product_ids=[unheld_kit.id], cohort_ids=[unheld_cohort.id]) == 0
        assert release_closed_holds(product_ids=[kit.id, kit.id], cohort_ids=[cohort.id]) == 3
    assert db.session.scalars(select(Hold.product_id)).all() == [other_kit.id]


def test_releasing_an_orders_holds_says_how_many_went(app, client):
    add(client, make_product(stock=5), 2)
    check_out(client)
    order = db.session.scalar(select(Order))
    with unit_of_work():
        assert release_holds(order.id) == 1
        assert release_holds(order.id) == 0


def test_receiving_needs_at_least_one_unit(app, now):
    product = make_product(stock=0)
    with pytest.raises(StockConflict, match="^Received quantity must be a positive whole number.$"):
        with unit_of_work():
            receive_stock(product, 0, now=now)
    with unit_of_work():
        movement = receive_stock(product, 1, now=now)
    assert (movement.kind, movement.delta, movement.level_after, movement.reason) == ("received", 1, 1, "")


def test_receiving_ignores_holds_and_writing_off_respects_them_down_to_exactly_what_is_held(app, now):
    product = make_product(stock=5)
    _hold(product, 3, now)
    with pytest.raises(StockConflict, match="^Written-off quantity must be a positive whole number.$"):
        with unit_of_work():
            write_off(product, 0, now=now, reason="nothing")
    with unit_of_work():
        movement = write_off(product, 2, now=now, reason="Mould", actor_id=None)
    assert (movement.kind, movement.delta, movement.level_after, movement.reason) == ("written_off", -2, 3, "Mould")
    assert product.on_hand == 3


def test_a_stock_take_may_count_zero_but_not_less(app, now):
    product = make_product(stock=4)
    with pytest.raises(StockConflict, match="^A counted quantity cannot be negative.$"):
        with unit_of_work():
            count_stock(product, -1, now=now)
    with unit_of_work():
        movement = count_stock(product, 0, now=now)
    assert (movement.kind, movement.delta, movement.level_after, movement.reason) == ("counted", -4, 0, "")
    assert product.on_hand == 0


def test_a_stock_take_counts_from_the_level_in_the_database_not_a_stale_copy(app, now):
    product = make_product(stock=4)
    product.on_hand = 40  # a stale object that was never saved
    with unit_of_work():
        movement = count_stock(product, 6, now=now, reason="Count")
    assert (movement.delta, movement.level_after) == (2, 6)


def test_a_stock_take_cannot_count_below_what_is_held(app, now):
    product = make_product(stock=4)
    _hold(product, 2, now)
    with pytest.raises(StockConflict):
        with unit_of_work():
            count_stock(product, 1, now=now)
    with unit_of_work():
        assert count_stock(product, 2, now=now).level_after == 2


def test_sold_units_are_zero_for_a_line_never_sold(app):
    assert sold_units([]) == {}
    assert sold_units([123456, 123456]) == {123456: 0}


def test_each_ledger_row_names_who_moved_stock_and_why(app, now):
    product, staff = make_product(stock=1), make_user(role="staff")
    with unit_of_work():
        receive_stock(product, 5, now=now, reason="Delivery", actor_id=staff.id)
        write_off(product, 1, now=now, reason="Mould", actor_id=staff.id)
        count_stock(product, 3, now=now, reason="Stock-take", actor_id=staff.id)
    rows = db.session.scalars(select(StockMovement).where(StockMovement.actor_id.is_not(None))
                              .order_by(StockMovement.id)).all()
    assert [(row.product_id, row.kind, row.delta, row.reason, row.actor_id, row.order_id, row.created_at)
            for row in rows] == [(product.id, "received", 5, "Delivery", staff.id, None, now),
                                 (product.id, "written_off", -1, "Mould", staff.id, None, now),
                                 (product.id, "counted", -2, "Stock-take", staff.id, None, now)]


def test_a_hold_that_expires_this_very_moment_is_released(app, now):
    product = make_product(stock=3)
    _hold(product, 1, now - timedelta(minutes=30), minutes=30)
    with unit_of_work():
        assert release_expired_holds(now) == 1
    assert db.session.scalar(select(Hold.id)) is None


def test_units_returned_from_an_order_are_dated_signed_and_tied_to_their_line(app, now):
    from tests.admin_support import paid_order
    product, staff = make_product(stock=5), make_user(role="staff")
    order = paid_order(app, product, 2)
    with unit_of_work():
        movement = restock(product.id, 1, now=now, order_id=order.id, order_line_id=order.lines[0].id,
                           actor_id=staff.id)
        order.lines[0].returned_quantity = 1
    assert (movement.kind, movement.delta, movement.level_after, movement.reason, movement.actor_id,
            movement.order_id, movement.order_line_id, movement.created_at) == (
        "returned", 1, 4, "", staff.id, order.id, order.lines[0].id, now)


def test_learners_of_one_cohort_take_no_seat_of_another(app, now):
    from shop.models import Enrolment
    taken, other = make_cohort(capacity=3), make_cohort(capacity=3)
    db.session.add_all([Enrolment(cohort_id=taken.id, email="a@x.kz"),
                        Enrolment(cohort_id=taken.id, email="b@x.kz", status="cancelled")])
    db.session.commit()
    assert seat_availability([taken.id, other.id], now) == {taken.id: 2, other.id: 3}
