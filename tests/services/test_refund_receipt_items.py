"""What a refund's return receipt lists, and what "refund everything left" gives back (found by `make mutation`)."""
from shop.clock import utcnow
from shop.database import unit_of_work
from shop.extensions import db
from shop.models import Refund
from shop.orders.refund_lines import ReturnedItem, everything_left, receipt_items
from shop.orders.refunds import RefundRequest, refund_order
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_cohort, make_product


def _refund(order, *, lines=None, delivery=False, amount=None):
    return refund_order(RefundRequest(order.id, amount, "Returned", {}, lines=lines or {}, delivery=delivery),
                        gateway=RecordingGateway(), actor_id=None, now=utcnow())


def _by_line(items):
    return {item.order_line_id: item.quantity for item in items}


def test_a_return_receipt_lists_the_units_given_back_in_order_and_marks_the_delivery_a_service(app):
    order = paid_order(app, make_product(stock=9, price=400000), 3)
    assert order.delivery_fee_minor > 0
    [line] = order.lines
    refund = _refund(order, lines={line.id: 2}, delivery=True)
    assert receipt_items(refund) == [
        ReturnedItem(line.name, 400000, 2, 800000, line.id, is_service=False),
        ReturnedItem("Доставка / Delivery", order.delivery_fee_minor, 1, order.delivery_fee_minor, None,
                     is_service=True),
    ]


def test_a_seat_given_back_is_a_service_on_the_return_receipt(app):
    order = paid_order(app, cohort=make_cohort(price=250000), delivery="pickup")
    [line] = order.lines
    from shop.orders.refund_lines import items_to_refund

    assert items_to_refund(order, {line.id: 1}, delivery=False)[0].is_service
    refund = _refund(order, lines={line.id: 1})
    assert receipt_items(refund) == [ReturnedItem(line.name, 250000, 1, 250000, line.id, is_service=True)]


def test_a_refund_of_an_amount_without_lines_is_one_service_line_naming_the_order(app):
    order = paid_order(app, make_product(stock=9, price=400000), 1)
    refund = _refund(order, amount=12345)
    assert receipt_items(refund) == [
        ReturnedItem(f"Возврат по заказу {order.number} / Refund", 12345, 1, 12345, is_service=True)]


def test_lines_that_do_not_add_up_to_the_refund_give_way_to_one_line_of_its_amount(app):
    order = paid_order(app, make_product(stock=9, price=400000), 2)
    [line] = order.lines
    refund = _refund(order, lines={line.id: 1})
    with unit_of_work():
        db.session.get(Refund, refund.id).amount_minor = 1000
    assert receipt_items(db.session.get(Refund, refund.id)) == [
        ReturnedItem(f"Возврат по заказу {order.number} / Refund", 1000, 1, 1000, is_service=True)]


def test_everything_left_is_every_unit_not_given_back_yet_and_the_delivery_once(app):
    order = paid_order(app, make_product(stock=9, price=400000), 3)
    [line] = order.lines
    left = everything_left(order)
    assert _by_line(left) == {line.id: 3, None: 1}
    _refund(order, lines={line.id: 2}, delivery=True)
    assert [(item.order_line_id, item.quantity, item.amount_minor) for item in everything_left(order)] == [
        (line.id, 1, 400000)]
    _refund(order, lines={line.id: 1})
    assert everything_left(order) == []


def test_units_to_give_back_must_be_units_of_this_order_not_given_back_yet(app):
    import pytest

    from shop.orders.refund_lines import InvalidRefundLines, items_to_refund

    order = paid_order(app, make_product(stock=9, price=400000), 3)
    other = paid_order(app, make_product(stock=9, price=100000), 1)
    [line] = order.lines
    for lines in ({other.lines[0].id: 1}, {line.id + 1000: 1}, {line.id: 0}, {line.id: 4}):
        with pytest.raises(InvalidRefundLines):
            items_to_refund(order, lines, delivery=False)
    _refund(order, lines={line.id: 2}, delivery=True)
    with pytest.raises(InvalidRefundLines):
        items_to_refund(order, {line.id: 2}, delivery=False)
    with pytest.raises(InvalidRefundLines):
        items_to_refund(order, {}, delivery=True)  # the delivery was given back already
    [item] = items_to_refund(order, {line.id: 1}, delivery=False)  # the last unit, after the delivery went back
    assert (item.quantity, item.amount_minor, item.is_service) == (1, 400000, False)


def test_a_kit_is_goods_and_the_delivery_a_service_in_what_a_refund_gives_back(app):
    from shop.orders.refund_lines import items_to_refund

    order = paid_order(app, make_product(stock=9, price=400000), 1)
    kit, delivery = items_to_refund(order, {order.lines[0].id: 1}, delivery=True)
    assert (kit.is_service, delivery.is_service) == (False, True)
    assert (delivery.quantity, delivery.amount_minor, delivery.order_line_id) == (1, order.delivery_fee_minor, None)


def test_a_pickup_order_has_no_delivery_to_give_back(app):
    import pytest

    from shop.orders.refund_lines import InvalidRefundLines, items_to_refund

    order = paid_order(app, make_product(stock=9, price=400000), 1, delivery="pickup")
    assert order.delivery_fee_minor == 0
    with pytest.raises(InvalidRefundLines):
        items_to_refund(order, {}, delivery=True)
