import re

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import OutboxMessage, User
from tests.factories import make_user


def _register(client, **changes):
    data = {"email": "new@example.kz", "full_name": "Ерлан Нурланов", "password": "sunflower-on-the-sill",
            "accept_terms": "y", **changes}
    return client.post("/account/register", data=data)


def _link(message, path: str) -> str:
    return re.search(rf"http://shop\.test(?:/en|/kk)?({path}\S+)", message.body_text).group(1)


def test_a_visitor_registers_confirms_the_address_by_the_emailed_link_and_is_signed_in(client):
    response = _register(client)
    assert response.status_code == 303
    assert client.get("/account/").status_code == 302  # not signed in before the address is proven
    user = db.session.scalar(select(User))
    assert user.role == "customer" and user.password_hash != "sunflower-on-the-sill" and not user.is_verified
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == "new@example.kz"
    link = _link(message, "/account/verify/")
    assert client.get(link).status_code == 200  # a mail scanner opening the link confirms nothing
    assert client.post(link).status_code == 303
    assert "new@example.kz" in client.get("/account/").get_data(as_text=True)
    assert db.session.get(User, user.id).is_verified
    assert client.post(link).status_code == 303 and "invalid" in client.get("/account/login").get_data(as_text=True)


def test_a_registered_account_may_log_in_before_confirming(client):
    _register(client)
    response = client.post("/account/login", data={"email": "new@example.kz", "password": "sunflower-on-the-sill"})
    assert response.status_code == 303
    assert "Confirm your e-mail" in client.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize("password", ["short", "password123", "1234567890"])
def test_weak_passwords_are_refused(client, password):
    response = _register(client, password=password)
    assert response.status_code == 400 and db.session.scalar(select(User.id)) is None


def test_a_user_can_log_in_and_out(client):
    user = make_user()
    response = client.post("/account/login", data={"email": user.email.upper(), "password": "correct horse battery"})
    assert response.status_code == 303
    assert client.get("/account/").status_code == 200
    assert client.post("/account/logout").status_code == 303
    assert client.get("/account/").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    user = make_user()
    wrong = client.post("/account/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/account/login", data={"email": "nobody@example.kz", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.get_data(as_text=True).replace(user.email, "?") == \
        unknown.get_data(as_text=True).replace("nobody@example.kz", "?")


def test_login_redirects_only_inside_the_shop(client):
    user = make_user()
    response = client.post("/account/login", data={"email": user.email, "password": "correct horse battery",
                                                   "next": "https://evil.example/"})
    assert response.headers["Location"] == "/account/"


def test_login_goes_back_to_next_inside_the_shop(client):
    user = make_user(role="staff")
    response = client.post("/account/login", data={"email": user.email, "password": "correct horse battery",
                                                   "next": "/admin/"})
    assert response.headers["Location"] == "/admin/"


def test_a_password_can_be_reset_by_the_emailed_link_once(client):
    user = make_user()
    client.post("/account/reset", data={"email": user.email})
    message = db.session.scalar(select(OutboxMessage))
    link = re.search(r"http://shop\.test(?:/en|/kk)?(/account/reset/\S+)", message.body_text).group(1)
    assert client.post(link, data={"password": "a brand new secret"}).status_code == 303
    client.post("/account/logout")
    answer = client.post("/account/login", data={"email": user.email, "password": "a brand new secret"})
    assert answer.status_code == 303
    assert client.get(link).status_code == 303  # used: the link no longer works


def test_reset_answers_the_same_for_an_unknown_email_and_sends_nothing(client):
    response = client.post("/account/reset", data={"email": "nobody@example.kz"})
    assert response.status_code == 303
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_forged_reset_link_is_refused(client):
    assert client.get("/account/reset/forged-token").status_code == 303


@pytest.mark.parametrize(("role", "status"), [("customer", 403), ("staff", 200), ("admin", 200)])
def test_the_staff_area_is_for_staff_only(client, login_as, role, status):
    login_as(make_user(role=role))
    assert client.get("/admin/").status_code == status


def test_visitors_are_sent_to_log_in_for_the_staff_area(client):
    response = client.get("/admin/")
    assert response.status_code == 303 and "/account/login?next=/en/admin/" in response.headers["Location"]
