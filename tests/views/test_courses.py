"""Course pages: booking seats, kits with a course, and the waiting list from the visitor's side."""
from datetime import timedelta

from sqlalchemy import func, select

from shop.courses.services import cancel_enrolment, expire_waitlist_offers
from shop.courses.waitlist import claim_token, leave_token
from shop.extensions import db
from shop.inventory.services import seat_availability
from shop.models import Enrolment, Hold, Order, OutboxMessage, WaitlistEntry
from tests.conftest import english_client, post_webhook
from tests.factories import make_cohort, make_course, make_product
from tests.stripe_stub import make_event
from tests.views.helpers import BUYER, add, check_out, join_waitlist_by_form, path_of, pay_dummy


def _enrolled(cohort) -> int:
    return db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id,
                                                                  Enrolment.status == "active"))


def _link(message: OutboxMessage, part: str) -> str:
    return next(word for word in message.body_text.split() if part in word).replace("http://shop.test", "")


def _english(app):
    return english_client(app)


def test_buying_two_seats_through_the_dummy_provider_enrols_two_and_leaves_the_rest(client, app, now):
    cohort = make_cohort(capacity=4)
    add(client, cohort=cohort, quantity=2)
    assert pay_dummy(client).status_code == 303
    assert _enrolled(cohort) == 2
    assert seat_availability([cohort.id], now)[cohort.id] == 2
    assert "2 seats left" in client.get(f"/courses/{cohort.course.slug}").get_data(as_text=True)


def test_a_started_or_cancelled_cohort_offers_no_booking_or_waiting_list(client, app, later):
    course = make_course()
    make_cohort(course=course, capacity=0, is_cancelled=True, starts_at=later(days=3))
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Cancelled" in page and "Book a seat" not in page and "waiting list" not in page


def test_a_full_cohort_offers_the_waiting_list_form(client, app):
    cohort = make_cohort(capacity=0)
    page = client.get(f"/courses/{cohort.course.slug}").get_data(as_text=True)
    assert f'action="/en/courses/{cohort.course.slug}/cohorts/{cohort.id}/waitlist"' in page
    assert 'name="email"' in page and 'name="csrf_token"' not in page  # checked by origin: the page is shared
    assert f'<label for="waitlist-email-{cohort.id}">' in page
    assert "Join the waiting list" in page and "Book a seat" not in page


def test_joining_the_waiting_list_asks_to_confirm_the_address_and_emails_the_way_to_leave(client, app):
    cohort = make_cohort(capacity=0)
    waitlist = f"/courses/{cohort.course.slug}/cohorts/{cohort.id}/waitlist"
    response = client.post(waitlist, data={"email": "w@example.kz"})
    assert response.status_code == 303 and path_of(response) == f"/courses/{cohort.course.slug}"
    assert "confirm your place in line" in client.get(path_of(response)).get_data(as_text=True)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "w@example.kz"))
    assert "/courses/waitlist/leave/" in message.body_text and "/courses/waitlist/confirm/" in message.body_text
    assert db.session.scalar(select(WaitlistEntry.status)) == "unconfirmed"
    confirmed = join_waitlist_by_form(client, cohort, "w@example.kz")
    page = client.get(path_of(confirmed)).get_data(as_text=True)
    assert f"You are on the list for «{cohort.course.title_en}»" in page
    assert db.session.scalar(select(WaitlistEntry.status)) == "waiting"


def test_an_unconfirmed_address_is_never_offered_a_seat(client, app, now):
    cohort = make_cohort(capacity=1)
    add(client, cohort=cohort)
    pay_dummy(client)
    _english(app).post(f"/courses/{cohort.course.slug}/cohorts/{cohort.id}/waitlist", data={"email": "idle@example.kz"})
    cancel_enrolment(db.session.scalar(select(Enrolment.id)), now=now)
    assert db.session.scalar(select(WaitlistEntry.status)) == "unconfirmed"
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key.startswith("waitlist-offer:"))) \
        is None


def test_a_bad_email_for_the_waiting_list_is_refused_with_a_message(client, app):
    cohort = make_cohort(capacity=0)
    response = client.post(f"/courses/{cohort.course.slug}/cohorts/{cohort.id}/waitlist", data={"email": "nope"},
                           follow_redirects=True)
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert db.session.scalar(select(WaitlistEntry.id)) is None


def test_an_open_cohorts_waiting_list_sends_the_visitor_to_book_instead(client, app):
    cohort = make_cohort(capacity=3)
    waitlist = f"/courses/{cohort.course.slug}/cohorts/{cohort.id}/waitlist"
    response = client.post(waitlist, data={"email": "w@example.kz"},
                           follow_redirects=True)
    assert "This cohort still has seats" in response.get_data(as_text=True)


def test_a_cohort_of_another_course_has_no_waiting_list_here(client, app):
    cohort = make_cohort(capacity=0)
    other = make_course()
    answer = client.post(f"/courses/{other.slug}/cohorts/{cohort.id}/waitlist", data={"email": "w@x.kz"})
    assert answer.status_code == 404


def test_a_freed_seat_reaches_the_first_person_waiting_who_books_it_through_the_claim_link(client, app, now):
    cohort = make_cohort(capacity=1)
    add(client, cohort=cohort)
    pay_dummy(client)
    waiting = _english(app)
    for email in ("first@example.kz", "second@example.kz"):
        join_waitlist_by_form(waiting, cohort, email)
    cancel_enrolment(db.session.scalar(select(Enrolment.id)), now=now)
    offer = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("waitlist-offer:")))
    assert offer.recipient == "first@example.kz"
    claim = _link(offer, "/courses/waitlist/claim/")
    claimant = _english(app)
    page = claimant.get(claim).get_data(as_text=True)
    assert "A seat is waiting for you" in page and "Book my seat" in page
    response = claimant.post(claim)
    assert response.status_code == 303 and path_of(response) == "/cart"
    assert cohort.course.title_en in claimant.get("/cart").get_data(as_text=True)
    response = check_out(claimant, email="first@example.kz")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert claimant.post(path_of(response), data={"outcome": "pay"}).status_code == 303
    assert db.session.scalar(select(Enrolment.email).where(Enrolment.status == "active")) == "first@example.kz"
    status = db.session.scalar(select(WaitlistEntry.status).where(WaitlistEntry.email == "first@example.kz"))
    assert status == "enrolled"


def test_someone_else_cannot_buy_the_seat_held_for_the_first_in_line(client, app, now):
    cohort = make_cohort(capacity=1)
    add(client, cohort=cohort)
    pay_dummy(client)
    join_waitlist_by_form(_english(app), cohort, "first@example.kz")
    cancel_enrolment(db.session.scalar(select(Enrolment.id)), now=now)
    stranger = _english(app)
    response = add(stranger, cohort=cohort)
    assert "no seats left" in stranger.get(path_of(response)).get_data(as_text=True)


def test_a_lapsed_offer_says_so_and_the_seat_has_passed_on(client, app, now):
    cohort = make_cohort(capacity=1)
    add(client, cohort=cohort)
    pay_dummy(client)
    for email in ("first@example.kz", "second@example.kz"):
        join_waitlist_by_form(_english(app), cohort, email)
    earlier = now - timedelta(hours=25)
    cancel_enrolment(db.session.scalar(select(Enrolment.id)), now=earlier)
    first = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == "first@example.kz"))
    expire_waitlist_offers(now)
    response = _english(app).get(f"/courses/waitlist/claim/{claim_token(first)}")
    assert response.status_code == 410 and "This offer has lapsed" in response.get_data(as_text=True)
    status = db.session.scalar(select(WaitlistEntry.status).where(WaitlistEntry.email == "second@example.kz"))
    assert status == "offered"


def test_a_forged_claim_or_leave_link_is_not_found(client, app):
    assert client.get("/courses/waitlist/claim/forged").status_code == 404
    assert client.post("/courses/waitlist/claim/forged").status_code == 404
    assert client.get("/courses/waitlist/leave/forged").status_code == 404
    assert client.post("/courses/waitlist/leave/forged").status_code == 404


def test_leaving_by_the_link_asks_first_then_takes_the_person_off_the_list(client, app):
    cohort = make_cohort(capacity=0)
    join_waitlist_by_form(client, cohort, "w@example.kz")
    entry = db.session.scalar(select(WaitlistEntry))
    link = f"/courses/waitlist/leave/{leave_token(entry)}"
    page = client.get(link).get_data(as_text=True)
    assert "Leave the waiting list" in page
    db.session.refresh(entry)
    assert entry.status == "waiting"
    response = client.post(link)
    assert response.status_code == 303
    db.session.refresh(entry)
    assert entry.status == "left"
    assert "You have left the waiting list." in client.get(path_of(response)).get_data(as_text=True)


# --- kits that include a course -------------------------------------------------------------------------


def test_a_kit_with_a_course_holds_the_chosen_cohorts_seat_and_enrols_after_dummy_payment(client, app, later):
    course = make_course()
    make_cohort(course=course, capacity=5, starts_at=later(days=3))
    chosen = make_cohort(course=course, capacity=5, starts_at=later(days=20))
    kit = make_product(stock=4, course=course)
    add(client, kit, cohort=chosen)
    response = check_out(client)
    assert db.session.scalar(select(Hold.quantity).where(Hold.cohort_id == chosen.id)) == 1
    assert client.post(path_of(response), data={"outcome": "pay"}).status_code == 303
    assert _enrolled(chosen) == 1
    db.session.refresh(kit)
    assert kit.on_hand == 3
    assert db.session.scalar(select(Hold.id)) is None


def test_a_kit_with_a_course_enrols_after_the_stripe_webhook(stripe_client, stripe_stub):
    cohort = make_cohort(capacity=5)
    kit = make_product(stock=4, course=cohort.course)
    add(stripe_client, kit, cohort=cohort)
    assert check_out(stripe_client).status_code == 303
    session_id = next(iter(stripe_stub.sessions))
    assert db.session.scalar(select(Hold.quantity).where(Hold.cohort_id == cohort.id)) == 1
    event = make_event("checkout.session.completed", stripe_stub.complete(session_id))
    assert post_webhook(stripe_client, event).status_code == 200
    assert post_webhook(stripe_client, event).status_code == 200
    db.session.expire_all()
    assert _enrolled(cohort) == 1
    assert db.session.scalar(select(Order.payment_status)) == "paid"
    confirmation = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.dedupe_key.startswith("order-confirmation:")))
    assert confirmation.recipient == BUYER["email"] and confirmation.attachments


def test_a_refund_reported_by_stripe_cancels_the_seats_and_frees_them(stripe_client, stripe_stub):
    cohort = make_cohort(capacity=2)
    add(stripe_client, cohort=cohort)
    check_out(stripe_client)
    session = stripe_stub.complete(next(iter(stripe_stub.sessions)))
    post_webhook(stripe_client, make_event("checkout.session.completed", session))
    order = db.session.scalar(select(Order))
    charge = {"id": "ch_1", "object": "charge", "payment_intent": session["payment_intent"],
              "amount_refunded": order.total_minor, "metadata": {"order_id": order.public_id}, "refunds": {"data": []}}
    post_webhook(stripe_client, make_event("charge.refunded", charge))
    db.session.expire_all()
    assert _enrolled(cohort) == 0
    assert db.session.scalar(select(Order.payment_status)) == "refunded"


def test_a_kit_whose_course_has_no_cohort_with_seats_is_refused_before_payment(client, app):
    cohort = make_cohort(capacity=0)
    kit = make_product(stock=4, course=cohort.course)
    page = client.get(f"/products/{kit.slug}").get_data(as_text=True)
    assert "no cohort has seats right now" in page
    response = add(client, kit)
    assert "no cohort of it has seats right now" in client.get(path_of(response)).get_data(as_text=True)
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_joining_waiting_lists_is_rate_limited_per_address(app_factory):
    from tests.conftest import _reset_schema

    app = app_factory(env={"RATELIMIT_ENABLED": "1"})
    with app.app_context():
        _reset_schema(app.config["SQLALCHEMY_DATABASE_URI"])
        cohort = make_cohort(capacity=0)
        client = app.test_client()
        answers = [client.post(f"/courses/{cohort.course.slug}/cohorts/{cohort.id}/waitlist",
                               data={"email": f"w{n}@example.kz"}).status_code for n in range(11)]
        db.session.remove()
    assert answers[:10] == [303] * 10 and answers[-1] == 429


def test_the_course_page_shows_the_staff_description_the_kits_with_it_and_each_lesson_date(client):
    course = make_course(slug="herbs-course")
    course.description_en = "Week by week: <b>sowing</b>, light, pinching.<script>alert(1)</script>"
    make_product(slug="herb-kit", name="Herb kit", course=course)
    make_product(slug="old-kit", name="Retired kit", course=course, is_active=False)
    cohort = make_cohort(course=course, sessions=3)
    cohort.sessions[1].title = "Pinching and harvest"
    db.session.commit()
    page = client.get("/courses/herbs-course").get_data(as_text=True)
    assert "<b>sowing</b>" in page and "<script>alert(1)" not in page
    assert 'href="/en/products/herb-kit"' in page and "Retired kit" not in page
    schedule = page[page.index('class="schedule"'):page.index("</details>")]
    assert "3 sessions" in schedule and schedule.count("<li>") == 3 and "Pinching and harvest" in schedule
