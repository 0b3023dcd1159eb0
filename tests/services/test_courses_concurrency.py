"""Races for the last seats: more buyers than seats at once, each on its own connection.

Runs on SQLite (writers queue behind BEGIN IMMEDIATE) and, with TEST_DATABASE_URL, on
PostgreSQL, where the cohort's row lock is what keeps enrolments within capacity.
"""

from sqlalchemy import func, select

from shop.cart.services import add_to_cart
from shop.clock import utcnow
from shop.courses.services import join_waitlist
from shop.errors import CohortFull
from shop.extensions import db
from shop.inventory.services import seat_availability
from shop.models import Cart, Enrolment, Hold, Order, WaitlistEntry
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_cohort
from tests.races import run_at_once
from tests.views.helpers import add, check_out, path_of

BUYERS = 12
SEATS = 4


def test_more_buyers_than_seats_checking_out_at_once_get_exactly_capacity_holds(app, now):
    cohort = make_cohort(capacity=SEATS)
    cart_ids = [add_to_cart(token=None, user=None, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now).id
                for _ in range(BUYERS)]
    cohort_id = cohort.id
    db.session.remove()

    def buy(index):
        buyer = BuyerDetails(f"racer{index}@example.kz", "Racer", "+77012345678", "pickup", accepts_terms=True)
        order, _ = place_order(db.session.get(Cart, cart_ids[index]), buyer, user=None, now=utcnow(), hold_minutes=30)
        return order.id

    results = run_at_once(app, buy, BUYERS)
    assert sum(isinstance(result, int) for result in results) == SEATS
    assert all(isinstance(result, (int, CohortFull)) for result in results), results
    assert db.session.scalar(select(func.sum(Hold.quantity)).where(Hold.cohort_id == cohort_id)) == SEATS
    assert seat_availability([cohort_id], utcnow())[cohort_id] == 0


def test_more_buyers_than_seats_paying_at_once_end_with_exactly_capacity_enrolments(app):
    cohort = make_cohort(capacity=SEATS)
    clients = [app.test_client() for _ in range(BUYERS)]
    for client in clients:
        add(client, cohort=cohort)
    cohort_id = cohort.id
    db.session.remove()

    def buy_and_pay(index):
        response = check_out(clients[index], email=f"racer{index}@example.kz")
        if response.status_code != 303:
            return None
        return clients[index].post(path_of(response), data={"outcome": "pay"}).status_code

    results = run_at_once(app, buy_and_pay, BUYERS)
    assert sum(result == 303 for result in results) == SEATS
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort_id,
                                                                  Enrolment.status == "active")) == SEATS
    assert db.session.scalar(select(func.count(Order.id)).where(Order.payment_status == "paid")) == SEATS
    assert db.session.scalar(select(func.count(Hold.id))) == 0


def test_the_same_email_joining_a_waiting_list_at_once_is_on_it_once(app, now):
    cohort = make_cohort(capacity=0)
    cohort_id = cohort.id
    db.session.remove()
    run_at_once(app, lambda index: join_waitlist(cohort_id, "twin@example.kz", now=utcnow()).id, 6)
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 1
