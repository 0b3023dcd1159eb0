"""What an enrolment keeps of its buyer and which account it goes to (found by `make mutation`)."""
from sqlalchemy import select

from shop.extensions import db
from shop.models import Enrolment, OutboxMessage, User
from tests.factories import make_cohort, make_user
from tests.services.test_courses import buy


def test_each_enrolment_keeps_the_buyers_name_phone_order_and_line(app, now):
    cohort = make_cohort(capacity=5)
    order = buy(cohort, now, email="dana@example.kz", quantity=2)
    rows = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).all()
    assert [(e.cohort_id, e.order_id, e.order_line_id, e.email, e.full_name, e.phone, e.status, e.created_at)
            for e in rows] == [(cohort.id, order.id, order.lines[0].id, "dana@example.kz", "Дана Омарова",
                                "+77011234567", "active", now)] * 2


def test_a_guests_account_is_made_with_their_details_and_language(app, now):
    buy(make_cohort(), now, email="guest@example.kz", locale="kk")
    guest = db.session.scalar(select(User).where(User.email == "guest@example.kz"))
    assert (guest.full_name, guest.phone, guest.role, guest.locale, guest.created_at, guest.password_hash) == (
        "Дана Омарова", "+77011234567", "customer", "kk", now, None)


def test_a_logged_in_buyers_seats_go_to_their_account_whatever_email_the_order_names(app, now):
    user = make_user(email="member@example.kz")
    buy(make_cohort(), now, email="other@example.kz", user=user)
    assert db.session.scalar(select(Enrolment.user_id)) == user.id
    assert db.session.scalar(select(User.id).where(User.email == "other@example.kz")) is None
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key.startswith("invitation:"))) is None


def test_a_guest_buying_with_an_address_only_registered_is_invited_and_the_seat_stays_with_the_address(app, now):
    make_user(email="squatted@example.kz", verified=False)
    buy(make_cohort(), now, email="squatted@example.kz")
    assert db.session.scalar(select(Enrolment.user_id)) is None
    [invitation] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("invitation:")))
    assert invitation.recipient == "squatted@example.kz"


def test_seats_bought_are_confirmed_once_with_the_learners_area_and_the_calendar(app, now):
    order = buy(make_cohort(capacity=5), now, email="dana@example.kz", quantity=2)
    [confirmation] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.dedupe_key == f"order-confirmation:{order.id}"))
    assert confirmation.recipient == "dana@example.kz" and "/learn/" in confirmation.body_text
    assert [item["content_type"] for item in confirmation.attachments] == ["text/calendar"]

