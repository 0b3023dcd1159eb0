"""Nothing invented, nothing lost: refunds, provider events in any order, closed items, caps on holding."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.services import availability, seat_availability
from shop.models import Cart, Enrolment, Hold, Order, OutboxMessage, Payment, Product, Refund
from shop.orders.paying import mark_paid
from shop.orders.placing import (
    BuyerDetails,
    CourierNotServed,
    HoldLimitReached,
    NoLongerSold,
    OrderTooLarge,
    TooManyItems,
    place_order,
)
from shop.orders.refunds import InvalidRestock, RefundRequest, refund_order
from shop.settings import CheckoutRules, city_key
from tests.admin_support import RecordingGateway, paid_order
from tests.conftest import login, post_webhook
from tests.factories import make_cohort, make_course, make_product, make_user
from tests.stripe_stub import make_event
from tests.views.helpers import BUYER, add, check_out, path_of


def _buyer(**changes) -> BuyerDetails:
    fields = {key: BUYER[key] for key in ("email", "full_name", "phone", "delivery_method", "city", "address")}
    return BuyerDetails(**{**fields, "accepts_terms": True, **changes})


def _cart_with(product=None, quantity=1, cohort=None) -> Cart:
    cart = Cart(token=f"t{utcnow().timestamp()}{id(object())}", created_at=utcnow(), updated_at=utcnow())
    db.session.add(cart)
    db.session.flush()
    from shop.models import CartLine

    cart.lines.append(CartLine(product=product, cohort=cohort, quantity=quantity, created_at=utcnow()))
    db.session.commit()
    return cart


def _on_hand(product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).on_hand


# --- refunds can put back only what was sold ---------------------------------------------------------


def test_refunding_a_late_payment_whose_units_went_to_others_cannot_restock_units_never_sold(app, client, now):
    product = make_product(stock=1)
    add(client, product)
    response = check_out(client)
    order = db.session.scalar(select(Order))
    reference = db.session.scalar(select(Payment.reference))
    db.session.execute(update(Hold).values(expires_at=now - timedelta(minutes=1)))  # the hold ran out…
    db.session.commit()
    paid_order(app, product, 1)  # …and someone else bought the last unit
    later = now + timedelta(hours=2)
    mark_paid(order.public_id, provider="dummy", reference=reference, amount_minor=order.total_minor, now=later)
    db.session.refresh(order)
    assert order.payment_status == "paid" and "Not enough stock" in order.needs_attention
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"order-problem:{order.id}"))
    assert order.lines[0].name in told.body_text  # the buyer is told which kit the shop could not honour
    assert response.status_code == 303
    with pytest.raises(InvalidRestock):
        refund_order(RefundRequest(order.id, order.total_minor, "sold out", {order.lines[0].id: 1}),
                     gateway=RecordingGateway(), actor_id=None, now=later)
    assert _on_hand(product) == 0


# --- the same refund asked twice refunds and restocks once --------------------------------------------


def test_the_same_refund_request_sent_twice_refunds_and_restocks_once_with_the_dummy_provider(app):
    from shop.payments.dummy_gateway import DummyGateway

    product = make_product(stock=5)
    order = paid_order(app, product, 2)
    request = RefundRequest(order.id, 300000, "double click", {order.lines[0].id: 1}, key="form-1")
    first = refund_order(request, gateway=DummyGateway(), actor_id=None, now=utcnow())
    second = refund_order(request, gateway=DummyGateway(), actor_id=None, now=utcnow())
    assert first.id == second.id
    assert db.session.scalars(select(Refund.amount_minor)).all() == [300000]
    assert _on_hand(product) == 4


def test_a_double_clicked_refund_form_refunds_once_through_stripe(stripe_client, stripe_stub):
    product = make_product(stock=5)
    add(stripe_client, product, 2)
    check_out(stripe_client)
    session_id = next(iter(stripe_stub.sessions))
    post_webhook(stripe_client, make_event("checkout.session.completed", stripe_stub.complete(session_id)))
    order = db.session.scalar(select(Order))
    login(stripe_client, make_user(role="staff"))
    form = {"request_key": "one-form", "basis": "amount", "amount_minor": "3000", "reason": "double click",
            f"restock_{order.lines[0].id}": "1", "confirm": "1"}
    assert stripe_client.post(f"/admin/orders/{order.id}/refund", data=form).status_code == 303
    assert stripe_client.post(f"/admin/orders/{order.id}/refund", data=form).status_code == 303
    assert len(stripe_stub.refunds) == 1
    assert db.session.scalars(select(Refund.amount_minor)).all() == [300000]
    assert _on_hand(product) == 4


# --- provider events in any order end in the truth ----------------------------------------------------


def test_a_refund_reported_before_the_payment_leaves_a_refunded_order_not_one_to_pack(stripe_client, stripe_stub):
    product = make_product(stock=5)
    add(stripe_client, product, 2)
    check_out(stripe_client)
    session_id = next(iter(stripe_stub.sessions))
    session = stripe_stub.complete(session_id)
    order = db.session.scalar(select(Order))
    charge = {"id": "ch_1", "object": "charge", "payment_intent": session["payment_intent"],
              "amount_refunded": order.total_minor, "metadata": {"order_id": order.public_id},
              "refunds": {"data": [{"id": "re_early"}]}}
    assert post_webhook(stripe_client, make_event("charge.refunded", charge)).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"
    assert post_webhook(stripe_client, make_event("checkout.session.completed", session)).status_code == 200
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert order.payment_status == "refunded"
    assert db.session.scalars(select(Refund.amount_minor)).all() == [order.total_minor]
    assert _on_hand(product) == 5  # sold and put back: the kits never left the shelf


def test_a_provider_refund_above_what_was_paid_is_capped(stripe_client, stripe_stub):
    product = make_product(stock=5)
    add(stripe_client, product, 1)
    check_out(stripe_client)
    session_id = next(iter(stripe_stub.sessions))
    session = stripe_stub.complete(session_id)
    post_webhook(stripe_client, make_event("checkout.session.completed", session))
    order = db.session.scalar(select(Order))
    charge = {"id": "ch_1", "object": "charge", "payment_intent": session["payment_intent"],
              "amount_refunded": order.total_minor * 3, "metadata": {"order_id": order.public_id},
              "refunds": {"data": []}}
    post_webhook(stripe_client, make_event("charge.refunded", charge))
    assert db.session.scalar(select(func.sum(Refund.amount_minor))) == order.total_minor


def test_a_payment_below_the_orders_total_is_flagged_for_staff(app, client):
    add(client, make_product(stock=5), 1)
    check_out(client)
    order = db.session.scalar(select(Order))
    reference = db.session.scalar(select(Payment.reference))
    mark_paid(order.public_id, provider="dummy", reference=reference, amount_minor=order.total_minor - 1,
                 now=utcnow())
    db.session.refresh(order)
    assert order.payment_status == "paid"
    assert f"Paid {order.total_minor - 1} but the order totals" in order.needs_attention


def test_a_second_refund_recorded_while_the_provider_answers_the_first_is_seen_under_the_order_lock(app):
    from shop.errors import RefundTooLarge

    order = paid_order(app, make_product(stock=5, price=500000), 1)

    class MeanwhileGateway(RecordingGateway):
        def refund(self, payment_intent, amount_minor, *, idempotency_key):
            reference = super().refund(payment_intent, amount_minor, idempotency_key=idempotency_key)
            if len(self.calls) == 1:  # while the provider answers, another refund is recorded
                refund_order(RefundRequest(order.id, order.total_minor, "meanwhile", {}, key="other"),
                             gateway=RecordingGateway(), actor_id=None, now=utcnow())
            return reference

    with pytest.raises(RefundTooLarge):
        refund_order(RefundRequest(order.id, 100000, "first", {}, key="first"), gateway=MeanwhileGateway(),
                     actor_id=None, now=utcnow())
    assert db.session.scalars(select(Refund.reason)).all() == ["meanwhile"]


# --- what cannot be bought is not sold -----------------------------------------------------------------


def test_a_kit_taken_off_sale_cannot_be_checked_out_and_loses_its_holds(app, client, now):
    product = make_product(stock=5)
    add(client, product, 2)
    check_out(client)
    assert availability([product.id], now)[product.id] == 3
    from shop.admin.catalog import save_product

    values = {field: getattr(product, field) for field in (
        "slug", "category_id", "price_minor", "low_stock_threshold", "is_featured", "days_to_harvest", "course_id",
        *[f"{name}_{lang}" for name in ("name", "description", "contents") for lang in ("ru", "kk", "en")])}
    save_product(product.id, {**values, "is_active": False}, actor_id=None, now=now)
    assert availability([product.id], now)[product.id] == 5
    with pytest.raises(NoLongerSold):
        place_order(_cart_with(product), _buyer(), user=None, now=now, hold_minutes=30)


def test_a_payment_for_a_kit_taken_off_sale_meanwhile_is_flagged_not_sold_and_the_buyer_is_told(app, client, now):
    product = make_product(stock=5)
    add(client, product, 1)
    check_out(client)
    order = db.session.scalar(select(Order))
    product.is_active = False
    db.session.commit()
    mark_paid(order.public_id, provider="dummy", reference=db.session.scalar(select(Payment.reference)),
                 amount_minor=order.total_minor, now=now)
    db.session.refresh(order)
    assert order.payment_status == "paid" and "taken off sale" in order.needs_attention
    assert _on_hand(product) == 5
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"order-problem:{order.id}"))
    assert told.recipient == BUYER["email"] and product.name_ru in told.body_text


def test_cancelling_a_cohort_releases_its_held_seats_and_a_late_payment_enrols_nobody(app, client, now):
    from shop.admin.cohorts import set_cancelled

    cohort = make_cohort(capacity=3)
    add(client, cohort=cohort)
    check_out(client)
    order = db.session.scalar(select(Order))
    set_cancelled(cohort.id, True, actor_id=None, now=now)
    assert db.session.scalar(select(func.count(Hold.id))) == 0
    mark_paid(order.public_id, provider="dummy", reference=db.session.scalar(select(Payment.reference)),
                 amount_minor=order.total_minor, now=now)
    db.session.refresh(order)
    assert "cohort was cancelled" in order.needs_attention
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_seats_are_never_held_past_the_cohorts_start(app, now):
    cohort = make_cohort(capacity=3, starts_at=now + timedelta(minutes=10))
    order, _ = place_order(_cart_with(cohort=cohort), _buyer(), user=None, now=now, hold_minutes=30)
    hold = db.session.scalar(select(Hold).where(Hold.order_id == order.id))
    assert hold.expires_at == cohort.starts_at


def test_a_course_taken_off_offer_cannot_be_checked_out(app, now):
    course = make_course()
    cohort = make_cohort(course=course, capacity=3)
    course.is_active = False
    db.session.commit()
    with pytest.raises(NoLongerSold):
        place_order(_cart_with(cohort=cohort), _buyer(), user=None, now=now, hold_minutes=30)


# --- one buyer cannot hold the shop ---------------------------------------------------------------------


def test_one_buyer_cannot_hold_more_unpaid_orders_than_the_cap(app, now):
    product = make_product(stock=50)
    rules = CheckoutRules(max_unpaid_orders=2)
    for _ in range(2):
        place_order(_cart_with(product), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)
    with pytest.raises(HoldLimitReached):
        place_order(_cart_with(product), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)
    place_order(_cart_with(product), _buyer(email="someone-else@example.kz"), user=None, now=now, hold_minutes=30,
                rules=rules)


def test_the_cap_counts_one_address_under_any_email(app, now):
    product = make_product(stock=50)
    rules = CheckoutRules(max_unpaid_orders=2)
    for number in range(2):
        place_order(_cart_with(product), _buyer(email=f"n{number}@example.kz", client_ip="10.0.0.7"), user=None,
                    now=now, hold_minutes=30, rules=rules)
    with pytest.raises(HoldLimitReached):
        place_order(_cart_with(product), _buyer(email="n9@example.kz", client_ip="10.0.0.7"), user=None, now=now,
                    hold_minutes=30, rules=rules)


def test_the_cap_counts_one_account_under_any_email(app, now):
    product, user = make_product(stock=50), make_user()
    rules = CheckoutRules(max_unpaid_orders=1)
    place_order(_cart_with(product), _buyer(email="a@example.kz"), user=user, now=now, hold_minutes=30, rules=rules)
    with pytest.raises(HoldLimitReached):
        place_order(_cart_with(product), _buyer(email="b@example.kz"), user=user, now=now, hold_minutes=30,
                    rules=rules)


def test_held_units_across_a_buyers_orders_are_capped(app, now):
    product = make_product(stock=50)
    rules = CheckoutRules(max_held_units=5)
    place_order(_cart_with(product, 4), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)
    with pytest.raises(HoldLimitReached):
        place_order(_cart_with(product, 2), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)


@pytest.mark.parametrize("later", [31, 30], ids=["after-it-expired", "at-the-very-moment-it-ends"])
def test_expired_unpaid_orders_no_longer_count_against_the_cap(app, now, later):
    product = make_product(stock=50)
    rules = CheckoutRules(max_unpaid_orders=1)
    place_order(_cart_with(product), _buyer(), user=None, now=now, hold_minutes=30, rules=rules)
    place_order(_cart_with(product), _buyer(), user=None, now=now + timedelta(minutes=later), hold_minutes=30,
                rules=rules)


def test_checking_out_the_same_cart_again_replaces_its_order_and_is_not_capped(app, now):
    product = make_product(stock=50)
    rules = CheckoutRules(max_unpaid_orders=1)
    cart = _cart_with(product)
    for _ in range(3):
        place_order(cart, _buyer(), user=None, now=now, hold_minutes=30, rules=rules)


def test_one_order_holds_at_most_the_configured_units(app, now):
    with pytest.raises(TooManyItems):
        place_order(_cart_with(make_product(stock=50), 31), _buyer(), user=None, now=now, hold_minutes=30)


def test_an_order_above_the_largest_the_shop_takes_online_is_refused_with_a_message(app, now):
    product = make_product(stock=50, price=999_999_999)
    with pytest.raises(OrderTooLarge):
        place_order(_cart_with(product, 11), _buyer(), user=None, now=now, hold_minutes=30)


def test_money_beyond_32_bits_is_stored_and_read_back(app, now):
    product = make_product(stock=10, price=999_999_999)  # 9 999 999,99 ₸
    order, _ = place_order(_cart_with(product, 3), _buyer(), user=None, now=now, hold_minutes=30)
    db.session.expire_all()
    assert db.session.get(Order, order.id).total_minor == 3 * 999_999_999 + 150_000 > 2**31


# --- courier only where it goes --------------------------------------------------------------------------


@pytest.mark.parametrize("city", ["Алматы", "г. Алматы", "almaty", "ALMATY", "Алма-Ата", "қ. Алматы"])
def test_the_courier_serves_almaty_however_it_is_written(city):
    assert CheckoutRules().courier_serves(city)


@pytest.mark.parametrize("locale, served", [("en", "Almaty"), ("ru", "Алматы")])
def test_a_courier_order_to_a_city_it_does_not_serve_is_refused_on_the_city_naming_those_it_serves(
        app, now, locale, served):
    with pytest.raises(CourierNotServed) as refused:
        place_order(_cart_with(make_product(stock=5)), _buyer(city="Караганда", locale=locale), user=None, now=now,
                    hold_minutes=30)
    assert refused.value.field == "city"
    with force_locale(locale):
        assert f" {served}. " in str(refused.value.message)
    place_order(_cart_with(make_product(stock=5)), _buyer(city="Караганда", delivery_method="post"), user=None,
                now=now, hold_minutes=30)


def test_courier_cities_are_configurable_in_any_language(app):
    rules = CheckoutRules.from_config({**app.config, "COURIER_CITIES": "Almaty, Астана"})
    assert rules.courier_serves("Nur-Sultan") and rules.courier_serves("Astana") and not rules.courier_serves("Taraz")
    assert city_key("Қарағанды") == city_key("Karaganda") == "karaganda"


# --- the cart joined at login ---------------------------------------------------------------------------


def test_a_cart_joined_at_login_keeps_each_line_within_what_is_available(app, client, login_as):
    product = make_product(stock=5)
    user = make_user()
    login_as(user)
    add(client, product, 4)
    client.post("/account/logout")
    add(client, product, 3)
    login_as(user)
    cart = db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    assert [line.quantity for line in cart.lines] == [5]


# --- a kit that includes a course is charged as the kit ----------------------------------------------------


def test_a_kit_that_includes_a_course_is_charged_at_the_kits_price_not_the_seats(app, client):
    course = make_course()
    cohort = make_cohort(course=course, price=1_990_000)
    kit = make_product(stock=5, price=790_000, course=course)
    add(client, kit, 1, cohort=cohort)
    response = check_out(client, delivery_method="pickup", city="", address="")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.subtotal_minor == 790_000 and order.lines[0].unit_price_minor == 790_000
    assert seat_availability([cohort.id], utcnow())[cohort.id] == cohort.capacity - 1
    assert path_of(response).startswith("/pay/test/")


def test_a_refund_double_clicked_at_the_same_moment_refunds_and_restocks_once(app):
    from shop.payments.dummy_gateway import DummyGateway
    from tests.races import run_at_once

    product = make_product(stock=5)
    order = paid_order(app, product, 2)
    request = RefundRequest(order.id, 300000, "double click", {order.lines[0].id: 1}, key="one-form")
    product_id = product.id
    db.session.remove()

    results = run_at_once(app, lambda _: refund_order(request, gateway=DummyGateway(), actor_id=None,
                                                      now=utcnow()).id, 4)
    assert len(set(results)) == 1, results
    assert db.session.scalars(select(Refund.amount_minor)).all() == [300000]
    assert db.session.get(Product, product_id).on_hand == 4
