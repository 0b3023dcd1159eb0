"""A kit with a course for two people: each learner named at checkout gets their own seat and invitation."""
import re

from sqlalchemy import select

from shop.extensions import db
from shop.inventory.services import seat_availability
from shop.models import Enrolment, Order, OrderLine, OutboxMessage
from tests.factories import make_cohort, make_course, make_product
from tests.views.helpers import BUYER, add, check_out, path_of


def _kit_for_two(capacity=5):
    course = make_course()
    cohort = make_cohort(course=course, capacity=capacity)
    kit = make_product(stock=5, course=course, name="Herbs for two + course")
    kit.seats_per_unit = 2
    db.session.commit()
    return kit, cohort


def _learners(line_id: int, *people) -> dict:
    data = {}
    for number, (name, email) in enumerate(people, start=1):
        data[f"learner_name-{line_id}-{number}"], data[f"learner_email-{line_id}-{number}"] = name, email
    return data


def _cart_line_id(client) -> int:
    return int(re.search(r'name="learner_name-(\d+)-1"', client.get("/checkout").get_data(as_text=True)).group(1))


def test_the_product_page_says_who_it_is_for_and_checkout_asks_each_learner(client):
    kit, _cohort = _kit_for_two()
    assert "For 2 people: a seat in the course for each." in client.get(f"/products/{kit.slug}").get_data(as_text=True)
    add(client, kit)
    page = client.get("/checkout").get_data(as_text=True)
    assert "Learner 1: name" in page and "Learner 2: e-mail" in page and "Learner 3" not in page


def test_checkout_without_the_second_learner_is_refused_naming_the_kit(client):
    kit, _cohort = _kit_for_two()
    add(client, kit)
    line = _cart_line_id(client)
    answer = check_out(client, **_learners(line, ("", ""), ("Aruzhan", "not-an-address")))
    assert "«Herbs for two + course» is for several people: enter the name and e-mail of learner 2." in answer.get_data(
        as_text=True)
    assert db.session.scalar(select(Order.id)) is None


def test_each_learner_gets_a_seat_and_the_friend_an_invitation_of_their_own(client, now):
    kit, cohort = _kit_for_two(capacity=5)
    add(client, kit)
    line = _cart_line_id(client)
    answer = check_out(client, **_learners(line, ("", ""), ("Aruzhan Bekova", "Aruzhan@Example.kz")))
    assert answer.status_code == 303
    assert client.post(path_of(answer), data={"outcome": "pay"}).status_code == 303
    assert seat_availability([cohort.id], now)[cohort.id] == 3
    seats = {(e.email, e.full_name) for e in db.session.scalars(select(Enrolment).where(Enrolment.status == "active"))}
    assert seats == {(BUYER["email"], BUYER["full_name"]), ("aruzhan@example.kz", "Aruzhan Bekova")}
    assert db.session.scalar(select(OrderLine.seats_per_unit)) == 2
    to_buyer = list(db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.recipient == BUYER["email"]).order_by(OutboxMessage.id)))
    assert to_buyer[0].startswith("order-confirmation:") and to_buyer[1].startswith("invitation:")
    confirmation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("order-confirm")))
    assert "Aruzhan Bekova (aruzhan@example.kz)" in confirmation.body_text
    [friend] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "aruzhan@example.kz"))
    assert "Hello, Aruzhan Bekova!" in friend.body_text and BUYER["full_name"] in friend.body_text
    assert "/account/invitation/" in friend.body_text


def test_a_kit_for_two_needs_two_seats_left(client):
    kit, cohort = _kit_for_two(capacity=1)
    add(client, kit, cohort=cohort)
    assert "name=\"learner_name-" not in client.get("/checkout").get_data(as_text=True)  # nothing in the cart
    assert db.session.scalar(select(Order.id)) is None


def test_a_kit_for_two_in_the_cart_is_marked_when_one_seat_is_left(client):
    kit, cohort = _kit_for_two(capacity=2)
    add(client, kit, cohort=cohort)
    cohort.capacity = 1  # someone else took a seat meanwhile
    db.session.commit()
    page = client.get("/cart").get_data(as_text=True)
    assert "Not in the total" in page and 'href="/checkout"' not in page.replace("/en/checkout", "/checkout")
