"""Promo codes at checkout: taken with the order's holds, exactly as many times as allowed, given back with them."""
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.cart.services import add_to_cart
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Cart, Order, PromoCode, PromoRedemption
from shop.orders.expiry import expire_orders
from shop.orders.placing import BuyerDetails, place_order
from shop.orders.refunds import RefundRequest, refund_order
from shop.promo.services import CodeNotCurrent, CodeUsedByYou, CodeUsedUp, UnknownCode, set_cart_code
from tests.admin_support import RecordingGateway
from tests.factories import make_cohort, make_product
from tests.races import run_at_once
from tests.views.helpers import add, check_out, path_of

BUYER = BuyerDetails(email="buyer@example.kz", full_name="Дана", phone="+7 701 234 56 78", delivery_method="pickup",
                     accepts_terms=True)


def make_code(code="SPRING", **fields) -> PromoCode:
    promo = PromoCode(code=code, **{"kind": "percent", "percent": 10, **fields})
    db.session.add(promo)
    db.session.commit()
    return promo


def cart_with(product, quantity, now, code=None) -> Cart:
    cart = add_to_cart(token=None, user=None, product_slug=product.slug, cohort_ref=None, quantity=str(quantity),
                       now=now)
    if code:
        set_cart_code(code, token=cart.token, user=None, now=now)
    return cart


def test_an_order_keeps_its_discount_line_by_line_and_takes_one_use(app, now):
    make_code()
    kit, other = make_product(price=500000), make_product(price=300000)
    cart = cart_with(kit, 1, now, "spring")
    add_to_cart(token=cart.token, user=None, product_slug=other.slug, cohort_ref=None, quantity="1", now=now)
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert (order.subtotal_minor, order.discount_minor, order.total_minor) == (800000, 80000, 720000)
    assert [line.discount_minor for line in order.lines] == [50000, 30000]
    assert order.promo_code == "SPRING"
    assert db.session.scalar(select(PromoCode.uses)) == 1


def test_the_delivery_fee_is_not_discounted_unless_the_code_says_so(app, now):
    make_code("ALL", kind="fixed", amount_minor=99_000_000)
    cart = cart_with(make_product(price=500000), 1, now, "ALL")
    order, _ = place_order(cart, replace(BUYER, delivery_method="courier", city="Алматы", address="Абая 10"),
                           user=None, now=now, hold_minutes=30)
    assert order.delivery_fee_minor > 0
    assert order.total_minor == order.delivery_fee_minor
    assert order.delivery_discount_minor == 0


def test_a_code_of_course_seats_discounts_only_the_seats(app, now):
    make_code("LEARN", percent=50, scope="courses")
    cohort = make_cohort(price=1000000)
    cart = cart_with(make_product(price=500000), 1, now, "LEARN")
    add_to_cart(token=cart.token, user=None, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now)
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert [line.discount_minor for line in order.lines] == [0, 500000]


def test_unknown_and_expired_codes_are_refused_in_the_cart(app, now):
    make_code("OLD", valid_until=now - timedelta(days=1))
    cart = cart_with(make_product(), 1, now)
    with pytest.raises(UnknownCode):
        set_cart_code("NOPE", token=cart.token, user=None, now=now)
    with pytest.raises(CodeNotCurrent):
        set_cart_code("old", token=cart.token, user=None, now=now)


def test_a_code_that_ran_out_after_it_went_on_the_cart_refuses_the_order_at_its_last_moment(app, now):
    make_code(valid_until=now + timedelta(minutes=5))
    cart = cart_with(make_product(), 1, now, "SPRING")
    order, _ = place_order(cart, BUYER, user=None, now=now + timedelta(minutes=4), hold_minutes=30)
    assert order.discount_minor > 0
    with pytest.raises(CodeNotCurrent):
        place_order(cart, BUYER, user=None, now=now + timedelta(minutes=5), hold_minutes=30)


def test_a_used_up_code_refuses_the_order_and_takes_no_holds(app, now):
    make_code(max_uses=1)
    first = cart_with(make_product(), 1, now, "SPRING")
    second = cart_with(make_product(), 1, now, "SPRING")
    place_order(first, BUYER, user=None, now=now, hold_minutes=30)
    with pytest.raises(CodeUsedUp):
        place_order(second, replace(BUYER, email="other@example.kz"), user=None, now=now, hold_minutes=30)
    assert db.session.scalar(select(func.count(Order.id))) == 1


def test_a_customer_uses_a_code_only_as_often_as_it_allows(app, now):
    make_code(max_uses_per_customer=1)
    place_order(cart_with(make_product(), 1, now, "SPRING"), BUYER, user=None, now=now, hold_minutes=30)
    with pytest.raises(CodeUsedByYou):
        place_order(cart_with(make_product(), 1, now, "SPRING"), replace(BUYER, email="BUYER@example.kz"),
                    user=None, now=now, hold_minutes=30)
    assert db.session.scalar(select(PromoCode.uses)) == 1


def test_an_expired_unpaid_order_gives_its_use_back(app, now):
    make_code(max_uses=1)
    order, _ = place_order(cart_with(make_product(), 1, now, "SPRING"), BUYER, user=None, now=now, hold_minutes=30)
    expire_orders(now + timedelta(minutes=31))
    assert db.session.scalar(select(PromoCode.uses)) == 0
    assert db.session.scalar(select(PromoRedemption.released_at).where(PromoRedemption.order_id == order.id))
    place_order(cart_with(make_product(), 1, now, "SPRING"), replace(BUYER, email="next@example.kz"), user=None,
                now=now + timedelta(minutes=32), hold_minutes=30)
    assert db.session.scalar(select(PromoCode.uses)) == 1


def test_checking_out_again_replaces_the_order_without_using_the_code_twice(app, now):
    make_code(max_uses=1)
    cart = cart_with(make_product(), 1, now, "SPRING")
    place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    assert order.discount_minor > 0
    assert db.session.scalar(select(PromoCode.uses)) == 1


def test_twenty_buyers_racing_for_a_code_with_five_uses_left_get_exactly_five(app, now):
    make_code(max_uses=5)
    cart_ids = [cart_with(make_product(stock=1), 1, now, "SPRING").id for _ in range(20)]
    db.session.remove()

    def buy(index):
        order, _ = place_order(db.session.get(Cart, cart_ids[index]), replace(BUYER, email=f"racer{index}@example.kz"),
                               user=None, now=utcnow(), hold_minutes=30)
        return order.discount_minor

    results = run_at_once(app, buy, 20)
    assert sum(isinstance(result, int) and result > 0 for result in results) == 5
    assert all(isinstance(result, int | CodeUsedUp) for result in results)
    assert db.session.scalar(select(PromoCode.uses)) == 5
    assert db.session.scalar(select(func.count(Order.id))) == 5


def test_refunding_a_discounted_line_gives_back_what_was_paid_for_it(app):
    make_code(kind="fixed", amount_minor=100001)
    kit, other = make_product(price=300000), make_product(price=100000)
    client = app.test_client()
    add(client, kit, 2)
    add(client, other, 2)
    client.post("/cart/promo", data={"code": "spring"}, headers={"Sec-Fetch-Site": "same-origin"})
    response = check_out(client, delivery_method="pickup", city="", address="")
    client.post(path_of(response), data={"outcome": "pay"})
    order = db.session.scalar(select(Order))
    assert order.payment_status == "paid" and order.total_minor == 699999
    line = order.lines[0]
    assert line.discount_minor == 75001
    first = refund_order(RefundRequest(order.id, None, "Broken", {}, lines={line.id: 1}), gateway=RecordingGateway(),
                         actor_id=None, now=utcnow())
    second = refund_order(RefundRequest(order.id, None, "Broken", {}, lines={line.id: 1}, key="2"),
                          gateway=RecordingGateway(), actor_id=None, now=utcnow())
    assert (first.amount_minor, second.amount_minor) == (300000 - 37500, 300000 - 37501)


def test_the_receipt_and_the_stripe_lines_of_a_discounted_order_add_up_to_what_is_paid(app, now):
    from shop.payments.stripe_gateway import StripeGateway
    from shop.payments.tiptoppay_gateway import receipt_lines

    make_code(kind="fixed", amount_minor=100001, includes_delivery=True)
    cart = cart_with(make_product(price=300000), 3, now, "SPRING")
    order, _ = place_order(cart, replace(BUYER, delivery_method="courier", city="Алматы", address="Абая 10"),
                           user=None, now=now, hold_minutes=30)
    lines = receipt_lines(order, vat_rate=None, discounts_minor={line.id: line.discount_minor for line in order.lines})
    assert sum(line.amount_minor for line in lines) == order.total_minor
    items = [StripeGateway._order_line_item(line) for line in order.lines]
    charged = sum(item["quantity"] * item["price_data"]["unit_amount"] for item in items)
    assert charged + order.delivery_fee_minor - order.delivery_discount_minor == order.total_minor


def test_a_signed_in_customer_is_counted_by_account_whatever_e_mail_they_type(app, now):
    from tests.factories import make_user

    make_code(max_uses_per_customer=1)
    customer = make_user(email="dana@example.kz")
    order, _ = place_order(cart_with(make_product(), 1, now, "SPRING"), BUYER, user=customer, now=now,
                           hold_minutes=30)
    redemption = db.session.scalar(select(PromoRedemption))
    assert (redemption.order_id, redemption.user_id, redemption.email, redemption.created_at) == (
        order.id, customer.id, "buyer@example.kz", now)
    with pytest.raises(CodeUsedByYou):
        place_order(cart_with(make_product(), 1, now, "SPRING"), replace(BUYER, email="other@example.kz"),
                    user=customer, now=now, hold_minutes=30)
    assert db.session.scalar(select(PromoCode.uses)) == 1


def test_refunding_the_delivery_of_an_order_whose_code_took_some_off_it_gives_back_what_was_paid_for_it(app):
    make_code(percent=10, includes_delivery=True)
    client = app.test_client()
    add(client, make_product(price=300000), 1)
    client.post("/cart/promo", data={"code": "spring"}, headers={"Sec-Fetch-Site": "same-origin"})
    response = check_out(client, delivery_method="courier")
    client.post(path_of(response), data={"outcome": "pay"})
    order = db.session.scalar(select(Order))
    assert order.payment_status == "paid" and 0 < order.delivery_discount_minor < order.delivery_fee_minor
    refund = refund_order(RefundRequest(order.id, None, "Late", {}, delivery=True), gateway=RecordingGateway(),
                          actor_id=None, now=utcnow())
    assert refund.amount_minor == order.delivery_fee_minor - order.delivery_discount_minor


def test_refunding_a_discounted_delivery_gives_back_what_was_paid_for_it(app, now):
    from shop.orders.refund_lines import items_to_refund

    make_code(kind="fixed", amount_minor=100001, includes_delivery=True)
    cart = cart_with(make_product(price=300000), 3, now, "SPRING")
    order, _ = place_order(cart, replace(BUYER, delivery_method="courier", city="Алматы", address="Абая 10"),
                           user=None, now=now, hold_minutes=30)
    assert 0 < order.delivery_discount_minor < order.delivery_fee_minor
    [delivery] = items_to_refund(order, {}, delivery=True)
    assert (delivery.unit_price_minor, delivery.amount_minor) == (
        order.delivery_fee_minor, order.delivery_fee_minor - order.delivery_discount_minor)
