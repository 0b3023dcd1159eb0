from sqlalchemy import select

from shop.extensions import db
from shop.inventory.services import availability
from shop.models import Hold, Order, OutboxMessage, StockMovement
from tests.conftest import english_client
from tests.factories import make_cohort, make_product, make_user
from tests.views.helpers import BUYER, add, check_out, path_of, pay_dummy


def test_buying_a_kit_through_the_dummy_provider_lowers_stock_by_what_was_bought(client, now):
    product = make_product(stock=10)
    add(client, product, 2)
    response = pay_dummy(client)
    assert response.status_code == 303
    order_page = client.get(path_of(client.get(path_of(response))))
    assert "Paid" in order_page.get_data(as_text=True)
    db.session.refresh(product)
    assert product.on_hand == 8
    sale = db.session.scalar(select(StockMovement).where(StockMovement.kind == "sold"))
    assert (sale.delta, sale.level_after) == (-2, 8)
    assert db.session.scalar(select(Hold.id)) is None


def test_checkout_sends_the_buyer_to_the_test_mode_payment_page(client):
    add(client, make_product(stock=3))
    response = check_out(client)
    assert response.status_code == 303 and "/pay/test/" in response.headers["Location"]
    page = client.get(path_of(response)).get_data(as_text=True)
    assert "TEST MODE" in page


def test_checkout_holds_the_stock_until_payment(client, now):
    product = make_product(stock=3)
    add(client, product, 2)
    check_out(client)
    assert availability([product.id], now)[product.id] == 1
    order = db.session.scalar(select(Order))
    assert order.payment_status == "pending_payment"
    assert order.total_minor == order.subtotal_minor + order.delivery_fee_minor


def test_a_failed_payment_cancels_the_order_releases_the_hold_and_keeps_the_cart(client, now):
    product = make_product(stock=3)
    add(client, product, 2)
    response = pay_dummy(client, outcome="fail")
    assert response.headers["Location"].endswith("/cart")
    assert db.session.scalar(select(Order.payment_status)) == "cancelled"
    assert availability([product.id], now)[product.id] == 3
    cart = client.get("/cart").get_data(as_text=True)
    assert "buyer" not in cart and product.name_en in cart


def test_checking_out_the_same_cart_again_replaces_the_earlier_unpaid_order(client, now):
    product = make_product(stock=3)
    add(client, product, 2)
    check_out(client)
    check_out(client)
    statuses = db.session.scalars(select(Order.payment_status).order_by(Order.id)).all()
    assert statuses == ["cancelled", "pending_payment"]
    assert availability([product.id], now)[product.id] == 1


def test_a_paid_order_empties_the_cart(client):
    add(client, make_product(stock=3))
    pay_dummy(client)
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_the_buyer_is_emailed_a_confirmation_with_a_signed_link_that_opens_the_order(app, client):
    add(client, make_product(stock=3))
    pay_dummy(client)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == BUYER["email"]))
    order = db.session.scalar(select(Order))
    assert message is not None
    link = next(word for word in message.body_text.split() if "/orders/" in word)
    stranger = app.test_client()
    assert stranger.get(link.replace("http://shop.test", "")).status_code == 200
    assert stranger.get(f"/orders/{order.public_id}").status_code == 404
    assert stranger.get(f"/orders/{order.public_id}?token=forged").status_code == 404


def test_another_users_order_is_not_found(app, client, login_as):
    add(client, make_product(stock=3))
    pay_dummy(client)
    order = db.session.scalar(select(Order))
    other = app.test_client()
    other.post("/account/login", data={"email": make_user().email, "password": "correct horse battery"})
    assert other.get(f"/orders/{order.public_id}").status_code == 404


def test_a_logged_in_buyer_sees_the_order_under_the_account(client, login_as):
    user = make_user()
    login_as(user)
    add(client, make_product(stock=3))
    pay_dummy(client)
    order = db.session.scalar(select(Order))
    assert order.user_id == user.id
    account = client.get("/account/").get_data(as_text=True)
    assert str(order.number) in account and f"/orders/{order.public_id}" in account


def test_a_bad_phone_gives_the_form_again_with_a_message_and_holds_nothing(client):
    add(client, make_product(stock=3))
    response = check_out(client, phone="call me")
    assert response.status_code == 400
    assert "phone number" in response.get_data(as_text=True)
    assert db.session.scalar(select(Order.id)) is None


def test_courier_delivery_needs_an_address(client):
    add(client, make_product(stock=3))
    response = check_out(client, address="")
    assert response.status_code == 400 and db.session.scalar(select(Order.id)) is None


def test_pickup_needs_no_address_and_costs_nothing(client):
    product = make_product(stock=3, price=500000)
    add(client, product)
    response = check_out(client, delivery_method="pickup", city="", address="")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert (order.delivery_fee_minor, order.total_minor) == (0, 500000)


def test_courier_delivery_adds_its_fee(app, client):
    add(client, make_product(stock=3, price=500000))
    check_out(client)
    order = db.session.scalar(select(Order))
    assert order.delivery_fee_minor == app.config["DELIVERY_FEE_COURIER"]


def test_a_cart_of_course_seats_only_needs_no_delivery(client):
    cohort = make_cohort(capacity=5)
    add(client, cohort=cohort)
    response = check_out(client, delivery_method="", city="", address="")
    assert response.status_code == 303
    assert db.session.scalar(select(Order.delivery_fee_minor)) == 0


def test_the_last_unit_goes_to_one_buyer_only(app, client, now):
    product = make_product(stock=1)
    first, second = client, english_client(app)
    add(first, product)
    add(second, product)
    assert check_out(first).status_code == 303
    response = check_out(second)
    assert response.status_code == 303 and path_of(response).endswith("/cart")
    assert f"«{product.name_en}» is sold out" in second.get(path_of(response)).get_data(as_text=True)
    assert availability([product.id], now)[product.id] == 0


def test_an_empty_cart_cannot_check_out(client):
    response = client.post("/checkout", data=BUYER)
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")


def test_staff_are_emailed_once_what_to_pack_and_for_whom_when_an_order_is_paid(app, client):
    add(client, make_product(stock=3, name="Basil kit"), 2)
    pay_dummy(client)
    order = db.session.scalar(select(Order))
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == app.config["STAFF_EMAIL"]))
    assert str(order.number) in message.subject
    assert order.full_name in message.body_text and order.phone in message.body_text
    assert "× 2" in message.body_text and f"/admin/orders/{order.id}" in message.body_text
