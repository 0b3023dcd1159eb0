"""The waiting list at its edges: who is in line at once, who is offered first, how long an offer lasts, when a
claim link stops working, and what a cohort's cancellation does to offers."""
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.admin.cohorts import set_cancelled
from shop.cart.services import add_to_cart, summarise, update_line
from shop.clock import utcnow
from shop.courses.services import cancel_enrolment, expire_waitlist_offers, leave_waitlist
from shop.courses.waitlist import (
    OfferLapsed,
    claim_token,
    confirm_token,
    confirm_waitlist,
    join_waitlist,
    leave_token,
    open_offer,
)
from shop.extensions import db
from shop.inventory.services import seat_availability
from shop.models import Enrolment, Hold, OutboxMessage, Payment, WaitlistEntry
from shop.orders.expiry import expire_orders
from shop.orders.paying import mark_paid
from shop.orders.placing import BuyerDetails, place_order
from tests.factories import make_cohort, make_user, wait_in_line
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


def _cancel_seat(email, now, cohort=None):
    query = select(Enrolment.id).where(Enrolment.email == email, Enrolment.status == "active")
    if cohort is not None:
        query = query.where(Enrolment.cohort_id == cohort.id)
    cancel_enrolment(db.session.scalar(query), now=now)


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


def _messages(key_start) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(key_start))
                                   .order_by(OutboxMessage.id)))


def _link(message, start) -> str:
    """Return the token of the link in ``message`` that begins with ``start`` (the confirmation token is dated)."""
    return re.search(re.escape(start) + r"(\S+)", message.body_text).group(1)


def _full(capacity=1, **options):
    cohort = make_cohort(capacity=capacity, **options)
    for number in range(capacity):
        buy(cohort, utcnow(), email=f"seated{number}@example.kz")
    return cohort


def test_a_member_whose_address_is_proven_is_in_line_at_once_and_told_how_to_leave(app, now):
    member = make_user(email="member@example.kz")
    entry = join_waitlist(_full().id, " Member@Example.kz", user=member, now=now, locale="en")
    assert (entry.status, entry.confirmed_at, entry.created_at, entry.user_id, entry.email, entry.locale) == (
        "waiting", now, now, member.id, "member@example.kz", "en")
    assert _messages("waitlist-confirm:") == []
    [joined] = _messages("waitlist-joined:")
    leave_link = f"http://shop.test/en/courses/waitlist/leave/{leave_token(entry)}"
    assert joined.recipient == "member@example.kz" and leave_link in joined.body_text
    assert joined.list_unsubscribe == leave_link


@pytest.mark.parametrize("verified, address", [(False, "member@example.kz"), (True, "other@example.kz")],
                         ids=["address-not-proven", "another-address"])
def test_a_member_must_confirm_an_address_their_account_has_not_proven(app, now, verified, address):
    member = make_user(email="member@example.kz", verified=verified)
    entry = join_waitlist(_full().id, address, user=member, now=now, locale="kk")
    assert (entry.status, entry.confirmed_at, entry.user_id) == ("unconfirmed", None, member.id)
    assert _messages("waitlist-joined:") == []
    [confirm] = _messages("waitlist-confirm:")
    assert confirm.recipient == address
    assert confirm_waitlist(_link(confirm, "http://shop.test/kk/courses/waitlist/confirm/"), now=now).id == entry.id
    assert _entry(address).status == "waiting"
    leave_link = f"http://shop.test/kk/courses/waitlist/leave/{leave_token(entry)}"
    assert leave_link in confirm.body_text and confirm.list_unsubscribe == leave_link


def test_a_language_the_shop_does_not_speak_gets_russian_links(app, now):
    entry = join_waitlist(_full().id, "a@example.kz", now=now, locale="de")
    assert entry.locale == "ru"
    [confirm] = _messages("waitlist-confirm:")
    assert confirm_waitlist(_link(confirm, "http://shop.test/courses/waitlist/confirm/"), now=now).id == entry.id


def test_one_address_waits_separately_for_each_full_cohort(app, now):
    first, second = _full(), _full()
    one = join_waitlist(first.id, "a@example.kz", now=now)
    other = join_waitlist(second.id, "a@example.kz", now=now)
    assert one.id != other.id and (one.cohort_id, other.cohort_id) == (first.id, second.id)


def test_the_first_to_confirm_is_first_in_line_whoever_asked_first(app, now):
    cohort = _full(capacity=1)
    slow = join_waitlist(cohort.id, "slow@example.kz", now=now)
    quick = join_waitlist(cohort.id, "quick@example.kz", now=now + timedelta(minutes=1))
    confirm_waitlist(confirm_token(quick), now=now + timedelta(minutes=2))
    confirm_waitlist(confirm_token(slow), now=now + timedelta(minutes=3))
    _cancel_seat("seated0@example.kz", now + timedelta(minutes=4))
    assert (_entry("quick@example.kz").status, _entry("slow@example.kz").status) == ("offered", "waiting")


def test_a_freed_seat_is_offered_only_to_people_waiting_for_that_cohort(app, now):
    elsewhere = _full(capacity=1)
    wait_in_line(elsewhere.id, "elsewhere@example.kz", now=now)
    cohort = _full(capacity=1)
    wait_in_line(cohort.id, "here@example.kz", now=now + timedelta(minutes=1))
    _cancel_seat("seated0@example.kz", now + timedelta(minutes=2), cohort=cohort)
    assert (_entry("here@example.kz").status, _entry("elsewhere@example.kz").status) == ("offered", "waiting")


def test_an_offer_for_a_cohort_starting_within_a_day_lasts_until_the_start(app, now):
    starts_at = now + timedelta(hours=5)
    cohort = _full(capacity=1, starts_at=starts_at)
    wait_in_line(cohort.id, "first@example.kz", now=now)
    _cancel_seat("seated0@example.kz", now)
    first = _entry("first@example.kz")
    assert (first.status, first.offer_expires_at) == ("offered", starts_at)
    assert db.session.scalar(select(Hold.expires_at).where(Hold.waitlist_entry_id == first.id)) == starts_at


def test_the_offer_email_is_in_the_language_of_the_person_waiting_with_links_to_claim_and_to_leave(app, now):
    cohort = _full(capacity=1)
    wait_in_line(cohort.id, "first@example.kz", now=now, locale="kk")
    _cancel_seat("seated0@example.kz", now)
    first = _entry("first@example.kz")
    [offer] = _messages("waitlist-offer:")
    assert offer.recipient == "first@example.kz"
    assert f"http://shop.test/kk/courses/waitlist/claim/{claim_token(first)}" in offer.body_text
    leave_link = f"http://shop.test/kk/courses/waitlist/leave/{leave_token(first)}"
    assert leave_link in offer.body_text and offer.list_unsubscribe == leave_link


def test_no_seat_of_a_cohort_that_has_started_is_offered(app, now):
    cohort = _full(capacity=1, starts_at=now + timedelta(hours=1))
    wait_in_line(cohort.id, "first@example.kz", now=now)
    _cancel_seat("seated0@example.kz", now + timedelta(hours=2))
    assert _entry("first@example.kz").status == "waiting"
    assert _messages("waitlist-offer:") == []


def test_someone_else_buying_a_new_seat_leaves_a_claimed_offer_and_other_members_waiting_alone(offered, now):
    member = make_user(email="member@example.kz")
    wait_in_line(offered.id, "member@example.kz", now=now, user=member)
    _claim(offered, "first@example.kz", now)  # first@'s offer now sits in their cart
    offered.capacity = 2
    db.session.commit()
    buyer = make_user(email="buyer@example.kz")
    buy(offered, now, email="buyer@example.kz", user=buyer)  # the seat just added, from a cart of their own
    assert _entry("first@example.kz").status == "offered"
    assert db.session.scalar(select(Hold.quantity).where(Hold.waitlist_entry_id == _entry("first@example.kz").id)) == 1
    assert _entry("second@example.kz").status == "waiting"
    assert _entry("member@example.kz").status == "waiting"


def test_buying_a_seat_of_one_cohort_keeps_the_buyer_waiting_for_another(offered, now):
    elsewhere = _full(capacity=1)
    wait_in_line(elsewhere.id, "first@example.kz", now=now)
    cart = _claim(offered, "first@example.kz", now)
    _pay(place_order(cart, BUYER, user=None, now=now, hold_minutes=30)[0], now)
    statuses = dict(db.session.execute(select(WaitlistEntry.cohort_id, WaitlistEntry.status)
                                       .where(WaitlistEntry.email == "first@example.kz")).all())
    assert statuses == {offered.id: "enrolled", elsewhere.id: "waiting"}


def test_a_claimed_seat_checked_out_just_before_the_start_is_held_until_the_start_only(app, now):
    starts_at = now + timedelta(hours=2)
    cohort = _full(capacity=1, starts_at=starts_at)
    wait_in_line(cohort.id, "first@example.kz", now=now)
    _cancel_seat("seated0@example.kz", now)
    late = starts_at - timedelta(minutes=10)
    cart = _claim(cohort, "first@example.kz", late)
    order, _ = place_order(cart, BUYER, user=None, now=late, hold_minutes=30)
    hold = db.session.scalar(select(Hold).where(Hold.cohort_id == cohort.id))
    assert (hold.order_id, hold.expires_at) == (order.id, starts_at)


def test_an_address_put_in_line_without_a_language_is_written_to_in_russian(app, now):
    cohort = _full(capacity=1)
    entry = join_waitlist(cohort.id, "first@example.kz", now=now)
    [confirm] = _messages("waitlist-confirm:")
    assert entry.locale == "ru" and confirm.body_text.startswith("Здравствуйте!")
    assert f"http://shop.test/courses/waitlist/confirm/{confirm_token(entry)}" in confirm.body_text


def _failed_page(order, now):
    from shop.orders.cancelling import cancel_unpaid

    db.session.add(Payment(order_id=order.id, provider="dummy", reference=f"ref-{order.public_id}",
                           amount_minor=order.total_minor, created_at=now))
    db.session.commit()
    cancel_unpaid(order.public_id, provider="dummy", reference=f"ref-{order.public_id}", now=now,
                  event_type="payment_failed")


def _live_holds(cohort, at) -> list[tuple]:
    return db.session.execute(select(Hold.order_id, Hold.expires_at).where(Hold.cohort_id == cohort.id,
                                                                           Hold.expires_at > at)).all()


def test_a_claimants_failed_payment_gives_the_seat_back_to_their_offer_until_it_ends(offered, now):
    order, _ = place_order(_claim(offered, "first@example.kz", now), BUYER, user=None, now=now, hold_minutes=30)
    _failed_page(order, now + timedelta(minutes=10))
    assert _live_holds(offered, now + timedelta(minutes=10)) == [(None, now + timedelta(hours=24))]
    assert _entry("first@example.kz").status == "offered"


def test_a_claimant_whose_lapsed_seat_was_sold_meanwhile_is_not_revived_over_the_buyer_but_is_first_in_line_again(
        offered, now):
    order, _ = place_order(_claim(offered, "first@example.kz", now), BUYER, user=None, now=now, hold_minutes=30)
    quick = add_to_cart(token=None, user=None, product_slug=None, cohort_ref=offered.id, quantity="1",
                        now=now + timedelta(minutes=35))  # the order's hold ran out: the seat is free again
    taken, _ = place_order(quick, replace(BUYER, email="quick@example.kz"), user=None,
                           now=now + timedelta(minutes=35), hold_minutes=30)
    _failed_page(order, now + timedelta(minutes=40))
    assert [order_id for order_id, _end in _live_holds(offered, now + timedelta(minutes=40))] == [taken.id]
    assert _entry("first@example.kz").status == "waiting"
    _failed_page(taken, now + timedelta(minutes=45))
    assert (_entry("first@example.kz").status, _entry("second@example.kz").status) == ("offered", "waiting")


def _release_expired(at):
    expire_orders(at)
    expire_waitlist_offers(at)


def test_a_claimants_seat_whose_order_reservation_ran_out_goes_back_to_their_offer_not_to_the_next_in_line(
        offered, now):
    order, _ = place_order(_claim(offered, "first@example.kz", now), BUYER, user=None, now=now, hold_minutes=30)
    _release_expired(now + timedelta(minutes=35))
    assert db.session.get(type(order), order.id).payment_status == "cancelled"
    assert _live_holds(offered, now + timedelta(minutes=35)) == [(None, now + timedelta(hours=24))]
    assert (_entry("first@example.kz").status, _entry("second@example.kz").status) == ("offered", "waiting")
    again, _ = place_order(_claim(offered, "first@example.kz", now + timedelta(hours=2)), BUYER, user=None,
                           now=now + timedelta(hours=2), hold_minutes=30)
    assert [order_id for order_id, _end in _live_holds(offered, now + timedelta(hours=2))] == [again.id]


def test_a_claimant_sees_and_may_take_both_the_seat_held_for_them_and_the_seats_free_to_anyone(app, now):
    cohort = make_cohort(capacity=2)
    buy(cohort, now, email="a@example.kz")
    buy(cohort, now, email="b@example.kz")
    wait_in_line(cohort.id, "first@example.kz", now=now)
    _cancel_seat("a@example.kz", now)  # held for first@, who is offered it
    _cancel_seat("b@example.kz", now)  # nobody else waits: free to anyone
    assert _entry("first@example.kz").status == "offered"
    cart = add_to_cart(token=None, user=None, product_slug=None, cohort_ref=None, quantity="1", now=now,
                       claim=claim_token(_entry("first@example.kz")))  # the claim link names no cohort: the offer does
    [row] = summarise(cart, now).rows
    assert (row.line.cohort_id, row.available, row.limit) == (cohort.id, 2, "seats")
    update_line(cart, str(row.line.id), "2", now=now)  # the held seat and the free one
    assert [line.quantity for line in cart.lines] == [2]


def test_someone_who_left_the_list_may_join_it_again_at_its_end(app, now):
    cohort = make_cohort(capacity=1)
    buy(cohort, now, email="seated@example.kz")
    left = wait_in_line(cohort.id, "first@example.kz", now=now)
    leave_waitlist(leave_token(left), now=now)
    wait_in_line(cohort.id, "second@example.kz", now=now + timedelta(minutes=1))
    again = wait_in_line(cohort.id, "First@Example.kz", now=now + timedelta(minutes=2))
    assert again.id != left.id and again.status == "waiting"
    _cancel_seat("seated@example.kz", now + timedelta(minutes=3))
    assert (_entry("second@example.kz").status, db.session.get(WaitlistEntry, again.id).status) == (
        "offered", "waiting")


def test_someone_offered_a_seat_who_buys_one_anyway_frees_the_offer_for_the_next_in_line(offered, now):
    offered.capacity = 2  # staff added a seat; first@ buys it instead of claiming the one offered
    db.session.commit()
    buy(offered, now, email="first@example.kz")
    assert (_entry("first@example.kz").status, _entry("second@example.kz").status) == ("enrolled", "offered")
    assert seat_availability([offered.id], now)[offered.id] == 0


def test_a_claimant_who_checks_out_under_another_address_stops_waiting(offered, now):
    cart = _claim(offered, "first@example.kz", now)
    order, _ = place_order(cart, replace(BUYER, email="work@example.kz"), user=None, now=now, hold_minutes=30)
    _pay(order, now)
    assert (_entry("first@example.kz").status, _entry("second@example.kz").status) == ("enrolled", "waiting")


def test_buying_a_seat_leaves_an_earlier_left_entry_as_it_was(app, now):
    cohort = make_cohort(capacity=1)
    buy(cohort, now, email="seated@example.kz")
    leave_waitlist(leave_token(wait_in_line(cohort.id, "first@example.kz", now=now)), now=now)
    cohort.capacity = 2
    db.session.commit()
    buy(cohort, now, email="first@example.kz")
    assert _entry("first@example.kz").status == "left"


def _offer_seats(capacity: int, now) -> tuple:
    """A full cohort whose every learner left, each seat offered to someone waiting: (cohort, their e-mails)."""
    cohort = make_cohort(capacity=capacity)
    seated, waiting = [f"s{n}-{cohort.id}@example.kz" for n in range(capacity)], []
    for email in seated:
        buy(cohort, now, email=email)
    for n in range(capacity):
        waiting.append(f"w{n}-{cohort.id}@example.kz")
        wait_in_line(cohort.id, waiting[-1], now=now)
    for email in seated:
        _cancel_seat(email, now)
    return cohort, waiting


@pytest.mark.parametrize("seats", [2, 1], ids=["both-offers", "one-of-two"])
def test_a_cart_holding_offers_of_two_cohorts_checks_out_each_seat_with_its_own_cohorts_offer(app, now, seats):
    first, [one] = _offer_seats(1, now)  # offered first: its hold is the oldest
    second, both = _offer_seats(2, now)
    cart = None
    for email in (*both, one):  # the second cohort's line comes first in the cart
        cart = add_to_cart(token=cart.token if cart else None, user=None, product_slug=None, cohort_ref=None,
                           quantity="1", now=now, claim=claim_token(_entry(email)))
    line = next(line for line in cart.lines if line.cohort_id == second.id)
    update_line(cart, str(line.id), str(seats), now=now)  # one person taking one or both seats they were offered
    order, _ = place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    held = db.session.execute(select(Hold.cohort_id, Hold.quantity, Hold.order_line_id)
                              .where(Hold.order_id == order.id).order_by(Hold.id)).all()
    line_cohort = {line.id: line.cohort_id for line in order.lines}
    assert sorted((cohort_id, quantity) for cohort_id, quantity, _line in held) == sorted(
        [(first.id, 1)] + [(second.id, 1)] * seats)
    assert all(line_cohort[line_id] == cohort_id for cohort_id, _quantity, line_id in held)
    still_offered = select(Hold.id).where(Hold.cohort_id == second.id, Hold.order_id.is_(None))
    assert len(db.session.scalars(still_offered).all()) == 2 - seats  # the other offer keeps its seat


def test_a_claimant_who_left_the_list_loses_the_seat_when_their_reservation_runs_out(offered, now):
    place_order(_claim(offered, "first@example.kz", now), BUYER, user=None, now=now, hold_minutes=30)
    leave_waitlist(leave_token(_entry("first@example.kz")), now=now + timedelta(minutes=5))
    _release_expired(now + timedelta(minutes=35))
    assert (_entry("first@example.kz").status, _entry("second@example.kz").status) == ("left", "offered")


def test_a_claimant_back_from_the_payment_page_sees_their_one_seat_once(offered, now):
    cart = _claim(offered, "first@example.kz", now)
    place_order(cart, BUYER, user=None, now=now, hold_minutes=30)
    [row] = summarise(cart, now + timedelta(minutes=5)).rows
    assert (row.available, row.is_short) == (1, False)
