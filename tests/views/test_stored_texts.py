"""Whatever a stored text holds, it goes into e-mail headers, calendar files and CSV without breaking them,
and a calendar that cannot be built never holds up a payment."""
import logging

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.mail.outbox import send_outbox
from shop.models import Order, OrderLine, OutboxMessage
from tests.factories import make_cohort, make_user
from tests.views.helpers import add, pay_dummy


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


def _break_texts(cohort):
    """Give a cohort's course texts line breaks and control characters, as data stored before this check."""
    cohort.course.title_ru = cohort.course.title_en = cohort.course.title_kk = "Микро\r\nзелень\x07"
    cohort.join_url = "https://meet.example/room\r\nX-INJECTED:1"
    cohort.venue = "Ферма\nвход с улицы"
    db.session.commit()


def test_a_course_title_with_a_line_break_does_not_block_a_payment(client, shop_logs):
    cohort = make_cohort()
    _break_texts(cohort)
    add(client, cohort=cohort)
    assert pay_dummy(client).status_code == 303
    paid = db.session.scalar(select(Order.payment_status).join(OrderLine).where(OrderLine.cohort_id == cohort.id))
    assert paid == "paid"
    sent = []
    assert send_outbox(utcnow(), transport=sent.append) == (len(sent), 0) and sent
    assert all("\n" not in email["Subject"] and "\r" not in email["Subject"] for email in sent)
    assert any("Микро" in email.get_body(("plain",)).get_content() for email in sent)  # the course, in one e-mail


def test_a_calendar_that_cannot_be_built_is_left_out_of_the_email_and_logged(app, client, shop_logs, monkeypatch):
    from shop.courses import calendar

    def broken(*_args, **_kwargs):
        raise ValueError("no calendar today")

    monkeypatch.setattr(calendar, "cohort_calendar", broken)
    add(client, cohort=make_cohort())
    with shop_logs.at_level(logging.WARNING, logger="shop"):
        assert pay_dummy(client).status_code == 303
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like("order-confirmation:%")))
    assert confirmation is not None and confirmation.attachments == []
    assert any("calendar" in record.getMessage() for record in shop_logs.records)


def test_the_learners_calendar_survives_line_breaks_in_stored_texts(client, login_as):
    cohort = make_cohort()
    learner = make_user()
    login_as(learner)
    add(client, cohort=cohort)
    assert pay_dummy(client).status_code == 303
    _break_texts(cohort)
    response = client.get(f"/learn/cohorts/{cohort.id}.ics")
    assert response.status_code == 200
    lines = response.data.split(b"\r\n")
    assert not any(line.startswith(b"X-INJECTED") for line in lines)
    assert b"\x07" not in response.data


def test_the_roster_csv_of_a_course_with_a_broken_slug_still_downloads(client, staff):
    cohort = make_cohort()
    cohort.course.slug = "micro\r\ngreens"
    db.session.commit()
    response = client.get(f"/admin/cohorts/{cohort.id}/roster.csv")
    assert response.status_code == 200
    assert "\n" not in response.headers["Content-Disposition"]
