"""Nobody becomes someone else by typing their e-mail: registration, invitations, sessions, e-mailed links."""
import re

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Enrolment, Order, OutboxMessage, User
from tests.conftest import english_client
from tests.factories import PASSWORD, make_cohort, make_product, make_user
from tests.views.helpers import BUYER, add, pay_dummy

STRANGER = {"full_name": "Stranger", "password": "a stranger's long password", "accept_terms": "y"}


def _register(client, email, **changes):
    return client.post("/account/register", data={"email": email, **STRANGER, **changes})


def _mail(recipient: str, template_word: str) -> OutboxMessage:
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                  .order_by(OutboxMessage.id.desc())).all()
    return next(m for m in messages if template_word in m.body_text)


def _link(message: OutboxMessage, path: str) -> str:
    return re.search(rf"http://shop\.test(?:/en|/kk)?({path}\S+)", message.body_text).group(1)


def _fresh(app):
    return english_client(app)


def _guest_buys_a_seat(client, cohort):
    add(client, cohort=cohort)
    assert pay_dummy(client).status_code == 303
    return db.session.scalar(select(Order).where(Order.email == BUYER["email"]))


@pytest.mark.parametrize("kind", ["guest-made", "registered", "complete"])
def test_registering_an_address_that_has_an_account_signs_nobody_in_and_changes_nothing(app, client, kind):
    if kind == "guest-made":
        _guest_buys_a_seat(_fresh(app), make_cohort())
        owner = db.session.scalar(select(User).where(User.email == BUYER["email"]))
    else:
        owner = make_user(email=BUYER["email"], verified=kind == "complete")
    before = (owner.password_hash, owner.full_name, owner.session_version, owner.email_verified_at)
    response = _register(client, BUYER["email"].upper())
    assert response.status_code == 303
    assert client.get("/account/").status_code == 302  # not signed in
    db.session.expire_all()
    owner = db.session.get(User, owner.id)
    assert (owner.password_hash, owner.full_name, owner.session_version, owner.email_verified_at) == before
    told = _mail(BUYER["email"], "already has one")
    assert "/account/reset/" in told.body_text and "/account/login" in told.body_text


def test_registering_answers_alike_whether_or_not_the_address_has_an_account(app, client):
    make_user(email="known@example.kz")
    known = _register(client, "known@example.kz")
    other = _fresh(app)
    unknown = _register(other, "unknown@example.kz")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    page = client.get(known.headers["Location"]).get_data(as_text=True).replace("known@", "?@")
    assert page == other.get(unknown.headers["Location"]).get_data(as_text=True).replace("unknown@", "?@")
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))] == [
        "known@example.kz", "unknown@example.kz"]


def test_registering_spends_one_password_hash_whether_or_not_the_address_is_known(app, client, monkeypatch):
    import shop.accounts.services as services

    calls = []
    real = services.generate_password_hash
    monkeypatch.setattr(services, "generate_password_hash", lambda password: calls.append(1) or real(password))
    make_user(email="known@example.kz")
    _register(client, "known@example.kz")
    _register(_fresh(app), "unknown@example.kz")
    assert len(calls) == 2


def test_a_password_reset_answers_alike_for_known_and_unknown_addresses(app, client):
    make_user(email="known@example.kz")
    known = client.post("/account/reset", data={"email": "known@example.kz"})
    other = _fresh(app)
    unknown = other.post("/account/reset", data={"email": "unknown@example.kz"})
    assert known.status_code == unknown.status_code == 303 and known.headers["Location"] == unknown.headers["Location"]
    assert client.get(known.headers["Location"]).data == other.get(unknown.headers["Location"]).data


def test_a_stranger_registering_a_guest_learners_address_gets_no_access_and_the_invitation_still_works(app, client):
    cohort = make_cohort(join_url="https://meet.example/secret-room")
    order = _guest_buys_a_seat(client, cohort)
    stranger = _fresh(app)
    assert _register(stranger, BUYER["email"]).status_code == 303
    assert stranger.post("/account/login", data={"email": BUYER["email"], "password": STRANGER["password"]}) \
        .status_code == 400
    assert stranger.get("/learn/").status_code == 303
    assert stranger.get(f"/learn/cohorts/{cohort.id}.ics").status_code == 303

    invitation = _mail(BUYER["email"], "/account/invitation/")
    learner = _fresh(app)
    assert learner.post(_link(invitation, "/account/invitation/"), data={"password": "the learner's own secret"}) \
        .status_code == 303
    assert "secret-room" in learner.get("/learn/").get_data(as_text=True)
    account = learner.get("/account/").get_data(as_text=True)
    assert f"/orders/{order.public_id}" in account
    assert learner.get(f"/orders/{order.public_id}").status_code == 200  # no token needed once it is theirs


def test_an_address_registered_before_its_owner_buys_does_not_receive_the_owners_seat(app, client):
    squatter = _fresh(app)
    assert _register(squatter, BUYER["email"]).status_code == 303
    assert squatter.post("/account/login", data={"email": BUYER["email"], "password": STRANGER["password"]}) \
        .status_code == 303  # the squatter knows the password they chose…
    cohort = make_cohort(join_url="https://meet.example/secret-room")
    buyer = _fresh(app)
    _guest_buys_a_seat(buyer, cohort)
    squatter_account = db.session.scalar(select(User).where(User.email == BUYER["email"]))
    assert db.session.scalar(select(Enrolment.user_id)) is None  # …but the seat is not theirs
    assert "secret-room" not in squatter.get("/learn/").get_data(as_text=True)
    assert squatter.get(f"/learn/cohorts/{cohort.id}.ics").status_code == 404

    invitation = _mail(BUYER["email"], "/account/invitation/")
    owner = _fresh(app)
    assert owner.post(_link(invitation, "/account/invitation/"), data={"password": "the owner's own secret"}) \
        .status_code == 303
    assert "secret-room" in owner.get("/learn/").get_data(as_text=True)
    assert db.session.scalar(select(Enrolment.user_id)) == squatter_account.id
    assert squatter.get("/account/").status_code == 302  # the squatter's session ended with the takeover
    assert squatter.post("/account/login", data={"email": BUYER["email"], "password": STRANGER["password"]}) \
        .status_code == 400


def test_a_used_invitation_link_stops_working(app, client):
    _guest_buys_a_seat(client, make_cohort())
    link = _link(_mail(BUYER["email"], "/account/invitation/"), "/account/invitation/")
    learner = _fresh(app)
    assert learner.post(link, data={"password": "the learner's own secret"}).status_code == 303
    assert _fresh(app).post(link, data={"password": "somebody else's secret"}).status_code == 303
    owner = db.session.scalar(select(User).where(User.email == BUYER["email"]))
    assert owner.check_password("the learner's own secret")


def test_a_guest_order_goes_to_the_verified_account_of_its_address_and_not_to_an_unverified_one(app, client):
    verified = make_user(email="owner@example.kz")
    make_user(email="nobody-proved@example.kz", verified=False)
    product = make_product()
    for email in ("owner@example.kz", "nobody-proved@example.kz"):
        buyer = _fresh(app)
        add(buyer, product)
        pay_dummy(buyer) if email == BUYER["email"] else None
        response = buyer.post("/checkout", data={**BUYER, "email": email})
        buyer.post(response.headers["Location"].replace("http://shop.test", ""), data={"outcome": "pay"})
    owners = dict(db.session.execute(select(Order.email, Order.user_id)).all())
    assert owners == {"owner@example.kz": verified.id, "nobody-proved@example.kz": None}


def _copy_session(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session").value)


def test_logging_out_ends_the_accounts_other_sessions_and_a_copied_cookie_stops_working(app, client, login_as):
    user = make_user()
    login_as(user)
    thief = _fresh(app)
    _copy_session(client, thief)
    assert thief.get("/account/").status_code == 200
    client.post("/account/logout")
    assert thief.get("/account/").status_code == 302


def test_resetting_the_password_ends_the_accounts_other_sessions(app, client, login_as):
    user = make_user()
    login_as(user)
    elsewhere = _fresh(app)
    elsewhere.post("/account/reset", data={"email": user.email})
    link = _link(_mail(user.email, "/account/reset/"), "/account/reset/")
    assert elsewhere.post(link, data={"password": "a brand new secret"}).status_code == 303
    assert client.get("/account/").status_code == 302
    assert elsewhere.get("/account/").status_code == 200


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, client, login_as):
    user = make_user()
    login_as(user)
    other = _fresh(app)
    _copy_session(client, other)
    wrong = client.post("/account/password", data={"current_password": "not it", "password": "a brand new secret"})
    assert wrong.status_code == 400
    assert client.post("/account/password", data={"current_password": PASSWORD, "password": "a brand new secret"}) \
        .status_code == 303
    assert other.get("/account/").status_code == 302
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize("session_id", ["1", "²:1", "1:²", "99999999999999999999:1", "1:x", ":", ""])
def test_a_malformed_or_stale_session_id_finds_nobody(app, session_id):
    from shop.accounts.services import user_for_session

    make_user()
    assert user_for_session(session_id) is None


def test_emailed_links_never_come_from_the_requests_host(app_factory, request):
    from tests.conftest import running

    app = app_factory(env={"SHOP_BASE_URL": "https://cityfarm.kz"})
    with running(app, request):
        user = make_user()
        client = app.test_client()
        client.post("/account/reset", data={"email": user.email},
                    headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
        message = db.session.scalar(select(OutboxMessage))
        assert "https://cityfarm.kz/account/reset/" in message.body_text and "evil.example" not in message.body_text
