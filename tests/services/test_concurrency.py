"""Races for the last units: many buyers at once, each on its own connection."""
from dataclasses import replace

from sqlalchemy import func, select

from shop.cart.services import add_to_cart
from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.services import availability
from shop.models import Cart, Hold, Order, Product
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_product
from tests.races import run_at_once
from tests.views.helpers import add, check_out, path_of

BUYERS = 20
BUYER = BuyerDetails(email="racer@example.kz", full_name="Racer", phone="+77012345678", delivery_method="pickup",
                     accepts_terms=True)


def test_twenty_buyers_racing_for_the_last_five_units_get_exactly_five_holds(app, now):
    product = make_product(stock=5)
    cart_ids = [add_to_cart(token=None, user=None, product_slug=product.slug, cohort_ref=None, quantity="1",
                            now=now).id for _ in range(BUYERS)]
    product_id = product.id
    db.session.remove()

    def buy(index):
        cart = db.session.get(Cart, cart_ids[index])
        order, _ = place_order(cart, replace(BUYER, email=f"racer{index}@example.kz"), user=None, now=utcnow(),
                               hold_minutes=30)
        return order.id

    results = run_at_once(app, buy, BUYERS)
    assert sum(isinstance(result, int) for result in results) == 5
    assert db.session.scalar(select(func.sum(Hold.quantity))) == 5
    assert availability([product_id], utcnow())[product_id] == 0


def test_the_same_race_through_the_dummy_provider_sells_exactly_the_stock(app, now):
    product = make_product(stock=5)
    clients = [app.test_client() for _ in range(BUYERS)]
    for client in clients:
        add(client, product)
    product_id = product.id
    db.session.remove()

    def buy_and_pay(index):
        response = check_out(clients[index], delivery_method="pickup", city="", address="")
        if response.status_code != 303:
            return response.status_code
        paid = clients[index].post(path_of(response), data={"outcome": "pay"})
        return paid.status_code

    results = run_at_once(app, buy_and_pay, BUYERS)
    assert sum(result == 303 for result in results) == 5
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id)).where(Order.payment_status == "paid")) == 5
    assert db.session.get(Product, product_id).on_hand == 0


def test_a_double_clicked_checkout_leaves_one_unpaid_order_holding_the_cart(app, now):
    product = make_product(stock=10)
    cart_id = add_to_cart(token=None, user=None, product_slug=product.slug, cohort_ref=None, quantity="2", now=now).id
    db.session.remove()

    def buy(_index):
        return place_order(db.session.get(Cart, cart_id), BUYER, user=None, now=utcnow(), hold_minutes=30)[0].id

    run_at_once(app, buy, 4)
    statuses = db.session.scalars(select(Order.payment_status)).all()
    assert sorted(statuses) == ["cancelled"] * 3 + ["pending_payment"]
    assert db.session.scalar(select(func.sum(Hold.quantity))) == 2
