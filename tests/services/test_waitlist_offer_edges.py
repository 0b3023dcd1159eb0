"""Offers at their edges: when a claim link stops working, and what a cohort's cancellation does to offers."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.admin.cohorts import set_cancelled
from shop.cart.services import add_to_cart, summarise
from shop.courses.services import cancel_enrolment, expire_waitlist_offers, leave_waitlist
from shop.courses.waitlist import OfferLapsed, claim_token, leave_token, open_offer
from shop.extensions import db
from shop.inventory.services import seat_availability
from shop.models import Enrolment, Hold, Payment, WaitlistEntry
from shop.orders.paying import mark_paid
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_cohort, wait_in_line
from tests.services.test_courses import buy

BUYER = BuyerDetails(email="first@example.kz", full_name="First In Line", phone="+77011234567",
                     delivery_method="pickup", accepts_terms=True)


@pytest.fixture
def offered(app, now):
    """A one-seat cohort whose learner left: first@ is offered the seat until now + 24 h, second@ waits."""
    cohort = make_cohort(capacity=1)
    buy(cohort, now, email="seated@example.kz")
    wait_in_line(cohort.id, "first@example.kz", now=now)
    wait_in_line(cohort.id, "second@example.kz", now=now + timedelta(minutes=1))
    cancel_enrolment(db.session.scalar(select(Enrolment.id).where(Enrolment.email == "seated@example.kz")), now=now)
    assert _entry("first@example.kz").status == "offered"
    return cohort


def _entry(email) -> WaitlistEntry:
    db.session.expire_all()
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == email))


def _claim(cohort, email, now, token=None):
    return add_to_cart(token=token, user=None, product_slug=None, cohort_ref=cohort.id, quantity="1", now=now,
                       claim=claim_token(_entry(email)))


def _pay(order, now):
    db.session.add(Payment(order_id=order.id, provider="dummy", reference=f"ref-{order.public_id}",
                           amount_minor=order.total_minor, created_at=now))
    db.session.commit()
    mark_paid(order.public_id, provider="dummy", reference=f"ref-{order.public_id}", amount_minor=order.total_minor,
              now=now)


def test_a_claim_link_works_until_the_last_second_of_the_offer(offered, now):
    last_second = now + timedelta(hours=24) - timedelta(seconds=1)
    assert open_offer(claim_token(_entry("first@example.kz")), last_second).email == "first@example.kz"
    [line] = _claim(offered, "first@example.kz", last_second).lines
    assert line.quantity == 1


@pytest.mark.parametrize("after", [timedelta(hours=24), timedelta(hours=25)], ids=["at-the-end", "an-hour-after"])
def test_a_claim_link_stops_working_when_the_offer_ends_even_before_the_expiry_job_runs(offered, now, after):
    token = claim_token(_entry("first@example.kz"))
    with pytest.raises(OfferLapsed):
        open_offer(token, now + after)
    with pytest.raises(OfferLapsed):
        _claim(offered, "first@example.kz", now + after)
    assert _entry("first@example.kz").cart_id is None


def test_someone_who_left_the_list_cannot_claim_the_seat_they_were_offered(offered, now):
    token = claim_token(_entry("first@example.kz"))
    leave_waitlist(leave_token(_entry("first@example.kz")), now=now)
    with pytest.raises(OfferLapsed):
        open_offer(token, now + timedelta(minutes=1))
    with pytest.raises(OfferLapsed):
        _claim(offered, "first@example.kz", now + timedelta(minutes=1))
    assert _entry("second@example.kz").status == "offered"


def test_cancelling_a_cohort_puts_the_person_offered_a_seat_back_in_line_with_no_offer_standing(offered, now):
    _claim(offered, "first@example.kz", now)
    wait_in_line(offered.id, "gone@example.kz", now=now)
    leave_waitlist(leave_token(_entry("gone@example.kz")), now=now)
    elsewhere = make_cohort(capacity=1)
    buy(elsewhere, now, email="seated-elsewhere@example.kz")
    wait_in_line(elsewhere.id, "other@example.kz", now=now)
    cancel_enrolment(db.session.scalar(select(Enrolment.id).where(Enrolment.email == "seated-elsewhere@example.kz")),
                     now=now)

    set_cancelled(offered.id, True, actor_id=None, now=now + timedelta(hours=1))

    first = _entry("first@example.kz")
    assert (first.status, first.offered_at, first.offer_expires_at, first.cart_id) == ("waiting", None, None, None)
    assert _entry("second@example.kz").status == "waiting"
    assert _entry("gone@example.kz").status == "left"
    other = _entry("other@example.kz")
    assert (other.status, other.offer_expires_at) == ("offered", now + timedelta(hours=24))
    with pytest.raises(OfferLapsed):
        open_offer(claim_token(first), now + timedelta(hours=1))


def test_a_seat_claimed_before_a_cancellation_must_be_claimed_again_by_the_new_offer_after_reopening(offered, now):
    cart = _claim(offered, "first@example.kz", now)
    set_cancelled(offered.id, True, actor_id=None, now=now + timedelta(hours=1))
    set_cancelled(offered.id, False, actor_id=None, now=now + timedelta(hours=2))
    first = _entry("first@example.kz")
    assert (first.status, first.offer_expires_at) == ("offered", now + timedelta(hours=26))
    [row] = summarise(cart, now + timedelta(hours=2)).rows
    assert row.is_short  # the old claim is void: the seat is held for the new offer, not for this cart
    cart = _claim(offered, "first@example.kz", now + timedelta(hours=2), token=cart.token)
    [row] = summarise(cart, now + timedelta(hours=2)).rows
    assert row.line.quantity == 1 and not row.is_short


def test_an_offer_running_out_while_its_claimant_pays_leaves_the_seat_with_their_order(offered, now):
    late = now + timedelta(hours=23, minutes=50)
    cart = _claim(offered, "first@example.kz", late)
    order, _ = place_order(cart, BUYER, user=None, now=late, hold_minutes=30)  # holds the seat until 24 h 20 min

    assert expire_waitlist_offers(now + timedelta(hours=24)) == 1

    assert _entry("first@example.kz").status == "lapsed"
    assert _entry("second@example.kz").status == "waiting"
    assert db.session.scalar(select(Hold.order_id).where(Hold.cohort_id == offered.id)) == order.id
    assert seat_availability([offered.id], now + timedelta(hours=24))[offered.id] == 0
    _pay(order, now + timedelta(hours=24, minutes=5))
    assert db.session.scalar(select(Enrolment.email).where(Enrolment.status == "active")) == BUYER.email
