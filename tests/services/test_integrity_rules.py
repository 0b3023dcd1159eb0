"""Each rule of the integrity checker, one broken state at a time, built by hand: the exact problems the operator
reads (which object, what counts, which states), what sits exactly at a limit, and the states that are fine and
must not be reported (found by `make mutation`)."""
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from shop.extensions import db
from shop.integrity import (
    check_integrity,
    discounts_within_line_totals,
    holds_within_stock,
    no_holds_on_closed_items,
    no_holds_on_closed_orders,
    no_learners_in_cancelled_cohorts,
    order_states_agree,
    order_totals_add_up,
    paid_lines_sold_once,
    paid_orders_paid_once,
    paid_seats_enrolled,
    promo_uses_held_by_open_orders,
    promo_uses_within_limits,
    refunded_orders_not_awaiting_fulfilment,
    refunds_within_payments,
    returns_within_sales,
    seats_within_capacity,
    stock_matches_ledger,
)
from shop.inventory.services import move_stock
from shop.models import Enrolment, Hold, Order, OrderLine, Payment, Product, PromoCode, PromoRedemption, Refund
from tests.factories import make_cohort, make_product

pytestmark = pytest.mark.breaks_integrity

_numbers = itertools.count(1)


def _kit(product, quantity=1, **extra):
    return dict(product_id=product.id, unit_price_minor=product.price_minor, quantity=quantity, **extra)


def _seats(cohort, quantity=1, seats_per_unit=1, **extra):
    return dict(cohort_id=cohort.id, unit_price_minor=cohort.price_minor, quantity=quantity,
                seats_per_unit=seats_per_unit, **extra)


def _order(*lines, payment="paid", fulfilment="unfulfilled", delivery="courier", fee=0, delivery_discount=0,
           promo_code="", needs_attention="") -> Order:
    """An order written straight to the database, its totals adding up (lines: `_kit(...)`, `_seats(...)`)."""
    order = Order(public_id=f"order-{next(_numbers)}", email="aigerim@example.kz", full_name="Айгерим Сапарова",
                  phone="+77010000000", delivery_method=delivery, payment_status=payment,
                  fulfilment_status=fulfilment, delivery_fee_minor=fee, delivery_discount_minor=delivery_discount,
                  promo_code=promo_code, needs_attention=needs_attention, subtotal_minor=0, total_minor=0)
    order.lines = [OrderLine(name="line", **line) for line in lines]
    subtotal = sum(line["unit_price_minor"] * line["quantity"] for line in lines)
    order.subtotal_minor = subtotal
    order.discount_minor = sum(line.get("discount_minor", 0) for line in lines) + delivery_discount
    order.total_minor = subtotal + fee - order.discount_minor
    db.session.add(order)
    db.session.flush()
    return order


def _pay(order, amount=None, status="paid") -> Payment:
    payment = Payment(order_id=order.id, provider="dummy", reference=f"pay-{next(_numbers)}",
                      amount_minor=order.total_minor if amount is None else amount, status=status)
    db.session.add(payment)
    db.session.flush()
    return payment


def _sell(order, line, now, units=None):
    move_stock(line.product_id, "sold", -(line.quantity if units is None else units), now=now, order_id=order.id,
               order_line_id=line.id, respect_holds=False)


def _give_back(order, line, units, now):
    move_stock(line.product_id, "returned", units, now=now, order_id=order.id, order_line_id=line.id)


def _enrol(order, line, count, status="active"):
    db.session.add_all([Enrolment(cohort_id=line.cohort_id, order_id=order.id, order_line_id=line.id,
                                  email=f"learner{next(_numbers)}@example.kz", status=status) for _ in range(count)])
    db.session.flush()


def _paid_kits(product, quantity, now, **options) -> Order:
    """A paid kit order as paying leaves it: one paid payment and one sale of each line."""
    order = _order(_kit(product, quantity), **options)
    _pay(order)
    _sell(order, order.lines[0], now)
    return order


def _hold(now, minutes=5, **target):
    db.session.add(Hold(quantity=target.pop("quantity", 1), expires_at=now + timedelta(minutes=minutes), **target))


# A shop where every rule is met, in the states each rule must not mistake for a problem


@pytest.mark.parametrize("payment", ["paid", "partially_refunded", "refunded"])
def test_a_busy_shop_in_every_fine_state_passes_every_check(app, now, payment):
    product, cohort = make_product(stock=10), make_cohort(capacity=10)
    never_stocked = make_product(stock=0)
    sold = _paid_kits(product, 2, now, fulfilment="packed")
    db.session.execute(update(Order).where(Order.id == sold.id).values(payment_status=payment))
    _give_back(sold, sold.lines[0], 1, now)
    sold.lines[0].returned_quantity = 1
    if payment != "paid":
        db.session.add(Refund(order_id=sold.id, amount_minor=sold.total_minor // 2))
    seats = _order(_seats(cohort, 2, seats_per_unit=2), delivery="pickup")
    _pay(seats)
    _enrol(seats, seats.lines[0], 3)
    _enrol(seats, seats.lines[0], 1, status="cancelled")  # cancelled by staff: still the seat it bought
    waiting = _order(_kit(product, 1), _seats(cohort, 1), payment="pending_payment")
    _pay(waiting, status="pending")
    _hold(now, product_id=product.id, order_id=waiting.id, order_line_id=waiting.lines[0].id)
    _hold(now, cohort_id=cohort.id, order_id=waiting.id, order_line_id=waiting.lines[1].id)
    lapsed = _order(_kit(product, 3), payment="cancelled")
    _pay(lapsed, status="expired")
    db.session.commit()
    assert never_stocked.on_hand == 0 and product.on_hand == 9
    assert check_integrity(now) == []


def test_every_way_an_order_is_handed_over_passes_when_it_fits_its_delivery(app, now):
    product = make_product(stock=20)
    for payment, fulfilment, delivery in [("paid", "packed", "courier"), ("paid", "shipped", "courier"),
                                          ("partially_refunded", "delivered", "post"),
                                          ("paid", "ready_for_pickup", "pickup"), ("refunded", "picked_up", "pickup"),
                                          ("paid", "packed", "pickup")]:
        order = _paid_kits(product, 1, now, fulfilment=fulfilment, delivery=delivery)
        order.payment_status = payment
    _order(_kit(product, 1), payment="pending_payment", delivery="pickup")
    db.session.commit()
    assert check_integrity(now) == []


# Stock and its ledger


def test_stock_that_differs_from_its_ledger_sum_is_reported_once_with_both_numbers(app, now):
    product, fine = make_product(stock=3), make_product(stock=4)
    db.session.execute(update(Product).where(Product.id == product.id).values(on_hand=9))
    db.session.commit()
    assert stock_matches_ledger(now) == [f"product {product.slug}: on hand 9 but its ledger sums to 3"]
    assert fine.on_hand == 4


def test_only_the_last_movement_must_have_left_the_stock_on_hand(app, now):
    product = make_product(stock=3)
    order = _paid_kits(product, 1, now)
    db.session.execute(text("UPDATE stock_movement SET level_after = 99 WHERE kind = 'received'"))
    db.session.commit()
    assert stock_matches_ledger(now) == []
    db.session.execute(text("UPDATE stock_movement SET level_after = 5 WHERE kind = 'sold'"))
    db.session.commit()
    assert stock_matches_ledger(now) == [f"product {product.slug}: on hand 2 but the last movement left 5"]
    assert order.lines[0].quantity == 1


def test_stock_at_zero_with_a_ledger_that_sums_to_zero_passes(app, now):
    product = make_product(stock=1)
    _paid_kits(product, 1, now)
    db.session.commit()
    assert product.on_hand == 0
    assert stock_matches_ledger(now) == []


# Holds


def test_holds_are_summed_per_product_against_its_own_stock(app, now):
    small, large = make_product(stock=2), make_product(stock=5)
    _hold(now, product_id=small.id, quantity=2)
    _hold(now, product_id=small.id, quantity=1)
    _hold(now, product_id=large.id, quantity=5)
    _hold(now, cohort_id=make_cohort(capacity=10).id, quantity=9)  # seats are not kits
    db.session.commit()
    assert holds_within_stock(now) == [f"product {small.slug}: 3 held but only 2 on hand"]


def test_a_hold_left_on_a_paid_or_cancelled_order_is_reported_with_its_count(app, now):
    product = make_product(stock=10)
    paid, also_paid = _paid_kits(product, 1, now), _paid_kits(product, 1, now)
    cancelled = _order(_kit(product, 1), payment="cancelled")
    waiting = _order(_kit(product, 1), payment="pending_payment")
    _hold(now, product_id=product.id, order_id=paid.id)
    _hold(now, product_id=product.id, order_id=also_paid.id)
    for _ in range(2):
        _hold(now, product_id=product.id, order_id=cancelled.id)
    _hold(now, product_id=product.id, order_id=waiting.id)
    db.session.commit()
    assert sorted(no_holds_on_closed_orders(now)) == sorted([
        f"order {paid.public_id}: 1 hold(s) left on a paid order",
        f"order {also_paid.public_id}: 1 hold(s) left on a paid order",
        f"order {cancelled.public_id}: 2 hold(s) left on a cancelled order"])


def test_live_holds_on_an_off_sale_kit_are_summed_and_expired_ones_left_out(app, now):
    product, on_sale = make_product(stock=10, is_active=False), make_product(stock=10)
    _hold(now, product_id=product.id, quantity=2)
    _hold(now, product_id=product.id, quantity=1)
    _hold(now, minutes=0, product_id=product.id, quantity=4)
    _hold(now, product_id=on_sale.id, quantity=3)
    db.session.commit()
    assert no_holds_on_closed_items(now) == [f"product {product.slug}: 3 held but it is off sale"]


def test_live_seat_holds_on_a_cohort_that_cannot_be_booked_are_summed(app, now):
    cancelled, open_cohort = make_cohort(capacity=10, is_cancelled=True), make_cohort(capacity=10)
    _hold(now, cohort_id=cancelled.id, quantity=2)
    _hold(now, cohort_id=cancelled.id, quantity=3)
    _hold(now, cohort_id=open_cohort.id, quantity=4)
    db.session.commit()
    assert no_holds_on_closed_items(now) == [f"cohort {cancelled.id}: 5 seat(s) held but it cannot be booked"]


# Seats


def test_each_cohort_counts_only_its_own_active_learners_and_live_holds(app, now):
    full, other = make_cohort(capacity=2), make_cohort(capacity=5)
    db.session.add_all([Enrolment(cohort_id=full.id, email=f"{n}@example.kz") for n in range(2)])
    db.session.add_all([Enrolment(cohort_id=other.id, email=f"o{n}@example.kz") for n in range(3)])
    _hold(now, cohort_id=other.id, quantity=2)
    _hold(now, product_id=make_product(stock=1).id, quantity=1)
    db.session.commit()
    assert seats_within_capacity(now) == []
    _hold(now, cohort_id=full.id, quantity=1)
    db.session.commit()
    assert seats_within_capacity(now) == [f"cohort {full.id}: 2 enrolled and 1 held for 2 seats"]


def test_seat_holds_filling_a_cohort_without_learners_pass(app, now):
    cohort = make_cohort(capacity=3)
    _hold(now, cohort_id=cohort.id, quantity=3)
    db.session.commit()
    assert seats_within_capacity(now) == []


def test_learners_beyond_capacity_are_reported_without_any_hold(app, now):
    cohort = make_cohort(capacity=1)
    db.session.add_all([Enrolment(cohort_id=cohort.id, email=f"{n}@example.kz") for n in range(3)])
    db.session.add(Enrolment(cohort_id=cohort.id, email="gone@example.kz", status="cancelled"))
    db.session.commit()
    assert seats_within_capacity(now) == [f"cohort {cohort.id}: 3 enrolled and 0 held for 1 seats"]


def test_a_paid_seat_line_needs_one_enrolment_per_seat_bought(app, now):
    cohort = make_cohort(capacity=10)
    order = _order(_seats(cohort, 2, seats_per_unit=2))
    _pay(order)
    _enrol(order, order.lines[0], 3)
    db.session.commit()
    line = order.lines[0]
    assert paid_seats_enrolled(now) == [
        f"order {order.public_id}: line {line.id} bought 4 seat(s) but has 3 enrolment(s)"]
    _enrol(order, line, 1, status="cancelled")
    db.session.commit()
    assert paid_seats_enrolled(now) == []
    _enrol(order, line, 1)
    db.session.commit()
    assert paid_seats_enrolled(now) == [
        f"order {order.public_id}: line {line.id} bought 4 seat(s) but has 5 enrolment(s)"]


def test_each_seat_line_is_counted_against_its_own_enrolments(app, now):
    order = _order(_seats(make_cohort(capacity=10), 2), _seats(make_cohort(capacity=10), 1))
    _pay(order)
    first, second = order.lines
    _enrol(order, first, 2)
    _enrol(order, second, 1)
    db.session.commit()
    assert paid_seats_enrolled(now) == []
    db.session.execute(text("DELETE FROM enrolment WHERE order_line_id = :line"), {"line": first.id})
    db.session.commit()
    assert paid_seats_enrolled(now) == [
        f"order {order.public_id}: line {first.id} bought 2 seat(s) but has 0 enrolment(s)"]


def test_seat_lines_of_unpaid_or_flagged_orders_need_no_enrolment(app, now):
    cohort = make_cohort(capacity=10)
    _order(_seats(cohort, 1), payment="pending_payment")
    _order(_seats(cohort, 1), payment="cancelled")
    flagged = _order(_seats(cohort, 2), needs_attention="the cohort filled up before the payment came")
    _pay(flagged)
    db.session.commit()
    assert paid_seats_enrolled(now) == []


@pytest.mark.parametrize("payment", ["partially_refunded", "refunded"])
def test_a_refunded_seat_order_still_needs_its_enrolments(app, now, payment):
    cohort = make_cohort(capacity=10)
    order = _order(_seats(cohort, 1), payment=payment)
    _pay(order)
    db.session.commit()
    assert paid_seats_enrolled(now) == [
        f"order {order.public_id}: line {order.lines[0].id} bought 1 seat(s) but has 0 enrolment(s)"]


def test_active_learners_of_a_cancelled_cohort_are_counted_without_the_cancelled_ones(app, now):
    cancelled, running = make_cohort(capacity=10, is_cancelled=True), make_cohort(capacity=10)
    db.session.add_all([Enrolment(cohort_id=cancelled.id, email=f"{n}@example.kz") for n in range(2)])
    db.session.add(Enrolment(cohort_id=cancelled.id, email="moved@example.kz", status="cancelled"))
    db.session.add(Enrolment(cohort_id=running.id, email="stays@example.kz"))
    db.session.commit()
    assert no_learners_in_cancelled_cohorts(now) == [
        f"cohort {cancelled.id}: cancelled but 2 enrolment(s) still active"]


def test_a_cancelled_cohort_whose_learners_were_all_cancelled_passes(app, now):
    cohort = make_cohort(capacity=10, is_cancelled=True)
    db.session.add(Enrolment(cohort_id=cohort.id, email="moved@example.kz", status="cancelled"))
    db.session.commit()
    assert no_learners_in_cancelled_cohorts(now) == []


# Sales of paid lines


def test_a_paid_line_of_several_units_sold_in_full_passes_and_any_other_count_is_reported(app, now):
    product = make_product(stock=10)
    order = _order(_kit(product, 2))
    _pay(order)
    line = order.lines[0]
    _sell(order, line, now, units=3)
    db.session.commit()
    assert paid_lines_sold_once(now) == [f"order {order.public_id}: line {line.id} sold 3 units of 2"]
    db.session.execute(text("UPDATE stock_movement SET delta = -2 WHERE kind = 'sold'"))
    db.session.commit()
    assert paid_lines_sold_once(now) == []


@pytest.mark.parametrize("payment", ["partially_refunded", "refunded"])
def test_a_refunded_kit_line_still_needs_its_one_sale(app, now, payment):
    order = _order(_kit(make_product(stock=5), 1), payment=payment)
    _pay(order)
    db.session.commit()
    assert paid_lines_sold_once(now) == [f"order {order.public_id}: line {order.lines[0].id} is paid but sold 0 times"]


def test_each_line_of_a_paid_order_is_checked_for_its_own_sale(app, now):
    first, second = make_product(stock=5), make_product(stock=5)
    order = _order(_kit(first, 1), _kit(second, 1))
    _pay(order)
    _sell(order, order.lines[0], now)
    db.session.commit()
    assert paid_lines_sold_once(now) == [f"order {order.public_id}: line {order.lines[1].id} is paid but sold 0 times"]


def test_a_flagged_order_may_be_sold_twice_but_not_sold_the_wrong_number_of_units(app, now):
    product = make_product(stock=10)
    order = _paid_kits(product, 1, now, needs_attention="paid twice over")
    _sell(order, order.lines[0], now)
    db.session.commit()
    assert paid_lines_sold_once(now) == []
    flagged = _order(_kit(product, 2), needs_attention="paid late")
    _pay(flagged)
    _sell(flagged, flagged.lines[0], now, units=1)
    db.session.commit()
    assert paid_lines_sold_once(now) == [f"order {flagged.public_id}: line {flagged.lines[0].id} sold 1 units of 2"]


def test_a_sale_on_an_unpaid_order_is_reported_with_its_state_and_one_without_a_sale_passes(app, now):
    product = make_product(stock=10)
    waiting = _order(_kit(product, 1), payment="pending_payment")
    _sell(waiting, waiting.lines[0], now)
    _order(_kit(product, 1), payment="pending_payment")
    _order(_kit(product, 1), payment="cancelled")
    db.session.commit()
    assert paid_lines_sold_once(now) == [
        f"order {waiting.public_id}: line {waiting.lines[0].id} is sold but the order is pending_payment"]


def test_a_paid_order_of_seats_only_needs_no_sale(app, now):
    order = _order(_seats(make_cohort(capacity=5), 1))
    _pay(order)
    db.session.commit()
    assert paid_lines_sold_once(now) == []


# Returns


@pytest.mark.parametrize("sold, on_ledger, counted, problem", [
    (2, 2, 2, None),
    (1, 2, 1, "returned 2 unit(s) (counted 1) but sold 1"),
    (0, 1, 1, "returned 1 unit(s) (counted 1) but sold 0"),
    (3, 1, 2, "returned 1 unit(s) (counted 2) but sold 3"),
    (3, 0, 1, "returned 0 unit(s) (counted 1) but sold 3"),
    (3, 1, 0, "returned 1 unit(s) (counted 0) but sold 3"),
], ids=["up-to-the-units-sold", "more-on-the-ledger-than-sold", "never-sold-though-ledger-and-line-agree",
        "counted-but-missing-from-the-ledger", "counted-with-nothing-on-the-ledger", "on-the-ledger-never-counted"])
def test_a_lines_returns_must_agree_with_the_ledger_and_stay_within_its_sale(app, now, sold, on_ledger, counted,
                                                                           problem):
    product = make_product(stock=10)
    order = _order(_kit(product, max(sold, 1)), payment="paid" if sold else "cancelled")
    line = order.lines[0]
    if sold:
        _pay(order)
        _sell(order, line, now)
    if on_ledger:
        _give_back(order, line, on_ledger, now)
    line.returned_quantity = counted
    db.session.commit()
    assert returns_within_sales(now) == ([f"order {order.public_id}: line {line.id} {problem}"] if problem else [])


def test_each_lines_returns_are_weighed_against_its_own_sale(app, now):
    product = make_product(stock=10)
    order = _order(_kit(product, 2), _kit(product, 1))
    _pay(order)
    for line in order.lines:
        _sell(order, line, now)
        _give_back(order, line, 1, now)
        line.returned_quantity = 1
    db.session.commit()
    assert returns_within_sales(now) == []


def test_a_line_counted_as_returned_beyond_its_sale_is_reported(app, now):
    product = make_product(stock=10)
    order = _paid_kits(product, 1, now)
    unsold = _order(_kit(product, 2), payment="cancelled")
    line = order.lines[0]
    _give_back(order, line, 1, now)
    line.returned_quantity = 1
    db.session.commit()
    assert returns_within_sales(now) == []
    db.session.execute(update(OrderLine).where(OrderLine.id == unsold.lines[0].id).values(returned_quantity=1))
    db.session.commit()
    assert returns_within_sales(now) == [
        f"order {unsold.public_id}: line {unsold.lines[0].id} returned 0 unit(s) (counted 1) but sold 0"]


# Payments and refunds


def test_refunds_are_weighed_against_paid_payments_only_summed_per_order(app, now):
    product = make_product(stock=10)
    order = _paid_kits(product, 1, now)
    _pay(order, amount=order.total_minor, status="failed")
    db.session.add_all([Refund(order_id=order.id, amount_minor=order.total_minor - 100),
                        Refund(order_id=order.id, amount_minor=101)])
    fine = _paid_kits(product, 1, now)
    db.session.add(Refund(order_id=fine.id, amount_minor=fine.total_minor))
    db.session.commit()
    assert refunds_within_payments(now) == [
        f"order {order.public_id}: refunded {order.total_minor + 1} but paid {order.total_minor} (tiyn)"]


def test_a_refund_on_an_order_never_paid_is_reported_against_nothing_paid(app, now):
    order = _order(_kit(make_product(stock=5), 1), payment="cancelled")
    _pay(order, status="expired")
    db.session.add(Refund(order_id=order.id, amount_minor=1))
    db.session.commit()
    assert refunds_within_payments(now) == [f"order {order.public_id}: refunded 1 but paid 0 (tiyn)"]


def test_a_paid_payment_on_an_unpaid_order_is_reported_once_with_its_state(app, now):
    product = make_product(stock=10)
    cancelled = _order(_kit(product, 1), payment="cancelled")
    _pay(cancelled)
    _pay(cancelled)
    waiting = _order(_kit(product, 1), payment="pending_payment")
    _pay(waiting, status="pending")
    _pay(waiting, status="failed")
    db.session.commit()
    assert paid_orders_paid_once(now) == [f"order {cancelled.public_id}: cancelled but a payment for it is paid"]


@pytest.mark.parametrize("payment", ["partially_refunded", "refunded"])
def test_a_refunded_order_still_needs_its_one_paid_payment(app, now, payment):
    order = _order(_kit(make_product(stock=5), 1), payment=payment)
    _pay(order, status="pending")
    db.session.commit()
    assert paid_orders_paid_once(now) == [f"order {order.public_id}: {payment} with 0 paid payments"]
    _pay(order)
    db.session.commit()
    assert paid_orders_paid_once(now) == []


@pytest.mark.parametrize("fulfilment", ["unfulfilled", "packed", "ready_for_pickup"])
def test_an_order_refunded_in_full_while_still_to_be_handed_over_is_reported(app, now, fulfilment):
    product = make_product(stock=10)
    order = _paid_kits(product, 1, now, fulfilment=fulfilment, delivery="pickup")
    order.payment_status = "partially_refunded"
    _pay(order, status="failed")
    db.session.add(Refund(order_id=order.id, amount_minor=order.total_minor))
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == [
        f"order {order.public_id}: partially_refunded, {fulfilment}, but everything paid was refunded"]


def test_each_order_s_refunds_are_weighed_against_its_own_payments(app, now):
    product = make_product(stock=10, price=1000)
    for _ in range(2):
        order = _paid_kits(product, 1, now, payment="partially_refunded")
        db.session.add(Refund(order_id=order.id, amount_minor=600))
    _paid_kits(product, 1, now)
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == []
    refunded = _paid_kits(product, 1, now, payment="partially_refunded")
    db.session.add(Refund(order_id=refunded.id, amount_minor=1000))
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == [
        f"order {refunded.public_id}: partially_refunded, unfulfilled, but everything paid was refunded"]


def test_a_payment_of_one_tiyn_refunded_in_full_is_reported(app, now):
    order = _paid_kits(make_product(stock=10, price=1), 1, now)
    db.session.add(Refund(order_id=order.id, amount_minor=1))
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == [
        f"order {order.public_id}: paid, unfulfilled, but everything paid was refunded"]


def test_an_order_refunded_in_full_after_it_was_handed_over_or_marked_refunded_passes(app, now):
    product = make_product(stock=10)
    for payment, fulfilment in [("paid", "shipped"), ("paid", "picked_up"), ("refunded", "unfulfilled")]:
        order = _paid_kits(product, 1, now, fulfilment=fulfilment, payment=payment)
        db.session.add(Refund(order_id=order.id, amount_minor=order.total_minor))
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == []


def test_a_refund_against_a_payment_of_nothing_is_left_to_the_refunds_check(app, now):
    order = _order(_kit(make_product(stock=5), 1))
    _pay(order, amount=0)
    db.session.add(Refund(order_id=order.id, amount_minor=100))
    db.session.commit()
    assert refunded_orders_not_awaiting_fulfilment(now) == []
    assert refunds_within_payments(now) == [f"order {order.public_id}: refunded 100 but paid 0 (tiyn)"]


# Order states


@pytest.mark.parametrize(("payment", "fulfilment", "delivery", "kits", "problem"), [
    ("pending_payment", "packed", "courier", True, "packed but pending_payment, courier, with kits"),
    ("cancelled", "shipped", "post", True, "shipped but cancelled, post, with kits"),
    ("paid", "packed", "courier", False, "packed but paid, courier, without kits"),
    ("refunded", "picked_up", "pickup", False, "picked_up but refunded, pickup, without kits"),
    ("paid", "ready_for_pickup", "courier", True, "ready_for_pickup but paid, courier, with kits"),
    ("paid", "picked_up", "post", True, "picked_up but paid, post, with kits"),
    ("paid", "shipped", "pickup", True, "shipped but paid, pickup, with kits"),
    ("partially_refunded", "delivered", "pickup", True, "delivered but partially_refunded, pickup, with kits"),
    ("on_hold", "unfulfilled", "courier", True, "unknown state on_hold, unfulfilled"),
    ("paid", "returned", "courier", True, "unknown state paid, returned"),
])
def test_order_states_that_do_not_fit_are_reported_in_the_operators_words(app, now, payment, fulfilment, delivery,
                                                                            kits, problem):
    line = _kit(make_product(stock=5), 1) if kits else _seats(make_cohort(capacity=5), 1)
    order = _order(line, payment=payment, fulfilment=fulfilment, delivery=delivery)
    _order(_seats(make_cohort(capacity=5), 1))  # seats only, never packed: fine
    db.session.commit()
    assert order_states_agree(now) == [f"order {order.public_id}: {problem}"]


# Totals, discounts and promo codes


def test_an_order_whose_subtotal_is_not_its_lines_is_reported_with_every_figure(app, now):
    product = make_product(stock=5, price=1000)
    order = _order(_kit(product, 2), fee=300)
    empty = _order()
    db.session.commit()
    assert order_totals_add_up(now) == []
    db.session.execute(update(Order).where(Order.id == order.id).values(subtotal_minor=2500, total_minor=2800))
    db.session.execute(update(Order).where(Order.id == empty.id).values(subtotal_minor=100, total_minor=100))
    db.session.commit()
    assert sorted(order_totals_add_up(now)) == sorted([
        f"order {order.public_id}: subtotal 2500 for lines of 2000, total 2800 with delivery 300 (tiyn)",
        f"order {empty.public_id}: subtotal 100 for lines of 0, total 100 with delivery 0 (tiyn)"])


def test_a_total_that_is_not_subtotal_plus_delivery_less_discount_is_reported(app, now):
    product = make_product(stock=5, price=1000)
    order = _order(_kit(product, 2, discount_minor=400), fee=300, delivery_discount=100)
    db.session.commit()
    assert order.total_minor == 1800
    assert order_totals_add_up(now) == [] and discounts_within_line_totals(now) == []
    db.session.execute(update(Order).where(Order.id == order.id).values(total_minor=1801))
    db.session.commit()
    assert order_totals_add_up(now) == [
        f"order {order.public_id}: subtotal 2000 for lines of 2000, total 1801 with delivery 300 (tiyn)"]


def test_a_line_discounted_by_its_whole_total_passes_and_by_more_or_below_zero_is_reported(app, now):
    product = make_product(stock=5, price=1000)
    order = _order(_kit(product, 2, discount_minor=2000), _kit(product, 1))
    db.session.commit()
    assert discounts_within_line_totals(now) == []
    whole, other = order.lines
    for discount in (2001, -1):
        db.session.execute(update(OrderLine).where(OrderLine.id == whole.id).values(discount_minor=discount))
        db.session.execute(update(Order).where(Order.id == order.id).values(discount_minor=discount))
        db.session.commit()
        assert discounts_within_line_totals(now) == [
            f"order {order.public_id}: line {whole.id} is discounted below zero or by more than its total"]
    assert other.discount_minor == 0


def test_a_delivery_discount_up_to_the_fee_passes_and_beyond_it_or_below_zero_is_reported(app, now):
    order = _order(_kit(make_product(stock=5, price=1000), 1), fee=300, delivery_discount=300)
    db.session.commit()
    assert discounts_within_line_totals(now) == []
    for delivery_discount in (301, -1):
        db.session.execute(update(Order).where(Order.id == order.id).values(
            delivery_discount_minor=delivery_discount, discount_minor=delivery_discount))
        db.session.commit()
        assert discounts_within_line_totals(now) == [
            f"order {order.public_id}: its discount is not the sum of its lines' and delivery's"]


def test_an_order_discount_that_is_not_its_lines_and_deliverys_is_reported(app, now):
    product = make_product(stock=5, price=1000)
    order = _order(_kit(product, 1, discount_minor=100), _kit(product, 1, discount_minor=50), fee=300,
                   delivery_discount=20)
    empty = _order()
    db.session.commit()
    assert order.discount_minor == 170 and discounts_within_line_totals(now) == []
    db.session.execute(update(Order).where(Order.id == order.id).values(discount_minor=150))
    db.session.execute(update(Order).where(Order.id == empty.id).values(discount_minor=1))
    db.session.commit()
    assert sorted(discounts_within_line_totals(now)) == sorted([
        f"order {order.public_id}: its discount is not the sum of its lines' and delivery's",
        f"order {empty.public_id}: its discount is not the sum of its lines' and delivery's"])


def test_each_orders_discount_is_the_sum_of_its_own_lines(app, now):
    product = make_product(stock=5, price=1000)
    for discount in (100, 250):
        _order(_kit(product, 1, discount_minor=discount), _kit(product, 1, discount_minor=discount))
    db.session.commit()
    assert discounts_within_line_totals(now) == []


def _promo(code="SPRING", uses=0, max_uses=None) -> PromoCode:
    promo = PromoCode(code=code, kind="percent", percent=10, uses=uses, max_uses=max_uses)
    db.session.add(promo)
    db.session.flush()
    return promo


def _redeem(promo, order, *, released_at=None, over_limit=False) -> None:
    db.session.add(PromoRedemption(promo_code_id=promo.id, order_id=order.id, email=order.email, discount_minor=100,
                                   released_at=released_at, is_over_limit=over_limit))
    db.session.flush()


def test_a_code_used_up_to_its_limit_by_live_redemptions_passes_and_released_ones_do_not_count(app, now):
    product = make_product(stock=10)
    promo = _promo(uses=2, max_uses=2)
    for payment in ("paid", "pending_payment"):
        _redeem(promo, _order(_kit(product, 1), payment=payment, promo_code="SPRING"))
    _redeem(promo, _order(_kit(product, 1), payment="cancelled", promo_code="SPRING"), released_at=now)
    unlimited = _promo(code="FOREVER", uses=1)
    _redeem(unlimited, _order(_kit(product, 1), payment="pending_payment", promo_code="FOREVER"))
    db.session.commit()
    assert promo_uses_within_limits(now) == [] and promo_uses_held_by_open_orders(now) == []


def test_a_code_used_beyond_its_limit_is_reported_unless_the_extra_use_was_a_late_payment(app, now):
    product = make_product(stock=10)
    promo = _promo(uses=3, max_uses=2)
    orders = [_order(_kit(product, 1), payment="paid", promo_code="SPRING") for _ in range(3)]
    for order in orders[:2]:
        _redeem(promo, order)
    _redeem(promo, orders[2], over_limit=True)
    db.session.commit()
    assert promo_uses_within_limits(now) == []
    db.session.execute(update(PromoRedemption).values(is_over_limit=False))
    db.session.commit()
    assert promo_uses_within_limits(now) == ["promo code SPRING: 3 use(s) counted, limit 2, 3 live redemption(s)"]


def test_each_late_payment_excuses_one_use_beyond_the_limit_not_more(app, now):
    product = make_product(stock=10)
    promo = _promo(uses=3, max_uses=1)
    for over_limit in (False, True, False):
        _redeem(promo, _order(_kit(product, 1), payment="paid", promo_code="SPRING"), over_limit=over_limit)
    db.session.commit()
    assert promo_uses_within_limits(now) == ["promo code SPRING: 3 use(s) counted, limit 1, 3 live redemption(s)"]


def test_uses_counted_that_differ_from_the_live_redemptions_are_reported(app, now):
    product = make_product(stock=10)
    promo, unused = _promo(uses=1, max_uses=5), _promo(code="UNUSED", uses=0, max_uses=1)
    _promo(code="IDLE", uses=0, max_uses=10)
    _redeem(promo, _order(_kit(product, 1), payment="paid", promo_code="SPRING"))
    _redeem(promo, _order(_kit(product, 1), payment="cancelled", promo_code="SPRING"), released_at=now)
    db.session.commit()
    assert promo_uses_within_limits(now) == []
    db.session.execute(update(PromoCode).values(uses=2))
    db.session.commit()
    assert sorted(promo_uses_within_limits(now)) == [
        "promo code IDLE: 2 use(s) counted, limit 10, 0 live redemption(s)",
        "promo code SPRING: 2 use(s) counted, limit 5, 1 live redemption(s)",
        "promo code UNUSED: 2 use(s) counted, limit 1, 0 live redemption(s)"]
    assert unused.max_uses == 1


@pytest.mark.parametrize("payment", ["pending_payment", "paid", "refunded"])
def test_an_open_or_paid_order_with_a_code_but_no_live_use_of_it_is_reported(app, now, payment):
    promo = _promo(uses=0, max_uses=5)
    order = _order(_kit(make_product(stock=5), 1), payment=payment, promo_code="SPRING")
    _redeem(promo, order, released_at=now)
    _order(_kit(make_product(stock=5), 1), payment="cancelled", promo_code="SPRING")
    db.session.commit()
    assert promo_uses_held_by_open_orders(now) == [
        f"order {order.public_id}: {payment} with promo code SPRING but holds no use of it"]


def test_a_cancelled_order_still_holding_a_use_is_reported(app, now):
    promo = _promo(uses=1, max_uses=5)
    order = _order(_kit(make_product(stock=5), 1), payment="cancelled", promo_code="SPRING")
    _redeem(promo, order)
    db.session.commit()
    assert promo_uses_held_by_open_orders(now) == [
        f"order {order.public_id}: cancelled but still holds a use of promo code SPRING"]
