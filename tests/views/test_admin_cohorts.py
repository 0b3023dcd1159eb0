"""Staff pages for cohorts: Almaty dates, seats, sessions, cancelling; rosters with attendance and their CSV."""
import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Attendance, Cohort, CohortSession, Enrolment, OutboxMessage, WaitlistEntry
from tests.admin_support import paid_order
from tests.factories import make_cohort, make_course, make_user

CONFIRM = {"confirm": "1"}  # the confirmation step's button


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


def _cohort_form(course, **changes):
    return {"course_id": str(course.id), "starts_at": "2030-05-10T18:30", "capacity": "8", "price_minor": "19 900",
            "language": "ru", "format": "online", "join_url": "https://meet.example/room", "venue": "", **changes}


def test_a_cohort_is_created_with_its_start_entered_in_almaty_time(client, staff):
    course = make_course()
    response = client.post("/admin/cohorts/new", data=_cohort_form(course))
    assert response.status_code == 303
    cohort = db.session.scalar(select(Cohort))
    assert cohort.starts_at == datetime(2030, 5, 10, 13, 30, tzinfo=UTC)
    assert (cohort.capacity, cohort.price_minor, cohort.join_url) == (8, 1990000, "https://meet.example/room")
    page = client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert 'value="2030-05-10T18:30"' in page


def test_a_cohort_at_the_farm_needs_its_venue(client, staff):
    response = client.post("/admin/cohorts/new", data=_cohort_form(make_course(), format="in_person", join_url=""))
    assert response.status_code == 400 and "needs its venue" in response.get_data(as_text=True)


def test_a_session_is_added_in_almaty_time_and_removed(client, staff):
    cohort = make_cohort(sessions=0)
    response = client.post(f"/admin/cohorts/{cohort.id}/sessions",
                           data={"starts_at": "2030-05-17T10:00", "duration_minutes": "120", "title": "Посев"})
    assert response.status_code == 303
    lesson = db.session.scalar(select(CohortSession))
    assert (lesson.starts_at, lesson.duration_minutes, lesson.title) == (
        datetime(2030, 5, 17, 5, 0, tzinfo=UTC), 120, "Посев")
    assert client.post(f"/admin/sessions/{lesson.id}/delete", data=CONFIRM).status_code == 303
    assert db.session.scalar(select(CohortSession.id)) is None


def test_lowering_seats_below_the_learners_enrolled_is_refused_with_a_message(app, client, staff):
    cohort = make_cohort(capacity=4)
    paid_order(app, cohort=cohort, quantity=3)
    response = client.post(f"/admin/cohorts/{cohort.id}/capacity", data={"capacity": "2"})
    assert response.status_code == 400 and "cannot be lower" in response.get_data(as_text=True)
    assert client.post(f"/admin/cohorts/{cohort.id}/capacity", data={"capacity": "6"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).capacity == 6


def test_raising_seats_offers_the_new_seat_to_the_first_person_waiting(app, client, staff):
    cohort = make_cohort(capacity=1)
    paid_order(app, cohort=cohort, quantity=1)
    db.session.add(WaitlistEntry(cohort_id=cohort.id, email="first@example.kz"))
    db.session.commit()
    assert client.post(f"/admin/cohorts/{cohort.id}/capacity", data={"capacity": "2"}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(WaitlistEntry.status)) == "offered"


def test_cancelling_a_cohort_stops_bookings_and_reopening_allows_them(client, staff):
    cohort = make_cohort()
    assert client.post(f"/admin/cohorts/{cohort.id}/cancel", data=CONFIRM).status_code == 303
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).is_cancelled
    assert client.get("/api/cohorts").get_json()[0]["status"] == "cancelled"
    client.post(f"/admin/cohorts/{cohort.id}/reopen")
    assert client.get("/api/cohorts").get_json()[0]["status"] == "open"


@pytest.fixture
def class_of_two(app):
    cohort = make_cohort(capacity=2, sessions=2)
    paid_order(app, cohort=cohort, quantity=1, email="aigerim@example.kz", full_name="Айгерим Сапарова",
               phone="+7 701 111 22 33")
    paid_order(app, cohort=cohort, quantity=1, email="yerlan@example.kz", full_name="Ерлан Жумабаев",
               phone="+7 702 444 55 66")
    db.session.add(WaitlistEntry(cohort_id=cohort.id, email="waiting@example.kz"))
    db.session.commit()
    return cohort


def test_the_roster_shows_learners_contacts_payment_and_the_waiting_list(client, staff, class_of_two):
    page = client.get(f"/admin/cohorts/{class_of_two.id}/roster").get_data(as_text=True)
    for text in ("Айгерим Сапарова", "yerlan@example.kz", "+7 702 444 55 66", "Paid", "waiting@example.kz"):
        assert text in page


def test_attendance_is_marked_per_session(client, staff, class_of_two):
    first = class_of_two.sessions[0]
    aigerim = db.session.scalar(select(Enrolment).where(Enrolment.email == "aigerim@example.kz"))
    assert client.get(f"/admin/sessions/{first.id}/attendance").status_code == 200
    response = client.post(f"/admin/sessions/{first.id}/attendance", data={"present": [str(aigerim.id)]})
    assert response.status_code == 303
    marks = {(mark.enrolment_id, mark.is_present) for mark in db.session.scalars(select(Attendance))}
    yerlan = db.session.scalar(select(Enrolment.id).where(Enrolment.email == "yerlan@example.kz"))
    assert marks == {(aigerim.id, True), (yerlan, False)}
    client.post(f"/admin/sessions/{first.id}/attendance", data={"present": [str(aigerim.id), str(yerlan)]})
    assert {mark.is_present for mark in db.session.scalars(select(Attendance))} == {True}
    assert db.session.scalar(select(Attendance.marked_by_id)) == staff.id


def test_the_roster_csv_opens_in_excel_with_cyrillic(client, staff, class_of_two):
    first = class_of_two.sessions[0]
    aigerim = db.session.scalar(select(Enrolment.id).where(Enrolment.email == "aigerim@example.kz"))
    client.post(f"/admin/sessions/{first.id}/attendance", data={"present": [str(aigerim)]})
    response = client.get(f"/admin/cohorts/{class_of_two.id}/roster.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"roster-")
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel then reads Cyrillic right
    assert "Айгерим Сапарова".encode() in data and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:7] == ["Name", "E-mail", "Phone", "Enrolment", "Payment", "Order", "Enrolled at"]
    assert len(rows[0]) == 7 + 2
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["aigerim@example.kz"][0] == "Айгерим Сапарова"
    assert by_email["aigerim@example.kz"][2] == "'+7 701 111 22 33"  # a leading + would start an Excel formula
    assert by_email["aigerim@example.kz"][4] == "Paid"
    assert by_email["aigerim@example.kz"][7:] == ["present", ""]
    assert by_email["yerlan@example.kz"][7:] == ["absent", ""]
    assert by_email["waiting@example.kz"][3] == "waiting list"


def test_staff_cancel_a_place_and_the_seat_frees(client, staff, class_of_two):
    aigerim = db.session.scalar(select(Enrolment).where(Enrolment.email == "aigerim@example.kz"))
    assert client.post(f"/admin/enrolments/{aigerim.id}/cancel", data=CONFIRM).status_code == 303
    db.session.expire_all()
    assert db.session.get(Enrolment, aigerim.id).status == "cancelled"
    page = client.get(f"/admin/cohorts/{class_of_two.id}/roster").get_data(as_text=True)
    assert "1 learner enrolled" in page


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00", "9999-12-31T23:59", "tomorrow", ""])
def test_an_impossible_start_is_refused_not_a_crash(client, staff, starts_at):
    response = client.post("/admin/cohorts/new", data=_cohort_form(make_course(), starts_at=starts_at))
    assert response.status_code == 400 and db.session.scalar(select(Cohort.id)) is None


def test_cancelling_a_cohort_emails_each_learner_once_and_not_the_waiting_list(client, staff, class_of_two):
    already = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    page = client.post(f"/admin/cohorts/{class_of_two.id}/cancel", data=CONFIRM, follow_redirects=True).text
    assert "2 learners were e-mailed" in page
    client.post(f"/admin/cohorts/{class_of_two.id}/cancel", data=CONFIRM)  # a second click tells nobody again
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > already)).all()
    assert sorted(message.recipient for message in told) == ["aigerim@example.kz", "yerlan@example.kz"]
    aigerim = next(message for message in told if message.recipient == "aigerim@example.kz")
    assert "Айгерим Сапарова" in aigerim.body_text


def test_staff_send_the_changed_schedule_to_each_learner_with_a_calendar_file(client, staff, class_of_two):
    already = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    page = client.post(f"/admin/cohorts/{class_of_two.id}/schedule", data=CONFIRM, follow_redirects=True).text
    assert "The schedule was e-mailed to 2 learners." in page
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > already)).all()
    assert sorted(message.recipient for message in told) == ["aigerim@example.kz", "yerlan@example.kz"]
    assert all(message.attachments[0]["content_type"] == "text/calendar" for message in told)
    assert all(message.body_text.count("\n- ") == 2 for message in told)  # both lessons listed


def test_a_cancelled_cohort_sends_no_schedule(client, staff, class_of_two):
    client.post(f"/admin/cohorts/{class_of_two.id}/cancel", data=CONFIRM)
    already = db.session.scalar(select(func.max(OutboxMessage.id)))
    page = client.post(f"/admin/cohorts/{class_of_two.id}/schedule", data=CONFIRM, follow_redirects=True).text
    assert "reopen it before sending its schedule" in page
    assert db.session.scalar(select(func.max(OutboxMessage.id))) == already
