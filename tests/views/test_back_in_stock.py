"""Back in stock: a sold-out kit's "tell me when it's back", confirmed by e-mail, and one e-mail when it is back."""
import re

import pytest
from sqlalchemy import func, select

from shop.admin.stock import receive_delivery, record_count
from shop.extensions import db
from shop.models import OutboxMessage, StockNotice
from tests.conftest import running
from tests.factories import make_product, make_user


@pytest.fixture
def csrf_client(app_factory, request):
    with running(app_factory(WTF_CSRF_ENABLED=True), request) as app:
        yield app.test_client()


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


def _messages(email: str, prefix: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == email, OutboxMessage.dedupe_key.startswith(prefix)).order_by(OutboxMessage.id)))


def _path(message: OutboxMessage, part: str) -> str:
    return re.search(rf"https?://[^/\s]+((?:/en|/kk)?/products/notify/{part}/\S+)", message.body_text).group(1)


def _subscribe(client, product, email: str):
    client.post(f"/products/{product.slug}/notify", data={"email": email})
    confirm = _messages(email, "stock-notice-confirm:")[-1]
    return client.post(_path(confirm, "confirm"))


def test_a_sold_out_kit_offers_the_notice_form_without_a_token_and_an_available_one_does_not(client):
    sold_out, available = make_product(stock=0), make_product(stock=3)
    page = client.get(f"/products/{sold_out.slug}").get_data(as_text=True)
    assert f'action="/en/products/{sold_out.slug}/notify"' in page and "Tell me when it's back" in page
    assert 'name="email"' in page and 'name="csrf_token"' not in page  # checked by origin: the page is shared
    assert "/notify" not in client.get(f"/products/{available.slug}").get_data(as_text=True)


def test_subscribing_asks_to_confirm_and_answers_the_same_for_an_address_already_waiting(client):
    product = make_product(stock=0, name="Basil kit")
    first = client.post(f"/products/{product.slug}/notify", data={"email": "Fan@Example.kz"})
    assert first.status_code == 303 and first.headers["Location"].endswith(f"/products/{product.slug}")
    first_page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "confirm with the link we have sent to Fan@Example.kz" in first_page
    assert db.session.scalar(select(StockNotice.status)) == "unconfirmed"
    _subscribe(client, product, "fan@example.kz")
    assert db.session.scalar(select(StockNotice.status)) == "waiting"
    again = client.post(f"/products/{product.slug}/notify", data={"email": "fan@example.kz"})
    assert again.status_code == first.status_code and again.headers["Location"] == first.headers["Location"]
    assert "confirm with the link we have sent to fan@example.kz" in client.get(again.headers["Location"]).get_data(
        as_text=True)
    assert len(_messages("fan@example.kz", "stock-notice-confirm:")) == 1  # nothing new sent to a waiting address
    assert db.session.scalar(select(func.count(StockNotice.id))) == 1


def test_a_bad_address_is_refused_with_a_message_and_an_unknown_kit_is_not_found(client):
    product = make_product(stock=0)
    response = client.post(f"/products/{product.slug}/notify", data={"email": "not-an-address"})
    assert response.status_code == 303
    assert "Enter a valid e-mail address." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.post("/products/no-such-kit/notify", data={"email": "a@b.kz"}).status_code == 404
    assert db.session.scalar(select(func.count(StockNotice.id))) == 0


def test_receiving_stock_emails_each_confirmed_subscriber_once_in_their_language(client, app, now):
    product = make_product(stock=0, name="Basil kit")
    product.name_kk = "Райхан жинағы"
    db.session.commit()
    _subscribe(client, product, "en@example.kz")
    kazakh = app.test_client()
    kazakh.post(f"/kk/products/{product.slug}/notify", data={"email": "kk@example.kz"})
    kazakh.post(_path(_messages("kk@example.kz", "stock-notice-confirm:")[0], "confirm"))
    client.post(f"/products/{product.slug}/notify", data={"email": "idle@example.kz"})  # never confirmed

    receive_delivery(product.id, 5, note="", actor_id=None, now=now)
    receive_delivery(product.id, 5, note="", actor_id=None, now=now)
    record_count(product.id, 20, note="", actor_id=None, now=now)

    english = _messages("en@example.kz", "back-in-stock:")
    assert len(english) == 1 and english[0].subject == "Back in stock: Basil kit"
    body = english[0].body_text
    assert f"/en/products/{product.slug}" in body and "/en/products/notify/leave/" in body
    kk = _messages("kk@example.kz", "back-in-stock:")
    assert len(kk) == 1 and "Райхан жинағы" in kk[0].subject and "/kk/products/notify/leave/" in kk[0].body_text
    assert _messages("idle@example.kz", "back-in-stock:") == []


def test_staff_see_how_many_wait_and_receiving_tells_them(client, app, staff):
    product = make_product(stock=0, name="Basil kit")
    visitor = app.test_client()
    for email in ("a@example.kz", "b@example.kz"):
        _subscribe(visitor, product, email)
    listing = client.get("/admin/products/").get_data(as_text=True)
    assert re.search(r'<td [^>]*data-figure="waiting"[^>]*>2</td>', listing)  # a labelled card field on a phone
    assert '<strong data-figure="waiting">2</strong>' in client.get(f"/admin/products/{product.id}").get_data(
        as_text=True)
    client.post(f"/admin/products/{product.id}/receive", data={"receive-quantity": "4", "receive-note": "Greenhouse"})
    assert len(_messages("a@example.kz", "back-in-stock:")) == 1
    assert '<strong data-figure="waiting">0</strong>' in client.get(f"/admin/products/{product.id}").get_data(
        as_text=True)


def test_the_unsubscribe_link_asks_first_then_stops_the_email(client, now):
    product = make_product(stock=0)
    _subscribe(client, product, "gone@example.kz")
    leave = _path(_messages("gone@example.kz", "stock-notice-confirm:")[0], "leave")
    assert "Unsubscribe" in client.get(leave).get_data(as_text=True)
    assert db.session.scalar(select(StockNotice.status)) == "waiting"  # opening the link changes nothing
    assert client.post(leave).status_code == 303
    receive_delivery(product.id, 3, note="", actor_id=None, now=now)
    assert _messages("gone@example.kz", "back-in-stock:") == []


def test_forged_links_are_not_found(client):
    assert client.get("/products/notify/leave/forged").status_code == 404
    assert client.post("/products/notify/confirm/forged").status_code == 404


def test_a_notified_address_may_ask_again_and_is_told_again_next_time(client, now):
    product = make_product(stock=0)
    _subscribe(client, product, "again@example.kz")
    receive_delivery(product.id, 1, note="", actor_id=None, now=now)
    record_count(product.id, 0, note="sold in the shop", actor_id=None, now=now)
    _subscribe(client, product, "again@example.kz")
    receive_delivery(product.id, 1, note="", actor_id=None, now=now)
    assert len(_messages("again@example.kz", "back-in-stock:")) == 2


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}])
def test_the_notice_form_refuses_posts_from_other_sites(csrf_client, headers):
    product = make_product(stock=0)
    answer = csrf_client.post(f"/products/{product.slug}/notify", data={"email": "a@b.kz"}, headers=headers)
    assert answer.status_code == 400
    own = csrf_client.post(f"/products/{product.slug}/notify", data={"email": "a@b.kz"},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 303


def test_deliveries_received_at_once_email_each_subscriber_once(app, client):
    from shop.clock import utcnow
    from tests.races import run_at_once

    product = make_product(stock=0)
    for number in range(3):
        _subscribe(client, product, f"fan{number}@example.kz")
    product_id = product.id
    db.session.remove()

    def receive(_index):
        return receive_delivery(product_id, 2, note="", actor_id=None, now=utcnow()).id

    results = run_at_once(app, receive, 6)
    assert all(isinstance(result, int) for result in results)
    for number in range(3):
        assert len(_messages(f"fan{number}@example.kz", "back-in-stock:")) == 1
