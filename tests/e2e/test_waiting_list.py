"""Journey: a full cohort offers its waiting list; a freed seat reaches the first person waiting."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from shop.clock import utcnow
from shop.courses.services import cancel_enrolment
from shop.extensions import db
from shop.models import Cohort, CohortSession, Course, Enrolment
from tests.e2e.journeys import assert_stayed_home
from tests.e2e.test_kit_with_course import link_in_mail

pytestmark = pytest.mark.e2e
WAITING = "aruzhan.waiting@example.kz"


@pytest.fixture
def full_cohort(live_shop):
    """A one-seat master class of the beekeeping course, already taken."""
    with live_shop.app.app_context():
        course = db.session.query(Course).filter_by(slug="beekeeping-for-beginners").one()
        start = utcnow() + timedelta(days=40)
        cohort = Cohort(course=course, starts_at=start, capacity=1, price_minor=4500000, format="in_person",
                        venue="Farm apiary", sessions=[CohortSession(starts_at=start, duration_minutes=120)])
        db.session.add(cohort)
        db.session.flush()
        enrolment = Enrolment(cohort_id=cohort.id, email="first@example.kz", full_name="First Learner")
        db.session.add(enrolment)
        db.session.commit()
        ids = cohort.id, enrolment.id
        db.session.remove()
    return ids


def test_a_visitor_joins_the_waiting_list_of_a_full_cohort_and_books_the_freed_seat(page, live_shop, full_cohort):
    cohort_id, enrolment_id = full_cohort
    page.goto("/courses/beekeeping-for-beginners?lang=en")
    form = page.locator(f'form.waitlist[action$="/cohorts/{cohort_id}/waitlist"]')
    expect(form).to_be_visible()
    form.locator("input[name=email]").fill(WAITING)
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("confirm your place")
    page.goto(link_in_mail(live_shop, WAITING, "/courses/waitlist/confirm/"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("You are on the list")

    with live_shop.app.app_context():
        cancel_enrolment(enrolment_id, now=utcnow())
        db.session.remove()
    page.goto(link_in_mail(live_shop, WAITING, "/courses/waitlist/claim/"))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    page.locator('a.button[href$="/checkout"]').click()
    for selector, value in {"#email": WAITING, "#full_name": "Аружан Ким", "#phone": "+7 707 000 11 22"}.items():
        page.locator(selector).fill(value)
    page.locator("#accept_terms").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()
    page.locator('button[name=outcome][value="pay"]').click()
    expect(page.locator(".status-paid")).to_be_visible()
    assert_stayed_home(page)
