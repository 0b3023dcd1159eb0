"""Every destructive or mass action of the staff area asks first: a server-drawn page says what will happen, and
only its button (confirm=1) does it; any other post of the action is refused and changes nothing."""
import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import CohortSession, Enrolment, OutboxMessage, Product, User
from tests.admin_support import paid_order
from tests.factories import make_cohort, make_product, make_user


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


@pytest.fixture
def class_of_two(app):
    cohort = make_cohort(capacity=3, sessions=2)
    paid_order(app, cohort=cohort, quantity=1, email="aigerim@example.kz", full_name="Айгерим Сапарова")
    paid_order(app, cohort=cohort, quantity=1, email="yerlan@example.kz", full_name="Ерлан Жумабаев")
    return cohort


def _mails() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def _asks(response, *texts):
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="confirm" value="1"' in page, page[:300]
    for text in texts:
        assert text in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]  # the step needs no JavaScript


def test_cancelling_a_cohort_says_how_many_learners_will_be_emailed_and_needs_confirming(client, staff, class_of_two):
    before = _mails()
    cohort_page = client.get(f"/admin/cohorts/{class_of_two.id}").get_data(as_text=True)
    assert f'href="/en/admin/cohorts/{class_of_two.id}/cancel"' in cohort_page
    _asks(client.get(f"/admin/cohorts/{class_of_two.id}/cancel"), "2 learners will be e-mailed",
          "Cancel the cohort and e-mail 2 learners")
    _asks(client.post(f"/admin/cohorts/{class_of_two.id}/cancel"), "2 learners will be e-mailed")
    db.session.expire_all()
    assert not db.session.get(type(class_of_two), class_of_two.id).is_cancelled and _mails() == before
    done = client.post(f"/admin/cohorts/{class_of_two.id}/cancel", data={"confirm": "1"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(class_of_two), class_of_two.id).is_cancelled and _mails() == before + 2


def test_cancelling_a_place_names_the_learner_and_needs_confirming(client, staff, class_of_two):
    aigerim = db.session.scalar(select(Enrolment).where(Enrolment.email == "aigerim@example.kz"))
    _asks(client.get(f"/admin/enrolments/{aigerim.id}/cancel"), "Айгерим Сапарова", "aigerim@example.kz")
    _asks(client.post(f"/admin/enrolments/{aigerim.id}/cancel"), "Айгерим Сапарова")
    db.session.expire_all()
    assert db.session.get(Enrolment, aigerim.id).status == "active"
    assert client.post(f"/admin/enrolments/{aigerim.id}/cancel", data={"confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Enrolment, aigerim.id).status == "cancelled"


def test_removing_a_session_says_what_goes_with_it_and_needs_confirming(client, staff, class_of_two):
    lesson = class_of_two.sessions[0]
    _asks(client.get(f"/admin/sessions/{lesson.id}/delete"), "0 attendance marks", "Remove the session")
    _asks(client.post(f"/admin/sessions/{lesson.id}/delete"))
    assert db.session.get(CohortSession, lesson.id) is not None
    assert client.post(f"/admin/sessions/{lesson.id}/delete", data={"confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CohortSession, lesson.id) is None


def test_writing_off_stock_shows_the_shelf_before_and_after_and_needs_confirming(client, staff):
    product = make_product(stock=25, name="Basil starter kit")
    form = {"write_off-quantity": "3", "write_off-reason": "Crushed box"}
    _asks(client.post(f"/admin/products/{product.id}/write-off", data=form),
          "on hand 25 → 22", "Crushed box", "Write off 3 units")
    db.session.expire_all()
    assert db.session.get(Product, product.id).on_hand == 25
    done = client.post(f"/admin/products/{product.id}/write-off", data={**form, "confirm": "1"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, product.id).on_hand == 22


def test_changing_a_role_names_the_old_and_new_role_and_needs_confirming(client, login_as):
    admin, customer = make_user(role="admin"), make_user(role="customer")
    login_as(admin)
    form = {"email": customer.email, "role": "staff"}
    _asks(client.post("/admin/staff/", data=form), customer.email, "becomes: Staff (now: Customer")
    db.session.expire_all()
    assert db.session.get(User, customer.id).role == "customer"
    assert client.post("/admin/staff/", data={**form, "confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, customer.id).role == "staff"


def test_a_refused_role_change_is_refused_before_the_confirmation_step(client, login_as):
    admin = make_user(role="admin")
    login_as(admin)
    response = client.post("/admin/staff/", data={"email": "nobody@example.kz", "role": "staff"})
    assert response.status_code == 400 and 'name="confirm" value="1"' not in response.get_data(as_text=True)


def test_a_refund_is_refused_without_its_confirmation(app, client, staff):
    order = paid_order(app, make_product(stock=5, price=300000), 1)
    line = order.lines[0]
    _asks(client.post(f"/admin/orders/{order.id}/refund", data={f"refund_{line.id}": "1", "reason": "Broken"}),
          "Refund ₸3,000")
    db.session.expire_all()
    assert db.session.get(type(order), order.id).payment_status == "paid"


def test_emailing_the_schedule_says_how_many_learners_get_it_and_needs_confirming(client, staff, class_of_two):
    before = _mails()
    _asks(client.get(f"/admin/cohorts/{class_of_two.id}/schedule"), "2 learners of", "2 sessions are listed")
    _asks(client.post(f"/admin/cohorts/{class_of_two.id}/schedule"))
    assert _mails() == before
    assert client.post(f"/admin/cohorts/{class_of_two.id}/schedule", data={"confirm": "1"}).status_code == 303
    assert _mails() == before + 2
