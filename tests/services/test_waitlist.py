"""The waiting list: a freed seat goes to the first in line, is held 24 hours for them, then passes on."""
from dataclasses import replace
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.cart.services import add_to_cart, find_cart, merge_carts, summarise
from shop.checkout.services import start_payment
from shop.courses.services import (
    cancel_enrolment,
    change_capacity,
    expire_waitlist_offers,
    join_waitlist,
    leave_waitlist,
)
from shop.courses.waitlist import CohortNotFull, OfferLapsed, claim_token, leave_token
from shop.errors import CohortClosed, CohortFull
from shop.extensions import db
from shop.inventory.services import seat_availability
from shop.models import Enrolment, Hold, OutboxMessage, Payment, WaitlistEntry
from shop.orders.cancelling import cancel_unpaid
from shop.orders.paying import mark_paid
from shop.orders.placing import BuyerDetails, place_order
from shop.payments.dummy_gateway import DummyGateway
from shop.templating import local_datetime
from tests.factories import make_cohort, make_user, wait_in_line
from tests.services.test_courses import buy

BUYER = BuyerDetails(email="claimant@example.kz", full_name="Claimant", phone="+77011234567", delivery_method="pickup",
                     accepts_terms=True)


@pytest.fixture
def full_cohort(app, now):
    """A one-seat cohort whose seat is sold, with two people waiting: first@ then second@."""
    cohort = make_cohort(capacity=1)
    buy(cohort, now, email="seated@example.kz")
    wait_in_line(cohort.id, "first@example.kz", now=now)
    wait_in_line(cohort.id, "second@example.kz", now=now + timedelta(minutes=1))
    return cohort


def _free_the_seat(now):
    cancel_enrolment(db.session.scalar(select(Enrolment.id).where(Enrolment.email == "seated@example.kz")), now=now)


def _entry(email) -> WaitlistEntry:
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == email))


def _offers_to() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.recipient)
                                   .where(OutboxMessage.dedupe_key.startswith("waitlist-offer:")).order_by(OutboxMessage.id)))


def _add_seat(cohort, now, claim=None, token=None):
    return add_to_cart(token=token, user=None, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now,
                       claim=claim)


def test_only_a_full_cohort_has_a_waiting_list(app, now, later):
    with pytest.raises(CohortNotFull):
        join_waitlist(make_cohort(capacity=3).id, "a@example.kz", now=now)
    with pytest.raises(CohortClosed):
        join_waitlist(make_cohort(capacity=0, is_cancelled=True).id, "a@example.kz", now=now)
    with pytest.raises(CohortClosed):
        join_waitlist(make_cohort(capacity=0, starts_at=later(hours=-1)).id, "a@example.kz", now=now)


def test_an_email_is_on_a_cohorts_waiting_list_once_whatever_its_case(full_cohort, now):
    again = wait_in_line(full_cohort.id, "First@Example.kz ", now=now)
    assert again.id == _entry("first@example.kz").id
    assert db.session.query(WaitlistEntry).count() == 2


def test_joining_emails_a_link_to_leave(full_cohort, now):
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "first@example.kz"))
    assert "/courses/waitlist/leave/" in message.body_text


def test_a_freed_seat_is_offered_to_the_first_in_line_and_held_for_24_hours(full_cohort, now):
    _free_the_seat(now)
    first = _entry("first@example.kz")
    assert first.status == "offered" and first.offer_expires_at == now + timedelta(hours=24)
    hold = db.session.scalar(select(Hold).where(Hold.waitlist_entry_id == first.id))
    assert (hold.cohort_id, hold.quantity, hold.expires_at) == (full_cohort.id, 1, now + timedelta(hours=24))
    assert _entry("second@example.kz").status == "waiting"
    assert _offers_to() == ["first@example.kz"]
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("waitlist-offer:")))
    assert f"/courses/waitlist/claim/{claim_token(first)}" in message.body_text
    with force_locale(first.locale):
        until = local_datetime(now + timedelta(hours=24))
    assert until and until in message.body_text  # the time the seat is held until, in Almaty time


def test_nobody_else_can_take_the_offered_seat_while_it_is_held(full_cohort, now):
    _free_the_seat(now)
    with pytest.raises(CohortFull):
        _add_seat(full_cohort, now + timedelta(hours=23, minutes=59))


def test_an_unclaimed_offer_lapses_after_24_hours_and_passes_to_the_next(full_cohort, now):
    _free_the_seat(now)
    assert expire_waitlist_offers(now + timedelta(hours=23)) == 0
    assert expire_waitlist_offers(now + timedelta(hours=24)) == 1
    assert _entry("first@example.kz").status == "lapsed"
    second = _entry("second@example.kz")
    assert second.status == "offered" and second.offer_expires_at == now + timedelta(hours=48)
    assert _offers_to() == ["first@example.kz", "second@example.kz"]
    assert expire_waitlist_offers(now + timedelta(hours=24)) == 0
    assert _offers_to() == ["first@example.kz", "second@example.kz"]


def test_when_nobody_is_left_waiting_a_lapsed_offer_frees_the_seat_for_anyone(full_cohort, now):
    _free_the_seat(now)
    expire_waitlist_offers(now + timedelta(hours=24))
    expire_waitlist_offers(now + timedelta(hours=48))
    assert seat_availability([full_cohort.id], now + timedelta(hours=48))[full_cohort.id] == 1


def test_a_seat_freed_by_a_checkout_hold_running_out_is_offered_by_the_expiry_job(app, now):
    cohort = make_cohort(capacity=1)
    earlier = now - timedelta(minutes=40)
    cart = _add_seat(cohort, earlier)
    place_order(cart, BUYER, user=None, now=earlier, hold_minutes=30)
    wait_in_line(cohort.id, "first@example.kz", now=earlier)
    expire_waitlist_offers(now)
    assert _entry("first@example.kz").status == "offered"


def test_an_offer_is_claimed_into_the_cart_and_the_claimant_can_check_out_a_full_cohort(full_cohort, now):
    _free_the_seat(now)
    token = claim_token(_entry("first@example.kz"))
    cart = _add_seat(full_cohort, now, claim=token)
    [row] = summarise(cart, now).rows
    assert row.line.quantity == 1 and not row.is_short
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    hold = db.session.scalar(select(Hold).where(Hold.cohort_id == full_cohort.id))
    assert hold.order_id == order.id and hold.expires_at == now + timedelta(minutes=30)
    assert db.session.query(Hold).count() == 1
    assert seat_availability([full_cohort.id], now)[full_cohort.id] == 0


def test_claiming_twice_keeps_one_seat_in_the_cart(full_cohort, now):
    _free_the_seat(now)
    token = claim_token(_entry("first@example.kz"))
    cart = _add_seat(full_cohort, now, claim=token)
    cart = _add_seat(full_cohort, now, claim=token, token=cart.token)
    assert [line.quantity for line in cart.lines] == [1]


def test_a_claimed_seat_is_paid_into_an_enrolment_and_the_claimant_stops_waiting(full_cohort, now):
    _free_the_seat(now)
    cart = _add_seat(full_cohort, now, claim=claim_token(_entry("first@example.kz")))
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    db.session.add(Payment(order_id=order.id, provider="dummy", reference="ref-claim", amount_minor=order.total_minor))
    db.session.commit()
    mark_paid(order.public_id, provider="dummy", reference="ref-claim", amount_minor=order.total_minor, now=now)
    assert _entry("first@example.kz").status == "enrolled"
    assert db.session.scalar(select(Enrolment.email).where(Enrolment.status == "active")) == "claimant@example.kz"
    assert db.session.query(Hold).count() == 0
    assert _entry("second@example.kz").status == "waiting"


def test_a_failed_payment_gives_the_seat_back_to_the_offer_while_it_lasts(full_cohort, now):
    _free_the_seat(now)
    cart = _add_seat(full_cohort, now, claim=claim_token(_entry("first@example.kz")))
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    start_payment(order, DummyGateway(), now=now)
    reference = db.session.scalar(select(Payment.reference).where(Payment.order_id == order.id))
    cancel_unpaid(order.public_id, provider="dummy", reference=reference, now=now + timedelta(minutes=5))
    hold = db.session.scalar(select(Hold))
    assert hold.order_id is None and hold.expires_at == now + timedelta(hours=24)
    assert _entry("second@example.kz").status == "waiting"
    order, _ = place_order(cart, BUYER, user=None, now=now + timedelta(minutes=6), hold_minutes=30)
    assert db.session.scalar(select(Hold.order_id)) == order.id


def test_another_cart_cannot_use_someone_elses_claim_without_the_link(full_cohort, now):
    _free_the_seat(now)
    _add_seat(full_cohort, now, claim=claim_token(_entry("first@example.kz")))
    with pytest.raises(CohortFull):
        _add_seat(full_cohort, now)


def test_a_lapsed_offer_cannot_be_claimed(full_cohort, now):
    _free_the_seat(now)
    token = claim_token(_entry("first@example.kz"))
    expire_waitlist_offers(now + timedelta(hours=24))
    with pytest.raises(OfferLapsed):
        _add_seat(full_cohort, now + timedelta(hours=24), claim=token)


def test_a_claimed_offer_moves_with_the_cart_when_the_visitor_logs_in(full_cohort, now):
    user = make_user()
    own = add_to_cart(token=None, user=user, product_slug=None, cohort_ref=make_cohort(capacity=5).id, quantity="1",
                      now=now)
    _free_the_seat(now)
    visitor = _add_seat(full_cohort, now, claim=claim_token(_entry("first@example.kz")))
    merge_carts(visitor.token, user, now=now)
    assert _entry("first@example.kz").cart_id == own.id
    assert not any(row.is_short for row in summarise(own, now).rows)


def test_a_claimed_seat_counts_with_the_free_seats_when_carts_join_at_login(app, now):
    cohort, user = make_cohort(capacity=3), make_user()
    add_to_cart(token=None, user=user, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now)
    for number in range(3):
        buy(cohort, now, email=f"seated{number}@example.kz")
    wait_in_line(cohort.id, "first@example.kz", now=now)
    for number in range(2):
        cancel_enrolment(db.session.scalar(select(Enrolment.id).where(Enrolment.email == f"seated{number}@example.kz")),
                         now=now)
    visitor = _add_seat(cohort, now, claim=claim_token(_entry("first@example.kz")))
    merge_carts(visitor.token, user, now=now)
    assert [line.quantity for line in find_cart(user=user).lines] == [2]


def test_leaving_by_the_link_passes_an_offered_seat_to_the_next(full_cohort, now):
    _free_the_seat(now)
    leave_waitlist(leave_token(_entry("first@example.kz")), now=now)
    leave_waitlist(leave_token(_entry("first@example.kz")), now=now)
    assert _entry("first@example.kz").status == "left"
    assert _entry("second@example.kz").status == "offered"
    assert _offers_to() == ["first@example.kz", "second@example.kz"]


def test_someone_who_left_can_join_again_at_the_end_of_the_line(full_cohort, now):
    leave_waitlist(leave_token(_entry("first@example.kz")), now=now)
    wait_in_line(full_cohort.id, "first@example.kz", now=now + timedelta(minutes=5))
    _free_the_seat(now + timedelta(minutes=6))
    assert _offers_to() == ["second@example.kz"]


def test_someone_waiting_who_buys_a_free_seat_without_the_link_stops_waiting_and_frees_their_offer(full_cohort, now):
    change_capacity(full_cohort.id, 4, now=now)
    assert _entry("second@example.kz").status == "offered"
    buy(full_cohort, now, email="second@example.kz")
    assert _entry("second@example.kz").status == "enrolled"
    assert _entry("first@example.kz").status == "offered"
    assert seat_availability([full_cohort.id], now)[full_cohort.id] == 1


def test_a_claimed_offer_whose_hold_ran_out_is_not_revived_by_checkout(full_cohort, now):
    earlier = now - timedelta(hours=24, minutes=1)
    _free_the_seat(earlier)
    cart = _add_seat(full_cohort, earlier, claim=claim_token(_entry("first@example.kz")))
    after = now  # the offer's hold ran out a minute ago; the expiry job has not run yet
    assert _entry("first@example.kz").status == "offered"
    place_order(_add_seat(full_cohort, after), replace(BUYER, email="quick@example.kz"), user=None, now=after,
                hold_minutes=30)  # someone else takes the seat that is free again
    with pytest.raises(CohortFull):
        place_order(cart, replace(BUYER, email="first@example.kz"), user=None, now=after, hold_minutes=30)
    assert db.session.scalar(select(func.sum(Hold.quantity)).where(Hold.expires_at > after)) == 1


def test_seats_of_a_failed_unpaid_order_go_to_the_first_person_waiting_at_once(app, now):
    cohort = make_cohort(capacity=1)
    cart = _add_seat(cohort, now)
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    wait_in_line(cohort.id, "first@example.kz", now=now)
    assert _entry("first@example.kz").status == "waiting"
    start_payment(order, DummyGateway(), now=now)
    reference = db.session.scalar(select(Payment.reference))
    cancel_unpaid(order.public_id, provider="dummy", reference=reference, now=now, event_type="payment_failed")
    assert _entry("first@example.kz").status == "offered"


def test_seats_of_an_expired_unpaid_order_go_to_the_first_person_waiting_when_it_is_released(app, now):
    from shop.orders.expiry import expire_orders as release_expired

    cohort = make_cohort(capacity=1)
    earlier = now - timedelta(minutes=40)
    place_order(_add_seat(cohort, earlier), BUYER, user=None, now=earlier, hold_minutes=30)
    wait_in_line(cohort.id, "first@example.kz", now=earlier)
    release_expired(now)
    assert _entry("first@example.kz").status == "offered"


def test_a_claimant_may_set_their_claimed_seat_line_again_in_a_full_cohort(full_cohort, now):
    _free_the_seat(now)
    cart = _add_seat(full_cohort, now, claim=claim_token(_entry("first@example.kz")))
    from shop.cart.services import update_line
    update_line(cart, str(cart.lines[0].id), "1", now=now)
    assert cart.lines[0].quantity == 1
    with pytest.raises(CohortFull):
        update_line(cart, str(cart.lines[0].id), "2", now=now)
