"""What a buyer sees of promo codes and of the total before paying; staff's promo code pages."""
import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OutboxMessage, PromoCode
from tests.conftest import running
from tests.factories import make_product, make_user
from tests.views.helpers import add, check_out, path_of


def make_code(code="SPRING", **fields) -> PromoCode:
    promo = PromoCode(code=code, **{"kind": "percent", "percent": 10, **fields})
    db.session.add(promo)
    db.session.commit()
    return promo


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


def test_a_promo_code_entered_in_the_cart_shows_its_discount(client):
    make_code()
    add(client, make_product(price=500000))
    response = client.post("/cart/promo", data={"code": " spring "})
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    page = client.get("/cart").get_data(as_text=True)
    assert "Promo code SPRING applied." in page
    assert "Discount (SPRING)" in page and "−₸500" in page and "₸4,500" in page


def test_an_unknown_code_says_so_and_an_empty_one_removes_the_code(client):
    make_code()
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "WINTER"})
    assert "There is no such promo code" in client.get("/cart").get_data(as_text=True)
    client.post("/cart/promo", data={"code": "SPRING"})
    client.post("/cart/promo", data={"code": ""})
    page = client.get("/cart").get_data(as_text=True)
    assert "Promo code removed." in page and "Discount (SPRING)" not in page


def test_a_code_below_its_minimum_order_explains_why_it_takes_nothing(client):
    make_code(min_order_minor=1_000_000)
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "SPRING"})
    page = client.get("/cart").get_data(as_text=True)
    assert "needs an order of at least" in page and "Discount (SPRING)" not in page


def test_the_promo_form_refuses_posts_from_other_sites(app_factory, request):
    with running(app_factory(WTF_CSRF_ENABLED=True), request) as app:
        make_code()
        client = app.test_client()
        assert client.post("/cart/promo", data={"code": "SPRING"}, headers={"Sec-Fetch-Site": "cross-site"}
                           ).status_code == 400
        assert client.post("/cart/promo", data={"code": "SPRING"}, headers={"Sec-Fetch-Site": "same-origin"}
                           ).status_code == 303


def test_checkout_shows_the_grand_total_for_each_delivery_method_before_paying(client):
    make_code()
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "SPRING"})
    page = client.get("/checkout").get_data(as_text=True)
    assert 'id="checkout-totals"' in page and "To pay" in page and "Discount (SPRING)" in page
    assert 'data-total="₸4,500"' in page  # pickup: the kit less 10 %
    assert page.count("data-total=") == 3
    assert "js/checkout.js" in page and "<script>" not in page


def test_courier_details_and_a_comment_are_kept_and_shown_with_the_phone_in_one_format(client, staff):
    add(client, make_product(price=500000))
    response = check_out(client, phone="8 (701) 234-56-78", apartment="12", entrance="3", floor="4",
                         intercom="12K", comment="Call an hour before")
    assert response.status_code == 303, response.data[:500]
    order = db.session.scalar(select(Order))
    assert (order.phone, order.apartment, order.entrance, order.floor, order.intercom, order.comment) == (
        "+7 701 234 56 78", "12", "3", "4", "12K", "Call an hour before")
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "Intercom code: 12K" in page and "Call an hour before" in page and "+7 701 234 56 78" in page


def test_a_phone_that_is_not_kazakh_is_refused_with_an_example(client):
    add(client, make_product())
    response = check_out(client, phone="+7 916 123 45 67")
    assert response.status_code == 400
    assert "Enter a Kazakh phone number like +7 701 234 56 78" in response.get_data(as_text=True)


def test_the_order_page_shows_the_discount_paid(client):
    make_code(kind="fixed", amount_minor=100000)
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "SPRING"})
    response = check_out(client, delivery_method="pickup", city="", address="")
    client.post(path_of(response), data={"outcome": "pay"})
    order = db.session.scalar(select(Order))
    page = client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert "Discount (SPRING)" in page and "−₸1,000" in page and "₸4,000" in page
    mails = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.recipient == order.email)).all()
    assert any("Discount (SPRING): −₸1,000" in body for body in mails)


def test_staff_create_a_promo_code_and_see_it_listed(client, staff):
    response = client.post("/admin/promo-codes/new", data={
        "code": "herbs-10", "kind": "fixed", "amount_minor": "1 500", "scope": "order", "max_uses": "50",
        "valid_from": "2026-03-01T00:00", "is_active": "y"})
    assert response.status_code == 303, response.data[:800]
    code = db.session.scalar(select(PromoCode))
    assert (code.code, code.amount_minor, code.max_uses, code.valid_from.hour) == ("HERBS-10", 150000, 50, 19)
    page = client.get("/admin/promo-codes/").get_data(as_text=True)
    assert "HERBS-10" in page and "0 / 50" in page


def test_staff_cannot_give_two_codes_one_name_nor_a_limit_below_the_uses(client, staff):
    first = make_code("TAKEN", uses=0)
    response = client.post("/admin/promo-codes/new", data={"code": "taken", "kind": "percent", "percent": "5",
                                                           "scope": "order"})
    assert response.status_code == 400 and "Another promo code already has this name" in response.get_data(
        as_text=True)
    assert client.get(f"/admin/promo-codes/{first.id}").status_code == 200


def test_customers_may_not_see_the_promo_codes(client, login_as):
    login_as(make_user())
    assert client.get("/admin/promo-codes/").status_code == 403


def test_staff_see_the_products_and_categories_of_a_code_in_the_interface_language(client, staff):
    kit = make_product(name=None)
    code = make_code("HERBS", scope="items")
    code.products = [kit]
    code.categories = [kit.category]
    db.session.commit()
    page = client.get("/admin/promo-codes/").get_data(as_text=True)
    assert kit.name_en in page and kit.category.name_en in page
    assert kit.name_ru not in page and kit.category.name_ru not in page
    form = client.get(f"/admin/promo-codes/{code.id}").get_data(as_text=True)
    assert kit.name_en in form and kit.name_ru not in form
    kazakh = client.get("/kk/admin/promo-codes/").get_data(as_text=True)
    assert kit.name_kk in kazakh and kit.name_ru not in kazakh
