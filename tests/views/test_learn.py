"""The learner's area: my cohorts with schedules in Almaty time, join links only for learners, .ics files."""
from datetime import UTC, datetime

from flask import g
from icalendar import Calendar
from sqlalchemy import select, update

from shop.clock import almaty
from shop.extensions import db
from shop.models import Enrolment, OutboxMessage, User
from tests.conftest import english_client
from tests.factories import make_cohort, make_product, make_user
from tests.views.helpers import BUYER, add, path_of, pay_dummy


def _enrolled_learner(client, login_as, cohort, email="learner@example.kz"):
    learner = make_user(email=email)
    login_as(learner)
    add(client, cohort=cohort)
    assert pay_dummy(client).status_code == 303
    return learner


def test_a_visitor_is_sent_to_log_in(client, app):
    response = client.get("/learn/")
    assert response.status_code == 303 and path_of(response) == "/account/login?next=/en/learn/"
    assert client.get(f"/learn/cohorts/{make_cohort().id}.ics").status_code == 303


def test_a_learner_sees_the_cohort_its_schedule_in_almaty_time_and_the_join_link(client, app, login_as):
    cohort = make_cohort(starts_at=almaty(2031, 3, 1, 19, 0), sessions=2, join_url="https://meet.example/secret-room")
    _enrolled_learner(client, login_as, cohort)
    page = client.get("/learn/").get_data(as_text=True)
    assert cohort.course.title_en in page
    assert "1 March 2031, 19:00" in page and "8 March 2031, 19:00" in page and "20:30" in page
    assert "https://meet.example/secret-room" in page
    assert f"/learn/cohorts/{cohort.id}.ics" in page


def test_an_in_person_cohort_shows_its_venue_to_its_learners(client, app, login_as):
    cohort = make_cohort(join_url="")
    cohort.format, cohort.venue = "in_person", "Farm greenhouse, Almaty, Rozybakiev St 1"
    db.session.commit()
    _enrolled_learner(client, login_as, cohort)
    assert "Rozybakiev St 1" in client.get("/learn/").get_data(as_text=True)


def test_another_learner_sees_neither_the_cohort_nor_its_join_link_nor_its_calendar(app, client, login_as):
    cohort = make_cohort(join_url="https://meet.example/secret-room")
    _enrolled_learner(client, login_as, cohort)
    other = english_client(app)
    g.pop("_login_user", None)  # the test's app context (and ``g``) outlives requests: forget the learner
    outsider = make_user(email="outsider@example.kz")
    answer = other.post("/account/login", data={"email": outsider.email, "password": "correct horse battery"})
    assert answer.status_code == 303
    page = other.get("/learn/").get_data(as_text=True)
    assert "secret-room" not in page and cohort.course.title_en not in page
    assert other.get(f"/learn/cohorts/{cohort.id}.ics").status_code == 404


def test_the_join_link_never_appears_for_a_visitor_or_in_the_public_json(client, app, login_as):
    cohort = make_cohort(join_url="https://meet.example/secret-room")
    make_product(course=cohort.course)
    _enrolled_learner(client, login_as, cohort)
    visitor = app.test_client()
    for path in ("/", "/courses/", f"/courses/{cohort.course.slug}", "/catalog/", "/api/cohorts", "/learn/",
                 f"/learn/cohorts/{cohort.id}.ics"):
        g.pop("_login_user", None)  # the test's app context (and ``g``) outlives requests: forget the learner
        assert "secret-room" not in visitor.get(path).get_data(as_text=True), path


def test_the_calendar_parses_with_one_event_per_session_in_utc(client, app, login_as):
    cohort = make_cohort(starts_at=almaty(2031, 3, 1, 19, 0), sessions=3, join_url="https://meet.example/secret-room")
    _enrolled_learner(client, login_as, cohort)
    response = client.get(f"/learn/cohorts/{cohort.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert [event.decoded("dtstart") for event in events] == [
        datetime(2031, 3, 1, 14, 0, tzinfo=UTC), datetime(2031, 3, 8, 14, 0, tzinfo=UTC),
        datetime(2031, 3, 15, 14, 0, tzinfo=UTC)]
    assert events[0].decoded("dtend") == datetime(2031, 3, 1, 15, 30, tzinfo=UTC)
    assert "DTSTART:20310301T140000Z" in response.get_data(as_text=True)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    assert len({str(event["uid"]) for event in events}) == 3
    assert str(events[0]["location"]) == "https://meet.example/secret-room"


def test_the_calendar_keeps_its_event_uids_between_downloads(client, app, login_as):
    cohort = make_cohort(sessions=2)
    _enrolled_learner(client, login_as, cohort)
    def uids() -> list[str]:
        calendar = Calendar.from_ical(client.get(f"/learn/cohorts/{cohort.id}.ics").data)
        return [str(event["uid"]) for event in calendar.walk("VEVENT")]

    first, again = uids(), uids()
    assert first == again


def test_a_guest_buyer_is_invited_and_reaches_the_cohort_under_learn(app, client):
    cohort = make_cohort(join_url="https://meet.example/secret-room")
    add(client, cohort=cohort)
    pay_dummy(client)
    invitation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("invitation:")))
    assert invitation.recipient == BUYER["email"]
    link = next(word for word in invitation.body_text.split() if "/account/invitation/" in word)
    browser = english_client(app)
    response = browser.post(link.replace("http://shop.test", ""), data={"password": "a long new password 1"})
    assert response.status_code == 303
    page = browser.get("/learn/").get_data(as_text=True)
    assert cohort.course.title_en in page and "secret-room" in page


def test_seats_bought_as_a_guest_appear_only_once_the_account_proves_the_address(app, client, login_as):
    cohort = make_cohort()
    add(client, cohort=cohort)
    pay_dummy(client)
    guest = db.session.scalar(select(User).where(User.email == BUYER["email"]))
    db.session.execute(update(Enrolment).values(user_id=None))  # as enrolments made before guests got accounts
    db.session.delete(guest)
    db.session.commit()
    learner = make_user(email=BUYER["email"].upper(), verified=False)
    login_as(learner)
    assert cohort.course.title_en not in client.get("/learn/").get_data(as_text=True)
    assert db.session.scalar(select(Enrolment.user_id)) is None
    client.post("/account/verify")  # send the link again
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    link = next(word for word in message.body_text.split() if "/account/verify/" in word)
    assert client.post(link.replace("http://shop.test", "")).status_code == 303
    assert cohort.course.title_en in client.get("/learn/").get_data(as_text=True)
    assert db.session.scalar(select(Enrolment.user_id)) == learner.id


def test_the_account_page_links_to_my_courses(client, app, login_as):
    login_as(make_user())
    assert "/learn/" in client.get("/account/").get_data(as_text=True)
