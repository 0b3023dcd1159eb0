"""The cart page after a stock-out: the line marked and out of the total, checkout waiting, one-click fixes;
a full cohort reads "No seats" and its waiting list says you are on the list."""
import re

from sqlalchemy import select

from shop.extensions import db
from shop.inventory.services import write_off
from shop.models import CartLine, WaitlistEntry
from tests.conftest import login
from tests.factories import make_cohort, make_course, make_product, make_user
from tests.views.helpers import add, check_out, path_of


def _cart_with_basil_short(client, now, stock_after=2):
    basil, mint = make_product(stock=5, price=100000, name="Basil"), make_product(stock=9, price=50000, name="Mint")
    add(client, basil, 4)
    add(client, mint, 1)
    write_off(basil, 5 - stock_after, now=now, reason="wilted")
    db.session.commit()
    return basil, mint


def _subtotal(page: str) -> str:
    return re.search(r"Subtotal</th><td>([^<]+)</td>", page).group(1)


def test_the_cart_marks_the_short_line_names_it_and_leaves_it_out_of_the_total(client, now):
    _cart_with_basil_short(client, now)
    page = client.get("/cart").get_data(as_text=True)
    assert "Only 2 of «Basil» are left: take them or remove the line." in page
    assert 'class="line-problem"' in page and "Not in the total" in page
    assert _subtotal(page) == "₸500"  # the mint only
    assert "Take the 2 left" in page and "Remove it" in page
    assert 'href="/en/checkout"' not in page and "Checkout waits" in page


def test_checkout_sends_a_cart_with_a_short_line_back_to_it_with_the_item_named(client, now):
    _cart_with_basil_short(client, now)
    for response in (client.get("/checkout"), check_out(client)):
        assert response.status_code == 303 and path_of(response).endswith("/cart")
        assert "Only 2 of «Basil» are left" in client.get(path_of(response)).get_data(as_text=True)


def test_take_the_n_left_sets_the_line_to_what_is_left_and_checkout_opens(client, now):
    basil, _mint = _cart_with_basil_short(client, now)
    line = db.session.scalar(select(CartLine).where(CartLine.product_id == basil.id))
    page = client.get("/cart").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/en/cart/update)">\s*<input type="hidden" name="csrf_token"[^>]*>'
                     rf'\s*<input type="hidden" name="line" value="{line.id}">\s*'
                     r'<input type="hidden" name="quantity" value="(\d+)">\s*<button[^>]*>Take the 2 left', page)
    assert form and form.group(2) == "2"
    response = client.post("/cart/update", data={"line": str(line.id), "quantity": form.group(2)})
    assert response.status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    assert "line-problem" not in page and _subtotal(page) == "₸2,500" and 'href="/en/checkout"' in page
    assert check_out(client).status_code == 303


def test_remove_it_takes_the_sold_out_line_away_and_checkout_opens(client, now):
    basil, _mint = _cart_with_basil_short(client, now, stock_after=0)
    page = client.get("/cart").get_data(as_text=True)
    assert "«Basil» is sold out: remove it from your cart." in page and "Take the" not in page
    line = db.session.scalar(select(CartLine).where(CartLine.product_id == basil.id))
    client.post("/cart/update", data={"line": str(line.id), "quantity": "0"})
    page = client.get("/cart").get_data(as_text=True)
    assert "Basil" not in page and _subtotal(page) == "₸500"
    assert "/pay/test/" in check_out(client).headers["Location"]


def test_a_full_cohort_reads_no_seats_and_offers_its_waiting_list(client):
    course = make_course()
    cohort = make_cohort(course=course, capacity=0)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "No seats" in page and "Sold out" not in page
    assert f'action="/en/courses/{course.slug}/cohorts/{cohort.id}/waitlist"' in page


def test_joining_the_waiting_list_with_a_proven_address_says_you_are_on_the_list(client):
    user = make_user(email="waits@example.kz")
    login(client, user)
    course = make_course()
    course.title_en = "Microgreens at home"
    cohort = make_cohort(course=course, capacity=0)
    response = client.post(f"/courses/{course.slug}/cohorts/{cohort.id}/waitlist", data={"email": user.email})
    page = client.get(path_of(response)).get_data(as_text=True)
    assert "You are on the list for «Microgreens at home»" in page
    assert db.session.scalar(select(WaitlistEntry.status)) == "waiting"


def test_a_cart_seat_in_a_cohort_that_filled_up_offers_the_seats_left(client, now, app):
    from tests.conftest import english_client

    cohort = make_cohort(capacity=3)
    add(client, cohort=cohort, quantity=3)
    other = english_client(app)
    add(other, cohort=cohort, quantity=2)
    assert check_out(other, delivery_method="", city="", address="").status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    assert "Only 1 seat is left in «" in page and "Take the last one" in page
