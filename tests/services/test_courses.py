"""Seats become enrolments when paid; staff cancel them and change capacity; learners get reminded once."""
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from shop.cart.services import add_to_cart
from shop.clock import almaty, to_local
from shop.courses.services import (
    CapacityBelowEnrolments,
    cancel_enrolment,
    cancel_enrolments_for_order,
    change_capacity,
    roster,
    send_reminders,
)
from shop.database import unit_of_work
from shop.errors import CohortFull, ShopError
from shop.extensions import db
from shop.inventory.services import seat_availability
from shop.models import AuditEntry, Enrolment, Order, OutboxMessage, Payment, User, WaitlistEntry
from shop.orders.paying import mark_paid
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_cohort, make_product, make_user, wait_in_line


def buy(cohort, now, *, email="learner@example.kz", quantity=1, user=None, product=None, locale="en") -> Order:
    """Put seats in a cart, check out and pay through the dummy provider's fulfilment."""
    cart = add_to_cart(token=None, user=user, product_slug=product.slug if product else None, cohort_ref=cohort.id,
                       quantity=str(quantity), now=now)
    buyer = BuyerDetails(email=email, full_name="Дана Омарова", phone="+77011234567", delivery_method="pickup",
                         locale=locale, accepts_terms=True)
    order, _ = place_order(cart, buyer, user=user, now=now, hold_minutes=30)
    db.session.add(Payment(order_id=order.id, provider="dummy", reference=f"ref-{order.public_id}",
                           amount_minor=order.total_minor, created_at=now))
    db.session.commit()
    return mark_paid(order.public_id, provider="dummy", reference=f"ref-{order.public_id}",
                        amount_minor=order.total_minor, now=now)


def _messages(template_word: str, recipient: str | None = None) -> list[OutboxMessage]:
    statement = (select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(template_word))
                 .order_by(OutboxMessage.id))
    if recipient:
        statement = statement.where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(statement))


def _active(cohort) -> int:
    return db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id,
                                                                  Enrolment.status == "active"))


def test_paying_for_two_seats_enrols_two_learners_and_the_seats_are_taken(app, now):
    cohort = make_cohort(capacity=5)
    buy(cohort, now, quantity=2)
    assert _active(cohort) == 2
    assert seat_availability([cohort.id], now)[cohort.id] == 3


def test_a_guest_buyer_gets_an_account_to_be_invited_to_and_the_invitation_email(app, now):
    cohort = make_cohort()
    buy(cohort, now, email="guest@example.kz")
    guest = db.session.scalar(select(User).where(User.email == "guest@example.kz"))
    assert guest is not None and guest.password_hash is None
    assert db.session.scalar(select(Enrolment.user_id)) == guest.id
    [invitation] = _messages("invitation:")
    assert invitation.recipient == "guest@example.kz"
    assert "http://shop.test/en/account/invitation/" in invitation.body_text  # in the buyer's language


def test_a_buyer_with_an_account_is_not_invited(app, now):
    user = make_user(email="member@example.kz")
    cohort = make_cohort()
    buy(cohort, now, email="member@example.kz")
    assert db.session.scalar(select(Enrolment.user_id)) == user.id
    assert _messages("invitation:") == []


def test_the_order_confirmation_lists_the_schedule_in_almaty_time_and_attaches_the_calendar(app, now):
    cohort = make_cohort(starts_at=almaty(2031, 3, 1, 19, 0), sessions=2)
    buy(cohort, now)
    [message] = _messages("order-confirmation:")
    assert "1 March 2031, 19:00" in message.body_text and "8 March 2031, 19:00" in message.body_text
    assert "secret-room" not in message.body_text + message.body_html
    [attachment] = message.attachments
    assert attachment["content_type"] == "text/calendar" and attachment["filename"].endswith(".ics")
    events = Calendar.from_ical(attachment["content"]).walk("VEVENT")
    assert len(events) == 2
    assert events[0].decoded("dtstart") == almaty(2031, 3, 1, 19, 0)
    assert "secret-room" not in attachment["content"]


def test_a_kit_with_a_course_enrols_its_buyer_in_the_chosen_cohort(app, now):
    cohort = make_cohort(capacity=3)
    kit = make_product(stock=5, course=cohort.course)
    buy(cohort, now, product=kit)
    assert _active(cohort) == 1
    db.session.refresh(kit)
    assert kit.on_hand == 4


def test_cancelling_an_enrolment_frees_its_seat_and_records_who_did_it(app, now):
    staff = make_user(role="staff")
    cohort = make_cohort(capacity=1)
    buy(cohort, now)
    enrolment = db.session.scalar(select(Enrolment))
    cancel_enrolment(enrolment.id, now=now, actor_id=staff.id)
    cancel_enrolment(enrolment.id, now=now, actor_id=staff.id)
    assert enrolment.status == "cancelled" and enrolment.cancelled_at is not None
    assert seat_availability([cohort.id], now)[cohort.id] == 1
    assert db.session.scalars(select(AuditEntry.actor_id)).all() == [staff.id]


def test_a_learner_whose_place_staff_cancel_is_told_once_in_the_language_they_ordered_in(app, now):
    cohort = make_cohort(capacity=2)
    buy(cohort, now, email="dana@example.kz", locale="kk")
    enrolment = db.session.scalar(select(Enrolment))
    cancel_enrolment(enrolment.id, now=now)
    cancel_enrolment(enrolment.id, now=now)
    [message] = _messages("enrolment-cancelled", "dana@example.kz")
    assert "Дана Омарова" in message.body_text
    assert message.subject != "Your place is cancelled: " + cohort.course.title_en  # written in Kazakh
    assert "Almaty" not in message.body_text and "(Алматы уақытымен)" in message.body_text


def test_cancelling_an_enrolment_offers_the_seat_to_the_first_person_waiting(app, now):
    cohort = make_cohort(capacity=1)
    buy(cohort, now)
    wait_in_line(cohort.id, "first@example.kz", now=now)
    wait_in_line(cohort.id, "second@example.kz", now=now + timedelta(minutes=1))
    cancel_enrolment(db.session.scalar(select(Enrolment.id)), now=now + timedelta(hours=1))
    statuses = dict(db.session.execute(select(WaitlistEntry.email, WaitlistEntry.status)).all())
    assert statuses == {"first@example.kz": "offered", "second@example.kz": "waiting"}
    assert [m.recipient for m in _messages("waitlist-offer:")] == ["first@example.kz"]
    assert seat_availability([cohort.id], now + timedelta(hours=1))[cohort.id] == 0


def test_refunding_an_order_cancels_its_enrolments_and_offers_the_seats(app, now):
    cohort = make_cohort(capacity=2)
    order = buy(cohort, now, quantity=2)
    wait_in_line(cohort.id, "waiting@example.kz", now=now)
    with unit_of_work():
        count = cancel_enrolments_for_order(db.session.get(Order, order.id), now=now)
    assert count == 2 and _active(cohort) == 0
    assert db.session.scalar(select(WaitlistEntry.status)) == "offered"
    assert seat_availability([cohort.id], now)[cohort.id] == 1


def test_capacity_cannot_go_below_the_seats_taken_and_says_why(app, now):
    cohort = make_cohort(capacity=3)
    buy(cohort, now, quantity=2)
    with pytest.raises(CapacityBelowEnrolments) as refused:
        change_capacity(cohort.id, 1, now=now)
    assert "2" in str(refused.value.message) and isinstance(refused.value, ShopError)
    db.session.refresh(cohort)
    assert cohort.capacity == 3


def test_capacity_counts_seats_held_by_open_checkouts_too(app, now):
    cohort = make_cohort(capacity=3)
    buy(cohort, now)
    cart = add_to_cart(token=None, user=None, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now)
    place_order(cart, BuyerDetails("x@example.kz", "X", "+77011234567", "pickup", accepts_terms=True), user=None,
                now=now, hold_minutes=30)
    with pytest.raises(CapacityBelowEnrolments):
        change_capacity(cohort.id, 1, now=now)
    assert change_capacity(cohort.id, 2, now=now).capacity == 2


def test_a_negative_capacity_is_refused(app, now):
    cohort = make_cohort(capacity=3)
    with pytest.raises(ShopError):
        change_capacity(cohort.id, -1, now=now)


def test_raising_capacity_offers_the_new_seats_to_the_people_waiting(app, now):
    cohort = make_cohort(capacity=1)
    buy(cohort, now)
    for number in range(3):
        wait_in_line(cohort.id, f"w{number}@example.kz", now=now + timedelta(seconds=number))
    change_capacity(cohort.id, 3, now=now)
    offered = db.session.scalars(select(WaitlistEntry.email).where(WaitlistEntry.status == "offered")
                                 .order_by(WaitlistEntry.email)).all()
    assert offered == ["w0@example.kz", "w1@example.kz"]
    with pytest.raises(CohortFull):
        add_to_cart(token=None, user=None, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now)


def test_reminders_go_to_each_learner_once_the_day_before_the_start(app, now):
    tomorrow = make_cohort(starts_at=now + timedelta(hours=20))
    next_week = make_cohort(starts_at=now + timedelta(days=7))
    buy(tomorrow, now, email="a@example.kz", quantity=2)
    buy(tomorrow, now, email="b@example.kz")
    buy(next_week, now, email="c@example.kz")
    assert send_reminders(now) == 2
    assert send_reminders(now) == 0
    assert sorted(m.recipient for m in _messages("cohort-reminder:")) == ["a@example.kz", "b@example.kz"]


def test_a_reminder_names_the_start_in_almaty_time(app, now):
    start = now + timedelta(hours=20)
    cohort = make_cohort(starts_at=start)
    buy(cohort, now)
    send_reminders(now)
    [message] = _messages("cohort-reminder:")
    assert to_local(start).strftime("%H:%M") in message.subject
    assert to_local(start).strftime("%H:%M") in message.body_text


def test_a_cancelled_enrolment_or_cohort_gets_no_reminder(app, now):
    cohort = make_cohort(starts_at=now + timedelta(hours=20))
    buy(cohort, now)
    cancel_enrolment(db.session.scalar(select(Enrolment.id)), now=now)
    assert send_reminders(now) == 0


def test_the_roster_lists_learners_with_payment_state_and_the_waiting_list_in_order(app, now):
    cohort = make_cohort(capacity=2)
    buy(cohort, now, email="one@example.kz")
    buy(cohort, now, email="two@example.kz")
    cancel_enrolment(db.session.scalar(select(Enrolment.id).where(Enrolment.email == "one@example.kz")), now=now)
    buy(cohort, now, email="three@example.kz")
    wait_in_line(cohort.id, "wait@example.kz", now=now)
    result = roster(cohort.id, now)
    assert [line.enrolment.email for line in result.learners] == ["two@example.kz", "three@example.kz",
                                                                  "one@example.kz"]
    assert [line.is_active for line in result.learners] == [True, True, False]
    assert result.active_count == 2 and result.status == "full"
    assert {line.payment_status for line in result.learners} == {"paid"}
    assert not any(line.has_account for line in result.learners)
    assert [entry.email for entry in result.waitlist] == ["wait@example.kz"]
