"""Journey: a visitor buys the microgreens kit with its course, accepts the invitation and finds the cohort."""
import re
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from shop.extensions import db
from shop.models import OutboxMessage
from tests.e2e.journeys import assert_stayed_home

pytestmark = pytest.mark.e2e
KIT = "microgreens-kit-with-course"
LEARNER = {"#email": "dana.learner@example.kz", "#full_name": "Дана Омарова", "#phone": "+7 705 111 22 33"}


def link_in_mail(live_shop, recipient: str, words: str) -> str:
    """Return the path of the first link with ``words`` in the newest e-mail queued for ``recipient``.

    Only the path: mail queued outside a request (e.g. by a staff action in a test) names the shop's
    configured address, not this test server's port.
    """
    with live_shop.app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.recipient == recipient)
                                    .order_by(OutboxMessage.id.desc())).all()
        db.session.remove()
    links = [link for body in bodies for link in re.findall(r"https?://\S+", body) if words in link]
    assert links, f"no e-mail to {recipient} with a link containing {words!r}"
    parts = urlsplit(links[0])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_visitor_buys_the_microgreens_kit_with_its_course_and_finds_the_cohort_under_learn(page, live_shop):
    page.goto(f"/products/{KIT}?lang=en")
    chosen = page.locator("select#cohort option:checked")
    expect(chosen).to_have_count(1)
    page.locator("form.buy button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    page.locator('a.button[href$="/checkout"]').click()
    for selector, value in LEARNER.items():
        page.locator(selector).fill(value)
    page.locator("input[name=delivery_method][value=pickup]").check()
    page.locator("#accept_terms").check()
    page.locator('form[action$="/checkout"] button[type=submit]').click()
    page.locator('button[name=outcome][value="pay"]').click()
    expect(page.locator(".status-paid")).to_be_visible()

    page.goto(link_in_mail(live_shop, LEARNER["#email"], "/account/invitation/"))
    page.locator("input[name=password]").fill("microgreens-on-my-sill")
    page.locator("main form button[type=submit]").click()
    page.goto("/learn/?lang=en")
    expect(page.locator("main")).to_contain_text("Microgreens at home")
    calendar_link = page.locator('a[href$=".ics"]').first
    expect(calendar_link).to_be_visible()
    response = page.request.get(calendar_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    events = [part for part in Calendar.from_ical(response.body()).walk() if part.name == "VEVENT"]
    assert len(events) >= 1
    assert_stayed_home(page)
