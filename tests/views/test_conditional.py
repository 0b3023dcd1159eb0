"""Anonymous catalogue, course pages and public JSON answer conditional GETs, and never answer stale."""
from datetime import timedelta

import pytest

from shop.extensions import db
from shop.inventory.services import hold_seats, hold_stock, receive_stock
from tests.conftest import english_client, login
from tests.factories import make_category, make_cohort, make_course, make_product, make_user

PAGES = ["/catalog/", "/catalog/?category=herbs&sort=price", "/products/the-kit", "/courses/", "/courses/the-course",
         "/api/products", "/api/cohorts"]


@pytest.fixture
def shelf(app):
    course = make_course(slug="the-course")
    cohort = make_cohort(course=course, capacity=8)
    product = make_product(slug="the-kit", category=make_category("herbs"), stock=10, price=790000)
    return product, cohort


def _revalidate(client, path, etag, **headers):
    return client.get(path, headers={"If-None-Match": etag, **headers})


@pytest.mark.parametrize("path", PAGES)
def test_a_repeat_with_the_etag_gets_304_and_no_body(client, shelf, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = _revalidate(client, path, first.headers["ETag"])
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_compressed_page_revalidates_with_its_suffixed_etag(client, shelf):
    first = client.get("/catalog/", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.headers["ETag"].endswith(':gzip"')
    again = _revalidate(client, "/catalog/", first.headers["ETag"], **{"Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]


def test_the_product_page_revalidates_for_any_new_visitor(app, client, shelf):
    first = client.get("/products/the-kit")
    assert b'name="csrf_token"' not in first.data and "Set-Cookie" not in first.headers
    assert _revalidate(client, "/products/the-kit", first.headers["ETag"]).status_code == 304
    assert _revalidate(english_client(app), "/products/the-kit", first.headers["ETag"]).status_code == 304


def test_a_page_showing_another_visitors_cart_does_not_match(app, shelf):
    product, _ = shelf
    with_cart = english_client(app)
    with_cart.post("/cart/add", data={"product": product.slug, "quantity": "2"})
    with_cart.get("/cart")
    etag = with_cart.get("/products/the-kit").headers["ETag"]
    assert _revalidate(english_client(app), "/products/the-kit", etag).status_code == 200


def test_a_changed_price_changes_the_etag(client, shelf):
    product, _ = shelf
    first = client.get("/products/the-kit")
    product.price_minor = 990000
    db.session.commit()
    again = _revalidate(client, "/products/the-kit", first.headers["ETag"])
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert "₸9,900" in again.get_data(as_text=True)


def test_received_stock_changes_the_etag(client, shelf, now):
    product, _ = shelf
    first = client.get("/api/products")
    receive_stock(product, 5, now=now, reason="delivery")
    db.session.commit()
    again = _revalidate(client, "/api/products", first.headers["ETag"])
    assert again.status_code == 200 and again.json[0]["available"] == 15


def test_a_hold_changes_the_etag_so_no_stale_in_stock_shows(client, shelf, now):
    product, _ = shelf
    first = client.get("/products/the-kit")
    hold_stock(product, 10, expires_at=now + timedelta(minutes=30), now=now)
    db.session.commit()
    again = _revalidate(client, "/products/the-kit", first.headers["ETag"])
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert b'action="/en/cart/add"' not in again.data


def test_a_held_seat_changes_the_course_page_and_cohorts_etags(client, shelf, now):
    _, cohort = shelf
    before = {path: client.get(path).headers["ETag"] for path in ("/courses/the-course", "/api/cohorts")}
    hold_seats(cohort, 3, expires_at=now + timedelta(minutes=30), now=now)
    db.session.commit()
    for path, etag in before.items():
        assert _revalidate(client, path, etag).status_code == 200
    assert client.get("/api/cohorts").json[0]["seats_left"] == 5


def test_signed_in_visitors_get_no_etag(client, shelf):
    login(client, make_user())
    response = client.get("/catalog/")
    assert response.status_code == 200 and "ETag" not in response.headers


def test_pages_outside_the_list_get_no_etag(client, shelf):
    assert "ETag" not in client.get("/cart").headers
    assert "ETag" not in client.get("/").headers
