"""Races for the last units: many buyers at once, each on its own connection."""
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from shop.cart.services import add_to_cart
from shop.checkout.services import BuyerDetails, place_order
from shop.clock import utcnow
from shop.errors import ShopError
from shop.extensions import db
from shop.inventory.services import availability
from shop.models import Cart, Hold, Order, Product
from tests.factories import make_product
from tests.views.helpers import add, check_out, path_of

BUYERS = 20
BUYER = BuyerDetails(email="racer@example.kz", full_name="Racer", phone="+77012345678", delivery_method="pickup")


def _race(app, worker, count=BUYERS):
    barrier = threading.Barrier(count)

    def run(index):
        with app.app_context():
            barrier.wait()
            try:
                return worker(index)
            except ShopError:
                return None
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_buyers_racing_for_the_last_five_units_get_exactly_five_holds(app, now):
    product = make_product(stock=5)
    cart_ids = [add_to_cart(token=None, user=None, product_slug=product.slug, cohort_ref=None, quantity="1",
                            now=now).id for _ in range(BUYERS)]
    product_id = product.id
    db.session.remove()

    def buy(index):
        cart = db.session.get(Cart, cart_ids[index])
        order, _ = place_order(cart, BUYER, user=None, now=utcnow(), hold_minutes=30)
        return order.id

    results = _race(app, buy)
    assert sum(result is not None for result in results) == 5
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
            return None
        paid = clients[index].post(path_of(response), data={"outcome": "pay"})
        return paid.status_code

    results = _race(app, buy_and_pay)
    assert sum(result == 303 for result in results) == 5
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id)).where(Order.status == "paid")) == 5
    assert db.session.get(Product, product_id).on_hand == 0
