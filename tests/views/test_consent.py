"""Checkout and registration need the offer accepted and consent to the processing of personal data; the order
and the account record when it was given and which versions of the two texts it was given to."""
import pytest
from sqlalchemy import func, select

from shop.admin.content import save_page
from shop.extensions import db
from shop.models import Order, OutboxMessage, User
from shop.seed import seed_demo
from tests.factories import make_product
from tests.views.helpers import BUYER, add, check_out

REFUSAL = "To continue, accept the offer and consent to the processing of your personal data."
NEW_ACCOUNT = {"email": "new@example.kz", "full_name": "Ерлан Нурланов", "password": "sunflower-on-the-sill"}


def _new_offer(now, number_now: int) -> None:
    save_page("offer", {"title_ru": "Оферта", "body_ru": f"Редакция {number_now + 1}"}, base_version=number_now,
              actor_id=None, now=now)


@pytest.mark.parametrize("consent", [None, "", "false"])
def test_checkout_without_consent_comes_back_with_a_message_and_places_no_order(client, consent):
    add(client, make_product(stock=3))
    data = {key: value for key, value in BUYER.items() if key != "accept_terms"}
    if consent is not None:
        data["accept_terms"] = consent
    response = client.post("/checkout", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and REFUSAL in page
    assert 'id="accept_terms-error"' in page and 'aria-invalid="true"' in page
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_the_checkout_form_carries_the_consent_box_linking_both_texts(client):
    add(client, make_product(stock=3))
    page = client.get("/checkout").get_data(as_text=True)
    assert '<input id="accept_terms" name="accept_terms" required type="checkbox" value="y">' in page
    label = page[page.index('<label for="accept_terms">'):]
    label = label[:label.index("</label>")]
    assert 'href="/en/pages/offer"' in label and 'href="/en/pages/privacy"' in label and "personal data" in label


def test_an_order_records_when_consent_was_given_and_to_which_versions(client, now):
    seed_demo(now)
    _new_offer(now, 1)
    add(client, make_product(stock=3))
    assert check_out(client).status_code == 303
    order = db.session.scalar(select(Order))
    assert (order.offer_version, order.privacy_version) == (2, 1)
    assert abs((order.terms_accepted_at - order.created_at).total_seconds()) < 1


def test_a_later_order_records_the_offer_version_in_force_then(app, client, now):
    seed_demo(now)
    add(client, make_product(stock=3))
    check_out(client)
    _new_offer(now, 1)
    second = app.test_client()
    add(second, make_product(stock=3))
    check_out(second, email="second@example.kz")
    assert db.session.scalars(select(Order.offer_version).order_by(Order.id)).all() == [1, 2]


def test_without_texts_yet_an_order_records_the_consent_and_no_version(client):
    add(client, make_product(stock=3))
    assert check_out(client).status_code == 303
    order = db.session.scalar(select(Order))
    assert order.terms_accepted_at is not None and order.offer_version is None and order.privacy_version is None


def test_registration_without_consent_comes_back_with_a_message_and_opens_no_account(client):
    response = client.post("/account/register", data=NEW_ACCOUNT)
    assert response.status_code == 400 and REFUSAL in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_registration_form_carries_the_consent_box(client):
    page = client.get("/account/register").get_data(as_text=True)
    assert 'name="accept_terms"' in page and 'href="/en/pages/offer"' in page and 'href="/en/pages/privacy"' in page


def test_a_new_account_records_when_consent_was_given_and_to_which_versions(client, now):
    seed_demo(now)
    save_page("privacy", {"title_ru": "Политика", "body_ru": "Новая редакция"}, base_version=1, actor_id=None, now=now)
    assert client.post("/account/register", data={**NEW_ACCOUNT, "accept_terms": "y"}).status_code == 303
    user = db.session.scalar(select(User))
    assert (user.offer_version, user.privacy_version) == (1, 2) and user.terms_accepted_at is not None


def test_registering_an_address_that_has_an_account_changes_nothing_of_its_consent(client, now):
    seed_demo(now)
    client.post("/account/register", data={**NEW_ACCOUNT, "accept_terms": "y"})
    first = db.session.scalar(select(User))
    accepted_at = first.terms_accepted_at
    _new_offer(now, 1)
    client.post("/account/register", data={**NEW_ACCOUNT, "accept_terms": "y", "password": "another-long-one-77"})
    db.session.expire_all()
    user = db.session.scalar(select(User))
    assert user.offer_version == 1 and user.terms_accepted_at == accepted_at
